/** Record envelopes built straight from the real CMtMedQA test set (multi-turn records), for finaliser-level tests. */
import { readFileSync } from 'node:fs';
import type { ProcessedBatch } from '../../schemas/batch.js';
import type { CMtMedQARecord, RecordEnvelope } from '../../schemas/record.js';
import { sharedData } from '../support/services.js';

export function cmtmedqaRecords(): CMtMedQARecord[] {
  const data = JSON.parse(readFileSync(sharedData('dialogues/cmtmedqa/CMtMedQA_test.json'), 'utf8')) as Array<Partial<CMtMedQARecord>>;
  return data.filter((r) => r.history).map((r) => ({
    id: r.id!, cate1: r.cate1!, cate2: r.cate2!, instruction: r.instruction!, input: r.input ?? '', output: r.output!, history: r.history!,
  }));
}

export function envelope(record: CMtMedQARecord, i: number, file = 'CMtMedQA_test.json'): RecordEnvelope {
  return {
    record,
    dialogueId: `d-${record.id}`,
    origin: { format: 'cmtmedqa', file, sourceId: record.id, position: i + 1 },
    annotations: { inquiryTurns: [], outputIsInquiry: false },
  };
}

/** Envelopes cut into processed batches of `size`, seq 0, 1, 2 … */
export function batchesOf(envs: RecordEnvelope[], size = 200): ProcessedBatch[] {
  const out: ProcessedBatch[] = [];
  for (let i = 0; i < envs.length; i += size) {
    const records = envs.slice(i, i + size);
    out.push({ seq: out.length, dialogueIds: records.map((e) => e.dialogueId), inputs: records.length, records, rejects: [] });
  }
  return out;
}

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../schemas/manifest.js';
import { silentLogger } from '../../src/core/logger.js';
import { Finaliser, type FinaliseOptions } from '../../src/output/finaliser.js';
import { configHash, parsePipeline } from '../../src/pipeline/config.js';
import { openRunResources } from '../../src/pipeline/resources.js';

/**
 * Runs the finalise step (with the filters, weight and tokenizer openRunResources gives the
 * config) over ready envelopes and writes manifest.json as the executors do.
 */
export async function finalise(raw: Record<string, unknown>, envs: RecordEnvelope[], outDir: string, extra: Partial<Pick<FinaliseOptions, 'signal' | 'writeShards'>> = {}): Promise<{ manifest: Manifest; fin: Finaliser }> {
  const config = parsePipeline({ name: 'test', sources: [{ format: 'cmtmedqa', path: 'x.json' }], ...raw });
  const pipeline = { config, baseDir: process.cwd(), file: '<test>', configHash: configHash(config) };
  const res = await openRunResources(pipeline, silentLogger);
  try {
    mkdirSync(outDir, { recursive: true });
    const fin = new Finaliser({ config, outDir, configHash: pipeline.configHash, graphVersion: null, filters: res.filters, weight: res.weight, tokenizer: res.tokenizer, ...extra });
    await fin.open();
    for (const b of batchesOf(structuredClone(envs))) await fin.addBatch(b);
    const manifest = await fin.finish();
    writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return { manifest, fin };
  } finally {
    await res.close();
  }
}
