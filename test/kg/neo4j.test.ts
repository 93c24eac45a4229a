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
      expect(names).toEqual(expect.arrayContaining(['kg_alias_gnorm', 'kg_disease_gname', 'kg_drug_gname', 'kg_symptom_gname', 'kg_meta_id']));
      expect(new Set(records.map((r) => r.get('type')))).toEqual(new Set(['UNIQUENESS']));
      const meta = await driver.executeQuery('MATCH (m:KgMeta) RETURN m.version AS v, m.complete AS c, m.counts AS counts', {}, { database: 'neo4j' });
      expect(meta.records).toHaveLength(1);
      expect(meta.records[0].get('v')).toBe(imported.version);
      expect(meta.records[0].get('c')).toBe(true);
      expect(JSON.parse(meta.records[0].get('counts') as string)).toEqual(imported.counts);
      // An alias node resolves to its entity, one hop.
      const alias = await driver.executeQuery(
        'MATCH (m:KgMeta) MATCH (:Alias {g: m.g, norm: $n})-[:ALIAS_OF]->(d:Drug) RETURN d.name AS name',
        { n: '清喉利咽颗粒' },
        { database: 'neo4j' },
      );
      expect(alias.records.map((r) => r.get('name'))).toEqual(['清喉利咽']);
    } finally {
      await driver.close();
    }
  });

  it('finds names through the full-text index, with Lucene specials escaped', async () => {
    const hits = await graph.search('穿心莲', 5);
    expect(hits[0]).toMatchObject({ name: '穿心莲内酯', type: 'Drug' });
    expect(escapeLucene('残气量/肺总量比值(RV/TLC)')).toBe('残气量\\/肺总量比值\\(RV\\/TLC\\)');
    const odd = await graph.search('残气量/肺总量比值(RV/TLC)', 3);
    expect(odd.map((h) => h.name)).toContain('残气量/肺总量比值(RV/TLC)');
  });

  it('validates every name before writing: a 60 KB name fails the import and the previous graph keeps answering', async () => {
    const huge: ImportedGraph = JSON.parse(JSON.stringify(imported));
    huge.graph.nodes.push({ type: 'Symptom', name: '痛'.repeat(20_000), aliases: [], sources: ['test'] });
    huge.version = 'f'.repeat(64);
    await expect(graph.importGraph(huge)).rejects.toMatchObject({ code: 'CMT_KG_INVALID', message: expect.stringContaining('nothing was written') });
    const fresh = await Neo4jGraph.connect({ uri });
    try {
      expect(await fresh.version()).toBe(imported.version);
      expect(await fresh.stats()).toEqual(await graph.stats());
    } finally {
      await fresh.close();
    }
  });

  it('loads a new version beside the active one: an import that dies half way leaves the old graph complete and answering', async () => {
    const next: ImportedGraph = JSON.parse(JSON.stringify(imported));
    next.graph.nodes.push({ type: 'Symptom', name: '新症状甲', aliases: [], sources: ['test'] });
    next.graph.nodes.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    next.version = 'e'.repeat(64);
    for (const failAfter of ['nodes', 'relations'] as const) {
      await expect(graph.importGraph(next, { failAfter })).rejects.toMatchObject({ code: 'CMT_KG_INVALID' });
      const reader = await Neo4jGraph.connect({ uri });
      try {
        expect(await reader.version()).toBe(imported.version);
        expect((await reader.stats()).nodes).toEqual(imported.counts.nodes);
        expect(await reader.drugTreatsDisease([['穿心莲内酯', '百日咳']])).toEqual([true]);
      } finally {
        await reader.close();
      }
    }
    // A complete import switches; the next one removes the leftovers of the failed ones.
    const done = await graph.importGraph(next);
    expect(done).toMatchObject({ version: next.version, written: true });
    const reader = await Neo4jGraph.connect({ uri });
    try {
      expect(await reader.version()).toBe(next.version);
      expect((await reader.stats()).nodes.Symptom).toBe(imported.counts.nodes.Symptom + 1);
    } finally {
      await reader.close();
    }
    await graph.importGraph(imported);
    const driver = neo4j.driver(uri, undefined, { disableLosslessIntegers: true });
    try {
      const { records } = await driver.executeQuery('MATCH (n:Symptom) RETURN count(DISTINCT n.g) AS versions', {}, { database: 'neo4j' });
      // The active version and the one before it (kept for readers still on it).
      expect(records[0].get('versions')).toBe(2);
    } finally {
      await driver.close();
    }
  });

  it('fails with CMT_NEO4J_UNREACHABLE and the command that fixes it when nothing listens', async () => {
    await expect(Neo4jGraph.connect({ uri: 'bolt://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'CMT_NEO4J_UNREACHABLE',
      message: expect.stringContaining('scripts/neo4j.sh start'),
    });
  });
});
