import { describe, it, expect } from '@jest/globals';
import { Matcher, matcherFor } from '../../src/kg/matcher.js';
import { MemoryGraph } from '../../src/kg/memory.js';
import type { LexiconEntry } from '../../src/kg/port.js';
import { foldTerm } from '../../src/kg/fold.js';
import { importFixture } from './contract.js';

const entry = (name: string, type: LexiconEntry['type'], surface = name): LexiconEntry => ({ term: foldTerm(surface), name, type });

function spans(m: Matcher, text: string): string[] {
  return m.find(text).map((h) => `${text.slice(h.start, h.end)}@${h.start}:${h.entries[0].type}:${h.entries[0].name}`);
}

describe('the entity matcher', () => {
  const m = Matcher.build([
    entry('感冒', 'Disease'),
    entry('病毒性感冒', 'Disease'),
    entry('头痛', 'Symptom'),
    entry('偏头痛', 'Disease'),
    entry('腹泻', 'Symptom'),
    entry('腹泻', 'Disease'),
    entry('CT检查', 'Check'),
    entry('CT', 'Check'),
    entry('阿莫西林胶囊', 'Drug'),
    entry('阿莫西林', 'Drug'),
    entry('梨', 'Food'),
    entry('甲乙丙', 'Check'),
    entry('乙丙丁戊己', 'Check'),
    entry('丁戊己', 'Check'),
  ], { boundaries: false });

  it('takes the longest known term at the leftmost position, never a term inside it', () => {
    expect(spans(m, '是病毒性感冒引起的偏头痛')).toEqual(['病毒性感冒@1:Disease:病毒性感冒', '偏头痛@9:Disease:偏头痛']);
    expect(spans(m, '感冒了，头痛')).toEqual(['感冒@0:Disease:感冒', '头痛@4:Symptom:头痛']);
    expect(spans(m, '吃阿莫西林胶囊')).toEqual(['阿莫西林胶囊@1:Drug:阿莫西林胶囊']);
  });

  it('keeps scanning after an overlap so a later term is still found (甲乙丙 then 丁戊己, not 乙丙丁戊己)', () => {
    expect(spans(m, '，甲乙丙丁戊己，')).toEqual(['甲乙丙@1:Check:甲乙丙', '丁戊己@4:Check:丁戊己']);
  });

  it('gives a name that is both a symptom and a disease the Symptom reading first, keeping both', () => {
    const hit = m.find('一直腹泻')[0];
    expect(hit.entries.map((e) => e.type)).toEqual(['Symptom', 'Disease']);
  });

  it('types a symptom-and-disease name by its form: named as a disease it is a Disease, keeping both', () => {
    const both = (name: string) => [entry(name, 'Symptom'), entry(name, 'Disease')];
    const b = Matcher.build([...both('咳嗽'), ...both('肺炎'), ...both('高血压'), ...both('细菌感染'), ...both('失眠')], { boundaries: false });
    const types = (t: string) => b.find(t).map((h) => `${t.slice(h.start, h.end)}:${h.entries.map((e) => e.type).join('/')}`);
    expect(types('咳嗽，肺炎')).toEqual(['咳嗽:Symptom/Disease', '肺炎:Disease/Symptom']);
    expect(types('高血压，细菌感染，失眠')).toEqual(['高血压:Disease/Symptom', '细菌感染:Disease/Symptom', '失眠:Symptom/Disease']);
  });

  it('folds full-width and case, and does not cut Latin words', () => {
    expect(spans(m, '做了ｃｔ检查')).toEqual(['ｃｔ检查@2:Check:CT检查']);
    expect(spans(m, '做个ct吧')).toEqual(['ct@2:Check:CT']);
    expect(spans(m, 'FACT sheet')).toEqual([]);
  });

  it('ignores one-character terms', () => {
    expect(m.find('多吃梨')).toEqual([]);
  });

  it('reports UTF-16 offsets, astral characters included', () => {
    const text = '𠀀感冒';
    const [h] = m.find(text);
    expect([h.start, h.end, text.slice(h.start, h.end)]).toEqual([2, 4, '感冒']);
  });

  it('is built once per graph version and reused', async () => {
    const imported = await importFixture();
    const g1 = new MemoryGraph(imported.graph, imported.version);
    const g2 = new MemoryGraph(imported.graph, imported.version);
    const a = await matcherFor(g1);
    expect(await matcherFor(g2)).toBe(a);
    expect(a.terms).toBeGreaterThan(imported.graph.nodes.length);
    expect(spans(a, '孩子得了百日咳，吃了穿心莲内酯片')).toEqual([
      '百日咳@4:Disease:百日咳',
      '穿心莲内酯片@10:Drug:穿心莲内酯',
    ]);
  });
});

describe('word boundaries (jieba)', () => {
  const m = Matcher.build(
    ['热咳', '性病', '多饮', '高热', '低血压', '肝病', '发热', '咳嗽', '胃炎', '头晕', '血压', '阿莫西林', '阿莫西林胶囊', '心衰', '病毒', '胸闷', '气短', '胸闷气短', '恶心', '呕吐'].map((n) => entry(n, 'Symptom')),
  );
  const surfaces = (text: string) => m.find(text).map((h) => text.slice(h.start, h.end));

  it('does not match a term that cuts a word: 热咳 in 发热咳嗽, 性病 in 炎性病变, 多饮 in 多饮水, 高热 in 高热量, 低血压 in 降低血压, 肝病 in 丙肝病毒', () => {
    expect(surfaces('发热咳嗽三天')).toEqual(['发热', '咳嗽']);
    expect(surfaces('考虑炎性病变')).toEqual([]);
    expect(surfaces('多饮水多休息')).toEqual([]);
    expect(surfaces('不要吃高热量食物')).toEqual([]);
    expect(surfaces('这个药可以降低血压')).toEqual(['血压']);
    expect(surfaces('丙肝病毒阳性')).not.toContain('肝病');
  });

  it('still matches the same terms where they are words', () => {
    expect(surfaces('性病')).toEqual(['性病']);
    expect(surfaces('多饮多尿')).toEqual(['多饮']);
    expect(surfaces('高热不退')).toEqual(['高热']);
    expect(surfaces('体位性低血压')).toContain('低血压');
    expect(surfaces('我有点头晕')).toEqual(['头晕']);
    expect(surfaces('慢性胃炎')).toEqual(['胃炎']);
    expect(surfaces('阿莫西林胶囊一天三次')).toEqual(['阿莫西林胶囊']);
  });

  it('does not take advice for a symptom, but keeps a negated symptom', () => {
    const adv = Matcher.build([entry('紧张', 'Symptom'), entry('发热', 'Symptom')]);
    expect(adv.find('别紧张，不要紧张')).toEqual([]);
    expect(adv.find('没有发热').map((h) => h.start)).toEqual([2]);
  });

  it('accepts a hit whose word is completed by another term, a disease suffix or a governing verb, and nothing else', () => {
    const w = Matcher.build([
      entry('蔬菜', 'Food'), entry('水果', 'Food'), entry('痛风', 'Disease'), entry('糖尿病', 'Disease'), entry('恶心', 'Symptom'),
      entry('血常规', 'Check'), entry('乙肝', 'Disease'), entry('多饮', 'Symptom'), entry('高热', 'Symptom'), entry('肝病', 'Disease'),
    ]);
    const s = (t: string) => w.find(t).map((h) => t.slice(h.start, h.end));
    expect(s('多吃蔬菜水果')).toEqual(['蔬菜', '水果']);
    expect(s('治疗痛风病的关键')).toEqual(['痛风']);
    expect(s('糖尿病人能吃什么')).toEqual(['糖尿病']);
    expect(s('有恶心感')).toEqual(['恶心']);
    expect(s('常规验血常规')).toEqual(['血常规']);
    expect(s('乙肝病毒阳性')).toEqual(['乙肝']);
    // Not a suffix, verb or term: still cut.
    expect(s('多饮水')).toEqual([]);
    expect(s('高热量')).toEqual([]);
    expect(s('丙肝病毒')).toEqual([]);
  });

  it('finds a symptom or disease phrase with a degree or frequency word inside it, and only those', () => {
    const a = Matcher.build([entry('胸闷', 'Symptom'), entry('心跳快', 'Symptom'), entry('头痛', 'Symptom'), entry('血常规', 'Check')]);
    const s = (t: string) => a.find(t).map((h) => `${t.slice(h.start, h.end)}:${h.entries[0].name}`);
    expect(s('胸有点闷')).toEqual(['胸有点闷:胸闷']);
    expect(s('感觉心跳的比较快')).toEqual(['心跳的比较快:心跳快']);
    expect(s('头也痛')).toEqual(['头也痛:头痛']);
    expect(s('头也老痛')).toEqual(['头也老痛:头痛']);
    expect(s('血很常规')).toEqual([]);
    expect(s('胸口不闷')).toEqual([]);
  });

  it('matches a one-character term only when it names Symptoms only and jieba makes it a word', () => {
    const one = Matcher.build([entry('咳嗽', 'Symptom', '咳'), entry('咳嗽', 'Symptom'), entry('梨', 'Food'), entry('干', 'Food')]);
    const s = (t: string) => one.find(t).map((h) => `${t.slice(h.start, h.end)}:${h.entries[0].name}`);
    expect(s('一咳就个把月')).toEqual(['咳:咳嗽']);
    expect(s('咳嗽两天')).toEqual(['咳嗽:咳嗽']);
    expect(s('咳血')).toEqual([]);
    expect(s('多吃梨，嘴很干')).toEqual([]);
  });

  it('reports a compound of symptoms as its parts', () => {
    expect(m.find('胸闷气短两天').map((h) => `${h.start}-${h.end}`)).toEqual(['0-2', '2-4']);
    expect(surfaces('恶心呕吐')).toEqual(['恶心', '呕吐']);
  });
});

describe('the matcher memo (text → hits)', () => {
  const lexicon = [entry('感冒', 'Disease'), entry('头痛', 'Symptom'), entry('阿莫西林', 'Drug'), entry('CT', 'Check')];
  const texts = ['感冒了，头痛', '吃阿莫西林', '做个CT吧', '没有头痛也没有感冒', '好的，谢谢'];

  it('gives the same hits as a fresh matcher, also after tens of thousands of other texts have pushed it out', () => {
    const m = Matcher.build(lexicon, { boundaries: false });
    const first = texts.map((t) => m.find(t).map((h) => ({ ...h })));
    // More distinct texts than both generations hold together, most of them with a hit.
    for (let i = 0; i < 70_000; i++) m.find(`第${i}天头痛`);
    for (let k = 0; k < texts.length; k++) {
      const fresh = Matcher.build(lexicon, { boundaries: false }).find(texts[k]).map((h) => ({ ...h }));
      expect(m.find(texts[k]).map((h) => ({ ...h }))).toEqual(fresh);
      expect(first[k]).toEqual(fresh);
    }
    for (const t of ['第69999天头痛', '第3天头痛']) expect(m.find(t).map((h) => [h.start, h.end])).toEqual([[t.indexOf('头痛'), t.indexOf('头痛') + 2]]);
  });

  it('with memo off (throughput benches) scans every call and gives the same hits', () => {
    const on = Matcher.build(lexicon, { boundaries: false });
    const off = Matcher.build(lexicon, { boundaries: false, memo: false });
    for (const t of texts) {
      expect(off.find(t).map((h) => ({ ...h }))).toEqual(on.find(t).map((h) => ({ ...h })));
      // The memo answers a repeat with the very same array; without it each call builds its own.
      expect(on.find(t)).toBe(on.find(t));
      expect(off.find(t)).not.toBe(off.find(t));
    }
  });

  it('returns frozen results, so a caller cannot change what a later call on the same text sees', () => {
    const m = Matcher.build(lexicon, { boundaries: false });
    const hits = m.find('感冒了，头痛');
    expect(Object.isFrozen(hits)).toBe(true);
    expect(() => (hits as unknown as unknown[]).push({})).toThrow(TypeError);
    expect(() => {
      (hits[0] as { start: number }).start = 5;
    }).toThrow(TypeError);
    expect(m.find('感冒了，头痛').map((h) => [h.start, h.end])).toEqual([[0, 2], [4, 6]]);
  });
});
