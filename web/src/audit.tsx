// /ui/admin/audit: the audit log for administrators (GET /v1/audit; the API refuses anyone
// else, and the page shows its refusal). Filters live in the URL.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, getJson } from "./api";
import { navigate } from "./router";

interface AuditEntry {
  event_id: string;
  time: string;
  user: string;
  front_door: string;
  action: string;
  sql: string | null;
  resources: string[];
  decision: string;
  rows: number;
  duration_ms: number;
  error_code: string | null;
}

const FILTERS = ["user", "action", "decision", "resource", "error_code"] as const;

export function AuditPage({ params }: { params: URLSearchParams }): JSX.Element {
  const [records, setRecords] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState("");
  const key = params.toString();

  useEffect(() => {
    const api = new URLSearchParams();
    for (const f of FILTERS) {
      const v = params.get(f);
      if (v) api.set(f, v);
    }
    api.set("limit", "100");
    setError("");
    getJson<{ records: AuditEntry[] }>(`/v1/audit?${api.toString()}`)
      .then((a) => setRecords(a.records))
      .catch((exc) => {
        setRecords(null);
        setError(exc instanceof ApiError ? `${exc.code}: ${exc.message}` : "the audit log cannot be read");
      });
  }, [key]);

  function apply(event: Event): void {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const next = new URLSearchParams();
    for (const f of FILTERS) {
      const v = String(form.get(f) ?? "").trim();
      if (v) next.set(f, v);
    }
    navigate(`/ui/admin/audit?${next.toString()}`);
  }

  return (
    <main class="audit-page">
      <h1>Audit log</h1>
      <form class="filters" onSubmit={apply} key={key}>
        <label>
          User <input name="user" defaultValue={params.get("user") ?? ""} />
        </label>
        <label>
          Action
          <select name="action" defaultValue={params.get("action") ?? ""}>
            <option value="">any</option>
            {["query", "browse", "admin", "auth", "metadata"].map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Decision
          <select name="decision" defaultValue={params.get("decision") ?? ""}>
            <option value="">any</option>
            {["allowed", "denied", "error"].map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          Resource <input name="resource" defaultValue={params.get("resource") ?? ""} />
        </label>
        <label>
          Error code <input name="error_code" defaultValue={params.get("error_code") ?? ""} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {records && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Audit records">
          <table class="audit">
            <thead>
              <tr>
                {["Time", "User", "Action", "Decision", "Resources", "SQL", "Rows", "ms", "Error"].map((h) => (
                  <th scope="col" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={r.event_id}>
                  <td>{r.time.replace("T", " ").slice(0, 19)}</td>
                  <td>{r.user}</td>
                  <td>{r.action}</td>
                  <td>{r.decision}</td>
                  <td>{r.resources.join(", ")}</td>
                  <td>
                    <code>{r.sql ?? ""}</code>
                  </td>
                  <td>{r.rows}</td>
                  <td>{r.duration_ms.toFixed(1)}</td>
                  <td>{r.error_code ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
