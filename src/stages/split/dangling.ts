/**
 * Colons and form labels left dangling at the end of a record's text, once its turns are merged:
 * a colon with nothing after it (…多饮水多休息：, a question the dump ended with one), an empty
 * field of the ask form (…呈阳性辅助检查：, 患者性别：患者年龄：), an empty heading of the answer page
 * (…不用治疗生活调理：). normalise keeps a colon at the end of
 * a turn (the next turn of the same speaker may be the list or value it announces: 注意以下几点： →
 * 1、多喝水); here the texts are whole, so a colon at the end announces nothing. In the ask-form
 * sources (askform.json's formats: Huatuo, Toyhom, whose dumps hold no line breaks of their own)
 * a line break is where normalise removed a prompt of the form, so a line ending on a colon there is
 * dangling too (感觉漏风：\n为什么？, 病史：\n经常感冒…); elsewhere a label's value may be on the next
 * line (MedDialog: 用药情况：\n布洛芬) and inner lines stay.
 *
 * Only a listed label goes with its colon (a possessive before it makes it the patient's words:
 * 我的检查结果： keeps them); anything else loses the colon only. Pure string functions; the label
 * lists are literals compared at the text's end, so the cost is bounded by the lists, not the text.
 */
import askform from '../normalise/boilerplate/askform.json' with { type: 'json' };
import { endingSentence } from '../normalise/text.js';

/** Formats whose line breaks inside a text are removed ask-form prompts. */
export const ASK_FORM_FORMATS: ReadonlySet<string> = new Set(askform.formats);

/** Field labels of the ask-a-doctor question forms, removed with their colon where nothing follows. */
const FORM_LABELS = [
  '患者性别', '患者年龄', '患者信息', '主要症状', '全部症状', '发病时间', '发病时间及原因', '本次发病及持续时间', '此次病情', '目前一般情况',
  '治疗情况', '曾经治疗情况和效果', '曾经的治疗情况和效果', '以往诊断治疗经过及效果', '化验检查结果', '化验、检查结果', '检查结果',
  '辅助检查', '既往病史', '遗传病史', '家族病史', '过敏史', '用药情况', '身高/体重', '病情描述', '问题描述', '补充问题',
];
/**
 * Headings the answer pages put before a section of the answer (生活调理：, 温馨提示：), removed with
 * their colon where the section is empty; not after a word that makes them the sentence's own noun
 * (一些注意事项：, 以下几点注意事项：, 拔牙后的温馨提示：), which lose only the colon.
 */
const HEADINGS = [
  '生活调理', '生活护理', '生活指导', '生活建议', '饮食注意', '饮食调理', '饮食指导', '饮食建议', '饮食禁忌', '温馨提示', '温馨提醒',
  '注意事项', '日常护理', '预防措施', '指导建议', '意见建议', '指导意见', '心理指导', '心理分析', '健康指导', '保健指导', '医生建议',
  '专家建议', '治疗建议', '病情分析',
];
const NOT_BEFORE_HEADING = /[的之些点下项种个条和及与或其我你他她]/;
/** Labels of two characters, common words too: removed only after a boundary or a form value (35病史：, 性别：女年龄：). */
const SHORT_LABELS = ['性别', '年龄', '病史'];
/** What may stand before a short label: the text's start, punctuation, a line break, or a form value's end (a digit, a letter, 男/女, 岁). */
const BEFORE_SHORT = /[\s。！？!?；;，,、：:）)\dA-Za-z男女岁]/;
/** Before a long label: a possessive or pronoun makes it a phrase of the patient's sentence. */
const NOT_BEFORE_LABEL = /[的我你他她]/;

const byLength = (a: string, b: string) => b.length - a.length;
const LONG = [...FORM_LABELS].sort(byLength);
const HEAD = [...HEADINGS].sort(byLength);
const SHORT = [...SHORT_LABELS].sort(byLength);


const isColon = (c: string | undefined) => c === '：' || c === ':';

/** The length of the listed label that ends `t` (its colon already cut off), 0 when none may go. */
function labelAtEnd(t: string): number {
  for (const l of LONG) {
    if (t.endsWith(l)) {
      const before = t[t.length - l.length - 1];
      return before !== undefined && NOT_BEFORE_LABEL.test(before) ? 0 : l.length;
    }
  }
  for (const l of HEAD) {
    if (t.endsWith(l)) {
      const before = t[t.length - l.length - 1];
      return before !== undefined && NOT_BEFORE_HEADING.test(before) ? 0 : l.length;
    }
  }
  for (const l of SHORT) {
    if (t.endsWith(l)) {
      const before = t[t.length - l.length - 1];
      return before === undefined || BEFORE_SHORT.test(before) ? l.length : 0;
    }
  }
  return 0;
}

/** One text (or line) without the colons and empty labels at its end. */
function withoutDanglingEnd(text: string): string {
  let t = text.trimEnd();
  if (!isColon(t[t.length - 1])) return text;
  // a row of empty fields (患者性别：患者年龄：主要症状：) goes label by label; bounded
  for (let i = 0; i < 12 && isColon(t[t.length - 1]); i++) {
    t = t.slice(0, -1);
    t = t.slice(0, t.length - labelAtEnd(t)).trimEnd();
  }
  return endingSentence(t); // a separator now last ends the sentence, as normalise's cleanText ends it
}

/**
 * The text without a dangling colon or empty label at its end; with `promptLines` (a text of an
 * ask-form source) without them at the end of each line too, and without lines they emptied.
 */
export function withoutDanglingLabels(text: string, promptLines = false): string {
  if (promptLines && text.includes('\n')) {
    const lines = text.split('\n');
    let changed = false;
    for (let i = 0; i < lines.length; i++) {
      const line = withoutDanglingEnd(lines[i]);
      if (line !== lines[i]) {
        lines[i] = line;
        changed = true;
      }
    }
    if (changed) return lines.filter((l) => l.trim() !== '').join('\n');
    return text;
  }
  return withoutDanglingEnd(text);
}
