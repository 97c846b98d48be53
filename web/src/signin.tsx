import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError, type Session, signIn } from "./api";

export function SignIn({
  methods,
  onSignedIn,
}: {
  methods: string[];
  onSignedIn: (session: Session) => void;
}): JSX.Element {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError("");
    try {
      const session = await signIn(String(data.get("user") ?? ""), String(data.get("password") ?? ""));
      form.reset(); // the page keeps no password once signed in
      onSignedIn(session);
    } catch (exc) {
      setError(exc instanceof ApiError ? exc.message : "sign-in failed");
    } finally {
      setBusy(false);
    }
  }

  const here = window.location.pathname + window.location.search;
  return (
    <main class="signin">
      <h1>Sign in to Lakegate</h1>
      {methods.includes("oidc") && (
        <p>
          <a class="button" id="sign-in-oidc" href={`/auth/oidc/start?next=${encodeURIComponent(here)}`}>
            Sign in with single sign-on
          </a>
        </p>
      )}
      {methods.includes("password") && (
      <form onSubmit={submit} aria-describedby={error ? "signin-error" : undefined}>
        <label for="user">User</label>
        <input id="user" name="user" autocomplete="username" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p id="signin-error" class="error" role="alert">
            {error}
          </p>
        )}
      </form>
      )}
    </main>
  );
}
