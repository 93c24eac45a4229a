/**
 * The members of a top-level JSON object that wraps a dataset's records (dataset exports and
 * Hugging Face dumps: {"version": "1.0", "data": [...]}, {"train": [...], "test": [...]}, the
 * datasets-server {"features": [...], "rows": [...], ...}), read one character at a time until
 * the value of a member named in RECORD_KEYS is an array of objects (or empty: the scanner then
 * reads that array's elements as the records; for MIE, whose records are arrays of windows, an
 * array of arrays), or the object closes. An object that has shown a
 * member named as a field of the format's records (`recordFields`: "instruction" …) before it is
 * a record (a JSON Lines line), not a wrapper, whatever members follow, and so is one whose
 * RECORD_KEYS member holds no objects ("data": [1, 2]). Values of other members (metadata) are stepped
 * over, strings and nested brackets included. It holds no text: the scanner (json-array.ts) keeps
 * what it needs. It must not parse or interpret values, and never throws on bad input: what it
 * cannot follow as JSON (a missing colon, a string that runs on over MAX_RAW_LFS raw line breaks:
 * fewer are read as part of it, as json.loads(strict=False) reads them) it reports as 'broken'.
 * The one value it keeps is a "columns" member's array of names (at most MAX_COLUMNS_CHARS): with
 * it, a "data" member holding arrays is pandas' orient='split' table, its rows arrays of values.
 */

/**
 * The member names whose array value holds the records. Only these: a record of its own may hold
 * arrays (CMtMedQA's history), so "any array member" would read a JSON Lines record's history as
 * records; none of these is a field of the six formats' records.
 */
export const RECORD_KEYS: ReadonlySet<string> = new Set(['data', 'rows', 'records', 'examples', 'instances', 'samples', 'train', 'validation', 'valid', 'dev', 'test']);

/** Raw line breaks a metadata value's strings may hold before it is taken for a string that lost its closing quote. */
const MAX_RAW_LFS = 64;

export type MemberStep =
  /** The input so far is consumed: more is needed. */
  | { found: 'more' }
  /**
   * A records member's array is open: its first element (or its ']') is at `at`, whitespace before
   * it. `columns`: the rows are arrays of values for these columns (pandas orient='split').
   */
  | { found: 'records'; at: number; key: string; columns?: string[] }
  /** The object's closing '}' is at `at - 1`. */
  | { found: 'close'; at: number }
  /** The text at `at` is not what JSON allows there. */
  | { found: 'broken'; at: number; detail: string };

const enum St {
  /** After '{': a key or '}'. */
  KeyOrClose,
  /** After a records member's '[': an object or ']' makes them records. */
  RecordsOpen,
  /** After ',': a key (or '}' after a trailing comma). */
  Key,
  InKey,
  Colon,
  Value,
  /** Inside a string, array or object value (depth > 0), or a scalar. */
  InValue,
  CommaOrClose,
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;
}

export class WrapperMembers {
  private st = St.KeyOrClose;
  private key: string[] = [];
  private keyEscape = false;
  private lastKey = '';
  private depth = 0;
  private inString = false;
  /** The quote that closes the current key or string: '"', or "'" in a wrapper written as a Python literal (str(dict), pprint). */
  private quote = 34;
  /** Raw line breaks inside the current value's strings (read on, as json.loads(strict=False) does, up to MAX_RAW_LFS). */
  private rawLfs = 0;
  private escape = false;
  private scalar = false;
  /** A member named as a record field was seen: this object is a record, not a wrapper. */
  private record = false;
  /** The text of a "columns" member's array while it is read (null when not capturing), and where it began in the current chunk. */
  private capture: string[] | null = null;
  private captureFrom = 0;
  private captured = 0;
  /** The column names of a pandas orient='split' table ({"columns": [...], "index": [...], "data": [[...], ...]}), once read. */
  private columns: string[] | undefined;

  /**
   * `recordFields`: member names of the format's records (see the header). `arrays`: the format's
   * records are arrays (MIE dialogues), so a records member's array holds arrays, not objects.
   */
  constructor(
    private readonly recordFields: ReadonlySet<string> = new Set(),
    private readonly arrays = false,
  ) {}

  /** After a records array closed: the wrapper's next member or its end follows. */
  afterValue(): void {
    this.st = St.CommaOrClose;
  }

  /** The key of the member whose value is being read (JSON-unescaped; '' if it could not be). */
  get currentKey(): string {
    return this.lastKey;
  }

  /** Reads `s` from `i` until something is found or `s` ends. */
  step(s: string, i: number): MemberStep {
    const n = s.length;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      switch (this.st) {
        case St.KeyOrClose:
        case St.Key:
          if (isWs(c)) continue;
          if (c === 34 || c === 39) {
            this.st = St.InKey;
            this.quote = c;
            this.key = [];
            this.keyEscape = false;
            continue;
          }
          if (c === 125) {
            this.st = St.CommaOrClose;
            return { found: 'close', at: i + 1 };
          }
          return { found: 'broken', at: i, detail: 'expected a member name or "}"' };
        case St.InKey: {
          // Keys are short: collected as they come, to be unescaped once closed.
          if (this.keyEscape) this.keyEscape = false;
          else if (c === 92) this.keyEscape = true;
          else if (c === 10) return { found: 'broken', at: i, detail: 'a member name is not closed on its line' };
          else if (c === this.quote) {
            this.lastKey = unescapeKey(this.key.join(''), c);
            if (this.recordFields.has(this.lastKey)) this.record = true;
            this.st = St.Colon;
            continue;
          }
          this.key.push(s[i]);
          if (this.key.length > 1000) return { found: 'broken', at: i, detail: 'a member name runs on for over 1000 characters' };
          continue;
        }
        case St.Colon:
          if (isWs(c)) continue;
          if (c === 58) {
            this.st = St.Value;
            continue;
          }
          return { found: 'broken', at: i, detail: 'expected ":" after a member name' };
        case St.Value:
          if (isWs(c)) continue;
          if (c === 91 && !this.record && RECORD_KEYS.has(this.lastKey)) {
            this.st = St.RecordsOpen;
            continue;
          }
          if (c === 91 && !this.arrays && this.lastKey === 'columns') {
            this.capture = [];
            this.captureFrom = i;
            this.captured = 0;
          }
          this.st = St.InValue;
          this.inString = c === 34 || c === 39;
          this.quote = c;
          this.rawLfs = 0;
          this.escape = false;
          this.depth = c === 91 || c === 123 || c === 40 ? 1 : 0;
          this.scalar = !this.inString && this.depth === 0;
          if (this.scalar && (c === 44 || c === 125)) return { found: 'broken', at: i, detail: 'a member has no value' };
          continue;
        case St.RecordsOpen:
          if (isWs(c)) continue;
          if (c === (this.arrays ? 91 : 123) || c === 93) {
            this.st = St.CommaOrClose; // once the scanner hands back (afterValue)
            return { found: 'records', at: i, key: this.lastKey };
          }
          if (c === 91 && this.columns && this.lastKey === 'data') {
            // pandas orient='split': rows as arrays of values, named by the "columns" read before.
            this.st = St.CommaOrClose;
            return { found: 'records', at: i, key: this.lastKey, columns: this.columns };
          }
          // Not records: step over the array as any other value (this character is in it).
          this.st = St.InValue;
          this.inString = false;
          this.escape = false;
          this.scalar = false;
          this.depth = 1;
          i--;
          continue;
        case St.InValue:
          if (this.inString) {
            // Skip to the next quote, backslash or raw newline.
            if (this.escape) {
              this.escape = false;
              continue;
            }
            const q = s.indexOf(this.quote === 39 ? "'" : '"', i);
            const b = s.indexOf('\\', i);
            const l = s.indexOf('\n', i);
            let j = n;
            if (q >= 0) j = q;
            if (b >= 0 && b < j) j = b;
            if (l >= 0 && l < j) j = l;
            if (j === n) return this.more(s);
            i = j;
            const d = s.charCodeAt(j);
            if (d === 92) this.escape = true;
            else if (d === 10) {
              // A raw line break: part of the string (json.loads(strict=False)), unless so many
              // follow that the string more likely lost its closing quote.
              if (++this.rawLfs <= MAX_RAW_LFS) continue;
              this.capture = null;
              return { found: 'broken', at: j, detail: 'a string is not closed on its line' };
            }
            else {
              this.inString = false;
              if (this.depth === 0) this.st = St.CommaOrClose;
            }
            continue;
          }
          if (this.scalar) {
            if (c === 44 || c === 125 || isWs(c)) {
              this.st = St.CommaOrClose;
              i--; // the delimiter is read there
            }
            continue;
          }
          // Outside strings JSON has no ' and no parentheses: they are a Python literal's strings and tuples.
          if (c === 34 || c === 39) {
            this.inString = true;
            this.quote = c;
          } else if (c === 91 || c === 123 || c === 40) this.depth++;
          else if (c === 93 || c === 125 || c === 41) {
            if (--this.depth === 0) {
              this.st = St.CommaOrClose;
              if (this.capture) this.endCapture(s.slice(this.captureFrom, i + 1));
            }
          }
          continue;
        case St.CommaOrClose:
          if (isWs(c)) continue;
          if (c === 44) {
            this.st = St.Key;
            continue;
          }
          if (c === 125) return { found: 'close', at: i + 1 };
          return { found: 'broken', at: i, detail: 'expected "," or "}" after a member' };
      }
    }
    return this.more(s);
  }

  /** `s` is read to its end: a "columns" array being captured keeps its text (up to MAX_COLUMNS_CHARS). */
  private more(s: string): MemberStep {
    if (this.capture) {
      const part = s.slice(this.captureFrom);
      this.captured += part.length;
      if (this.captured > MAX_COLUMNS_CHARS) this.capture = null;
      else this.capture.push(part);
      this.captureFrom = 0;
    }
    return { found: 'more' };
  }

  /** The "columns" array's text is complete: its names, when it is an array of distinct strings. */
  private endCapture(last: string): void {
    const text = this.capture!.join('') + last;
    this.capture = null;
    try {
      const v: unknown = JSON.parse(text);
      if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') && new Set(v).size === v.length) this.columns = v as string[];
    } catch {
      // not JSON: no columns (the object is read as it is)
    }
  }
}

/** The longest "columns" member text kept (a real table names a handful of columns). */
const MAX_COLUMNS_CHARS = 1 << 16;

function unescapeKey(raw: string, quote = 34): string {
  if (raw.indexOf('\\') < 0) return raw;
  if (quote === 39) return ''; // a Python key with escapes names no records member
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return '';
  }
}
