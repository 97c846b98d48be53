// /ui/admin/queries: the queries running or queued now (GET /v1/queries: everyone's for admins),
// each with a Kill button (DELETE /v1/queries/{id}). Refreshed every two seconds.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, getJson, request } from "./api";

interface Running {
  id: string;
  user: string;
  state: string;
  sql: string;
  elapsed_ms: number;
  rows: number;
}

export function RunningPage(): JSX.Element {
  const [queries, setQueries] = useState<Running[] | null>(null);
  const [error, setError] = useState("");

  function load(): void {
    getJson<Running[]>("/v1/queries?limit=1000")
      .then((all) => {
        setQueries(all.filter((q) => q.state === "RUNNING" || q.state === "QUEUED"));
        setError("");
      })
      .catch((exc) => setError(exc instanceof ApiError ? `${exc.code}: ${exc.message}` : "cannot list queries"));
  }

  useEffect(() => {
    load();
    const timer = window.setInterval(load, 2000);
    return () => window.clearInterval(timer);
  }, []);

  async function kill(id: string): Promise<void> {
    try {
      await request("DELETE", `/v1/queries/${encodeURIComponent(id)}`);
    } catch (exc) {
      setError(exc instanceof ApiError ? `${exc.code}: ${exc.message}` : "the query could not be canceled");
    }
    load();
  }

  return (
    <main>
      <h1>Running queries</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {queries && queries.length === 0 && <p class="muted">No query is running.</p>}
      {queries && queries.length > 0 && (
        <div class="table-scroll">
          <table class="running">
            <thead>
              <tr>
                {["Query", "User", "State", "Seconds", "Rows", "SQL", ""].map((h, i) => (
                  <th scope="col" key={i}>
                    {h || <span class="visually-hidden">Kill</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {queries.map((q) => (
                <tr key={q.id} data-query-id={q.id}>
                  <td>
                    <code>{q.id}</code>
                  </td>
                  <td>{q.user}</td>
                  <td>{q.state}</td>
                  <td>{(q.elapsed_ms / 1000).toFixed(1)}</td>
                  <td>{q.rows}</td>
                  <td>
                    <code>{q.sql}</code>
                  </td>
                  <td>
                    <button type="button" onClick={() => void kill(q.id)} aria-label={`Kill query ${q.id}`}>
                      Kill
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
