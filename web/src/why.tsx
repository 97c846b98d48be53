// "Why?": after a run, the workspace asks POST /v1/access/explain about the same SQL. When the
// query was refused, or its answer masked or row-filtered, a panel says which table or column,
// which kind of policy (deny, mask type, row filter) and the policy's name. The server decides
// what the user may be told; the page shows it as it comes.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { sendJson } from "./api";

interface ColumnAccess {
  column: string | null;
  decision: "allowed" | "denied" | "masked";
  denied_by?: "deny" | "no-allow";
  mask_type?: string;
  policy_id?: number;
  policy?: string;
}

interface TableAccess {
  table: string;
  decision: string;
  masked: boolean;
  row_filter: { policy_id: number; policy: string | null; expression?: string } | null;
  columns: ColumnAccess[];
}

export interface Explanation {
  user: string;
  outcome: "allowed" | "denied" | "restricted" | "error";
  tables: TableAccess[];
  error?: { code: string; message: string };
}

function policyName(name: string | null | undefined, id: number | undefined): string {
  if (name) return `policy “${name}”`;
  return id !== undefined ? `policy #${id}` : "a policy";
}

function columnLine(table: string, c: ColumnAccess): JSX.Element | null {
  const what = c.column === null ? `table ${table}` : `column ${c.column}`;
  if (c.decision === "denied") {
    return (
      <li key={`${table}.${c.column}`} data-kind="denied">
        <strong>Denied</strong>: {what} —{" "}
        {c.denied_by === "deny" ? `denied by ${policyName(c.policy, c.policy_id)}` : "no policy allows you to read it"}
      </li>
    );
  }
  if (c.decision === "masked") {
    return (
      <li key={`${table}.${c.column}`} data-kind="masked">
        <strong>Masked</strong>: {what} — {c.mask_type} by {policyName(c.policy, c.policy_id)}
      </li>
    );
  }
  return null;
}

/** The panel, shown only when something was refused, masked or filtered. */
export function WhyPanel({ sql, runId }: { sql: string; runId: number }): JSX.Element | null {
  const [answer, setAnswer] = useState<Explanation | null>(null);
  useEffect(() => {
    let live = true;
    setAnswer(null);
    sendJson<Explanation>("POST", "/v1/access/explain", { sql })
      .then((a) => live && setAnswer(a))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [sql, runId]);
  if (answer === null || (answer.outcome !== "denied" && answer.outcome !== "restricted")) return null;
  const summary = answer.outcome === "denied" ? "Why was this query refused?" : "Why are some values masked or rows hidden?";
  return (
    <details class="why" id="why" data-outcome={answer.outcome}>
      <summary>Why? {summary}</summary>
      {answer.tables.map((t) => (
        <section key={t.table} aria-label={`access to ${t.table}`}>
          <h3>{t.table}</h3>
          <ul>
            {t.columns.map((c) => columnLine(t.table, c))}
            {t.row_filter && (
              <li data-kind="row-filter">
                <strong>Rows filtered</strong> by {policyName(t.row_filter.policy, t.row_filter.policy_id)}
                {t.row_filter.expression !== undefined && (
                  <>
                    : <code>{t.row_filter.expression}</code>
                  </>
                )}
              </li>
            )}
          </ul>
        </section>
      ))}
    </details>
  );
}
