import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanName } from '../../src/kg/import/clean.js';
import { parseCurated } from '../../src/kg/import/curated.js';
import { importGraph } from '../../src/kg/import/index.js';
import { ingredientOf } from '../../src/kg/import/ingredient.js';
import { Matcher } from '../../src/kg/matcher.js';
import { MemoryGraph } from '../../src/kg/memory.js';
import iconv from 'iconv-lite';

const gbk = (b: Buffer) => iconv.decode(b, 'gbk');
const TRIPLES = { file: 'fixtures/kg/triples/graph.csv', label: 'vrbot' };

describe('drug ingredients', () => {
  it('strips salts, dosage forms, brackets, brands and 注射用, keeping names that are the ingredient', () => {
    expect(ingredientOf('阿莫西林胶囊')).toBe('阿莫西林');
    expect(ingredientOf('盐酸左氧氟沙星片')).toBe('左氧氟沙星');
    expect(ingredientOf('布洛芬缓释胶囊')).toBe('布洛芬');
    expect(ingredientOf('奥美拉唑肠溶胶囊')).toBe('奥美拉唑');
    expect(ingredientOf('慢严舒柠 清喉利咽颗粒')).toBe('清喉利咽');
    expect(ingredientOf('注射用头孢曲松钠')).toBe('头孢曲松钠');
    expect(ingredientOf('阿莫西林胶囊(0.25g)')).toBe('阿莫西林');
    for (const same of ['硫酸镁', '碳酸钙', '阿莫西林', '钙片', '消炎片', '逍遥丸']) expect(ingredientOf(same)).toBe(same);
  });
});

describe('curated facts and name rules', () => {
  it('parses entity, retype and drop rows and names the line of a bad row', () => {
    const rows = parseCurated('# c\nentity\tSymptom\t发热\t发烧|高烧\tthuocl\nretype\tCheck\t维生素\tDrug\tclinical\ndrop\tSymptom\t肺部\t-\tbody part\n');
    expect(rows).toEqual([
      { action: 'entity', type: 'Symptom', name: '发热', aliases: ['发烧', '高烧'], source: 'thuocl' },
      { action: 'retype', type: 'Check', name: '维生素', to: 'Drug', source: 'clinical' },
      { action: 'drop', type: 'Symptom', name: '肺部', source: 'body part' },
    ]);
    expect(() => parseCurated('entity\tThing\tx\t-\ts\n', 'c.tsv')).toThrow(/c\.tsv:1: unknown type 'Thing'/);
    expect(() => parseCurated('merge\tDrug\tx\t-\ts\n')).toThrow(/unknown action/);
  });

  it('parses narrower rows and refuses one without terms', () => {
    expect(parseCurated('narrower\tDisease\t心律失常\t心动过速|早搏\tclinical\n')).toEqual([
      { action: 'narrower', type: 'Disease', name: '心律失常', narrower: ['心动过速', '早搏'], source: 'clinical' },
    ]);
    expect(() => parseCurated('narrower\tDisease\t心律失常\t-\ts\n', 'n.tsv')).toThrow(/n\.tsv:1: no narrower terms/);
  });

  it('keeps a narrower term as its own entity whose surface also names the broader one; one-character curated forms survive', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kg-nar-'));
    const file = path.join(dir, 'c.tsv');
    writeFileSync(file, [
      'entity\tDisease\t上呼吸道感染\t上感\ttest',
      // 感冒 is a disease of the dump: as a narrower term it is not merged away.
      'narrower\tDisease\t上呼吸道感染\t感冒|着凉\ttest',
      'narrower\tDisease\t不存在的病\t感冒\ttest',
      'entity\tSymptom\t咳嗽\t咳\ttest',
      '',
    ].join('\n'));
    const g = await importGraph({ paths: ['fixtures/kg/xywy'], dicts: ['fixtures/kg/dict'], curated: file });
    const node = (type: string, name: string) => g.graph.nodes.find((n) => n.type === type && n.name === name);
    expect(node('Disease', '感冒')).toBeDefined();
    expect(g.graph.edges.some((e) => e[1] === '感冒')).toBe(true);
    expect(node('Disease', '上呼吸道感染')!.aliases).toEqual(expect.arrayContaining(['感冒', '着凉', '上感']));
    expect(node('Symptom', '咳嗽')!.aliases).toContain('咳');
    expect(g.report.curated).toMatchObject({ narrower_aliases: 2, narrower_absent: 1 });
    const m = Matcher.build(await new MemoryGraph(g.graph, g.version).lexicon());
    const hit = m.find('孩子感冒了')[0];
    // The entity the surface is the name of comes first, its broader term after it.
    expect(hit.entries.map((e) => e.name)).toEqual(['感冒', '上呼吸道感染']);
    expect(m.find('一咳就停不下来').map((h) => h.entries[0].name)).toEqual(['咳嗽']);
  });

  it('drops a Drug named exactly as conditions (a product stem: 感冒, 感冒咳嗽), keeps products with a dosage form', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kg-dc-'));
    const file = path.join(dir, 'c.tsv');
    writeFileSync(file, ['entity\tDrug\t感冒\t-\ttest', 'entity\tDrug\t感冒颗粒\t-\ttest', ''].join('\n'));
    const g = await importGraph({ paths: ['fixtures/kg/xywy'], dicts: ['fixtures/kg/dict'], curated: file });
    expect(g.graph.nodes.some((n) => n.type === 'Drug' && n.name === '感冒')).toBe(false);
    expect(g.graph.nodes.some((n) => n.type === 'Drug' && n.name === '感冒颗粒')).toBe(true);
    expect(g.report.curated.drug_names_condition).toBeGreaterThanOrEqual(1);
  });

  it('folds no product into a dropped Drug (a class or action phrase): the products keep their names', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kg-dd-'));
    const products = ['entity\tDrug\t抗病毒颗粒\t-\ttest', 'entity\tDrug\t抗病毒口服液\t-\ttest'];
    const plain = path.join(dir, 'plain.tsv');
    writeFileSync(plain, [...products, ''].join('\n'));
    const before = await importGraph({ paths: ['fixtures/kg/xywy'], dicts: ['fixtures/kg/dict'], curated: plain });
    expect(before.graph.nodes.find((n) => n.type === 'Drug' && n.name === '抗病毒')?.aliases).toEqual(expect.arrayContaining(['抗病毒颗粒', '抗病毒口服液']));
    const dropped = path.join(dir, 'dropped.tsv');
    writeFileSync(dropped, [...products, 'drop\tDrug\t抗病毒\t-\ttest', ''].join('\n'));
    const after = await importGraph({ paths: ['fixtures/kg/xywy'], dicts: ['fixtures/kg/dict'], curated: dropped });
    const drugs = after.graph.nodes.filter((n) => n.type === 'Drug').map((n) => n.name);
    expect(drugs).not.toContain('抗病毒');
    expect(drugs).toEqual(expect.arrayContaining(['抗病毒颗粒', '抗病毒口服液']));
    const lex = await new MemoryGraph(after.graph, after.version).lexicon();
    expect(Matcher.build(lex).find('建议抗病毒治疗').some((h) => h.entries.some((e) => e.type === 'Drug'))).toBe(false);
  });

  it('drops advice phrases listed as symptoms and names too long to be names', () => {
    expect(cleanName('不要紧张', 'Symptom', gbk)).toEqual({ ok: false, rule: 'advice' });
    expect(cleanName('避免暴饮暴食', 'Symptom', gbk)).toEqual({ ok: false, rule: 'advice' });
    expect(cleanName('注意力不集中', 'Symptom', gbk)).toMatchObject({ ok: true });
    expect(cleanName('病'.repeat(20_000), 'Disease', gbk)).toEqual({ ok: false, rule: 'too_long' });
  });

  it('applies the curated file: synonyms become aliases (or merge a dump entity), wrong types are corrected, non-entities dropped', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kg-cur-'));
    const file = path.join(dir, 'c.tsv');
    writeFileSync(file, [
      'entity\tSymptom\t发热\t发烧|体温升高\ttest',
      'entity\tSymptom\t心悸\t心慌\ttest',
      'entity\tDrug\t阿莫西林\t阿莫仙\ttest',
      'retype\tCheck\t胰岛素\tDrug\ttest',
      'drop\tSymptom\t肺部\t-\ttest',
      '',
    ].join('\n'));
    const g = await importGraph({ paths: ['fixtures/kg/xywy'], dicts: ['fixtures/kg/dict'], curated: file });
    const node = (type: string, name: string) => g.graph.nodes.find((n) => n.type === type && n.name === name);
    expect(node('Symptom', '发热')).toMatchObject({ aliases: expect.arrayContaining(['体温升高']), sources: expect.arrayContaining(['curated']) });
    // 发烧 is a symptom of the dump: merged into 发热, its relations with it.
    expect(node('Symptom', '发烧')).toBeUndefined();
    expect(node('Symptom', '发热')!.aliases).toContain('发烧');
    expect(g.graph.edges.some((e) => e[0] === 'has_symptom' && e[1] === '感冒' && e[2] === '发热')).toBe(true);
    expect(node('Check', '胰岛素')).toBeUndefined();
    expect(node('Drug', '胰岛素')).toBeDefined();
    expect(node('Symptom', '肺部')).toBeUndefined();
    expect(g.report.curated).toMatchObject({ dropped: 1, retyped: 1, entity_added: 3, merged: 1 });
    expect(g.report.curated.relations_removed).toBeGreaterThan(0);
  });
});

describe('a generic triples file merged with the xywy dump', () => {
  it('maps relations, infers types, counts inverse, unmapped and bad rows', async () => {
    const g = await importGraph({ paths: [], triples: [TRIPLES], curated: false });
    expect(g.report.triples).toEqual({ bad_row: 1, inverse: 3, mapped: 6, unmapped: 2 });
    const types = (name: string) => g.graph.nodes.filter((n) => n.name === name).map((n) => n.type).sort();
    expect(types('咳嗽')).toEqual(['Disease', 'Symptom']); // head of treated_by and tail of contains_symptom
    expect(types('阿奇霉素')).toEqual(['Drug']);
    expect(types('血常规')).toEqual(['Check']);
    expect(types('带,逗号的病')).toEqual(['Disease']);
    expect(types('湿疹')).toEqual([]); // only in an unmapped relation
    expect(g.graph.edges).toContainEqual(['common_drug', '百日咳', '阿奇霉素', 0, ['vrbot']]);
  });

  it('keeps which source states each relation, and counts by source', async () => {
    const g = await importGraph({ paths: ['fixtures/kg/xywy'], dicts: ['fixtures/kg/dict'], triples: [TRIPLES], curated: false });
    const edge = (d: string, x: string) => g.graph.edges.find((e) => e[0] === 'common_drug' && e[1] === d && e[2] === x);
    // xywy names the product 阿奇霉素片 for 大叶性肺炎; VRBot names 阿奇霉素 for 百日咳: one ingredient.
    expect(edge('大叶性肺炎', '阿奇霉素')?.[4]).toEqual(['xywy']);
    expect(edge('百日咳', '阿奇霉素')?.[4]).toEqual(['vrbot']);
    // Both sources say 荨麻疹 → 氯雷他定 (xywy as 氯雷他定片/胶囊).
    expect(edge('荨麻疹', '氯雷他定')?.[4]).toEqual(['vrbot', 'xywy']);
    expect(g.graph.nodes.find((n) => n.type === 'Drug' && n.name === '氯雷他定')!.sources).toEqual(['dict', 'vrbot', 'xywy']);
    expect(Object.keys(g.counts.bySource)).toEqual(['dict', 'vrbot', 'xywy']);
    expect(g.counts.bySource.vrbot.relations).toBe(6);
    const again = await importGraph({ paths: ['fixtures/kg/xywy'], dicts: ['fixtures/kg/dict'], triples: [TRIPLES], curated: false });
    expect(again.version).toBe(g.version);
  });

  it('refuses a triples file without the HEAD,RELATION,TAIL header', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kg-tr-'));
    writeFileSync(path.join(dir, 'g.csv'), 'a,b,c\n');
    await expect(importGraph({ paths: [], triples: [{ file: path.join(dir, 'g.csv') }], curated: false })).rejects.toMatchObject({ code: 'CMT_KG_INVALID' });
  });
});
