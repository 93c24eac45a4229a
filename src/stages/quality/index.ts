/**
 * quality: a per-record score the project computes itself, without a downloaded model, to find
 * machine-spun (synonym-substituted) text such as the Toyhom corpus (放柔 for 加重, 不定期复检 for
 * 定期复检). Two features over every utterance of the record:
 *  - spin lexicon (spin-lexicon.ts): weighted hits of known spun substitutions; `lexicon` is the
 *    sum of weights and `density` that sum per 100 meaningful characters, so one stray word in a
 *    long real dialogue does not count as much as the same word in a short answer;
 *  - character language model (char-lm.ts, trained by scripts/train-quality-lm.mjs on the
 *    project's clean licensed real dialogues): cross-entropy in bits per character (`lm`).
 * score = density + LM_WEIGHT × max(0, lm − LM_REF), and a record is machine-spun when
 * its evidence ≥ 1 (at least one strong substitution or two different weak ones: a weak word
 * counts once however often it recurs, so a doctor who writes 防止 four times is not spun) and
 * score ≥ quality.threshold
 * (default 0.25: one strong substitution per 400 meaningful characters). The LM alone does not separate spun text from real text of another platform
 * (README "Quality scoring" has the held-out figures), so it only adds to lexicon evidence.
 * Policy per source format (quality.sources, else quality.policy): reject → `quality.machine_spun`
 * reject; flag → the reason in annotations.flags; off → not scored. Pure: the model and lexicon are
 * module data, scoring does no I/O. Scores are memoised per record text and threshold
 * (normalise/memo.ts, bounded): scoreText is pure on both.
 */
import type { RecordEnvelope } from '../../../schemas/record.js';
import type { Reject } from '../../../schemas/reject.js';
import { makeReject } from '../../core/reject.js';
import { TextMemo } from '../normalise/memo.js';
import { meaningfulChars } from '../split/pleasantry.js';
import type { StageContext, StageResult } from '../types.js';
import { CharLm } from './char-lm.js';
import { CHAR_LM_MODEL } from './char-lm-model.js';
import { SPIN_LEXICON } from './spin-lexicon.js';
import { scoreAdvertising } from './advertising.js';

/** Bits per character above which the LM adds to the score: about the 90th percentile of held-out real dialogue. */
export const LM_REF = 8.5;
export const LM_WEIGHT = 0.25;

const LEXICON = SPIN_LEXICON.map((e) => ({ ...e, re: new RegExp(e.pattern, 'g'), literal: literalPrefix(e.pattern) }));

/**
 * The characters every match of `pattern` starts with, or '' when that cannot be read off
 * simply (a top-level alternative, a leading group or class, an escape): the pre-scan's key.
 * A character followed by a quantifier is not part of it (it may be absent or repeated).
 */
export function literalPrefix(pattern: string): string {
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return '';
  }
  let n = 0;
  while (n < pattern.length && !'\\()[]{}?*+.|^$'.includes(pattern[n])) n++;
  if (n < pattern.length && '?*{'.includes(pattern[n])) n--;
  return n > 0 ? pattern.slice(0, n) : '';
}

/**
 * Entries by the first code unit of their literal prefix, and the entries without one: one scan
 * of the text finds which entries can match at all; only those run their regex.
 */
const BY_FIRST = new Map<number, number[]>();
const ALWAYS: number[] = [];
LEXICON.forEach((e, i) => {
  if (!e.literal) ALWAYS.push(i);
  else {
    const c = e.literal.charCodeAt(0);
    const list = BY_FIRST.get(c);
    if (list) list.push(i);
    else BY_FIRST.set(c, [i]);
  }
});
const FIRST = new Uint8Array(0x10000);
for (const c of BY_FIRST.keys()) FIRST[c] = 1;

const MAY = new Uint8Array(LEXICON.length);

/** Which lexicon entries may match `text` (their literal prefix occurs in it), by lexicon index (1: may); one buffer, reused. */
function candidates(text: string): Uint8Array {
  const may = MAY;
  may.fill(0);
  for (const i of ALWAYS) may[i] = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (FIRST[c] === 0) continue;
    for (const k of BY_FIRST.get(c)!) if (may[k] === 0 && text.startsWith(LEXICON[k].literal, i)) may[k] = 1;
  }
  return may;
}
let lm: CharLm | undefined;
/** The committed model, parsed once per process (worker threads each parse their own). */
export function charLm(): CharLm {
  return (lm ??= CharLm.parse(CHAR_LM_MODEL));
}

export interface QualityScore {
  score: number;
  lexicon: number;
  density: number;
  lm: number;
  hits: Record<string, number>;
  spun: boolean;
}

export function recordText(env: RecordEnvelope): string {
  const r = env.record;
  const parts: string[] = [];
  for (const [q, a] of r.history) parts.push(q, a);
  parts.push(r.instruction, r.input, r.output);
  return parts.filter(Boolean).join('\n');
}

/** The doctor's side of a record (history answers and the output): where an advertiser writes; a patient's question (如何保证治愈) is not an ad. */
export function answerText(env: RecordEnvelope): string {
  const r = env.record;
  if (!r.history.length) return r.output;
  const parts: string[] = [];
  for (const [, a] of r.history) parts.push(a);
  parts.push(r.output);
  return parts.join('\n');
}

export function scoreText(text: string, threshold: number): QualityScore {
  const hits: Record<string, number> = {};
  let lexicon = 0;
  let evidence = 0; // strong hits each time, a weak entry once
  const may = candidates(text);
  for (let k = 0; k < LEXICON.length; k++) {
    if (may[k] === 0) continue; // its literal prefix is not in the text: no match
    const e = LEXICON[k];
    e.re.lastIndex = 0;
    const n = text.match(e.re)?.length ?? 0;
    if (n > 0) {
      hits[e.pattern] = n;
      lexicon += n * e.weight;
      evidence += e.weight >= 1 ? n * e.weight : e.weight;
    }
  }
  const chars = Math.max(1, meaningfulChars(text));
  const density = (lexicon * 100) / chars;
  const bits = charLm().crossEntropy(text);
  const score = density + LM_WEIGHT * Math.max(0, bits - LM_REF);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { score: round(score), lexicon, density: round(density), lm: round(bits), hits, spun: evidence >= 1 && score >= threshold };
}

const SCORES = new Map<number, TextMemo<QualityScore>>();

/** scoreText through the memo of its threshold; a copy, so no two records share an object. */
export function scoreTextMemo(text: string, threshold: number): QualityScore {
  let m = SCORES.get(threshold);
  if (!m) SCORES.set(threshold, (m = new TextMemo<QualityScore>(`quality.score:${threshold}`)));
  const q = m.get(text, (t) => scoreText(t, threshold));
  return { ...q, hits: { ...q.hits } };
}

export function quality(records: RecordEnvelope[], ctx: StageContext): StageResult<RecordEnvelope> {
  const cfg = ctx.config.quality;
  const out: RecordEnvelope[] = [];
  const rejects: Reject[] = [];
  for (const env of records) {
    const policy = cfg.sources[env.origin.format] ?? cfg.policy;
    let kept = env;
    if (policy !== 'off') {
      const q = scoreTextMemo(recordText(env), cfg.threshold);
      const annotations = { ...env.annotations, quality: { score: q.score, lm: q.lm, lexicon: q.lexicon } };
      const file = env.origin.fileSpin;
      const spun = q.spun || file !== undefined;
      if (spun && policy === 'reject') {
        const own = `spin score ${q.score}${q.spun ? ' ≥' : ' <'} quality.threshold ${cfg.threshold}: ${Object.entries(q.hits).map(([k, n]) => `${k}×${n}`).join(', ') || 'no lexicon hit'} (LM ${q.lm} bits/char)`;
        rejects.push(makeReject({
          stage: 'quality', reason: 'quality.machine_spun', origin: env.origin, dialogueId: env.dialogueId, input: env,
          detail: file === undefined ? own : `its file is machine-spun: ${file.spun} of its first ${file.sampled} dialogues score as spun (quality.fileShare ${cfg.fileShare}); this record's own ${own}`,
          evidence: file === undefined ? q : { ...q, file },
        }));
        continue;
      }
      if (spun) annotations.flags = [...new Set([...(env.annotations.flags ?? []), 'quality.machine_spun'])];
      kept = { ...env, annotations };
    }
    // A turn cut at its file's length cap (length-cap.ts), after spin: a spun dump keeps that reason.
    const cap = env.origin.lengthCap;
    const tp = cfg.truncation.policy;
    if (cap && tp !== 'off') {
      if (tp === 'reject') {
        rejects.push(makeReject({
          stage: 'quality', reason: 'quality.truncated', origin: env.origin, dialogueId: env.dialogueId, input: env,
          detail: `turn ${cap.turn} (${cap.role}) is ${cap.chars} characters long and stops mid-sentence: its file's ${cap.role} turns pile up at ${cap.chars} characters (${cap.atCap} in the sample against ${cap.around} at each length near it), a length the dump cut its texts at`,
          evidence: cap,
        }));
        continue;
      }
      kept = { ...kept, annotations: { ...kept.annotations, flags: [...new Set([...(kept.annotations.flags ?? []), 'quality.truncated'])] } };
    }
    // Advertising after spin, so a spun record keeps its reason (a spinning tool's dump is spun first).
    const ads = cfg.advertising;
    if (ads.policy !== 'off') {
      // Not memoised: a few microseconds per record, and the text memos' shared budget (memo.ts) is
      // sized for the stages that need it (a memo here pushed it over at 8x and every memo missed).
      const a = scoreAdvertising(answerText(env));
      if (a.score >= ads.threshold) {
        if (ads.policy === 'reject') {
          rejects.push(makeReject({
            stage: 'quality', reason: 'quality.advertising', origin: env.origin, dialogueId: env.dialogueId, input: env,
            detail: `advertising score ${a.score} ≥ quality.advertising.threshold ${ads.threshold}: ${Object.entries(a.hits).map(([k, v]) => `${k} ${v}`).join('; ')}`,
            evidence: a,
          }));
          continue;
        }
        kept = { ...kept, annotations: { ...kept.annotations, flags: [...new Set([...(kept.annotations.flags ?? []), 'quality.advertising'])] } };
      }
    }
    out.push(kept);
  }
  return { out, rejects };
}
