// /ui/sql: write SQL, run it (Ctrl+Enter), cancel it, watch Arrow batches stream into the grid,
// download the result as CSV or Parquet (written by the server). The query goes to /v1/query like any client's: same planner, same
// policies, same audit.
import { RecordBatchReader } from "apache-arrow";
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, getJson, request } from "./api";
import { type Formatter, formatterFor } from "./format";
import { SqlEditor } from "./editor";
import { Grid, Rows } from "./grid";
import { WhyPanel } from "./why";

interface Run {
  state: "running" | "finished" | "failed" | "canceled";
  queryId: string;
  columns: string[];
  formats: Formatter[];
  rows: Rows;
  started: number;
  firstRowsMs: number | null;
  elapsedMs: number;
  bytes: number;
  error: string;
  /** where a syntax error is, 1-based, when the server says */
  errorAt: { line: number; column: number } | null;
  sql: string;
}

/** The offending line with a caret under the column the server named. */
function ErrorMarker({ sql, at }: { sql: string; at: { line: number; column: number } }): JSX.Element {
  const lines = sql.split("\n");
  const text = lines[at.line - 1] ?? "";
  function show(): void {
    const editor = document.getElementById("sql") as HTMLTextAreaElement | null;
    if (!editor) return;
    const offset = lines.slice(0, at.line - 1).reduce((n, l) => n + l.length + 1, 0) + at.column - 1;
    editor.focus();
    editor.setSelectionRange(offset, Math.min(offset + 1, editor.value.length));
  }
  return (
    <div class="error-marker" id="error-marker">
      <pre aria-label={`line ${at.line}, column ${at.column}`}>
        {text}
        {"\n"}
        {" ".repeat(Math.max(0, at.column - 1))}^
      </pre>
      <button type="button" onClick={show}>
        Show line {at.line}, column {at.column} in the editor
      </button>
    </div>
  );
}

interface HistoryEntry {
  query_id: string | null;
  time: string;
  sql: string | null;
  decision: string;
  error_code: string | null;
  rows: number;
  duration_ms: number;
}

function HistoryPanel({ entries, onPick }: { entries: HistoryEntry[]; onPick: (sql: string) => void }): JSX.Element {
  return (
    <section class="history" aria-labelledby="history-h">
      <h2 id="history-h">Your recent queries</h2>
      {entries.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <ol>
          {entries.map((e, i) => (
            <li key={`${e.query_id}-${i}`}>
              <button
                type="button"
                class="link"
                disabled={e.sql === null}
                title={e.sql ?? "the server keeps only a hash of the SQL"}
                onClick={() => e.sql !== null && onPick(e.sql)}
              >
                <code>{e.sql ?? "(SQL not kept)"}</code>
              </button>
              <span class="muted">
                {" "}
                {e.time.replace("T", " ").slice(0, 19)} · {e.error_code ?? e.decision} · {e.rows.toLocaleString("en")} rows
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function counting(body: ReadableStream<Uint8Array>, onBytes: (n: number) => void): ReadableStream<Uint8Array> {
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        onBytes(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

export function Workspace({ params }: { params: URLSearchParams }): JSX.Element {
  const [sql, setSql] = useState(params.get("sql") ?? "SELECT 1 AS one");
  const [run, setRun] = useState<Run | null>(null);
  const [version, setVersion] = useState(0);
  const [runs, setRuns] = useState(0);
  const controller = useRef<AbortController | null>(null);
  const current = useRef<Run | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);

  function loadHistory(): void {
    getJson<{ queries: HistoryEntry[] }>("/v1/me/queries?limit=20")
      .then((answer) => setHistory(answer.queries))
      .catch(() => undefined);
  }
  useEffect(loadHistory, []);

  async function execute(): Promise<void> {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    const started = performance.now();
    const state: Run = {
      state: "running",
      queryId: "",
      columns: [],
      formats: [],
      rows: new Rows(),
      started,
      firstRowsMs: null,
      elapsedMs: 0,
      bytes: 0,
      error: "",
      errorAt: null,
      sql,
    };
    current.current = state;
    setRun({ ...state });
    let lastPaint = 0;
    try {
      const response = await request("POST", "/v1/query", { sql }, {
        signal: abort.signal,
        headers: { Accept: "application/vnd.apache.arrow.stream" },
      });
      state.queryId = response.headers.get("X-Lakegate-Query-Id") ?? "";
      const body = counting(response.body as ReadableStream<Uint8Array>, (n) => (state.bytes += n));
      const reader = await RecordBatchReader.from(body);
      await reader.open();
      state.columns = reader.schema.fields.map((f) => f.name);
      state.formats = reader.schema.fields.map(formatterFor);
      setRun({ ...state });
      for await (const batch of reader) {
        state.rows.push(batch);
        const now = performance.now();
        if (state.firstRowsMs === null && batch.numRows > 0) state.firstRowsMs = now - started;
        state.elapsedMs = now - started;
        if (now - lastPaint > 100 || state.firstRowsMs === now - started) {
          lastPaint = now;
          setRun({ ...state });
          setVersion((v) => v + 1);
        }
      }
      state.state = "finished";
    } catch (exc) {
      if (abort.signal.aborted) state.state = "canceled";
      else {
        state.state = "failed";
        state.error = exc instanceof ApiError ? `${exc.code}: ${exc.message}` : String(exc);
        const { line, column } = exc instanceof ApiError ? exc.extra : {};
        if (typeof line === "number" && typeof column === "number") state.errorAt = { line, column };
      }
    }
    state.elapsedMs = performance.now() - started;
    if (current.current === state) {
      setRun({ ...state });
      setVersion((v) => v + 1);
      setRuns((n) => n + 1);
    }
    loadHistory();
  }

  async function cancel(): Promise<void> {
    const state = current.current;
    controller.current?.abort();
    if (state?.queryId) {
      try {
        await request("DELETE", `/v1/queries/${encodeURIComponent(state.queryId)}`);
      } catch {
        // already finished or gone
      }
    }
  }

  async function download(accept: string, name: string): Promise<void> {
    try {
      const response = await request("POST", "/v1/query", { sql }, { headers: { Accept: accept } });
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(url);
    } catch (exc) {
      const state = current.current;
      if (state) {
        state.error = exc instanceof ApiError ? `${exc.code}: ${exc.message}` : String(exc);
        setRun({ ...state });
      }
    }
  }

  const running = run?.state === "running";
  return (
    <main class="workspace">
      <h1>SQL workspace</h1>
      <SqlEditor value={sql} onChange={setSql} onRun={() => void execute()} />
      <div class="toolbar">
        <button type="button" id="run" onClick={() => void execute()} disabled={running}>
          Run <kbd>Ctrl+Enter</kbd>
        </button>
        <button type="button" id="cancel" onClick={() => void cancel()} disabled={!running}>
          Cancel
        </button>
        <button type="button" id="download-csv" onClick={() => void download("text/csv", "result.csv")} disabled={running || !run}>
          Download CSV
        </button>
        <button
          type="button"
          id="download-parquet"
          onClick={() => void download("application/vnd.apache.parquet", "result.parquet")}
          disabled={running || !run}
        >
          Download Parquet
        </button>
      </div>
      {run && (
        <p class="status" id="run-status" aria-live="polite" data-state={run.state} data-query-id={run.queryId}>
          {run.state} · <span id="row-count">{run.rows.count.toLocaleString("en")}</span> rows ·{" "}
          {(run.elapsedMs / 1000).toFixed(2)} s · {(run.bytes / 1024).toFixed(0)} KiB
          {run.firstRowsMs !== null && ` · first rows after ${(run.firstRowsMs / 1000).toFixed(2)} s`}
        </p>
      )}
      {run?.error && (
        <p class="error" role="alert" id="run-error">
          {run.error}
        </p>
      )}
      {run?.errorAt && <ErrorMarker sql={run.sql} at={run.errorAt} />}
      {run && (run.state === "finished" || run.state === "failed") && <WhyPanel sql={run.sql} runId={runs} />}
      {run && run.columns.length > 0 && <Grid columns={run.columns} formats={run.formats} rows={run.rows} version={version} />}
      <HistoryPanel entries={history} onPick={setSql} />
    </main>
  );
}
