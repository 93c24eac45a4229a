/**
 * The GraphPort contract: one set of behaviours every backend must show, run against the
 * embedded snapshot (snapshot.contract.test.ts) and the real Neo4j (neo4j.contract.test.ts),
 * both loaded from the same fixture import (fixtures/kg/xywy + fixtures/kg/dict).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { foldTerm } from '../../src/kg/fold.js';
import { importGraph, type ImportedGraph } from '../../src/kg/import/index.js';
import { compareLexicon, type GraphPort, type LexiconEntry } from '../../src/kg/port.js';

/** The contract fixture without the curated facts (they are tested on their own in import.test.ts). */
export const FIXTURE = { paths: ['fixtures/kg/xywy'], dicts: ['fixtures/kg/dict'], curated: false as const };

export function importFixture(): Promise<ImportedGraph> {
  return importGraph(FIXTURE);
}

function expectedLexicon(imported: ImportedGraph): LexiconEntry[] {
  const out: LexiconEntry[] = [];
  for (const n of imported.graph.nodes) {
    for (const surface of [n.name, ...n.aliases]) out.push({ term: foldTerm(surface), name: n.name, type: n.type });
  }
  return out.sort(compareLexicon);
}

export function describeGraphContract(name: string, makeBackend: (imported: ImportedGraph) => Promise<GraphPort>): void {
  describe(`GraphPort contract: ${name}`, () => {
    let imported: ImportedGraph;
    let graph: GraphPort;

    beforeAll(async () => {
      imported = await importFixture();
      graph = await makeBackend(imported);
    }, 600_000);

    afterAll(async () => {
      await graph?.close();
    });

    it('reports the content-hash version of the imported graph', async () => {
      expect(await graph.version()).toMatch(/^[0-9a-f]{64}$/);
      expect(await graph.version()).toBe(imported.version);
    });

    it('counts nodes by label, relations by type and aliases exactly as the import does', async () => {
      const stats = await graph.stats();
      expect(stats.version).toBe(imported.version);
      expect(stats.nodes).toEqual(imported.counts.nodes);
      expect(stats.relations).toEqual(imported.counts.relations);
      expect(stats.aliases).toBe(imported.counts.aliases);
      expect(stats.nodes).toEqual({ Check: 170, Department: 22, Disease: 97, Drug: 36, Food: 82, Symptom: 216 });
    });

    it('lists every name and alias with its type, folded and sorted', async () => {
      const lex = await graph.lexicon();
      expect(lex).toEqual(expectedLexicon(imported));
      expect(lex).toContainEqual({ term: '百日咳', name: '百日咳', type: 'Disease' });
      expect(lex).toContainEqual({ term: '清喉利咽颗粒', name: '清喉利咽', type: 'Drug' });
      expect(lex).toContainEqual({ term: '惠普森穿心莲内酯片', name: '穿心莲内酯', type: 'Drug' });
      expect(lex).toContainEqual({ term: '栗子', name: '栗子(熟)', type: 'Food' });
      expect(lex).toContainEqual({ term: '尿糖(glu)', name: '尿糖(GLU)', type: 'Check' });
    });

    it('answers drug–disease pairs in input order, false for unknown names', async () => {
      expect(
        await graph.drugTreatsDisease([
          ['穿心莲内酯', '百日咳'],
          ['氯雷他定', '百日咳'],
          ['氯雷他定', '荨麻疹'],
          ['清喉利咽', '急性咽炎'],
          ['不存在的药片', '百日咳'],
          ['穿心莲内酯', '不存在的病'],
          ['穿心莲内酯', '百日咳'],
        ]),
      ).toEqual([true, false, true, true, false, false, true]);
      expect(await graph.drugTreatsDisease([])).toEqual([]);
    });

    it('gives departments in graph order (parent first), omitting unknown diseases', async () => {
      const deps = await graph.departmentsOf(['胎膜早破', '百日咳', '不存在的病', '胎膜早破']);
      expect([...deps.entries()]).toEqual([
        ['胎膜早破', ['妇产科', '产科']],
        ['百日咳', ['儿科', '小儿内科']],
      ]);
      expect((await graph.departmentsOf([])).size).toBe(0);
    });

    it('answers a whole batch in one lookup, consistent with the single calls', async () => {
      const q = {
        drugDisease: [['穿心莲内酯', '百日咳'], ['氯雷他定', '百日咳']] as Array<[string, string]>,
        departmentsOf: ['感冒', '法布里病'],
        drugLinks: { drugs: ['氯雷他定', '依巴斯汀', '不存在的药片'], diseases: ['百日咳', '肺炎', '不存在的病'] },
      };
      const r = await graph.lookup(q);
      expect(r.treats).toEqual(await graph.drugTreatsDisease(q.drugDisease));
      expect(r.departments).toEqual(await graph.departmentsOf(q.departmentsOf));
      // 依巴斯汀片 comes from a dictionary only: known, but no disease relation.
      expect([...r.drugLinks.drugs.entries()].sort()).toEqual([['依巴斯汀', 0], ['氯雷他定', 2]]);
      expect([...r.drugLinks.diseases.entries()].sort()).toEqual([['百日咳', 2], ['肺炎', 0]]);
    });

    it('counts nodes and relations by source', async () => {
      const stats = await graph.stats();
      expect(stats.bySource).toEqual(imported.counts.bySource);
      expect(Object.keys(stats.bySource)).toEqual(['dict', 'xywy']);
      expect(stats.bySource.xywy.relations).toBe(Object.values(imported.counts.relations).reduce((a, b) => a + b, 0));
    });

    it('lists a drug ingredient\'s indications with their sources, and the links through symptoms and departments', async () => {
      const empty = { drugDisease: [], departmentsOf: [], drugLinks: { drugs: [], diseases: [] } };
      const r = await graph.lookup({
        ...empty,
        indications: [
          { drug: '氯雷他定', symptoms: [], diseases: [] },
          { drug: '不存在的药', symptoms: ['咳嗽'], diseases: ['百日咳'] },
          { drug: '穿心莲内酯', symptoms: ['痉挛性咳嗽'], diseases: [] },
        ],
      });
      expect(r.indications[0]).toEqual({
        indications: [{ disease: '荨麻疹', sources: ['xywy'] }, { disease: '过敏性鼻炎', sources: ['xywy'] }],
        viaSymptom: [],
        viaDepartment: [],
      });
      expect(r.indications[1]).toEqual({ indications: [], viaSymptom: [], viaDepartment: [] });
      expect(r.indications[2].indications.map((i) => i.disease)).toEqual(['百日咳']);
      expect(r.indications[2].viaSymptom).toEqual([{ disease: '百日咳', symptom: '痉挛性咳嗽' }]);
      expect((await graph.lookup(empty)).indications).toEqual([]);
    });

    it('links a drug to a dialogue disease of the same specific department', async () => {
      const r = await graph.lookup({ drugDisease: [], departmentsOf: [], drugLinks: { drugs: [], diseases: [] }, indications: [{ drug: '氨茶碱', symptoms: [], diseases: ['喘息样支气管炎'] }] });
      expect(r.indications[0].indications.map((i) => i.disease)).toEqual(['肺气肿', '支气管哮喘'].sort());
      expect(r.indications[0].viaDepartment.length).toBeGreaterThan(0);
    });

    it('answers an empty lookup with empty results', async () => {
      const r = await graph.lookup({ drugDisease: [], departmentsOf: [], drugLinks: { drugs: [], diseases: [] } });
      expect(r.treats).toEqual([]);
      expect(r.departments.size).toBe(0);
      expect(r.drugLinks.drugs.size + r.drugLinks.diseases.size).toBe(0);
    });

    it('treats names with quotes, slashes and Lucene/Cypher specials as plain values', async () => {
      const odd = ["百日咳' OR 1=1 //", '残气量/肺总量比值(RV/TLC)', 'a\\"b}', '$names'];
      expect(await graph.drugTreatsDisease(odd.map((o) => [o, o] as [string, string]))).toEqual([false, false, false, false]);
      expect((await graph.departmentsOf(odd)).size).toBe(0);
    });
  });
}
