/**
 * MedDialog: the page sometimes puts the patient's next intake form (约医生：… 疾病：… 病情描述：…)
 * under the doctor's label (session-16 audit: ~6 accepted records had it as the doctor's answer).
 * The form is the patient's: the doctor's turn ends where it starts and it becomes a patient turn.
 */
import { describe, expect, it } from '@jest/globals';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { normaliseOne } from '../../src/stages/normalise/index.js';
import { testContext } from '../support/context.js';
import { importText, turnsOf } from './helpers.js';

const block = (dialogue: string) => `id=7\nhttps://www.haodf.com/x/7.htm\n\nDescription\n疾病： 咳嗽\n\nDialogue\n${dialogue}\n\n`;

describe('MedDialog: a patient intake form under the doctor\'s label', () => {
  it('splits the doctor\'s answer from the form that follows it, and the form is a patient turn', async () => {
    const text = block('病人：\n咳嗽一周了\n医生：\n连续吃两周再联系\n疾病：咳嗽不好\n病情描述：药吃了恶心\n希望获得的帮助：能不能减量\n病人：\n好的');
    const { dialogues } = await importText(importMedDialog, text, 'form.txt');
    expect(turnsOf(dialogues[0])).toEqual([
      ['病人', '咳嗽一周了'],
      ['医生', '连续吃两周再联系'],
      ['病人', '疾病：咳嗽不好\n病情描述：药吃了恶心\n希望获得的帮助：能不能减量'],
      ['病人', '好的'],
    ]);
  });

  it('makes a doctor turn that is only the form a patient turn, and drops the booked doctor\'s name', async () => {
    const text = block('病人：\n咳嗽一周了\n医生：\n好的，先吃药\n医生：\n约医生： 王某某\n疾病： 又开始咳嗽\n病情描述： 晚上睡不着\n过敏史： 无');
    const { dialogues } = await importText(importMedDialog, text, 'form.txt');
    expect(turnsOf(dialogues[0])).toEqual([
      ['病人', '咳嗽一周了'],
      ['医生', '好的，先吃药'],
      ['病人', '约医生： 王某某\n疾病： 又开始咳嗽\n病情描述： 晚上睡不着\n过敏史： 无'],
    ]);
    const d = normaliseOne({ ...dialogues[0], id: 'x' }, testContext());
    expect('turns' in d && d.turns.map((t) => [t.role, t.text])).toEqual([
      ['patient', '疾病：咳嗽\n咳嗽一周了'],
      ['doctor', '好的，先吃药'],
      ['patient', '疾病：又开始咳嗽\n病情描述：晚上睡不着\n过敏史：无'],
    ]);
  });

  it('keeps a doctor\'s own 疾病：… line (one label, no form after it) in the doctor\'s turn', async () => {
    const text = block('病人：\n咳嗽一周了\n医生：\n疾病：急性支气管炎\n多喝水，吃点止咳药');
    const { dialogues } = await importText(importMedDialog, text, 'form.txt');
    expect(turnsOf(dialogues[0])).toEqual([['病人', '咳嗽一周了'], ['医生', '疾病：急性支气管炎\n多喝水，吃点止咳药']]);
  });
});
