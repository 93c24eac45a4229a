/**
 * Thanks-only and goodbye-only doctor turns the session-16 audit found accepted as records
 * (CMtMedQA, HET-MC): clauses of courtesy the closing-offer list did not know, so the turn was not
 * read as a pleasantry.
 */
import { describe, expect, it } from '@jest/globals';
import { courtesyClause, isPleasantry } from '../../../src/stages/split/pleasantry.js';

describe('closing turns read as pleasantry', () => {
  it('reads a thanks-only or goodbye-only doctor turn as a pleasantry', () => {
    expect(isPleasantry('非常好，希望复查和治疗都能对您的胃痛有所帮助。如果在治疗中有任何问题，随时向我咨询。祝您早日康复！')).toBe(true);
    expect(isPleasantry('非常欢迎。如果您还有其他问题，随时向我咨询。希望您的症状能够得到有效控制，祝您早日康复。')).toBe(true);
    expect(isPleasantry('再见！祝您一切顺利！如果有任何新的问题，欢迎随时向我咨询！祝您度过愉快的一天！')).toBe(true);
    expect(isPleasantry('非常好，我很高兴能为您提供帮助。如果有任何进展或新的问题，请随时联系。祝您早日恢复健康！')).toBe(true);
    expect(courtesyClause('您的满意是我们工作的最大动力')).toBe(true);
    // a wish that runs on to what it wishes for (session-18 audit)
    expect(isPleasantry('非常好！如果您有其他问题，随时都可以向我咨询。祝您早日祛除雀斑，拥有美丽的肌肤！')).toBe(true);
    expect(isPleasantry('祝宝宝健康成长！')).toBe(true);
  });

  it('keeps a turn that advises or asks among the courtesy', () => {
    expect(isPleasantry('不客气，如果有任何新的问题，先停药观察。')).toBe(false);
    expect(isPleasantry('希望您的症状能够得到控制，记得每天测血压。')).toBe(false);
    expect(isPleasantry('祝您早日康复，注意多喝水。')).toBe(false);
    expect(courtesyClause('希望你控制饮食')).toBe(false);
    expect(courtesyClause('希望这个药对你的胃有帮助吗')).toBe(false);
    expect(courtesyClause('您的血压是我们最担心的')).toBe(false);
  });
});
