/**
 * The token step of the finalise run: counts every record with each configured tokenizer into
 * `annotations.tokens` (so sidecars carry them), rejects records over `tokens.maxTokens` by the
 * first tokenizer (`filter.too_many_tokens`, evidence { tokens, max, tokenizer }), and supplies the
 * shard weight (the first tokenizer's count). A RecordFilter by shape; counting is pure.
 */
import type { RecordEnvelope } from '../../schemas/record.js';
import type { RejectReason, Stage } from '../../schemas/reject.js';
import type { TokenCounter } from './registry.js';

export interface TooManyTokens {
  tokens: number;
  max: number;
  tokenizer: string;
}

export class TokenFilter {
  readonly name = 'tokens';
  readonly primary: string;
  /** The counters, for the per-batch stage context (StageContext.tokenizers). */
  get tokenizers(): TokenCounter[] {
    return this.counters;
  }

  constructor(private readonly counters: TokenCounter[], private readonly maxTokens: number) {
    if (counters.length === 0) throw new Error('TokenFilter needs at least one tokenizer');
    this.primary = counters[0].name;
  }

  /** Counts the record with every tokenizer and stores the counts in its annotations (counts made per batch are reused). */
  annotate(env: RecordEnvelope): Record<string, number> {
    const have = env.annotations.tokens;
    if (have && this.counters.every((c) => have[c.name] !== undefined)) return have;
    const tokens: Record<string, number> = {};
    for (const c of this.counters) tokens[c.name] = c.countRecord(env.record);
    env.annotations.tokens = tokens;
    return tokens;
  }

  check(env: RecordEnvelope): { stage: Stage; reason: RejectReason; detail: string; evidence: TooManyTokens } | undefined {
    const n = this.annotate(env)[this.primary];
    if (this.maxTokens > 0 && n > this.maxTokens) {
      return {
        stage: 'filter',
        reason: 'filter.too_many_tokens',
        detail: `${n} ${this.primary} tokens > tokens.maxTokens ${this.maxTokens}`,
        evidence: { tokens: n, max: this.maxTokens, tokenizer: this.primary },
      };
    }
    return undefined;
  }

  /** The shard weight: the first tokenizer's count (counted now if the record was not annotated). */
  readonly weight = (env: RecordEnvelope): number => env.annotations.tokens?.[this.primary] ?? this.counters[0].countRecord(env.record);
}
