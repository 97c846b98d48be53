// Completion of catalogs, schemas, tables and columns from the browse API (/v1/catalogs/…),
// which lists only what the signed-in user may see. Answers are cached for the page's life;
// failures are not.
import { getJson } from "./api";

export interface Candidate {
  label: string;
  detail: string;
}

const cache = new Map<string, Promise<Candidate[]>>();

function cached(path: string, pick: (body: any) => Candidate[]): Promise<Candidate[]> {
  let answer = cache.get(path);
  if (!answer) {
    answer = getJson<unknown>(path).then(pick, () => {
      cache.delete(path); // a failed lookup is asked again on the next keystroke
      return [];
    });
    cache.set(path, answer);
  }
  return answer;
}

const enc = encodeURIComponent;

export function catalogs(): Promise<Candidate[]> {
  return cached("/v1/catalogs", (b) => b.catalogs.map((c: any) => ({ label: c.name, detail: "catalog" })));
}

export function schemas(catalog: string): Promise<Candidate[]> {
  return cached(`/v1/catalogs/${enc(catalog)}/schemas`, (b) =>
    b.schemas.map((s: any) => ({ label: s.name, detail: "schema" })),
  );
}

export function tables(catalog: string, schema: string): Promise<Candidate[]> {
  return cached(`/v1/catalogs/${enc(catalog)}/schemas/${enc(schema)}/tables`, (b) =>
    b.tables.map((t: any) => ({ label: t.name, detail: t.type })),
  );
}

export function columns(catalog: string, schema: string, table: string): Promise<Candidate[]> {
  return cached(`/v1/catalogs/${enc(catalog)}/schemas/${enc(schema)}/tables/${enc(table)}`, (b) =>
    b.columns.map((c: any) => ({ label: c.name, detail: c.type })),
  );
}

/** The dotted word that ends at the caret: ["tpch", "tiny", "li"] for "… tpch.tiny.li|". */
export function wordAt(text: string, caret: number): string[] {
  const before = text.slice(0, caret);
  const match = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]*)*$|$/.exec(before);
  return (match?.[0] ?? "").split(".");
}

const TABLE_REF = /\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)\b/g;

/** Candidates for the word at the caret: parts of qualified names, or columns of the tables the
 * query names (c.s.t) when the word has no dot. */
export async function candidates(text: string, caret: number): Promise<{ prefix: string; items: Candidate[] }> {
  const parts = wordAt(text, caret);
  const prefix = parts[parts.length - 1];
  let items: Candidate[] = [];
  if (parts.length === 1) {
    const named = [...text.matchAll(TABLE_REF)].map((m) => columns(m[1], m[2], m[3]));
    items = [...(await catalogs()), ...(await Promise.all(named)).flat()];
  } else if (parts.length === 2) items = await schemas(parts[0]);
  else if (parts.length === 3) items = await tables(parts[0], parts[1]);
  else if (parts.length === 4) items = await columns(parts[0], parts[1], parts[2]);
  const lower = prefix.toLowerCase();
  const seen = new Set<string>();
  const fitting = items.filter((c) => {
    if (!c.label.toLowerCase().startsWith(lower) || seen.has(c.label)) return false;
    seen.add(c.label);
    return true;
  });
  return { prefix, items: fitting.slice(0, 50) };
}
