/**
 * Short rounds that still teach something, which split lets end a record though the thin-round
 * rules (pleasantry.ts, split.minOutputChars, split.minInstructionChars) would fold them:
 *  - a short answer to the patient's question: 几分钟 → 五分钟以上, 推荐什么药 → 亚胺培南, 可以吃吗 →
 *    可以的, 可以排除了吗 → 是的，不用担心 (split.shortAnswers);
 *  - a substantive doctor answer after a short patient turn (好的, 嗯, 是啊, 您好, 不累) in a later
 *    round, whose context is the history before it (split.contextualInstructions).
 * Pure string functions over one round; asked only for rounds the thin rules caught (rare), so the
 * regexes here cost nothing on the hot path. Must not let a sign-off, a service plug (评价, 关注,
 * 送心意), a presence reply (在的) or an "I don't know" end a record.
 */
import { courtesyClause, courtesyShare, meaningfulChars } from './pleasantry.js';

/** The patient asks something: a question mark, a yes/no particle, an A-not-A form or a question word. */
const ASKS = /[？?]|吗|(?<![什怎那这多要])么(?!样)|嘛|是否|是不是|能不能|可不可以|会不会|要不要|需不需要|有没有|用不用|行不行|对不对|算不算|严不严重|[对是行]吧|什么|哪|多少|多久|多长|怎么|怎样|如何|为什么|为啥|几(?![乎率])/;
/** A question a yes or no answers: a yes/no particle, A-not-A, 是否, or a question mark without a question word. */
const YES_NO = /吗|(?<![什怎那这多要])么(?!样)|嘛|是否|是不是|能不能|可不可以|会不会|要不要|需不需要|有没有|用不用|行不行|对不对|算不算|严不严重|[对是行]吧|吧[？?]/;
const WH = /什么|哪|多少|多久|多长|怎么|怎样|如何|为什么|为啥|几(?![乎率])/;
/** Courtesy words that are also a yes or a reassurance (是的, 对, 可以, 没事, 不用担心, 放心). */
const YES_WORD = /是|对|可以|行|没事|没关系|不要紧|担心|放心/;
/** A reply to thanks (不客气, 不用谢): a yes word beside it (没事，不客气 / 随时都可以问我) answers the thanks. */
const THANKS_BACK = /不客气|不用客气|不要客气|别客气|不用谢|不谢/;
/** Replies that answer nothing: presence (在的, 在呢), or not knowing (这个不清楚, 不好说). */
const NON_ANSWER = /^(?:我|医生)?在(?:的|呢|线|啊|呀|哦)?[\s！!。.~～]*$|^(?:这个|这|我)?(?:也|真)?(?:不清楚|不太清楚|不知道|不太知道|不了解|不好说|说不好|不确定|没法说)/;
/** A patient turn that is a greeting or a presence check only (你好, 医生在吗). */
const GREETING = /^(?:医生|大夫)?[，,\s]*(?:你好|您好|在吗|在不在|在不|hi|hello)[啊呀吗！!。.，,？?~～\s]*$/i;

/** Where a short answer's clauses end. */
const CLAUSE = /[，,。！!？?；;：:\n~～…、\s]+/u;

/** The patient's turn asks a question and the doctor's short reply answers it (not a greeting, presence or "don't know"). */
function answerable(patient: string, doctor: string): boolean {
  const d = doctor.trim();
  if (meaningfulChars(d) < 2 || GREETING.test(patient.trim()) || NON_ANSWER.test(d)) return false;
  return ASKS.test(patient);
}

/**
 * A short non-courtesy answer (under split.minOutputChars) to a question in the patient's turn: 几分钟 → 五分钟以上.
 * Its clauses other than courtesy (你好, 谢谢) hold 2+ meaningful characters, and not only words of the
 * question (影像学检查有些什么 → 影像学检查 echoes it).
 */
export function isShortAnswer(patient: string, doctor: string): boolean {
  if (!answerable(patient, doctor)) return false;
  const content = doctor.split(CLAUSE).filter((c) => meaningfulChars(c) > 0 && !courtesyClause(c));
  if (content.reduce((n, c) => n + meaningfulChars(c), 0) < 2) return false;
  return !content.every((c) => patient.includes(c));
}

/**
 * A courtesy-only reply that is a yes to a yes/no question (可以吃吗 → 可以的; 可以排除了吗 → 是的，不用担心):
 * it holds a yes word, and the question asks yes or no (a question mark alone only without a question word).
 */
export function isYesAnswer(patient: string, doctor: string): boolean {
  // 没事，不客气 / 不客气，…随时都可以问我: a reply that thanks back answers the thanks, not a question,
  // unless a clause of its own opens with a plain yes (可以的，不客气 to 能吃布洛芬吗？谢谢).
  if (!YES_WORD.test(doctor) || (THANKS_BACK.test(doctor) && !plainYesClause(doctor)) || !answerable(patient, doctor)) return false;
  return YES_NO.test(patient) || (/[？?]/.test(patient) && !WH.test(patient));
}

/** A clause opening with a plain yes (可以的, 是的, 能用): an answer, where 没事/放心 may only reassure. */
const PLAIN_YES = /^(?:是|对|可以|行|能)/;

/** Some clause of the reply other than the thanks-back opens with a plain yes (随时都可以问我 does not). */
function plainYesClause(doctor: string): boolean {
  return doctor.split(CLAUSE).some((c) => c !== '' && PLAIN_YES.test(c) && !THANKS_BACK.test(c));
}

/** Minimum meaningful characters of a substantive answer after a short patient turn. */
const SUBSTANTIVE_CHARS = 8;
/** A doctor reply that opens with "you are welcome": an answer to thanks. */
const WELCOME = /^(?:不客气|不用客气|不要客气|别客气|不用谢|不谢)/;
/** Service plugs and sign-offs that are not answers: rate me, follow me, send a gift, ask me any time. */
const SERVICE_PLUG = /评价|好评|关注|粉丝|送心意|点赞|头像|(?:咨询|联系|找|问)我|尽管咨询|随时咨询|欢迎咨询/;
/** A patient turn of particles and punctuation only (吗, 呢？): it says nothing, not even that it heard. */
const PARTICLES_ONLY = /^[吗呢么嘛吧？?！!。.，,~～\s]*$/;

/**
 * A short patient turn (好的, 嗯, 是啊, 您好, 不累) answered substantively: 8+ meaningful characters,
 * under half of its clauses courtesy, not opening with 不客气, no service plug. As a later round,
 * with the rounds before it as history, it is a record worth training on.
 */
export function isSubstantiveAfterShortTurn(patient: string, doctor: string): boolean {
  if (PARTICLES_ONLY.test(patient)) return false;
  const d = doctor.trim();
  if (meaningfulChars(d) < SUBSTANTIVE_CHARS || WELCOME.test(d) || SERVICE_PLUG.test(d)) return false;
  return courtesyShare(d) < 0.5;
}
