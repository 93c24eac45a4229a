/**
 * MedDialog copies re-typed in full-width letters (ＩＤ＝１, Ｄｉａｌｏｇｕｅ) or indented with
 * ideographic spaces: their section headers open the sections as the ASCII ones do, so the
 * consultation is read, not rejected as having no Dialogue section, and the Diagnosis section's
 * text never ends up in the last doctor turn.
 */
import { describe, expect, it } from '@jest/globals';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { importText, turnsOf } from './helpers.js';

describe('MedDialog: full-width and ideographic-space section headers', () => {
  it('reads a consultation whose headers are in full-width letters', async () => {
    const text = 'ｉｄ＝１\nhttps://www.haodf.com/x/1.htm\n\nＤｅｓｃｒｉｐｔｉｏｎ\n疾病： 咳嗽\n\nＤｉａｌｏｇｕｅ\n病人：\n我咳嗽三天了\n医生：\n多喝水，注意休息\n\nＤｉａｇｎｏｓｉｓ ａｎｄ ｓｕｇｇｅｓｔｉｏｎｓ\n总结建议： 多喝水\n\n';
    const { dialogues, rejects } = await importText(importMedDialog, text, 'fw.txt');
    // Before: one import.no_dialogue reject for id=1.
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(1);
    expect(turnsOf(dialogues[0])).toEqual([['病人', '我咳嗽三天了'], ['医生', '多喝水，注意休息']]);
    expect(dialogues[0].disease).toBe('咳嗽');
  });

  it('reads headers indented or followed by ideographic spaces (U+3000)', async () => {
    const text = 'id=4\n\n\u3000Dialogue\u3000\n病人：\n我咳嗽\n医生：\n多喝水\n\u3000\u3000Diagnosis and suggestions\n总结建议： 多喝水\n\n';
    const { dialogues, rejects } = await importText(importMedDialog, text, 'ideo.txt');
    expect(rejects).toEqual([]);
    expect(turnsOf(dialogues[0])).toEqual([['病人', '我咳嗽'], ['医生', '多喝水']]);
  });

  it('keeps a turn line that starts with full-width letters or an ideographic space as text', async () => {
    const text = 'id=5\n\nDialogue\n病人：\n\u3000\u3000我咳嗽\nＣＴ正常\n医生：\nＤｉａｌｏｇｕｅ是对话\n\n';
    const { dialogues } = await importText(importMedDialog, text, 'text.txt');
    expect(turnsOf(dialogues[0])).toEqual([['病人', '我咳嗽\nＣＴ正常'], ['医生', 'Ｄｉａｌｏｇｕｅ是对话']]);
  });
});
