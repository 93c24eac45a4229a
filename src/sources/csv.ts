/**
 * A streaming RFC-4180 CSV reader over decoded text: fields separated by ',', records by line
 * ends, quoted fields may hold commas, newlines and doubled quotes. State carries across chunks,
 * so a quote or a record split between chunks is read whole; only the current record (its fields
 * and its input text) is held.
 *
 * Outside quoted fields LF, CRLF and a lone CR each end a record, in any mix, as Python's csv
 * module reads them (classic Mac and old Excel-for-Mac saves end records with CR and write a line
 * break inside a cell as LF; a CR-only row pasted into an LF file merged rows when a CR was text);
 * inside quoted fields every line break is text.
 * `separators` (default [',']) lists the field separators the file may use: the first that its
 * first line holds outside quotes is taken, ',' when it holds none (Excel writes ';' in locales
 * with a decimal comma, and exports name a TSV .csv).
 *
 * Lenient where real dumps are sloppy: a quote inside an unquoted field is kept as text, and text
 * after a closing quote is appended to the field. Blank lines are skipped. A record over
 * MAX_UNIT_CHARS keeps only its text up to there and comes out `tooLong` (the importer rejects it). It does not check
 * column counts (the importer knows its header; the first record's count only helps tell a stray
 * quote, below) and never throws on data.
 */
import { MAX_UNIT_CHARS } from './lines.js';

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
 * and is never so read.
 *
 * A stray quote that swallows fewer lines would still take them with it (an unclosed quote near
 * the end of the input as one truncated record, or a later quoted field's opening quote taken for
 * its close: one garbage record, and every later record numbered too low). So a record with a
 * quoted field that held a line break is checked when it ends (strayRecord): when the field did
 * not close like a real cell (the input ends in it, text other than a separator or line end
 * follows its closing quote, or the record does not have the header's number of fields) and most
 * of the whole lines it swallowed are each, read alone, a row of the header's width, or when it
 * closed cleanly but swallowed at least two lines that all are, it is read again from that quote
 * as text, as above: it costs only its own row, and later rows keep their numbers. A real
 * multi-line cell's lines are not rows of the header's width (most have no separator, or the
 * wrong count), so it stays one field, also in a row of the wrong width (one parse error) or cut
 * by the end of the input (one truncated record).
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

/**
 * The number of fields of `line` read alone as one record, or -1 when a quoted field in it does
 * not close within it, or closes with a quote that no separator or line end follows: a line that
 * is not a whole row by itself.
 */
function lineWidth(line: string, sep: number): number {
  let fields = 1;
  let atStart = true;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (atStart && c === QUOTE) {
      let j = i + 1;
      for (;;) {
        j = line.indexOf('"', j);
        if (j < 0) return -1;
        if (line.charCodeAt(j + 1) !== QUOTE) break;
        j += 2;
      }
      if (j + 1 < line.length && line.charCodeAt(j + 1) !== sep) return -1;
      i = j;
      atStart = false;
    } else if (c === sep) {
      fields++;
      atStart = true;
    } else atStart = false;
  }
  return fields;
}

/** A line break in a record's input text (strayRecord). */
const LINE_BREAK = /\r\n|\r|\n/;

function stripCr(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
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
  // Read up to the first line end to learn the separator from the header. Each chunk is looked at
  // once, and no further than MAX_UNIT_CHARS in all: an input without a line end (a file of NUL
  // bytes, a one-line JSON dump) would otherwise be gathered whole into one string, rescanned per
  // chunk, until V8's string limit threw; its one record is tooLong anyway.
  const it = text[Symbol.asyncIterator]();
  const head: string[] = [];
  let firstLine = '';
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    head.push(r.value);
    const end = r.value.search(/[\r\n]/);
    const room = MAX_UNIT_CHARS - firstLine.length;
    firstLine += end >= 0 ? r.value.slice(0, Math.min(end, room)) : r.value.slice(0, room);
    if (end >= 0 || firstLine.length >= MAX_UNIT_CHARS) break;
  }
  const SEP = separatorOf(firstLine, opts.separators ?? [',']);
  firstLine = '';
  async function* chunks(): AsyncGenerator<string> {
    while (head.length) yield head.shift()!;
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
  /** The last chunk ended with a record-ending CR: an LF opening the next one belongs to it. */
  let lfAfterCr = false;
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
   * The input text of the current record read so far, up to the start of the scanned chunk (the
   * rest is in that chunk from `recStart`), so that a quote found to be stray can be read again as
   * text. Dropped once the record is tooLong (it is then never read again).
   */
  let rawHead = '';
  /** Where the open quoted field's opening quote is in the record's input text, and the fields before it. */
  let quotedAt = 0;
  let quotedFields = 0;
  /** The header's number of fields (the first record's), which a row swallowed by a stray quote has; 0 until known. */
  let width = 0;
  /**
   * The first quoted field of the current record that held a line break, once closed: where it
   * opened (as quotedAt, quotedFields, quotedFrom) and whether text other than a separator or line
   * end followed its closing quote. The record is checked when it ends (strayRecord).
   */
  let multiLine: { at: number; fields: number; chars: number; sloppy: boolean } | undefined;

  /**
   * The quoted field opening at `at` (after `fields` fields, `chars` characters) was a stray quote:
   * the state goes back to that quote, which is kept as a character of its field, and the input
   * from after it (the record's text so far, `upto` being its part in the current chunk) is
   * returned to be scanned again, as unquoted text, so the records it swallowed come back.
   */
  const rewind = (at: number, fields: number, chars: number, upto: string): string => {
    const raw = rawHead + upto;
    rawHead = raw.slice(0, at + 1);
    row.length = fields;
    field = '';
    recordChars = chars;
    tooLong = false;
    inQuoted = false;
    quotePending = false;
    multiLine = undefined;
    add('"');
    atFieldStart = false;
    return raw.slice(at + 1);
  };
  /** The open quoted field spans more than STRAY_QUOTED_LINES line breaks (a stray quote, see csvRows). */
  const straySpan = (): boolean => !tooLong && lineBreaks(field, STRAY_QUOTED_LINES + 1) > STRAY_QUOTED_LINES;
  /** Whether `c` may follow a quoted field's closing quote (RFC 4180: a separator or the record's end). */
  const closes = (c: number): boolean => c === SEP || c === CR || c === LF;
  /** The open quoted field closes at a quote followed by `next` (NaN: the end of the input). */
  const closeQuoted = (next: number): void => {
    inQuoted = false;
    if (!multiLine && !tooLong && (field.includes('\n') || field.includes('\r'))) {
      multiLine = { at: quotedAt, fields: quotedFields, chars: quotedFrom, sloppy: !Number.isNaN(next) && !closes(next) };
    }
  };
  /**
   * Whether the record whose input text from its multi-line quoted field on is `raw` (with
   * `fieldCount` fields; `open`: the input ended inside that field) was made by a stray quote (see
   * csvRows). Its whole swallowed lines are those after the quote's own, less the last (cut by the
   * input's end, or the '' after the record's line end); blank ones (paragraph breaks) do not count.
   */
  const strayRecord = (raw: string, fieldCount: number, open: boolean): boolean => {
    if (width === 0 || !multiLine && !open) return false;
    const lines = raw.split(LINE_BREAK);
    // lines[0] is the rest of the quote's own line; the last is a line the input may have cut (or '').
    const whole = lines.slice(1, -1).map(stripCr).filter((l) => l !== '');
    const rowLike = whole.filter((l) => lineWidth(l, SEP) === width).length;
    if (open || multiLine!.sloppy || fieldCount !== width) return rowLike > 0 && rowLike * 2 > whole.length;
    return rowLike >= 2 && rowLike === whole.length;
  };

  const scan = (s: string, out: CsvEvent[]): void => {
    let n = s.length;
    let i = 0;
    let recStart = 0;
    if (lfAfterCr) {
      lfAfterCr = false;
      if (n > 0 && s.charCodeAt(0) === LF) i = recStart = 1;
    }
    /** Scan `again` (from rewind), then the rest of the chunk from `i`. */
    const restart = (again: string, from: number): void => {
      s = again + s.slice(from);
      n = s.length;
      i = 0;
      recStart = 0;
    };
    while (i < n) {
      if (quotePending) {
        quotePending = false;
        if (s.charCodeAt(i) === QUOTE) {
          add('"');
          i++;
          continue;
        }
        if (!closes(s.charCodeAt(i)) && straySpan()) {
          restart(rewind(quotedAt, quotedFields, quotedFrom, s.slice(recStart, i)), i);
          continue;
        }
        closeQuoted(s.charCodeAt(i));
      }
      if (inQuoted) {
        const j = s.indexOf('"', i);
        if (j < 0) {
          add(s.slice(i));
          i = n;
          if (recordChars - quotedFrom > STRAY_QUOTED_CHARS && !tooLong && (field.includes('\n') || field.includes('\r'))) {
            restart(rewind(quotedAt, quotedFields, quotedFrom, s.slice(recStart)), n);
            continue;
          }
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
          i = j + 1;
          if (!closes(s.charCodeAt(j + 1)) && straySpan()) restart(rewind(quotedAt, quotedFields, quotedFrom, s.slice(recStart, i)), i);
          else closeQuoted(s.charCodeAt(j + 1));
        }
        continue;
      }
      if (atFieldStart && s.charCodeAt(i) === QUOTE) {
        inQuoted = true;
        quotedFrom = recordChars;
        quotedAt = rawHead.length + i - recStart;
        quotedFields = row.length;
        atFieldStart = false;
        i++;
        continue;
      }
      let j = i;
      let c = 0;
      for (; j < n; j++) {
        c = s.charCodeAt(j);
        if (c === SEP || c === LF || c === CR) break;
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
        if (multiLine && !tooLong) {
          const m = multiLine;
          const upto = s.slice(recStart, j + 1);
          if (strayRecord((rawHead + upto).slice(m.at), row.length + 1, false)) {
            restart(rewind(m.at, m.fields, m.chars, upto), j + 1);
            continue;
          }
        }
        row.push(stripCr(field));
        record++;
        if (record === 1) width = row.length;
        if (tooLong) out.push({ kind: 'row', record, fields: row, tooLong });
        else if (!(row.length === 1 && row[0] === '')) out.push({ kind: 'row', record, fields: row });
        // CRLF is one record end: its LF, here or at the start of the next chunk, is skipped.
        if (c === CR) {
          if (j + 1 < n) {
            if (s.charCodeAt(j + 1) === LF) j++;
          } else lfAfterCr = true;
        }
        row = [];
        recordChars = 0;
        tooLong = false;
        rawHead = '';
        recStart = j + 1;
        multiLine = undefined;
      }
      field = '';
      atFieldStart = true;
      i = j + 1;
    }
    if (tooLong) rawHead = '';
    else rawHead += s.slice(recStart);
  };

  for await (const s of chunks()) {
    const out: CsvEvent[] = [];
    scan(s, out);
    yield* out;
  }
  // The input ends: inside a quoted field, or in a record that had a multi-line one. Either may
  // be a stray quote, read again as text (and what follows may end so again).
  for (;;) {
    if (quotePending) {
      quotePending = false; // the file's last character closed the quoted field
      closeQuoted(NaN);
    }
    if (tooLong) break;
    const open = inQuoted && (field.includes('\n') || field.includes('\r'));
    const at = open ? quotedAt : multiLine?.at;
    if (at === undefined) break;
    if (!(open && straySpan()) && !strayRecord(rawHead.slice(at), row.length + 1, open)) break;
    const tail: CsvEvent[] = [];
    scan(open ? rewind(quotedAt, quotedFields, quotedFrom, '') : rewind(multiLine!.at, multiLine!.fields, multiLine!.chars, ''), tail);
    yield* tail;
  }

  if (inQuoted) {
    row.push(field);
    yield tooLong ? { kind: 'truncated', record: record + 1, fields: row, tooLong } : { kind: 'truncated', record: record + 1, fields: row };
  } else if (row.length > 0 || !atFieldStart || tooLong) {
    row.push(stripCr(field));
    yield tooLong ? { kind: 'row', record: record + 1, fields: row, unterminated: true, tooLong } : { kind: 'row', record: record + 1, fields: row, unterminated: true };
  }
}
