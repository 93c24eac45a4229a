import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Manifest } from '../../schemas/manifest.js';
import { verifyOutput } from '../../src/output/verify.js';
import { tmpDir } from '../support/run.js';
import { cmtmedqaRecords, envelope, finalise } from './envelopes.js';

async function goodOutput(): Promise<{ out: string; manifest: Manifest }> {
  const out = tmpDir();
  const envs = cmtmedqaRecords().slice(0, 500).map((r, i) => envelope(r, i));
  const { manifest } = await finalise({ tokens: { tokenizers: ['llama2'] }, shard: { ranks: 2, maxRecordsPerShard: 100, ratios: { train: 0.6, validation: 0.2, test: 0.2 } } }, envs, out);
  return { out, manifest };
}

const rewriteGz = (file: string, edit: (lines: string[]) => string[]) => {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
  writeFileSync(file, gzipSync(`${edit(lines).join('\n')}\n`));
};

describe('verify', () => {
  it('passes a good output and sums it up', async () => {
    const { out, manifest } = await goodOutput();
    const v = await verifyOutput(out);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.summary.records).toBe(500);
    expect(v.summary.dialogues).toBe(500);
    expect(v.summary.tokens).toBe(Object.values(manifest.counts.bySplit).reduce((a, c) => a + (c.tokens ?? 0), 0));
  });

  it('detects a flipped byte in a shard', async () => {
    const { out, manifest } = await goodOutput();
    const s = manifest.shards[1];
    const buf = readFileSync(path.join(out, s.path));
    buf[Math.floor(buf.length / 2)] ^= 0x01;
    writeFileSync(path.join(out, s.path), buf);
    const v = await verifyOutput(out);
    expect(v.ok).toBe(false);
    expect(v.problems).toContainEqual(expect.stringMatching(new RegExp(`^${s.path}: sha256 [0-9a-f]{64} ≠ manifest ${s.sha256}$`)));
  });

  it('detects a deleted line: size, checksum, record count and sidecar alignment', async () => {
    const { out, manifest } = await goodOutput();
    const s = manifest.shards[0];
    rewriteGz(path.join(out, s.path), (l) => l.slice(0, -1));
    const v = await verifyOutput(out);
    expect(v.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${s.path}: \\d+ bytes, manifest says ${s.bytes}$`)),
      `${s.path}: ${s.records - 1} records, manifest says ${s.records}`,
      `${s.annotations!.path}: ${s.records} lines for ${s.records - 1} records in ${s.path}`,
      `split ${s.split}: shards hold ${manifest.counts.bySplit[s.split].records - 1} records, manifest counts.bySplit says ${manifest.counts.bySplit[s.split].records}`,
    ]));
  });

  it('detects a dialogue that is in two splits', async () => {
    const { out, manifest } = await goodOutput();
    const train = manifest.shards.find((s) => s.split === 'train')!;
    const val = manifest.shards.find((s) => s.split === 'validation')!;
    const trainDialogue = (JSON.parse(gunzipSync(readFileSync(path.join(out, train.annotations!.path))).toString('utf8').split('\n')[0]) as { dialogueId: string }).dialogueId;
    rewriteGz(path.join(out, val.annotations!.path), (lines) => lines.map((l, i) => (i === 0 ? JSON.stringify({ ...(JSON.parse(l) as object), dialogueId: trainDialogue }) : l)));
    const v = await verifyOutput(out);
    expect(v.problems).toContainEqual(`dialogue ${trainDialogue} is in split train and in split validation (${val.path})`);
  });

  it('detects a record schema violation and a duplicate record id', async () => {
    const { out, manifest } = await goodOutput();
    const s = manifest.shards[2];
    rewriteGz(path.join(out, s.path), (lines) => lines.map((l, i) => (i === 0 ? JSON.stringify({ ...(JSON.parse(l) as object), output: '' }) : i === 1 ? lines[2] : l)));
    const v = await verifyOutput(out);
    expect(v.problems).toContainEqual(expect.stringMatching(new RegExp(`^${s.path}: record 1 does not match the cmtmedqa schema: output: `)));
    expect(v.problems).toContainEqual(expect.stringMatching(new RegExp(`^${s.path}: record id \\S+ also in ${s.path}$`)));
  });

  it('detects a pipeline.json that is missing, not JSON, not a valid config or not the one its manifest names (revalidate and explain read it)', async () => {
    // Before: verify said OK for each of these, while revalidate refused the output and told the operator to run verify.
    const { out, manifest } = await goodOutput();
    const file = path.join(out, 'pipeline.json');
    const good = readFileSync(file, 'utf8');
    const p = JSON.parse(good) as { configHash: string; config: Record<string, unknown> };
    const problemsWith = async (text: string | null) => {
      if (text === null) rmSync(file);
      else writeFileSync(file, text);
      const v = await verifyOutput(out);
      writeFileSync(file, good);
      return v.problems;
    };
    expect(await problemsWith(null)).toEqual(['pipeline.json: missing']);
    expect(await problemsWith('{"configHash": "ab')).toEqual([expect.stringMatching(/^pipeline\.json: not valid JSON \(/)]);
    expect(await problemsWith(JSON.stringify({ configHash: p.configHash, config: { ...p.config, shard: { ranks: 'two' } } }))).toEqual([expect.stringMatching(/^pipeline\.json: not a valid pipeline config: shard\.ranks: /)]);
    expect(await problemsWith(JSON.stringify({ ...p, configHash: 'f'.repeat(64) }))).toEqual([`pipeline.json: config hash ${'f'.repeat(64)} ≠ manifest ${manifest.configHash}`]);
    expect(await problemsWith(good)).toEqual([]);
  });

  it('exits 1 from the CLI with every mismatch listed, 0 with a summary', async () => {
    const { out, manifest } = await goodOutput();
    const ok = execFileSync(process.execPath, ['dist/src/cli/index.js', 'verify', out], { encoding: 'utf8' });
    expect(ok).toContain(`${out}: OK — ${manifest.shards.length} shards, 500 records, 500 dialogues`);
    rmSync(path.join(out, manifest.shards[0].path));
    let code = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['dist/src/cli/index.js', 'verify', out], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      code = (e as { status: number }).status;
      stderr = (e as { stderr: string }).stderr;
    }
    expect(code).toBe(1);
    expect(stderr).toContain(`  - ${manifest.shards[0].path}: listed in manifest.json but missing`);
  });
});
