/**
 * normalise: RawDialogue → Dialogue. Cleans every utterance (text.ts), removes the source's
 * platform templates (boilerplate.ts) and scrubs personal data (pii.ts) in every text field that
 * can reach an output (turns, description, title, department, disease, cate1/cate2), decides
 * speaker roles, merges consecutive turns of one speaker, drops turns with no text, and turns a
 * case description into the opening patient turn when the doctor speaks first (or puts it before
 * the opening patient turn when the patient does, withDescription), and keeps one copy
 * of a title that opening turn repeats (title-echo.ts). Its rejects carry
 * the scrubbed dialogue, never the raw one. Pure: no I/O, no state.
 *
 * The length limit comes before any cleaning: a dialogue with a text field longer than
 * MAX_RAW_CHARS_FACTOR × split.maxChars characters is a `normalise.too_long` reject (split would
 * reject an utterance longer than maxChars anyway; the factor leaves room for HTML, whitespace and
 * boilerplate that cleaning removes), so the cleaning never works on unbounded text. Its input is
 * kept clipped to the limit and scrubbed.
 *
 * Cleaning is a pure function of the text and the options (templates of the source, toSimplified,
 * scrubPii): each cleaned text, whether it has text, and the template hits and placeholders it
 * counted are memoised per text (memo.ts, bounded), and a repeat adds the same counts.
 */
import type { Dialogue, RawDialogue, Turn } from '../../../schemas/dialogue.js';
import type { Reject } from '../../../schemas/reject.js';
import { makeReject } from '../../core/reject.js';
import type { StageContext, StageResult } from '../types.js';
import { templateSource, templatesFor, type TemplateHits } from './boilerplate.js';
import { TextMemo } from './memo.js';
import { scrubPii, type PiiCounts, type Placeholder } from './pii.js';
import { roleOf } from './roles.js';
import { cleanText, hasText, stripInvisible, type TextOptions } from './text.js';
import { withoutTitleEcho } from './title-echo.js';

/** How many times split.maxChars a raw text field may be before cleaning. */
export const MAX_RAW_CHARS_FACTOR = 8;

/** cleanText's answer for one text: the text, hasText of it, and what it counted (in the order cleanText first counted each key). */
interface Cleaned {
  text: string;
  has: boolean;
  hits: Array<[string, number]> | undefined;
  pii: Array<[Placeholder, number]> | undefined;
}

/** One memo per option set: template source ('' for none), toSimplified, scrubPii. */
const CLEANED = new Map<string, TextMemo<Cleaned>>();
function cleanedMemo(source: string, toSimplified: boolean, scrub: boolean): TextMemo<Cleaned> {
  const key = `${source}\u0000${toSimplified ? 1 : 0}${scrub ? 1 : 0}`;
  let m = CLEANED.get(key);
  if (!m) CLEANED.set(key, (m = new TextMemo<Cleaned>(`normalise.clean:${source || '-'}:${toSimplified ? 1 : 0}${scrub ? 1 : 0}`)));
  return m;
}

/** Count objects for one cleanText call, reused while they stay empty (most texts count nothing). */
let scratchHits: TemplateHits = {};
let scratchPii: PiiCounts = {};
const scratchOpts: TextOptions = { toSimplified: true, scrubPii: true };

function taken<K extends string>(o: Partial<Record<K, number>>): Array<[K, number]> | undefined {
  for (const _ in o) return Object.entries(o) as Array<[K, number]>;
  return undefined;
}

/**
 * cleanText(raw, opts) through the memo: the counts it would add to opts.templateHits and
 * opts.piiCounts are added (the same totals, keys created in the same order).
 */
function cleanCounted(raw: string, memo: TextMemo<Cleaned>, opts: TextOptions): Cleaned {
  let c = memo.peek(raw);
  if (c === undefined) {
    scratchOpts.toSimplified = opts.toSimplified;
    scratchOpts.scrubPii = opts.scrubPii;
    scratchOpts.templates = opts.templates;
    scratchOpts.templateHits = scratchHits;
    scratchOpts.piiCounts = scratchPii;
    const text = cleanText(raw, scratchOpts);
    const hits = taken(scratchHits);
    if (hits) scratchHits = {};
    const pii = taken(scratchPii);
    if (pii) scratchPii = {};
    c = { text, has: hasText(text), hits, pii };
    memo.put(raw, c);
  }
  if (c.hits && opts.templateHits) for (const [k, n] of c.hits) opts.templateHits[k] = (opts.templateHits[k] ?? 0) + n;
  if (c.pii && opts.piiCounts) for (const [k, n] of c.pii) opts.piiCounts[k] = (opts.piiCounts[k] ?? 0) + n;
  return c;
}

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

/** The raw dialogue with every text field cut to `limit` characters (a too-long reject keeps only that). */
function clipped(raw: RawDialogue, limit: number): RawDialogue {
  const cut = (v: string) => (v.length > limit ? v.slice(0, limit) : v);
  const r: RawDialogue = { ...raw, turns: raw.turns.map((t) => ({ speaker: cut(t.speaker), text: cut(t.text) })) };
  for (const k of ['department', 'cate1', 'cate2', 'disease', 'title', 'description'] as const) if (raw[k] !== undefined) r[k] = cut(raw[k]);
  return r;
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
  const limit = MAX_RAW_CHARS_FACTOR * ctx.config.split.maxChars;
  const long = overLong(raw, limit);
  if (long) {
    return makeReject({
      stage: 'normalise', reason: 'normalise.too_long', origin: raw.origin, dialogueId: raw.id, input: scrubbedInput(clipped(raw, limit), opts),
      detail: `${long[0]} has ${long[1]} characters before cleaning; normalise reads at most ${limit} (${MAX_RAW_CHARS_FACTOR} × split.maxChars): split the text or raise split.maxChars`,
      evidence: { field: long[0], chars: long[1], limit },
    });
  }
  const source = templateSource(raw.origin);
  const memoT = cleanedMemo(source, cfg.toSimplified, cfg.scrubPii);
  // Patients' turns and fields without the doctor-only templates (solicitations), in a memo of their own.
  const optsP: TextOptions = { ...opts, templates: templatesFor(source, 'patient') };
  const memoP = cleanedMemo(`${source}\u0000patient`, cfg.toSimplified, cfg.scrubPii);
  const memoF = cleanedMemo('', cfg.toSimplified, cfg.scrubPii);
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
    const c = role === 'patient' ? cleanCounted(t.text, memoP, optsP) : cleanCounted(t.text, memoT, opts);
    if (!c.has) {
      if (c.hits && cleanCounted(t.text, memoF, fieldOpts).has) emptied++;
      continue;
    }
    const text = c.text;
    const prev = turns[turns.length - 1];
    if (cfg.mergeTurns && prev && prev.role === role) prev.text = `${prev.text}\n${text}`;
    else turns.push({ role, text });
  }
  if (turns.length > 0 && raw.description) {
    const desc = cleanCounted(raw.description, memoP, optsP);
    if (desc.has) {
      if (turns[0].role === 'doctor') turns.unshift({ role: 'patient', text: desc.text });
      else if (!turns[0].text.includes(desc.text)) {
        // A follow-up visit that opens with the patient's own words keeps them alone when its
        // description may be an earlier visit's (not ownDescription); a form value the page
        // repeated as the opening turn is replaced.
        const first = withDescription(desc.text, turns[0].text);
        const leaked = first !== `${desc.text}\n${turns[0].text}`;
        if (leaked || !raw.origin.visit || raw.ownDescription) turns[0].text = first;
      }
    }
  }
  if (cfg.dropTitleEcho && turns.length > 0 && turns[0].role === 'patient') {
    const once = withoutTitleEcho(turns[0].text);
    if (once !== undefined) {
      turns[0].text = once;
      counts.title_echoes_removed = (counts.title_echoes_removed ?? 0) + 1;
    }
  }
  addCounts(counts, prefixed('template.', templateHits));
  if (sum(templateHits) > 0) counts.dialogues_with_template = (counts.dialogues_with_template ?? 0) + 1;
  if (emptied) counts.turns_emptied_by_template = (counts.turns_emptied_by_template ?? 0) + emptied;
  if (turns.length === 0) {
    addCounts(counts, prefixed('pii.', piiCounts));
    return makeReject({
      stage: 'normalise', reason: 'normalise.empty', origin: raw.origin, dialogueId: raw.id, input: scrubbedInput(raw, opts),
      detail: raw.turns.length === 0
        ? 'the dialogue has no turn: its source holds no speaker line its importer knows (a label such as 【病人】 or 病 人：, or only an appointment note; README "What each stage does" lists the labels)'
        : `none of the ${raw.turns.length} turns has text after cleaning`,
    });
  }
  const d: Dialogue = { id: raw.id, origin: raw.origin, turns };
  const field = (s: string) => cleanCounted(s, memoF, fieldOpts).text;
  const dept = raw.department ? field(raw.department) : undefined;
  if (raw.cate1 !== undefined) d.cate1 = field(raw.cate1);
  if (raw.cate2 !== undefined) d.cate2 = field(raw.cate2);
  if (dept) d.department = dept;
  if (raw.disease) d.disease = field(raw.disease);
  if (raw.title) d.title = cleanCounted(raw.title, memoP, optsP).text;
  if (raw.singleTurn) d.singleTurn = true;
  addCounts(counts, prefixed('pii.', piiCounts));
  return d;
}

/**
 * The opening patient turn with the case description before it, when the patient speaks first
 * (MedDialog: a first visit that opens with the patient's line, or any visit whose opening turn is a
 * form value of the description the page repeated, 无（2020-03-19填写）): the description's lines
 * (four characters or more) the turn opens with are not repeated.
 */
export function withDescription(desc: string, turn: string): string {
  const lines = turn.split('\n');
  let k = 0;
  while (k < lines.length && (lines[k].trim() === '' || (lines[k].trim().length >= 4 && desc.includes(lines[k].trim())))) k++;
  const rest = lines.slice(k).join('\n');
  return rest ? `${desc}\n${rest}` : desc;
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
