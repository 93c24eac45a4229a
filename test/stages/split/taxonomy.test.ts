import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { RecordEnvelope } from '../../../schemas/record.js';
import { silentLogger } from '../../../src/core/logger.js';
import { parsePipeline } from '../../../src/pipeline/config.js';
import { sourceItems } from '../../../src/pipeline/read-sources.js';
import { importHetmc } from '../../../src/sources/hetmc.js';
import { oneDepartmentPerDialogue } from '../../../src/stages/split/department.js';
import { canonicalInferred, canonicalPair, cateOf, inTaxonomy } from '../../../src/stages/split/taxonomy.js';
import { CATE1_ALIASES, GENERIC_CATE2, TAXONOMY } from '../../../src/stages/split/taxonomy-data.js';
import { origin } from '../../support/context.js';
import { sharedData } from '../../support/services.js';

describe('one department taxonomy', () => {
  it.each([
    [['内科', '心内科'], ['内科', '心血管内科']],
    [['传染科', '传染科'], ['传染病科', '传染科']],
    [['传染病科', '传染病科'], ['传染病科', '传染科']],
    [['皮肤性病科', '皮肤科'], ['皮肤性病科', '皮肤性病科']],
    [['外科', '骨外科'], ['外科', '骨科']],
    [['肝病', '肝病'], ['传染病科', '肝病科']],
    [['中医科', '中医综合'], ['中医科', '中医科']],
    [['精神科', '精神科'], ['心理科', '心理科']],
    [['内科', '内科'], ['内科', '内科']],
  ])('canonicalises the graph pair %j to %j', (pair, expected) => {
    expect(canonicalInferred(pair as [string, string], ['未分类', '未分类'])).toEqual(expected);
  });

  it('keeps the record pair when the graph names a department the list does not know', () => {
    expect(canonicalInferred(['火星科', '火星科'], ['未分类', '未分类'])).toEqual(['未分类', '未分类']);
  });

  it('maps source department strings, exact or inside a longer string', () => {
    expect(cateOf('心血管科')).toEqual({ cate1: '内科', cate2: '心血管内科' });
    expect(cateOf('北京某医院 心内科')).toEqual({ cate1: '内科', cate2: '心血管内科' });
    expect(cateOf('肝病科')).toEqual({ cate1: '传染病科', cate2: '肝病科' });
    expect(cateOf('不存在的科室')).toBeUndefined();
  });

  it('maps the HET-MC departments the record review found unclassified: 肿瘤及防治科, 骨伤科, 口腔颌面科', () => {
    expect(cateOf('肿瘤及防治科')).toEqual({ cate1: '肿瘤科', cate2: '肿瘤科' });
    expect(cateOf('妇产及计划生育科')).toEqual({ cate1: '妇产科', cate2: '妇产科' });
    expect(cateOf('骨伤科')).toEqual({ cate1: '外科', cate2: '骨科' });
    expect(cateOf('口腔颌面科')).toEqual({ cate1: '五官科', cate2: '口腔科' });
    expect(cateOf('空')).toBeUndefined();
    expect(cateOf('以及科')).toBeUndefined();
  });

  it('has every canonical pair, alias, cate1 alias and generic entry inside the list', () => {
    for (const e of TAXONOMY) {
      expect(inTaxonomy(e.cate1, e.cate2)).toBe(true);
      for (const a of e.aliases ?? []) expect(cateOf(a)).toEqual({ cate1: e.cate1, cate2: e.cate2 });
    }
    for (const [cate1] of [...GENERIC_CATE2, ...CATE1_ALIASES]) {
      const c = canonicalPair(cate1, undefined)!;
      expect(inTaxonomy(c.cate1, c.cate2)).toBe(true);
    }
    expect(new Set(TAXONOMY.map((e) => e.cate2)).size).toBe(TAXONOMY.length);
  });

  it('puts every (cate1, cate2) pair of the CMtMedQA test set into the list', () => {
    const records = JSON.parse(readFileSync(sharedData('dialogues/cmtmedqa/CMtMedQA_test.json'), 'utf8')) as Array<{ cate1?: string; cate2?: string }>;
    const pairs = new Set(records.filter((r) => r.cate1 !== undefined).map((r) => `${r.cate1}\u0000${r.cate2}`));
    expect(pairs.size).toBeGreaterThan(50);
    for (const p of pairs) {
      const [c1, c2] = p.split('\u0000');
      // one test-set record carries cate1 "nan" and an empty cate2 (a pandas NaN): no department, split uses the default
      if (c1 === 'nan' && c2 === '') {
        expect(canonicalPair(c1, c2)).toBeUndefined();
        continue;
      }
      const c = canonicalPair(c1, c2);
      expect(c && inTaxonomy(c.cate1, c.cate2)).toBe(true);
    }
  });
});

describe('one department per dialogue', () => {
  const env = (dialogueId: string, window: number, cate1: string, cate2: string): RecordEnvelope => ({
    record: { id: `${dialogueId}-${window}`, cate1, cate2, instruction: '问', input: '', output: '答', history: [] },
    dialogueId, origin: origin(dialogueId, { window }), annotations: { inquiryTurns: [], outputIsInquiry: false },
  });

  it('gives all windows the pair most windows were inferred to (ties: the earliest), the defaults included', () => {
    const out = oneDepartmentPerDialogue([
      env('a', 0, '内科', '呼吸内科'), env('a', 1, '未分类', '未分类'), env('a', 2, '内科', '心血管内科'), env('a', 3, '内科', '心血管内科'),
      env('b', 0, '儿科', '儿科'), env('b', 1, '外科', '骨科'),
      env('c', 0, '未分类', '未分类'),
    ], { cate1: '未分类', cate2: '未分类' });
    expect(out.map((e) => `${e.dialogueId}:${e.record.cate2}`)).toEqual(['a:心血管内科', 'a:心血管内科', 'a:心血管内科', 'a:心血管内科', 'b:儿科', 'b:儿科', 'c:未分类']);
    expect(out[1].annotations.inferredDepartment).toBe(true);
  });
});

describe('source departments', () => {
  it('reads the HET-MC header key `apartment` as well as `department`', async () => {
    const text = 'id\t1\tapartment\t心内科\tdisease\t高血压\nP\t我血压一直偏高怎么办\t1\nD\t建议先低盐饮食并监测血压\t0\nSUM1\tx\n';
    async function* bytes() {
      yield Buffer.from(text);
    }
    const items = [];
    for await (const it of importHetmc({ file: 'a.dialog', bytes: bytes(), encoding: 'auto' })) items.push(it);
    expect(items[0].kind === 'dialogue' && items[0].dialogue.department).toBe('心内科');
  });

  it('gives a source\'s dialogues its configured department when they name none (sources[].department)', async () => {
    const config = parsePipeline({ name: 't', sources: [{ format: 'mie', path: 'fixtures/dialogues/mie/*.json', department: '心血管内科' }] });
    const departments = new Set<string | undefined>();
    for await (const item of sourceItems(config, process.cwd(), silentLogger)) if (item.kind === 'dialogue') departments.add(item.dialogue.department);
    expect(departments).toEqual(new Set(['心血管内科']));
  });
});
