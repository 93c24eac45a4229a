/**
 * normalise: RawDialogue → Dialogue. Cleans every utterance (text.ts), removes the source's
 * platform templates (boilerplate.ts) and scrubs personal data (pii.ts) in every text field that
 * can reach an output (turns, description, title, department, disease, cate1/cate2), decides
 * speaker roles, merges consecutive turns of one speaker, drops turns with no text, and turns a
 * case description into the opening patient turn when the doctor speaks first. Its rejects carry
 * the scrubbed dialogue, never the raw one. Pure: no I/O, no state.
 */
import type { Dialogue, RawDialogue, Turn } from '../../../schemas/dialogue.js';
import type { Reject } from '../../../schemas/reject.js';
import { makeReject } from '../../core/reject.js';
import type { StageContext, StageResult } from '../types.js';
import { templateSource, templatesFor, type TemplateHits } from './boilerplate.js';
import { scrubPii, type PiiCounts } from './pii.js';
import { roleOf } from './roles.js';
import { cleanText, hasText, type TextOptions } from './text.js';

/**
 * What normalise removed and replaced, summed over a batch: `pii.<TYPE>` placeholders by type,
 * `template.<id>` hits per template, `dialogues_with_template`, `turns_emptied_by_template`.
 * Flat, so batches (and BullMQ parts) add up key by key.
 */
export type CleaningCounts = Record<string, number>;

export function addCounts(into: CleaningCounts, from: CleaningCounts | undefined): CleaningCounts {
  if (from) for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** The raw dialogue with every text field cleaned and scrubbed: what a normalise reject may keep. */
function scrubbedInput(raw: RawDialogue, opts: TextOptions): RawDialogue {
  const o: TextOptions = { toSimplified: opts.toSimplified, scrubPii: opts.scrubPii };
  const clean = (s: string) => cleanText(s, o);
  const r: RawDialogue = { ...raw, turns: raw.turns.map((t) => ({ speaker: o.scrubPii ? scrubPii(t.speaker) : t.speaker, text: clean(t.text) })) };
  for (const k of ['department', 'cate1', 'cate2', 'disease', 'title', 'description'] as const) if (raw[k] !== undefined) r[k] = clean(raw[k]);
  return r;
}

export function normaliseOne(raw: RawDialogue, ctx: StageContext, counts: CleaningCounts = {}): Dialogue | Reject {
  const cfg = ctx.config.normalise;
  const templateHits: TemplateHits = {};
  const piiCounts: PiiCounts = {};
  const opts: TextOptions = { toSimplified: cfg.toSimplified, scrubPii: cfg.scrubPii, templates: templatesFor(templateSource(raw.origin)), templateHits, piiCounts };
  const fieldOpts: TextOptions = { toSimplified: cfg.toSimplified, scrubPii: cfg.scrubPii, piiCounts };
  const turns: Turn[] = [];
  let emptied = 0;
  for (let i = 0; i < raw.turns.length; i++) {
    const t = raw.turns[i];
    const role = roleOf(t.speaker);
    if (!role) {
      const label = cfg.scrubPii ? scrubPii(t.speaker) : t.speaker;
      return makeReject({
        stage: 'normalise', reason: 'normalise.unknown_speaker', origin: raw.origin, dialogueId: raw.id, input: scrubbedInput(raw, opts),
        detail: `turn ${i} has speaker label ${JSON.stringify(label)}, which maps to neither patient nor doctor`,
        evidence: { turn: i, speaker: label },
      });
    }
    const before = sum(templateHits);
    const text = cleanText(t.text, opts);
    if (!hasText(text)) {
      if (sum(templateHits) > before && hasText(cleanText(t.text, fieldOpts))) emptied++;
      continue;
    }
    const prev = turns[turns.length - 1];
    if (cfg.mergeTurns && prev && prev.role === role) prev.text = `${prev.text}\n${text}`;
    else turns.push({ role, text });
  }
  if (turns.length > 0 && turns[0].role === 'doctor' && raw.description) {
    const desc = cleanText(raw.description, opts);
    if (hasText(desc)) turns.unshift({ role: 'patient', text: desc });
  }
  addCounts(counts, prefixed('template.', templateHits));
  if (sum(templateHits) > 0) counts.dialogues_with_template = (counts.dialogues_with_template ?? 0) + 1;
  if (emptied) counts.turns_emptied_by_template = (counts.turns_emptied_by_template ?? 0) + emptied;
  if (turns.length === 0) {
    addCounts(counts, prefixed('pii.', piiCounts));
    return makeReject({
      stage: 'normalise', reason: 'normalise.empty', origin: raw.origin, dialogueId: raw.id, input: scrubbedInput(raw, opts),
      detail: `none of the ${raw.turns.length} turns has text after cleaning`,
    });
  }
  const d: Dialogue = { id: raw.id, origin: raw.origin, turns };
  const field = (s: string) => cleanText(s, fieldOpts);
  const dept = raw.department ? field(raw.department) : undefined;
  if (raw.cate1 !== undefined) d.cate1 = field(raw.cate1);
  if (raw.cate2 !== undefined) d.cate2 = field(raw.cate2);
  if (dept) d.department = dept;
  if (raw.disease) d.disease = field(raw.disease);
  if (raw.title) d.title = cleanText(raw.title, opts);
  if (raw.singleTurn) d.singleTurn = true;
  addCounts(counts, prefixed('pii.', piiCounts));
  return d;
}

function sum(o: Record<string, number | undefined>): number {
  let n = 0;
  for (const v of Object.values(o)) n += v ?? 0;
  return n;
}

function prefixed(p: string, o: Record<string, number | undefined>): CleaningCounts {
  const out: CleaningCounts = {};
  for (const [k, v] of Object.entries(o)) if (v) out[p + k] = v;
  return out;
}

export function normalise(input: RawDialogue[], ctx: StageContext): StageResult<Dialogue> & { counts: CleaningCounts } {
  const out: Dialogue[] = [];
  const rejects: Reject[] = [];
  const counts: CleaningCounts = {};
  for (const raw of input) {
    const r = normaliseOne(raw, ctx, counts);
    if ('turns' in r) out.push(r);
    else rejects.push(r);
  }
  return { out, rejects, counts };
}
