// A virtualised grid over Arrow record batches: only the rows in view (plus a margin) are in the
// DOM, so a million rows scroll like ten. Rows are found by binary search over batch offsets.
import type { RecordBatch } from "apache-arrow";
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Formatter } from "./format";

const ROW_HEIGHT = 28;
const VIEW_ROWS = 20;
const MARGIN = 10;

export class Rows {
  readonly batches: RecordBatch[] = [];
  readonly starts: number[] = [];
  count = 0;

  push(batch: RecordBatch): void {
    this.batches.push(batch);
    this.starts.push(this.count);
    this.count += batch.numRows;
  }

  cell(row: number, column: number): unknown {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    const batch = this.batches[lo];
    return batch.getChildAt(column)?.get(row - this.starts[lo]);
  }
}

export function Grid({
  columns,
  formats,
  rows,
  version,
}: {
  columns: string[];
  formats: Formatter[];
  rows: Rows;
  version: number;
}): JSX.Element {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - MARGIN);
  const last = Math.min(rows.count, first + VIEW_ROWS + 2 * MARGIN);
  const body: JSX.Element[] = [];
  for (let r = first; r < last; r++) {
    body.push(
      <div class="grid-row" role="row" aria-rowindex={r + 2} key={r} style={{ top: `${r * ROW_HEIGHT}px` }}>
        <span class="grid-cell rownum" role="rowheader">
          {r + 1}
        </span>
        {columns.map((_c, j) => {
          const v = rows.cell(r, j);
          return (
            <span class={v === null || v === undefined ? "grid-cell null" : "grid-cell"} role="gridcell" key={j}>
              {formats[j](v)}
            </span>
          );
        })}
      </div>,
    );
  }
  return (
    <div
      class="grid"
      role="grid"
      aria-label="Results"
      aria-rowcount={rows.count + 1}
      aria-colcount={columns.length + 1}
      data-version={version}
      tabIndex={0}
      style={{ height: `${(VIEW_ROWS + 1) * ROW_HEIGHT}px` }}
      onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}
    >
      <div class="grid-row grid-head" role="row" aria-rowindex={1}>
        <span class="grid-cell rownum" role="columnheader">
          #
        </span>
        {columns.map((c) => (
          <span class="grid-cell" role="columnheader" key={c}>
            {c}
          </span>
        ))}
      </div>
      <div class="grid-body" style={{ height: `${rows.count * ROW_HEIGHT}px` }}>
        {body}
      </div>
    </div>
  );
}
