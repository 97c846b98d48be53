// The lineage picture on an entity page: upstream tables → this table → downstream tables as
// boxes in columns (one per step), each box listing its columns, and lines from every column to
// the columns it derives from or feeds (GET /v1/lineage/{guid}?columns=true: `columnLineage`).
// Steps without column detail are drawn box to box, dashed (on a column's page, the boxes are
// columns and the lines between them solid). Hovering or focusing a column
// highlights its whole path. The lines are decoration (aria-hidden): every column row also says
// in words where it comes from and where it goes, which is what narrow screens show instead.
// Everything here comes from the API as the caller may see it; nothing is filtered a second time.
import type { JSX } from "preact";
import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { EntityHeader, Lineage, LineageEntity } from "./api";
import { entityHref } from "./link";
import { onLinkClick } from "./router";

interface ColumnNode {
  guid: string;
  name: string;
  dataType: string | null;
  table: string;
}

interface TableNode {
  guid: string;
  name: string;
  qualifiedName: string;
  typeName: string;
  level: number;
  columns: ColumnNode[];
}

interface Edge {
  from: string;
  to: string;
  kind: "column" | "node";
}

export interface Picture {
  base: string;
  tables: Map<string, TableNode>;
  levels: number[];
  columnEdges: Edge[];
  tableEdges: Edge[];
  sources: Map<string, string[]>;
  targets: Map<string, string[]>;
  columns: Map<string, ColumnNode>;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(key, [value]);
}

function attr(e: LineageEntity | undefined, name: string): unknown {
  return e?.attributes?.[name];
}

/** The answer of the lineage API as tables in steps (levels) with their linked columns. */
export function buildPicture(lineage: Lineage, baseColumns: EntityHeader[]): Picture {
  const map = lineage.guidEntityMap;
  const base = lineage.baseEntityGuid;
  const isNode = (guid: string) => map[guid] !== undefined && map[guid].typeName !== "process";
  // datasets feeding datasets, the processes between them collapsed
  const inputs = new Map<string, string[]>();
  const outputs = new Map<string, string[]>();
  for (const r of lineage.relations) {
    if (map[r.toEntityId]?.typeName === "process") push(inputs, r.toEntityId, r.fromEntityId);
    if (map[r.fromEntityId]?.typeName === "process") push(outputs, r.fromEntityId, r.toEntityId);
  }
  const feeds = new Map<string, string[]>();
  const fedBy = new Map<string, string[]>();
  const tableEdges: Edge[] = [];
  if (map[base]?.typeName === "process") {
    // a process's page: its inputs before it, its outputs after it
    for (const a of inputs.get(base) ?? []) if (isNode(a)) (push(feeds, a, base), push(fedBy, base, a));
    for (const b of outputs.get(base) ?? []) if (isNode(b)) (push(feeds, base, b), push(fedBy, b, base));
  }
  for (const [process, ins] of inputs) {
    for (const a of ins) {
      for (const b of outputs.get(process) ?? []) {
        if (!isNode(a) || !isNode(b) || a === b) continue;
        push(feeds, a, b);
        push(fedBy, b, a);
      }
    }
  }
  // steps away from the base: upstream negative, downstream positive (the first walk wins)
  const level = new Map<string, number>([[base, 0]]);
  for (const [graph, sign] of [
    [fedBy, -1],
    [feeds, 1],
  ] as const) {
    let frontier = [base];
    for (let step = 1; frontier.length; step++) {
      const next: string[] = [];
      for (const guid of frontier)
        for (const other of graph.get(guid) ?? [])
          if (!level.has(other)) {
            level.set(other, sign * step);
            next.push(other);
          }
      frontier = next;
    }
  }
  const tables = new Map<string, TableNode>();
  for (const [guid, l] of level) {
    const e = map[guid];
    const qualifiedName = String(attr(e, "qualifiedName") ?? "").replace(/@[^@]*$/, "");
    tables.set(guid, {
      guid,
      // a column's lineage (a column's page): name each by its table too
      name: e?.typeName === "column" ? qualifiedName.split(".").slice(-2).join(".") : (e?.displayText ?? guid),
      qualifiedName,
      typeName: e?.typeName ?? "",
      level: l,
      columns: [],
    });
  }
  // columns: all of the base's the caller sees, and the others' that take part in an edge
  const columns = new Map<string, ColumnNode>();
  const baseTable = tables.get(base);
  for (const c of baseColumns) {
    const node = { guid: c.guid, name: c.name, dataType: c.data_type, table: base };
    columns.set(c.guid, node);
    baseTable?.columns.push(node);
  }
  const detail = lineage.columnLineage;
  const columnEdges: Edge[] = [];
  const sources = new Map<string, string[]>();
  const targets = new Map<string, string[]>();
  const linkedTables = new Set<string>();
  if (detail) {
    const ordered = Object.values(detail.guidEntityMap).sort(
      (a, b) => Number(attr(a, "position") ?? 0) - Number(attr(b, "position") ?? 0),
    );
    for (const c of ordered) {
      const table = tables.get(c.tableGuid);
      if (!table || columns.has(c.guid)) continue;
      const dataType = attr(c, "dataType");
      const node = { guid: c.guid, name: c.displayText ?? c.guid, dataType: typeof dataType === "string" ? dataType : null, table: c.tableGuid };
      columns.set(c.guid, node);
      table.columns.push(node);
    }
    for (const r of detail.relations) {
      const a = columns.get(r.fromEntityId);
      const b = columns.get(r.toEntityId);
      if (!a || !b) continue;
      if (!columnEdges.some((e) => e.from === a.guid && e.to === b.guid))
        columnEdges.push({ from: a.guid, to: b.guid, kind: "column" });
      push(sources, b.guid, a.guid);
      push(targets, a.guid, b.guid);
      linkedTables.add(`${a.table}>${b.table}`);
    }
  }
  for (const [a, bs] of feeds)
    for (const b of bs)
      if (tables.has(a) && tables.has(b) && !linkedTables.has(`${a}>${b}`)) tableEdges.push({ from: a, to: b, kind: "node" });
  const levels = [...new Set([...tables.values()].map((t) => t.level))].sort((x, y) => x - y);
  return { base, tables, levels, columnEdges, tableEdges, sources, targets, columns };
}

/** A column's whole path: everything it derives from and everything derived from it. */
export function pathOf(picture: Picture, guid: string): { up: Set<string>; down: Set<string> } {
  const closure = (next: Map<string, string[]>): Set<string> => {
    const seen = new Set<string>();
    let frontier = [guid];
    while (frontier.length) {
      const following: string[] = [];
      for (const g of frontier)
        for (const o of next.get(g) ?? [])
          if (!seen.has(o) && o !== guid) {
            seen.add(o);
            following.push(o);
          }
      frontier = following;
    }
    return seen;
  };
  return { up: closure(picture.sources), down: closure(picture.targets) };
}

function levelTitle(level: number, typeName: string): string {
  if (level === 0) return `This ${typeName || "entity"}`;
  const side = level < 0 ? "Upstream" : "Downstream";
  return Math.abs(level) === 1 ? side : `${side}, ${Math.abs(level)} steps`;
}

interface Line {
  key: string;
  d: string;
  from: string;
  to: string;
  kind: "column" | "node";
  /** a step between tables drawn without column detail */
  coarse: boolean;
}

function curve(x1: number, y1: number, x2: number, y2: number): string {
  const bend = Math.max(24, Math.abs(x2 - x1) / 2);
  return `M${x1.toFixed(1)},${y1.toFixed(1)} C${(x1 + bend).toFixed(1)},${y1.toFixed(1)} ${(x2 - bend).toFixed(1)},${y2.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}`;
}

export function LineagePicture({ lineage, columns }: { lineage: Lineage; columns: EntityHeader[] }): JSX.Element {
  const picture = useMemo(() => buildPicture(lineage, columns), [lineage, columns]);
  const [focus, setFocus] = useState<string | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const graph = useRef<HTMLDivElement>(null);

  useLayoutEffect(() => {
    const container = graph.current;
    if (!container) return;
    const measure = () => {
      const box = container.getBoundingClientRect();
      const anchor = (guid: string) => container.querySelector<HTMLElement>(`[data-anchor="${guid}"]`);
      const drawn: Line[] = [];
      for (const edge of [...picture.tableEdges, ...picture.columnEdges]) {
        const a = anchor(edge.from)?.getBoundingClientRect();
        const b = anchor(edge.to)?.getBoundingClientRect();
        if (!a || !b || !a.width || !b.width) continue; // hidden (narrow screens show words)
        drawn.push({
          key: `${edge.kind}:${edge.from}>${edge.to}`,
          d: curve(a.right - box.left, a.top + a.height / 2 - box.top, b.left - box.left, b.top + b.height / 2 - box.top),
          from: edge.from,
          to: edge.to,
          kind: edge.kind,
          coarse: edge.kind === "node" && picture.tables.get(edge.from)?.typeName !== "column",
        });
      }
      setLines(drawn);
      setSize({ width: container.scrollWidth, height: container.scrollHeight });
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(container);
    return () => observer.disconnect();
  }, [picture]);

  if (picture.tables.size <= 1) return <p class="muted">No lineage recorded.</p>;

  const path = focus ? pathOf(picture, focus) : null;
  const onPath = (guid: string) => guid === focus || !!path?.up.has(guid) || !!path?.down.has(guid);
  const lineOnPath = (line: Line) =>
    !!path &&
    line.kind === "column" &&
    (((line.to === focus || path.up.has(line.to)) && path.up.has(line.from)) ||
      ((line.from === focus || path.down.has(line.from)) && path.down.has(line.to)));
  const label = (guid: string) => {
    const c = picture.columns.get(guid);
    const t = c ? picture.tables.get(c.table) : undefined;
    return c && t ? `${t.name}.${c.name}` : guid;
  };

  return (
    <div class="table-scroll lineage-scroll" tabIndex={0} role="region" aria-label="Lineage picture">
      <div class={`lineage-graph${focus ? " has-focus" : ""}`} ref={graph} data-focus={focus ?? undefined}>
        <svg class="lineage-edges" aria-hidden="true" width={size.width} height={size.height} focusable="false">
          <defs>
            <marker
              id="lineage-arrow"
              viewBox="0 0 8 8"
              refX="7"
              refY="4"
              markerUnits="userSpaceOnUse"
              markerWidth="9"
              markerHeight="9"
              orient="auto"
            >
              <path d="M0,0 L8,4 L0,8 z" class="lineage-arrowhead" />
            </marker>
          </defs>
          {lines.map((line) => (
            <path
              key={line.key}
              d={line.d}
              class={`edge ${line.kind}-edge${line.coarse ? " coarse" : ""}${lineOnPath(line) ? " on-path" : ""}`}
              data-from={line.from}
              data-to={line.to}
              marker-end="url(#lineage-arrow)"
            />
          ))}
        </svg>
        {picture.levels.map((level) => {
          const tables = [...picture.tables.values()].filter((t) => t.level === level);
          return (
            <div class={`lineage-level${level === 0 ? " base" : ""}`} key={level} data-level={level}>
              <h3>{levelTitle(level, picture.tables.get(picture.base)?.typeName ?? "")}</h3>
              {tables.map((table) => (
                <div
                  class={`lineage-node${table.guid === picture.base ? " base" : ""}`}
                  key={table.guid}
                  role="group"
                  aria-labelledby={`lineage-node-${table.guid}`}
                  data-guid={table.guid}
                >
                  <div class="lineage-node-head" data-anchor={table.guid}>
                    <a id={`lineage-node-${table.guid}`} href={entityHref(table.guid)} onClick={onLinkClick} title={table.qualifiedName}>
                      {table.name}
                    </a>{" "}
                    <span class="badge">{table.typeName}</span>
                  </div>
                  {table.columns.length > 0 && (
                    <ul class="lineage-columns">
                      {table.columns.map((c) => {
                        const from = picture.sources.get(c.guid) ?? [];
                        const to = picture.targets.get(c.guid) ?? [];
                        return (
                          <li
                            key={c.guid}
                            class={`lineage-col${onPath(c.guid) ? " on-path" : ""}${c.guid === focus ? " focused" : ""}`}
                            data-anchor={c.guid}
                            data-column={c.name}
                            onMouseEnter={() => setFocus(c.guid)}
                            onMouseLeave={() => setFocus(null)}
                          >
                            <a
                              href={entityHref(c.guid)}
                              onClick={onLinkClick}
                              onFocus={() => setFocus(c.guid)}
                              onBlur={() => setFocus(null)}
                            >
                              {c.name}
                            </a>
                            {c.dataType && <code class="lineage-type">{c.dataType}</code>}
                            {(from.length > 0 || to.length > 0) && (
                              <span class="lineage-col-links">
                                {from.length > 0 && <span class="from">from {from.map(label).join(", ")}</span>}
                                {to.length > 0 && <span class="to">to {to.map(label).join(", ")}</span>}
                              </span>
                            )}
                          </li>
                        );
                      })}
                    </ul>
                  )}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
