/**
 * What a turn says beyond courtesy: the information measures split uses to decide which rounds
 * may end a record (instruction/output). A pleasantry-only answer (谢谢→不客气, 好的→好的, 嗯嗯,
 * 祝您早日康复, "如果还有其他问题随时咨询我") teaches a model nothing medical, so it never becomes a
 * record's output; it stays in the history of a later record when the dialogue goes on.
 * Pure string functions over one utterance; no I/O, no state.
 */

/** Placeholders written by normalise (PII scrubbing): they carry no information of the turn's own. */
const PLACEHOLDER = /<[A-Z_]+>/g;
/** Han ideographs, Latin letters and digits: what counts as a "meaningful character". */
const MEANINGFUL = /[\p{Script=Han}A-Za-z0-9]/gu;

/**
 * Per code point: 0 not yet classified, 1 not meaningful, 2 meaningful (MEANINGFUL's answer for
 * that code point, asked once): meaningfulChars counts with a charCode loop instead of
 * replace + match, with the same answer for every code point, astral Han included.
 */
const MEANINGFUL_CP = new Uint8Array(0x110000);
const ONE_MEANINGFUL = /^[\p{Script=Han}A-Za-z0-9]$/u;

function meaningfulCp(cp: number): boolean {
  let m = MEANINGFUL_CP[cp];
  if (m === 0) m = MEANINGFUL_CP[cp] = ONE_MEANINGFUL.test(String.fromCodePoint(cp)) ? 2 : 1;
  return m === 2;
}

/** Characters that carry content: Han, Latin letters, digits; punctuation, emoji, spaces and placeholders do not count. */
export function meaningfulChars(text: string): number {
  // The text as PLACEHOLDER removal leaves it (placeholders skipped, left to right, one pass),
  // read by code points: a surrogate pair split by a removed placeholder is joined, as in the
  // string that text.replace(PLACEHOLDER, '') returns.
  let n = 0;
  let high = -1; // a high surrogate waiting for its low half
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const u = text.charCodeAt(i);
    if (u === 0x3c) {
      // <[A-Z_]+>: a maximal run of A-Z or _ then '>'
      let j = i + 1;
      while (j < len) {
        const v = text.charCodeAt(j);
        if ((v >= 65 && v <= 90) || v === 95) j++;
        else break;
      }
      if (j > i + 1 && j < len && text.charCodeAt(j) === 0x3e) {
        i = j;
        continue;
      }
    }
    if (high >= 0) {
      const h = high;
      high = -1;
      if (u >= 0xdc00 && u <= 0xdfff) {
        if (meaningfulCp(((h - 0xd800) << 10) + (u - 0xdc00) + 0x10000)) n++;
        continue;
      }
    }
    if (u >= 0xd800 && u <= 0xdbff) {
      high = u;
      continue;
    }
    if (u < 128) {
      if ((u >= 48 && u <= 57) || (u >= 65 && u <= 90) || (u >= 97 && u <= 122)) n++;
    } else if (meaningfulCp(u)) n++;
  }
  return n;
}

/** meaningfulChars as it was first written (replace + match): the reference the tests compare the loop with. */
export function meaningfulCharsByRegex(text: string): number {
  const m = text.replace(PLACEHOLDER, '').match(MEANINGFUL);
  return m ? m.length : 0;
}

/**
 * A closing offer or sign-off sentence: the doctor offers more help or wishes well instead of
 * asking or advising. Shared with inquiry.ts: "请问您还有其他问题吗？" is not proactive inquiry.
 */
export const CLOSING_OFFER: readonly RegExp[] = [
  // 请问您还有其他问题吗 / 还有什么问题 / 还有别的疑问么 / 您还有什么想了解的吗 (not 还有其他症状吗: that asks)
  /^(?:请问)?(?:您|你)?(?:还|另外)?(?:有|有没有|需要)(?:什么|其他|其它|别的|任何|更多)*(?:的)?(?:问题|疑问|疑虑|想了解|想问|要问|要咨询|需要了解|需要咨询|需要帮助|需要我)/,
  // 如果您还有其他问题(随时咨询) / 若有疑问(可以再问我) / 有问题随时找我
  /^(?:如果|若是?|如|假如|要是)?(?:您|你)?(?:还|再|以后|之后|后续)?(?:有|遇到)(?:任何|什么|其他|其它|别的|更多|进一步)*(?:的)?(?:问题|疑问|疑虑)/,
  // the tail of a good wish: 祝您孕期愉快，保持健康 / 手术顺利，恢复快速
  /^(?:保持|恢复|身体|生活|工作|一切|越来越|天天)(?:健康|快速|顺利|愉快|开心|好)(?:快乐|顺利)?$/,
  /^(?:周末|节日|新年|假期|工作|生活|学习|美容|孕期|宝宝|孩子|家人)?(?:健康快乐|愉快|快乐|顺利)$/,
  // the tail of a good wish on its own: 祝您身体健康，万事如意 / 早日康复
  /^(?:万事如意|心想事成|身体健康|早日康复|早日痊愈|健康平安|平安健康|阖家幸福|合家欢乐|幸福安康|一切顺利|一切都好|天天开心|好运)$/,
  // 我会第一时间回复您 / 我会尽力帮助您 / 我随时为您服务 (not 我会给您开药: that advises)
  /^(?:我|我们)(?:会|将|将会|一定会)?(?:随时|第一时间|尽快|尽力|及时|一直|很乐意)?(?:为|给|帮)?(?:您|你)?(?:服务|回复|解答|答复|帮助|提供帮助)(?:您|你)?(?:解决问题)?(?:的|哦|呢)?$/,
  // 随时(可以)(再)(向我)咨询 / 欢迎随时咨询 / 可以随时联系我 (not 随时复查: that advises)
  /^(?:请|欢迎|也|您|你|可以|都|有事|有需要)*随时(?:都)?(?:可以|能)?(?:再次|再)?(?:来|再来)?(?:欢迎|继续)?(?:向我们|向我|找我|问我|给我|和我|与我)?(?:在线|线上)?(?:咨询|联系|提问|留言|沟通|交流|询问|私信|问|追问|找我|问我|告诉我|联系我|反馈|找我咨询)?(?:我|我们)?(?:的|哦|哈|呢)?$/,
  // 如有需要随时联系我 / 如有疑问 / 有需要再来
  /^(?:如|若|如果)?(?:您|你)?(?:还)?有(?:任何)?(?:需要|疑问|问题)(?:的话)?(?:随时|请|可以|再|欢迎)/,
  /^(?:如|若)有(?:任何)?(?:需要|疑问|问题)(?:的话)?$/,
  // 很高兴能为您提供帮助 / 我会竭尽所能为您提供帮助 / 非常欢迎您的理解和配合
  /^(?:我)?(?:很|非常)?(?:高兴|荣幸|乐意)(?:能够?|可以)?(?:为您|为你|帮到|帮助|帮您|帮你|给您|给你|解答)/,
  /竭尽所能|(?:为您|为你|给您|给你)提供(?:帮助|服务|支持)$/,
  /^(?:非常|很)?(?:欢迎|感谢|谢谢)(?:您|你)的(?:理解|配合|信任|支持|咨询|提问|祝福)/,
  /^(?:欢迎|请|可以)?(?:再次|再来|继续)?(?:咨询|联系|留言)(?:我|我们)?(?:的|哦|哈|呢)?$/,
  // 随时欢迎您的咨询 / 非常欢迎您随时向我们咨询 (helper-b record review)
  /^(?:非常|很)?(?:随时)?欢迎(?:您|你)?(?:随时)?(?:的|向我们|向我)?(?:咨询|提问|联系)(?:我|我们)?$/,
  // 需要我为您提供…建议吗 / 要不要我给您… / 还有什么可以帮您 / 有什么能帮到您
  /^(?:请问)?(?:您|你)?(?:还)?(?:需要|要不要|需不需要)我(?:再)?(?:为|给|帮)(?:您|你)/,
  /(?:什么|哪些|其他|其它)(?:我)?(?:可以|能|能够)(?:为您|为你|给您|帮您|帮你|帮到您|帮到你|帮助您|帮助你)/,
  // 希望我的回答对您有帮助 / 希望能帮到你 / 祝您早日康复 / 希望宝宝早日康复
  /^(?:希望|期望|但愿)(?:我的|以上的?|上述的?|这些)?(?:回答|回复|解答|答复|建议|解释|意见|内容)?(?:能够?|可以|会)?(?:对(?:您|你)(?:有所)?)?(?:帮助|帮到|有帮助|有所帮助|所帮助|帮上|有用)/,
  /^(?:(?:衷心|真诚|真心)(?:的|地)?)?(?:祝|愿|祝愿|预祝|希望|期望)(?:您|你|宝宝|孩子|家人|老人|您的|你的|患者)?.{0,8}?(?:早日|尽快|身体|健康|康复|痊愈|顺利|平安|安然|快乐|愉快|好运|一切|成长|幸福|安康|开心|如意)/,
  // 祝好 / 祝您安好 on their own
  /^(?:祝|愿)(?:您|你)?(?:好|安好)$/,
  // 希望我给出的建议对你有所帮助 / 希望我的建议能对您的健康有所帮助 (the whole clause is the hope)
  /^(?:希望|期望|但愿)[^，。！？]{0,10}?(?:回答|回复|解答|答复|建议|解释|意见|内容|方法|信息|资料|分析)(?:能够?|可以|会)?(?:对(?:您|你)(?:的[^，。！？]{0,6})?(?:有所)?)?(?:帮助|帮到|有帮助|有所帮助|所帮助|帮上|有用)(?:(?:您|你)|到(?:您|你))?$/,
  // 如果您对美容方面还有其他问题 / 如果在检查过程中有任何疑问 / 或者之后有任何需要帮助的地方 /
  // 如果有任何问题或需要进一步咨询 (the clause ends there; 如果有任何不适，及时就医 keeps its advice clause)
  // 如果有任何新的问题 / 如果有任何进展或新的问题 (session-16 audit: closing rounds accepted as records)
  /^(?:如果|若是?|如|假如|要是|或者|或)[^，。！？]{0,16}?(?:有|还有)(?:任何|什么|其他|其它|别的|更多|新)*(?:的)?(?:(?:进展|变化)(?:或者?|和|或是)(?:任何|其他|新)*(?:的)?)?(?:健康|关于[^，。！？]{1,10}?的)?(?:问题|疑问|疑虑|疑惑|不适|需要帮助的地方|需要(?:咨询|帮助|帮忙)?)(?:(?:或者?|和|及|或是)(?:任何|其他)?(?:问题|疑问|疑虑|疑惑|需求|不适|需要(?:进一步)?(?:的)?(?:咨询|帮助|了解)?|进一步(?:的)?(?:咨询|帮助)))?(?:的话)?$/,
  // (都可以)(及时)向我(进行)咨询 / 记得及时向我咨询 / 都可以来向我咨询 (not 及时就医: that advises)
  /^(?:请|都|也|可以|您|你|欢迎|记得|一定)*(?:及时|随时)?(?:都)?(?:可以|能)?(?:及时|随时)?(?:再)?(?:来)?(?:向我|找我|问我|给我|和我|与我)(?:进行)?(?:咨询|联系|提问|留言|沟通|交流|询问|反馈)(?:我)?(?:的|哦|哈|呢)?$/,
  // 希望药物治疗和检测都能对您的便秘问题有所帮助: the hope that something helps, naming it
  /^(?:希望|期望|但愿)[^，。！？]{0,20}?(?:能够?|可以|会)?对(?:您|你)[^，。！？]{0,10}?(?:有所|有)(?:帮助|帮到)$/,
  // 您的满意是我们工作的最大动力 / 你的认可就是我的动力
  /^(?:您|你)的(?:满意|认可|支持|肯定|信任|好评)(?:就)?是(?:我|我们)[^，。！？]{0,8}?(?:动力|目标)$/,
  // 希望您的症状能够得到有效控制 / 愿你的病情早点好起来 (a wish for the case, advising nothing)
  /^(?:希望|祝愿|愿)(?:您|你)的(?:症状|病情|病|身体|情况)[^，。！？]{0,8}?(?:得到(?:有效的?)?(?:控制|缓解|改善)|好转|改善|缓解|好起来)$/,
  // 非常感谢你的合作
  /^(?:非常|很)?(?:感谢|谢谢)(?:您|你)的(?:合作|耐心)/,
  // 我已经仔细研读了您的资料 / 我看了你的描述 (the acknowledgement alone: what follows it advises or asks)
  /^(?:我)?(?:已经?|刚刚?)?(?:仔细|认真|详细)?(?:地)?(?:研读|阅读|看|查看|看过|读)(?:了|过)?(?:一下)?(?:您|你)(?:的|发来的|提供的|描述的)(?:资料|病历资料|病情资料|病历|病情|描述|病情描述|问题|情况|信息)$/,
  // 您好，需要什么帮助 / 请问有什么可以帮您 (an opening offer, no question about the case)
  /^(?:请问)?(?:您|你)?(?:有)?(?:需要|要)(?:什么|哪些)(?:帮助|帮忙|服务)(?:吗|呢)?$/,
];

/**
 * The tail of a good wish in the same sentence (祝您身体健康，睡眠质量好 / 希望你手术顺利，早日恢复):
 * a short clause ending in a wish word, courtesy only after a wish clause of its sentence.
 */
export const WISH_OPENING = /^(?:(?:衷心|真诚|真心)(?:的|地)?)?(?:祝|愿|祝愿|预祝|希望|期望)/;
export const WISH_TAIL = /^(?:[^，。！？]{1,8}(?:好|顺利|健康|快乐|愉快|恢复|康复|痊愈|幸福|如意|美丽|平安|开心|肌肤|皮肤|笑容|成长)|(?:早日)?(?:拥有|重拾|重获)[^，。！？]{1,10})$/;
const SENTENCE_END = /[。！!？?\n]/;

/**
 * Words and fillers that are courtesy only. Longest first so 谢谢医生 is removed whole; what is
 * left of a clause after removing them is its information.
 */
const COURTESY = [
  '非常感谢', '十分感谢', '太感谢', '感谢您', '感谢你', '谢谢您', '谢谢你', '谢谢啦', '谢谢了', '多谢', '感谢', '谢谢', '谢了', '3q', 'thanks', 'thank you', 'thx',
  '不用客气', '不要客气', '不客气', '别紧张', '不用紧张', '不要紧张', '别担心', '不用担心', '放心吧', '请您放心', '请放心', '放心', '不用谢', '别客气', '客气了', '客气', '应该的', '不谢', '没事', '没关系', '不要紧',
  '好的呢', '好的吧', '好的', '好滴', '好嘞', '好吧', '好呀', '好啊', '好哒', '好', '嗯呢', '嗯', '恩', '哦', '噢', '喔', '哈', '呵', '嘿', 'ok', 'okay',
  '明白了', '明白', '知道了', '知道', '了解了', '了解', '懂了', '清楚了', '收到了', '收到', '晓得了', '晓得', '行', '是的', '对的', '是', '对', '可以',
  '非常欢迎', '欢迎', '再见', '拜拜', '晚安', '88', '辛苦了', '辛苦', '麻烦了', '麻烦', '打扰了', '打扰',
  '您好', '你好', '医生', '大夫', '老师', '主任', '专家', '您', '你',
  '非常', '十分', '特别', '太', '真的', '真', '很', '那', '那就', '就', '先', '啦', '了', '呀', '啊', '呢', '吧', '哟', '哒', '滴', '的', '么', '嘛', '哈哈',
];
const COURTESY_ALTS = COURTESY.sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
const COURTESY_RE = new RegExp(COURTESY_ALTS, 'giu');
/** Courtesy words opening a clause ("不客气祝你早日康复"): the closing-offer test looks past them. */
export const LEADING_COURTESY = new RegExp(`^(?:${COURTESY_ALTS})+`, 'iu');

/** Where clauses end: sentence and clause punctuation, newlines and spaces. */
const CLAUSE_BREAK = /[，,。！!？?；;：:\n~～…、\s]+/gu;

export function isClosingOffer(clause: string): boolean {
  const c = clause.replace(/^[\s"“”'‘’]+/, '');
  return CLOSING_OFFER.some((re) => re.test(c));
}

/** A clause that is courtesy only: a closing offer, or nothing but courtesy words once they are removed. */
export function courtesyClause(clause: string): boolean {
  if (isClosingOffer(clause)) return true;
  const stripped = clause.replace(LEADING_COURTESY, '');
  if (stripped !== clause && isClosingOffer(stripped)) return true; // unchanged: the same answer as above
  if (survivesCourtesyRemoval(clause)) return false;
  return meaningfulChars(clause.replace(COURTESY_RE, '')) === 0;
}

/** courtesyClause as it was first written (every test, always): the reference the tests compare it with. */
export function courtesyClauseByRegex(clause: string): boolean {
  if (isClosingOffer(clause) || isClosingOffer(clause.replace(LEADING_COURTESY, ''))) return true;
  return meaningfulCharsByRegex(clause.replace(COURTESY_RE, '')) === 0;
}

/**
 * Code units that can be part of a COURTESY_RE match (case-insensitive: ASCII letters both ways;
 * the non-ASCII case variants of k and s, U+212A and U+017F, are not meaningful characters).
 */
const COURTESY_UNITS = new Uint8Array(0x10000);
for (const w of COURTESY) {
  for (const ch of w) {
    COURTESY_UNITS[ch.charCodeAt(0)] = 1;
    COURTESY_UNITS[ch.toLowerCase().charCodeAt(0)] = 1;
    COURTESY_UNITS[ch.toUpperCase().charCodeAt(0)] = 1;
  }
}

/**
 * True when the clause holds a meaningful BMP character that no courtesy word can match, so it
 * is left after COURTESY_RE removal and the clause is not courtesy only. A clause with '<' is not
 * decided here (removal could leave a placeholder, which does not count).
 */
function survivesCourtesyRemoval(clause: string): boolean {
  if (clause.indexOf('<') >= 0) return false;
  for (let i = 0; i < clause.length; i++) {
    const c = clause.charCodeAt(i);
    if (COURTESY_UNITS[c] === 1 || (c >= 0xd800 && c <= 0xdfff)) continue;
    if (c < 128 ? (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) : meaningfulCp(c)) return true;
  }
  return false;
}

/** True when every clause of the turn is courtesy: thanks, acknowledgements, good wishes, closing offers. */
export function isPleasantry(text: string): boolean {
  // The clauses of text.replace(PLACEHOLDER, '').split(CLAUSE_BREAK), trimmed, those with a
  // meaningful character, read one at a time: a turn with content stops at its first such clause.
  // A wish clause (祝…, 希望…) lets the short wish tails after it in its sentence count as courtesy.
  const t = text.indexOf('<') === -1 ? text : text.replace(PLACEHOLDER, '');
  const brk = CLAUSE_BREAK;
  brk.lastIndex = 0;
  let start = 0;
  let wish = false;
  for (;;) {
    const m = brk.exec(t);
    const c = t.slice(start, m ? m.index : t.length).trim();
    if (meaningfulChars(c) > 0 && !courtesyClause(c)) {
      if (!(wish && WISH_TAIL.test(c))) return false;
    } else if (WISH_OPENING.test(c.replace(LEADING_COURTESY, ''))) wish = true;
    if (!m) return true;
    if (SENTENCE_END.test(m[0])) wish = false;
    start = brk.lastIndex;
  }
}

/**
 * The share of a turn's clauses (those with a meaningful character) that are courtesy, as
 * isPleasantry reads them: 1 for a pleasantry, 0 for a turn without one.
 */
export function courtesyShare(text: string): number {
  const t = text.indexOf('<') === -1 ? text : text.replace(PLACEHOLDER, '');
  let all = 0;
  let courtesy = 0;
  let wish = false;
  const brk = new RegExp(CLAUSE_BREAK.source, 'gu');
  let start = 0;
  for (;;) {
    const m = brk.exec(t);
    const c = t.slice(start, m ? m.index : t.length).trim();
    if (meaningfulChars(c) > 0) {
      all++;
      if (courtesyClause(c) || (wish && WISH_TAIL.test(c))) {
        courtesy++;
        if (WISH_OPENING.test(c.replace(LEADING_COURTESY, ''))) wish = true;
      } else if (WISH_OPENING.test(c.replace(LEADING_COURTESY, ''))) wish = true;
    }
    if (!m) break;
    if (SENTENCE_END.test(m[0])) wish = false;
    start = brk.lastIndex;
  }
  return all === 0 ? 1 : courtesy / all;
}

/** A patient turn that closes: thanks or an acknowledgement (好的，我会去查的。谢谢医生), asking nothing. */
const CLOSING_PATIENT = /^(?:好的|好吧|好滴|好|嗯+|哦+|明白了?|了解了?|知道了?|收到|懂了|谢谢|感谢|非常感谢|十分感谢|太感谢|多谢|行|ok|okay)/i;
/** A doctor reply that opens with "you are welcome". */
const WELCOME = /^(?:不客气|不用客气|不要客气|别客气|不用谢|不谢)/;

/**
 * A closing round: the patient thanks or acknowledges and asks nothing, and the doctor's reply opens
 * with 不客气 and is mostly courtesy (three clauses in five or more: 不客气，祝您早日康复。如有问题随时咨询我。
 * 希望您多休息). As a record's output it teaches a sign-off, not an answer; a reply that opens so but
 * then advises (不客气，先不用吃药，观察就行) is not one.
 */
export function isClosingRound(patient: string, doctor: string): boolean {
  if (!WELCOME.test(doctor) || !CLOSING_PATIENT.test(patient.trimStart())) return false;
  if (patient.indexOf('？') !== -1 || patient.indexOf('?') !== -1 || patient.indexOf('吗') !== -1) return false;
  return courtesyShare(doctor) >= 0.6;
}
