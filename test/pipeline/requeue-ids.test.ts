/**
 * The same dialogue in two requeue files (one reject requeued twice, or a requeue file copied):
 * before, a run with exact dedup off wrote both under one record id (check_out.py: "13 duplicate
 * record ids"); now the preflight refuses the pipeline and names both files.
 */
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CmtError } from '../../src/core/errors.js';
import { checkInputs } from '../../src/pipeline/preflight.js';
import { pipelineFrom, tmpDir } from '../support/run.js';

const line = (id: string, text: string) => JSON.stringify({ id, origin: { format: 'huatuo', file: 'x.json', sourceId: id, position: 1 }, turns: [{ speaker: 'patient', text: `${text}怎么办？` }, { speaker: 'doctor', text: `${text}，建议多休息，按时复查。` }] });

describe('requeue sources', () => {
  it('refuses two requeue files that hold the same dialogue id, naming both', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'a.jsonl'), `${line('d1', '头痛')}\n${line('d2', '咳嗽')}\n`);
    writeFileSync(path.join(dir, 'b.jsonl'), `${line('d3', '发烧')}\n${line('d2', '咳嗽')}\n`);
    const p = pipelineFrom({ name: 'rq', sources: [{ format: 'requeue', path: 'a.jsonl' }, { format: 'requeue', path: 'b.jsonl' }], dedup: { exact: false } }, dir);
    let err: unknown;
    try {
      await checkInputs(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CmtError);
    expect((err as CmtError).code).toBe('CMT_CONFIG_INVALID');
    expect((err as Error).message).toMatch(/^sources\[1\] b\.jsonl line 2 holds dialogue d2, which a\.jsonl holds too/);
  });

  it('lets different dialogues through, and leaves a file\'s own repeats and junk lines to the importer', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'a.jsonl'), `${line('d1', '头痛')}\n${line('d1', '头痛')}\nnot json\n`);
    writeFileSync(path.join(dir, 'b.jsonl'), `${line('d3', '发烧')}\n{"id": 5}\n`);
    const p = pipelineFrom({ name: 'rq', sources: [{ format: 'requeue', path: 'a.jsonl' }, { format: 'requeue', path: 'b.jsonl' }] }, dir);
    await expect(checkInputs(p)).resolves.toBeUndefined();
  });
});
