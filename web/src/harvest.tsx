// /ui/admin/catalog: the metadata catalog's harvest status (GET /readyz: each source's last
// outcome) and "Refresh now" (POST /v1/admin/catalog/refresh, admins), with what it changed.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, sendJson } from "./api";

interface Ready {
  catalog?: { refreshed_at: number | null; sources: Record<string, string>; failed: string[] };
}

interface SourceResult {
  name: string;
  connector: string;
  status: string;
  message: string | null;
  added: number;
  changed: number;
  removed: number;
  unchanged: boolean;
  entities: number;
  duration_ms: number;
}

export function HarvestPage(): JSX.Element {
  const [ready, setReady] = useState<Ready | null>(null);
  const [result, setResult] = useState<SourceResult[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  function load(): void {
    // /readyz answers 503 while an engine is down, with the same document
    fetch("/readyz", { headers: { Accept: "application/json" } })
      .then((r) => r.json())
      .then(setReady)
      .catch(() => setError("the server's readiness cannot be read"));
  }
  useEffect(load, []);

  async function refresh(): Promise<void> {
    setBusy(true);
    setError("");
    try {
      const answer = await sendJson<{ sources: SourceResult[] }>("POST", "/v1/admin/catalog/refresh");
      setResult(answer.sources);
      load();
    } catch (exc) {
      setError(exc instanceof ApiError ? `${exc.code}: ${exc.message}` : "the refresh failed");
    } finally {
      setBusy(false);
    }
  }

  const catalog = ready?.catalog;
  return (
    <main>
      <h1>Catalog harvest</h1>
      {catalog && (
        <>
          <p id="refreshed-at">
            Last harvest:{" "}
            {catalog.refreshed_at ? new Date(catalog.refreshed_at * 1000).toISOString().replace("T", " ").slice(0, 19) : "never"}
          </p>
          <table class="harvest">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(catalog.sources).map(([name, status]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td class={status === "failed" ? "error" : ""}>{status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <p>
        <button type="button" id="refresh-now" onClick={() => void refresh()} disabled={busy}>
          {busy ? "Refreshing…" : "Refresh now"}
        </button>
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <section aria-labelledby="result-h">
          <h2 id="result-h">This refresh</h2>
          <table class="harvest-result">
            <thead>
              <tr>
                {["Source", "Status", "Added", "Changed", "Removed", "Entities", "ms", "Message"].map((h) => (
                  <th scope="col" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.map((s) => (
                <tr key={s.name}>
                  <td>{s.name}</td>
                  <td>{s.unchanged ? `${s.status} (unchanged)` : s.status}</td>
                  <td>{s.added}</td>
                  <td>{s.changed}</td>
                  <td>{s.removed}</td>
                  <td>{s.entities}</td>
                  <td>{s.duration_ms.toFixed(0)}</td>
                  <td>{s.message ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}
