import { describe, expect, it } from '@jest/globals';
import { scrubPii } from '../../../src/stages/normalise/pii.js';

// PII a targeted scan of a whole shared-corpora output found in clear (test/eval/pii-review/README.md,
// 2026-12-04). Every text here is invented; each case mirrors the shape of a real hit.
describe('PII the targeted output scan found in clear', () => {
  it('scrubs a name after a form label when the next label follows it directly (姓名：X性别：男年龄：…)', () => {
    expect(scrubPii('姓名：周明华性别：男年龄：62岁城市：某地')).toBe('姓名：<NAME>性别：男年龄：62岁城市：某地');
    expect(scrubPii('患者姓名：吴丽年龄：30岁')).toBe('患者姓名：<NAME>年龄：30岁');
  });

  it('scrubs a masked name after a label whatever its surname, on the label line or the next (就诊患者： 芦*, 就诊患者：\\n涂*)', () => {
    expect(scrubPii('就诊时间： 2020-04-02 08：30\n就诊患者： 芦*\n就诊地点： 仅医生和患者本人可见')).toBe('就诊时间： 2020-04-02 08：30\n就诊患者：<NAME>\n就诊地点： 仅医生和患者本人可见');
    expect(scrubPii('就诊患者：\n涂*\n就诊地点：\n仅医生和患者本人可见')).toBe('就诊患者：\n<NAME>\n就诊地点：\n仅医生和患者本人可见');
  });

  it('leaves a disease, a sex or a description after 患者： alone', () => {
    for (const t of ['患者：高血压，吃什么药', '患者：高血压年龄：60岁', '患者：女，45岁', '病人：男性', '中重度高血压患者：艾灸会导致体表温度升高', '就诊患者：\n疾病：感冒'])
      expect(scrubPii(t)).toBe(t);
  });

  it('scrubs a street number in Chinese numerals (…街八号, …路十二号) as a street address', () => {
    expect(scrubPii('就诊地址：某某省某市葡萄园街八号，欢迎咨询')).toBe('就诊地址：<ADDRESS>，欢迎咨询');
    expect(scrubPii('住在和平路一百二十号')).toBe('住在<ADDRESS>');
  });

  it('leaves a date after a road and numbers that are no street number alone (在路上，三号复查; 一路走来; 弄三次)', () => {
    for (const t of ['在路上，三号复查', '一路走来三年了', '帮孩子弄三次药', '路过三号楼的时候', '下班路上八点到家'])
      expect(scrubPii(t)).toBe(t);
  });

  it('scrubs the surnames 扬 and 斯 before a title (问问扬医生, 斯主任建议), which the list lacked', () => {
    expect(scrubPii('想问问扬医生，报告说什么')).toBe('想问问<NAME>医生，报告说什么');
    expect(scrubPii('复发后，斯主任建议换药')).toBe('复发后，<NAME>主任建议换药');
    expect(scrubPii('明天能见到斯大夫')).toBe('明天能见到<NAME>大夫');
  });

  it('leaves the words that end in 扬 or 斯 before a title alone (表扬医生, 发扬, 俄罗斯医生)', () => {
    for (const t of ['我要表扬医生的耐心', '赞扬医生的精神', '发扬医生的奉献精神', '俄罗斯医生说', '白俄罗斯专家和突尼斯医生', '达拉斯医生', '波斯医生'])
      expect(scrubPii(t)).toBe(t);
  });
});
