/**
 * normalise: RawDialogue → Dialogue. Cleans every utterance, decides speaker roles, merges
 * consecutive turns of one speaker, drops turns with no text, and turns a case description into
 * the opening patient turn when the doctor speaks first. Pure: no I/O, no state.
 *
 * The length limit comes before any cleaning: a dialogue with a text field longer than
 * MAX_RAW_CHARS_FACTOR × split.maxChars characters is a `normalise.too_long` reject (split would
 * reject an utterance longer than maxChars anyway; the factor leaves room for HTML, whitespace and
 * boilerplate that cleaning removes), so the cleaning never works on unbounded text.
 */
import type { Dialogue, RawDialogue, Turn } from '../../../schemas/dialogue.js';
import type { Reject } from '../../../schemas/reject.js';
import { makeReject } from '../../core/reject.js';
import type { StageContext, StageResult } from '../types.js';
import { roleOf } from './roles.js';
import { cleanText, hasText, stripInvisible, type TextOptions } from './text.js';

/** How many times split.maxChars a raw text field may be before cleaning. */
export const MAX_RAW_CHARS_FACTOR = 8;

/** The first text field longer than `limit`, as [field, length]. */
function overLong(raw: RawDialogue, limit: number): [string, number] | undefined {
  for (let i = 0; i < raw.turns.length; i++) {
    const t = raw.turns[i];
    if (t.text.length > limit) return [`turns[${i}].text`, t.text.length];
    if (t.speaker.length > limit) return [`turns[${i}].speaker`, t.speaker.length];
  }
  for (const f of ['description', 'title', 'department', 'disease', 'cate1', 'cate2'] as const) {
    const v = raw[f];
    if (v !== undefined && v.length > limit) return [f, v.length];
  }
  return undefined;
}

export function normaliseOne(raw: RawDialogue, ctx: StageContext): Dialogue | Reject {
  const cfg = ctx.config.normalise;
  const opts: TextOptions = { toSimplified: cfg.toSimplified, scrubPii: cfg.scrubPii };
  const limit = MAX_RAW_CHARS_FACTOR * ctx.config.split.maxChars;
  const long = overLong(raw, limit);
  if (long) {
    return makeReject({
      stage: 'normalise', reason: 'normalise.too_long', origin: raw.origin, dialogueId: raw.id, input: raw,
      detail: `${long[0]} has ${long[1]} characters before cleaning; normalise reads at most ${limit} (${MAX_RAW_CHARS_FACTOR} × split.maxChars): split the text or raise split.maxChars`,
      evidence: { field: long[0], chars: long[1], limit },
    });
  }
  const turns: Turn[] = [];
  for (let i = 0; i < raw.turns.length; i++) {
    const t = raw.turns[i];
    const role = roleOf(t.speaker);
    if (!role) {
      return makeReject({
        stage: 'normalise', reason: 'normalise.unknown_speaker', origin: raw.origin, dialogueId: raw.id, input: raw,
        detail: `turn ${i} has speaker label ${JSON.stringify(t.speaker)}, which maps to neither patient nor doctor`,
        evidence: { turn: i, speaker: t.speaker },
      });
    }
    const text = cleanText(t.text, opts);
    if (!hasText(text)) continue;
    const prev = turns[turns.length - 1];
    if (cfg.mergeTurns && prev && prev.role === role) prev.text = `${prev.text}\n${text}`;
    else turns.push({ role, text });
  }
  if (turns.length > 0 && turns[0].role === 'doctor' && raw.description) {
    const desc = cleanText(raw.description, opts);
    if (hasText(desc)) turns.unshift({ role: 'patient', text: desc });
  }
  if (turns.length === 0) {
    return makeReject({
      stage: 'normalise', reason: 'normalise.empty', origin: raw.origin, dialogueId: raw.id, input: raw,
      detail: `none of the ${raw.turns.length} turns has text after cleaning`,
    });
  }
  const d: Dialogue = { id: raw.id, origin: raw.origin, turns };
  const dept = raw.department ? cleanText(raw.department, { toSimplified: cfg.toSimplified, scrubPii: false }) : undefined;
  if (raw.cate1 !== undefined) d.cate1 = stripInvisible(raw.cate1);
  if (raw.cate2 !== undefined) d.cate2 = stripInvisible(raw.cate2);
  if (dept) d.department = dept;
  if (raw.disease) d.disease = cleanText(raw.disease, { toSimplified: cfg.toSimplified, scrubPii: false });
  if (raw.title) d.title = cleanText(raw.title, opts);
  if (raw.singleTurn) d.singleTurn = true;
  return d;
}

export function normalise(input: RawDialogue[], ctx: StageContext): StageResult<Dialogue> {
  const out: Dialogue[] = [];
  const rejects: Reject[] = [];
  for (const raw of input) {
    const r = normaliseOne(raw, ctx);
    if ('turns' in r) out.push(r);
    else rejects.push(r);
  }
  return { out, rejects };
}
