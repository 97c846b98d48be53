// A small SQL tokenizer for highlighting: keywords, strings, quoted names, numbers, comments.
// It never decides anything about the query: the server parses it.

export type TokenKind = "keyword" | "string" | "name" | "number" | "comment" | "text";

export interface Token {
  kind: TokenKind;
  text: string;
}

export const KEYWORDS = new Set(
  (
    "select from where group by order having limit offset join inner left right full outer cross on using " +
    "as and or not in is null like between case when then else end with union all distinct intersect except " +
    "values asc desc nulls first last cast over partition rows range unbounded preceding following current row " +
    "exists true false show describe explain catalogs schemas tables columns interval date timestamp lateral " +
    "filter within recursive"
  ).split(" "),
);

const PATTERN =
  /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?)|(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|(\s+|[^\sA-Za-z0-9_'"-]+|-)/gy;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  PATTERN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (PATTERN.lastIndex < sql.length && (match = PATTERN.exec(sql)) !== null) {
    const [text, comment, string, quoted, number, word] = match;
    let kind: TokenKind = "text";
    if (comment) kind = "comment";
    else if (string) kind = "string";
    else if (quoted) kind = "name";
    else if (number) kind = "number";
    else if (word && KEYWORDS.has(word.toLowerCase())) kind = "keyword";
    tokens.push({ kind, text });
  }
  if (PATTERN.lastIndex < sql.length) tokens.push({ kind: "text", text: sql.slice(PATTERN.lastIndex) });
  return tokens;
}
