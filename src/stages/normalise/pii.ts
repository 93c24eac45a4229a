/**
 * Personal data → typed placeholders (<NAME>, <PHONE>, <ID>, <QQ>, <WECHAT>, <EMAIL>, <URL>,
 * <ADDRESS>), applied by normalise to every text field that can reach an output. Pure string
 * functions; every pattern is linear-time (no nested or overlapping quantifiers: each repeated
 * group starts with a literal or is bounded), and the surname list is data (pii-surnames.json).
 * What it must not do: eat medical words (任何, 方医, dosages, dates, lab values) — the
 * surname+title rule skips two-character words that end in a surname character, and function-word
 * surnames (那, 向, 于 …) are not names on their own, nor verb surnames used as verbs (祝医生工作顺利);
 * test/stages/normalise/pii.test.ts and pii-verb-surnames.test.ts hold both sides.
 */
import surnameData from './pii-surnames.json' with { type: 'json' };

export const PLACEHOLDERS = ['NAME', 'PHONE', 'ID', 'QQ', 'WECHAT', 'EMAIL', 'URL', 'ADDRESS'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
/** Placeholder hits of one text or batch, by type. */
export type PiiCounts = Partial<Record<Placeholder, number>>;

const CJK = '\\u4e00-\\u9fff';
const isCjk = (c: string | undefined) => c !== undefined && c >= '\u4e00' && c <= '\u9fff';

const SINGLE = new Set([...surnameData.single]);
const FUNCTION_WORDS = new Set([...surnameData.functionWords]);
/** Surnames that are also verbs before a title (祝医生工作顺利): see verbBeforeTitle. */
const VERB_SURNAMES = new Set([...surnameData.verbSurnames]);
const NOT_NAME_BEFORE = new Set(surnameData.notNameBefore);
const COMPOUND = [...surnameData.compound].sort((a, b) => b.length - a.length);
const SINGLE_CLASS = `[${[...SINGLE].join('')}]`;
const SURNAME = `(?:${COMPOUND.join('|')}|${SINGLE_CLASS})`;
/** Titles that follow a name: 医生, 大夫, (副)主任, (副)教授, (副)院长, 医师, 护士 (+ 主任医师 etc. via 主任). */
/** Titles a surname stands before: the doctors' and the courtesy titles a doctor addresses the patient by (冯先生您好, 王女士). */
const TITLE = '(?:医生|大夫|副主任|主任|副教授|教授|副院长|院长|医师|护士|老师|先生|女士|小姐)';
/** Separators people put inside numbers: hyphens (ASCII and full-width), dots, spaces, no-break space. */
const SEP = '[-－‐–—.．·\\s\\u00a0]';

/** Chinese digits as people say phone numbers (幺 and 两 for 1 and 2). */
const CN_DIGIT = '零〇一二三四五六七八九幺两';
const CN_MOBILE = new RegExp(`[一幺][三四五六七八九][${CN_DIGIT}]{9}`);

/** Resident ID check digit (GB 11643): weights 2^(17-i) mod 11 over the first 17 digits. */
export function idCheckDigit(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += (first17.charCodeAt(i) - 48) * w[i];
  return '10X98765432'[s % 11];
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

/** An 18-digit resident ID: a valid birth date (1900–2029) and a matching check digit. */
export function isResidentId18(digits: string): boolean {
  if (!/^[1-8]\d{16}[\dXx]$/.test(digits)) return false;
  const y = +digits.slice(6, 10);
  if (y < 1900 || y > 2029 || !validDate(y, +digits.slice(10, 12), +digits.slice(12, 14))) return false;
  return idCheckDigit(digits.slice(0, 17)) === digits[17].toUpperCase();
}

/** A 15-digit (pre-1999) resident ID: a valid birth date 19YYMMDD, no check digit. */
export function isResidentId15(digits: string): boolean {
  if (!/^[1-8]\d{14}$/.test(digits)) return false;
  return validDate(1900 + +digits.slice(6, 8), +digits.slice(8, 10), +digits.slice(10, 12));
}

const PLACE_END = new Set([...'省市区县旗镇乡村庄屯路街巷弄道']);
/** Town and village names run longer than those of provinces, cities and districts (岗联新庄村). */
const LONG_UNIT = new Set([...'旗镇乡村庄屯']);
/** A street number in Chinese numerals (葡萄园街八号, 和平路一百二十号); never after 弄 (弄三号 is a verb's object). */
const CN_HOUSE_NO = '[一二三四五六七八九十百零〇]{1,6}号';
const STREET = new RegExp(`(?:路|街|巷|弄|胡同|大道)\\d|(?:路|街|巷|胡同|大道)${CN_HOUSE_NO}`);
/**
 * The words an address match took in before the address itself, to be kept as text: in text
 * without punctuation the pattern's place-name units run back over the sentence (孩子发烧咳嗽北京市…,
 * 头疼三天了朝阳区…). The street name keeps at most three characters (four when the last is a
 * direction: 中山北路); a place unit before it at most three and its unit character (北京市, 朝阳区),
 * four for a town or village (岗联新庄村); what lies before the first longer unit is the sentence's.
 */
function addressLead(m: string): string {
  const street = STREET.exec(m);
  if (!street) return '';
  let from = street.index;
  let k = from;
  while (k > 0 && isCjk(m[k - 1]) && !PLACE_END.has(m[k - 1])) k--;
  const max = '东南西北中'.includes(m[from - 1] ?? '') ? 4 : 3;
  if (from - k > max) return m.slice(0, from - max);
  from = k;
  while (from > 0) {
    const end = from - 1; // the unit character of the unit before
    let u = end;
    while (u > 0 && !PLACE_END.has(m[u - 1])) u--;
    const most = LONG_UNIT.has(m[end]) || '路街巷弄道'.includes(m[end]) ? 4 : 3;
    if (end - u > most) return m.slice(0, end - most);
    from = u;
  }
  return '';
}

/** The labels of a form's next field, which may follow a name with no punctuation (姓名：X性别：男年龄：75岁). */
const FORM_LABEL = '(?:性别|年龄|电话|手机|住址|地址|职业|民族|出生|籍贯|身份证|城市|婚姻|联系)';

/** `when`: a cheap pre-check (literal or short regex) the text must pass for the rule to run. */
type Rule = { type: Placeholder; when: RegExp; re: RegExp; replace: (m: string, ...groups: string[]) => string | undefined };

/** A matched span that the rule's check refuses (returns undefined) is left as it was. */
const RULES: Rule[] = [
  {
    type: 'URL',
    when: /http|www\./,
    re: /\bhttps?:\/\/[^\s，。！？、）)\]】]+|\bwww\.[a-z0-9-]{1,63}\.[a-z0-9.\-/?=&%_]{2,200}/gi,
    replace: () => '<URL>',
  },
  {
    // user@host.tld, with ＠, or "user at host dot com" / "user at host.com".
    type: 'EMAIL',
    when: /[@＠]|\sat\s|\(at\)|\[at\]/,
    re: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}(?:\s?[@＠]\s?| at | ?\(at\) ?| ?\[at\] ?)[A-Za-z0-9-]{1,63}(?:[.．。]| dot )[A-Za-z]{2,10}(?![A-Za-z])(?:[.．][A-Za-z]{2,10}(?![A-Za-z]))?/g,
    replace: () => '<EMAIL>',
  },
  {
    // After a label (身份证号110…, 身份证是…, 身份证号码：…) 18 digits are an ID whatever their check digit.
    type: 'ID',
    when: /身份证/,
    re: /(?<=身份证(?:号码|号)?(?:是|为)?[ \u00a0]?[:：]?[ \u00a0]?)\d{17}[\dXx](?![\dA-Za-z])/g,
    replace: () => '<ID>',
  },
  {
    // 18-digit IDs, contiguous or in 6-8-4 groups.
    type: 'ID',
    when: /\d{6}/,
    re: /(?<![\dA-Za-z])[1-8]\d{5}[ \u00a0-]?(?:18|19|20)\d{2}[01]\d[0-3]\d[ \u00a0-]?\d{3}[\dXx](?![\dA-Za-z])/g,
    replace: (m) => (isResidentId18(m.replace(/[ \u00a0-]/g, '')) ? '<ID>' : undefined),
  },
  {
    // 15-digit IDs (6-6-3).
    type: 'ID',
    when: /\d{6}/,
    re: /(?<![\dA-Za-z])[1-8]\d{5}[ \u00a0-]?\d{2}[01]\d[0-3]\d[ \u00a0-]?\d{3}(?![\dA-Za-z])/g,
    replace: (m) => (isResidentId15(m.replace(/[ \u00a0-]/g, '')) ? '<ID>' : undefined),
  },
  {
    // Numbers of a patient's medical record, admission, clinic or insurance card after their label
    // (住院号：2023001234, 病历号 A12345, 医保卡号1234567890123): identifiers of one person at one
    // hospital, whatever their length (at least 4 digits or letters, at least one a digit).
    type: 'ID',
    when: /病历|病案|住院|门诊|就诊|医保|社保|健康卡|登记号|ID号/,
    re: /(?<=(?:病历|病案|住院|门诊|就诊卡|就诊|医保卡|医保|社保卡|社保|健康卡|登记)(?:号码|号|编号|卡号)(?:是|为)?[ \u00a0]?[:：]?[ \u00a0]?|ID号(?:是|为)?[ \u00a0]?[:：]?[ \u00a0]?)(?=[A-Za-z]{0,4}\d)[A-Za-z0-9][A-Za-z0-9-]{3,29}(?![A-Za-z0-9])/g,
    replace: () => '<ID>',
  },
  {
    type: 'QQ',
    when: /[Qq扣企]/,
    re: /(?<![A-Za-z])(?:QQ|qq|Qq|qQ|扣扣|企鹅|Q|q|扣)(?:号码|号|群)?[ \u00a0]?[:：]?[ \u00a0]?[1-9]\d{4,11}(?![\d次下分个遍秒])/g,
    replace: (m) => (/^[Qq扣企]/.test(m) && !/^[Qq]\d/.test(m) ? '<QQ>' : undefined),
  },
  {
    type: 'WECHAT',
    when: /微信|威信|薇信|[VvWw][Xx信]|weixin|wechat|WECHAT|WeChat/,
    re: /(?<![A-Za-z])(?:微信|威信|薇信|V信|v信|VX|Vx|vx|vX|WX|Wx|wx|weixin|WeChat|Wechat|wechat|WECHAT)(?:号码|号|ID|id)?[ \u00a0]?[:：]?[ \u00a0]?(?:[A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9])|1[3-9]\d{9}(?!\d)|[1-9]\d{5,11}(?!\d))/g,
    replace: () => '<WECHAT>',
  },
  {
    // Mobiles: 1[3-9]x xxxx xxxx with any one separator between the groups, +86 / 0086 / (86) in front.
    type: 'PHONE',
    when: /1[3-9]\d/,
    re: new RegExp(`(?<!\\d)(?:(?:\\+|＋|00)?86${SEP}?|[(（]\\+?86[)）]${SEP}?)?1[3-9]\\d${SEP}?\\d{4}${SEP}?\\d{4}(?!\\d)`, 'g'),
    replace: () => '<PHONE>',
  },
  {
    // Mobiles with the first three digits in brackets: (138)1234-5678.
    type: 'PHONE',
    when: /[(（]1[3-9]\d[)）]/,
    re: new RegExp(`[(（]1[3-9]\\d[)）]${SEP}?\\d{4}${SEP}?\\d{4}(?!\\d)`, 'g'),
    replace: () => '<PHONE>',
  },
  {
    // Mobiles spelt digit by digit with a space between: 1 3 8 1 2 3 4 5 6 7 8.
    type: 'PHONE',
    when: /1[ \u00a0][3-9][ \u00a0]\d/,
    re: /(?<!\d[ \u00a0]?)1[ \u00a0][3-9](?:[ \u00a0]\d){9}(?![ \u00a0]?\d)/g,
    replace: () => '<PHONE>',
  },
  {
    // Mobiles in Chinese digits: 一三八一二三四五六七八, 幺三八… (11 digits, no more on either side).
    type: 'PHONE',
    when: CN_MOBILE,
    re: new RegExp(`(?<![${CN_DIGIT}十百千万])[一幺][三四五六七八九][${CN_DIGIT}]{9}(?![${CN_DIGIT}十百千万亿])`, 'g'),
    replace: () => '<PHONE>',
  },
  {
    // 400/800 hotlines: 400-xxx-xxxx.
    type: 'PHONE',
    when: /[48]00/,
    re: new RegExp(`(?<!\\d)[48]00${SEP}?\\d{3}${SEP}?\\d{4}(?!\\d)`, 'g'),
    replace: () => '<PHONE>',
  },
  {
    // Landlines: (010) 1234 5678, 010-12345678, 0755-1234567, with an optional extension.
    type: 'PHONE',
    when: /0\d\d/,
    re: new RegExp(`(?<!\\d)(?:[(（]0\\d{2,3}[)）]${SEP}?|0\\d{2,3}${SEP}?)[2-9]\\d{2,3}${SEP}?\\d{4}(?!\\d)`, 'g'),
    replace: (m) => (/[(（\-－‐–—.．·\s\u00a0]/.test(m) || m.replace(/\D/g, '').length >= 11 ? '<PHONE>' : undefined),
  },
  {
    // A local number without its area code after a phone label (电话8276173, 联系电话：6512 3456,
    // 座机 82761730): a line of one household or office; 7–8 digits starting 2–9.
    type: 'PHONE',
    when: /电话|座机|tel|TEL|Tel/,
    re: new RegExp(`(?<=(?:电话|座机|电话号码|联系电话|咨询电话|[Tt]el|TEL)(?:是|为)?[ \u00a0]?[:：]?[ \u00a0]?)[2-9]\\d{2,3}${SEP}?\\d{4}(?![\\dA-Za-z])`, 'g'),
    replace: () => '<PHONE>',
  },
  {
    // Street addresses: …路/街/巷/弄/胡同/大道 N号 (+ 楼/栋/单元/室), and N栋/N号楼 … N室 on their own.
    // The place names before a street go with it (里水镇岗联新庄村新二街十六巷2号: town and village
    // narrow a home down as much as the street; before, 里水镇岗联新庄 stayed). At most four units of
    // at most eight characters each, and a unit character ends its unit, so each start is bounded.
    type: 'ADDRESS',
    when: /\d[号栋幢单室]|[路街巷同道][一二三四五六七八九十百零〇]{1,6}号/,
    re: new RegExp(`(?:(?:(?![住在于到是的居省市区县旗镇乡村庄屯])[${CJK}]){0,7}[省市区县旗镇乡村庄屯]){0,4}(?:(?![住在于到是的居])[${CJK}]){1,6}(?:(?:路|街|巷|弄|胡同|大道)\\d{1,5}(?:号|弄)|(?:路|街|巷|胡同|大道)${CN_HOUSE_NO})(?:院)?(?:\\d{1,4}(?:号楼|栋|幢|座))?(?:\\d{1,3}单元(?:\\d{2,5}(?![\\d室号${CJK}]))?)?(?:\\d{1,5}(?:室|号))?|(?<!\\d)\\d{1,4}(?:号楼|栋|幢)(?:\\d{1,3}单元)?\\d{2,5}(?:室|号)|(?<!\\d)\\d{1,3}单元\\d{2,5}室?|(?<![\\d${CJK}])\\d{3,5}室(?![性早间])`, 'g'),
    replace: (m) => `${addressLead(m)}<ADDRESS>`,
  },
  {
    // Names the text marks as names: 姓名：X, 患者：X, 联系人：X, 我叫X, 名叫X. After a label the name may
    // stand on the next line (就诊患者：\n涂*) or run into the form's next label (姓名：X性别：男年龄：…); a
    // masked name (芦*, 涂*) is a name whatever its surname (the list lacks rare ones). What follows a
    // label must still look like a name (患者：高血压， is a disease).
    type: 'NAME',
    when: /姓名|联系人|患者|病人|就诊人|我叫|名叫|名字|本人叫/,
    re: new RegExp(`(姓名|患者姓名|病人姓名|联系人|患者|病人|就诊人)[ \\u00a0]?[:：]([ \\u00a0\\u3000]{0,3}\\n?[ \\u00a0\\u3000]{0,3})(${SURNAME}[${CJK}*＊某Xx×]{1,2}|[${CJK}][*＊×]{1,2})(?=$|[^${CJK}]|${FORM_LABEL})|(我叫|名叫|我的名字是|我名字叫|本人叫)(${SURNAME}[${CJK}*＊某]{1,2})(?![${CJK}]|[${CJK}](?:，|。))`, 'g'),
    replace: (m, a, gap: string, n1: string, b) => (a ? (looksLikeName(n1) ? `${a}：${gap.includes('\n') ? '\n' : ''}<NAME>` : undefined) : `${b}<NAME>`),
  },
  {
    // The doctor a form names (haodf's 预约医生： 刘X华, 约医生：\n申X, 主治医生：X): the name after the label's
    // colon, on its line or the next. normalise removes the whole booking line as a template; this
    // keeps the name out of what is written elsewhere (rejects' raw input, the report's examples).
    type: 'NAME',
    when: /医生[:：]|专家[:：]|大夫[:：]/,
    re: new RegExp(`((?:预约|约|就诊|主治|接诊|主诊|挂号)(?:医生|专家|大夫)[:：])([ \\u00a0\\u3000]{0,3}\\n?[ \\u00a0\\u3000]{0,3})([${CJK}]{2,4})(?![${CJK}])`, 'g'),
    // The label says a person follows: any surname (成友军, 揭克家), unless the value is a department or a blank.
    replace: (m, label: string, gap: string, n: string) => (/[科院室部区未无不详医]/.test(n) ? undefined : `${label}${gap}<NAME>`),
  },
  {
    // A name right after 联系人/收件人/收货人 (+ 是/为), without the colon the rule above needs: 联系人王小明.
    type: 'NAME',
    when: /联系人|联络人|收件人|收货人/,
    re: new RegExp(`(联系人|联络人|收件人|收货人)(是|为)?(${SURNAME}[${CJK}*＊某]{1,2})(?=[^${CJK}]|$|电话|手机|微信|地址)`, 'g'),
    replace: (m, a: string, is: string | undefined, n: string) => (looksLikeName(n) ? `${a}${is ?? ''}<NAME>` : undefined),
  },
  {
    // 我是X (a name only when a punctuation mark, 今年 or 男/女 follows).
    type: 'NAME',
    when: /我是|本人是|患者是/,
    re: new RegExp(`(我是|本人是|患者是)(${SURNAME}[${CJK}*＊某]{1,2})(?=[，,。.！!？?\\s]|$|今年|[男女]，)`, 'g'),
    replace: (m, a: string, n: string) => (looksLikeName(n) ? `${a}<NAME>` : undefined),
  },
  {
    // "X，男/女，NN岁": a name (or 刘**, 刘某某) before sex and age.
    type: 'NAME',
    when: /[男女][性士]?[，,、 ]{0,2}\d/,
    re: new RegExp(`${SURNAME}[${CJK}*＊某]{1,2}(?=[，,、 ]{1,2}[男女](?:性|士)?[，,、 ]{0,2}\\d{1,3}岁)`, 'g'),
    replace: (m) => (looksLikeName(m) ? '<NAME>' : undefined),
  },
  {
    // Family members' names: 我女儿X今年…, 我儿子叫X, 我妈X，女，…
    type: 'NAME',
    when: /女儿|儿子|老公|老婆|丈夫|妻子|爱人|妈妈|母亲|爸爸|父亲|孩子|宝宝|闺女|孙|哥哥|姐姐|弟弟|妹妹|奶奶|爷爷|外婆|外公/,
    re: new RegExp(`(女儿|儿子|老公|老婆|丈夫|妻子|爱人|妈妈|母亲|爸爸|父亲|孩子|宝宝|闺女|外孙女?|孙子|孙女|哥哥|姐姐|弟弟|妹妹|奶奶|爷爷|外婆|外公)(叫|名叫)?(${SURNAME}[${CJK}*＊某]{1,2}|小[${CJK}]{1,2})(?=[，,]?\\s?(?:今年|现年)?\\d{1,3}(?:岁|个月)|[，,]\\s?[男女][，,]|[，,]\\s?今年)`, 'g'),
    replace: (m, rel: string, jiao: string | undefined, n: string) => (jiao || looksLikeName(n) ? `${rel}${jiao ?? ''}<NAME>` : undefined),
  },
  {
    // 叫X (after a family word) without age: 我女儿叫X，…
    type: 'NAME',
    when: /叫/,
    re: new RegExp(`(女儿|儿子|孩子|宝宝|闺女|老公|老婆|丈夫|妻子)(叫|名叫)(${SURNAME}[${CJK}]{1,2}|小[${CJK}]{1,2})(?![${CJK}])`, 'g'),
    replace: (m, rel: string, jiao: string) => `${rel}${jiao}<NAME>`,
  },
];

/** A weekday just before a full name (挂周一李志明主任的号). */
const WEEKDAY_BEFORE = /(?:周|星期|礼拜)[一二三四五六日天]$/;

/** A greeting right after the title (主任好, 医生您好, 医生，你好). */
const GREETING_AFTER = /^[，,]?(?:您好|你好|好)/;

/** Characters before a full name that introduce it (谢谢王建国医生, 找了李华主任, 是张明大夫). */
const INTRODUCER = new Set([...'谢祝找问是给请位叫跟让称和挂了']);

/**
 * Where a full name (surname + 1–2 given characters) before the title at `at` starts, or -1: only
 * after an introducer or a non-ideograph, with given characters that are not word endings.
 */
function fullNameStart(s: string, at: number, last: number, end: number): number {
  // A name and title that greet (曹敏主任好, 李田医生您好): a two-character name at an opening too.
  const greeted = GREETING_AFTER.test(s.slice(end, end + 4));
  for (const given of [2, 1]) {
    for (const sl of [2, 1]) {
      const start = at - given - sl;
      if (start < last) continue;
      const sur = s.slice(start, start + sl);
      if (sl === 2 ? !COMPOUND.includes(sur) : !SINGLE.has(sur)) continue;
      // 祝张三医生: the verb 祝 before a name, not the name 祝张三.
      if (sl === 1 && given === 2 && VERB_SURNAMES.has(sur) && SINGLE.has(s[start + 1])) continue;
      const g = s.slice(start + sl, at);
      let cjk = true;
      for (const c of g) if (!isCjk(c)) cjk = false;
      if (!cjk) continue;
      const prev = s[start - 1];
      // At a start, after punctuation or after a measure word only three-character names (王建国医生,
      // 那个黄晓明医生), never 麻烦医生, 那个温柔医生 or 那个华西医生.
      const opening = prev === undefined || !isCjk(prev) || prev === '个';
      // After an institution or a weekday only three-character names too:
      // …医院王建国医生, 呼吸科张三丰主任, …中心黄晓明大夫; a weekday too (挂周一李志明主任的号).
      const institution = given === 2 && (prev === '院' || prev === '科' || s.slice(start - 2, start) === '中心' || WEEKDAY_BEFORE.test(s.slice(Math.max(0, start - 3), start)));
      if (opening ? given !== 2 && !(greeted && !NOT_NAME_WORDS.has(sur + g)) : !institution && !nameAnywhere(sur, g) && (!INTRODUCER.has(prev) || NOT_NAME_BEFORE.has(prev + sur[0]))) continue;
      if (WORD_NOT_NAME.has(sur + g) || WORD_NOT_NAME.has(sur + g[0])) continue;
      if (MEDICAL_CHARS.test(g)) continue;
      if (givenNameOk(sur, g)) return start;
    }
  }
  return -1;
}

const COMMON_SURNAMES = new Set([...surnameData.commonSurnames]);
const GIVEN_NAME_CHARS = new Set([...surnameData.givenNameChars]);
const HOSPITAL_SHORT = new Set(surnameData.hospitalShort);

/**
 * A three-character name that stands before a title after any word (昨天徐丹枫主任开了…, 专家朱湘莲主任说,
 * 试验的翟金英大夫): a common surname and two characters of given names (pii-surnames.json), not a
 * hospital's short name (上海瑞金医生). Ordinary words before a title (根据医生, 皮肤医生, 结果医生) do
 * not pass: their characters are not given-name ones. Two-character names stay with the introducer rule.
 */
function nameAnywhere(sur: string, g: string): boolean {
  return g.length === 2 && COMMON_SURNAMES.has(sur) && GIVEN_NAME_CHARS.has(g[0]) && GIVEN_NAME_CHARS.has(g[1]) && !HOSPITAL_SHORT.has(g);
}

/** Words that start with a surname character and stand before a title (麻烦医生, 辛苦医生, 许多医生, 康复医师). */
const WORD_NOT_NAME = new Set(['麻烦', '辛苦', '许多', '严重', '康复', '常规', '安排', '帮忙', '请教', '何时', '谢谢', '感谢', '高兴', '方便', '于是', '万一', '多谢', '全部', '所有', '其他', '主治', '管床', '陆续', '马上', '江湖', '黄牛', '乔装', '付费', '花钱', '包括', '经过', '经常', '通过', '应该', '成为', '相信', '关于', '还有', '满意', '师兄', '师姐', '牛逼', '宫颈', '钟点', '龙头', '房颤', '吉利', '柴胡', '向着']);

/** Characters of symptoms and findings, never in a given name of a span we scrub (我是皮炎, 出现了水肿医生). */
const MEDICAL_CHARS = /[炎症病痛虚孕肿瘤癌糖脂热烧咳疼酸胀痒疹药果]/;

/** Characters that end ordinary words before a title (全科医生, 管床医生, 马上医生 …), never a given name. */
const NOT_GIVEN = new Set([...'科院医床上下班生师家区村方们种些个位次样里外内病诊疗治级任长务士员者人性后前中']);

function givenNameOk(surname: string, given: string): boolean {
  if (surname.length === 1 && FUNCTION_WORDS.has(surname)) return false;
  for (const c of given) if (NOT_GIVEN.has(c) || SINGLE.has(c) && NOT_NAME_BEFORE.has(surname + c)) return false;
  if (NOT_NAME_BEFORE.has(surname + given[0])) return false;
  return true;
}

/** A name span (surname + 1–2 characters) that is not a common word (高烧, 白天, 方便 …). */
const NOT_NAME_WORDS = new Set(['高烧', '高热', '白天', '方便', '方法', '方面', '万一', '钱包', '任何', '石头', '余下', '王者', '时间', '时候', '成人', '明天', '全身', '双侧', '常规', '安全', '平时', '文化', '国内', '和平', '高中', '高三', '高二', '高一', '高血压', '高血糖', '高血脂', '黄疸', '白血病', '孙子', '孙女', '何时', '于是', '向来', '从来', '都是', '那个', '那些']);
function looksLikeName(n: string): boolean {
  if (/医|大夫|主任|教授|院长|护士|老师/.test(n)) return false; // 我是李医生: the title rule takes it
  if (/[人的村市县省区镇乡族了上过]$/.test(n) || WORD_NOT_NAME.has(n.slice(0, 2))) return false; // 我是黄冈人, 我是农村的, 老婆怀上
  if (MEDICAL_CHARS.test(n)) return false; // 我是皮炎, 我是阴虚, 我是怀孕了
  if (NOT_NAME_WORDS.has(n) || NOT_NAME_WORDS.has(n.slice(0, 2))) return false;
  if (FUNCTION_WORDS.has(n[0]) && !/[*＊某]/.test(n)) return false;
  return true;
}

/**
 * Surnames that are also verbs taking the doctor as object (祝医生工作顺利, 谢医生的耐心解答, 劳医生费心):
 * alone before a title they are a name only after a word that introduces one (是谢医生, 挂祝医生的号,
 * 找劳大夫) or when addressed (谢医生，… / 祝医生您好); a full name (谢晓明医生) is the full-name rule's.
 */
/** INTRODUCER without the verb surnames themselves, and the particles that can stand before a bare surname (挂了的 个 由 被 向 对). */
const NAME_INTRODUCER = new Set([...[...INTRODUCER].filter((c) => !VERB_SURNAMES.has(c)), ...'的个由被向对']);
function verbBeforeTitle(s: string, start: number, end: number): boolean {
  if (!VERB_SURNAMES.has(s[start])) return false;
  const prev = start > 0 ? s[start - 1] : undefined;
  if (isCjk(prev)) return !NAME_INTRODUCER.has(prev!);
  return !/^(?:[，,：:]|您好|你好)/.test(s.slice(end, end + 2));
}

/**
 * The title at `at` ends a product's name being used, not a person's (现在在用皮护士，…; 擦了马应龙护士霜):
 * one to three characters before it follow a verb of applying or buying (用, 涂, 擦, 买 …, with or
 * without 了), and the title ends the phrase (punctuation, the text's end) or a dosage-form character
 * follows it. 我用王医生开的药 stays a name: the title goes on into the sentence.
 */
const USE_VERBS = new Set([...'用涂擦抹搽喷敷买']);
const DOSAGE_FORM = new Set([...'膏乳霜液剂片']);
function productUsed(s: string, at: number, end: number, last: number): boolean {
  const next = s[end];
  if (!(next === undefined || !isCjk(next) || DOSAGE_FORM.has(next))) return false;
  for (let start = at - 1; start >= Math.max(last, at - 3) && isCjk(s[start]); start--) {
    let k = start - 1;
    if (s[k] === '了') k--;
    if (k >= 0 && USE_VERBS.has(s[k])) return true;
  }
  return false;
}

/** Function-word surnames that open a sentence as an ordinary word before a title (那医生，我该怎么办 = "then, doctor"). */
const OPENING_WORDS = new Set([...'那都和能从时后相同为由经家国关通']);

/**
 * A function-word surname addressed at the opening of a sentence (应主任，麻烦您看下 / 于医生您好): the
 * surname at the text start or after a sentence end, the title followed by a comma or a greeting.
 */
function vocative(s: string, start: number, end: number): boolean {
  const sur = s[start];
  if (!FUNCTION_WORDS.has(sur) || OPENING_WORDS.has(sur)) return false;
  const prev = start > 0 ? s[start - 1] : undefined;
  if (prev !== undefined && !/[。！？!?\n\s]/.test(prev)) return false;
  return /^(?:[，,！!：:]|您好|你好)/.test(s.slice(end, end + 2));
}

/**
 * A surname directly before a title (任医生, 焦大夫, 欧阳主任): a name, unless the surname ends an
 * ordinary word (谢谢医生, 任何医生, 明白医生, 主任医师) or is a function word (那医生, 向医生).
 * One pass over the title positions, looking one or two characters back.
 */
const TITLE_AT = new RegExp(TITLE, 'g');
type Span = { type: Placeholder; match: string };
function scrubSurnameTitle(s: string, counts: PiiCounts, spans?: Span[]): string {
  TITLE_AT.lastIndex = 0;
  let out = '';
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = TITLE_AT.exec(s)) !== null) {
    const at = m.index;
    if (productUsed(s, at, at + m[0].length, last)) continue;
    let start = -1;
    const two = s.slice(Math.max(0, at - 2), at);
    start = fullNameStart(s, at, last, at + m[0].length);
    if (start < 0 && two.length === 2 && at - 2 >= last && COMPOUND.includes(two) && !NOT_NAME_BEFORE.has(two)) start = at - 2;
    else if (start < 0 && at - 1 >= last && SINGLE.has(s[at - 1]) && !FUNCTION_WORDS.has(s[at - 1])) {
      const before = s[at - 2];
      // 瑞金医生, 齐鲁医生, 新华医生: a hospital's short name, not 瑞 + the surname 金.
      // 下 of 一下/问下 before the surname is no part of a word with it (请问一下周教授 is not 下周, next week).
      const afterAsk = before === '下' && (s[at - 3] === '一' || s[at - 3] === '问');
      if (!(isCjk(before) && !afterAsk && (NOT_NAME_BEFORE.has(before + s[at - 1]) || HOSPITAL_SHORT.has(before + s[at - 1]))) && !verbBeforeTitle(s, at - 1, at + m[0].length)) {
        start = at - 1;
        // 李田医生 at an opening: the surname is 李, 田 its given name (not 李<NAME>医生).
        if (at - 2 >= last && SINGLE.has(s[at - 2]) && !isCjk(s[at - 3]) && !VERB_SURNAMES.has(s[at - 2]) && givenNameOk(s[at - 2], s[at - 1]) && !NOT_NAME_WORDS.has(two) && !WORD_NOT_NAME.has(two)) start = at - 2;
      }
    } else if (start < 0 && at - 1 >= last && vocative(s, at - 1, at + m[0].length)) start = at - 1;
    if (start >= 0) {
      out += s.slice(last, start) + '<NAME>';
      spans?.push({ type: 'NAME', match: s.slice(start, at + m[0].length) });
      last = at;
      counts.NAME = (counts.NAME ?? 0) + 1;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

/** Cheap pre-check: an utterance with none of these skips every pattern. */
const TRIGGER = /[0-9@＠]|www\.|[路街巷同道][一二三四五六七八九十百零〇]{1,6}号|医生[:：]|专家[:：]|大夫[:：]|微信|威信|薇信|[VvWw][Xx信]|weixin|wechat|扣|[Qq]|姓名|联系人|联络人|收件人|收货人|患者|病人|就诊人|我叫|名叫|名字|我是|本人|医生|大夫|主任|教授|院长|医师|护士|老师|先生|女士|小姐|[男女][，,]|女儿|儿子|孩子|宝宝|闺女|老公|老婆|丈夫|妻子| at /;

function scrub(s: string, counts: PiiCounts, spans?: Span[]): string {
  if (!TRIGGER.test(s) && !CN_MOBILE.test(s)) return s;
  let t = s;
  for (const rule of RULES) {
    if (!rule.when.test(t)) continue;
    rule.re.lastIndex = 0;
    t = t.replace(rule.re, (m: string, ...args: unknown[]) => {
      const groups = args.slice(0, -2).map((g) => (typeof g === 'string' ? g : undefined)) as string[];
      const r = rule.replace(m, ...groups);
      if (r === undefined) return m;
      counts[rule.type] = (counts[rule.type] ?? 0) + 1;
      spans?.push({ type: rule.type, match: m });
      return r;
    });
  }
  return scrubSurnameTitle(t, counts, spans);
}

/** Replaces personal data with placeholders; adds the hits by type to `counts` when given. */
export function scrubPii(s: string, counts: PiiCounts = {}): string {
  return scrub(s, counts);
}

/** Every scrub of a text with its matched span and type: for the false-scrub review (test/eval/pii-review). */
export function scrubSpans(s: string): Span[] {
  const spans: Span[] = [];
  scrub(s, {}, spans);
  return spans;
}

const PLACEHOLDER_RE = /<(?:NAME|PHONE|ID|QQ|WECHAT|EMAIL|URL|ADDRESS)>/g;
/** The text with every placeholder removed (to tell whether anything else is left). */
export function withoutPlaceholders(s: string): string {
  return s.replace(PLACEHOLDER_RE, '');
}
