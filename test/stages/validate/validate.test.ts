import { describe, it, expect, beforeAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { RecordEnvelope } from '../../../schemas/record.js';
import { silentLogger } from '../../../src/core/logger.js';
import { MemoryGraph } from '../../../src/kg/memory.js';
import type { GraphLookup, GraphPort, IndicationAnswer } from '../../../src/kg/port.js';
import { analyse, indicationKey, judgeDrugs, validate } from '../../../src/stages/validate/index.js';
import { Matcher } from '../../../src/kg/matcher.js';
import { findDrugLikeTokens } from '../../../src/stages/validate/drug-like.js';
import { importFixture } from '../../kg/contract.js';
import { sharedData } from '../../support/services.js';
import { envelope, pipeline } from './records.js';

let graph: MemoryGraph;
let graph0: Awaited<ReturnType<typeof importFixture>>['graph'];

beforeAll(async () => {
  const imported = await importFixture();
  graph0 = imported.graph;
  graph = new MemoryGraph(imported.graph, imported.version);
});

const ctx = (validateCfg: Record<string, unknown> = {}, g: GraphPort | null = graph) => ({ config: pipeline(validateCfg), logger: silentLogger, graph: g ?? undefined });

describe('validate: entities', () => {
  it('annotates every utterance with the entities it names, by turn index and offsets', async () => {
    const env = envelope('e1', {
      history: [['孩子咳嗽一周了，晚上更厉害', '听起来像百日咳，建议查个血常规']],
      instruction: '查了，医生说是百日咳',
      output: '可以吃穿心莲内酯片，多吃小白菜',
    });
    const { out, rejects } = await validate([env], ctx());
    expect(rejects).toEqual([]);
    expect(out[0].annotations.entities).toEqual([
      { name: '咳嗽', type: 'Symptom', turn: 0, start: 2, end: 4 },
      { name: '百日咳', type: 'Disease', turn: 1, start: 4, end: 7 },
      { name: '血常规', type: 'Check', turn: 1, start: 12, end: 15 },
      { name: '百日咳', type: 'Disease', turn: 2, start: 7, end: 10 },
      { name: '穿心莲内酯', type: 'Drug', turn: 3, start: 3, end: 9 },
      { name: '小白菜', type: 'Food', turn: 3, start: 12, end: 15 },
    ]);
    expect(out[0].annotations.flags).toBeUndefined();
  });

  it('flags, rejects or ignores a record with no entity, per policy', async () => {
    const env = envelope('e2', { instruction: '你好，在吗？', output: '您好，请讲。' });
    expect((await validate([env], ctx())).out[0].annotations.flags).toEqual(['validate.no_entity']);
    const rejected = await validate([env], ctx({ checks: { no_entity: 'reject' } }));
    expect(rejected.out).toEqual([]);
    expect(rejected.rejects).toHaveLength(1);
    expect(rejected.rejects[0]).toMatchObject({ stage: 'validate', reason: 'validate.no_entity', dialogueId: 'dlg-e2', input: env });
    const ignored = await validate([env], ctx({ checks: { no_entity: 'ignore' } }));
    expect(ignored.out[0].annotations.flags).toBeUndefined();
  });
});

describe('validate: drugs', () => {
  it('flags a drug-like name the graph does not know, with the token as evidence', async () => {
    const env = envelope('d1', { instruction: '荨麻疹又犯了', output: '可以试试莫米松乳膏，或者依巴斯汀片' });
    const { out } = await validate([env], ctx());
    expect(out[0].annotations.flags).toEqual(['validate.unknown_drug']);
    const { rejects } = await validate([env], ctx({ checks: { unknown_drug: 'reject' } }));
    // 依巴斯汀片 is in the drug dictionary, so only 莫米松乳膏 is unknown.
    expect(rejects[0].reason).toBe('validate.unknown_drug');
    expect(rejects[0].evidence).toEqual({ unknown_drug: { tokens: [{ token: '莫米松乳膏', start: 4, end: 9, turn: 1 }] } });
  });

  it('finds drug-like tokens without taking pictures, slices or generic words for drugs', () => {
    const t = (s: string) => findDrugLikeTokens(s).map((x) => x.token);
    expect(t('每天吃2片布洛芬缓释胶囊，外用莫米松乳膏')).toEqual(['布洛芬缓释胶囊', '莫米松乳膏']);
    expect(t('拍个X线片，再做个切片，稍等片刻')).toEqual([]);
    expect(t('吃点消炎片，用鼻腔喷雾剂，色素颗粒沉着')).toEqual([]);
  });

  it('flags a drug the doctor names for a disease the graph does not relate it to', async () => {
    const env = envelope('d2', { instruction: '孩子百日咳，咳得厉害', output: '可以先吃氯雷他定片看看' });
    // The fixture graph lists ≤ 2 diseases per drug: count 2 as known here (the default is 10).
    const { rejects } = await validate([env], ctx({ checks: { drug_not_for_disease: 'reject' }, minKnownIndications: 2 }));
    expect(rejects[0].reason).toBe('validate.drug_not_for_disease');
    expect(rejects[0].evidence).toEqual({
      drug_not_for_disease: {
        drugs: [{
          drug: '氯雷他定片', ingredient: '氯雷他定', turn: 1, start: 4, indicationsKnown: 2,
          indications: [{ disease: '荨麻疹', sources: ['xywy'] }, { disease: '过敏性鼻炎', sources: ['xywy'] }],
        }],
        diseases: ['百日咳'],
        symptoms: [],
      },
    });
    expect(rejects[0].detail).toBe('doctor names 氯雷他定片 (氯雷他定), which the graph lists for 荨麻疹, 过敏性鼻炎, none of them named in the dialogue (百日咳)');
    // With the default threshold the graph knows too little: not a contradiction, only its own (ignored) check.
    const loose = await validate([env], ctx({ checks: { drug_not_for_disease: 'reject', drug_indications_unknown: 'flag' } }));
    expect(loose.rejects).toEqual([]);
    expect(loose.out[0].annotations.flags).toEqual(['validate.drug_indications_unknown']);
  });

  it('does not flag a related drug, a negated one, or one only the patient names', async () => {
    const cfg = { checks: { drug_not_for_disease: 'reject' } };
    const related = envelope('d3', { instruction: '我得了荨麻疹', output: '氯雷他定片可以止痒' });
    const negated = envelope('d4', { instruction: '孩子百日咳', output: '不要吃氯雷他定片，用穿心莲内酯片' });
    const patient = envelope('d5', { instruction: '百日咳能吃氯雷他定片吗', output: '先去医院看看' });
    const { out, rejects } = await validate([related, negated, patient], ctx(cfg));
    expect(rejects).toEqual([]);
    expect(out.map((r) => r.annotations.flags)).toEqual([undefined, undefined, undefined]);
  });

  it('calls a drug contradicted only against a disease the graph places in a department', async () => {
    // Only a symptom (咳嗽) and no disease: the graph cannot say the drug is wrong → unknown, not contradicted.
    const vague = envelope('d7', { instruction: '孩子咳得厉害，咳嗽一周了', output: '可以先吃氯雷他定片看看' });
    const v = await validate([vague], ctx({ checks: { drug_not_for_disease: 'reject', drug_indications_unknown: 'flag' }, minKnownIndications: 2 }));
    expect(v.rejects).toEqual([]);
    expect(v.out[0].annotations.flags).toEqual(['validate.drug_indications_unknown']);
  });

  it('judgeDrugs: contradicted needs a known disease and no shared department; either missing → unknown', async () => {
    const matcher = Matcher.build(await graph.lexicon());
    const a = analyse(envelope('j1', { instruction: '孩子百日咳', output: '可以先吃氯雷他定片看看' }), matcher, false);
    expect(a.diseases).toEqual(['百日咳']);
    const key = indicationKey('氯雷他定', a.symptoms, a.conditions);
    const indications = [{ disease: '荨麻疹', sources: ['t'] }, { disease: '过敏性鼻炎', sources: ['t'] }];
    const none = new Map<string, IndicationAnswer>([[key, { indications, viaSymptom: [], viaDepartment: [] }]]);
    const verdict = (answers: typeof none, deps: Map<string, string[]>) => judgeDrugs(a, answers, deps, { minKnown: 2 }).map((x) => [x.drug, x.verdict, x.because]);
    // Known disease (it has departments), no shared department, no shared symptom → contradicted.
    expect(verdict(none, new Map([['百日咳', ['儿科', '小儿内科']]]))).toEqual([['氯雷他定', 'contradicted', undefined]]);
    // The graph places no disease of the dialogue in a department → unknown.
    expect(verdict(none, new Map())).toEqual([['氯雷他定', 'unknown', undefined]]);
    expect(verdict(none, new Map([['荨麻疹', ['皮肤科']]]))).toEqual([['氯雷他定', 'unknown', undefined]]);
    // A shared second-level department → consistent.
    const dep = new Map<string, IndicationAnswer>([[key, { indications, viaSymptom: [], viaDepartment: [{ disease: '过敏性鼻炎', department: '小儿内科' }] }]]);
    expect(verdict(dep, new Map([['百日咳', ['儿科', '小儿内科']]]))).toEqual([['氯雷他定', 'consistent', { indication: '过敏性鼻炎', department: '小儿内科' }]]);
  });

  it('judgeDrugs: a shared first-level department is consistent; a drug of many departments or of TCM is unknown', async () => {
    const matcher = Matcher.build(await graph.lexicon());
    const a = analyse(envelope('j2', { instruction: '孩子百日咳', output: '可以先吃氯雷他定片看看' }), matcher, false);
    const key = indicationKey('氯雷他定', a.symptoms, a.conditions);
    const indications = [{ disease: '荨麻疹', sources: ['t'] }, { disease: '过敏性鼻炎', sources: ['t'] }, { disease: '湿疹', sources: ['t'] }];
    const answers = new Map<string, IndicationAnswer>([[key, { indications, viaSymptom: [], viaDepartment: [] }]]);
    const verdict = (deps: Array<[string, string[]]>, max = 2) => judgeDrugs(a, answers, new Map([['百日咳', ['儿科', '小儿内科']], ...deps]), { minKnown: 2, maxDrugDepartments: max }).map((x) => [x.verdict, x.because]);
    // The drug's indications lie in one other first-level department: contradicted.
    expect(verdict([['荨麻疹', ['皮肤性病科', '皮肤科']], ['湿疹', ['皮肤性病科', '皮肤科']]])).toEqual([['contradicted', undefined]]);
    // One indication shares the first-level department 儿科 (not the second-level one): consistent, and it says which.
    expect(verdict([['荨麻疹', ['皮肤性病科', '皮肤科']], ['湿疹', ['儿科', '小儿皮肤科']]])).toEqual([['consistent', { indication: '湿疹', department: '儿科' }]]);
    // Indications in three first-level departments: prescribed too widely to call wrong (unless the limit allows three).
    const wide: Array<[string, string[]]> = [['荨麻疹', ['皮肤性病科', '皮肤科']], ['过敏性鼻炎', ['五官科', '耳鼻喉科']], ['湿疹', ['内科', '过敏反应科']]];
    expect(verdict(wide)).toEqual([['unknown', undefined]]);
    expect(verdict(wide, 3)).toEqual([['contradicted', undefined]]);
    // An indication placed in TCM (中医科), or a disease of the dialogue placed there: unknown.
    expect(verdict([['荨麻疹', ['皮肤性病科', '皮肤科']], ['湿疹', ['中医科', '中医皮肤科']]])).toEqual([['unknown', undefined]]);
    const tcmDialogue = judgeDrugs(a, answers, new Map([['百日咳', ['中医科', '中医儿科']], ['荨麻疹', ['皮肤性病科']]]), { minKnown: 2 });
    expect(tcmDialogue.map((x) => x.verdict)).toEqual(['unknown']);
  });

  it('does not take a drug inside quotation marks that repeat the patient as the doctor\'s advice', async () => {
    const matcher = Matcher.build(await graph.lexicon());
    const quoting = analyse(
      envelope('q1', { instruction: '孩子百日咳，能吃氯雷他定片吗', output: '建议多休息。以上是对“孩子百日咳，能吃氯雷他定片吗”这个问题的建议' }),
      matcher,
      false,
    );
    expect(quoting.doctorDrugs).toEqual([]);
    // Quotation marks around the doctor's own words (not the patient's) do not hide the drug.
    const own = analyse(envelope('q2', { instruction: '孩子百日咳', output: '可以吃“氯雷他定片”或者别的' }), matcher, false);
    expect(own.doctorDrugs.map((d) => d.name)).toEqual(['氯雷他定']);
  });

  it('judgeDrugs: a drug named after the patient asked about a drug is unknown, not contradicted', async () => {
    const matcher = Matcher.build(await graph.lexicon());
    const deps = new Map([['百日咳', ['儿科', '小儿内科']], ['荨麻疹', ['皮肤性病科', '皮肤科']]]);
    const judge = (instruction: string) => {
      const a = analyse(envelope('p1', { instruction, output: '可以先吃氯雷他定片看看' }), matcher, false);
      const answers = new Map<string, IndicationAnswer>([[indicationKey('氯雷他定', a.symptoms, a.conditions), { indications: [{ disease: '荨麻疹', sources: ['t'] }, { disease: '湿疹', sources: ['t'] }], viaSymptom: [], viaDepartment: [] }]]);
      return judgeDrugs(a, answers, deps, { minKnown: 2 }).map((x) => x.verdict);
    };
    expect(judge('孩子百日咳')).toEqual(['contradicted']);
    // The patient asks about a graph drug, or about a product the graph does not know (a drug-like token).
    expect(judge('孩子百日咳，吃了穿心莲内酯片')).toEqual(['unknown']);
    expect(judge('孩子百日咳，能吃清咽宁颗粒吗')).toEqual(['unknown']);
  });

  it('does not judge drugs against diseases for which the graph lists no drug', async () => {
    // 肺炎 has no common_drug in the dump.
    const env = envelope('d6', { instruction: '医生说是肺炎', output: '那就吃氯雷他定片' });
    const { out } = await validate([env], ctx({ checks: { drug_not_for_disease: 'reject' } }));
    expect(out).toHaveLength(1);
  });
});

describe('validate: departments', () => {
  it('sets default cate1/cate2 from the departments of the diseases named, majority first', async () => {
    const env = envelope('p1', {
      history: [['我有湿疹，最近还起了荨麻疹', '两个都是皮肤病']],
      instruction: '会不会是过敏性鼻炎引起的',
      output: '关系不大',
    });
    const { out } = await validate([env], ctx());
    // the graph's 皮肤性病科/皮肤科 goes through the one taxonomy: cate2 皮肤科 is 皮肤性病科
    expect([out[0].record.cate1, out[0].record.cate2]).toEqual(['皮肤性病科', '皮肤性病科']);
    expect(out[0].annotations.inferredDepartment).toBe(true);
  });

  it('breaks a tie with the disease named first, and keeps graph order (parent department first)', async () => {
    const env = envelope('p2', { instruction: '胎膜早破了，以前还有百日咳', output: '先去产科' });
    const { out } = await validate([env], ctx());
    expect([out[0].record.cate1, out[0].record.cate2]).toEqual(['妇产科', '产科']);
  });

  it('leaves departments a source already gave, and records with no disease', async () => {
    const given = envelope('p3', { cate1: '儿科', cate2: '小儿内科', instruction: '湿疹怎么办', output: '保湿' });
    const none = envelope('p4', { instruction: '头晕怎么办', output: '多休息' });
    const { out } = await validate([given, none], ctx());
    expect([out[0].record.cate1, out[0].record.cate2, out[0].annotations.inferredDepartment]).toEqual(['儿科', '小儿内科', undefined]);
    expect([out[1].record.cate1, out[1].annotations.inferredDepartment]).toEqual(['未分类', undefined]);
  });

  it('counts a disease the patient names twice, one only the doctor names once', async () => {
    // The doctor's skin diseases are what the foot bath also helps; the patient's question is about diabetes.
    const two = envelope('p6', { instruction: '我有糖尿病，泡脚用什么好', output: '艾叶泡脚，还能治湿疹和荨麻疹' });
    // Three of the doctor's agree: they outweigh the one the patient named.
    const three = envelope('p6b', { instruction: '我有糖尿病，泡脚用什么好', output: '艾叶泡脚，还能治湿疹、荨麻疹和痤疮' });
    const { out } = await validate([two, three], ctx());
    expect([out[0].record.cate1, out[0].record.cate2, out[0].annotations.inferredDepartment]).toEqual(['内科', '内分泌科', true]);
    expect([out[1].record.cate1, out[1].record.cate2]).toEqual(['皮肤性病科', '皮肤性病科']);
  });

  it('does not let a disease vote that is named only to be ruled out', async () => {
    const ruledOut = envelope('p7', { instruction: '胃镜做了，不是胃溃疡，就是吃不下饭', output: '注意饮食规律' });
    const none = envelope('p7b', { instruction: '化验了，无胃溃疡，就是吃不下饭', output: '注意饮食规律' });
    const asked = envelope('p8', { instruction: '我这是不是胃溃疡', output: '要做胃镜才知道' });
    const askedToRuleOut = envelope('p8b', { instruction: '做胃镜能排除胃溃疡吗', output: '可以' });
    const notRuledOut = envelope('p8c', { instruction: '医生说不排除胃溃疡，要做胃镜', output: '先做胃镜' });
    const cannotRuleOut = envelope('p8d', { instruction: '化验单说不能排除胃溃疡', output: '先做胃镜' });
    const { out } = await validate([ruledOut, none, asked, askedToRuleOut, notRuledOut, cannotRuleOut], ctx());
    expect(out.map((e) => [e.record.cate1, e.record.cate2, e.annotations.inferredDepartment])).toEqual([
      ['未分类', '未分类', undefined],
      ['未分类', '未分类', undefined],
      // 是不是 and …吗 ask, they do not rule out
      ['内科', '消化内科', true],
      ['内科', '消化内科', true],
      // 不排除 / 不能排除 suspect it
      ['内科', '消化内科', true],
      ['内科', '消化内科', true],
    ]);
  });

  it('leaves the default when the doctor alone names diseases of two departments equally often', async () => {
    const env = envelope('p9', { instruction: '最近总是咳嗽，怎么回事', output: '可能是支气管炎，也可能是过敏性鼻炎' });
    const { out } = await validate([env], ctx());
    expect([out[0].record.cate1, out[0].record.cate2, out[0].annotations.inferredDepartment]).toEqual(['未分类', '未分类', undefined]);
  });

  it('does not infer TCM or 家居健康 from a TCM pattern or 营养不良, which name no clinic to see', async () => {
    // The fixture graph plus two real xywy facts: 风寒 sits in 中医科/中医综合, 营养不良 in 营养科 (→ 家居健康).
    const nodes = [...graph0.nodes, { type: 'Disease' as const, name: '风寒', aliases: [], sources: ['xywy'] }, { type: 'Disease' as const, name: '营养不良', aliases: [], sources: ['xywy'] }, { type: 'Department' as const, name: '中医科', aliases: [], sources: ['xywy'] }, { type: 'Department' as const, name: '中医综合', aliases: [], sources: ['xywy'] }, { type: 'Department' as const, name: '营养科', aliases: [], sources: ['xywy'] }];
    const edges = [...graph0.edges, ['belongs_to', '风寒', '中医科', 0, ['xywy']], ['belongs_to', '风寒', '中医综合', 1, ['xywy']], ['belongs_to', '营养不良', '营养科', 0, ['xywy']]] as typeof graph0.edges;
    const g = new MemoryGraph({ nodes, edges }, 'validate-test-tcm');
    const patterns = envelope('p10', { instruction: '受了风寒，手脚冰凉', output: '也可能是营养不良' });
    const withCold = envelope('p11', { instruction: '受了风寒，又得了感冒', output: '多喝水' });
    const { out } = await validate([patterns, withCold], ctx({}, g));
    expect([out[0].record.cate1, out[0].record.cate2, out[0].annotations.inferredDepartment]).toEqual(['未分类', '未分类', undefined]);
    expect([out[1].record.cate1, out[1].record.cate2]).toEqual(['内科', '呼吸内科']);
  });

  it('does nothing to departments when inferDepartment is off', async () => {
    const env = envelope('p5', { instruction: '湿疹怎么办', output: '保湿' });
    const { out } = await validate([env], ctx({ inferDepartment: false }));
    expect(out[0].record.cate1).toBe('未分类');
  });
});

describe('validate: schema, batching, determinism', () => {
  it('rejects a record that does not match the CMtMedQA schema and goes on with the rest', async () => {
    const bad = envelope('s1', { instruction: '湿疹', output: '' });
    const good = envelope('s2', { instruction: '湿疹', output: '保湿' });
    const { out, rejects } = await validate([bad, good], ctx());
    expect(rejects.map((r) => r.reason)).toEqual(['validate.schema']);
    expect(rejects[0].detail).toContain('output');
    expect(out.map((r) => r.record.id)).toEqual(['s2']);
  });

  it('checks only the schema when no graph is configured', async () => {
    const env = envelope('s3', { instruction: '你好', output: '您好' });
    const { out } = await validate([env], ctx({}, null));
    expect(out).toEqual([env]);
  });

  it('passes records through untouched when disabled', async () => {
    const env = envelope('s4', { instruction: '湿疹', output: '' });
    expect(await validate([env], ctx({ enabled: false }))).toEqual({ out: [env], rejects: [] });
  });

  it('asks the graph once per batch, not once per record', async () => {
    const calls: GraphLookup[] = [];
    const counting: GraphPort = Object.assign(Object.create(graph) as GraphPort, {
      lookup: (q: GraphLookup) => {
        calls.push(q);
        return graph.lookup(q);
      },
    });
    const records = Array.from({ length: 5 }, (_, i) => envelope(`b${i}`, { instruction: '孩子百日咳', output: '吃穿心莲内酯片' }, i + 1));
    await validate(records, ctx({ batchSize: 2 }, counting));
    expect(calls).toHaveLength(3);
  });

  it('gives identical output for the same input and graph version', async () => {
    const data = JSON.parse(readFileSync(sharedData('dialogues', 'cmtmedqa', 'CMtMedQA_test.json'), 'utf8')) as Array<Record<string, unknown>>;
    const records: RecordEnvelope[] = data
      .filter((r) => Array.isArray(r.history))
      .slice(0, 200)
      .map((r, i) =>
        envelope(String(r.id), { history: r.history as Array<[string, string]>, instruction: String(r.instruction), output: String(r.output), input: String(r.input ?? '') }, i + 1),
      );
    const a = await validate(records, ctx());
    const b = await validate(records, ctx({ batchSize: 7 }));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.out).toHaveLength(200);
    expect(a.out.filter((r) => (r.annotations.entities ?? []).length > 0).length).toBeGreaterThan(100);
  });
});
