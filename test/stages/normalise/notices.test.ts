import { describe, expect, it } from '@jest/globals';
import { normaliseOne } from '../../../src/stages/normalise/index.js';
import { raw, testContext } from '../../support/context.js';

const chunyuPage = { format: 'scrape' as const, file: 'blobs/ab/ab', sourceId: 'fxN', position: 1, url: 'https://www.chunyuyisheng.com/pc/qa/fxN/' };

describe('chunyu platform notices in normalise', () => {
  it('"医生更新了总结建议" is boilerplate: a turn of only the notice is dropped, the summary the doctor wrote after it stays, hits are counted', () => {
    const counts: Record<string, number> = {};
    const d = normaliseOne(
      raw(
        [
          ['患者', '嗓子疼三天了，有点低烧。'],
          ['医生', '扁桃体有白点吗？'],
          ['患者', '右边有几个。'],
          ['医生', '医生更新了总结建议'],
          ['医生', '针对本次问诊，医生更新了总结建议：考虑化脓性扁桃体炎，建议查血常规。'],
        ],
        { origin: chunyuPage },
      ),
      testContext(),
      counts,
    );
    if (!('turns' in d)) throw new Error(d.detail);
    expect(d.turns).toEqual([
      { role: 'patient', text: '嗓子疼三天了，有点低烧。' },
      { role: 'doctor', text: '扁桃体有白点吗？' },
      { role: 'patient', text: '右边有几个。' },
      { role: 'doctor', text: '考虑化脓性扁桃体炎，建议查血常规。' },
    ]);
    expect(counts['template.chunyu.summary_updated']).toBe(2);
    expect(counts.turns_emptied_by_template).toBe(1);
  });

  it('applies to the HET-MC and MIE dumps of chunyu too, and to no other source', () => {
    const turns: Array<[string, string]> = [['患者', '头晕。'], ['医生', '针对本次问诊，医生更新了总结建议：测一下血压。']];
    const hetmc = normaliseOne(raw(turns), testContext());
    expect('turns' in hetmc && hetmc.turns[1].text).toBe('测一下血压。');
    const med = normaliseOne(raw(turns, { origin: { format: 'meddialog', file: 'x.txt', sourceId: '1', position: 1 } }), testContext());
    expect('turns' in med && med.turns[1].text).toBe('针对本次问诊，医生更新了总结建议：测一下血压。');
  });
});
