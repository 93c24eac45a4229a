import { describe, expect, it } from '@jest/globals';
import { importCmtMedQa } from '../../src/sources/cmtmedqa.js';
import { importHetmc } from '../../src/sources/hetmc.js';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { importToyhom } from '../../src/sources/toyhom.js';
import type { ImportItem } from '../../src/sources/types.js';
import { fixture, importFile, importText } from './helpers.js';

/** "dialogue <sourceId>" or "<reason> <sourceId>", in file order. */
function outline(items: ImportItem[]): string[] {
  return items.map((i) => (i.kind === 'dialogue' ? `dialogue ${i.dialogue.origin.sourceId}` : `${i.reject.reason} ${i.reject.origin.sourceId}`));
}

describe('malformed inputs', () => {
  it('yields the complete elements of a truncated JSON array, then one import.truncated reject with the cut element', async () => {
    const { items, rejects } = await importFile(importHuatuo, fixture('malformed', 'truncated-array.json'));
    expect(outline(items)).toEqual(['dialogue idx-0', 'dialogue idx-1', 'dialogue idx-2', 'import.truncated idx-3']);
    expect(rejects[0]).toMatchObject({ stage: 'import', origin: { format: 'huatuo', position: 4 } });
    expect(rejects[0].input).toMatch(/^\{\n {4}"id": "",\n {4}"instruction": \["被猫抓伤了需要打狂犬疫苗吗？"\],/);
    expect(rejects[0].input).toMatch(/建议尽快冲洗伤口并接种$/);
  });

  it('rejects broken JSON elements as import.parse_error with their raw text and reads the elements after them', async () => {
    const { items, rejects } = await importFile(importCmtMedQa, fixture('malformed', 'broken-element.json'));
    expect(outline(items)).toEqual(['dialogue safety-0', 'import.parse_error idx-1', 'dialogue j91003', 'import.parse_error idx-3', 'dialogue safety-4']);
    // a missing comma: brackets balance, JSON.parse fails
    expect(rejects[0].detail).toMatch(/^element 1 is not valid JSON/);
    expect(rejects[0].input).toMatch(/^\{\n\s+"id": "j91002",[\s\S]*"history": \[\]\n\s+\}$/);
    // a string that lost its closing quote: the scanner resynchronises at the line end
    expect(rejects[1].detail).toBe('element 3 has an unterminated string');
    expect(rejects[1].input).toContain('"instruction": "脚踝扭伤后肿得厉害，\n');
  });

  it('yields the complete consultations of a truncated MedDialog file and rejects the cut one as import.truncated', async () => {
    const { items, rejects } = await importFile(importMedDialog, fixture('malformed', 'truncated.txt'));
    expect(outline(items)).toEqual(['dialogue 201', 'dialogue 202', 'import.truncated 203']);
    expect(rejects[0].origin).toMatchObject({ position: 3, url: 'https://www.haodf.com/doctorteam/flow_team_9000000203_1.htm' });
    expect(rejects[0].input).toMatch(/^id=203\n[\s\S]*可以喝口服补液盐，如果出现$/);
  });

  it('treats a MedDialog file ending on a speaker line with no utterance as truncated', async () => {
    const text = 'id=1\nhttps://x.example/1\n\nDescription\n疾病： 咳嗽\n\nDialogue\n病人：\n咳嗽三天\n医生：\n';
    const { items } = await importText(importMedDialog, text, 'dangling.txt');
    expect(outline(items)).toEqual(['import.truncated 1']);
  });

  it('rejects only the dialogue holding invalid UTF-8 bytes as import.encoding and keeps the others intact', async () => {
    const { items, rejects } = await importFile(importHetmc, fixture('malformed', 'invalid-utf8.dialog'));
    expect(outline(items)).toEqual(['dialogue 60001', 'import.encoding 60002', 'dialogue 60003']);
    expect(rejects[0]).toMatchObject({ evidence: { replacementChars: 3 }, origin: { format: 'hetmc', sourceId: '60002', position: 2 } });
    expect(rejects[0].dialogueId).toMatch(/^[0-9a-f]{24}$/);
    expect(JSON.stringify(rejects[0].input)).toContain('身上起风团，\ufffd\ufffd一阵一阵的痒\ufffd（女，26岁）');
    const ok = items.flatMap((i) => (i.kind === 'dialogue' ? [i.dialogue] : []));
    expect(ok[1].turns[0].text).toBe('感冒后耳朵闷痛，听声音像隔了一层（女，8岁）');
  });

  it('rejects CSV rows with the wrong column count as import.parse_error and a cut quoted field as import.truncated', async () => {
    const { items, rejects } = await importFile(importToyhom, fixture('malformed', 'bad-rows.csv'));
    expect(outline(items)).toEqual(['dialogue row-1', 'import.parse_error row-2', 'import.parse_error row-3', 'dialogue row-4', 'dialogue row-5', 'import.truncated row-6']);
    expect(rejects[0].input).toEqual(['消化科', '胃胀', '饭后胃胀']);
    expect(rejects[2].input).toEqual(['皮肤科', '脸上长痘', '脸上反复长痘，用了很多药膏']);
  });
});
