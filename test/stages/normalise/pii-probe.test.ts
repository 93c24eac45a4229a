/**
 * The PII probe (fixtures/dialogues/pii-probe, all invented): every spelling of personal data in
 * every text field of every importer format. Nothing of it may reach shards, sidecars, report,
 * card or post-normalise rejects, and the probe's dialogues are still accepted (scrubbed, not dropped).
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pipelineFrom, runPipeline, tmpDir } from '../../support/run.js';

const DIR = 'fixtures/dialogues/pii-probe';
const spellings = (JSON.parse(readFileSync(path.join(DIR, 'spellings.json'), 'utf8')) as { spellings: Record<string, string[]> }).spellings;

/** The personal part of each spelling: names and ids as written, numbers as their last 8 digits. */
const NAMES = ['任医生', '焦大夫', '钱主任', '万医生', '白教授', '石院长', '方医师', '欧阳护士', '司马医生', '王建国', '李华', '张小明', '刘芳', '陈某某', '赵丽', '刘**', '周建华', '王小红', '李明明',
  'doc_li2020', 'wxid_abc123', 'abcxyz345', 'abcde1234', 'zhangsan_88', 'hello_2020x', 'marywang_1', 'zhang.san', 'li.si', 'wangwu', 'example.com', 'example.net', 'example.org', '建国路', '十六巷', '501室', '302室'];
const DIGITS = ['phones', 'landlines', 'ids', 'qq', 'hotline'].flatMap((g) => spellings[g].map((x) => x.replace(/\D/g, '').slice(-8)));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function leaks(where: string, text: string): string[] {
  const found: string[] = [];
  for (const n of NAMES) if (text.includes(n)) found.push(`${where}: ${n}`);
  const flat = text.replace(/[\s\u00a0\-－．.·()（）+]/g, '');
  for (const d of DIGITS) if (flat.includes(d)) found.push(`${where}: ${d}`);
  return found;
}

describe('PII probe', () => {
  it('leaves no personal data in shards, sidecars, report, card or post-normalise rejects, and accepts the probe dialogues', async () => {
    const formats = [['meddialog', 'meddialog.txt'], ['hetmc', 'hetmc.dialog'], ['mie', 'mie.json'], ['cmtmedqa', 'cmtmedqa.json'], ['toyhom', 'toyhom.csv'], ['huatuo', 'huatuo.json'], ['requeue', 'requeue.jsonl']];
    const out = tmpDir('cmt-probe-');
    const res = await runPipeline(pipelineFrom({ name: 'pii-probe', sources: formats.map(([format, f]) => ({ format, path: path.join(DIR, f) })) }), out); // near-dedup off: scrubbed probe dialogues share most of their text (placeholders) and would collapse
    expect(res.manifest.counts.records).toBeGreaterThan(0);
    const found: string[] = [];
    for (const f of files(out)) {
      const rel = path.relative(out, f);
      if (rel.startsWith('rejects')) continue;
      const buf = readFileSync(f);
      found.push(...leaks(rel, f.endsWith('.gz') ? gunzipSync(buf).toString('utf8') : buf.toString('utf8')));
    }
    const rejects = readFileSync(path.join(out, 'rejects', 'rejects.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { stage: string; reason: string });
    for (const r of rejects) if (r.stage !== 'import') found.push(...leaks(`reject ${r.reason}`, JSON.stringify(r)));
    expect(found).toEqual([]);

    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as { dialogues: { in: number; accepted: number; rejectedByReason: Record<string, number> }; cleaning: { placeholdersByType: Record<string, number> } };
    // 10 dialogues per format + 1 safety prompt are accepted; the two requeue lines are the reject probes.
    expect(report.dialogues.in).toBe(63);
    expect(report.dialogues.accepted).toBe(61);
    expect(report.dialogues.rejectedByReason).toEqual({ 'normalise.unknown_speaker': 1, 'normalise.empty': 1 });
    expect(rejects.filter((r) => r.stage === 'normalise').map((r) => r.reason).sort()).toEqual(['normalise.empty', 'normalise.unknown_speaker']);
    for (const t of ['NAME', 'PHONE', 'ID', 'QQ', 'WECHAT', 'EMAIL', 'ADDRESS']) expect(report.cleaning.placeholdersByType[t]).toBeGreaterThan(0);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('placeholders by type: <NAME>');
  });
});
