/**
 * MedDialog speaker labels beyond 病人/医生: the patient's family and the doctor's assistant start
 * turns of their side; staff and platform lines (客服, 系统) start turns normalise rejects; none is
 * ever glued as text into the turn before.
 */
import { describe, expect, it } from '@jest/globals';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { normaliseOne } from '../../src/stages/normalise/index.js';
import { testContext } from '../support/context.js';
import { importText, turnsOf } from './helpers.js';

/** One consultation whose dialogue is the given lines. */
function consultation(...lines: string[]): string {
  return `id=7\nhttps://www.haodf.com/x/7.htm\n\nDescription\n疾病： 发热\n\nDialogue\n${lines.join('\n')}\n\n`;
}

const roles = (text: string) => {
  return importText(importMedDialog, text, 'labels.txt').then(({ dialogues, rejects }) => {
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(1);
    return dialogues[0];
  });
};

describe('MedDialog: labels of the patient side and the doctor side', () => {
  const patientSide = ['家属', '家长', '患者家属', '病人家属', '患者本人', 'Patient'];
  const doctorSide = ['助理', '医助', '医生助理', 'Doctor'];

  it.each(patientSide.flatMap((l) => [[l, '：', 'own line'], [l, ':', 'same line']]))('reads a %s%s line (%s) as a patient turn, not text of the doctor turn before', async (label, colon, where) => {
    const turn = where === 'own line' ? [`${label}${colon}`, '孩子烧到三十九度了'] : [`${label}${colon}孩子烧到三十九度了`];
    const d = await roles(consultation('病人：', '发烧两天', '医生：', '量过体温吗', ...turn, '医生：', '先物理降温'));
    expect(turnsOf(d)).toEqual([['病人', '发烧两天'], ['医生', '量过体温吗'], [label, '孩子烧到三十九度了'], ['医生', '先物理降温']]);
    const n = normaliseOne(d, testContext());
    expect('turns' in n && n.turns.map((t) => t.role)).toEqual(['patient', 'doctor', 'patient', 'doctor']);
  });

  it.each(doctorSide.flatMap((l) => [[l, '：', 'own line'], [l, ':', 'same line']]))('reads a %s%s line (%s) as a doctor turn, not text of the patient turn before', async (label, colon, where) => {
    const turn = where === 'own line' ? [`${label}${colon}`, '请上传化验单'] : [`${label}${colon}请上传化验单`];
    const d = await roles(consultation('病人：', '发烧两天', ...turn, '病人：', '好的'));
    expect(turnsOf(d)).toEqual([['病人', '发烧两天'], [label, '请上传化验单'], ['病人', '好的']]);
    const n = normaliseOne(d, testContext());
    expect('turns' in n && n.turns.map((t) => t.role)).toEqual(['patient', 'doctor', 'patient']);
  });

  it.each([['客服'], ['系统']])('reads a %s： line as a turn of its own that normalise rejects as normalise.unknown_speaker', async (label) => {
    for (const turn of [[`${label}：`, '问诊即将结束'], [`${label}：问诊即将结束`]]) {
      const d = await roles(consultation('病人：', '发烧两天', '医生：', '多喝水', ...turn));
      expect(turnsOf(d)).toEqual([['病人', '发烧两天'], ['医生', '多喝水'], [label, '问诊即将结束']]);
      const n = normaliseOne(d, testContext());
      expect('reason' in n && n.reason).toBe('normalise.unknown_speaker');
    }
  });

  it('keeps a line that starts with another word and a colon as text of the turn it is in', async () => {
    const d = await roles(consultation('病人：', '化验结果如下', '白细胞：12', '体温：38度', '医生：', '建议：复查血常规'));
    expect(turnsOf(d)).toEqual([['病人', '化验结果如下\n白细胞：12\n体温：38度'], ['医生', '建议：复查血常规']]);
  });
});

describe('MedDialog: near-miss speaker lines of re-typed copies (session-18 hunt)', () => {
  it.each(['【病人】', '【病人】：', '[病人]', '病 人：', '病人（家属）：', '病人(本人)：', '病人说：', '病人；', '患者;'])('reads %s as the patient starting a turn, not text of the doctor turn before', async (label) => {
    const d = await roles(consultation('病人：', '头痛三天了', '医生：', '量过血压吗？', label, '量过了，150/95', '医生：', '先低盐饮食，规律服药'));
    expect(turnsOf(d).map(([s, t]) => [s.replace(/ /g, ''), t])).toEqual([
      ['病人', '头痛三天了'], ['医生', '量过血压吗？'], [label.includes('患者') ? '患者' : '病人', '量过了，150/95'], ['医生', '先低盐饮食，规律服药'],
    ]);
  });

  it('reads 医生回复： as the doctor, and leaves a bare label and a label inside a sentence as text', async () => {
    const d = await roles(consultation('病人：', '头痛三天了', '医生回复：', '量过血压吗？'));
    expect(turnsOf(d)).toEqual([['病人', '头痛三天了'], ['医生', '量过血压吗？']]);
    const bare = await roles(consultation('医生：', '您是患者本人吗？', '病人：', '不是，我是家属', '医生：', '那请问患者多大了', '病人', '七十岁'));
    expect(turnsOf(bare).at(-1)).toEqual(['医生', '那请问患者多大了\n病人\n七十岁']);
    const inSentence = await roles(consultation('病人：', '病人说的话要听吗？', '医生：', '要听'));
    expect(turnsOf(inSentence)).toEqual([['病人', '病人说的话要听吗？'], ['医生', '要听']]);
  });
});
