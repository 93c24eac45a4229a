/** Hand-written CMtMedQA records for the validate tests (no real dialogue text). */
import type { CMtMedQARecord, RecordEnvelope } from '../../../schemas/record.js';
import { Pipeline } from '../../../schemas/pipeline.js';

export function envelope(id: string, record: Partial<CMtMedQARecord> & Pick<CMtMedQARecord, 'instruction' | 'output'>, position = 1): RecordEnvelope {
  return {
    record: { id, cate1: '未分类', cate2: '未分类', input: '', history: [], ...record },
    dialogueId: `dlg-${id}`,
    origin: { format: 'cmtmedqa', file: 'fixtures/test.json', sourceId: id, position },
    annotations: { inquiryTurns: [], outputIsInquiry: false },
  };
}

export function pipeline(validate: Record<string, unknown> = {}): Pipeline {
  return Pipeline.parse({ name: 'validate-test', sources: [{ format: 'cmtmedqa', path: 'x.json' }], validate });
}
