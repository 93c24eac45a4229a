/**
 * Thanks-only and goodbye-only doctor turns the session-16 audit found accepted as records
 * (CMtMedQA, HET-MC): clauses of courtesy the closing-offer list did not know, so the turn was not
 * read as a pleasantry.
 */
import { describe, expect, it } from '@jest/globals';
import type { Dialogue } from '../../../schemas/dialogue.js';
import { split } from '../../../src/stages/split/index.js';
import { courtesyClause, isPleasantry } from '../../../src/stages/split/pleasantry.js';
import { origin, testContext } from '../../support/context.js';

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

// helper-b record review: sign-offs accepted as outputs, in wordings the closing-offer list did not know
describe('more closing wordings read as pleasantry', () => {
  it('reads these sign-offs as pleasantry', () => {
    expect(isPleasantry('非常感谢您的配合。如果您还有其他健康问题，随时欢迎向我咨询。祝您早日康复！')).toBe(true);
    expect(isPleasantry('不客气！如果还有其他关于孩子睡眠的问题，随时可以再次咨询。')).toBe(true);
    expect(isPleasantry('您不用客气。如果在恢复过程中有任何疑惑或需求，请随时在线咨询。')).toBe(true);
    expect(isPleasantry('再见，祝您身体健康！如果有需要，随时欢迎您的咨询。')).toBe(true);
    expect(isPleasantry('谢谢您的祝福，祝您生活愉快！非常欢迎您随时向我们咨询。')).toBe(true);
    expect(isPleasantry('很高兴能够帮到您。我会尽力帮助你解决问题。晚安！')).toBe(true);
  });

  it('still keeps a turn that says something medical among them', () => {
    expect(isPleasantry('如果您还有其他健康问题，先测一下血压。')).toBe(false);
    expect(isPleasantry('随时可以再次复查。')).toBe(false);
    expect(isPleasantry('晚安，睡前别喝浓茶。')).toBe(false);
  });
});

describe('a reply that thanks back is no yes-answer', () => {
  const talk = (rounds: Array<[string, string]>): Dialogue => ({
    id: 'yb',
    origin: origin('yb'),
    turns: rounds.flatMap(([p, d]) => [{ role: 'patient' as const, text: p }, { role: 'doctor' as const, text: d }]),
  });
  const CASE: [string, string] = ['我膝盖疼了一周，上下楼更明显，要拍片吗？', '建议先拍个膝关节X线片，少爬楼梯。'];
  const reasons = (last: [string, string]) => split([talk([CASE, last])], testContext()).rejects.map((r) => r.reason);

  it('a closing round whose patient turn says 是否 and whose courtesy says 可以 ends no record', () => {
    expect(reasons(['好的，我会再想想是否需要做核磁。谢谢医生！', '不客气，如果有其他问题，随时都可以问我。祝您早日康复！'])).toEqual(['split.pleasantry_only']);
    expect(reasons(['那我是否还要继续吃药？谢谢您', '没事，不客气'])).toEqual(['split.pleasantry_only']);
  });

  it('a plain yes to a yes/no question still ends a record', () => {
    expect(reasons(['那我还可以继续吃这个药吗？', '可以的'])).toEqual([]);
    // with thanks on both sides: the yes clause is the answer (the thanks-back veto made these pleasantry_only)
    expect(reasons(['那我可以吃布洛芬吗？谢谢', '可以的，不客气'])).toEqual([]);
    expect(reasons(['孕妇能用这个药膏吗？谢谢您', '可以用，不用谢'])).toEqual([]);
    expect(reasons(['这样是不是就不用担心了？', '是的，没事'])).toEqual([]);
  });
});
