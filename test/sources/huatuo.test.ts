import { describe, expect, it } from '@jest/globals';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { sharedData } from '../support/services.js';
import { fixture, importFile, importText, turnsOf } from './helpers.js';

const file = fixture('huatuo', 'sample.json');

describe('Huatuo importer on the fixture', () => {
  it('reads each record as a single-turn dialogue named idx-<index> when its id is empty', async () => {
    const { items, rejects } = await importFile(importHuatuo, file);
    expect(rejects).toEqual([]);
    expect(items).toHaveLength(6);
    expect(items[0]).toEqual({
      kind: 'dialogue',
      dialogue: {
        id: '556b1f877c00e70718c7a4e8',
        origin: { format: 'huatuo', file, sourceId: 'idx-0', position: 1 },
        turns: [
          { speaker: 'patient', text: '拔牙以后多久可以吃东西？' },
          { speaker: 'doctor', text: '拔牙后两个小时可以吃温凉的软食，当天不要用拔牙那一侧咀嚼，也不要吸吮伤口。' },
        ],
        singleTurn: true,
      },
    });
  });

  it('keeps a non-empty id as the source id and joins several instruction or output strings with newlines', async () => {
    const { dialogues } = await importFile(importHuatuo, file);
    expect(dialogues.map((d) => d.origin.sourceId)).toEqual(['idx-0', 'idx-1', 'hq-7', 'idx-3', 'idx-4', 'idx-5']);
    expect(turnsOf(dialogues[3])).toEqual([
      ['patient', '跑步后膝盖外侧疼，\n休息两天就好，再跑又疼。'],
      ['doctor', '这种情况常见于髂胫束综合征，建议减少跑量，跑前充分热身，\n并加强臀部肌肉训练。'],
    ]);
  });

  it('rejects a record without instruction or output as import.schema', async () => {
    const text = JSON.stringify([{ id: '', instruction: ['头晕'] }, { id: '', instruction: ['耳鸣'], input: '', output: ['建议查听力'] }]);
    const { items } = await importText(importHuatuo, text, 'x.json');
    expect(items.map((i) => (i.kind === 'reject' ? i.reject.reason : i.dialogue.origin.sourceId))).toEqual(['import.schema', 'idx-1']);
  });
});

describe('Huatuo importer on the real test set', () => {
  it('reads 6,000 single-turn dialogues, all with empty ids so named by index', async () => {
    const { dialogues, rejects } = await importFile(importHuatuo, sharedData('dialogues', 'huatuo26m', 'huatuo26M_test.json'));
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(6000);
    expect(dialogues.every((d, k) => d.origin.sourceId === `idx-${k}` && d.origin.position === k + 1 && d.singleTurn && d.turns.length === 2)).toBe(true);
    expect(dialogues.every((d) => d.turns[0].text && d.turns[1].text)).toBe(true);
    expect(new Set(dialogues.map((d) => d.id)).size).toBe(6000);
  });
});
