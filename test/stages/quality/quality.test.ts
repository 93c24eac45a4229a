import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { RecordEnvelope } from '../../../schemas/record.js';
import { normalise } from '../../../src/stages/normalise/index.js';
import { CharLm, countCharLm, lmAlphabet, serialiseCharLm } from '../../../src/stages/quality/char-lm.js';
import { CHAR_LM_MODEL } from '../../../src/stages/quality/char-lm-model.js';
import { charLm, quality, scoreText } from '../../../src/stages/quality/index.js';
import { SPIN_LEXICON } from '../../../src/stages/quality/spin-lexicon.js';
import { split } from '../../../src/stages/split/index.js';
import { importers } from '../../../src/sources/index.js';
import type { RawDialogue } from '../../../schemas/dialogue.js';
import { origin, testContext } from '../../support/context.js';
import { sharedData } from '../../support/services.js';

// Written for these tests: the same advice, once as a doctor writes it and once run through the
// kind of synonym spinner the Toyhom corpus went through.
const CLEAN = '高血压患者需要定期复查血压，如果出现头晕要及时到医院检查，平时注意低盐饮食，适当锻炼，不要喝酒。';
const SPUN = '高血压患者需要有不定期复检血压，如果再次出现头晕要仔细检查，平时注意低盐饮食，适当锻练，不要喝啤酒。';

function env(output: string, format: RecordEnvelope['origin']['format'] = 'toyhom'): RecordEnvelope {
  return {
    record: { id: `r-${output.length}-${format}`, cate1: '内科', cate2: '心血管内科', instruction: '我有高血压平时要注意什么？', input: '', output, history: [] },
    dialogueId: `d-${format}`, origin: origin('1', { format }), annotations: { inquiryTurns: [], outputIsInquiry: false },
  };
}

describe('character language model', () => {
  it('maps text onto its small alphabet (Han kept, digits, Latin and punctuation folded, spaces dropped)', () => {
    expect(lmAlphabet('血压 140/90，CT正常。').join('')).toBe('^血压000·00，aa正常。$');
  });

  it('gives text like its training data a lower cross-entropy than the same characters shuffled', () => {
    const lm = new CharLm(countCharLm(['建议多喝水注意休息', '建议注意休息多喝水', '注意休息，建议复查'], 3));
    expect(lm.crossEntropy('建议多喝水注意休息')).toBeLessThan(lm.crossEntropy('息休意注水喝多议建'));
  });

  it('scores a text as the sum of its per-character interpolated probabilities', () => {
    const lm = charLm();
    const s = lmAlphabet(SPUN);
    let bits = 0;
    for (let i = 1; i < s.length; i++) bits -= Math.log2(lm.prob(s.slice(Math.max(0, i - 2), i), s[i]));
    expect(lm.crossEntropy(SPUN)).toBeCloseTo(bits / (s.length - 1), 10);
  });

  it('round-trips through its compact serialisation (unpruned: the same probabilities)', () => {
    const counts = countCharLm(['建议多喝水注意休息', '注意休息，建议复查'], 3);
    const a = new CharLm(counts);
    const b = CharLm.parse(serialiseCharLm(counts, 1));
    expect(b.crossEntropy('建议复查休息')).toBeCloseTo(a.crossEntropy('建议复查休息'), 10);
  });

  it('ships a committed model trained by the project (no download) that prefers real doctor text to spun text', () => {
    expect(CHAR_LM_MODEL.length).toBeGreaterThan(100_000);
    expect(charLm().order).toBe(3);
    expect(charLm().crossEntropy(CLEAN)).toBeLessThan(charLm().crossEntropy(SPUN));
  });
});

describe('quality stage', () => {
  it('scores spun substitutions and leaves the real wording alone', () => {
    const spun = scoreText(SPUN, 0.25);
    expect(spun.spun).toBe(true);
    expect(Object.keys(spun.hits)).toEqual(expect.arrayContaining(['需要有', '再次出现', '仔细检查', '锻练', '喝啤酒']));
    expect(scoreText(CLEAN, 0.25)).toMatchObject({ spun: false, lexicon: 0 });
  });

  it('needs a strong substitution or two weak ones: one 致使 alone does not make a record spun', () => {
    expect(scoreText('受凉致使感冒，按时吃药，定期复查。', 0.25).spun).toBe(false);
    expect(SPIN_LEXICON.find((e) => e.pattern === '致使')?.weight).toBe(0.5);
  });

  it('counts a weak word once however often it recurs: 致使 four times is not spun, two different weak words are', () => {
    const real = '受凉致使感冒，劳累致使失眠，熬夜致使头痛，饮酒致使胃痛。按时吃药，定期复查血压。';
    const q = scoreText(real, 0.25);
    expect(q.hits['致使']).toBe(4);
    expect(q.lexicon).toBe(2);
    expect(q.spun).toBe(false);
    expect(scoreText('受凉致使感冒，服用减低血压的药，按时吃药，定期复查。', 0.25).spun).toBe(true);
  });

  it('does not read ordinary medical wording as spun: 防止, 表现出, 留意, 做好预防工作, 极冷, 重新调整 (audit-s16 false positives)', () => {
    for (const e of ['防止', '表现出', '留意']) expect(SPIN_LEXICON.find((x) => x.pattern === e)).toBeUndefined();
    expect(scoreText('孩子表现出一些过敏症状，家长要密切留意皮疹变化，按时复诊。', 0.25)).toMatchObject({ spun: false, lexicon: 0 });
    expect(scoreText('注意防止受凉，避免极热或极冷的食物刺激胃黏膜。', 0.25).spun).toBe(false);
    expect(scoreText('流感季节要做好预防工作，勤洗手，预防工作做好了就能少生病。', 0.25).spun).toBe(false);
    expect(scoreText('我想作息要重新调整，先把身体养好再说。', 0.25).spun).toBe(false);
    // with another spun form they still count
    expect(scoreText('要做好预防工作，血液散播的风险很高。', 0.25).spun).toBe(true);
  });

  it('reads words of the record review as spun: 散播 for 传播, 直面 for 面对, 您好一下 for 请问一下', () => {
    expect(scoreText('乙肝主要通过血液散播，患者要直面疾病，按时复查。', 0.25).spun).toBe(true);
    expect(scoreText('乙肝主要通过血液传播，患者要面对疾病，按时复查。', 0.25).lexicon).toBe(0);
    expect(scoreText('我想您好一下血糖多少算高？', 0.25).hits).toHaveProperty(['您好一下']);
    expect(scoreText('麻醉乙肝疫苗后要复查抗体。', 0.25).lexicon).toBe(1);
    // words that only look like a spun form: 肝病发展 (not 病发 for 发病), 不定期的疼 (a real complaint)
    expect(scoreText('慢性肝病发展到肝硬化要多年，心脏病发作要急救，腹部不定期的疼。', 0.25).lexicon).toBe(0);
  });

  it('reads 麻醉 as spun only where an injection is meant (胰岛素, 疫苗), not in surgery', () => {
    expect(scoreText('可以换用麻醉胰岛素治疗，控制饮食。', 0.25).hits).toHaveProperty(['麻醉(?:乙肝)?(?:胰岛素|疫苗|针|一针|药物治疗)']);
    expect(scoreText('手术需要全身麻醉，术后注意休息。', 0.25).lexicon).toBe(0);
  });

  it('rejects spun records as quality.machine_spun under the reject policy, with the evidence', () => {
    const { out, rejects } = quality([env(SPUN), env(CLEAN)], testContext());
    expect(out.map((e) => e.record.output)).toEqual([CLEAN]);
    expect(out[0].annotations.quality).toMatchObject({ lexicon: 0 });
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ stage: 'quality', reason: 'quality.machine_spun', dialogueId: 'd-toyhom' });
    expect((rejects[0].evidence as { hits: Record<string, number> }).hits['需要有']).toBe(1);
  });

  it('follows the per-source policy: flag keeps the record with the reason in its flags, off does not score', () => {
    const ctx = testContext({ quality: { policy: 'reject', sources: { huatuo: 'flag', meddialog: 'off' } } });
    const { out, rejects } = quality([env(SPUN, 'huatuo'), env(SPUN, 'meddialog'), env(SPUN, 'toyhom')], ctx);
    expect(rejects.map((r) => r.origin.format)).toEqual(['toyhom']);
    expect(out.map((e) => [e.origin.format, e.annotations.flags ?? [], e.annotations.quality === undefined])).toEqual([
      ['huatuo', ['quality.machine_spun'], false],
      ['meddialog', [], true],
    ]);
  });
});

/** The records the pipeline makes of one real file, before quality (normalise → split). */
async function recordsOf(format: 'toyhom' | 'cmtmedqa' | 'huatuo', file: string): Promise<RecordEnvelope[]> {
  const raw: RawDialogue[] = [];
  async function* bytes() {
    yield readFileSync(file);
  }
  for await (const item of importers[format]({ file, bytes: bytes(), encoding: 'auto' })) if (item.kind === 'dialogue') raw.push(item.dialogue);
  const ctx = testContext();
  return split(normalise(raw, ctx).out, ctx).out;
}

function spunShare(records: RecordEnvelope[]): number {
  const { rejects } = quality(records, testContext());
  return rejects.length / records.length;
}

describe('quality on the real corpora', () => {
  it('scores ≥ 90% of Toyhom records machine-spun', async () => {
    const share = spunShare(await recordsOf('toyhom', sharedData('dialogues/toyhom_cmd/样例_内科5000-6000.csv')));
    expect(share).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('scores ≤ 2% of CMtMedQA and Huatuo records machine-spun (real dialogue, Huatuo from another platform)', async () => {
    expect(spunShare(await recordsOf('cmtmedqa', sharedData('dialogues/cmtmedqa/CMtMedQA_test.json')))).toBeLessThanOrEqual(0.02);
    expect(spunShare(await recordsOf('huatuo', sharedData('dialogues/huatuo26m/huatuo26M_test.json')))).toBeLessThanOrEqual(0.02);
  }, 120_000);
});
