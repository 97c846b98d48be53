// The page's one door to the server: same-origin fetches with the session cookie; every
// state-changing request carries the session's CSRF token in a header.

export interface Session {
  user: string;
  groups: string[];
  csrf_token: string;
  admin: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** the problem document's other members (a syntax error's line and column) */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken = "";

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function problem(response: Response): Promise<ApiError> {
  let code = "HTTP_" + response.status;
  let detail = response.statusText || "request failed";
  let extra: Record<string, unknown> = {};
  try {
    const body = await response.json();
    code = body.code ?? code;
    detail = body.detail ?? body.title ?? detail;
    extra = body;
  } catch {
    // not a problem document
  }
  return new ApiError(response.status, code, detail, extra);
}

export async function request(
  method: string,
  path: string,
  body?: unknown,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (method !== "GET" && method !== "HEAD") headers.set("X-CSRF-Token", csrfToken);
  if (body !== undefined) headers.set("Content-Type", "application/json");
  const response = await fetch(path, {
    ...init,
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await problem(response);
  return response;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await request("GET", path, undefined, { signal, headers: { Accept: "application/json" } });
  return (await response.json()) as T;
}

export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await request(method, path, body, { headers: { Accept: "application/json" } });
  return (await response.json()) as T;
}

export interface SessionState {
  session: Session | null;
  /** how one may sign in: "password" (the form), "oidc" (the identity provider) */
  methods: string[];
}

export async function currentSession(): Promise<SessionState> {
  const response = await fetch("/auth/session", { credentials: "same-origin" });
  if (!response.ok) throw await problem(response);
  const body = (await response.json()) as Session & { signed_in: boolean; methods: string[] };
  return { session: body.signed_in ? body : null, methods: body.methods };
}

export async function signIn(user: string, password: string): Promise<Session> {
  const response = await fetch("/auth/sign-in", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user, password }),
  });
  if (!response.ok) throw await problem(response);
  return (await response.json()) as Session;
}

export async function signOut(): Promise<void> {
  await request("POST", "/auth/sign-out");
}

// --- the metadata API's shapes (see openapi/openapi.json) ---

export interface Highlight {
  field: string;
  fragment: string;
}

export interface Hit {
  guid: string;
  type: string;
  qualified_name: string;
  name: string;
  description: string | null;
  source: string | null;
  matched_columns: string[];
  highlights: Highlight[];
  popularity: number;
  deprecated: boolean;
}

export interface SearchAnswer {
  total: number;
  offset: number;
  limit: number;
  hits: Hit[];
  facets: Record<string, { value: string; count: number }[]>;
}

export interface Suggestion {
  guid: string;
  type: string;
  name: string;
  qualified_name: string;
}

export interface EntityHeader {
  guid: string;
  type: string;
  qualified_name: string;
  name: string;
  description: string | null;
  data_type: string | null;
  classifications: string[];
}

export interface Entity {
  guid: string;
  type: string;
  qualified_name: string;
  name: string;
  source: string;
  catalog: string | null;
  schema: string | null;
  table: string | null;
  column: string | null;
  parent_guid: string | null;
  description: string | null;
  owners: string[];
  data_type: string | null;
  nullable: boolean | null;
  row_count: number | null;
  size_bytes: number | null;
  view_sql: string | null;
  classifications: { name: string; propagated_from: string | null }[];
  terms: { guid: string; name: string }[];
  deprecated: boolean;
  popularity: number;
  children: EntityHeader[];
  /** whether the caller may curate it */
  editable: boolean;
}

export interface LineageEntity {
  guid: string;
  typeName: string;
  displayText?: string;
  attributes?: Record<string, unknown>;
}

export interface Lineage {
  baseEntityGuid: string;
  guidEntityMap: Record<string, LineageEntity>;
  relations: { fromEntityId: string; toEntityId: string }[];
  /** with `columns=true`: the column edges between the tables shown */
  columnLineage?: {
    guidEntityMap: Record<string, LineageEntity & { tableGuid: string }>;
    relations: { fromEntityId: string; toEntityId: string; processId: string }[];
  };
}

export interface JsonResult {
  query_id: string;
  columns: { name: string; type: string }[];
  data: unknown[][];
  rows: number;
}

export function runJsonQuery(sql: string): Promise<JsonResult> {
  return sendJson<JsonResult>("POST", "/v1/query", { sql });
}
