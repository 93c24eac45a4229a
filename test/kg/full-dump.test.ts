/**
 * The whole xywy dump (8,792 disease records, 18 parts) plus both entity-list releases,
 * imported into a snapshot and into Neo4j: both backends must hold the same graph.
 * Import timings are measured by the benchmark, not asserted here.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importGraph, type ImportedGraph } from '../../src/kg/import/index.js';
import type { MemoryGraph } from '../../src/kg/memory.js';
import { Neo4jGraph } from '../../src/kg/neo4j.js';
import { openSnapshot, writeSnapshot } from '../../src/kg/snapshot.js';
import { ensureNeo4j, sharedData } from '../support/services.js';

describe('the merged graph (full xywy dump + entity lists + VRBot triples + curated facts) in both backends', () => {
  let imported: ImportedGraph;
  let snapshot: MemoryGraph;
  let neo: Neo4jGraph;

  beforeAll(async () => {
    imported = await importGraph({
      paths: [sharedData('kg', 'xywy_medicalkgqa')],
      dicts: [sharedData('kg', 'liuhuanyong_dict'), sharedData('kg', 'xywy_medicalkgqa', 'region_words')],
      triples: [{ file: sharedData('kg', 'vrbot_meddialog', 'graph.csv') }],
    });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kg-full-')), 'xywy.kg.json.gz');
    await writeSnapshot(file, imported);
    snapshot = await openSnapshot(file);
    neo = await Neo4jGraph.connect({ uri: ensureNeo4j() });
    await neo.importGraph(imported, { force: true });
  }, 900_000);

  afterAll(async () => {
    await neo?.close();
  });

  it('reads all 8,792 disease records and the VRBot triples, keeping each relation\'s sources', () => {
    expect(imported.report.triples.mapped).toBeGreaterThan(25_000);
    expect(Object.keys(imported.counts.bySource)).toEqual(['curated', 'dict', 'vrbot_meddialog', 'xywy']);
    expect(imported.counts.bySource.vrbot_meddialog.relations).toBeGreaterThan(20_000);
    expect(imported.graph.edges.some((e) => e[4].length === 2)).toBe(true);
    // Generic names: the products of xywy and the generics of VRBot are one drug.
    const amox = imported.graph.nodes.find((n) => n.type === 'Drug' && n.name === '阿莫西林')!;
    expect(amox.aliases).toContain('阿莫西林胶囊');
    expect(amox.sources).toEqual(expect.arrayContaining(['vrbot_meddialog', 'xywy']));
    expect(imported.report.diseaseRecords).toBe(8792);
    expect(imported.sources.filter((s) => s.kind === 'xywy')).toHaveLength(18);
    const rels = Object.values(imported.counts.relations).reduce((a, b) => a + b, 0);
    expect(rels).toBeGreaterThan(210_000);
    expect(imported.counts.nodes.Disease).toBeGreaterThan(8_700);
    expect(imported.report.dropped.truncated!.distinct).toBeGreaterThan(300);
    expect(imported.report.dropped.person_name!.distinct).toBeGreaterThan(100);
  });

  it('gives the same version and the same counts by label and relation type in both backends', async () => {
    const [a, b] = [await snapshot.stats(), await neo.stats()];
    expect(b.version).toBe(imported.version);
    expect(a).toEqual(b);
    expect(a.nodes).toEqual(imported.counts.nodes);
    expect(a.relations).toEqual(imported.counts.relations);
  });

  it('gives the same lexicon and the same answers to a large lookup in both backends', async () => {
    expect(await neo.lexicon()).toEqual(await snapshot.lexicon());
    const diseases = imported.graph.nodes.filter((n) => n.type === 'Disease').map((n) => n.name).filter((_, i) => i % 17 === 0);
    const drugs = imported.graph.nodes.filter((n) => n.type === 'Drug').map((n) => n.name).filter((_, i) => i % 7 === 0);
    const pairs: Array<[string, string]> = [];
    diseases.slice(0, 60).forEach((d, i) => drugs.slice(i, i + 10).forEach((g) => pairs.push([g, d])));
    for (const e of imported.graph.edges.filter((x) => x[0] === 'common_drug').slice(0, 300)) pairs.push([e[2], e[1]]);
    const symptoms = imported.graph.nodes.filter((n) => n.type === 'Symptom').map((n) => n.name).filter((_, i) => i % 97 === 0);
    const indications = drugs.slice(0, 80).map((drug, i) => ({ drug, symptoms: symptoms.slice(i % 20, (i % 20) + 5), diseases: diseases.slice(i % 30, (i % 30) + 3) }));
    const q = { drugDisease: pairs, departmentsOf: diseases, drugLinks: { drugs, diseases }, indications };
    const [x, y] = [await snapshot.lookup(q), await neo.lookup(q)];
    expect(y.treats).toEqual(x.treats);
    expect(x.treats.filter(Boolean).length).toBeGreaterThanOrEqual(300);
    expect(y.departments).toEqual(x.departments);
    expect(y.drugLinks).toEqual(x.drugLinks);
    expect(y.indications).toEqual(x.indications);
    expect(x.indications.filter((a) => a.indications.length > 0).length).toBeGreaterThan(40);
    expect(x.indications.some((a) => a.viaSymptom.length > 0) && x.indications.some((a) => a.viaDepartment.length > 0)).toBe(true);
  });
});
