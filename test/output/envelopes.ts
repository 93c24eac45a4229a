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
