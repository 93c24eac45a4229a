/**
 * A streaming scanner for files that are one top-level JSON array (CMtMedQA, Huatuo, MIE):
 * finds each element's text by tracking string/escape state and bracket depth, and JSON.parses
 * elements one at a time, so memory is bounded by the largest element, not the file.
 *
 * Inputs that start with '{' are read as JSON Lines (one object per line, or objects separated by
 * whitespace), the layout re-published copies of these datasets often use. For a format whose
 * elements are arrays (MIE: a dialogue is an array of windows), an input starting `[{` is JSON
 * Lines of arrays: one dialogue per line counts as one element, not as the first dialogue's
 * windows plus garbage (ScanOptions.elementsAreArrays).
 *
 * An element nested deeper than MAX_JSON_DEPTH is not parsed at all ('too_deep'): real elements
 * are a few levels deep, and deep values break everything that walks them recursively later.
 *
 * A broken element is reported ('invalid') and scanning goes on with the next one; an input that
 * ends inside an element or before the closing ']' is reported as 'truncated'. It must not throw
 * on bad data and must not interpret elements (that is the importer's job).
 */

export type JsonArrayEvent =
  | { kind: 'element'; index: number; value: unknown }
  /** The element's text is not valid JSON, or the input is not a JSON array at all. */
  | { kind: 'invalid'; index: number; raw: string; detail: string }
  /** The input ended inside an element or before the array was closed. */
  | { kind: 'truncated'; index: number; raw: string; detail: string }
  /** The element nests arrays/objects deeper than MAX_JSON_DEPTH (not parsed). */
  | { kind: 'too_deep'; index: number; raw: string; detail: string };

/** The deepest nesting of arrays/objects an element may have (CMtMedQA, MIE and Huatuo use ≤ 4). */
export const MAX_JSON_DEPTH = 64;



const enum Phase {
  Start,
  /** After the first '[' of a format whose elements are arrays: is the next value an object? */
  AfterOpen,
  Between,
  Element,
  End,
}

const enum Kind {
  Container,
  String,
  Scalar,
}

const QUOTE = 34;
const BACKSLASH = 92;
const LF = 10;
const COMMA = 44;
const OPEN_SQ = 91;
const CLOSE_SQ = 93;
const OPEN_CURLY = 123;
const CLOSE_CURLY = 125;
const BOM = 0xfeff;

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

export interface ScanOptions {
  /**
   * The format's elements are arrays (MIE): an input whose first '[' is directly followed by '{'
   * is then JSON Lines of arrays (that '[' opens element 0), not one array of objects.
   */
  elementsAreArrays?: boolean;
}

export async function* jsonArrayElements(text: AsyncIterable<string>, opts: ScanOptions = {}): AsyncGenerator<JsonArrayEvent> {
  for await (const batch of jsonArrayBatches(text, opts)) yield* batch;
}

/** jsonArrayElements a text chunk at a time: the events of each chunk as one array (one await per chunk, not per element). */
export async function* jsonArrayBatches(text: AsyncIterable<string>, opts: ScanOptions = {}): AsyncGenerator<JsonArrayEvent[]> {
  let phase = Phase.Start;
  let index = 0;
  /** JSON Lines: top-level objects, no enclosing array. */
  let lines = false;
  // element state
  let kind = Kind.Container;
  let depth = 0;
  let inString = false;
  let escape = false;
  let broken: string | null = null;
  let peak = 0;
  let parts: string[] = [];

  const finish = (raw: string): JsonArrayEvent => {
    const at = index++;
    if (broken !== null) return { kind: 'invalid', index: at, raw, detail: broken };
    if (peak > MAX_JSON_DEPTH) return { kind: 'too_deep', index: at, raw, detail: `element ${at} nests arrays/objects ${peak} levels deep (at most ${MAX_JSON_DEPTH} are read)` };
    try {
      return { kind: 'element', index: at, value: JSON.parse(raw) };
    } catch (e) {
      return { kind: 'invalid', index: at, raw, detail: `element ${at} is not valid JSON: ${(e as Error).message}` };
    }
  };

  for await (const s of text) {
    const out: JsonArrayEvent[] = [];
    const n = s.length;
    let i = 0;
    // Inside strings only a quote, a backslash or a raw newline matters: the next of each in this
    // chunk (n: none), found with indexOf (native, far faster than a charCodeAt loop over long
    // Chinese text) and searched again only once scanning has passed it.
    let nextQuote = -1;
    let nextBackslash = -1;
    let nextLf = -1;
    let segStart = phase === Phase.Element ? 0 : -1;
    while (i < n) {
      if (phase === Phase.Element) {
        if (kind === Kind.Scalar) {
          for (; i < n; i++) {
            const c = s.charCodeAt(i);
            if (c === COMMA || c === CLOSE_SQ || isWs(c)) break;
          }
          if (i === n) break;
          parts.push(s.slice(segStart, i));
          out.push(finish(parts.join('')));
          parts = [];
          phase = Phase.Between;
          continue; // the delimiter is handled in Between
        }
        let done = false;
        for (; i < n; i++) {
          if (inString && !escape) {
            // Skip to the next quote, backslash or raw newline.
            if (nextQuote < i) nextQuote = indexIn(s, '"', i, n);
            if (nextBackslash < i) nextBackslash = indexIn(s, '\\', i, n);
            if (nextLf < i) nextLf = indexIn(s, '\n', i, n);
            i = nextQuote < nextBackslash ? (nextQuote < nextLf ? nextQuote : nextLf) : nextBackslash < nextLf ? nextBackslash : nextLf;
            if (i === n) break;
          }
          const c = s.charCodeAt(i);
          if (inString) {
            if (escape) escape = false;
            else if (c === BACKSLASH) escape = true;
            else if (c === QUOTE) {
              inString = false;
              if (kind === Kind.String) {
                done = true;
                i++;
                break;
              }
            } else if (c === LF) {
              // A raw newline cannot be inside a JSON string: the string lost its closing quote.
              // Resume structure tracking here so the next elements can still be found.
              inString = false;
              escape = false;
              broken ??= `element ${index} has an unterminated string`;
              if (kind === Kind.String) {
                done = true;
                i++;
                break;
              }
            }
          } else if (c === QUOTE) inString = true;
          else if (c === OPEN_CURLY || c === OPEN_SQ) {
            if (++depth > peak) peak = depth;
          } else if (c === CLOSE_CURLY || c === CLOSE_SQ) {
            depth--;
            if (depth === 0) {
              done = true;
              i++;
              break;
            }
          }
        }
        if (!done) break;
        parts.push(s.slice(segStart, i));
        out.push(finish(parts.join('')));
        parts = [];
        phase = Phase.Between;
        continue;
      }
      const c = s.charCodeAt(i);
      if (phase === Phase.Between) {
        if (isWs(c) || c === COMMA || c === BOM) {
          i++;
        } else if (c === CLOSE_SQ) {
          phase = Phase.End;
          i++;
        } else {
          // an element starts
          phase = Phase.Element;
          segStart = i;
          broken = null;
          escape = false;
          peak = 1;
          if (c === OPEN_CURLY || c === OPEN_SQ) {
            kind = Kind.Container;
            depth = 1;
            inString = false;
          } else if (c === QUOTE) {
            kind = Kind.String;
            depth = 0;
            inString = true;
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
          kind = Kind.Container;
          depth = 1;
          peak = 1;
          inString = false;
          escape = false;
          broken = null;
          parts = ['['];
          segStart = i;
        } else phase = Phase.Between;
      } else if (phase === Phase.Start) {
        if (isWs(c) || c === BOM) i++;
        else if (c === OPEN_SQ) {
          phase = opts.elementsAreArrays ? Phase.AfterOpen : Phase.Between;
          i++;
        } else if (c === OPEN_CURLY) {
          lines = true;
          phase = Phase.Between; // the '{' starts the first element
        } else {
          out.push({ kind: 'invalid', index, raw: s.slice(i, i + CONTEXT_CHARS), detail: 'the input is neither a JSON array nor JSON lines (first character is not "[" or "{")' });
          yield out;
          return;
        }
      } else {
        // Phase.End: only whitespace may follow the closing bracket
        if (isWs(c)) i++;
        else {
          out.push({ kind: 'invalid', index, raw: s.slice(i, i + CONTEXT_CHARS), detail: 'unexpected content after the closing "]" of the array' });
          yield out;
          return;
        }
      }
    }
    if (phase === Phase.Element && segStart < n) parts.push(s.slice(segStart));
    if (out.length) yield out;
  }

  if (phase === Phase.Element) {
    yield [{ kind: 'truncated', index, raw: parts.join(''), detail: `the input ends inside element ${index}` }];
  } else if (phase === Phase.Between && !lines) {
    yield [{ kind: 'truncated', index, raw: '', detail: `the input ends before the array is closed (after ${index} elements)` }];
  } else if (phase === Phase.Start) {
    yield [{ kind: 'truncated', index, raw: '', detail: 'the input ends before the JSON array starts (empty input)' }];
  }
}
