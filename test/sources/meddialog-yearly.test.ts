/**
 * Shapes of the MedDialog-CN yearly files (2010–2020) and of copies re-saved from them that the
 * COVID subset does not show: a URL line written without its scheme, a Doctor faculty line that
 * names only the department (or hospital and department one space apart), the disease on the line
 * after its 疾病： label (the older intake form). All text here is written for these tests.
 */
import { describe, expect, it } from '@jest/globals';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { importText, turnsOf } from './helpers.js';

const consultation = (id: number, head: string[], description: string[]) =>
  [`id=${id}`, ...head, '', 'Description', ...description, '', 'Dialogue', '病人：', '孩子咳嗽三天了怎么办？', '医生：', '先观察体温，多喝水，咳嗽加重再来就诊。', ''].join('\n');

describe('MedDialog-CN yearly-file shapes', () => {
  it('takes a URL line without its scheme as the URL, not as the case description', async () => {
    const text = consultation(1, ['www.haodf.com/wenda/example_g_100001.htm'], ['病情描述：孩子咳嗽。']) + '\n';
    const { dialogues, rejects } = await importText(importMedDialog, text, '2012.txt');
    expect(rejects).toEqual([]);
    expect(dialogues[0].origin.url).toBe('www.haodf.com/wenda/example_g_100001.htm');
    expect(dialogues[0].description).toBe('病情描述：孩子咳嗽。');
  });

  it('reads the department of a Doctor faculty line that names only it, or hospital and department one space apart', async () => {
    const text = [
      consultation(1, ['https://www.haodf.com/wenda/a_g_1.htm', '', 'Doctor faculty', '小儿呼吸科'], ['病情描述：孩子咳嗽。']),
      consultation(2, ['https://www.haodf.com/wenda/a_g_2.htm', '', 'Doctor faculty', '示例市儿童医院 小儿呼吸科'], ['病情描述：孩子咳嗽。']),
      // A hospital alone names no department.
      consultation(3, ['https://www.haodf.com/wenda/a_g_3.htm', '', 'Doctor faculty', '示例市儿童医院'], ['病情描述：孩子咳嗽。']),
    ].join('\n') + '\n';
    const { dialogues, rejects } = await importText(importMedDialog, text, '2013.txt');
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => [d.origin.sourceId, d.department])).toEqual([
      ['1', '小儿呼吸科'],
      ['2', '小儿呼吸科'],
      ['3', undefined],
    ]);
  });

  it('reads the disease written on the line after its 疾病： label, and no label as the disease', async () => {
    const text = [
      consultation(1, ['https://www.haodf.com/wenda/a_g_1.htm'], ['疾病：', '支气管炎', '内容：', '病情描述（发病时间、主要症状等）：', '孩子咳嗽三天。', '想得到怎样的帮助：', '怎么治疗？']),
      consultation(2, ['https://www.haodf.com/wenda/a_g_2.htm'], ['疾病：', '病情描述（发病时间、主要症状等）：', '孩子咳嗽三天。']),
      // 未填写 says there is none: the next field (with its value on the line) is no disease
      consultation(3, ['https://www.haodf.com/wenda/a_g_3.htm'], ['疾病： 未填写', '病情描述： 做了两次检查，结果不一样。']),
    ].join('\n') + '\n';
    const { dialogues, rejects } = await importText(importMedDialog, text, '2011.txt');
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => [d.origin.sourceId, d.disease])).toEqual([
      ['1', '支气管炎'],
      ['2', undefined],
      ['3', undefined],
    ]);
    expect(dialogues[0].description).toBe('疾病：\n支气管炎\n内容：\n病情描述（发病时间、主要症状等）：\n孩子咳嗽三天。\n想得到怎样的帮助：\n怎么治疗？');
    expect(turnsOf(dialogues[0])).toEqual([
      ['病人', '孩子咳嗽三天了怎么办？'],
      ['医生', '先观察体温，多喝水，咳嗽加重再来就诊。'],
    ]);
  });
});
