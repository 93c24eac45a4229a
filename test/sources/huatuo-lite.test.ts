/**
 * Huatuo26M-Lite (format_data.jsonl on Hugging Face): one {id, question, answer, score, label,
 * related_diseases} object per line, label the department the question was filed under. All
 * text here is written for these tests.
 */
import { describe, expect, it } from '@jest/globals';
import { importHuatuo } from '../../src/sources/huatuo.js';
import { importText, turnsOf } from './helpers.js';

const lines = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('Huatuo26M-Lite records', () => {
  it('keeps the label as the department and related_diseases as the disease', async () => {
    const text = lines([
      { id: 1, answer: '考虑慢性胃炎，建议胃镜检查，饮食规律。', score: 5, label: '内科', question: '饭后胃胀隐痛是什么原因？', related_diseases: '慢性胃炎' },
      { id: 2, answer: '超过38.5度可口服布洛芬，多喝水。', score: 4, label: '儿科', question: '两岁孩子发烧39度怎么办？', related_diseases: ['小儿发热', '上呼吸道感染'] },
    ]);
    const { dialogues, rejects } = await importText(importHuatuo, text, 'format_data.jsonl');
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => [d.origin.sourceId, d.department, d.disease])).toEqual([
      ['1', '内科', '慢性胃炎'],
      ['2', '儿科', '小儿发热、上呼吸道感染'],
    ]);
    expect(turnsOf(dialogues[0])).toEqual([
      ['patient', '饭后胃胀隐痛是什么原因？'],
      ['doctor', '考虑慢性胃炎，建议胃镜检查，饮食规律。'],
    ]);
  });

  it('reads a label that is no department name (a score, a sentence, an empty string) as no department', async () => {
    const text = lines([
      { id: 3, question: '口腔溃疡怎么办', answer: '补充维生素B2，少吃辛辣。', label: 1 },
      { id: 4, question: '口腔溃疡怎么办', answer: '补充维生素B2，少吃辛辣。', label: '这是一个关于口腔的问题，请参考。' },
      { id: 5, question: '口腔溃疡怎么办', answer: '补充维生素B2，少吃辛辣。', label: ' ', related_diseases: '' },
    ]);
    const { dialogues, rejects } = await importText(importHuatuo, text, 'format_data.jsonl');
    expect(rejects).toEqual([]);
    expect(dialogues.map((d) => [d.origin.sourceId, d.department, d.disease])).toEqual([
      ['3', undefined, undefined],
      ['4', undefined, undefined],
      ['5', undefined, undefined],
    ]);
  });
});
