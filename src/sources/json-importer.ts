/**
 * The shared loop of the JSON-array importers: decode, scan elements, hand each parsed element
 * to the format's `toItems`, and turn scanner problems into rejects (`import.parse_error` for a
 * broken element, `import.truncated` for an input that stops mid-element, `import.schema` for an
 * element nested deeper than MAX_JSON_DEPTH, kept as its clipped raw text, never as the parsed
 * value). Formats differ only in how one element becomes dialogues.
 * With ScanOptions.wrappers (CMtMedQA, Huatuo, MIE), records inside a wrapper object are read too
 * (json-wrapper.ts), and a Hugging Face datasets-server row {row_idx, row: {...}, truncated_cells}
 * is read as its `row`; so are the table layouts of pandas' to_json (orient 'split', 'columns',
 * 'index': pandas-json.ts), one element per row, numbered on.
 */
import type { Origin, SourceFormat } from '../../schemas/dialogue.js';
import { decodeText } from './encoding.js';
import { rejectItem } from './item.js';
import { jsonArrayBatches, type ScanOptions } from './json-array.js';
import { RECORD_KEYS } from './json-wrapper.js';
import { pandasRows, splitRow } from './pandas-json.js';
import type { ImportInput, ImportItem } from './types.js';

export interface ElementContext {
  format: SourceFormat;
  file: string;
  /** 0-based index of the element in the array. */
  index: number;
}

/** A record's own id as text: '' when absent or null (then the origin falls back to `idx-<index>`). */
export function idText(id: string | number | null | undefined): string {
  return id === undefined || id === null ? '' : String(id).trim();
}

/** The origin of an element known only by its index (sourceId `idx-<index>`). */
export function indexOrigin(ctx: ElementContext, sourceId = `idx-${ctx.index}`): Origin {
  return { format: ctx.format, file: ctx.file, sourceId, position: ctx.index + 1 };
}

const ROW_ENVELOPE = new Set(['row_idx', 'row', 'truncated_cells']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The record a datasets-server row envelope {row_idx, row, truncated_cells} holds, else the value itself. */
export function unwrapRow(value: unknown): unknown {
  if (!isObject(value) || !isObject(value.row)) return value;
  for (const k in value) if (!ROW_ENVELOPE.has(k)) return value;
  return value.row;
}

/**
 * For a reject's detail: when the element is an object with none of the format's record
 * `fields` and some of whose members hold arrays of objects (a wrapper whose records sit under a
 * name not in RECORD_KEYS), says so; else ''.
 */
export function wrapperHint(value: unknown, fields: readonly string[]): string {
  if (!isObject(value) || fields.some((f) => f in value)) return '';
  const arrays = Object.keys(value).filter((k) => Array.isArray(value[k]) && (value[k] as unknown[]).some(isObject));
  if (arrays.length === 0) return '';
  return ` (an object whose member(s) ${arrays.map((k) => JSON.stringify(k)).join(', ')} hold arrays of objects: records inside an object are read only from a top-level member named ${[...RECORD_KEYS].join(', ')})`;
}

export async function* importJsonArray(
  format: SourceFormat,
  input: ImportInput,
  toItems: (value: unknown, ctx: ElementContext) => ImportItem | ImportItem[],
  scan: ScanOptions = {},
): AsyncGenerator<ImportItem> {
  /** Rows a pandas table element expanded into, beyond the one index it had: later elements are numbered on after them. */
  let shift = 0;
  for await (const batch of jsonArrayBatches(decodeText(input.bytes, input.encoding), scan)) {
    for (const ev of batch) {
      const ctx: ElementContext = { format, file: input.file, index: ev.index + shift };
      if (ev.kind === 'element') {
        if (ev.columns) {
          // A row of a pandas orient='split' table read as it streams (json-wrapper.ts).
          const row = splitRow(ev.value, ev.columns, ev.index);
          if ('problem' in row) yield rejectItem('import.schema', row.problem, indexOrigin(ctx), row.raw);
          else {
            const items = toItems(row.row, ctx);
            if (Array.isArray(items)) yield* items;
            else yield items;
          }
          continue;
        }
        const table = scan.wrappers && !scan.elementsAreArrays ? pandasRows(ev.value, scan.wrappers.recordFields) : undefined;
        if (table) {
          // A pandas table layout (pandas-json.ts): its rows are the elements.
          for (let k = 0; k < table.rows.length; k++) {
            const row = table.rows[k];
            const rowCtx: ElementContext = { ...ctx, index: ctx.index + k };
            if ('problem' in row) yield rejectItem('import.schema', row.problem, indexOrigin(rowCtx), row.raw);
            else {
              const items = toItems(row.row, rowCtx);
              if (Array.isArray(items)) yield* items;
              else yield items;
            }
          }
          shift += table.rows.length - 1;
          continue;
        }
        const items = toItems(scan.wrappers ? unwrapRow(ev.value) : ev.value, ctx);
        if (Array.isArray(items)) yield* items;
        else yield items;
      } else if (ev.kind === 'too_deep') {
        yield rejectItem('import.schema', ev.detail, indexOrigin(ctx), ev.raw);
      } else {
        const reason = ev.kind === 'truncated' ? 'import.truncated' : 'import.parse_error';
        yield rejectItem(reason, ev.detail, indexOrigin(ctx), ev.raw);
      }
    }
  }
}
