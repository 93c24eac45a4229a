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

function countOf(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * Why an element the scanner could not read is an encoding problem and not a broken or cut
 * element, else '': its text holds U+FFFD (bytes not in the file's encoding) or NUL characters as
 * densely as UTF-16 read as UTF-8 does (one in eight characters at least: one beside each ASCII
 * character; a stray NUL is left to the scanner's own reason) — a part in another encoding, such as a UTF-16 export appended to a
 * UTF-8 file (`cat a.json b.json`).
 */
function undecodable(raw: string): string {
  if (raw.indexOf('\ufffd') < 0 && !(raw.indexOf('\0') >= 0 && countOf(raw, '\0') * 8 >= Math.max(raw.length, 8))) return '';
  return 'its text holds undecodable bytes (U+FFFD) or NUL characters: this part of the file is in another encoding than the rest (a UTF-16 file appended to a UTF-8 one?); convert each part to UTF-8 (iconv -f UTF-16 -t UTF-8) before joining them';
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
        if (Array.isArray(ev.value) && !scan.elementsAreArrays && ev.value.length > 0 && ev.value.every(isObject)) {
          // An array of records where one record was due: a (pretty-printed) array export
          // appended to a JSON Lines file (`cat a.jsonl b.json`), or records batched in nested
          // arrays. Its records are the elements, numbered on (as a pandas table's rows are).
          for (let k = 0; k < ev.value.length; k++) {
            const items = toItems(scan.wrappers ? unwrapRow(ev.value[k]) : ev.value[k], { ...ctx, index: ctx.index + k });
            if (Array.isArray(items)) yield* items;
            else yield items;
          }
          shift += ev.value.length - 1;
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
        const garbled = undecodable(ev.raw);
        if (garbled) yield rejectItem('import.encoding', `${ev.detail}; ${garbled}`, indexOrigin(ctx), ev.raw, { evidence: { replacementChars: countOf(ev.raw, '\ufffd'), nulChars: countOf(ev.raw, '\0') } });
        else yield rejectItem(ev.kind === 'truncated' ? 'import.truncated' : 'import.parse_error', ev.detail, indexOrigin(ctx), ev.raw);
      }
    }
  }
}
