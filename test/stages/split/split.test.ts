import { describe, expect, it } from '@jest/globals';
import type { Dialogue } from '../../../schemas/dialogue.js';
import { CMtMedQARecord } from '../../../schemas/record.js';
import { split } from '../../../src/stages/split/index.js';
import { isInquiry } from '../../../src/stages/split/inquiry.js';
import { cateOf } from '../../../src/stages/split/taxonomy.js';
import { origin, testContext } from '../../support/context.js';

function dialogue(roles: string, extra: Partial<Dialogue> = {}): Dialogue {
  const turns = [...roles].map((c, i) => ({ role: c === 'p' ? ('patient' as const) : ('doctor' as const), text: `${c === 'p' ? '患者' : '医生'}第${i}句` }));
  return { id: `dlg-${roles}`, origin: origin(roles), turns, ...extra };
}

describe('split stage', () => {
  it('makes one CMtMedQA record per dialogue: last round is instruction/output, earlier rounds are history', () => {
    const { out, rejects } = split([dialogue('pdpdpd', { department: '眼科' })], testContext());
    expect(rejects).toHaveLength(0);
    expect(out).toHaveLength(1);
    const r = out[0].record;
    expect(CMtMedQARecord.parse(r)).toEqual(r);
    expect(r).toMatchObject({ cate1: '五官科', cate2: '眼科', instruction: '患者第4句', input: '', output: '医生第5句' });
    expect(r.history).toEqual([['患者第0句', '医生第1句'], ['患者第2句', '医生第3句']]);
  });

  it('windows long dialogues by rounds, each window starting with a patient turn and ending with a doctor turn', () => {
    const { out } = split([dialogue('pd'.repeat(7))], testContext({ split: { maxRounds: 3 } }));
    expect(out.map((e) => e.record.history.length + 1)).toEqual([3, 3, 1]);
    expect(out[1].record.history[0][0]).toBe('患者第6句');
    expect(new Set(out.map((e) => e.record.id)).size).toBe(3);
    expect(out.map((e) => e.origin.window)).toEqual([0, 1, 2]);
  });

  it('windows by the character budget too', () => {
    // each round is 10 characters: a 25-character budget fits two rounds, a 15-character one only one
    expect(split([dialogue('pdpdpd')], testContext({ split: { maxChars: 25 } })).out.map((e) => e.record.history.length)).toEqual([1, 0]);
    expect(split([dialogue('pdpdpd')], testContext({ split: { maxChars: 15 } })).out).toHaveLength(3);
  });

  it('emits one record per doctor answer in every_answer mode', () => {
    const { out } = split([dialogue('pdpdpd')], testContext({ split: { windows: 'every_answer' } }));
    expect(out.map((e) => e.record.history.length)).toEqual([0, 1, 2]);
  });

  it('drops doctor turns before the first patient turn and an unanswered last patient turn', () => {
    const { out } = split([dialogue('dpdp')], testContext());
    expect(out).toHaveLength(1);
    expect(out[0].record).toMatchObject({ instruction: '患者第1句', output: '医生第2句', history: [] });
  });

  it('rejects a dialogue without a doctor answer as split.no_doctor_turn', () => {
    const { out, rejects } = split([dialogue('pp')], testContext());
    expect(out).toHaveLength(0);
    expect(rejects[0]).toMatchObject({ stage: 'split', reason: 'split.no_doctor_turn', dialogueId: 'dlg-pp' });
  });

  it('rejects a doctor-only dialogue as split.no_patient_turn', () => {
    expect(split([dialogue('dd')], testContext()).rejects[0].reason).toBe('split.no_patient_turn');
  });

  it('rejects dialogues below minRounds as split.too_short', () => {
    expect(split([dialogue('pd')], testContext({ split: { minRounds: 2 } })).rejects[0].reason).toBe('split.too_short');
  });

  it('uses the pipeline default category when the source has no department', () => {
    const { out } = split([dialogue('pd')], testContext({ split: { defaultCate1: '待定', defaultCate2: '待定2' } }));
    expect(out[0].record).toMatchObject({ cate1: '待定', cate2: '待定2' });
  });

  it('keeps a source-provided cate1/cate2 pair as is', () => {
    const { out } = split([dialogue('pd', { cate1: '皮肤科', cate2: '过敏', department: '眼科' })], testContext());
    expect(out[0].record).toMatchObject({ cate1: '皮肤科', cate2: '过敏' });
  });

  it('tags doctor turns that ask the patient something', () => {
    const d: Dialogue = {
      id: 'q', origin: origin('q'), turns: [
        { role: 'patient', text: '我咳嗽' }, { role: 'doctor', text: '咳嗽多久了？有没有发烧？' },
        { role: 'patient', text: '一周' }, { role: 'doctor', text: '建议查血常规。' },
      ],
    };
    const { out } = split([d], testContext());
    expect(out[0].annotations).toEqual({ inquiryTurns: [0], outputIsInquiry: false });
  });

  it('gives the same record ids on every run', () => {
    const a = split([dialogue('pdpd')], testContext()).out[0].record.id;
    const b = split([dialogue('pdpd')], testContext()).out[0].record.id;
    expect(a).toBe(b);
    expect(a).toMatch(/^cmt-[0-9a-f]{20}$/);
  });
});

describe('proactive inquiry', () => {
  it.each([
    ['这种情况持续多久了？', true],
    ['请描述一下具体症状', true],
    ['您好，孩子几岁了', true],
    ['建议多喝水，注意休息。', false],
    ['还有什么问题吗？', false],
  ])('%s → %s', (text, expected) => {
    expect(isInquiry(text)).toBe(expected);
  });
});

describe('department taxonomy', () => {
  it('maps source departments onto CMtMedQA pairs', () => {
    expect(cateOf('心血管科')).toEqual({ cate1: '内科', cate2: '心血管内科' });
    expect(cateOf('浙江省中山医院 中医科')).toEqual({ cate1: '中医科', cate2: '中医科' });
    expect(cateOf('骨科')).toEqual({ cate1: '外科', cate2: '骨科' });
    expect(cateOf('不存在的科室')).toBeUndefined();
  });
});
