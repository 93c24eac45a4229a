import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CMtMedQARecord } from '../../schemas/record.js';
import type { Reject } from '../../schemas/reject.js';
import { rejectForOutput } from '../../src/core/reject.js';
import { verifyOutput } from '../../src/output/verify.js';
import { CaseClusters, caseText, MIN_CASE_CHARS } from '../../src/finish/split-assign.js';
import { readShards, tmpDir } from '../support/run.js';
import { cmtmedqaRecords, envelope, finalise } from './envelopes.js';

const ratios = { train: 0.5, validation: 0.25, test: 0.25 };
const first = (r: CMtMedQARecord) => (r.history.length ? r.history[0][0] : r.instruction);

describe('splits by content cluster', () => {
  it('puts a re-post and one description sent to several doctors in one split, and verify finds 0 case descriptions in two splits', async () => {
    const recs = cmtmedqaRecords().slice(0, 300);
    const envs = recs.map((r, i) => envelope(r, i));
    // Re-posts under another source id (flow_team_N_1) and another doctor's answer to the same description.
    recs.slice(0, 150).forEach((r, i) => {
      const again = { ...r, id: `${r.id}_1`, output: `${r.output}（另一位医生${i}）` };
      envs.push({ ...envelope(again, 300 + i, 'repost.json'), dialogueId: `d-${r.id}_1` });
    });
    const out = tmpDir();
    const { manifest, fin } = await finalise({ shard: { ranks: 1, ratios } }, envs, out);
    const byCase = new Map<string, Set<string>>();
    for (const { split, record } of readShards(out, manifest)) {
      const k = first(record as unknown as CMtMedQARecord).replace(/[\s\p{P}\p{S}]+/gu, '');
      if (k.length < 12) continue; // greetings shorter than a case description link nothing (MIN_CASE_CHARS)
      if (!byCase.has(k)) byCase.set(k, new Set());
      byCase.get(k)!.add(split);
    }
    expect([...byCase.values()].filter((s) => s.size > 1)).toEqual([]);
    expect(new Set(readShards(out, manifest).map((x) => x.split)).size).toBe(3); // still three splits
    const linked = recs.slice(0, 150).filter((r) => caseText(first(r)).length >= MIN_CASE_CHARS).length;
    expect(fin.stats.splitClusters!.merges).toBeGreaterThanOrEqual(linked);
    const v = await verifyOutput(out);
    expect(v.problems).toEqual([]);
    expect(v.summary.caseDescriptionsInTwoSplits).toBe(0);
  });

  it('verify reports a case description that stands in two splits', async () => {
    const envs = cmtmedqaRecords().slice(0, 200).map((r, i) => envelope(r, i));
    const out = tmpDir();
    const { manifest } = await finalise({ shard: { ranks: 1, ratios } }, envs, out);
    const train = manifest.shards.find((s) => s.split === 'train')!;
    const test = manifest.shards.find((s) => s.split === 'test')!;
    const moved = JSON.parse(gunzipSync(readFileSync(path.join(out, train.path))).toString('utf8').split('\n')[0]) as CMtMedQARecord;
    const file = path.join(out, test.path);
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
    lines.push(JSON.stringify({ ...moved, id: 'copied', output: '另一个回答' }));
    writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
    const v = await verifyOutput(out);
    expect(v.summary.caseDescriptionsInTwoSplits).toBe(1);
    expect(v.problems.some((p) => p.includes('case description(s)') && p.includes('stand in two splits'))).toBe(true);
  });

  it('joins near-duplicate pairs and gives a cluster the same split whatever the arrival order', () => {
    const o = (id: string) => ({ format: 'cmtmedqa' as const, file: 'x.json', sourceId: id, position: 1 });
    const build = (order: string[]) => {
      const c = new CaseClusters();
      const idx: Record<string, number> = {};
      for (const id of order) idx[id] = c.dialogue(id, o(id));
      c.linkCase(idx.a, '孩子发烧三天了，最高三十九度，吃了退烧药');
      c.linkCase(idx.b, '孩子发烧三天了，最高三十九度，吃了退烧药。');
      c.linkCase(idx.c, '完全不同的一段病情描述，头痛两周');
      c.linkCase(idx.d, '你好医生');
      c.union(idx.c, idx.e); // a near-duplicate pair
      return (id: string) => c.splitOf(idx[id], 'seed', ratios);
    };
    const s1 = build(['a', 'b', 'c', 'd', 'e']);
    const s2 = build(['e', 'd', 'c', 'b', 'a']);
    expect(s1('a')).toBe(s1('b'));
    expect(s1('c')).toBe(s1('e'));
    for (const id of ['a', 'b', 'c', 'd', 'e']) expect(s2(id)).toBe(s1(id));
    // a greeting shorter than 12 characters links nothing
    const c = new CaseClusters();
    const x = c.dialogue('x', o('x'));
    const y = c.dialogue('y', o('y'));
    c.linkCase(x, '你好医生');
    c.linkCase(y, '你好医生');
    expect(c.find(x)).not.toBe(c.find(y));
  });
});

describe('rejects without personal data', () => {
  const base: Reject = { id: 'r', stage: 'import', reason: 'import.parse_error', detail: 'x', origin: { format: 'hetmc', file: 'f', sourceId: '1', position: 1 }, input: '' };
  it('caps, marks and scrubs raw import input, or drops it', () => {
    const long = `我叫张小明，电话13812345678。${'咳嗽'.repeat(2000)}`;
    const capped = rejectForOutput({ ...base, input: long }, { rawInput: 'capped', maxRawChars: 100 });
    expect(capped.input).toEqual({ truncated: true, bytes: Buffer.byteLength(long), text: expect.stringContaining('我叫<NAME>，电话<PHONE>') });
    expect((capped.input as { text: string }).text.length).toBeLessThanOrEqual(100);
    expect(rejectForOutput({ ...base, input: '电话13812345678' }, { rawInput: 'capped', maxRawChars: 100 }).input).toBe('电话<PHONE>');
    expect(rejectForOutput({ ...base, input: long }, { rawInput: 'drop', maxRawChars: 100 }).input).toEqual({ dropped: true, bytes: Buffer.byteLength(long) });
    const later = { ...base, stage: 'split' as const, reason: 'split.too_short' as const, input: { turns: [] } };
    expect(rejectForOutput(later, { rawInput: 'drop', maxRawChars: 1 })).toBe(later);
  });
});
