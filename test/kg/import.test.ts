import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { cleanName, impliedAliases, looksLikePersonName, normaliseName } from '../../src/kg/import/clean.js';
import { importGraph } from '../../src/kg/import/index.js';
import { readSnapshot, writeSnapshot } from '../../src/kg/snapshot.js';
import { importFixture } from './contract.js';

const gbk = (b: Buffer) => iconv.decode(b, 'gbk');
const tmp = () => mkdtempSync(path.join(tmpdir(), 'kg-import-'));

describe('name cleaning', () => {
  it('folds full-width ASCII and trims, keeping Chinese punctuation meaningful', () => {
    expect(normaliseName('  栗子（熟）\u3000')).toBe('栗子(熟)');
    expect(cleanName('C反应蛋白（CRP）', 'Check', gbk)).toEqual({ ok: true, name: 'C反应蛋白(CRP)', repairs: ['width_normalised'] });
  });

  it('repairs GBK text that the crawler decoded as Latin-1, and drops what does not decode', () => {
    expect(cleanName('¸¹Í´', 'Symptom', gbk)).toEqual({ ok: true, name: '腹痛', repairs: ['mojibake_repaired'] });
    // The page title's '简介' suffix goes with the repair.
    expect(cleanName('Ã·¶¾ÐÔÆÏÌÑÄ¤Ñ×¼ò½é', 'Disease', gbk)).toMatchObject({ ok: true, name: '梅毒性葡萄膜炎' });
    expect(cleanName('ÿÿ', 'Symptom', gbk)).toEqual({ ok: false, rule: 'mojibake' });
  });

  it('sets truncated values aside for repair, and drops fragments, initials and site chrome', () => {
    expect(cleanName('冬春季的慢性咳...', 'Symptom', gbk)).toEqual({ ok: 'truncated', prefix: '冬春季的慢性咳', repairs: [] });
    expect(cleanName('发热伴咳嗽…', 'Symptom', gbk)).toMatchObject({ ok: 'truncated', prefix: '发热伴咳嗽' });
    expect(cleanName('湿', 'Symptom', gbk)).toEqual({ ok: false, rule: 'fragment' });
    expect(cleanName('疖', 'Disease', gbk)).toMatchObject({ ok: true, name: '疖' });
    expect(cleanName('C', 'Symptom', gbk)).toEqual({ ok: false, rule: 'no_cjk' });
    expect(cleanName('H7n7', 'Disease', gbk)).toMatchObject({ ok: true, name: 'H7n7' });
    expect(cleanName('驻站医', 'Symptom', gbk)).toEqual({ ok: false, rule: 'site_chrome' });
    expect(cleanName('   ', 'Food', gbk)).toEqual({ ok: false, rule: 'empty' });
  });

  it('takes short surname-first values without symptom wording for personal names, among symptoms only', () => {
    expect(looksLikePersonName('甄小明')).toBe(true);
    for (const symptom of ['干咳', '高热', '牙痛', '白带', '易激动', '马牙', '洪脉', '焦虑', '黄疸', '吴氏征']) {
      expect(looksLikePersonName(symptom)).toBe(false);
    }
    expect(cleanName('甄小明', 'Symptom', gbk)).toEqual({ ok: false, rule: 'person_name' });
    expect(cleanName('甄小明', 'Food', gbk)).toMatchObject({ ok: true });
  });

  it('derives aliases from parentheses and from brand-prefixed drug names', () => {
    expect(impliedAliases('反社会人格障碍(病态人格)', 'Disease')).toEqual([{ alias: '反社会人格障碍', source: 'paren' }]);
    expect(impliedAliases('(奥松)肚痛泻丸', 'Drug')).toEqual([{ alias: '肚痛泻丸', source: 'paren' }]);
    expect(impliedAliases('慢严舒柠 清喉利咽颗粒', 'Drug')).toEqual([{ alias: '清喉利咽颗粒', source: 'brand' }]);
    expect(impliedAliases('尿糖(GLU)', 'Check')).toEqual([{ alias: '尿糖', source: 'paren' }]);
    expect(impliedAliases('百日咳', 'Disease')).toEqual([]);
  });
});

describe('importing the xywy fixture', () => {
  it('counts every dropped and repaired value per rule', async () => {
    const { report } = await importFixture();
    expect(report.diseaseRecords).toBe(31);
    expect(Object.fromEntries(Object.entries(report.dropped).map(([k, v]) => [k, v!.values]))).toEqual({
      fragment: 2, no_cjk: 3, person_name: 1, site_chrome: 1, truncated: 12,
    });
    expect(report.dropped.no_cjk!.examples).toEqual(['C', 'XYW', 'pH4']);
    expect(report.repaired.mojibake_repaired!.values).toBe(19);
    // '冬春季的慢性咳...' has exactly one full form (from the dictionary): repaired, not dropped.
    expect(report.repaired.truncated_repaired!.examples).toEqual(['冬春季的慢性咳...']);
    expect(report.aliases).toEqual({ brand: 2, paren: 21, producer: 2, product: 38 });
    expect(report.ingredients).toEqual({ products: 38, ingredients: 36 });
    expect(report.dictUnused).toEqual({ producer: 1 });
  });

  it('produces sorted nodes and edges and merges the duplicate 胎膜早破 record', async () => {
    const { graph } = await importFixture();
    const keys = graph.nodes.map((n) => `${n.type}\u0000${n.name}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
    const edgeKeys = graph.edges.map((e) => `${e[0]}\u0000${e[1]}\u0000${e[2]}`);
    expect(edgeKeys).toEqual([...edgeKeys].sort());
    expect(new Set(edgeKeys).size).toBe(edgeKeys.length);
    expect(graph.edges.filter((e) => e[0] === 'belongs_to' && e[1] === '胎膜早破')).toEqual([
      ['belongs_to', '胎膜早破', '产科', 1, ['xywy']],
      ['belongs_to', '胎膜早破', '妇产科', 0, ['xywy']],
    ]);
    expect(graph.nodes.find((n) => n.type === 'Symptom' && n.name === '冬春季的慢性咳嗽')).toBeDefined();
    expect(graph.nodes.some((n) => /[\u0080-\u00ff]/.test(n.name))).toBe(false);
  });

  it('is idempotent and independent of the order of files and dictionaries', async () => {
    const a = await importGraph({ paths: ['fixtures/kg/xywy'], dicts: ['fixtures/kg/dict'] });
    const b = await importGraph({ paths: ['fixtures/kg/xywy/medical_0.json'], dicts: ['fixtures/kg/dict'], format: 'xywy' });
    expect(b.version).toBe(a.version);
    expect(b.graph).toEqual(a.graph);
    const without = await importGraph({ paths: ['fixtures/kg/xywy'] });
    expect(without.version).not.toBe(a.version);
  });
});

describe('importing medical.json (liuhuanyong layout)', () => {
  it('reads UTF-8 and GBK files to the same graph', async () => {
    const utf8 = await importGraph({ paths: ['fixtures/kg/medicaljson/medical.json'] });
    const gbkFile = await importGraph({ paths: ['fixtures/kg/medicaljson/medical_gbk.json'] });
    expect(gbkFile.sources.filter((s) => s.kind !== 'curated').map((s) => s.encoding)).toEqual(['gb18030']);
    expect(utf8.sources.filter((s) => s.kind !== 'curated').map((s) => s.encoding)).toEqual(['utf-8']);
    expect(gbkFile.version).toBe(utf8.version);
    expect(utf8.counts.relations.recommand_drug).toBeGreaterThan(0);
    // The doctors' names in symptom arrays (fixture: invented names) are dropped.
    expect(utf8.report.dropped.person_name!.examples).toEqual(['甄大伟', '甄小明']);
    // drug_detail 'PRODUCT(DRUG)' gives the product as an alias of the drug.
    const drug = utf8.graph.nodes.find((n) => n.type === 'Drug' && n.name === '穿心莲内酯');
    expect(drug?.aliases).toEqual(expect.arrayContaining(['惠普森穿心莲内酯片', '穿心莲内酯片']));
  });

  it('reads the real GBK sample (medical2.json.bak) like its UTF-8 sibling', async () => {
    const bak = await importGraph({ paths: ['../shared/data/kg/liuhuanyong_format_sample/medical2.json.bak'], format: 'medicaljson' });
    expect(bak.report.diseaseRecords).toBe(100);
    expect(bak.sources[0].encoding).toBe('gb18030');
    expect(bak.graph.nodes.some((n) => n.name.includes('\ufffd'))).toBe(false);
    const utf8 = await importGraph({ paths: ['../shared/data/kg/liuhuanyong_format_sample/medical2.json'] });
    expect(utf8.report.diseaseRecords).toBe(20);
    expect(utf8.graph.nodes.find((n) => n.type === 'Disease' && n.name === '百日咳')).toBeDefined();
  });

  it('names the file and line of a malformed record', async () => {
    const dir = tmp();
    const file = path.join(dir, 'medical.json');
    writeFileSync(file, '{"name": "感冒", "symptom": ["发热"]}\n{"name": oops}\n');
    await expect(importGraph({ paths: [file], format: 'medicaljson' })).rejects.toThrow(`${file}:2`);
  });
});

describe('snapshot files', () => {
  it('round-trip the imported graph and its version', async () => {
    const imported = await importFixture();
    const file = path.join(tmp(), 'g.kg.json.gz');
    await writeSnapshot(file, imported);
    const snap = await readSnapshot(file);
    expect(snap.version).toBe(imported.version);
    expect(snap.graph).toEqual(imported.graph);
    expect(snap.counts).toEqual(imported.counts);
    const again = path.join(tmp(), 'g.kg.json.gz');
    await writeSnapshot(again, imported);
    expect(readFileSync(again).equals(readFileSync(file))).toBe(true);
  });

  it('refuse a snapshot whose graph does not hash to its version', async () => {
    const imported = await importFixture();
    const file = path.join(tmp(), 'g.kg.json.gz');
    await writeSnapshot(file, imported);
    const json = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
    json.graph.edges.pop();
    writeFileSync(file, gzipSync(JSON.stringify(json)));
    await expect(readSnapshot(file)).rejects.toMatchObject({ code: 'CMT_KG_INVALID' });
    await expect(readSnapshot(path.join(tmp(), 'missing.gz'))).rejects.toMatchObject({ code: 'CMT_INPUT_NOT_FOUND' });
  });
});
