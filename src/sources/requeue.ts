/**
 * `requeue`: JSON lines of RawDialogue written by `cmtmedqa rejects requeue`, so rejected inputs
 * go through the pipeline again after a rule was fixed. Each dialogue keeps its original id and
 * origin; a line that is not a RawDialogue is an import.parse_error / import.schema reject, and
 * one whose text holds U+FFFD (a hand-edited file, or one an older `rejects requeue` wrote from an
 * import.encoding reject) is an import.encoding reject, as in every other source: garbled text
 * never reaches a shard by way of a requeue.
 */
import { RawDialogue } from '../../schemas/dialogue.js';
import type { Origin } from '../../schemas/dialogue.js';
import type { Reject } from '../../schemas/reject.js';
import { CMtMedQARecord } from '../../schemas/record.js';
import { Dialogue } from '../../schemas/dialogue.js';
import { contentId } from '../core/ids.js';
import { decodeText } from './encoding.js';
import { clip, rejectItem, replacementChars } from './item.js';
import { LineReader } from './lines.js';
import type { ImportInput, ImportItem } from './types.js';

export async function* importRequeue(input: ImportInput): AsyncGenerator<ImportItem> {
  let n = 0;
  /** Dialogue id → the line that had it: records take their ids from the dialogue's, so a second line with one would put two records under one id. */
  const seen = new Map<string, number>();
  for await (const lines of new LineReader(decodeText(input.bytes, input.encoding))) {
    for (const line of lines) {
      if (!line.trim()) continue;
      n++;
      const origin: Origin = { format: 'cmtmedqa', file: input.file, sourceId: `requeue-${n}`, position: n };
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        yield rejectItem('import.parse_error', `line ${n} is not JSON: ${(e as Error).message}`, origin, clip(line));
        continue;
      }
      const d = RawDialogue.safeParse(value);
      if (!d.success) {
        yield rejectItem('import.schema', `line ${n} is not a RawDialogue: ${d.error.issues[0]?.path.join('.')}: ${d.error.issues[0]?.message}`, origin, value);
        continue;
      }
      const first = seen.get(d.data.id);
      if (first !== undefined) {
        yield rejectItem('import.schema', `line ${n} repeats the id ${d.data.id} of line ${first}: a requeue file holds each dialogue once (\`cmtmedqa rejects requeue\` writes it so); remove the line or give it an id of its own`, origin, value);
        continue;
      }
      seen.set(d.data.id, n);
      const bad = replacementChars(d.data);
      if (bad > 0) {
        yield rejectItem('import.encoding', `line ${n}: ${bad} undecodable byte sequence(s) (U+FFFD) in the dialogue text`, d.data.origin, value, { dialogueId: d.data.id, evidence: { replacementChars: bad } });
        continue;
      }
      yield { kind: 'dialogue', dialogue: d.data };
    }
  }
}

/**
 * Reasons whose rejects hold a dialogue that must not run again as it is: normalise.too_long keeps
 * its dialogue cut to the limit (a run with a higher split.maxChars would accept the cut text as
 * the whole utterance).
 */
export const CLIPPED_INPUT_REASONS: ReadonlySet<string> = new Set(['normalise.too_long']);

/** Stages whose rejects hold what the source file said (import.encoding: a dialogue with U+FFFD), not a dialogue to run again. */
const RAW_STAGES: ReadonlySet<string> = new Set(['import', 'scrape', 'parse']);

/**
 * The dialogue a reject's input stands for, when it can be processed again: a raw dialogue
 * (normalise, executor rejects), a normalised dialogue (split rejects) or a record (validate,
 * dedup, filter rejects). Import-level inputs are raw text, or a dialogue the importer refused
 * (undecodable bytes): fix the source file instead. A raw dialogue without a turn holds no text to
 * process: fix the source file (or its importer). A clipped input (CLIPPED_INPUT_REASONS) is not
 * the dialogue: run its source again.
 */
export function requeueable(r: Reject): RawDialogue | undefined {
  if (RAW_STAGES.has(r.stage) || CLIPPED_INPUT_REASONS.has(r.reason)) return undefined;
  const raw = RawDialogue.safeParse(r.input);
  // No turn read from the source (speaker labels its importer does not know): replayed, it is the
  // same normalise.empty reject again whatever rule is fixed; the text is only in the source file.
  if (raw.success) return raw.data.turns.length ? raw.data : undefined;
  const d = Dialogue.safeParse(r.input);
  if (d.success) {
    const { turns, ...rest } = d.data;
    return { ...rest, turns: turns.map((t) => ({ speaker: t.role, text: t.text })) };
  }
  const inner = r.input && typeof r.input === 'object' && 'record' in r.input ? (r.input as { record: unknown }).record : r.input;
  const rec = CMtMedQARecord.safeParse(inner);
  if (rec.success) {
    const x = rec.data;
    const turns = [];
    for (const [q, a] of x.history) turns.push({ speaker: 'patient', text: q }, { speaker: 'doctor', text: a });
    turns.push({ speaker: 'patient', text: x.input ? `${x.instruction}\n${x.input}` : x.instruction }, { speaker: 'doctor', text: x.output });
    const { window: _w, ...origin } = r.origin;
    return { id: contentId({ requeued: x.id, dialogue: r.dialogueId }), origin, turns, cate1: x.cate1, cate2: x.cate2 };
  }
  return undefined;
}
