/**
 * Title echo: the opening patient turn of Q&A sites' dumps (Huatuo-26M, and any scrape that joins
 * a question's title to its body) often holds the title twice, because the site's title is the
 * body's first characters and the dump concatenates both:
 *
 * - title, then the body that begins with it: `快20天没大便了，吃药没用，是？快20天没大便了，吃药没用，是怎么回事？`
 *   (the title cut mid-sentence, a `？` appended) → the body;
 * - the body, then the title (a prefix of the body) at the end: `…想问问还有没，肺上有个瘤听说是…` → the body;
 * - both, or the same text twice, with or without a separator between them.
 *
 * Pure and linear in practice: candidates are only the places where the text's first
 * ECHO_MIN_CHARS characters occur again, and each is checked with one startsWith. An echo is at
 * least ECHO_MIN_CHARS characters: shorter repeats ("医生你好，医生你好") are left to the
 * pleasantry rules. On the Huatuo test file (6,000 dialogues) it fires on 257, and on none of the other five shared corpora.
 */

/** The shortest repeated opening treated as an echo of the title. */
export const ECHO_MIN_CHARS = 8;
/** What may stand between the title and the body (the site's appended question mark, a comma, a line break). */
const SEP = new Set([...'，。？！、；：,.?!;: \n\t…']);
/** Trailing characters dropped where a title is cut off the end (a clause separator, not a sentence end). */
const TRAILING = new Set([...'，、；：,;: \n\t']);
/** At most this many separator characters between the title and the body. */
const MAX_SEP = 2;
/**
 * Places where the opening occurs again that are tried, per rule: a real echo is the first or
 * second of them, and the cap keeps a hostile periodic text (头痛头痛… for 32 K characters) linear.
 */
const MAX_CANDIDATES = 16;

/** The text with an echoed title removed, or undefined when it holds none. */
export function withoutTitleEcho(text: string): string | undefined {
  const lead = withoutLeadingTitle(text);
  const body = lead ?? text;
  const trail = withoutTrailingTitle(body);
  return trail ?? lead;
}

/** `title SEP? body` where body starts with the whole title → body. */
function withoutLeadingTitle(t: string): string | undefined {
  if (t.length < 2 * ECHO_MIN_CHARS) return undefined;
  const head = t.slice(0, ECHO_MIN_CHARS);
  let tries = 0;
  for (let p = t.indexOf(head, ECHO_MIN_CHARS); p >= 0 && tries < MAX_CANDIDATES; p = t.indexOf(head, p + 1), tries++) {
    let q = p;
    while (q > ECHO_MIN_CHARS && p - q < MAX_SEP && SEP.has(t[q - 1])) q--;
    // the title runs to q (only separators in q..p); the body from p must repeat all of it
    if (t.startsWith(t.slice(0, q), p)) return t.slice(p);
  }
  return undefined;
}

/**
 * `body END SEP? title` where title is a prefix of body and ends the text → body (without a
 * trailing clause separator). The copy must follow a sentence end or a form label's colon: a
 * patient who ends by asking the question again ("…请问医生，银屑病脱皮应该怎么办") wrote it
 * into a sentence, and cutting it would leave "…请问医生".
 */
function withoutTrailingTitle(t: string): string | undefined {
  if (t.length < 2 * ECHO_MIN_CHARS) return undefined;
  const head = t.slice(0, ECHO_MIN_CHARS);
  // the copy (up to the trailing separators) cannot overlap the opening it repeats: it starts in the second half
  const end = trimEnd(t, SEP).length;
  let tries = 0;
  for (let p = t.indexOf(head, Math.max(ECHO_MIN_CHARS, (end + 1) >> 1)); p >= 0 && tries < MAX_CANDIDATES; p = t.indexOf(head, p + 1), tries++) {
    const tail = trimEnd(t.slice(p), SEP);
    if (tail.length >= ECHO_MIN_CHARS && p >= tail.length && afterSentenceEnd(t, p) && t.startsWith(tail)) {
      let cut = p;
      while (cut > 0 && TRAILING.has(t[cut - 1])) cut--;
      return t.slice(0, cut);
    }
  }
  return undefined;
}

/** Sentence ends and colons: what a copy of the title appended at the end follows (after any other separators). */
const SENTENCE_END = new Set([...'。？！?!.…：:']);

function afterSentenceEnd(t: string, p: number): boolean {
  for (let i = p - 1; i >= 0 && SEP.has(t[i]); i--) if (SENTENCE_END.has(t[i])) return true;
  return false;
}

function trimEnd(s: string, chars: Set<string>): string {
  let e = s.length;
  while (e > 0 && chars.has(s[e - 1])) e--;
  return s.slice(0, e);
}
