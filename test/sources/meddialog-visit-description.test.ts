/**
 * A MedDialog consultation whose follow-up visit comes with a Description of its own (haodf posts
 * the new intake form before the visit's Dialogue: the fever came back, a new report): that
 * description is the patient's new case and must reach the visit's records, also when the visit
 * opens with the patient. A follow-up whose Description repeats the earlier one (the dump prints
 * the same form again) keeps the patient's opening alone, as before. All text is written here.
 */
import { describe, expect, it } from '@jest/globals';
import type { Dialogue } from '../../schemas/dialogue.js';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { normaliseOne } from '../../src/stages/normalise/index.js';
import { testContext } from '../support/context.js';
import { importText } from './helpers.js';

const first = ['Description', '疾病：发热', '病情描述：发烧两天，三十八度。', '希望获得的帮助：要不要吃药？', ''];
const firstDialogue = ['Dialogue', '病人：', '医生你好', '医生：', '先吃退烧药，多喝水。', ''];
const followUp = ['Dialogue', '病人：', '医生，又烧起来了怎么办？', '医生：', '停药几天了？需要复查血常规。', ''];

async function visits(lines: string[]): Promise<Dialogue[]> {
  const text = ['id=1', 'https://www.haodf.com/doctorteam/flow_team_1.htm', '', ...lines].join('\n') + '\n';
  const { dialogues, rejects } = await importText(importMedDialog, text, 'visits.txt');
  expect(rejects).toEqual([]);
  const ctx = testContext();
  return dialogues.map((d) => {
    const n = normaliseOne(d, ctx);
    if (!('turns' in n)) throw new Error(`normalise rejected visit ${String(d.origin.visit)}: ${n.reason}`);
    return n;
  });
}

describe('MedDialog follow-up visits with a Description of their own', () => {
  it('puts the new description before the patient opening of its visit', async () => {
    const own = ['Description', '疾病：发热', '病情描述：停药四天后体温又回到三十七度五。', '希望获得的帮助：要换药吗？', ''];
    const [v0, v1] = await visits([...first, ...firstDialogue, ...own, ...followUp]);
    expect(v0.turns[0].text).toBe('疾病：发热\n病情描述：发烧两天，三十八度。\n希望获得的帮助：要不要吃药？\n医生你好');
    expect(v1.origin.visit).toBe(1);
    expect(v1.turns[0]).toEqual({ role: 'patient', text: '疾病：发热\n病情描述：停药四天后体温又回到三十七度五。\n希望获得的帮助：要换药吗？\n医生，又烧起来了怎么办？' });
  });

  it('keeps a follow-up opening alone when its Description repeats the earlier one, or when it has none', async () => {
    const [, repeated] = await visits([...first, ...firstDialogue, ...first, ...followUp]);
    expect(repeated.turns[0]).toEqual({ role: 'patient', text: '医生，又烧起来了怎么办？' });
    const [, none] = await visits([...first, ...firstDialogue, ...followUp]);
    expect(none.turns[0]).toEqual({ role: 'patient', text: '医生，又烧起来了怎么办？' });
    // A note before the first speaker line (an appointment) makes no description of its own: the
    // earlier visit's would be repeated before the patient's opening.
    const noted = ['Dialogue', '预约时间：周三上午', '病人：', '我到医院了', '医生：', '好的，先去抽血。', ''];
    const [, withNote, after] = await visits([...first, ...firstDialogue, ...noted, ...followUp]);
    expect(withNote.turns[0]).toEqual({ role: 'patient', text: '我到医院了' });
    expect(after.turns[0]).toEqual({ role: 'patient', text: '医生，又烧起来了怎么办？' });
  });

  it('gives a follow-up that opens with the doctor its own description as the patient turn, as before', async () => {
    const own = ['Description', '病情描述：复查报告出来了，白细胞偏低。', ''];
    const doctorFirst = ['Dialogue', '医生：', '报告我看了，问题不大。', '病人：', '需要吃药吗？', '医生：', '暂时不用。', ''];
    const [, v1] = await visits([...first, ...firstDialogue, ...own, ...doctorFirst]);
    expect(v1.turns.slice(0, 2)).toEqual([
      { role: 'patient', text: '病情描述：复查报告出来了，白细胞偏低。' },
      { role: 'doctor', text: '报告我看了，问题不大。' },
    ]);
  });
});
