/**
 * The file-level length-cap decision. Some dumps were saved from a form or a database column that
 * cut every text at a fixed length: Huatuo26M's test file cuts the patient's question at 57
 * characters (137 questions of exactly 57 characters against about 45 at each length around it,
 * 121 of them ending mid-word: …做完回来的时候也没出什), at 110 (61 against about 6) and at 255 (23
 * questions, 21 mid-word). A
 * record whose question stops mid-sentence teaches the model to answer what the patient did not
 * say, so such texts are found per file and their records are `quality.truncated`.
 *
 * A cap shows as a spike in the file's histogram of turn lengths (per speaker role): a length L
 * with at least MIN_AT_CAP turns (of as many different texts), SPIKE× the mean count of the
 * lengths around it (L−WINDOW…L+WINDOW), whose turns end without sentence-final punctuation far
 * more often than the turns around it do. Then every turn of that role of exactly L characters
 * that ends without such punctuation or a sentence-final particle is cut (a question of 57
 * characters ending in ？ or 呢 is whole). The mark is on the dialogue, so every record of a
 * dialogue with a cut turn is quality.truncated (the dumps with caps are single-turn Q&A).
 *
 * The histogram is of the file's first `quality.truncation.sample` dialogues (and at most
 * SAMPLE_MAX_CHARS of their text), in file order, so every executor decides the same; those
 * dialogues (and the rejects between them) are held before the first item goes on. Lengths are of
 * the text as imported (the importer's trim only), before normalise changes them.
 */
import type { RawDialogue } from '../../../schemas/dialogue.js';
import type { ImportItem } from '../../sources/types.js';
import { roleOf } from '../normalise/roles.js';
import { markByHead } from './file-head.js';

/** Turns of one length the spike needs at least (and as many different texts). */
export const MIN_AT_CAP = 8;
/** How many times the mean count of the lengths around it. */
export const SPIKE = 2.5;
/** Lengths on each side the spike is compared with. */
const WINDOW = 5;
/** No cap below this many characters: short turns pile up at short lengths naturally. */
const MIN_CAP = 20;
/** The share of turns at L ending unpunctuated must exceed the neighbours' share by this much. */
const OPEN_MARGIN = 0.25;
/** And be at least this. */
const OPEN_MIN = 0.6;
/** Pseudo-count of the role's overall open share in the neighbours' share. */
const PRIOR = 10;

/**
 * Sentence-final punctuation (and closing brackets/quotes after it), or a sentence-final particle
 * (…这是怎么回事呢, …能治好吗: a question without its ？): a text ending so is whole. Read off the
 * last character that is not whitespace (a `$`-anchored regex would try every position of the text).
 */
const CLOSED_END = new Set([...'。？！?!.…~～）)」』”"\'’》】]', ...'吗呢吧啊呀嘛哇哦']);

export function endsOpen(text: string): boolean {
  let i = text.length - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return i < 0 || !CLOSED_END.has(text[i]);
}

export type CapRole = 'patient' | 'doctor' | 'other';

export interface LengthCap {
  role: CapRole;
  /** The cap, in characters (UTF-16 code units, as String.length). */
  chars: number;
  /** Turns of the role at exactly `chars`, how many of them end open, and the mean count around it. */
  atCap: number;
  openAtCap: number;
  around: number;
}

function capRole(speaker: string): CapRole {
  const r = roleOf(speaker);
  return r === 'patient' ? 'patient' : r === 'doctor' ? 'doctor' : 'other';
}

/** The caps a sample of dialogues shows, per role (usually none). */
export function findCaps(dialogues: RawDialogue[]): LengthCap[] {
  const by = new Map<CapRole, { count: Map<number, number>; open: Map<number, number>; texts: Map<number, Set<string>>; turns: number; opened: number; openShare: number }>();
  for (const d of dialogues) {
    for (const t of d.turns) {
      const role = capRole(t.speaker);
      let h = by.get(role);
      if (!h) by.set(role, (h = { count: new Map(), open: new Map(), texts: new Map(), turns: 0, opened: 0, openShare: 0 }));
      const n = t.text.length;
      h.count.set(n, (h.count.get(n) ?? 0) + 1);
      h.turns++;
      if (endsOpen(t.text)) {
        h.open.set(n, (h.open.get(n) ?? 0) + 1);
        h.opened++;
      }
      if (n >= MIN_CAP) {
        let s = h.texts.get(n);
        if (!s) h.texts.set(n, (s = new Set()));
        if (s.size < MIN_AT_CAP) s.add(t.text);
      }
    }
  }
  const caps: LengthCap[] = [];
  for (const [role, h] of by) {
    h.openShare = h.opened / h.turns;
    for (const [n, c] of h.count) {
      if (n < MIN_CAP || c < MIN_AT_CAP || (h.texts.get(n)?.size ?? 0) < MIN_AT_CAP) continue;
      let sum = 0;
      let open = 0;
      for (let k = n - WINDOW; k <= n + WINDOW; k++) {
        if (k === n) continue;
        sum += h.count.get(k) ?? 0;
        open += h.open.get(k) ?? 0;
      }
      const around = sum / (2 * WINDOW);
      if (c < SPIKE * Math.max(1, around)) continue;
      const openAt = h.open.get(n) ?? 0;
      const share = openAt / c;
      // the neighbours' share, drawn towards the role's overall share when they are few (a cap far
      // out at 255 characters has one or two turns around it)
      const aroundShare = (open + PRIOR * h.openShare) / (sum + PRIOR);
      if (share < OPEN_MIN || share < aroundShare + OPEN_MARGIN) continue;
      caps.push({ role, chars: n, atCap: c, openAtCap: openAt, around: Math.round(around * 10) / 10 });
    }
  }
  return caps.sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : a.chars - b.chars));
}

/** The cap that cuts one of the dialogue's turns, if any. */
export function cutBy(d: RawDialogue, caps: LengthCap[]): { cap: LengthCap; turn: number } | undefined {
  for (let i = 0; i < d.turns.length; i++) {
    const t = d.turns[i];
    const n = t.text.length;
    for (const cap of caps) if (cap.chars === n && cap.role === capRole(t.speaker) && endsOpen(t.text)) return { cap, turn: i };
  }
  return undefined;
}

/**
 * Characters of turns the sample holds at most, whatever `sample` says (16 MB of text): a file of
 * huge dialogues is sampled on fewer of them rather than held whole before its first item goes on.
 */
export const SAMPLE_MAX_CHARS = 8_000_000;

/**
 * The items of one file, with every dialogue that has a turn cut at one of the file's length caps
 * marked (origin.lengthCap). Holds at most `sample` dialogues (and SAMPLE_MAX_CHARS of their text) before the first item goes on.
 * `onCaps` hears the file's caps once, when there are any (for the log).
 */
export function markCappedFile(items: AsyncIterable<ImportItem>, sample: number, onCaps?: (caps: LengthCap[]) => void): AsyncGenerator<ImportItem> {
  let chars = 0;
  const full = (head: RawDialogue[], last: RawDialogue) => {
    for (const t of last.turns) chars += t.text.length;
    return head.length >= sample || chars >= SAMPLE_MAX_CHARS;
  };
  return markByHead(items, full, (head) => {
    const caps = findCaps(head);
    if (caps.length === 0) return (item) => item;
    onCaps?.(caps);
    return (item) => {
      if (item.kind === 'dialogue') {
        const cut = cutBy(item.dialogue, caps);
        if (cut) item.dialogue.origin.lengthCap = { role: cut.cap.role, chars: cut.cap.chars, turn: cut.turn, atCap: cut.cap.atCap, around: cut.cap.around };
      }
      return item;
    };
  });
}
