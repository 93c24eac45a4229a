/**
 * Text cleaning for one utterance: Unicode, HTML remnants, whitespace, punctuation width,
 * traditional→simplified, platform boilerplate and PII placeholders. Pure string functions.
 *
 * Every pattern here sees untrusted text and must run in linear time: no nested or overlapping
 * quantifiers (`\s*[:：]?\s*`, `[^()]*X[^()]*`), no unbounded run that a failing suffix makes the
 * engine retry from every start (`[^>]*>` over `<b <b <b`, `[a-z.]+@` over `a.a.a.`); what a
 * regex cannot say linearly is a scan (parenCjk, scrubEmail). Callers cap the length first
 * (normalise: MAX_RAW_CHARS_FACTOR).
 */
import * as OpenCC from 'opencc-js/t2cn';

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

/**
 * Characters that must not reach a shard: zero-width and other invisible format characters that
 * leak in from web pages; C0 controls but \t \n (\r, \v, \f become whitespace later) and C1
 * controls (NUL, ESC …); bidi embeddings, overrides, isolates and marks (U+202A–202E, U+2066–2069,
 * U+061C, U+200E/F) that reorder what a reader sees; tag characters (U+E0000–E007F).
 */
const INVISIBLE = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\u{E0000}-\u{E007F}]/gu;
/** An allow-listed tag; its attributes stop at the next '<' so a run of unclosed `<b ` stays linear. */
const HTML_TAG = /<\/?(?:br|p|div|span|img|a|b|i|strong|em|font|li|ul|ol|table|tr|td|h\d)\b[^<>]*>/gi;
const HTML_ENTITY = /&(#x[0-9a-f]+|#\d+|[a-z]+);/gi;
/** Any CJK ideograph or full-width punctuation: context that calls for full-width punctuation. */
const CJK = '\\u3000-\\u303F\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uF900-\\uFAFF\\uFF01-\\uFF5E';
const HALF_PUNCT_AFTER_CJK = new RegExp(`([${CJK}])\\s*([,?!;:])`, 'g');
const HALF_PUNCT_BEFORE_CJK = new RegExp(`([,?!;:])\\s*(?=[${CJK}])`, 'g');
const PERIOD_AFTER_CJK = new RegExp(`([${CJK}])\\.(?!\\d)`, 'g');
const CJK_CHAR = new RegExp(`[${CJK}]`);
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
  return parenCjk(t);
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

export function normaliseWhitespace(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\v\f ]+/g, ' ')
    .replace(/ ?\n[ \n]*/g, '\n') // spaces are single here: ' ?' (not ' *') keeps a failed match O(1)
    .replace(new RegExp(`([${CJK}]) (?=[${CJK}])`, 'g'), '$1')
    .trim();
}

/**
 * Platform boilerplate: auto-replies, attachment markers and section labels that say nothing
 * about the case. Each entry is removed wherever it occurs; a turn left empty is dropped later.
 */
export const BOILERPLATE: RegExp[] = [
  /\[(?:图片|语音|视频|表情|附件|文件)\]|（(?:图片|语音|附件)）|【(?:图片|语音|附件)】/g,
  /您的问题我已收到，?您还有其它的图片或检查报告吗，?有的话请发给我，?这样能更好的帮助您解决问题。?/g,
  /(?:本回答|以上回答|以上建议)仅供参考[^。！\n]*[。！]?/g,
  /(?:感谢您的(?:信任|咨询|进行咨询)|谢谢您的信任)[，,]?(?:期望|希望)我的(?:解释|回答)对你有所帮助[。！]?/g,
  /(?:问题描述|问题分析|意见建议|病情分析|指导意见|治疗方案)[:：]\s*/g,
  /(?:该患者已付费|患者已付费|追问已结束|本次问诊已结束|咨询已结束)[。！]?/g,
  /(?:点击|查看)(?:大图|原图)/g,
];

export function stripBoilerplate(s: string): string {
  let t = s;
  for (const re of BOILERPLATE) t = t.replace(re, '');
  return t;
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭高林罗郑梁宋唐韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶苏魏吕丁沈姚卢姜崔钟谭陆汪范金廖贾夏韦邹孟熊秦邱尹薛闫雷侯龙陶黎贺顾毛郝龚邵覃武戴莫孔汤';

/**
 * PII → stable placeholders. Order matters: URLs, then e-mail (scrubEmail), then ID cards before
 * phone numbers.
 */
const PII: Array<[RegExp, string]> = [
  [/\bhttps?:\/\/[^\s，。！？、）)\]】]+|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s，。！？、）)]*/gi, '<URL>'],
  [/(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)/g, '<ID>'],
  [/(?:QQ|qq|Qq|扣扣)(?:号|群)?\s*(?:[:：]\s*)?\d{5,12}(?!\d)/g, '<QQ>'],
  [/(?:微信|VX|vx|wx|WX|weixin)(?:号)?\s*(?:[:：]\s*)?[A-Za-z][-_A-Za-z0-9]{5,19}\b/g, '<WECHAT>'],
  [/(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g, '<PHONE>'],
  [/(?<!\d)0\d{2,3}-\d{7,8}(?!\d)/g, '<PHONE>'],
  /* Names where the text marks them as names: 姓名：X, 患者：X (in forms), 我是X医生, X大夫. */
  [/(姓名|患者姓名|病人姓名|联系人)\s*[:：]\s*[\u4e00-\u9fa5]{2,4}/g, '$1：<NAME>'],
  [/我是([\u4e00-\u9fa5]{1,3})(医生|大夫|主任|教授)/g, '我是<NAME>$2'],
  /* A surname directly before a doctor's title (马医生, 王大夫) is a name. Surnames that are also
     common word endings before 医生 (任何, 明白, 结石, 疗程, 也许, 其余, 对方 …) are left out on purpose. */
  [new RegExp(`(?<![${SURNAMES}])[${SURNAMES}](?=(?:医生|大夫|主任|教授|院长))`, 'g'), '<NAME>'],
];

/** Cheap pre-checks: most utterances contain none of these, and skip every PII pattern. */
const PII_TRIGGER = /[0-9@]|www\.|微信|VX|vx|wx|WX|weixin|扣扣|姓名|联系人|医生|大夫|主任|教授|院长/;

export function scrubPii(s: string): string {
  if (!PII_TRIGGER.test(s)) return s;
  let t = s.replace(PII[0][0], PII[0][1]);
  t = scrubEmail(t);
  for (let k = 1; k < PII.length; k++) t = t.replace(PII[k][0], PII[k][1]);
  return t;
}

const EMAIL_LOCAL = /[A-Za-z0-9._%+-]/;
const WORD = /[A-Za-z0-9_]/;
const EMAIL_DOMAIN = /[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/y;

/**
 * E-mail addresses → <EMAIL>: what `\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b` matches,
 * found from each '@' instead (that regex retries its local part from every word boundary of a
 * long `a.a.a.…` run: quadratic). The local part is the run of local-part characters before the
 * '@', starting at its first word boundary.
 */
export function scrubEmail(s: string): string {
  let at = s.indexOf('@');
  if (at < 0) return s;
  let out = '';
  let done = 0;
  while (at >= 0) {
    let start = at;
    while (start > done && EMAIL_LOCAL.test(s[start - 1])) start--;
    // the leftmost \b in the run: a word character at the run start, else a word/non-word change
    let b = start;
    const isWord = (k: number) => k >= 0 && WORD.test(s[k]);
    while (b < at && isWord(b) === isWord(b - 1)) b++;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const m = b < at ? EMAIL_DOMAIN.exec(s) : null;
    if (m) {
      out += s.slice(done, b) + '<EMAIL>';
      done = at + 1 + m[0].length;
      at = s.indexOf('@', done);
    } else at = s.indexOf('@', at + 1);
  }
  return done === 0 ? s : out + s.slice(done);
}

export interface TextOptions {
  toSimplified: boolean;
  scrubPii: boolean;
}

/** Only the invisible/control/bidi/tag characters removed (for labels kept as written, such as cate1/cate2). */
export function stripInvisible(s: string): string {
  return s.replace(INVISIBLE, '');
}

export function cleanText(raw: string, opts: TextOptions): string {
  let t = raw.normalize('NFC').replace(INVISIBLE, '');
  t = decodeHtml(t);
  if (opts.toSimplified) t = toSimplified(t);
  t = stripBoilerplate(t);
  t = normaliseWhitespace(t);
  t = normalisePunctuation(t);
  if (opts.scrubPii) t = scrubPii(t);
  return t.trim();
}

/** A turn with no letter or ideograph left (only punctuation, emoji, placeholders of media) carries no text. */
export function hasText(s: string): boolean {
  return /[\p{L}\p{N}]/u.test(s.replace(/<(?:URL|EMAIL|PHONE|ID|QQ|WECHAT|NAME)>/g, ''));
}
