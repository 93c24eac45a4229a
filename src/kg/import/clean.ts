/**
 * Name cleaning for graph imports: one raw list value in, a clean name or the rule that drops it.
 * Pure string functions; the builder (build.ts) applies them, counts per rule, and resolves
 * truncated values once every full name is known. fixtures/README.md ("Graph fixtures") lists
 * the same rules with the numbers they produce on the real dump.
 *
 * Rules, in the order they apply:
 *  1. normalise: drop zero-width characters, fold full-width ASCII (U+FF01–FF5E) and the
 *     ideographic space to half-width, collapse whitespace, trim. '栗子（熟）' → '栗子(熟)'.
 *  2. mojibake: a value made only of Latin-1 characters with at least one in U+00C0–U+00FF is GBK
 *     bytes decoded as Latin-1 by the crawler ('¸¹Í´'); re-decode it as GBK (repaired) and strip a
 *     trailing page-title '简介'; drop it when that does not yield clean Chinese.
 *  3. empty: nothing left.
 *  4. truncated: ends in '...' / '…' (the site cut long values). Kept aside: the builder repairs it
 *     when exactly one full name of the same type starts with the prefix (prefix ≥ 4 chars), else drops it.
 *  5. no_cjk: no Chinese character at all ('C', 'XYW', 'pH4', '8-11'): list fragments and
 *     initials. Diseases are exempt: 'H7n7' is a real disease name.
 *  6. site_chrome: exact words from the site's page furniture listed as values
 *     (医生, 医师, 驻站医, 营养师, 保密, 测试, 起点, 无标题文档 …).
 *  7. fragment: a one-character symptom ('湿', '干', '鼻'): a split artefact. One-character
 *     diseases (疖, 疣) and foods (梨, 鸡) are real and kept.
 *  8. person_name (symptoms only): the liuhuanyong crawl lists doctors' names among symptoms
 *     (111 in dict/symptom.txt, e.g. in medical.json's symptom arrays). Conservative test: 2–3 Chinese
 *     characters, the first a Chinese surname (SURNAMES), and none of the others a character
 *     used in symptom wording (SYMPTOM_CHARS: body parts, sensations, signs). On the 6,556 xywy
 *     symptoms this drops nothing; on dict/symptom.txt it drops 106 of its 111 names.
 *  9. advice (symptoms only): a care instruction listed as a symptom ('不要紧张', '避免暴饮暴食',
 *     '多喝水'): it starts with an advice verb (ADVICE).
 * 10. too_long: more than MAX_NAME_CHARS characters: page text pasted into a list, not a name (and
 *     Neo4j cannot index a property value over ~8 KB, so such a value would fail an import).
 */

export type Entity = 'Disease' | 'Symptom' | 'Drug' | 'Check' | 'Department' | 'Food';

export type CleanResult =
  | { ok: true; name: string; repairs: Array<'width_normalised' | 'mojibake_repaired'> }
  | { ok: false; rule: 'empty' | 'mojibake' | 'no_cjk' | 'fragment' | 'site_chrome' | 'person_name' | 'advice' | 'too_long' }
  | { ok: 'truncated'; prefix: string; repairs: Array<'width_normalised' | 'mojibake_repaired'> };

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const ALL_CJK_2_3 = /^[\u4e00-\u9fff]{2,3}$/;

/** Full-width ASCII → half-width, ideographic space → space; 1:1 per UTF-16 unit (offsets survive). */
export function foldWidth(s: string): string {
  let out = '';
  let changed = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) {
      out += String.fromCharCode(c - 0xfee0);
      changed = true;
    } else if (c === 0x3000) {
      out += ' ';
      changed = true;
    } else out += s[i];
  }
  return changed ? out : s;
}

export function normaliseName(raw: string): string {
  return foldWidth(raw.replace(/[\u200b-\u200d\u2060\ufeff]/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

export function hasCjk(s: string): boolean {
  return CJK.test(s);
}

const SITE_CHROME = new Set([
  '医生', '医师', '大夫', '驻站医', '营养师', '药师', '专家', '保密', '测试', '起点', '无标题文档',
  '暂无', '暂无数据', '详情', '更多', 'null', 'undefined', 'none',
]);

/** 百家姓 (single-character part) plus common modern surnames that it lacks. */
const SURNAMES = new Set(
  '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎' +
    '鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平' +
    '黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童' +
    '颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔' +
    '吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰' +
    '秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴' +
    '胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹' +
    '习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾' +
    '辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公岳帅缑亢况郈有琴商牟佘佴伯赏墨哈谯' +
    '笪年爱阳佟言福闫覃仝亓苑隋郅禚毓员妙牙轩呼丛铁豆涂迟慈赫展苟兰巨所要代类晋息官冬绳朴过励栗占种' +
    '候衣南缴莦来仪',
);

/** Characters of symptom wording; a 2–3 character value containing one is never taken for a name. */
const SYMPTOM_CHARS = new Set(
  // sensations and signs
  '痛疼痒酸胀麻木热烧冷寒凉咳嗽喘呕吐泻晕眩肿瘫痪疹斑痣疮疖痱痂脓血尿便汗痰涕泪渴饿饥倦乏疲累困醒梦哭怒' +
    '躁郁虑慌惊恐悸抖颤抽搐挛僵硬软弱瘦胖肥秃脱裂燥湿臭腥苦涩激' +
    // body parts
    '头脑颅眼目睛眉耳鼻口唇舌牙齿龈喉咽颈项肩臂肘腕指趾甲掌足脚腿膝踝胫股髋臀腰背脊胸乳肋胁腹脐胃肠肝胆' +
    '脾肺肾膀胱心脉骨髓筋肌肉皮肤毛发须面脸颊额颌腭阴茎睾宫带孕胎产精卵囊泡管腺膜窦道' +
    // pathology
    '症征病炎瘤癌痿痹疸疝痔瘘瘀瘢痕节溃烂疡坏死梗塞栓压亢缺障碍失聋盲哑跛畸形视听嗅吸气食饮瘾厥昏迷狂妄' +
    '幻劳跌倒位移氏毒潴留液渗凸凹粘黏',
);

/** Longest name kept, in UTF-16 units. */
export const MAX_NAME_CHARS = 100;

const ADVICE = /^(?:不要|避免|切忌|禁止|尽量|应当|应该|建议|多喝|多吃|少吃|忌食|忌吃|注意休息|注意饮食|保持心情|保持良好|戒烟|戒酒)/;

export function looksLikeAdvice(name: string): boolean {
  return ADVICE.test(name);
}

export function looksLikePersonName(name: string): boolean {
  if (!ALL_CJK_2_3.test(name) || !SURNAMES.has(name[0])) return false;
  for (let i = 1; i < name.length; i++) if (SYMPTOM_CHARS.has(name[i])) return false;
  return true;
}

/** Latin-1 soup that is really GBK: all chars ≤ U+00FF, at least one accented letter. */
function isLatin1Mojibake(s: string): boolean {
  if (!/[\u00c0-\u00ff]/.test(s)) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

export type GbkDecoder = (bytes: Buffer) => string;

export function cleanName(raw: string, type: Entity, gbk: GbkDecoder): CleanResult {
  const repairs: Array<'width_normalised' | 'mojibake_repaired'> = [];
  if (foldWidth(raw) !== raw) repairs.push('width_normalised');
  let name = normaliseName(raw);
  if (isLatin1Mojibake(name)) {
    const decoded = normaliseName(gbk(Buffer.from(name, 'latin1')));
    const ok = decoded.length > 0 && !decoded.includes('\ufffd') && hasCjk(decoded) && !/[\u0080-\u00ff]/.test(decoded);
    if (!ok) return { ok: false, rule: 'mojibake' };
    name = decoded.replace(/简介$/, '').trim();
    repairs.push('mojibake_repaired');
  }
  // Leading dots are list residue in the VRBot names ('......咳嗽', './').
  if (/^[.。…·]+/.test(name) && !/^[.。…·]+$/.test(name)) name = name.replace(/^[.。…·]+/, '').trim();
  if (!name || /^[.。…·/]+$/.test(name)) return { ok: false, rule: 'empty' };
  if (name.length > MAX_NAME_CHARS) return { ok: false, rule: 'too_long' };
  const truncated = /(\.\.\.|…|。。。)$/.exec(name);
  if (truncated) {
    const prefix = name.slice(0, truncated.index).trim();
    if (!prefix) return { ok: false, rule: 'empty' };
    return { ok: 'truncated', prefix, repairs };
  }
  if (type !== 'Disease' && !hasCjk(name)) return { ok: false, rule: 'no_cjk' };
  if (SITE_CHROME.has(name.toLowerCase())) return { ok: false, rule: 'site_chrome' };
  if (type === 'Symptom' && name.length === 1) return { ok: false, rule: 'fragment' };
  if (type === 'Symptom' && looksLikePersonName(name)) return { ok: false, rule: 'person_name' };
  if (type === 'Symptom' && looksLikeAdvice(name)) return { ok: false, rule: 'advice' };
  return { ok: true, name, repairs };
}

/**
 * Aliases a name implies by itself:
 *  - paren: the name without its parenthetical groups ('反社会人格障碍(病态人格)' → '反社会人格障碍',
 *    '(奥松)肚痛泻丸' → '肚痛泻丸', '栗子(熟)' → '栗子');
 *  - brand: a drug written 'BRAND NAME' gets the part after the last space
 *    ('慢严舒柠 清喉利咽颗粒' → '清喉利咽颗粒').
 * Aliases shorter than 2 characters or without Chinese are not kept.
 */
export function impliedAliases(name: string, type: Entity): Array<{ alias: string; source: 'paren' | 'brand' }> {
  const out: Array<{ alias: string; source: 'paren' | 'brand' }> = [];
  if (/[()]/.test(name)) {
    const bare = name.replace(/\([^()]*\)/g, '').replace(/\s+/g, ' ').trim();
    if (bare !== name && bare.length >= 2 && hasCjk(bare) && !/[()]/.test(bare)) out.push({ alias: bare, source: 'paren' });
  }
  if (type === 'Drug' && name.includes(' ')) {
    const tail = name.slice(name.lastIndexOf(' ') + 1);
    if (tail.length >= 2 && hasCjk(tail)) out.push({ alias: tail, source: 'brand' });
  }
  return out;
}
