import { describe, expect, it } from '@jest/globals';
import { scrubPii } from '../../../src/stages/normalise/pii.js';

describe('PII scrubbing of surnames that are also verbs (audit)', () => {
  it('keeps 祝/谢/劳 used as verbs before a title: 祝医生工作顺利 (CMtMedQA test set), 谢医生的耐心解答', () => {
    expect(scrubPii('祝医生工作顺利')).toBe('祝医生工作顺利');
    expect(scrubPii('谢医生的耐心解答！祝医生工作顺利！')).toBe('谢医生的耐心解答！祝医生工作顺利！');
    expect(scrubPii('非常感谢您的耐心解答，祝医生身体健康')).toBe('非常感谢您的耐心解答，祝医生身体健康');
    expect(scrubPii('最后祝大夫新年快乐，也谢医生了')).toBe('最后祝大夫新年快乐，也谢医生了');
    expect(scrubPii('劳医生费心了')).toBe('劳医生费心了');
  });

  it('still scrubs these surnames as names after an introducer or when addressed, and full names', () => {
    expect(scrubPii('我挂了谢医生的号')).toBe('我挂了<NAME>医生的号');
    expect(scrubPii('主治医生是祝主任')).toBe('主治医生是<NAME>主任');
    expect(scrubPii('谢医生，您好，我想咨询一下')).toBe('<NAME>医生，您好，我想咨询一下');
    expect(scrubPii('祝医生您好')).toBe('<NAME>医生您好');
    expect(scrubPii('谢晓明医生说没事')).toBe('<NAME>医生说没事');
    expect(scrubPii('谢某某医生说没事')).toBe('<NAME>医生说没事');
  });

  it('scrubs the name after a verb surname, not the verb: 祝王医生工作顺利, 祝张三医生, 谢谢李主任', () => {
    expect(scrubPii('祝王医生工作顺利')).toBe('祝<NAME>医生工作顺利');
    expect(scrubPii('祝张三医生工作顺利')).toBe('祝<NAME>医生工作顺利');
    expect(scrubPii('谢谢李主任，王大夫也说张医生很好')).toBe('谢谢<NAME>主任，<NAME>大夫也说<NAME>医生很好');
  });
});
