import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { importMie } from '../../src/sources/mie.js';
import { sharedData } from '../support/services.js';
import { fixture, importFile, importText, tally, turnsOf } from './helpers.js';
import { pipelineFrom, readRejectLines, runPipeline, tmpDir } from '../support/run.js';

const file = fixture('mie', 'sample.json');

describe('MIE importer on the fixture', () => {
  it('rebuilds each dialogue from its sliding windows and moves the 患者:/医生: prefix into the speaker', async () => {
    const { items, rejects } = await importFile(importMie, file);
    expect(rejects).toEqual([]);
    expect(items).toHaveLength(3);
    expect(items[1]).toEqual({
      kind: 'dialogue',
      dialogue: {
        id: '50bba5ae90c76bcf1e6f11f1',
        origin: { format: 'mie', file, sourceId: 'idx-1', position: 2 },
        turns: [
          { speaker: '患者', text: '血压160/100，头有点胀' },
          { speaker: '医生', text: '以前有高血压病史吗？' },
          { speaker: '患者', text: '没有，今年体检才发现' },
          { speaker: '医生', text: '需要非同日复测三次确认，同时低盐饮食' },
        ],
      },
    });
  });

  it('gives one turn per window, beyond the five-utterance window too', async () => {
    const { dialogues } = await importFile(importMie, file);
    expect(dialogues.map((d) => d.turns.length)).toEqual([7, 4, 5]);
    expect(turnsOf(dialogues[0]).slice(5)).toEqual([
      ['医生', '建议做24小时动态心电图，看看早搏的数量'],
      ['患者', '好的，需要吃药吗？'],
    ]);
    expect(dialogues.map((d) => d.id)).toEqual(['bce05e871a2525cc3aa75a29', '50bba5ae90c76bcf1e6f11f1', 'c10c837a8151b4442a844ed5']);
  });

  it('rejects a dialogue whose windows do not overlap as import.schema and reads the next one', async () => {
    const { items } = await importFile(importMie, fixture('malformed', 'mie-gap.json'));
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ kind: 'reject', reject: { reason: 'import.schema', origin: { sourceId: 'idx-0', position: 1 } } });
    expect(items[1]).toMatchObject({ kind: 'dialogue', dialogue: { origin: { sourceId: 'idx-1' }, turns: [{ speaker: '患者', text: '下肢水肿一周' }, { speaker: '医生', text: '按下去有坑吗？' }] } });
  });
});

describe('MIE importer on the real chunyu dev file', () => {
  it('rebuilds 160 dialogues whose lengths equal their window counts (2,694 in all)', async () => {
    const real = sharedData('dialogues', 'mie_chunyu', 'dev.json');
    const { dialogues, rejects } = await importFile(importMie, real);
    expect(rejects).toEqual([]);
    expect(dialogues).toHaveLength(160);
    const windows = JSON.parse(readFileSync(real, 'utf8')) as Array<Array<{ utterances: string[] }>>;
    expect(dialogues.map((d) => d.turns.length)).toEqual(windows.map((w) => w.length));
    expect(dialogues.reduce((n, d) => n + d.turns.length, 0)).toBe(2694);
    // every window's last utterance is the turn at its index
    dialogues.forEach((d, k) => windows[k].forEach((w, j) => expect(`${d.turns[j].speaker}:${d.turns[j].text}`).toBe(w.utterances[4].trim())));
    expect(tally(dialogues.flatMap((d) => d.turns.map((t) => t.speaker)))).toEqual(new Map([['患者', 1350], ['医生', 1344]]));
  });
});

describe('MIE speaker labels beyond 患者/医生', () => {
  // Written for this test: two windows per dialogue, 3 utterances each, left-padded.
  const dialogue = (p: string, d: string) => [
    { utterances: ['', '', `${p}：孩子咳嗽三天了，晚上更厉害`], label: [] },
    { utterances: ['', `${p}：孩子咳嗽三天了，晚上更厉害`, `${d}：有没有发烧？痰是什么颜色的？`], label: [] },
  ];

  it('reads the family, assistant and staff labels MedDialog knows as speakers, not as text', async () => {
    const text = JSON.stringify([dialogue('家属', '医生'), dialogue('患者家属', '医生助理'), dialogue('患者', '客服'), dialogue('家长', '大夫')]);
    const { dialogues, rejects } = await importText(importMie, text, 'labels.json');
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => d.turns.map((t) => t.speaker))).toEqual([['家属', '医生'], ['患者家属', '医生助理'], ['患者', '客服'], ['家长', '大夫']]);
    expect(dialogues[0].turns[0].text).toBe('孩子咳嗽三天了，晚上更厉害');
  });

  it('keeps a 家属 dialogue end to end (the patient side) and rejects a 客服 one as normalise.unknown_speaker', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'mie.json');
    writeFileSync(f, JSON.stringify([dialogue('家属', '医生'), dialogue('患者', '客服')]));
    const res = await runPipeline(pipelineFrom({ name: 'mie-labels', sources: [{ format: 'mie', path: f }] }));
    const reasons = readRejectLines(res.outDir).map((r) => r.reason);
    expect(reasons).toContain('normalise.unknown_speaker');
    expect(reasons.filter((r) => r === 'normalise.unknown_speaker')).toHaveLength(1);
    expect(res.report.dialogues.accepted).toBe(1);
  });
});
