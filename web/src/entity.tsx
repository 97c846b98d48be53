// /ui/entity/{guid}: one catalog entity as the caller may see it. Sample rows go through the
// query API like any query of the user's, so row filters and column masks apply to them.
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, type Entity, getJson, type JsonResult, type Lineage, runJsonQuery } from "./api";
import { Curation } from "./curate";
import { LineagePicture } from "./lineage";
import { entityHref, Link } from "./link";

const TABULAR = new Set(["table", "view"]);

export function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function selectSql(entity: Entity, limit: number): string {
  const columns = entity.children.filter((c) => c.type === "column").map((c) => quoteName(c.name));
  const table = [entity.catalog, entity.schema, entity.table ?? entity.name].map((n) => quoteName(n ?? "")).join(".");
  return `SELECT ${columns.length ? columns.join(", ") : "*"}\nFROM ${table}\nLIMIT ${limit}`;
}

function Sample({ entity }: { entity: Entity }): JSX.Element {
  const [result, setResult] = useState<JsonResult | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setResult(null);
    setError("");
    runJsonQuery(selectSql(entity, 10))
      .then(setResult)
      .catch((exc) => setError(exc instanceof ApiError ? `${exc.code}: ${exc.message}` : "the sample failed"));
  }, [entity.guid]);
  if (error) return <p class="muted">No sample rows: {error}</p>;
  if (!result) return <p class="muted">Loading sample rows…</p>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Sample rows">
      <table class="sample">
        <thead>
          <tr>
            {result.columns.map((c) => (
              <th key={c.name} scope="col">
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.data.map((row, i) => (
            <tr key={i}>
              {row.map((v, j) => (
                <td key={j}>{v === null ? <span class="null">NULL</span> : String(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function EntityPage({ guid }: { guid: string }): JSX.Element {
  const [entity, setEntity] = useState<Entity | null>(null);
  const [lineage, setLineage] = useState<Lineage | null>(null);
  const [error, setError] = useState("");
  const columns = useMemo(() => entity?.children.filter((c) => c.type === "column") ?? [], [entity]);

  useEffect(() => {
    setEntity(null);
    setLineage(null);
    setError("");
    const id = encodeURIComponent(guid);
    getJson<Entity>(`/v1/entities/${id}`)
      .then((e) => {
        setEntity(e);
        document.title = `${e.name} · Lakegate`;
      })
      .catch((exc) => setError(exc instanceof ApiError && exc.status === 404 ? "Not found." : String(exc.message)));
    getJson<Lineage>(`/v1/lineage/${id}?direction=BOTH&depth=3&columns=true`)
      .then(setLineage)
      .catch(() => setLineage(null));
  }, [guid]);

  if (error)
    return (
      <main>
        <h1>Not found</h1>
        <p role="alert">{error}</p>
      </main>
    );
  if (!entity)
    return (
      <main>
        <p class="muted">Loading…</p>
      </main>
    );
  const tabular = TABULAR.has(entity.type);
  return (
    <main class="entity-page">
      <p class="qname">
        {entity.parent_guid ? <Link href={entityHref(entity.parent_guid)}>{entity.qualified_name}</Link> : entity.qualified_name}
      </p>
      <h1>
        {entity.name} <span class="badge">{entity.type}</span>
        {entity.deprecated && <span class="badge warn">deprecated</span>}
      </h1>
      <p class="description">{entity.description ?? <span class="muted">No description.</span>}</p>
      <dl class="facts">
        <dt>Owners</dt>
        <dd>{entity.owners.length ? entity.owners.join(", ") : "—"}</dd>
        <dt>Classifications</dt>
        <dd>
          {entity.classifications.length
            ? entity.classifications.map((c) => (
                <span class="tag" key={c.name}>
                  {c.name}
                </span>
              ))
            : "—"}
        </dd>
        <dt>Glossary terms</dt>
        <dd>{entity.terms.length ? entity.terms.map((t) => t.name).join(", ") : "—"}</dd>
        <dt>Popularity</dt>
        <dd>{entity.popularity} queries in 30 days</dd>
        {entity.data_type && (
          <>
            <dt>Type</dt>
            <dd>{entity.data_type}</dd>
          </>
        )}
        {entity.row_count !== null && (
          <>
            <dt>Rows</dt>
            <dd>{entity.row_count.toLocaleString("en")}</dd>
          </>
        )}
      </dl>
      {entity.editable && <Curation entity={entity} onChanged={setEntity} key={entity.guid} />}
      {tabular && (
        <p>
          <Link href={`/ui/sql?sql=${encodeURIComponent(selectSql(entity, 100))}`} class="button" id="query-this">
            Query this table
          </Link>
        </p>
      )}
      {columns.length > 0 && (
        <section aria-labelledby="columns-h">
          <h2 id="columns-h">Columns</h2>
          <div class="table-scroll">
            <table class="columns">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Description</th>
                  <th scope="col">Classifications</th>
                </tr>
              </thead>
              <tbody>
                {columns.map((c) => (
                  <tr key={c.guid}>
                    <td>
                      <Link href={entityHref(c.guid)}>{c.name}</Link>
                    </td>
                    <td>
                      <code>{c.data_type}</code>
                    </td>
                    <td>{c.description}</td>
                    <td>
                      {c.classifications.map((n) => (
                        <span class="tag" key={n}>
                          {n}
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {entity.type !== "column" && entity.children.some((c) => c.type !== "column") && (
        <section aria-labelledby="children-h">
          <h2 id="children-h">Contents</h2>
          <ul>
            {entity.children.map((c) => (
              <li key={c.guid}>
                <Link href={entityHref(c.guid)}>{c.name}</Link> <span class="badge">{c.type}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="lineage-h">
        <h2 id="lineage-h">Lineage</h2>
        {lineage && lineage.baseEntityGuid === entity.guid ? (
          <LineagePicture lineage={lineage} columns={columns} />
        ) : (
          <p class="muted">No lineage recorded.</p>
        )}
      </section>
      {tabular && (
        <section aria-labelledby="sample-h">
          <h2 id="sample-h">Sample rows</h2>
          <Sample entity={entity} />
        </section>
      )}
    </main>
  );
}
