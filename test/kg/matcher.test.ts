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
  ]);

  it('takes the longest known term at the leftmost position, never a term inside it', () => {
    expect(spans(m, '是病毒性感冒引起的偏头痛')).toEqual(['病毒性感冒@1:Disease:病毒性感冒', '偏头痛@9:Disease:偏头痛']);
    expect(spans(m, '感冒了，头痛')).toEqual(['感冒@0:Disease:感冒', '头痛@4:Symptom:头痛']);
    expect(spans(m, '吃阿莫西林胶囊')).toEqual(['阿莫西林胶囊@1:Drug:阿莫西林胶囊']);
  });

  it('keeps scanning after an overlap so a later term is still found (甲乙丙 then 丁戊己, not 乙丙丁戊己)', () => {
    expect(spans(m, '，甲乙丙丁戊己，')).toEqual(['甲乙丙@1:Check:甲乙丙', '丁戊己@4:Check:丁戊己']);
  });

  it('gives a surface that names several types the Disease reading first', () => {
    const hit = m.find('一直腹泻')[0];
    expect(hit.entries.map((e) => e.type)).toEqual(['Disease', 'Symptom']);
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
      '穿心莲内酯片@10:Drug:穿心莲内酯片',
    ]);
  });
});
