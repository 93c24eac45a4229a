import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { RecordEnvelope } from '../../../schemas/record.js';
import { silentLogger } from '../../../src/core/logger.js';
import { MemoryGraph } from '../../../src/kg/memory.js';
import { Neo4jGraph } from '../../../src/kg/neo4j.js';
import { validate } from '../../../src/stages/validate/index.js';
import { importFixture } from '../../kg/contract.js';
import { ensureNeo4j, sharedData } from '../../support/services.js';
import { envelope, pipeline } from './records.js';

describe('validate against Neo4j', () => {
  let memory: MemoryGraph;
  let neo: Neo4jGraph;

  beforeAll(async () => {
    const imported = await importFixture();
    memory = new MemoryGraph(imported.graph, imported.version);
    neo = await Neo4jGraph.connect({ uri: ensureNeo4j() });
    await neo.importGraph(imported);
  }, 600_000);

  afterAll(async () => {
    await neo?.close();
  });

  it('produces byte-identical records and rejects on both backends', async () => {
    const data = JSON.parse(readFileSync(sharedData('dialogues', 'cmtmedqa', 'CMtMedQA_test.json'), 'utf8')) as Array<Record<string, unknown>>;
    const records: RecordEnvelope[] = data
      .filter((r) => Array.isArray(r.history))
      .slice(0, 300)
      .map((r, i) =>
        envelope(String(r.id), { history: r.history as Array<[string, string]>, instruction: String(r.instruction), output: String(r.output) }, i + 1),
      );
    records.push(envelope('own-1', { instruction: '孩子百日咳，咳得厉害', output: '可以先吃氯雷他定片看看' }));
    const config = pipeline({ checks: { drug_not_for_disease: 'reject', drug_indications_unknown: 'flag' }, batchSize: 64, minKnownIndications: 2 });
    const a = await validate(records, { config, logger: silentLogger, graph: memory });
    const b = await validate(records, { config, logger: silentLogger, graph: neo });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.rejects.map((r) => r.reason)).toContain('validate.drug_not_for_disease');
    expect(a.out.some((r) => r.annotations.inferredDepartment)).toBe(true);
  });
});
