/**
 * A streaming RFC-4180 CSV reader over decoded text: fields separated by ',', records by LF or
 * CRLF, quoted fields may hold commas, newlines and doubled quotes. State carries across chunks,
 * so a quote or a record split between chunks is read whole; only the current record is held.
 *
 * A file whose first 64 K characters hold CRs and no LF outside quoted fields (classic Mac, old
 * Excel for Mac, which writes a line break inside a cell as LF) ends its records with CR
 * (CsvLineEnd); otherwise a CR is text except before an LF.
 * `separators` (default [',']) lists the field separators the file may use: the first that its
 * first line holds outside quotes is taken, ',' when it holds none (Excel writes ';' in locales
 * with a decimal comma, and exports name a TSV .csv).
 *
 * Lenient where real dumps are sloppy: a quote inside an unquoted field is kept as text, and text
 * after a closing quote is appended to the field. Blank lines are skipped. A record over
 * MAX_UNIT_CHARS keeps only its text up to there and comes out `tooLong` (the importer rejects it). It does not check
 * column counts (the importer knows its header) and never throws on data.
 */
import { LINE_END_SNIFF_CHARS, MAX_UNIT_CHARS } from './lines.js';

export type CsvEvent =
  /**
   * `record` is the 1-based ordinal of the record in the file (the header is record 1).
   * `unterminated`: the last record of an input that does not end with a newline (it may be cut).
   */
  | { kind: 'row'; record: number; fields: string[]; unterminated?: boolean; tooLong?: boolean }
  /** The input ended inside a quoted field. */
  | { kind: 'truncated'; record: number; fields: string[]; tooLong?: boolean };

const QUOTE = 34;
const LF = 10;
const CR = 13;


/**
 * Stray quotes. A '"' that opens a quoted field and never closes it (a typo, a cell cut short)
 * would swallow every record after it: the rest of the file as one truncated record. A quoted
 * field is taken for a stray quote, and read again as text from that quote on (unquote in
 * csvRows), when it spans more than STRAY_QUOTED_LINES line breaks and then ends the input, or
 * closes with a quote that no separator or line end follows (the next field's opening quote, seen
 * from inside the stray one), or when it outgrows STRAY_QUOTED_CHARS over a line break (no record
 * is so long: normalise reads at most 8 × split.maxChars). A real multi-line cell closes properly
 * and is never so read; one cut by the end of the input within STRAY_QUOTED_LINES lines stays one
 * truncated record.
 */
export const STRAY_QUOTED_LINES = 64;
export const STRAY_QUOTED_CHARS = 1 << 22;

/** Line breaks (LF, or CR not before LF) in s, counted up to `max`. */
function lineBreaks(s: string, max: number): number {
  let n = 0;
  for (let i = 0; i < s.length && n < max; i++) {
    const c = s.charCodeAt(i);
    if (c === LF || (c === CR && s.charCodeAt(i + 1) !== LF)) n++;
  }
  return n;
}

function stripCr(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

/**
 * The record end of a CSV file, as LineEndSniffer (lines.ts) decides a line file's, but looking
 * only outside quoted fields: an LF inside a quoted cell of a CR file, or a CR inside one of an
 * LF file, does not decide. Each chunk is scanned once.
 */
class CsvLineEnd {
  private seen = 0;
  private sawCr = false;
  private inQuote = false;

  feed(chunk: string): '\n' | '\r' | undefined {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === QUOTE) this.inQuote = !this.inQuote;
      else if (this.inQuote) continue;
      else if (c === LF) return '\n';
      else if (c === CR) this.sawCr = true;
    }
    this.seen += chunk.length;
    if (this.seen < LINE_END_SNIFF_CHARS) return undefined;
    return this.sawCr ? '\r' : '\n';
  }

  end(): '\n' | '\r' {
    return this.sawCr ? '\r' : '\n';
  }
}

export interface CsvOptions {
  /** The field separators the file may use, in order of preference (default [',']). */
  separators?: string[];
}

/** The first of `separators` that `line` holds outside double quotes, else the first of them. */
function separatorOf(line: string, separators: string[]): number {
  const outside = line.replace(/"[^"]*"?/g, '');
  return (separators.find((c) => outside.includes(c)) ?? separators[0]).charCodeAt(0);
}

export async function* csvRows(text: AsyncIterable<string>, opts: CsvOptions = {}): AsyncGenerator<CsvEvent> {
  // Read up to the first line end to learn the file's line end and separator.
  const it = text[Symbol.asyncIterator]();
  let head = '';
  let eolChar: string | undefined;
  const sniffer = new CsvLineEnd();
  while (eolChar === undefined) {
    const r = await it.next();
    if (r.done) {
      eolChar = sniffer.end();
      break;
    }
    head += r.value;
    eolChar = sniffer.feed(r.value);
  }
  const firstLine = head.slice(0, head.search(/[\r\n]|$/));
  const SEP = separatorOf(firstLine, opts.separators ?? [',']);
  const EOL = eolChar === '\r' ? CR : LF;
  async function* chunks(): AsyncGenerator<string> {
    if (head) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }

  let record = 0;
  let row: string[] = [];
  let field = '';
  let atFieldStart = true;
  let inQuoted = false;
  /** A '"' inside a quoted field was the last character of the previous chunk. */
  let quotePending = false;
  /** Characters of the record so far; past MAX_UNIT_CHARS (`tooLong`) no more are kept (lines.ts). */
  let recordChars = 0;
  let tooLong = false;
  const add = (text: string) => {
    if (tooLong) return;
    recordChars += text.length;
    if (recordChars > MAX_UNIT_CHARS) tooLong = true;
    else field += text;
  };

  /** The start of the open quoted field in the record's characters (recordChars before its text). */
  let quotedFrom = 0;
  /**
   * The open quoted field was a stray quote, read again as unquoted text from that quote on (the
   * quote kept as a character of its field), followed by `then`, so the records it swallowed come
   * back. Its text holds every '"' of the input doubled (a quoted field keeps "" as "), so it is
   * the input as it was; read unquoted, it opens no quoted field that does not close at once.
   */
  const unquote = (out: CsvEvent[], then: string): void => {
    const text = field.replace(/"/g, '""') + then;
    inQuoted = false;
    quotePending = false;
    field = '';
    recordChars = quotedFrom;
    add('"');
    scan(text, out);
  };
  /** The open quoted field spans more than STRAY_QUOTED_LINES line breaks (a stray quote, see csvRows). */
  const straySpan = (): boolean => !tooLong && lineBreaks(field, STRAY_QUOTED_LINES + 1) > STRAY_QUOTED_LINES;
  /** Whether `c` may follow a quoted field's closing quote (RFC 4180: a separator or the record's end). */
  const closes = (c: number): boolean => c === SEP || c === CR || c === LF;

  const scan = (s: string, out: CsvEvent[]): void => {
    const n = s.length;
    let i = 0;
    while (i < n) {
      if (quotePending) {
        quotePending = false;
        if (s.charCodeAt(i) === QUOTE) {
          add('"');
          i++;
          continue;
        }
        if (!closes(s.charCodeAt(i)) && straySpan()) unquote(out, '"');
        else inQuoted = false;
      }
      if (inQuoted) {
        const j = s.indexOf('"', i);
        if (j < 0) {
          add(s.slice(i));
          i = n;
          if (recordChars - quotedFrom > STRAY_QUOTED_CHARS && !tooLong && (field.includes('\n') || field.includes('\r'))) unquote(out, '');
          break;
        }
        add(s.slice(i, j));
        if (j + 1 === n) {
          quotePending = true;
          i = n;
          break;
        }
        if (s.charCodeAt(j + 1) === QUOTE) {
          add('"');
          i = j + 2;
        } else {
          if (!closes(s.charCodeAt(j + 1)) && straySpan()) unquote(out, '"');
          else inQuoted = false;
          i = j + 1;
        }
        continue;
      }
      if (atFieldStart && s.charCodeAt(i) === QUOTE) {
        inQuoted = true;
        quotedFrom = recordChars;
        atFieldStart = false;
        i++;
        continue;
      }
      let j = i;
      let c = 0;
      for (; j < n; j++) {
        c = s.charCodeAt(j);
        if (c === SEP || c === EOL) break;
      }
      if (j > i) {
        add(s.slice(i, j));
        atFieldStart = false;
      }
      if (j === n) {
        i = n;
        break;
      }
      if (c === SEP) {
        row.push(field);
      } else {
        row.push(stripCr(field));
        record++;
        if (tooLong) out.push({ kind: 'row', record, fields: row, tooLong });
        else if (!(row.length === 1 && row[0] === '')) out.push({ kind: 'row', record, fields: row });
        row = [];
        recordChars = 0;
        tooLong = false;
      }
      field = '';
      atFieldStart = true;
      i = j + 1;
    }
  };

  for await (const s of chunks()) {
    const out: CsvEvent[] = [];
    scan(s, out);
    yield* out;
  }
  if (inQuoted && !quotePending && straySpan()) {
    const tail: CsvEvent[] = [];
    unquote(tail, '');
    yield* tail;
  }

  if (quotePending) inQuoted = false; // the file's last character closed the quoted field
  if (inQuoted) {
    row.push(field);
    yield tooLong ? { kind: 'truncated', record: record + 1, fields: row, tooLong } : { kind: 'truncated', record: record + 1, fields: row };
  } else if (row.length > 0 || !atFieldStart || tooLong) {
    row.push(stripCr(field));
    yield tooLong ? { kind: 'row', record: record + 1, fields: row, unterminated: true, tooLong } : { kind: 'row', record: record + 1, fields: row, unterminated: true };
  }
}
