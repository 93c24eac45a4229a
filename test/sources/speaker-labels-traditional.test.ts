/**
 * Traditional-script copies (MedDialog, MIE): the nurse and system labels (護士, 系統) start turns of
 * their own as 护士/系统 do, and a label followed by the colons those copies write (︰ U+FE30, ∶
 * U+2236) is a speaker line: neither is glued as text into the turn before nor lost.
 */
import { describe, expect, it } from '@jest/globals';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { splitSpeaker } from '../../src/sources/mie.js';
import { normaliseOne } from '../../src/stages/normalise/index.js';
import { testContext } from '../support/context.js';
import { importText, turnsOf } from './helpers.js';

describe('speaker labels in traditional-script copies', () => {
  it('reads 護士： and 系統： as turns of their own, rejected in normalise as unknown speakers', async () => {
    const text = 'id=1\nhttps://www.haodf.com/x/1.htm\n\nDialogue\n病人：\n我咳嗽三天了\n護士：\n醫生正在手術，請稍等\n醫生：\n多喝水，注意休息\n系統：\n問診已結束\n\n';
    const { dialogues } = await importText(importMedDialog, text, 'trad.txt');
    // Before: [['病人', '我咳嗽三天了\n護士：\n醫生正在手術，請稍等'], ['醫生', '多喝水，注意休息\n系統：\n問診已結束']]
    expect(turnsOf(dialogues[0])).toEqual([
      ['病人', '我咳嗽三天了'],
      ['護士', '醫生正在手術，請稍等'],
      ['醫生', '多喝水，注意休息'],
      ['系統', '問診已結束'],
    ]);
    expect(normaliseOne(dialogues[0], testContext())).toMatchObject({ reason: 'normalise.unknown_speaker' });
  });

  it.each(['\ufe30', '\u2236'])('reads a speaker line whose colon is %s', async (colon) => {
    const text = `id=2\n\nDialogue\n病人${colon}\n我咳嗽三天了\n醫生${colon}多喝水，注意休息\n\n`;
    const { dialogues } = await importText(importMedDialog, text, 'colon.txt');
    // Before: a dialogue without turns (normalise.empty).
    expect(turnsOf(dialogues[0])).toEqual([['病人', '我咳嗽三天了'], ['醫生', '多喝水，注意休息']]);
    const n = normaliseOne(dialogues[0], testContext());
    expect('turns' in n && n.turns.map((t) => t.role)).toEqual(['patient', 'doctor']);
  });

  it('splits the MIE speaker prefix after those colons and labels', () => {
    expect(splitSpeaker('患者\ufe30心慌')).toEqual({ speaker: '患者', text: '心慌' });
    expect(splitSpeaker('護士:請稍等')).toEqual({ speaker: '護士', text: '請稍等' });
  });
});
