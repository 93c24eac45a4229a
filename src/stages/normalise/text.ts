/**
 * Text cleaning for one utterance: Unicode, HTML remnants, whitespace, punctuation width,
 * traditional→simplified, then platform boilerplate (boilerplate.ts, templates as data) and PII
 * placeholders (pii.ts). Pure string functions.
 *
 * Every pattern here sees untrusted text and must run in linear time: no nested or overlapping
 * quantifiers (`\s*[:：]?\s*`, `[^()]*X[^()]*`), no unbounded run that a failing suffix makes the
 * engine retry from every start (`[^>]*>` over `<b <b <b`, `[a-z.]+@` over `a.a.a.`); what a
 * regex cannot say linearly is a scan (parenCjk). Callers cap the length first
 * (normalise: MAX_RAW_CHARS_FACTOR). pii.ts holds its own patterns to the same rule.
 */
import * as OpenCC from 'opencc-js/t2cn';
import { stripTemplates, type TemplateHits, type templatesFor } from './boilerplate.js';
import { scrubPii, withoutPlaceholders, type PiiCounts } from './pii.js';

export { scrubPii } from './pii.js';
type CompiledTemplates = ReturnType<typeof templatesFor>;

const toCn = OpenCC.Converter({ from: 'hk', to: 'cn' });

/**
 * Code units that OpenCC changes on their own: a text with none of them is already simplified,
 * so it skips the (comparatively slow) converter. Built once, lazily: the candidate units go
 * through the converter in one call, one per line (no dictionary entry holds a newline, so each
 * is converted as it would be alone; traditionalTableByUnit, one call per unit, is the reference
 * the tests compare it with, and the fallback should the line count ever differ).
 */
const CJK_RANGES = [[0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff]];
let traditional: Uint8Array | undefined;
function traditionalTable(): Uint8Array {
  if (traditional) return traditional;
  const units: string[] = [];
  for (const [lo, hi] of CJK_RANGES) for (let c = lo; c <= hi; c++) units.push(String.fromCharCode(c));
  const converted = toCn(units.join('\n')).split('\n');
  if (converted.length !== units.length) return (traditional = traditionalTableByUnit());
  const t = new Uint8Array(0x10000);
  for (let i = 0; i < units.length; i++) if (converted[i] !== units[i]) t[units[i].charCodeAt(0)] = 1;
  traditional = t;
  return t;
}

/** The same table asked one code unit at a time. */
export function traditionalTableByUnit(): Uint8Array {
  const t = new Uint8Array(0x10000);
  for (const [lo, hi] of CJK_RANGES) {
    for (let c = lo; c <= hi; c++) {
      const ch = String.fromCharCode(c);
      if (toCn(ch) !== ch) t[c] = 1;
    }
  }
  return t;
}

/** The table toSimplified uses (for the tests). */
export function traditionalUnits(): Uint8Array {
  return traditionalTable();
}

export function toSimplified(s: string): string {
  const t = traditionalTable();
  for (let i = 0; i < s.length; i++) if (t[s.charCodeAt(i)] === 1) return toCn(s);
  return s;
}

/**
 * Named entities scraped pages and dumps carry (HTML 4: markup, punctuation, Latin-1 symbols,
 * arrows, maths and Greek letters, which lab values and doses use: &ndash;, &plusmn;, &micro;, &ge;).
 * An unknown name stays as it was.
 */
const ENTITIES: Record<string, string> = {
  nbsp: ' ', ensp: ' ', emsp: ' ', thinsp: ' ', lt: '<', gt: '>', amp: '&', quot: '"', apos: "'",
  ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', sbquo: '‚', bdquo: '„', laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›',
  hellip: '…', mdash: '—', ndash: '–', middot: '·', bull: '•', prime: '′', Prime: '″', dagger: '†', permil: '‰',
  iexcl: '¡', iquest: '¿', sect: '§', para: '¶', copy: '©', reg: '®', trade: '™', deg: '°', plusmn: '±', micro: 'µ',
  times: '×', divide: '÷', sup1: '¹', sup2: '²', sup3: '³', frac14: '¼', frac12: '½', frac34: '¾', ordf: 'ª', ordm: 'º',
  cent: '¢', pound: '£', yen: '¥', euro: '€', curren: '¤', brvbar: '¦', uml: '¨', macr: '¯', acute: '´', cedil: '¸', not: '¬', shy: '\u00ad',
  larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', lArr: '⇐', rArr: '⇒', hArr: '⇔',
  le: '≤', ge: '≥', ne: '≠', asymp: '≈', equiv: '≡', minus: '−', lowast: '∗', radic: '√', infin: '∞', sum: '∑', prod: '∏', part: '∂', int: '∫', prop: '∝', ang: '∠', sim: '∼', cong: '≅', there4: '∴',
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ', iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ',
  nu: 'ν', xi: 'ξ', omicron: 'ο', pi: 'π', rho: 'ρ', sigma: 'σ', sigmaf: 'ς', tau: 'τ', upsilon: 'υ', phi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
  Alpha: 'Α', Beta: 'Β', Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Pi: 'Π', Sigma: 'Σ', Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
};

/**
 * Characters that must not reach a shard: zero-width and other invisible format characters that
 * leak in from web pages; C0 controls but \t \n (\r, \v, \f become whitespace later) and C1
 * controls (NUL, ESC …); bidi embeddings, overrides, isolates and marks (U+202A–202E, U+2066–2069,
 * U+061C, U+200E/F) that reorder what a reader sees; tag characters (U+E0000–E007F); lone
 * surrogates (half an astral character, from a writer that cut a string between the two UTF-16 units
 * of an emoji, or a `\ud83d` escape without its pair: no character, and a UTF-8 encoder refuses it,
 * so a trainer's tokenizer would fail on the record). With the u flag the class matches only
 * unpaired surrogates; a paired one is one astral code point. An ESC goes with the terminal escape
 * it starts (`\x1b[31m` colours from a log or console copy, `\x1b]…\x07` titles), so no `[31m`
 * is left behind.
 */
const INVISIBLE = /\u001B(?:\[[0-?]*[ -\/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)?)?|[\u0000-\u0008\u000E-\u001A\u001C-\u001F\u007F-\u009F\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\uD800-\uDFFF\u{E0000}-\u{E007F}]/gu;
/**
 * Line and paragraph separators (U+2028/2029): line ends to a reader, but not to JSON, so a
 * shard line holding one raw is two lines to Python's splitlines() and to many JSONL readers.
 */
const LINE_SEPARATORS = /[\u2028\u2029]/g;
/**
 * An allow-listed tag (those of pages and rich-text editors; a bare `<` in text, 血糖<6.1, is not
 * one); its attributes stop at the next '<' so a run of unclosed `<b ` stays linear.
 */
const HTML_TAG = /<\/?(?:br|p|div|span|img|a|b|i|u|s|strong|em|font|li|ul|ol|dl|dt|dd|table|thead|tbody|tfoot|tr|td|th|h\d|hr|sup|sub|small|big|center|section|article|header|footer|nav|blockquote|pre|code|label|input|button|form|textarea|select|option|iframe|object|embed|svg|link|meta|noscript|wbr|ins|del|mark|figure|figcaption|html|head|body|title)\b[^<>]*>/gi;
/** A script or style element, content and all (its text is code, never dialogue). */
const HTML_CODE_ELEMENT = /<(script|style)\b[^<>]*>[^]*?<\/\1\s*>|<\/?(?:script|style)\b[^<>]*>/gi;
const HTML_ENTITY = /&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,9});/gi;
/** Any CJK ideograph or full-width punctuation: context that calls for full-width punctuation. */
const CJK = '\\u3000-\\u303F\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uF900-\\uFAFF\\uFF01-\\uFF5E';
const HALF_PUNCT_AFTER_CJK = new RegExp(`([${CJK}])\\s*([,?!;:])`, 'g');
const HALF_PUNCT_BEFORE_CJK = new RegExp(`([,?!;:])\\s*(?=[${CJK}])`, 'g');
const PERIOD_AFTER_CJK = new RegExp(`([${CJK}])\\.(?!\\d)`, 'g');
const CJK_CHAR = new RegExp(`[${CJK}]`);
const FULL_MAP: Record<string, string> = { ',': '，', '?': '？', '!': '！', ';': '；', ':': '：' };

/**
 * Tags removed (a line break for block tags) and entities decoded, then again on what that made, up
 * to three rounds: text that was escaped once (`&lt;br&gt;`, from an editor that escaped the HTML it
 * stored) or twice (`&amp;nbsp;`) ends as clean as raw markup; before, it reached shards as tags.
 */
export function decodeHtml(s: string): string {
  let t = s.indexOf(';') === -1 ? s : repairStrippedEntities(s);
  for (let round = 0; round < 3; round++) {
    if (t.indexOf('<') === -1 && t.indexOf('&') === -1) return t;
    const next = decodeHtmlOnce(t);
    if (next === t) return t;
    t = next;
  }
  return t;
}

/**
 * An entity whose '&' a dump lost (Huatuo: 高达60#xFF05; for 60％) or turned into ';' (Toyhom:
 * 参考值;lt;20, 参照;amp;lt;1000): a hex reference is one wherever it stands; a decimal one only for
 * the characters such dumps escape (quotes, <, >, &, no-break space, full-width and CJK
 * punctuation), so 第#12; stays; the ';'-for-'&' form only for the markup names. What it gives back
 * is decoded by the rounds after it like any entity (;amp;lt; → &lt; → <).
 */
const STRIPPED_ENTITY = /(?<!&|&amp;)#x([0-9a-f]{2,6});|(?<!&|&amp;)#(\d{2,5});|(?<!&#?[0-9a-z]{1,10});(lt|gt|amp|quot|nbsp);/gi;

function repairStrippedEntities(s: string): string {
  if (s.indexOf('#') === -1 && !/;(?:lt|gt|amp|quot|nbsp);/i.test(s)) return s;
  return s.replace(STRIPPED_ENTITY, (m, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return name.toLowerCase() === 'amp' ? '&' : ENTITIES[name.toLowerCase()]!;
    const code = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
    if (hex === undefined && !(code === 34 || code === 38 || code === 39 || code === 60 || code === 62 || code === 160 || (code >= 0x3000 && code <= 0x303f) || (code >= 0xff01 && code <= 0xff5e))) return m;
    return code > 0 && code < 0x110000 && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : m;
  });
}

function decodeHtmlOnce(s: string): string {
  let t = s;
  if (t.indexOf('<') !== -1) t = t.replace(HTML_CODE_ELEMENT, '').replace(HTML_TAG, (m) => (/^<\/?(br|p|div|li|tr|h\d|hr|dt|dd|blockquote|pre|table)\b/i.test(m) ? '\n' : ''));
  if (t.indexOf('&') === -1) return t;
  return t.replace(HTML_ENTITY, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e] ?? ENTITIES[e.toLowerCase()] ?? m;
  });
}

const FULL_ALNUM = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g;
const P_FULL_ALNUM = 1;
const P_IDEO_SPACE = 2;
const P_HALF_PUNCT = 4;
const P_PERIOD = 8;
const P_PAREN = 16;

/**
 * Which of normalisePunctuation's passes can match `s` at all, in one scan: a pass whose
 * characters are absent is skipped (it would return its input). No pass makes a character
 * another pass looks for (full-width letters and digits become ASCII letters and digits, U+3000
 * a space, punctuation full-width), so the flags of the input hold for every pass.
 */
function punctuationPasses(s: string): number {
  let f = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 44 || c === 63 || c === 33 || c === 59 || c === 58) f |= P_HALF_PUNCT; // , ? ! ; :
      else if (c === 46) f |= P_PERIOD;
      else if (c === 40) f |= P_PAREN;
    } else if (c === 0x3000) f |= P_IDEO_SPACE;
    else if (c >= 0xff10 && c <= 0xff5a) f |= P_FULL_ALNUM;
  }
  return f;
}

/** Full-width ASCII letters/digits → half-width; half-width punctuation in Chinese context → full-width. */
export function normalisePunctuation(s: string): string {
  const f = punctuationPasses(s);
  if (f === 0) return tidyPunctuationRuns(s);
  let t = s;
  if (f & P_FULL_ALNUM) t = t.replace(FULL_ALNUM, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (f & P_IDEO_SPACE) t = t.replace(/\u3000/g, ' ');
  if (f & P_HALF_PUNCT) {
    t = t.replace(HALF_PUNCT_AFTER_CJK, (_m, a: string, p: string) => a + FULL_MAP[p]);
    t = t.replace(HALF_PUNCT_BEFORE_CJK, (_m, p: string) => FULL_MAP[p]);
  }
  if (f & P_PERIOD) t = t.replace(PERIOD_AFTER_CJK, '$1。');
  return tidyPunctuationRuns(f & P_PAREN ? parenCjk(t) : t);
}

/** Code units tidyPunctuationRuns looks at: 。，：．, and ！？ before 。，. */
const RUN_UNIT = (c: number) => c === 0x3002 || c === 0xff0c || c === 0xff1a || c === 0xff0e;
const STRONG = (c: number) => c === 0xff01 || c === 0xff1f;
const FULL_STOP_RUN = /。{3,}/g;
/** 。 and the ASCII dots after it (结石.... → 结石。... once PERIOD_AFTER_CJK has run): one run of full stops. */
const STOP_DOTS = /。\.+/g;
const STOP_PAIR = /[，。]*。[，。]*/g;
const COMMA_RUN = /，{2,}/g;
/** ？？？ / ？?? / ！！！ (a writer's emphasis, or emoji a converter turned into ?): one mark. */
const QUESTION_RUN = /？[？?]+/g;
const BANG_RUN = /！[！!]+/g;
/** ！。 / ？， : the stronger mark stays. */
const MARK_STOP = /([！？])[。，]+/g;
const COLON_RUN = /：[：:]+|:：/g;
const FF_STOP_DIGIT = /(\d)．(?=\d)/g;
const FF_STOP_NUMBERING = /(^|[^\d])(\d{1,2})．/g;
const FF_STOP = /．/g;

/**
 * Punctuation that a site or a converter doubled (。。, ，。, 。，, ，，, ：:) becomes one mark; three
 * full stops or more (。。。, 。...) were an ellipsis (……); the full-width full stop ．becomes 。(1．a list number and
 * 2．5 a decimal point become ASCII). One scan decides whether any of it is there.
 */
export function tidyPunctuationRuns(s: string): string {
  let any = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    if (c === 0xff0e || (STRONG(c) && (next === 0x3002 || next === 0xff0c || next === c || next === (c === 0xff1f ? 63 : 33))) || (RUN_UNIT(c) && (RUN_UNIT(next) || (c === 0xff1a && next === 58) || (c === 0x3002 && next === 46)))) {
      any = true;
      break;
    }
    if (c === 58 && i + 1 < s.length && s.charCodeAt(i + 1) === 0xff1a) {
      any = true;
      break;
    }
  }
  if (!any) return s;
  return s
    .replace(STOP_DOTS, (m) => '。'.repeat(m.length))
    .replace(FF_STOP_DIGIT, '$1.')
    .replace(FF_STOP_NUMBERING, '$1$2.')
    .replace(FF_STOP, '。')
    .replace(FULL_STOP_RUN, '……')
    .replace(STOP_PAIR, '。')
    .replace(QUESTION_RUN, '？')
    .replace(BANG_RUN, '！')
    .replace(MARK_STOP, '$1')
    .replace(COMMA_RUN, '，')
    .replace(COLON_RUN, '：');
}

/** normalisePunctuation with every pass run (the form before the pre-scan): what the tests compare it with. */
export function normalisePunctuationAllPasses(s: string): string {
  let t = s.replace(FULL_ALNUM, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  t = t.replace(/\u3000/g, ' ');
  t = t.replace(HALF_PUNCT_AFTER_CJK, (_m, a: string, p: string) => a + FULL_MAP[p]);
  t = t.replace(HALF_PUNCT_BEFORE_CJK, (_m, p: string) => FULL_MAP[p]);
  t = t.replace(PERIOD_AFTER_CJK, '$1。');
  return tidyPunctuationRuns(parenCjk(t));
}

/**
 * Half-width parentheses around text holding Chinese → full-width: `(…)` with no parenthesis
 * inside and at least one CJK character. One left-to-right scan (the regex form
 * `\(([^()]*[CJK][^()]*)\)` is quadratic on a long run with no closing parenthesis).
 */
export function parenCjk(s: string): string {
  let open = s.indexOf('(');
  if (open < 0) return s;
  let out = '';
  let done = 0;
  while (open >= 0) {
    let j = open + 1;
    while (j < s.length && s[j] !== '(' && s[j] !== ')') j++;
    if (j >= s.length) break;
    if (s[j] === '(') {
      open = j;
      continue;
    }
    const inner = s.slice(open + 1, j);
    if (CJK_CHAR.test(inner)) {
      out += s.slice(done, open) + '（' + inner + '）';
      done = j + 1;
    }
    open = s.indexOf('(', j + 1);
  }
  return done === 0 ? s : out + s.slice(done);
}

const SPACE_BETWEEN_CJK = new RegExp(`([${CJK}]) (?=[${CJK}])`, 'g');
/**
 * Two or more spaces between two hanzi: where a writer (MedDialog's patients, MIE's) put a clause
 * break without punctuation (心里就紧张  身体就发热). Deleted like one space they glued the clauses
 * (心里就紧张身体就发热); a comma keeps them apart. One space stays a deletion: in the web dumps it
 * is as often inside a word (生活一 周后) as between clauses.
 */
const CLAUSE_SPACES = /([\u4e00-\u9fff])[\t\v\f ]{2,}(?=[\u4e00-\u9fff])/g;

export function normaliseWhitespace(s: string): string {
  // Which passes can match, in one scan: \r for the first; a tab, \v, \f or two spaces in a row
  // for the second (one space becomes itself); \n (or \r, which becomes one) for the third; a
  // space (or what the second pass turns into one) for the fourth.
  let cr = false;
  let nl = false;
  let sp = false;
  let run = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 32) continue;
    if (c === 32) {
      sp = true;
      if (i + 1 < s.length && s.charCodeAt(i + 1) === 32) run = true;
    } else if (c === 10) nl = true;
    else if (c === 13) cr = true;
    else if (c === 9 || c === 11 || c === 12) {
      run = true;
      sp = true;
    }
  }
  let t = s;
  if (cr) t = t.replace(/\r\n?/g, '\n');
  if (run) t = t.replace(CLAUSE_SPACES, '$1，').replace(/[\t\v\f ]+/g, ' ');
  if (nl || cr) t = t.replace(/ ?\n[ \n]*/g, '\n'); // spaces are single here: ' ?' (not ' *') keeps a failed match O(1)
  if (sp) t = t.replace(SPACE_BETWEEN_CJK, '$1');
  return t.trim();
}

/** normaliseWhitespace with every pass run (the form before the pre-scan): what the tests compare it with. */
export function normaliseWhitespaceAllPasses(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(CLAUSE_SPACES, '$1，')
    .replace(/[\t\v\f ]+/g, ' ')
    .replace(/ ?\n[ \n]*/g, '\n')
    .replace(SPACE_BETWEEN_CJK, '$1')
    .trim();
}

export interface TextOptions {
  toSimplified: boolean;
  scrubPii: boolean;
  /** Platform templates to remove (boilerplate.ts, per source); none when absent. */
  templates?: CompiledTemplates;
  /** Where template hits and placeholders are counted, when given. */
  templateHits?: TemplateHits;
  piiCounts?: PiiCounts;
}

/** Only the invisible/control/bidi/tag characters removed (for labels kept as written, such as cate1/cate2). */
export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE, '').replace(LINE_SEPARATORS, ' ');
}

/**
 * Code units NFC leaves alone in any context: no decomposition, combining class 0, and never
 * composed with what precedes them (Latin up to U+02FF, CJK symbols U+3000–3029, unified
 * ideographs, general punctuation U+2010–2027 and U+2030–205E, full-width ASCII). A text made
 * only of them is its own NFC; the tests check the set against String.prototype.normalize.
 */
export function nfcStable(c: number): boolean {
  return c < 0x300 || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x3029) || (c >= 0xff01 && c <= 0xff5e) || (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205e);
}

/** A code unit INVISIBLE may match (any surrogate counts: tag characters are astral, and a lone one is removed). */
function maybeInvisible(c: number): boolean {
  return c <= 8 || (c >= 0x0e && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || c === 0xad || c === 0x61c || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2069) || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff);
}

/** Per code unit: 1 when not nfcStable, 2 when maybeInvisible (both may be set): nfcVisible's scan reads one byte a unit. */
const NFC_CLASS = new Uint8Array(0x10000);
for (let c = 0; c < 0x10000; c++) NFC_CLASS[c] = (nfcStable(c) ? 0 : 1) | (maybeInvisible(c) ? 2 : 0);

/**
 * raw.normalize('NFC').replace(INVISIBLE, ''), line separators made line ends, with all skipped
 * where one scan shows they change nothing.
 */
export function nfcVisible(raw: string): string {
  const cls = NFC_CLASS;
  let invisible = 0;
  for (let i = 0; i < raw.length; i++) {
    const k = cls[raw.charCodeAt(i)];
    if (k & 1) {
      // U+2028/2029 are not nfcStable, so only this path meets them.
      const t = raw.normalize('NFC').replace(INVISIBLE, '');
      return t.indexOf('\u2028') === -1 && t.indexOf('\u2029') === -1 ? t : t.replace(LINE_SEPARATORS, '\n');
    }
    invisible |= k;
  }
  return invisible ? raw.replace(INVISIBLE, '') : raw;
}

export function cleanText(raw: string, opts: TextOptions): string {
  let t = nfcVisible(raw);
  // Entities decode to any character (&#x202E; an override, &#8203; a zero-width space, &#xD800; a
  // lone surrogate, e&#x301; a decomposed é): what they decode to is cleaned like the raw text.
  const decoded = decodeHtml(t);
  if (decoded !== t) t = nfcVisible(decoded);
  if (opts.toSimplified) t = toSimplified(t);
  // Punctuation is made full-width before the templates run: a site that wrote 。 as "." (…两个月.这里的医生…)
  // has its sentence starts where the templates look for them; what a removal leaves (spaces, 。。) is tidied after.
  t = normalisePunctuation(normaliseWhitespace(t));
  if (opts.templates) {
    const kept = stripTemplates(t, opts.templates, opts.templateHits);
    t = kept === t ? normaliseWhitespace(t) : tidyPunctuationRuns(normaliseWhitespace(kept));
  }
  if (opts.scrubPii) t = scrubPii(t, opts.piiCounts);
  t = t.trim();
  // What a removed label or template left at the start (。若是有规律性生活… ：听说癫痫…): no text opens so.
  if (LEADING_PUNCT.test(t)) t = t.replace(LEADING_PUNCT, '').trimStart();
  return endingSentence(t);
}

/**
 * A text that ends on a clause separator after a word (…可能有一定疗效， …少吃辛辣；, a web Q&A habit)
 * ends its sentence there: a record's answer should not teach the model to stop mid-clause. The
 * regex runs only when the last character is one (a `$`-anchored regex tries every position).
 */
export function endingSentence(t: string): string {
  return SEPARATORS.has(t.charCodeAt(t.length - 1)) && TRAILING_SEPARATOR.test(t) ? t.replace(TRAILING_SEPARATOR, '$1。') : t;
}

/** Clause separators closing a text, after a word (not after other punctuation, a bracket or a line end). */
const TRAILING_SEPARATOR = /([\p{L}\p{N}])[，、；,;]+$/u;
const SEPARATORS = new Set([...'，、；,;'].map((c) => c.charCodeAt(0)));

/** Clause and sentence punctuation at the very start of a text (not ？, …, brackets or a '.' that may begin a number). */
const LEADING_PUNCT = /^[。，、；：！;:,]+/;

/** A turn with no letter or ideograph left (only punctuation, emoji, placeholders of media) carries no text. */
export function hasText(s: string): boolean {
  return /[\p{L}\p{N}]/u.test(withoutPlaceholders(s));
}
