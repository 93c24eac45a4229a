/**
 * A streaming RFC-4180 CSV reader over decoded text: fields separated by ',', records by LF or
 * CRLF, quoted fields may hold commas, newlines and doubled quotes. State carries across chunks,
 * so a quote or a record split between chunks is read whole; only the current record is held.
 *
 * Lenient where real dumps are sloppy: a quote inside an unquoted field is kept as text, and text
 * after a closing quote is appended to the field. Blank lines are skipped. It does not check
 * column counts (the importer knows its header) and never throws on data.
 */

export type CsvEvent =
  /**
   * `record` is the 1-based ordinal of the record in the file (the header is record 1).
   * `unterminated`: the last record of an input that does not end with a newline (it may be cut).
   */
  | { kind: 'row'; record: number; fields: string[]; unterminated?: boolean }
  /** The input ended inside a quoted field. */
  | { kind: 'truncated'; record: number; fields: string[] };

const QUOTE = 34;
const COMMA = 44;
const LF = 10;

function stripCr(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

export async function* csvRows(text: AsyncIterable<string>): AsyncGenerator<CsvEvent> {
  let record = 0;
  let row: string[] = [];
  let field = '';
  let atFieldStart = true;
  let inQuoted = false;
  /** A '"' inside a quoted field was the last character of the previous chunk. */
  let quotePending = false;

  for await (const s of text) {
    const out: CsvEvent[] = [];
    const n = s.length;
    let i = 0;
    while (i < n) {
      if (quotePending) {
        quotePending = false;
        if (s.charCodeAt(i) === QUOTE) {
          field += '"';
          i++;
          continue;
        }
        inQuoted = false;
      }
      if (inQuoted) {
        const j = s.indexOf('"', i);
        if (j < 0) {
          field += s.slice(i);
          i = n;
          break;
        }
        field += s.slice(i, j);
        if (j + 1 === n) {
          quotePending = true;
          i = n;
          break;
        }
        if (s.charCodeAt(j + 1) === QUOTE) {
          field += '"';
          i = j + 2;
        } else {
          inQuoted = false;
          i = j + 1;
        }
        continue;
      }
      if (atFieldStart && s.charCodeAt(i) === QUOTE) {
        inQuoted = true;
        atFieldStart = false;
        i++;
        continue;
      }
      let j = i;
      let c = 0;
      for (; j < n; j++) {
        c = s.charCodeAt(j);
        if (c === COMMA || c === LF) break;
      }
      if (j > i) {
        field += s.slice(i, j);
        atFieldStart = false;
      }
      if (j === n) {
        i = n;
        break;
      }
      if (c === COMMA) {
        row.push(field);
      } else {
        row.push(stripCr(field));
        record++;
        if (!(row.length === 1 && row[0] === '')) out.push({ kind: 'row', record, fields: row });
        row = [];
      }
      field = '';
      atFieldStart = true;
      i = j + 1;
    }
    yield* out;
  }

  if (quotePending) inQuoted = false; // the file's last character closed the quoted field
  if (inQuoted) {
    row.push(field);
    yield { kind: 'truncated', record: record + 1, fields: row };
  } else if (row.length > 0 || !atFieldStart) {
    row.push(stripCr(field));
    yield { kind: 'row', record: record + 1, fields: row, unterminated: true };
  }
}
