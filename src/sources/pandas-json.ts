/**
 * The table layouts pandas' DataFrame.to_json writes besides a records array (which the scanner
 * reads as it is, and orient='table' is {schema, data: [records]}, a wrapper json-wrapper.ts reads):
 * - orient='split': {"columns": [names], "index": [labels]?, "data": [[values], ...]};
 * - orient='columns' (to_json's default): {"<column>": {"<row label>": value, ...}, ...};
 * - orient='index': {"<row label>": {"<column>": value, ...}, ...}.
 * A split table whose "columns" come before its "data" (as pandas writes it) streams: the scanner
 * reads its rows one at a time as a wrapper's records (json-wrapper.ts) and splitRow names their
 * values. Otherwise each layout is one JSON value (the scanner hands it over parsed, as any
 * element: it is held whole, so memory grows with such a file — 'columns' cannot be read before
 * its last column; orient='records' with lines=True streams). Recognised only where
 * nothing else could be meant: 'columns' when every member is an object and some member is named
 * as a field of the format's records, 'index' when no member is so named but every member is an
 * object that has such a field, 'split' by its exact members. The rows come out as the records
 * objects the format reads (a cell pandas wrote as null is an absent field there), in the table's
 * row order (JSON objects' integer-like labels in ascending order, as the default RangeIndex
 * writes them). It never throws and does not interpret cells.
 */

export type PandasLayout = 'split' | 'columns' | 'index';

/** A row, or why a 'split' row could not be one (its value count differs from the columns'). */
export type PandasRow = { row: Record<string, unknown> } | { problem: string; raw: unknown };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SPLIT_KEYS = new Set(['columns', 'index', 'data']);

function splitRows(v: Record<string, unknown>): PandasRow[] | undefined {
  for (const k in v) if (!SPLIT_KEYS.has(k)) return undefined;
  const { columns, data } = v;
  if (!Array.isArray(columns) || !Array.isArray(data) || columns.length === 0) return undefined;
  if (!columns.every((c) => typeof c === 'string') || new Set(columns).size !== columns.length) return undefined;
  if (!data.every(Array.isArray)) return undefined;
  return (data as unknown[][]).map((values, k) => splitRow(values, columns as string[], k));
}

/** Row `k` of an orient='split' table as a record object, or why it is none (not an array of one value per column). */
export function splitRow(values: unknown, names: readonly string[], k: number): PandasRow {
  if (!Array.isArray(values) || values.length !== names.length) {
    const what = Array.isArray(values) ? `${values.length} values` : `a ${values === null ? 'null' : typeof values} instead of an array of values`;
    return { problem: `row ${k} of the orient='split' table has ${what} for its ${names.length} columns (${names.join(', ')})`, raw: values };
  }
  const row: Record<string, unknown> = {};
  names.forEach((name, c) => {
    row[name] = values[c];
  });
  return { row };
}

/**
 * The rows of a pandas table layout, and which layout it is; undefined when `value` is none of
 * them. `fields`: the member names of the format's records.
 */
export function pandasRows(value: unknown, fields: ReadonlySet<string>): { layout: PandasLayout; rows: PandasRow[] } | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0) return undefined;
  if ('columns' in value && 'data' in value) {
    const rows = splitRows(value);
    return rows ? { layout: 'split', rows } : undefined;
  }
  const inner = keys.map((k) => value[k]);
  if (!inner.every(isObject)) return undefined;
  const objects = inner as Array<Record<string, unknown>>;
  if (keys.some((k) => fields.has(k))) {
    // orient='columns': one object per column, keyed by row label.
    const labels: string[] = [];
    const seen = new Set<string>();
    for (const column of objects) {
      for (const label of Object.keys(column)) {
        if (!seen.has(label)) {
          seen.add(label);
          labels.push(label);
        }
      }
    }
    const rows = labels.map((label) => {
      const row: Record<string, unknown> = {};
      keys.forEach((name, c) => {
        if (label in objects[c]) row[name] = objects[c][label];
      });
      return { row };
    });
    return { layout: 'columns', rows };
  }
  // orient='index': one object per row, keyed by row label.
  if (!objects.every((o) => Object.keys(o).some((k) => fields.has(k)))) return undefined;
  return { layout: 'index', rows: objects.map((row) => ({ row })) };
}
