import { afterAll, describe, expect, it } from '@jest/globals';
import type { RawDialogue } from '../../../schemas/dialogue.js';
import { silentLogger } from '../../../src/core/logger.js';
import { parsePipeline } from '../../../src/pipeline/config.js';
import { batches, sourceItems } from '../../../src/pipeline/read-sources.js';
import { normalise } from '../../../src/stages/normalise/index.js';
import { clearTextMemos, setTextMemos, TextMemo, textMemoStats, TOTAL_MEMO_CHARS } from '../../../src/stages/normalise/memo.js';
import { quality } from '../../../src/stages/quality/index.js';
import { split } from '../../../src/stages/split/index.js';
import type { StageContext } from '../../../src/stages/types.js';
import { raw } from '../../support/context.js';
import { sharedData } from '../../support/services.js';

/**
 * The text memos of normalise (cleaned text + counts), split (pleasantry, inquiry) and quality
 * (scores) only change speed: the three stages give the same output, rejects and counts, in the
 * same key order, with the memos off, cold (filled as they go) and warm (every text seen before),
 * on the real corpora and on made-up dialogues that repeat texts across sources and options.
 */

const CORPORA: Array<[string, string]> = [
  ['meddialog', 'meddialog_covid_zh/*.txt'],
  ['hetmc', 'hetmc_chunyu/*.dialog'],
  ['mie', 'mie_chunyu/*.json'],
  ['cmtmedqa', 'cmtmedqa/*.json'],
  ['toyhom', 'toyhom_cmd/*.csv'],
  ['huatuo', 'huatuo26m/*.json'],
];

function context(overrides: Record<string, unknown> = {}): StageContext {
  const sources = CORPORA.map(([format, glob]) => ({ format, path: sharedData('dialogues', glob) }));
  return { config: parsePipeline({ name: 'memo-test', sources, ...overrides }), logger: silentLogger };
}

async function realDialogues(): Promise<RawDialogue[][]> {
  const ctx = context();
  const out: RawDialogue[][] = [];
  for await (const b of batches(sourceItems(ctx.config, process.cwd(), silentLogger), 500)) out.push(b.dialogues);
  return out;
}

/** Made-up dialogues (no real sentences) whose texts repeat within and across sources, with PII, templates, HTML, traditional characters. */
function madeUp(): RawDialogue[] {
  const patient = ['我头痛三天了，请问怎么办？', '我叫王小明，电话13912345678，最近咳嗽', '孩子發燒38.5度，要吃藥嗎', '[图片]', '<b>胸闷</b>&nbsp;气短，已经一周', '谢谢医生', '我是李华，男，45岁，血压150/95'];
  const doctor = ['建议多喝水，注意休息，必要时复查血常规。', '不客气，祝您早日康复！', '请问发热多久了？有没有咳痰？', '好的', '[语音]', '可以联系我微信abc_12345，或者QQ 123456789', '高血压需要规律服药，低盐饮食，定期监测血压。'];
  const formats = ['hetmc', 'toyhom', 'cmtmedqa', 'meddialog'] as const;
  const out: RawDialogue[] = [];
  for (let k = 0; k < 400; k++) {
    const turns: Array<[string, string]> = [];
    const n = 1 + (k % 4);
    for (let j = 0; j < n; j++) {
      turns.push(['病人', patient[(k + j * 3) % patient.length]]);
      turns.push(['医生', doctor[(k * 5 + j) % doctor.length]]);
    }
    if (k % 7 === 0) turns.unshift(['医生', doctor[k % doctor.length]]);
    const format = formats[k % formats.length];
    out.push(raw(turns, {
      id: `m-${k}`,
      origin: { format, file: `fixtures/made-up.${format}`, sourceId: String(k), position: k },
      ...(k % 3 === 0 ? { description: patient[k % patient.length], department: k % 2 ? '心血管內科' : '儿科', title: doctor[k % doctor.length] } : {}),
      ...(k % 5 === 0 ? { cate1: '内科', cate2: '王医生 13800138000' } : {}),
    }));
  }
  return out;
}

/** normalise → split → quality over the batches, as one JSON text (outputs, rejects, counts, in order). */
function runStages(input: RawDialogue[][], ctx: StageContext): string {
  const parts: string[] = [];
  for (const b of input) {
    const n = normalise(b, ctx);
    const s = split(n.out, ctx);
    const q = quality(s.out, ctx);
    parts.push(JSON.stringify([n.out, n.rejects, n.counts, s.rejects, q.out, q.rejects]));
  }
  return parts.join('\n');
}

function hitsOf(stats: ReturnType<typeof textMemoStats>): number {
  return Object.values(stats).reduce((a, s) => a + s.hits, 0);
}

afterAll(() => setTextMemos(true));

describe('text memos of normalise, split and quality', () => {
  it('give the same output, rejects and counts as no memo on the real corpora (cold and warm)', async () => {
    const input = await realDialogues();
    expect(input.flat().length).toBeGreaterThan(10_000);
    const ctx = context();
    setTextMemos(false);
    const direct = runStages(input, ctx);
    setTextMemos(true);
    const cold = runStages(input, ctx);
    const before = hitsOf(textMemoStats());
    const warm = runStages(input, ctx);
    expect(hitsOf(textMemoStats()) - before).toBeGreaterThan(input.flat().length); // the warm pass was answered by the memos
    expect(cold === direct).toBe(true);
    expect(warm === direct).toBe(true);
  }, 300_000);

  it('keep options and sources apart: the same texts under other settings, in one process', () => {
    const input = [madeUp().slice(0, 200), madeUp().slice(200)];
    const settings: Array<Record<string, unknown>> = [
      {},
      { normalise: { toSimplified: false } },
      { normalise: { scrubPii: false } },
      { normalise: { mergeTurns: false }, split: { pleasantryOnly: 'keep' } },
      { quality: { threshold: 0.05, policy: 'flag' } },
      { quality: { threshold: 5 } },
    ];
    setTextMemos(false);
    const direct = settings.map((o) => runStages(input, context(o)));
    setTextMemos(true);
    // Interleaved, twice: a memo filled under one setting must not answer for another.
    for (let round = 0; round < 2; round++) {
      settings.forEach((o, i) => expect(runStages(input, context(o)) === direct[i]).toBe(true));
    }
    // The made-up texts do count something (so the counts were compared, not two empty objects).
    expect(direct[0]).toContain('"pii.PHONE"');
    expect(direct[0]).toContain('"template.common.media"');
  });

  it('stays bounded: cleared at its entry and character caps, long keys computed every time', () => {
    const m = new TextMemo<number>('test.bounded', { maxEntries: 8, maxChars: 40, maxKeyChars: 10 });
    let calls = 0;
    const len = (s: string) => {
      calls++;
      return s.length;
    };
    for (let i = 0; i < 100; i++) {
      const key = `k${i % 20}`;
      expect(m.get(key, len)).toBe(key.length);
      expect(m.size).toBeLessThanOrEqual(8);
    }
    expect(calls).toBeGreaterThan(20); // clearing made some keys be computed again
    calls = 0;
    expect(m.get('a'.repeat(11), len)).toBe(11);
    expect(m.get('a'.repeat(11), len)).toBe(11);
    expect(calls).toBe(2); // over maxKeyChars: never kept
    m.clear();
    for (let i = 0; i < 5; i++) m.get(`${i}`.repeat(9), len); // 9 characters each: the fifth passes 40
    expect(m.size).toBe(1);
    clearTextMemos();
    expect(m.size).toBe(0);
  });

  it('holds at most TOTAL_MEMO_CHARS characters of keys over all memos together', () => {
    clearTextMemos();
    const big = { maxEntries: 1 << 20, maxChars: 1 << 30, maxKeyChars: 1 << 14 };
    const a = new TextMemo<number>('test.total.a', big);
    const b = new TextMemo<number>('test.total.b', big);
    const keyChars = 10_000;
    const n = Math.ceil(TOTAL_MEMO_CHARS / keyChars) + 20;
    let most = 0;
    for (let i = 0; i < n; i++) {
      const key = String(i).padEnd(keyChars, 'x');
      (i % 2 === 0 ? a : b).get(key, (k) => k.length);
      most = Math.max(most, (a.size + b.size) * keyChars);
      expect((a.size + b.size) * keyChars).toBeLessThanOrEqual(TOTAL_MEMO_CHARS);
    }
    // It filled up to the budget, then every memo was cleared and began again.
    expect(most).toBeGreaterThan(TOTAL_MEMO_CHARS - 2 * keyChars);
    expect(a.size + b.size).toBeLessThan(n);
    clearTextMemos();
  });
});
