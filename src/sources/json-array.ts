/**
 * A streaming scanner for files that are one top-level JSON array (CMtMedQA, Huatuo, MIE):
 * finds each element's text by tracking string/escape state and bracket depth, and JSON.parses
 * elements one at a time, so memory is bounded by the largest element, not the file.
 *
 * Arrays written one after the other (files concatenated with `cat`) are read as one array whose
 * elements are numbered on. Inputs that start with '{' are read as JSON Lines (one object per
 * line, or objects separated by whitespace), the layout re-published copies of these datasets
 * often use. For a format whose
 * elements are arrays (MIE: a dialogue is an array of windows), an input starting `[{` is JSON
 * Lines of arrays: one dialogue per line counts as one element, not as the first dialogue's
 * windows plus garbage (ScanOptions.elementsAreArrays).
 *
 * An element nested deeper than MAX_JSON_DEPTH is not parsed at all ('too_deep'): real elements
 * are a few levels deep, and deep values break everything that walks them recursively later.
 *
 * An element JSON.parse refuses only for Python's NaN/Infinity literals (json.dump writes them for
 * missing numbers), for a comma before a closing bracket, or for control characters unescaped
 * inside strings, is read with those as null, without that comma, and with those characters
 * escaped (pythonJson). A raw line break inside a string is first read as part of it, as
 * json.loads(strict=False) reads it; when the element then does not read whole, it is scanned
 * again taking the line break for a lost closing quote (rawLfs), so a cut string costs only its
 * element, as before. An element written as a Python literal (str(dict), repr, pprint: single
 * quotes, True/False/None) is read by pythonLiteral; a single quote where JSON wants a key or a
 * value opens a string for the scan too, so a double quote inside it ('5\'3"') is no quote.
 * A broken element is reported ('invalid') and scanning goes on with the next one; an input that
 * ends inside an element or before the closing ']' is reported as 'truncated'. An element written
 * on one line (JSON Lines, or an array with one element per line) that does not close by the end
 * of its line, where a later line starts with the same bracket at the element's own column, was
 * cut short (a partly written line): it is reported ('invalid') up to that line, and that line
 * starts the next element, so one cut line costs itself and not every element after it. A
 * pretty-printed element never looks so: its first line holds only its opening bracket (and a
 * bracket where it expects a key, as after a first line cut to "{", is such a cut too). So too
 * at the start: lines before the first one that starts with '[' or '{' (a file cut at a byte
 * offset inside its first line, a `# comment`) are one 'invalid' element, and the input is read
 * from that line on; an input where no line starts so is one 'invalid' (no JSON at all).
 *
 * Between values, junk costs one element, never one per word: text that is no container or
 * string runs to the next '{' or '[' and, in JSON Lines, to its line end (one 'invalid' per junk
 * line), in an array to the next ',' or ']' (one per run of junk between two elements). `//` and
 * `/* *\/` comments there (JSON5-ish, hand-annotated dumps) are read as whitespace, and so are NUL
 * bytes (a zero-filled gap or tail): neither is an input unit.
 *
 * With ScanOptions.wrappers, an input that starts with an object wrapping the records
 * ({"data": [...]}: json-wrapper.ts) is read as the records array(s) inside it; the object is
 * probed member by member (held only until the records array opens, or it closes and is a JSON
 * Lines record after all, then scanned as one), never parsed whole; a "data" member of arrays after
 * a "columns" member of names is a pandas orient='split' table, whose rows it hands over with
 * those columns (the importer names the values, pandas-json.ts). It must not throw
 * on bad data and must not interpret elements (that is the importer's job).
 */

import { WrapperMembers } from './json-wrapper.js';

export type JsonArrayEvent =
  /** `columns`: the element is a row of a pandas orient='split' table, its values for these columns (ScanOptions.wrappers). */
  | { kind: 'element'; index: number; value: unknown; columns?: string[] }
  /** The element's text is not valid JSON, or the input is not a JSON array at all. */
  | { kind: 'invalid'; index: number; raw: string; detail: string }
  /** The input ended inside an element or before the array was closed. */
  | { kind: 'truncated'; index: number; raw: string; detail: string }
  /** The element nests arrays/objects deeper than MAX_JSON_DEPTH (not parsed). */
  | { kind: 'too_deep'; index: number; raw: string; detail: string };

/** The deepest nesting of arrays/objects an element may have (CMtMedQA, MIE and Huatuo use ≤ 4). */
export const MAX_JSON_DEPTH = 64;

/**
 * The longest element text parsed (2^27 characters; a CMtMedQA record is a few thousand, and a
 * whole pandas table read as one value up to some 100 MB): a longer one is an 'invalid' event
 * holding its first CONTEXT_CHARS, and its text is not kept while it is scanned, so memory stays
 * bounded and no string outgrows what V8 can hold (2^29 characters).
 */
export const MAX_ELEMENT_CHARS = 1 << 27;

/** The first `max` characters of the concatenation of `parts`, without joining them all. */
function headOf(parts: string[], max: number): string {
  let out = '';
  for (const p of parts) {
    out += p.slice(0, max - out.length);
    if (out.length >= max) break;
  }
  return out;
}



const enum Phase {
  Start,
  /** After the first '[' of a format whose elements are arrays: is the next value an object? */
  AfterOpen,
  Between,
  Element,
  End,
  /** In the input's first top-level object: is it a wrapper of the records (ScanOptions.wrappers)? */
  Probe,
  /** In a wrapper object after one of its records arrays: another one, or its end. */
  Members,
  /** On a line before the input's first JSON value that is no JSON (a line cut at its start, a comment): read to its end. */
  Skip,
  /** In a `//` or `/* *\/` comment between values (see junkComment), or after a '/' there that may open one. */
  Comment,
}

const enum Cmt {
  /** A '/' was read: a comment if '/' or '*' follows. */
  Slash,
  Line,
  Block,
  /** In a block comment, after a '*'. */
  BlockStar,
}

const enum Kind {
  Container,
  String,
  Scalar,
}

const QUOTE = 34;
const APOS = 39;
/** ( : no JSON outside a string; in a Python literal it opens a tuple. */
const OPEN_PAREN = 40;
const BACKSLASH = 92;
const LF = 10;
const COMMA = 44;
const COLON = 58;
const OPEN_SQ = 91;
const CLOSE_SQ = 93;
const OPEN_CURLY = 123;
const CLOSE_CURLY = 125;
const BOM = 0xfeff;
const NUL = 0;
const SLASH = 47;
const STAR = 42;

/** The index of `ch` in s at or after `from`, or n (the length) when there is none. */
function indexIn(s: string, ch: string, from: number, n: number): number {
  const at = s.indexOf(ch, from);
  return at < 0 ? n : at;
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** How much of the input to quote when it is not an array at all. */
const CONTEXT_CHARS = 2000;

/**
 * How far a container element is read with raw line breaks inside its strings taken as part of
 * them (json.loads(strict=False)) before it is read again taking each for a lost closing quote:
 * more raw line breaks than this, or more characters since the element's start. A multi-line
 * answer has tens of lines; a lost quote read on this way pairs every later quote wrongly.
 */
const RAW_LF_LINES = 256;
const RAW_LF_CHARS = 1 << 22;

export interface ScanOptions {
  /**
   * The format's elements are arrays (MIE): an input whose first '[' is directly followed by '{'
   * is then JSON Lines of arrays (that '[' opens element 0), not one array of objects.
   */
  elementsAreArrays?: boolean;
  /**
   * An input that starts with an object holding a member named in RECORD_KEYS (json-wrapper.ts)
   * whose value is an array is a wrapper: the elements of each such array are the records,
   * numbered on across them, and the wrapper's other members (metadata) are not read. An object
   * without one is a JSON Lines record as before. Objects that follow a wrapper are looked at
   * the same way (wrapper files concatenated into one).
   */
  wrappers?: { recordFields: ReadonlySet<string> };
}

export async function* jsonArrayElements(text: AsyncIterable<string>, opts: ScanOptions = {}): AsyncGenerator<JsonArrayEvent> {
  for await (const batch of jsonArrayBatches(text, opts)) yield* batch;
}

/** jsonArrayElements a text chunk at a time: the events of each chunk as one array (one await per chunk, not per element). */
export async function* jsonArrayBatches(text: AsyncIterable<string>, opts: ScanOptions = {}): AsyncGenerator<JsonArrayEvent[]> {
  const it = text[Symbol.asyncIterator]();
  try {
    yield* scanBatches(it, opts);
  } finally {
    await it.return?.();
  }
}

async function* scanBatches(it: AsyncIterator<string>, opts: ScanOptions): AsyncGenerator<JsonArrayEvent[]> {
  let phase = Phase.Start;
  let index = 0;
  /** JSON Lines: top-level objects, no enclosing array. */
  let lines = false;
  // element state
  let kind = Kind.Container;
  let depth = 0;
  let inString = false;
  /** The quote that opened the string being read: '"', or "'" in a Python literal. */
  let quote = QUOTE;
  let escape = false;
  let broken: string | null = null;
  /**
   * Raw line breaks inside the element's strings so far, read as part of them (Python's
   * json.loads(strict=False) reads such strings on; writers that do not escape line breaks write
   * them). When the element does not read whole so (it does not parse, a line starting the next
   * element comes inside a string, the input ends, or RAW_LF_* is passed) its text is scanned again
   * (lfEnds: its index) taking each raw line break for a lost closing quote, as a cut string is
   * read: then only that element is lost, and the scan resynchronises at the line end.
   */
  let rawLfs = 0;
  /** After a raw line break inside a string, only whitespace so far on the new line. */
  let lfHead = false;
  let lfEnds = -1;
  /** The element starting the text to scan again (its opening bracket first), and the bracket's column. */
  let again: string | null = null;
  let peak = 0;
  let parts: string[] = [];
  /** Characters in parts; past MAX_ELEMENT_CHARS only the element's first CONTEXT_CHARS are kept (oversized). */
  let partsLen = 0;
  let oversized = false;
  const push = (text: string) => {
    if (oversized) return;
    parts.push(text);
    partsLen += text.length;
    if (partsLen > MAX_ELEMENT_CHARS) {
      oversized = true;
      parts = [headOf(parts, CONTEXT_CHARS)];
    }
  };
  /** The element's text (its head when oversized), and parts cleared for the next. */
  const take = (): string => {
    const raw = parts.length === 1 ? parts[0] : parts.join('');
    parts = [];
    partsLen = 0;
    return raw;
  };
  // Where lines start, for the cut-line rule in the header. lineStart is the index of the current
  // line's first character in the chunk being read (negative: the line began in an earlier chunk).
  let lineStart = 0;
  /** Only whitespace so far on the current line. */
  let wsOnly = true;
  /** The column of the element's opening bracket when only whitespace precedes it on its line, else -1. */
  let startCol = -1;
  let opener = 0;
  /** No line end yet inside the element. */
  let firstLine = true;
  /** The element's first line holds something after its opening bracket. */
  let oneLine = false;
  /**
   * The smallest column at which a line after the element's first one begins (Infinity: none
   * yet). In a pretty-printed element every such line, but its closing one, is indented deeper
   * than its opening bracket (json.dump, JSON.stringify, jq and pandas all write so).
   */
  let innerMin = Infinity;
  /** The column of the input's opening '[' (as startCol), and whether a line ended since: for an element it opens (JSON Lines of arrays). */
  let openCol = -1;
  let lfSinceOpen = false;
  // Wrapper objects (ScanOptions.wrappers): the members being read, the text of the object being
  // probed (given back to the scan as a chunk of its own when it is no wrapper) and its column.
  let members: WrapperMembers | null = null;
  /** Read a top-level '{' as a possible wrapper. */
  let probe = opts.wrappers !== undefined;
  let probed: string[] = [];
  let probeCol = 0;
  /** Inside a wrapper's records array: its ']' hands back to the wrapper's members. */
  let wrapped = false;
  /** The records array being read is the "data" of a pandas orient='split' table with these columns. */
  let tableColumns: string[] | undefined;
  /** Text to scan before the next chunk of the input (a probed object that was no wrapper). */
  let pending: string | null = null;
  /** The probed object follows a closed array (it is then no JSON Lines record when no wrapper). */
  let probeEnd = false;
  /** The last thing closed was a wrapper object (for the detail of what follows it). */
  let afterWrapper = false;
  /**
   * Lines before the input's first JSON value that are no JSON (a file cut at a byte offset inside
   * a line, a `# comment`): their text (its first CONTEXT_CHARS) and count, reported as one
   * invalid element once a later line starts with '[' or '{', or, when none does, as the input
   * being no JSON at all.
   */
  let skipped: string | null = null;
  let skippedLines = 0;
  /**
   * JSON Lines elements read so far that closed on their first line, and that did not: a file
   * where most did is line by line. There an element whose first line holds only its opening
   * bracket (a stray '[' or '{' line: a hand edit, a bad concatenation) would read every line after
   * it as its members and end the input truncated; so when the line after such a bracket line is a
   * whole value by itself, the bracket line is one 'invalid' element and the scan goes on from the
   * next line (`loneAt`: where that line starts in the element's text, once the first line ended so).
   * A pretty-printed object never looks so: the line after its '{' is a member, no value.
   */
  let oneLineElements = 0;
  let multiLineElements = 0;
  let loneAt = -1;
  /**
   * Comments between values (JSON5-ish and hand-annotated dumps: `{...} // note`, `/* rec 12 *\/ {...}`):
   * outside elements a `//` comment to its line end and a `/* *\/` one closed on its own line are
   * read as whitespace, so they cost no fake element (each of their words was one before). A '/'
   * that opens no comment, or a `/*` not closed by its line end, is junk: its text (commentText)
   * starts a run of junk read as one element (see Kind.Scalar), so a stray `/*` never hides the
   * records after it. Inside elements nothing changes: a comment there breaks its element as before.
   */
  let comment = Cmt.Slash;
  let commentFrom = Phase.Between;
  let commentText = '';

  /** The state of a container element opened by bracket `c` at column `col` (-1: not first on its line). */
  /**
   * Inside the element: the last character outside strings that was not whitespace (0 after a
   * string cut by a raw newline), and the bracket of each open container by depth (beyond the
   * stack: unknown). After ':' a value follows, after '[' or an array's ',' an element: a bracket
   * that starts a line there is valid JSON, never the next element (see isCut).
   */
  let lastSig = 0;
  const open = new Uint8Array(MAX_JSON_DEPTH + 2);
  const isCut = (): boolean => {
    if (lastSig === COLON || lastSig === OPEN_SQ) return false;
    if (lastSig === COMMA) return depth < open.length && open[depth] === OPEN_CURLY;
    return true;
  };

  /**
   * Whether an object key must come next (after '{', or an object's ','): no bracket is valid
   * there, so one that starts a line (at any column) begins the next element, even when the
   * element's first line held only its opening bracket (a JSON Lines file whose first line was cut
   * to "{"; a pretty-printed element never has a bracket there).
   */
  const keyExpected = (): boolean => lastSig === OPEN_CURLY || (lastSig === COMMA && depth < open.length && open[depth] === OPEN_CURLY);

  const openContainer = (c: number, col: number) => {
    kind = Kind.Container;
    depth = 1;
    open[1] = c;
    lastSig = c;
    peak = 1;
    inString = false;
    escape = false;
    broken = null;
    rawLfs = 0;
    lfHead = false;
    opener = c;
    startCol = col;
    loneAt = -1;
    firstLine = true;
    oneLine = false;
    innerMin = Infinity;
  };

  /**
   * A pretty-printed element (its first line held only its bracket) was cut short, when a line
   * starts with its opening bracket at its own column: its inner lines so far were all indented
   * deeper (a bracket there opens no value of this element), or the bracket is not valid JSON
   * where it stands (isCut) and the element does not start at column 0 (where an indent=0 dump
   * puts nested values too). Either way the element cannot be read past that line, while the
   * elements after it can.
   */
  const prettyCut = (col: number): boolean => col === startCol && (innerMin > startCol || (startCol > 0 && isCut()));

  /** The state for scanning `pending`, an element's text from its opening bracket on, again (see rawLfs). */
  const scanAgain = () => {
    lfEnds = index;
    phase = Phase.Between;
    lineStart = -Math.max(startCol, 0);
    wsOnly = startCol >= 0;
    rawLfs = 0;
    lfHead = false;
    inString = false;
    escape = false;
  };

  /**
   * raw read as one Python literal (pythonLiteral), for an element the scan took for cut: a double
   * quote inside a single-quoted string ('5\'3"') misleads it as a lost quote does.
   */
  const literal = (at: number, raw: string): JsonArrayEvent | undefined => {
    if (oversized) return undefined;
    const value = pythonLiteral(raw);
    if (value === undefined) return undefined;
    return tableColumns && wrapped ? { kind: 'element', index: at, value, columns: tableColumns } : { kind: 'element', index: at, value };
  };

  const finish = (raw: string): JsonArrayEvent => {
    const at = index++;
    if (oversized) {
      oversized = false;
      return { kind: 'invalid', index: at, raw, detail: `element ${at} is longer than ${MAX_ELEMENT_CHARS} characters: it was not parsed (its first ${CONTEXT_CHARS} are kept); no record is so long: split the file, or export it as JSON Lines (pandas: orient='records', lines=True)` };
    }
    if (broken !== null) return literal(at, raw) ?? { kind: 'invalid', index: at, raw, detail: broken };
    if (peak > MAX_JSON_DEPTH) return { kind: 'too_deep', index: at, raw, detail: `element ${at} nests arrays/objects ${peak} levels deep (at most ${MAX_JSON_DEPTH} are read)` };
    try {
      const value: unknown = JSON.parse(quoteLongIds(raw));
      return tableColumns && wrapped ? { kind: 'element', index: at, value, columns: tableColumns } : { kind: 'element', index: at, value };
    } catch (e) {
      const lenient = pythonJson(raw);
      if (lenient !== undefined) return tableColumns && wrapped ? { kind: 'element', index: at, value: lenient, columns: tableColumns } : { kind: 'element', index: at, value: lenient };
      return { kind: 'invalid', index: at, raw, detail: `element ${at} is not valid JSON: ${(e as Error).message}` };
    }
  };

  for (;;) {
    let s: string;
    if (pending !== null) {
      s = pending;
      pending = null;
    } else {
      const r = await it.next();
      if (r.done) {
        if (phase === Phase.Element && rawLfs > 0 && !oversized) {
          // The input ends inside an element read with raw line breaks in its strings: read it again.
          pending = take();
          scanAgain();
          continue;
        }
        if (phase === Phase.Comment) {
          // The input ends in a comment: a `//` one ends there; a '/' or an open `/*` is junk (see commentText).
          if (comment === Cmt.Line) phase = commentFrom;
          else if (commentFrom === Phase.Between) {
            phase = Phase.Element;
            kind = Kind.Scalar;
            parts = [commentText];
            partsLen = commentText.length;
          } else if (commentFrom === Phase.Start) {
            skipped = commentText;
            skippedLines++;
            phase = Phase.Skip;
          } else {
            yield [{ kind: 'invalid', index, raw: commentText, detail: afterEnd(afterWrapper) }];
            return;
          }
        }
        if (phase !== Phase.Probe) break;
        // The input ends inside the probed object: scan it as it is (it reports the cut).
        pending = probed.join('');
        probed = [];
        phase = probeEnd ? Phase.End : Phase.Start;
        probe = false;
        lineStart = -probeCol;
        wsOnly = true;
        continue;
      }
      s = r.value;
    }
    const out: JsonArrayEvent[] = [];
    const n = s.length;
    let i = 0;
    // Inside strings only a quote, a backslash or a raw newline matters: the next of each in this
    // chunk (n: none), found with indexOf (native, far faster than a charCodeAt loop over long
    // Chinese text) and searched again only once scanning has passed it.
    let nextQuote = -1;
    let nextApos = -1;
    let nextBackslash = -1;
    let nextLf = -1;
    let segStart = phase === Phase.Element ? 0 : -1;
    /** The probed object was no wrapper: its text is scanned again from its '{'. */
    let rescan = false;
    while (i < n) {
      if (phase === Phase.Probe || phase === Phase.Members) {
        const from = i;
        const r = members!.step(s, i);
        i = r.found === 'more' ? n : r.at;
        const lf = s.lastIndexOf('\n', i - 1);
        if (lf >= from) lineStart = lf + 1;
        // Only whitespace before i on its line (a records array's first element may start one).
        wsOnly = r.found === 'records' && lf >= from && /^[ \t\r\ufeff]*$/.test(s.slice(lf + 1, i));
        if (r.found === 'records') {
          // The records array is open: its elements are read as a top-level array's.
          phase = opts.elementsAreArrays ? Phase.AfterOpen : Phase.Between;
          wrapped = true;
          tableColumns = r.columns;
          probed = [];
          openCol = -1;
          lfSinceOpen = false;
        } else if (phase === Phase.Probe) {
          if (r.found === 'more') probed.push(from === 0 ? s : s.slice(from));
          else {
            // No records member ('close'), or text that is not JSON ('broken'): not a wrapper.
            probed.push(s.slice(from));
            pending = probed.join('');
            probed = [];
            phase = probeEnd ? Phase.End : Phase.Start;
            probe = false;
            lineStart = -probeCol;
            wsOnly = true;
            rescan = true;
            break;
          }
        } else if (r.found === 'close') {
          phase = Phase.End;
          members = null;
          afterWrapper = true;
          probe = true; // a wrapper file concatenated after this one
        } else if (r.found === 'broken') {
          out.push({ kind: 'invalid', index, raw: s.slice(r.at, r.at + CONTEXT_CHARS), detail: `the object around the records is not valid JSON after its "${members!.currentKey}" member: ${r.detail}` });
          yield out;
          return;
        }
        continue;
      }
      if (phase === Phase.Element) {
        if (kind === Kind.Scalar) {
          // A value that is no container or string: a number, true/false/null, or junk (a garbage
          // line, a bare word or two between elements). It runs to the next '{' or '[' (a record
          // may follow junk on its line), and in JSON Lines to its line end, in an array to the next
          // ',' or ']': a run of junk costs one element, not one per word as when a space ended it.
          for (; i < n; i++) {
            const c = s.charCodeAt(i);
            if (c === LF) {
              if (lines) break;
              lineStart = i + 1;
              wsOnly = true;
              lfSinceOpen = true;
            } else if (c === OPEN_CURLY || c === OPEN_SQ || (!lines && (c === COMMA || c === CLOSE_SQ))) break;
            else if (!isWs(c)) wsOnly = false;
          }
          if (i === n) break;
          push(s.slice(segStart, i));
          out.push(finish(take().trimEnd()));
          phase = Phase.Between;
          continue; // the delimiter is handled in Between
        }
        let done = false;
        for (; i < n; i++) {
          if (inString && !escape && !lfHead) {
            // Skip to the next quote (of the kind that opened the string), backslash or raw newline.
            let q: number;
            if (quote === QUOTE) {
              if (nextQuote < i) nextQuote = indexIn(s, '"', i, n);
              q = nextQuote;
            } else {
              if (nextApos < i) nextApos = indexIn(s, "'", i, n);
              q = nextApos;
            }
            if (nextBackslash < i) nextBackslash = indexIn(s, '\\', i, n);
            if (nextLf < i) nextLf = indexIn(s, '\n', i, n);
            i = q < nextBackslash ? (q < nextLf ? q : nextLf) : nextBackslash < nextLf ? nextBackslash : nextLf;
            if (i === n) break;
          }
          const c = s.charCodeAt(i);
          if (lfHead) {
            // The line after a raw line break inside a string: a line that starts with the element's
            // opening bracket at its column starts the next element (the string was cut), as outside strings.
            if (c === 32 || c === 9 || c === 13) continue;
            lfHead = false;
            if (c === opener && i - lineStart === startCol) {
              again = s.slice(segStart);
              break;
            }
          }
          if (inString) {
            if (escape) escape = false;
            else if (c === BACKSLASH) escape = true;
            else if (c === quote) {
              inString = false;
              if (kind === Kind.String) {
                done = true;
                i++;
                break;
              }
            } else if (c === LF && kind === Kind.Container && lfEnds !== index && !oversized) {
              // Read on as part of the string (see rawLfs), unless that has gone on too long.
              if (++rawLfs > RAW_LF_LINES || partsLen + i - segStart > RAW_LF_CHARS) {
                again = s.slice(segStart);
                break;
              }
              firstLine = false;
              lineStart = i + 1;
              wsOnly = true;
              lfHead = true;
            } else if (c === LF) {
              // A raw newline cannot be inside a JSON string: the string lost its closing quote.
              // Resume structure tracking here so the next elements can still be found.
              inString = false;
              escape = false;
              broken ??= `element ${index} has an unterminated string`;
              lastSig = 0;
              firstLine = false;
              lineStart = i + 1;
              wsOnly = true;
              if (kind === Kind.String) {
                done = true;
                i++;
                break;
              }
            }
          } else if (c === QUOTE || (c === APOS && (lastSig === OPEN_CURLY || lastSig === OPEN_SQ || lastSig === COMMA || lastSig === COLON || lastSig === OPEN_PAREN))) {
            // A string; a single quote where JSON wants a value or a key, or first in a tuple,
            // opens one too (a Python literal: pythonLiteral reads the element), so a double quote
            // inside it ('5\'3"') is no quote.
            inString = true;
            quote = c;
            lastSig = QUOTE;
            if (wsOnly && !firstLine && i - lineStart < innerMin) innerMin = i - lineStart;
            wsOnly = false;
            if (firstLine) oneLine = true;
          } else if (c === OPEN_CURLY || c === OPEN_SQ) {
            if (c === opener && wsOnly && !firstLine && startCol >= 0 && (keyExpected() || (oneLine ? i - lineStart === startCol && isCut() : prettyCut(i - lineStart)))) {
              if (rawLfs > 0) {
                // Read with raw line breaks in its strings, it does not close: read it again.
                again = s.slice(segStart);
                break;
              }
              // The element's line was cut short: report it up to here; this bracket opens the next one.
              push(s.slice(segStart, i));
              const at = index++;
              const what = oneLine ? 'a line cut short' : 'cut short: that line starts at the column of its own opening bracket';
              const raw = take().trimEnd();
              out.push(literal(at, raw) ?? { kind: 'invalid', index: at, raw, detail: `element ${at} does not close before a line that starts the next element (${what})` });
              oversized = false;
              segStart = i;
              openContainer(c, startCol);
              wsOnly = false;
              continue;
            }
            if (++depth > peak) peak = depth;
            if (depth < open.length) open[depth] = c;
            lastSig = c;
            if (wsOnly && !firstLine && i - lineStart < innerMin) innerMin = i - lineStart;
            wsOnly = false;
            if (firstLine) oneLine = true;
          } else if (c === LF) {
            if (loneAt >= 0 && rawLfs === 0 && !oversized) {
              // The end of the line after a line holding only the element's bracket (see loneAt).
              push(s.slice(segStart, i));
              const raw = take();
              let whole = false;
              const next = raw.slice(loneAt).trim();
              if (next.startsWith('{') || next.startsWith('[')) {
                try {
                  JSON.parse(next);
                  whole = true;
                } catch {
                  // not a value by itself: the bracket line may open a value after all
                }
              }
              if (whole) {
                const at = index++;
                out.push({ kind: 'invalid', index: at, raw: raw.slice(0, loneAt).trimEnd(), detail: `element ${at} is a line holding only "${String.fromCharCode(opener)}" in JSON Lines, and the next line is a whole value by itself: the line was skipped, and the input read from the next line` });
                pending = raw.slice(loneAt) + s.slice(i);
                phase = Phase.Between;
                lineStart = 0;
                wsOnly = true;
                loneAt = -1;
                rescan = true;
                break;
              }
              parts = [raw];
              partsLen = raw.length;
              segStart = i;
              loneAt = -1;
            } else if (firstLine && !oneLine && lines && startCol >= 0 && rawLfs === 0 && !oversized && oneLineElements > multiLineElements) {
              loneAt = partsLen + i + 1 - segStart;
            } else loneAt = -1;
            firstLine = false;
            lineStart = i + 1;
            wsOnly = true;
          } else if (c === CLOSE_CURLY || c === CLOSE_SQ) {
            depth--;
            lastSig = c;
            if (wsOnly && !firstLine && i - lineStart < innerMin) innerMin = i - lineStart;
            wsOnly = false;
            if (firstLine) oneLine = true;
            if (depth === 0) {
              done = true;
              i++;
              break;
            }
          } else if (!isWs(c)) {
            lastSig = c;
            if (wsOnly && !firstLine && i - lineStart < innerMin) innerMin = i - lineStart;
            wsOnly = false;
            if (firstLine) oneLine = true;
          }
        }
        if (again === null && !done && rawLfs > 0 && partsLen + n - segStart > RAW_LF_CHARS) again = s.slice(segStart);
        if (again === null && done) {
          push(s.slice(segStart, i));
          if (lines) {
            if (firstLine) oneLineElements++;
            else multiLineElements++;
          }
          const ev = finish(take());
          if (rawLfs === 0 || ev.kind === 'element' || ev.kind === 'too_deep') {
            out.push(ev);
            phase = Phase.Between;
            continue;
          }
          index--; // it did not read whole with its raw line breaks: read it again
          parts = [ev.raw];
          partsLen = ev.raw.length;
          again = s.slice(i);
        }
        if (again !== null) {
          // Scan the element again from its opening bracket (then the rest of this chunk), raw line
          // breaks ending strings.
          push(again);
          again = null;
          pending = take();
          scanAgain();
          rescan = true;
          break;
        }
        break; // the element goes on in the next chunk
      }
      if (phase === Phase.Skip) {
        const lf = s.indexOf('\n', i);
        const end = lf < 0 ? n : lf;
        if (skipped!.length < CONTEXT_CHARS) skipped += s.slice(i, Math.min(end, i + CONTEXT_CHARS - skipped!.length));
        if (lf < 0) {
          i = n;
          continue;
        }
        if (skipped!.length < CONTEXT_CHARS) skipped += '\n';
        phase = Phase.Start;
        lineStart = lf + 1;
        wsOnly = true;
        i = lf + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      const col: number = wsOnly ? i - lineStart : -1; // c's column when only whitespace precedes it on its line
      if (c === LF) {
        lineStart = i + 1;
        wsOnly = true;
        lfSinceOpen = true;
      } else if (c === BOM || c === NUL) {
        if (wsOnly) lineStart = i + 1; // a byte-order mark takes no column (files saved on Windows), nor does a NUL
      } else if (!isWs(c)) wsOnly = false;
      if (phase === Phase.Between) {
        if (isWs(c) || c === COMMA || c === BOM || c === NUL) {
          // A NUL between values is padding (a zero-filled gap or tail left by a crashed or preallocated write), no element.
          i++;
        } else if (c === SLASH) {
          phase = Phase.Comment;
          commentFrom = Phase.Between;
          comment = Cmt.Slash;
          commentText = '/';
          i++;
        } else if (c === CLOSE_SQ) {
          i++;
          if (wrapped) {
            wrapped = false;
            phase = Phase.Members;
            members!.afterValue();
          } else {
            phase = Phase.End;
            afterWrapper = false;
          }
        } else {
          // an element starts
          phase = Phase.Element;
          segStart = i;
          broken = null;
          escape = false;
          peak = 1;
          if (c === OPEN_CURLY || c === OPEN_SQ) {
            openContainer(c, col);
          } else if (c === QUOTE) {
            kind = Kind.String;
            depth = 0;
            inString = true;
            quote = QUOTE;
          } else {
            kind = Kind.Scalar;
          }
          i++;
        }
      } else if (phase === Phase.AfterOpen) {
        if (isWs(c)) i++;
        else if (c === OPEN_CURLY) {
          // JSON Lines of arrays: the '[' already read opens element 0; the '{' is read inside it.
          lines = true;
          phase = Phase.Element;
          openContainer(OPEN_SQ, openCol);
          firstLine = !lfSinceOpen;
          oneLine = !lfSinceOpen;
          parts = ['['];
          partsLen = 1;
          segStart = i;
        } else {
          phase = Phase.Between;
          wsOnly = col >= 0; // c is read again there, as the first character of element 0
        }
      } else if (phase === Phase.Comment) {
        if (comment === Cmt.Line) {
          // To the line end; the line break is read by the phase the comment came from.
          const lf = s.indexOf('\n', i);
          if (lf < 0) i = n;
          else {
            phase = commentFrom;
            i = lf;
          }
        } else if (comment === Cmt.Slash && c === SLASH) {
          comment = Cmt.Line;
          i++;
        } else if (comment === Cmt.Slash && c === STAR) {
          comment = Cmt.Block;
          commentText += '*';
          i++;
        } else if (comment !== Cmt.Slash && c !== LF) {
          if (commentText.length < CONTEXT_CHARS) commentText += s[i];
          if (comment === Cmt.BlockStar && c === SLASH) {
            phase = commentFrom;
            commentText = '';
          } else comment = c === STAR ? Cmt.BlockStar : Cmt.Block;
          i++;
        } else {
          // No comment after all (a lone '/', or a `/*` not closed on its line): junk from its '/' on, c read again.
          const text = commentText;
          commentText = '';
          if (commentFrom === Phase.Between) {
            phase = Phase.Element;
            kind = Kind.Scalar;
            broken = null;
            escape = false;
            peak = 1;
            push(text);
            segStart = i;
          } else if (commentFrom === Phase.Start) {
            skipped = text;
            skippedLines++;
            phase = Phase.Skip;
          } else {
            out.push({ kind: 'invalid', index, raw: text + s.slice(i, i + CONTEXT_CHARS), detail: afterEnd(afterWrapper) });
            yield out;
            return;
          }
        }
      } else {
        // Phase.Start, or Phase.End: only whitespace may follow the closing bracket, or another
        // array (files concatenated into one, each with its array and perhaps its byte-order mark)
        const atStart: boolean = phase === Phase.Start;
        if (atStart && skipped !== null && (c === OPEN_SQ || c === OPEN_CURLY)) {
          // JSON starts on this line: the lines before it cost one element, as a cut line later does.
          const at = index++;
          out.push({ kind: 'invalid', index: at, raw: skipped.trimEnd(), detail: `the input's first ${skippedLines === 1 ? 'line is' : `${skippedLines} lines are`} not JSON (first character is not "[" or "{": a file cut inside a line, or a comment): skipped, and the input read from the next line that starts with "[" or "{"` });
          skipped = null;
        }
        if (isWs(c) || c === BOM || c === NUL) i++;
        else if (c === SLASH && (!atStart || skipped === null)) {
          // A comment before the first value or after the array (a header, `] // end`); after a
          // line that is no JSON it is one more such line (Phase.Skip), as before.
          commentFrom = phase;
          phase = Phase.Comment;
          comment = Cmt.Slash;
          commentText = '/';
          i++;
        } else if (c === OPEN_SQ) {
          phase = opts.elementsAreArrays ? Phase.AfterOpen : Phase.Between;
          openCol = col;
          lfSinceOpen = false;
          i++;
        } else if (c === OPEN_CURLY && probe) {
          phase = Phase.Probe;
          members = new WrapperMembers(opts.wrappers!.recordFields, opts.elementsAreArrays);
          // The probe reads from after the '{'; what it read is kept from the '{' on.
          probed = ['{'];
          probeCol = Math.max(col, 0);
          probeEnd = !atStart;
          i++;
        } else if (c === OPEN_CURLY && atStart) {
          lines = true;
          phase = Phase.Between; // the '{' starts the first element
          wsOnly = col >= 0; // and is read again there
        } else if (c === OPEN_CURLY && !opts.elementsAreArrays) {
          // JSON Lines after the closing bracket (a JSON Lines file appended to an array export,
          // `cat a.json b.jsonl`): read on as JSON Lines, each record an element numbered on.
          // Before, everything after the bracket was one reject.
          lines = true;
          phase = Phase.Between;
          wsOnly = col >= 0;
        } else if (atStart) {
          // A line that is no JSON before the first value: read past it (Phase.Skip); JSON may start on a later line.
          skipped ??= '';
          skippedLines++;
          phase = Phase.Skip;
        } else {
          out.push({ kind: 'invalid', index, raw: s.slice(i, i + CONTEXT_CHARS), detail: afterEnd(afterWrapper) });
          yield out;
          return;
        }
      }
    }
    if (!rescan) lineStart -= n;
    if (phase === Phase.Element && segStart < n) push(s.slice(segStart));
    if (out.length) yield out;
  }

  if (skipped !== null && (phase === Phase.Skip || phase === Phase.Start)) {
    yield [{ kind: 'invalid', index, raw: skipped.trimEnd(), detail: 'the input is neither a JSON array nor JSON lines (first character is not "[" or "{")' }];
  } else if (phase === Phase.Element) {
    const raw = take();
    const ev = literal(index, raw.trimEnd());
    if (ev) {
      index++;
      yield lines ? [ev] : [ev, { kind: 'truncated', index, raw: '', detail: `the input ends before the array is closed (after ${index} elements)` }];
    } else yield [{ kind: 'truncated', index, raw, detail: `the input ends inside element ${index}${oversized ? ` (its first ${CONTEXT_CHARS} of over ${MAX_ELEMENT_CHARS} characters kept)` : ''}` }];
  } else if (phase === Phase.Between && !lines) {
    yield [{ kind: 'truncated', index, raw: '', detail: `the input ends before the array is closed (after ${index} elements)` }];
  } else if (phase === Phase.Start) {
    yield [{ kind: 'truncated', index, raw: '', detail: 'the input ends before the JSON array starts (empty input)' }];
  } else if (phase === Phase.Members) {
    yield [{ kind: 'truncated', index, raw: '', detail: `the input ends before the object around the records is closed (after ${index} elements)` }];
  }
}

/**
 * The element's text with each `"id": <integer of 16 or more digits>` quoted: JSON.parse reads
 * such a number as a double and loses its last digits (9007199254740993 → …992), and two records'
 * ids would read alike. Quoted, the id keeps its digits (ids are text in the origin). Only ids, and
 * only when the text has an "id" key: values elsewhere are left as JSON.parse reads them.
 */
export function quoteLongIds(raw: string): string {
  let at = raw.indexOf('"id"');
  if (at < 0) return raw;
  let out = '';
  let from = 0;
  while (at >= 0) {
    let k = at + 4;
    while (k < raw.length && (raw.charCodeAt(k) === 32 || raw.charCodeAt(k) === 9 || raw.charCodeAt(k) === 10 || raw.charCodeAt(k) === 13)) k++;
    if (raw.charCodeAt(k) === 58 /* : */) {
      k++;
      while (k < raw.length && (raw.charCodeAt(k) === 32 || raw.charCodeAt(k) === 9 || raw.charCodeAt(k) === 10 || raw.charCodeAt(k) === 13)) k++;
      const start = k;
      if (raw.charCodeAt(k) === 45 /* - */) k++;
      const digits = k;
      while (k < raw.length && raw.charCodeAt(k) >= 48 && raw.charCodeAt(k) <= 57) k++;
      const next = raw.charCodeAt(k);
      // an integer (no fraction or exponent after it) too long for a double to hold exactly
      if (k - digits >= 16 && next !== 46 && next !== 101 && next !== 69) {
        out += `${raw.slice(from, start)}"${raw.slice(start, k)}"`;
        from = k;
      }
    }
    at = raw.indexOf('"id"', k);
  }
  return from === 0 ? raw : out + raw.slice(from);
}

/**
 * An element that JSON.parse refused, read as the writers of real exports write it: Python's json
 * module by default (pandas and hand-made exports), where NaN, Infinity and -Infinity outside
 * strings stand for a missing number and become null (the importers read null as an absent
 * field), and hand-edited or JavaScript-written files, where a comma may follow an object's last
 * member or an array's last element (it is dropped: `{"a": 1,}` is `{"a": 1}`), and writers
 * that put control characters (a tab, a CR, U+0001 …) into strings unescaped, as
 * json.loads(strict=False) reads them (they are escaped: the string keeps them). Undefined when
 * the text has none of these or still does not parse, and is no Python literal either
 * (pythonLiteral): then the element is a parse_error reject as before. Only called on the failure
 * path, so valid files pay nothing for it.
 */
export function pythonJson(raw: string): unknown {
  const fixed = jsonFixes(raw);
  if (fixed !== undefined) {
    try {
      return JSON.parse(fixed);
    } catch {
      // not JSON with those fixes: perhaps a Python literal
    }
  }
  return pythonLiteral(raw);
}

/** raw with pythonJson's fixes (NaN and Infinity as null, no comma before a closing bracket, control characters escaped), or undefined when it needs none. */
function jsonFixes(raw: string): string | undefined {
  let out = '';
  let from = 0;
  let changed = false;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
      else if (c < 0x20) {
        out += `${raw.slice(from, i)}\\u${c.toString(16).padStart(4, '0')}`;
        from = i + 1;
        changed = true;
      }
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === COMMA) {
      let j = i + 1;
      while (j < raw.length && isWs(raw.charCodeAt(j))) j++;
      const next = raw.charCodeAt(j);
      if (next === CLOSE_CURLY || next === CLOSE_SQ) {
        out += raw.slice(from, i);
        from = i + 1;
        changed = true;
      }
      continue;
    }
    if (c !== 0x2d && c !== 0x49 && c !== 0x4e) continue; // '-', 'I', 'N'
    const word = NON_FINITE.find((w) => raw.startsWith(w, i));
    if (word && !isWordChar(raw.charCodeAt(i - 1)) && !isWordChar(raw.charCodeAt(i + word.length))) {
      out += `${raw.slice(from, i)}null`;
      i += word.length - 1;
      from = i + 1;
      changed = true;
    }
  }
  return changed ? out + raw.slice(from) : undefined;
}

/**
 * An element written as a Python literal, as `str(record)` or `repr(record)` writes a dict or list
 * (scrapers that write `f.write(str(d))`, pprint): strings in single or double quotes with Python's
 * escapes (\n, \', \xNN, \uNNNN, \UNNNNNNNN, octal), True, False, None, tuples as lists, a
 * comma before a closing bracket. Its value, or undefined when the text is not such a literal
 * (nothing else is accepted: no expressions, no bare words). Only on the failure path.
 */
export function pythonLiteral(raw: string): unknown {
  if (raw.indexOf("'") < 0 && !/\b(?:True|False|None)\b/.test(raw)) return undefined;
  let out = '';
  const n = raw.length;
  let i = 0;
  while (i < n) {
    const c = raw.charCodeAt(i);
    if (c === 0x27 || c === 0x22) {
      // A string literal, quoted by c (adjacent ones are one string, as Python joins them): decoded, then written as JSON.
      const str = pyStringRun(raw, i);
      if (!str) return undefined;
      out += JSON.stringify(str.v);
      i = str.end;
      continue;
    }
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(raw.slice(i, i + 16))!;
      const word = PY_WORDS[m[0]];
      if (word === undefined) return undefined;
      out += word;
      i += m[0].length;
      continue;
    }
    if (c === 0x28) {
      // pprint wraps a long string as adjacent literals in parentheses, ('…'\n '…'): one string.
      // Anything else in parentheses is a tuple (a one-element one has its comma: ('a',)).
      const k = skipPyWs(raw, i + 1);
      const q = raw.charCodeAt(k);
      if (q === 0x27 || q === 0x22) {
        const str = pyStringRun(raw, k);
        if (str) {
          const after = skipPyWs(raw, str.end);
          if (raw.charCodeAt(after) === 0x29) {
            out += JSON.stringify(str.v);
            i = after + 1;
            continue;
          }
        }
      }
      out += '[';
    } else if (c === 0x29) out += ']';
    else out += raw[i];
    i++;
  }
  try {
    return JSON.parse(jsonFixes(out) ?? out);
  } catch {
    return undefined;
  }
}

function skipPyWs(raw: string, i: number): number {
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** The Python string literals from the one at `at` on that whitespace alone separates ('a' 'b' is 'ab'), decoded, and where they end. */
function pyStringRun(raw: string, at: number): { v: string; end: number } | undefined {
  const first = pyString(raw, at);
  if (!first) return undefined;
  let { v, end } = first;
  for (;;) {
    const k = skipPyWs(raw, end);
    const q = raw.charCodeAt(k);
    if (q !== 0x27 && q !== 0x22) return { v, end };
    const next = pyString(raw, k);
    if (!next) return undefined;
    v += next.v;
    end = next.end;
  }
}

/** One Python string literal quoted by the character at `at`, decoded, and the index after its closing quote; undefined when it is not one. */
function pyString(raw: string, at: number): { v: string; end: number } | undefined {
  const n = raw.length;
  const c = raw.charCodeAt(at);
  let v = '';
  let j = at + 1;
  while (j < n) {
    const d = raw.charCodeAt(j);
    if (d === c) return { v, end: j + 1 };
    if (d === 0x0a) return undefined; // a Python string literal does not span lines
    if (d !== 0x5c) {
      let k = j + 1;
      while (k < n) {
        const e = raw.charCodeAt(k);
        if (e === c || e === 0x5c || e === 0x0a) break;
        k++;
      }
      v += raw.slice(j, k);
      j = k;
      continue;
    }
    const e = raw[j + 1];
    if (e === undefined) return undefined;
    const simple = PY_ESCAPES[e];
    if (simple !== undefined) {
      v += simple;
      j += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = raw.slice(j + 2, j + 2 + len);
      if (hex.length !== len || !HEX.test(hex)) return undefined;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      v += String.fromCodePoint(cp);
      j += 2 + len;
    } else if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(raw.slice(j + 1, j + 4))!;
      v += String.fromCharCode(parseInt(m[0], 8));
      j += 1 + m[0].length;
    } else if (e === '\n') {
      j += 2; // a backslash at a line end continues the literal
    } else {
      v += `\\${e}`; // Python keeps an unknown escape as written
      j += 2;
    }
  }
  return undefined;
}

const HEX = /^[0-9a-fA-F]+$/;
/** The detail of text after the records' closing bracket (of the array, or of the object around them). */
function afterEnd(afterWrapper: boolean): string {
  return afterWrapper ? 'unexpected content after the closing "}" of the object around the records' : 'unexpected content after the closing "]" of the array';
}

const PY_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', a: '\x07' };
const PY_WORDS: Record<string, string> = { True: 'true', False: 'false', None: 'null', NaN: 'NaN', Infinity: 'Infinity', nan: 'NaN', inf: 'Infinity' };

const NON_FINITE = ['-Infinity', 'Infinity', 'NaN'];

/** A character that continues a bare word or number (so `NaNa`, `xInfinity` or `1NaN` are not the literals). */
function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e;
}
