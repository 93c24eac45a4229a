/**
 * Token counting throughput per tokenizer, for `npm run bench`. Reports CPU seconds (robust on a
 * shared machine), characters and texts per second on a cold piece cache (first pass, what a run
 * sees on new text) and on a warm one (second pass over the same texts), and the load time.
 */
import { loadTokenizer, TOKENIZER_NAMES } from './registry.js';

export interface TokenizerBench {
  tokenizer: string;
  loadSeconds: number;
  texts: number;
  chars: number;
  tokens: number;
  coldCharsPerSecond: number;
  coldTextsPerSecond: number;
  warmCharsPerSecond: number;
}

const cpuSince = (t0: NodeJS.CpuUsage) => {
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1e6;
};

export async function benchTokenizers(texts: string[], names: readonly string[] = TOKENIZER_NAMES): Promise<TokenizerBench[]> {
  const chars = texts.reduce((a, t) => a + t.length, 0);
  const out: TokenizerBench[] = [];
  for (const name of names) {
    let t0 = process.cpuUsage();
    const tok = await loadTokenizer(name);
    const load = cpuSince(t0);
    t0 = process.cpuUsage();
    let tokens = 0;
    for (const t of texts) tokens += tok.countText(t);
    const cold = cpuSince(t0);
    t0 = process.cpuUsage();
    for (const t of texts) tok.countText(t);
    const warm = cpuSince(t0);
    out.push({
      tokenizer: tok.name,
      loadSeconds: Math.round(load * 1000) / 1000,
      texts: texts.length,
      chars,
      tokens,
      coldCharsPerSecond: Math.round(chars / Math.max(cold, 1e-9)),
      coldTextsPerSecond: Math.round(texts.length / Math.max(cold, 1e-9)),
      warmCharsPerSecond: Math.round(chars / Math.max(warm, 1e-9)),
    });
  }
  return out;
}
