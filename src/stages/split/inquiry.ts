/**
 * Proactive inquiry: a doctor turn that asks the patient for information (duration, symptoms,
 * history, tests…) rather than only answering. Detected from question marks and Chinese
 * interrogative patterns. Rhetorical closings and closing offers are not inquiries: "还有什么问题吗",
 * "请问您还有其他问题吗？", "需要我为您提供一些饮食建议吗？", "还有什么可以帮您" offer more help,
 * they do not ask for information (pleasantry.ts, CLOSING_OFFER, shared with the pleasantry rule).
 */
import { isPleasantry } from './pleasantry.js';

const QUESTION_MARK = /[？?]/;
const INTERROGATIVE = /(请问|有没有|有无|是否|多久|多长时间|多大|几岁|几天|几次|哪里|哪儿|哪个|哪些|什么时候|什么症状|怎么样了|严不严重|做过|查过|吃过|用过|量过|测过)/;
const ASKING_FOR = /(请(?:提供|描述|说明|告诉我|发|上传)|能(?:否|不能)?(?:描述|说一下|告诉)|麻烦(?:提供|描述|发))/;
const CLOSING_ONLY = /^(?:还有(?:什么|其他)(?:问题|疑问)吗|有什么(?:问题|疑问)(?:可以)?(?:随时)?(?:再)?问我吗?|明白了吗|清楚了吗|好吗|可以吗)[？?。！!]*$/;

export function isInquiry(doctorTurn: string): boolean {
  const sentences = doctorTurn.split(/(?<=[。！!？?\n])/);
  for (const raw of sentences) {
    const s = raw.trim();
    if (!s || CLOSING_ONLY.test(s)) continue;
    const asks = QUESTION_MARK.test(s) || ASKING_FOR.test(s)
      // No question mark (chat users often omit it): an interrogative not closed as a statement.
      || (INTERROGATIVE.test(s) && !/[。！!]$/.test(s));
    // A sentence made only of courtesy and closing offers (every clause of it) asks nothing
    // (tested last: it is the costly test, and only matters for a sentence that would ask).
    if (asks && !isPleasantry(s)) return true;
  }
  return false;
}
