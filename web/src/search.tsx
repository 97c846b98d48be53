// /ui/search?q=…&type=…&catalog=…&offset=…: the URL holds the whole state, so every result page
// is a deep link. Facet counts come from the API (computed under the caller's permissions).
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, getJson, type Hit, type SearchAnswer } from "./api";
import { Highlighted } from "./highlight";
import { entityHref, Link } from "./link";
import { navigate } from "./router";
import { SearchBox } from "./searchbox";

export const FACETS = ["type", "catalog", "schema", "classification", "owner", "term"] as const;
const PAGE = 10;

function withParams(params: URLSearchParams, change: (p: URLSearchParams) => void): string {
  const next = new URLSearchParams(params);
  change(next);
  return `/ui/search?${next.toString()}`;
}

function HitItem({ hit }: { hit: Hit }): JSX.Element {
  // name and qualified name are marked in place; matched columns and the description below
  const marked = (field: string) => hit.highlights.filter((h) => h.field === field);
  const [name] = marked("name");
  const [qualified] = marked("qualified_name");
  const [description] = marked("description");
  const columns = marked("columns");
  return (
    <li class="hit">
      <Link href={entityHref(hit.guid)} class="hit-name">
        {name ? <Highlighted fragment={name.fragment} /> : hit.name}
      </Link>{" "}
      <span class="badge">{hit.type}</span>
      {hit.deprecated && <span class="badge warn">deprecated</span>}
      <div class="qname">{qualified ? <Highlighted fragment={qualified.fragment} /> : hit.qualified_name}</div>
      {description ? (
        <p class="fragment">
          <Highlighted fragment={description.fragment} />
        </p>
      ) : (
        hit.description && <p class="fragment">{hit.description}</p>
      )}
      {hit.matched_columns.length > 0 && (
        <p class="matched">
          Columns:{" "}
          {columns.length > 0
            ? columns.map((c, i) => (
                <span key={i}>
                  {i > 0 && ", "}
                  <Highlighted fragment={c.fragment} />
                </span>
              ))
            : hit.matched_columns.join(", ")}
        </p>
      )}
    </li>
  );
}

export function SearchPage({ params }: { params: URLSearchParams }): JSX.Element {
  const [answer, setAnswer] = useState<SearchAnswer | null>(null);
  const [error, setError] = useState("");
  const results = useRef<HTMLOListElement>(null);
  const q = params.get("q") ?? "";
  const offset = Number(params.get("offset") ?? "0") || 0;
  const key = params.toString();

  useEffect(() => {
    const api = new URLSearchParams();
    api.set("q", q);
    for (const f of FACETS) params.getAll(f).forEach((v) => api.append(f, v));
    FACETS.forEach((f) => api.append("facet", f));
    api.set("offset", String(offset));
    api.set("limit", String(PAGE));
    const controller = new AbortController();
    getJson<SearchAnswer>(`/v1/search?${api.toString()}`, controller.signal)
      .then((a) => {
        setAnswer(a);
        setError("");
      })
      .catch((exc) => {
        if (exc instanceof ApiError) setError(exc.message);
      });
    return () => controller.abort();
  }, [key]);

  // j/k (or arrows) move between hits once focus is in the result list
  function onResultsKey(event: KeyboardEvent): void {
    const links = Array.from(results.current?.querySelectorAll<HTMLAnchorElement>("a.hit-name") ?? []);
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    let next = -1;
    if (event.key === "ArrowDown" || event.key === "j") next = Math.min(at + 1, links.length - 1);
    if (event.key === "ArrowUp" || event.key === "k") next = Math.max(at - 1, 0);
    if (next >= 0 && links[next]) {
      event.preventDefault();
      links[next].focus();
    }
  }

  const total = answer?.total ?? 0;
  return (
    <main class="search-page">
      <h1 class="visually-hidden">Search</h1>
      <SearchBox initial={q} autoFocus={!q} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {answer && (
        <div class="search-layout">
          <aside class="facets" aria-label="Filters">
            {FACETS.map((field) => {
              const values = answer.facets[field] ?? [];
              if (values.length === 0) return null;
              const chosen = params.getAll(field);
              return (
                <fieldset key={field}>
                  <legend>{field}</legend>
                  {values.map((v) => {
                    const on = chosen.includes(v.value);
                    const id = `facet-${field}-${v.value}`.replace(/[^A-Za-z0-9_-]/g, "_");
                    return (
                      <div class="facet" key={v.value}>
                        <input
                          type="checkbox"
                          id={id}
                          checked={on}
                          onChange={() =>
                            navigate(
                              withParams(params, (p) => {
                                p.delete("offset");
                                p.delete(field);
                                const rest = on ? chosen.filter((c) => c !== v.value) : [...chosen, v.value];
                                rest.forEach((c) => p.append(field, c));
                              }),
                            )
                          }
                        />
                        <label for={id}>
                          {v.value} <span class="count">{v.count}</span>
                        </label>
                      </div>
                    );
                  })}
                </fieldset>
              );
            })}
          </aside>
          <section class="results" aria-label="Results">
            <p class="total" aria-live="polite">
              {total === 0 ? "No results" : `${offset + 1}–${offset + answer.hits.length} of ${total}`}
            </p>
            <ol ref={results} onKeyDown={onResultsKey}>
              {answer.hits.map((hit) => (
                <HitItem hit={hit} key={hit.guid} />
              ))}
            </ol>
            <nav class="pager" aria-label="Pages">
              {offset > 0 && (
                <Link href={withParams(params, (p) => p.set("offset", String(Math.max(0, offset - PAGE))))}>
                  ← Previous
                </Link>
              )}
              {offset + PAGE < total && (
                <Link href={withParams(params, (p) => p.set("offset", String(offset + PAGE)))} id="next-page">
                  Next →
                </Link>
              )}
            </nav>
          </section>
        </div>
      )}
    </main>
  );
}
