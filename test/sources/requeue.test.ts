import { describe, expect, it } from '@jest/globals';
import { importRequeue } from '../../src/sources/requeue.js';
import { pipelineFrom, readShards, runPipeline, tmpDir } from '../support/run.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { importText } from './helpers.js';

const line = (id: string, q: string, a: string) =>
  JSON.stringify({ id, origin: { format: 'cmtmedqa', file: 'x.json', sourceId: '1', position: 1 }, turns: [{ speaker: '病人', text: q }, { speaker: '医生', text: a }] });

describe('requeue files', () => {
  it('reads each dialogue once: a later line with an id already read is an import.schema reject naming both lines', async () => {
    const text = [line('d-same', '头痛三天了，吃什么药好', '建议先测血压，再考虑用药'), line('d-other', '腹泻一天', '注意补液'), line('d-same', '咳嗽一周了有痰怎么办', '多喝水，必要时拍胸片')].join('\n') + '\n';
    const { items, dialogues } = await importText(importRequeue, text, 'rq.jsonl');
    expect(dialogues.map((d) => d.id)).toEqual(['d-same', 'd-other']);
    const rejects = items.filter((i) => i.kind === 'reject').map((i) => (i.kind === 'reject' ? i.reject : undefined));
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ reason: 'import.schema', detail: expect.stringContaining('line 3 repeats the id d-same of line 1') });
  });

  it('a run over such a file closes its accounting and writes no record id twice', async () => {
    const dir = tmpDir('cmt-rq-');
    const file = path.join(dir, 'rq.jsonl');
    writeFileSync(file, [line('d-same', '头痛三天了，吃什么药好', '建议先测血压，再考虑用药'), line('d-same', '咳嗽一周了有痰怎么办', '多喝水，必要时拍胸片'), line('d-same', '？？？', '建议先测血压')].join('\n') + '\n');
    const res = await runPipeline(pipelineFrom({ name: 'rq', sources: [{ format: 'requeue', path: file }], shard: { ranks: 1 } }));
    // Before: "3 in = 3 accepted + 0 rejected" with two records under one id.
    expect(res.report.dialogues).toMatchObject({ in: 3, accepted: 1, rejected: 2, closes: true });
    const ids = readShards(res.outDir, res.manifest).map((r) => r.record.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
