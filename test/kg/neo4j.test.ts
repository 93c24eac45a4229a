import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import neo4j from 'neo4j-driver';
import { Neo4jGraph, escapeLucene } from '../../src/kg/neo4j.js';
import type { ImportedGraph } from '../../src/kg/import/index.js';
import { ensureNeo4j } from '../support/services.js';
import { importFixture } from './contract.js';

describe('the Neo4j backend', () => {
  let uri: string;
  let graph: Neo4jGraph;
  let imported: ImportedGraph;

  beforeAll(async () => {
    uri = ensureNeo4j();
    imported = await importFixture();
    graph = await Neo4jGraph.connect({ uri });
    await graph.importGraph(imported);
  }, 600_000);

  afterAll(async () => {
    await graph?.close();
  });

  it('does not rewrite a graph it already holds, and rewrites it on --force to the same state', async () => {
    const again = await graph.importGraph(imported);
    expect(again).toMatchObject({ version: imported.version, written: false });
    const before = await graph.stats();
    const forced = await graph.importGraph(imported, { force: true });
    expect(forced.written).toBe(true);
    expect(await graph.stats()).toEqual(before);
  });

  it('keeps uniqueness constraints on names and alias keys, and a KgMeta node marking a complete import', async () => {
    const driver = neo4j.driver(uri, undefined, { disableLosslessIntegers: true });
    try {
      const { records } = await driver.executeQuery('SHOW CONSTRAINTS YIELD name, type RETURN name, type ORDER BY name', {}, { database: 'neo4j' });
      const names = records.map((r) => r.get('name') as string);
      expect(names).toEqual(expect.arrayContaining(['kg_alias_norm', 'kg_disease_name', 'kg_drug_name', 'kg_symptom_name', 'kg_meta_id']));
      expect(new Set(records.map((r) => r.get('type')))).toEqual(new Set(['UNIQUENESS']));
      const meta = await driver.executeQuery('MATCH (m:KgMeta) RETURN m.version AS v, m.complete AS c, m.counts AS counts', {}, { database: 'neo4j' });
      expect(meta.records).toHaveLength(1);
      expect(meta.records[0].get('v')).toBe(imported.version);
      expect(meta.records[0].get('c')).toBe(true);
      expect(JSON.parse(meta.records[0].get('counts') as string)).toEqual(imported.counts);
      // An alias node resolves to its entity, one hop.
      const alias = await driver.executeQuery(
        'MATCH (:Alias {norm: $n})-[:ALIAS_OF]->(d:Drug) RETURN d.name AS name',
        { n: '清喉利咽颗粒' },
        { database: 'neo4j' },
      );
      expect(alias.records.map((r) => r.get('name'))).toEqual(['慢严舒柠 清喉利咽颗粒']);
    } finally {
      await driver.close();
    }
  });

  it('finds names through the full-text index, with Lucene specials escaped', async () => {
    const hits = await graph.search('穿心莲', 5);
    expect(hits[0]).toMatchObject({ name: '穿心莲内酯片', type: 'Drug' });
    expect(escapeLucene('残气量/肺总量比值(RV/TLC)')).toBe('残气量\\/肺总量比值\\(RV\\/TLC\\)');
    const odd = await graph.search('残气量/肺总量比值(RV/TLC)', 3);
    expect(odd.map((h) => h.name)).toContain('残气量/肺总量比值(RV/TLC)');
  });

  it('fails with CMT_NEO4J_UNREACHABLE and the command that fixes it when nothing listens', async () => {
    await expect(Neo4jGraph.connect({ uri: 'bolt://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'CMT_NEO4J_UNREACHABLE',
      message: expect.stringContaining('scripts/neo4j.sh start'),
    });
  });
});
