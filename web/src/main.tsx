// Lakegate's web UI: a small Preact single-page app served by the gateway at / and /ui/….
import "./style.css";
import { type JSX, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { currentSession, type Session, setCsrfToken, signOut } from "./api";
import { AuditPage } from "./audit";
import { HarvestPage } from "./harvest";
import { RunningPage } from "./running";
import { EntityPage } from "./entity";
import { Link } from "./link";
import { navigate, useLocation } from "./router";
import { SearchPage } from "./search";
import { SignIn } from "./signin";
import { Workspace } from "./workspace";

function Page({ path, params }: { path: string; params: URLSearchParams }): JSX.Element {
  const entity = /^\/ui\/entity\/([^/]+)$/.exec(path);
  if (entity) return <EntityPage guid={decodeURIComponent(entity[1])} />;
  if (path === "/ui/sql") return <Workspace params={params} />;
  if (path === "/ui/admin/audit") return <AuditPage params={params} />;
  if (path === "/ui/admin/queries") return <RunningPage />;
  if (path === "/ui/admin/catalog") return <HarvestPage />;
  if (path === "/" || path === "/ui" || path === "/ui/" || path === "/ui/search") return <SearchPage params={params} />;
  return (
    <main>
      <h1>Not found</h1>
      <p>
        There is no page at this address. <Link href="/ui/search">Search the catalog</Link>.
      </p>
    </main>
  );
}

function App(): JSX.Element {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [methods, setMethods] = useState<string[]>(["password"]);
  const { path, params } = useLocation();

  useEffect(() => {
    currentSession()
      .then((state) => {
        if (state.session) setCsrfToken(state.session.csrf_token);
        setMethods(state.methods);
        setSession(state.session);
      })
      .catch(() => setSession(null));
  }, []);

  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null)
    return (
      <SignIn
        methods={methods}
        onSignedIn={(s) => {
          setCsrfToken(s.csrf_token);
          setSession(s);
        }}
      />
    );
  return (
    <>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/ui/search" class="brand">
          Lakegate
        </Link>
        <nav aria-label="Main">
          <Link href="/ui/search">Search</Link>
          <Link href="/ui/sql">SQL</Link>
          {session.admin && <Link href="/ui/admin/audit">Audit</Link>}
          {session.admin && <Link href="/ui/admin/queries">Running</Link>}
          {session.admin && <Link href="/ui/admin/catalog">Harvest</Link>}
          <a href="/docs">API</a>
        </nav>
        <span class="who">
          <span id="signed-in-user">{session.user}</span>
          <button
            type="button"
            id="sign-out"
            onClick={() =>
              void signOut().finally(() => {
                setSession(null);
                navigate("/", true);
              })
            }
          >
            Sign out
          </button>
        </span>
      </header>
      <div id="content">
        <Page path={path} params={params} />
      </div>
    </>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
