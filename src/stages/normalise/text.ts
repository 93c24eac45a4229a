/**
 * Text cleaning for one utterance: Unicode, HTML remnants, whitespace, punctuation width,
 * traditional→simplified, then platform boilerplate (boilerplate.ts, templates as data) and PII
 * placeholders (pii.ts). Pure string functions.
 */
import * as OpenCC from 'opencc-js/t2cn';
import { stripTemplates, type TemplateHits, type templatesFor } from './boilerplate.js';
import { scrubPii, withoutPlaceholders, type PiiCounts } from './pii.js';

export { scrubPii } from './pii.js';
type CompiledTemplates = ReturnType<typeof templatesFor>;

const toCn = OpenCC.Converter({ from: 'hk', to: 'cn' });

/**
 * Code units that OpenCC changes on their own: a text with none of them is already simplified,
 * so it skips the (comparatively slow) converter. Built once, lazily (~0.1 s).
 */
let traditional: Uint8Array | undefined;
function traditionalTable(): Uint8Array {
  if (traditional) return traditional;
  const t = new Uint8Array(0x10000);
  for (const [lo, hi] of [[0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff]]) {
    for (let c = lo; c <= hi; c++) {
      const ch = String.fromCharCode(c);
      if (toCn(ch) !== ch) t[c] = 1;
    }
  }
  traditional = t;
  return t;
}

export function toSimplified(s: string): string {
  const t = traditionalTable();
  for (let i = 0; i < s.length; i++) if (t[s.charCodeAt(i)] === 1) return toCn(s);
  return s;
}

const ENTITIES: Record<string, string> = { nbsp: ' ', lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", ldquo: '“', rdquo: '”', hellip: '…', mdash: '—', middot: '·' };

/** Zero-width and other invisible format characters that leak in from web pages. */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF\u00AD]/g;
const HTML_TAG = /<\/?(?:br|p|div|span|img|a|b|i|strong|em|font|li|ul|ol|table|tr|td|h\d)\b[^>]*>/gi;
const HTML_ENTITY = /&(#x[0-9a-f]+|#\d+|[a-z]+);/gi;
/** Any CJK ideograph or full-width punctuation: context that calls for full-width punctuation. */
const CJK = '\\u3000-\\u303F\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uF900-\\uFAFF\\uFF01-\\uFF5E';
const HALF_PUNCT_AFTER_CJK = new RegExp(`([${CJK}])\\s*([,?!;:])`, 'g');
const HALF_PUNCT_BEFORE_CJK = new RegExp(`([,?!;:])\\s*(?=[${CJK}])`, 'g');
const PERIOD_AFTER_CJK = new RegExp(`([${CJK}])\\.(?!\\d)`, 'g');
const PAREN_CJK = new RegExp(`\\(([^()]*[${CJK}][^()]*)\\)`, 'g');
const FULL_MAP: Record<string, string> = { ',': '，', '?': '？', '!': '！', ';': '；', ':': '：' };

export function decodeHtml(s: string): string {
  if (s.indexOf('<') === -1 && s.indexOf('&') === -1) return s;
  return s.replace(HTML_TAG, (m) => (/^<\/?(br|p|div|li|tr)\b/i.test(m) ? '\n' : '')).replace(HTML_ENTITY, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Full-width ASCII letters/digits → half-width; half-width punctuation in Chinese context → full-width. */
export function normalisePunctuation(s: string): string {
  let t = s.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  t = t.replace(/\u3000/g, ' ');
  t = t.replace(HALF_PUNCT_AFTER_CJK, (_m, a: string, p: string) => a + FULL_MAP[p]);
  t = t.replace(HALF_PUNCT_BEFORE_CJK, (_m, p: string) => FULL_MAP[p]);
  t = t.replace(PERIOD_AFTER_CJK, '$1。');
  t = t.replace(PAREN_CJK, '（$1）');
  return t;
}

export function normaliseWhitespace(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\v\f ]+/g, ' ')
    .replace(/ *\n[ \n]*/g, '\n')
    .replace(new RegExp(`([${CJK}]) (?=[${CJK}])`, 'g'), '$1')
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

export function cleanText(raw: string, opts: TextOptions): string {
  let t = raw.normalize('NFC').replace(INVISIBLE, '');
  t = decodeHtml(t);
  if (opts.toSimplified) t = toSimplified(t);
  if (opts.templates) t = stripTemplates(t, opts.templates, opts.templateHits);
  t = normaliseWhitespace(t);
  t = normalisePunctuation(t);
  if (opts.scrubPii) t = scrubPii(t, opts.piiCounts);
  return t.trim();
}

/** A turn with no letter or ideograph left (only punctuation, emoji, placeholders of media) carries no text. */
export function hasText(s: string): boolean {
  return /[\p{L}\p{N}]/u.test(withoutPlaceholders(s));
}
