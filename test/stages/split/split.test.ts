import { describe, expect, it } from '@jest/globals';
import type { Dialogue } from '../../../schemas/dialogue.js';
import { CMtMedQARecord } from '../../../schemas/record.js';
import { split } from '../../../src/stages/split/index.js';
import { isInquiry } from '../../../src/stages/split/inquiry.js';
import { isClosingRound, isPleasantry, meaningfulChars } from '../../../src/stages/split/pleasantry.js';
import { cateOf } from '../../../src/stages/split/taxonomy.js';
import { origin, testContext } from '../../support/context.js';

function dialogue(roles: string, extra: Partial<Dialogue> = {}): Dialogue {
  const turns = [...roles].map((c, i) => ({ role: c === 'p' ? ('patient' as const) : ('doctor' as const), text: `${c === 'p' ? '患者' : '医生'}说第${i}句话` }));
  return { id: `dlg-${roles}`, origin: origin(roles), turns, ...extra };
}

describe('split stage', () => {
  it('makes one CMtMedQA record per dialogue: last round is instruction/output, earlier rounds are history', () => {
    const { out, rejects } = split([dialogue('pdpdpd', { department: '眼科' })], testContext());
    expect(rejects).toHaveLength(0);
    expect(out).toHaveLength(1);
    const r = out[0].record;
    expect(CMtMedQARecord.parse(r)).toEqual(r);
    expect(r).toMatchObject({ cate1: '五官科', cate2: '眼科', instruction: '患者说第4句话', input: '', output: '医生说第5句话' });
    expect(r.history).toEqual([['患者说第0句话', '医生说第1句话'], ['患者说第2句话', '医生说第3句话']]);
  });

  it('windows long dialogues by rounds, each window starting with a patient turn and ending with a doctor turn', () => {
    const { out } = split([dialogue('pd'.repeat(7))], testContext({ split: { maxRounds: 3, carryDescription: false } }));
    expect(out.map((e) => e.record.history.length + 1)).toEqual([3, 3, 1]);
    expect(out[1].record.history[0][0]).toBe('患者说第6句话');
    expect(new Set(out.map((e) => e.record.id)).size).toBe(3);
    expect(out.map((e) => e.origin.window)).toEqual([0, 1, 2]);
  });

  it('windows by the character budget too', () => {
    // each round is 14 characters: a 30-character budget fits two rounds, a 20-character one only one
    // (continuation windows carry round 0 only when it takes at most half the budget: not here)
    expect(split([dialogue('pdpdpd')], testContext({ split: { maxChars: 30, carryDescription: false } })).out.map((e) => e.record.history.length)).toEqual([1, 0]);
    expect(split([dialogue('pdpdpd')], testContext({ split: { maxChars: 20 } })).out).toHaveLength(3);
  });

  it('emits one record per doctor answer in every_answer mode', () => {
    const { out } = split([dialogue('pdpdpd')], testContext({ split: { windows: 'every_answer' } }));
    expect(out.map((e) => e.record.history.length)).toEqual([0, 1, 2]);
    expect(out[2].record.history[0][0]).toBe('患者说第0句话');
  });

  it('drops doctor turns before the first patient turn and an unanswered last patient turn', () => {
    const { out } = split([dialogue('dpdp')], testContext());
    expect(out).toHaveLength(1);
    expect(out[0].record).toMatchObject({ instruction: '患者说第1句话', output: '医生说第2句话', history: [] });
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

  it('keeps a source-provided cate1/cate2 pair, through the taxonomy (cate1 皮肤科 is 皮肤性病科)', () => {
    const { out } = split([dialogue('pd', { cate1: '皮肤科', cate2: '过敏', department: '眼科' })], testContext());
    expect(out[0].record).toMatchObject({ cate1: '皮肤性病科', cate2: '过敏' });
  });

  it('tags doctor turns that ask the patient something', () => {
    const d: Dialogue = {
      id: 'q', origin: origin('q'), turns: [
        { role: 'patient', text: '我咳嗽' }, { role: 'doctor', text: '咳嗽多久了？有没有发烧？' },
        { role: 'patient', text: '大概一周了' }, { role: 'doctor', text: '建议先查一个血常规。' },
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

/** A dialogue from (patient, doctor) rounds written for these tests. */
function talk(id: string, rounds: Array<[string, string]>, extra: Partial<Dialogue> = {}): Dialogue {
  return { id, origin: origin(id), turns: rounds.flatMap(([p, d]) => [{ role: 'patient' as const, text: p }, { role: 'doctor' as const, text: d }]), ...extra };
}
const CASE: [string, string] = ['我咳嗽三天了，晚上更厉害，需要吃药吗？', '建议多喝温水，先观察体温，如果发烧就去医院查血常规。'];
const MORE: [string, string] = ['那咳嗽药可以吃哪一种比较好？', '可以先用止咳糖浆，三天不好转再来复诊。'];
const THANKS: [string, string] = ['好的，谢谢医生', '不客气，祝您早日康复！'];

describe('records worth training on', () => {
  it('does not make a record of a final round that is only thanks: the record ends at the last informative answer, the rest is a split.pleasantry_only reject', () => {
    const { out, rejects } = split([talk('t1', [CASE, MORE, THANKS])], testContext());
    expect(out).toHaveLength(1);
    expect(out[0].record).toMatchObject({ instruction: MORE[0], output: MORE[1], history: [CASE] });
    expect(rejects.map((r) => [r.reason, (r.evidence as { rounds: Array<{ round: number }> }).rounds.map((x) => x.round)])).toEqual([['split.pleasantry_only', [2]]]);
  });

  it('rejects a dialogue made only of pleasantries as split.pleasantry_only', () => {
    const { out, rejects } = split([talk('t2', [['嗯嗯', '好的'], THANKS])], testContext());
    expect(out).toHaveLength(0);
    expect(rejects[0]).toMatchObject({ stage: 'split', reason: 'split.pleasantry_only', dialogueId: 't2' });
  });

  it('folds a pleasantry round inside a long dialogue into the next record as context instead of ending a window on it', () => {
    const { out, rejects } = split([talk('t3', [CASE, THANKS, MORE])], testContext({ split: { maxRounds: 2, carryDescription: false } }));
    expect(rejects).toHaveLength(0);
    expect(out.map((e) => e.record.output)).toEqual([CASE[1], MORE[1]]);
    expect(out[1].record.history).toEqual([THANKS]);
  });

  it('keeps pleasantry rounds as records with split.pleasantryOnly: keep', () => {
    const { out } = split([talk('t4', [CASE, THANKS])], testContext({ split: { pleasantryOnly: 'keep' } }));
    expect(out[0].record.output).toBe(THANKS[1]);
  });

  it('needs split.minOutputChars meaningful characters in an output, else split.thin_output', () => {
    const { out, rejects } = split([talk('t5', [['我最近总是头晕是怎么回事', '血压高']])], testContext({ split: { shortAnswers: false } }));
    expect(out).toHaveLength(0);
    expect(rejects[0].reason).toBe('split.thin_output');
    expect(split([talk('t5', [['我最近总是头晕是怎么回事', '血压高']])], testContext({ split: { minOutputChars: 3, shortAnswers: false } })).out).toHaveLength(1);
    // an answer to no question stays thin with the default split.shortAnswers
    const told = split([talk('t5b', [['我最近总是头晕，早上起来更明显', '血压高']])], testContext());
    expect(told.rejects.map((r) => r.reason)).toEqual(['split.thin_output']);
  });

  it('ends a record on a short answer to the patient\'s question (split.shortAnswers): a duration, a drug name, a yes to a yes/no question', () => {
    const ends = (rounds: Array<[string, string]>) => {
      const { out, rejects } = split([talk('sa', rounds)], testContext());
      return { outputs: out.map((e) => e.record.output), reasons: rejects.map((r) => r.reason) };
    };
    expect(ends([['我最近总是头晕是怎么回事', '血压高']])).toEqual({ outputs: ['血压高'], reasons: [] });
    expect(ends([CASE, ['电子体温计夹在腋下要测几分钟呢', '三分钟以上']])).toEqual({ outputs: ['三分钟以上'], reasons: [] });
    expect(ends([CASE, ['这种情况推荐用什么药', '头孢克肟']])).toEqual({ outputs: ['头孢克肟'], reasons: [] });
    expect(ends([CASE, ['这样是不是就可以排除肺炎了吗', '是的\n不用担心']])).toEqual({ outputs: ['是的\n不用担心'], reasons: [] });
    expect(ends([CASE, ['哺乳期也可以喝这个糖浆？', '可以的。']])).toEqual({ outputs: ['可以的。'], reasons: [] });
    // pure pleasantries, a yes to a question word, presence and "don't know" still end no record
    expect(ends([CASE, ['好的，谢谢医生', '不客气']]).reasons).toEqual(['split.pleasantry_only']);
    expect(ends([CASE, ['还有别的要注意的吗？', '好的']]).reasons).toEqual(['split.pleasantry_only']);
    expect(ends([CASE, ['这个药吃多久？', '是的']]).reasons).toEqual(['split.pleasantry_only']);
    expect(ends([CASE, ['医生，在吗', '在的']]).reasons).toEqual(['split.thin_output']);
    expect(ends([CASE, ['核酸检测怎么收费', '这个不清楚']]).reasons).toEqual(['split.thin_output']);
    expect(ends([CASE, ['需要复查吗', '好']]).reasons).toEqual(['split.pleasantry_only']);
    expect(ends([CASE, ['一天要喝几次？', 'D> 您好']]).reasons).toEqual(['split.thin_output']);
    expect(ends([CASE, ['胃炎要做哪些辅助检查？', '辅助检查']]).reasons).toEqual(['split.thin_output']);
    // a lone extracted Q/A has no dialogue to carry a short answer
    const lone = split([talk('sa1', [['胃炎的推荐药有些什么？', '奥美拉唑']], { singleTurn: true })], testContext());
    expect(lone.rejects.map((r) => r.reason)).toEqual(['split.thin_output']);
    // off: as before
    const off = split([talk('sa', [CASE, ['这种情况推荐用什么药', '头孢克肟']])], testContext({ split: { shortAnswers: false } }));
    expect(off.rejects.map((r) => r.reason)).toEqual(['split.thin_output']);
  });

  it('ends a record on a short acknowledgement answered substantively in a later round (split.contextualInstructions)', () => {
    const ACK: [string, string] = ['好的', '那就先吃药观察三天，不好再来复诊。'];
    const { out, rejects } = split([talk('c1', [CASE, ACK])], testContext());
    expect(rejects).toEqual([]);
    expect(out.map((e) => [e.record.history, e.record.instruction, e.record.output])).toEqual([[[CASE], ACK[0], ACK[1]]]);
    // a first round has no context: a short turn there still ends no record
    expect(split([talk('c2', [ACK])], testContext()).rejects.map((r) => r.reason)).toEqual(['split.thin_instruction']);
    // sign-offs, service plugs, mostly-courtesy answers and a lone particle still end no record
    for (const doctor of ['以后有什么心血管方面的问题，尽管咨询啊', '方便的话给我的服务评价一下，也可以点我的头像关注我', '不客气！祝您早日康复，希望对您有帮助，注意休息', '不要担心，祝你健康。']) {
      const { out, rejects } = split([talk('c3', [CASE, ['好的', doctor]])], testContext());
      expect([out.map((e) => e.record.output), rejects.length]).toEqual([[CASE[1]], 1]);
    }
    expect(split([talk('c4', [CASE, ['吗？', ACK[1]]])], testContext()).rejects.map((r) => r.reason)).toEqual(['split.thin_instruction']);
    // off: as before
    expect(split([talk('c1', [CASE, ACK])], testContext({ split: { contextualInstructions: false } })).rejects.map((r) => r.reason)).toEqual(['split.thin_instruction']);
  });

  it('folds an instruction of two characters or fewer ("吗") into context: it ends no record (split.thin_instruction at the tail)', () => {
    const { out, rejects } = split([talk('t6', [CASE, ['吗', '可以的，按说明书服用就行，不要超量。']])], testContext());
    expect(out).toHaveLength(1);
    expect(out[0].record.output).toBe(CASE[1]);
    expect(rejects.map((r) => r.reason)).toEqual(['split.thin_instruction']);
    // inside a dialogue the short turn stays as history of the next record
    const mid = split([talk('t7', [CASE, ['吗', '可以的，按说明书服用就行，不要超量。'], MORE])], testContext());
    expect(mid.out[0].record.history[1]).toEqual(['吗', '可以的，按说明书服用就行，不要超量。']);
  });

  it('ends a record on a short reply to the doctor\'s question, with the question as history (split.inquiryReplies)', () => {
    // 有接触史吗 → 没有 → the doctor's conclusion: the answer after an inquiry, which proactive-inquiry training wants.
    const ASK: [string, string] = ['我发烧两天了，三十八度，嗓子也疼', '有没有接触过发烧的病人？'];
    const CONCLUSION: [string, string] = ['没有', '那考虑普通上呼吸道感染，多喝水，体温超过三十八度五再吃退烧药。'];
    const { out, rejects } = split([talk('r1', [ASK, CONCLUSION])], testContext());
    expect(rejects).toEqual([]);
    expect(out.map((e) => [e.record.history, e.record.instruction, e.record.output])).toEqual([[[ASK], '没有', CONCLUSION[1]]]);
    expect(out[0].annotations.inquiryTurns).toEqual([0]);
    // off: the reply is a thin instruction as before; the record ends at the question, the tail is rejected
    const off = split([talk('r1', [ASK, CONCLUSION])], testContext({ split: { inquiryReplies: false, contextualInstructions: false } }));
    expect(off.out.map((e) => e.record.output)).toEqual([ASK[1]]);
    expect(off.rejects.map((r) => r.reason)).toEqual(['split.thin_instruction']);
    // after an answer that asks nothing, or as a greeting, a short turn still ends no record
    const plain = split([talk('r2', [CASE, ['好吧', '那就先吃药观察三天，不好再来复诊。']])], testContext({ split: { contextualInstructions: false } }));
    expect(plain.out.map((e) => e.record.output)).toEqual([CASE[1]]);
    expect(plain.rejects.map((r) => r.reason)).toEqual(['split.thin_instruction']);
    const hello = split([talk('r3', [ASK, ['您好！', '您好，我看了您的资料，先多喝水，注意休息。']])], testContext({ split: { contextualInstructions: false } }));
    expect(hello.rejects.map((r) => r.reason)).toEqual(['split.thin_instruction']);
  });

  it('never makes a reply the first round of its own record: a window that would start on it takes it as context', () => {
    const ASK: [string, string] = ['孩子咳嗽一周了，晚上咳得厉害', '咳嗽的时候有痰吗？'];
    const REPLY: [string, string] = ['有', '那是支气管炎的可能大，可以先吃化痰药，必要时拍个胸片。'];
    // chunks of 2 rounds: CASE+ASK, then REPLY starts a window: it is MORE's history, and not a record without its question
    const chunks = split([talk('r4', [CASE, ASK, REPLY, MORE])], testContext({ split: { maxRounds: 2, carryDescription: false } }));
    expect(chunks.out.map((e) => [e.record.history.map((h) => h[0]), e.record.instruction])).toEqual([[[CASE[0]], ASK[0]], [['有'], MORE[0]]]);
    expect(chunks.rejects).toEqual([]);
    const tail = split([talk('r4', [CASE, ASK, REPLY, THANKS])], testContext({ split: { maxRounds: 2, carryDescription: false } }));
    expect(tail.out.map((e) => e.record.instruction)).toEqual([ASK[0]]);
    expect(tail.rejects.map((r) => [r.reason, r.evidence])).toEqual([['split.pleasantry_only', { rounds: [{ round: 2, reason: 'split.thin_instruction' }, { round: 3, reason: 'split.pleasantry_only' }] }]]);
    // every_answer with one round per record: the reply cannot hold its question, so it ends no record
    const each = split([talk('r5', [ASK, REPLY])], testContext({ split: { windows: 'every_answer', maxRounds: 1 } }));
    expect(each.out.map((e) => e.record.instruction)).toEqual([ASK[0]]);
    expect(each.rejects.map((r) => r.reason)).toEqual(['split.thin_instruction']);
    // with room for the question it does
    const room = split([talk('r5', [ASK, REPLY])], testContext({ split: { windows: 'every_answer' } }));
    expect(room.out.map((e) => [e.record.history.length, e.record.instruction])).toEqual([[0, ASK[0]], [1, '有']]);
  });

  it('does not count placeholders or punctuation as information', () => {
    expect(meaningfulChars('<PHONE>！！好的')).toBe(2);
    expect(meaningfulChars('CT 3次')).toBe(4);
  });

  it('starts every continuation window with round 0, the case description, as history[0] (as the CMtMedQA test set does)', () => {
    const rounds: Array<[string, string]> = Array.from({ length: 5 }, (_, i) => [`第${i}轮患者描述自己的症状`, `第${i}轮医生给出具体的建议`]);
    const { out } = split([talk('t8', rounds)], testContext({ split: { maxRounds: 3 } }));
    expect(out.map((e) => e.record.history.map((h) => h[0]))).toEqual([[rounds[0][0], rounds[1][0]], [rounds[0][0], rounds[3][0]]]);
    expect(out.map((e) => e.record.instruction)).toEqual([rounds[2][0], rounds[4][0]]);
    expect(out.every((e) => e.record.history.length + 1 <= 3)).toBe(true);
    // without carrying, the second window starts mid-dialogue
    const bare = split([talk('t8', rounds)], testContext({ split: { maxRounds: 3, carryDescription: false } })).out;
    expect(bare[1].record.history[0][0]).toBe(rounds[3][0]);
  });

  it('gives every window of a dialogue the same department', () => {
    const rounds: Array<[string, string]> = Array.from({ length: 6 }, (_, i) => [`第${i}轮患者描述自己的症状`, `第${i}轮医生给出具体的建议`]);
    const { out } = split([talk('t9', rounds, { department: '心内科' })], testContext({ split: { maxRounds: 2 } }));
    expect(new Set(out.map((e) => `${e.record.cate1}/${e.record.cate2}`))).toEqual(new Set(['内科/心血管内科']));
  });
});

describe('pleasantries and closing offers', () => {
  it.each([
    ['不客气', true], ['好的谢谢医生', true], ['嗯嗯', true], ['不客气！希望我的回答能帮到您，如果还有其他问题，请随时向我咨询。祝您早日恢复健康！', true],
    ['好的，请问您还有其他问题吗？', true], ['您好', true],
    ['不客气，记得按时吃药。', false], ['好的，那就先做个胃镜。', false], ['可以吃，一天两次。', false],
    ['不客气，祝您身体健康，万事如意。', true], ['不用谢，有问题可以随时联系，我会第一时间回复您。', true], ['不客气，我会尽力帮助您。', true],
    ['不客气，我会给您开点药。', false], ['好的，我会帮您约个检查。', false],
    // closings of the record review (test/eval/record-review): a topic inside the offer, a wish tail, 合作, 祝好
    ['不客气！希望我的建议对你有所帮助。如果你对饮食方面还有其他疑问，都可以及时向我咨询。祝你身体健康，心情愉快！', true],
    ['不用客气，如果你在复查过程中有任何问题或疑虑，随时与我联系。祝你早日恢复健康！', true],
    ['不客气，希望你检查顺利，早日恢复！', true], ['非常感谢你的合作，祝好', true], ['不客气，希望我给出的建议对你有所帮助。', true],
    ['不客气，如果在用药过程中有任何不适或者疑问，记得及时向我咨询。', true],
    ['不客气，如果有任何不适，及时就医。', false], ['祝您早日康复，记得按时吃药。', false], ['希望你手术顺利，术后两周拆线。', false],
    ['如果有其他问题，先做个血常规。', false],
    // closings of the outside record review (2026-12-03): 信息 in the hope, 下次有需要咨询, the opening acknowledgement and offer
    ['不客气！希望我提供的信息对您有所帮助。如果有任何其他问题，随时都可以咨询我哦！', true],
    ['希望我的建议能够帮助到您，非常感谢您的信任！如果下次有需要咨询，欢迎再次咨询我！', true],
    ['您好，我已经仔细研读了您的资料，很高兴为您提供医学指导帮助！', true], ['您好需要什么帮助？', true],
    ['我看了你的资料，建议复查血常规', false], ['如果下次有需要咨询，先查个血常规', false], ['希望这些信息对您有所帮助，注意饮食清淡', false],
  ])('%s → pleasantry %s', (text, expected) => {
    expect(isPleasantry(text)).toBe(expected);
  });

  it.each([
    // the patient closes, the doctor signs off: 不客气 and mostly courtesy
    ['好的，我会尽快去医院检查的。谢谢医生的建议！', '不客气，祝您早日康复。如果在治疗过程中有任何问题，随时与我联系。希望您多注意休息，保持心情愉快。祝您身体健康！', true],
    ['明白了，非常感谢医生的耐心解答！', '不客气，希望我的回答能对你有所帮助。如有其他医疗问题，欢迎随时向我咨询。祝你身体健康！', true],
    // a reply that opens so but advises, a patient who still asks, a reply that does not open with 不客气
    ['好的，谢谢医生', '不客气，先不用吃药，观察就行', false],
    ['谢谢，那需要吃药吗', '不客气，祝您早日康复，如有问题随时咨询我！', false],
    ['谢谢医生', '不客气！另外，为了保证宝宝接种疫苗的效果，建议您按照接种计划及时接种所有疫苗，并在接种后注意观察宝宝的状态变化。如果有其他疑问，随时欢迎向我咨询哦！', false],
    ['好的，我会注意的', '记得按时复查，祝您早日康复，如有问题随时咨询我！', false],
  ])('closing round: %s / %s → %s', (patient, doctor, expected) => {
    expect(isClosingRound(patient, doctor)).toBe(expected);
  });

  it('ends a record before a closing round (the sign-off is a split.pleasantry_only reject, counted and explainable)', () => {
    const close: [string, string] = ['好的，我会尽快去医院检查的。谢谢医生的建议！', '不客气，祝您早日康复。如果在治疗过程中有任何问题，随时与我联系。希望您多注意休息，保持心情愉快。祝您身体健康！'];
    const { out, rejects } = split([talk('t-close', [CASE, MORE, close])], testContext());
    expect(out.map((e) => e.record.output)).toEqual([MORE[1]]);
    expect(rejects.map((r) => r.reason)).toEqual(['split.pleasantry_only']);
  });

  it.each([
    ['请问您还有其他问题吗？', false],
    ['需要我为您提供一些饮食方面的建议吗？', false],
    ['还有什么可以帮您的吗？', false],
    ['如果还有其他疑问，可以随时问我。', false],
    ['还有其他症状吗？', true],
    ['您好，请问您还有其他问题吗？发烧几天了？', true],
  ])('%s → inquiry %s', (text, expected) => {
    expect(isInquiry(text)).toBe(expected);
  });
});
