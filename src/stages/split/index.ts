/**
 * split: Dialogue → CMtMedQA records. Groups turns into rounds (patient turns, then the doctor's
 * answer), cuts long dialogues into windows by round and character budgets, and tags proactive
 * inquiry. Every record starts with a patient turn and ends with a doctor turn (`output`). A
 * colon or empty form label left at the end of a round's merged text goes (dangling.ts).
 *
 * Records worth training on (README "Records worth training on"):
 *  - only an *informative* round may end a record (be its instruction/output): not a
 *    pleasantry-only answer (pleasantry.ts; 谢谢→不客气, 好的→好的), not an answer under
 *    split.minOutputChars meaningful characters, not an instruction under
 *    split.minInstructionChars ("吗"). Such rounds are folded into context: a window that would
 *    end on them ends at its last informative round instead, and they open the next window's
 *    history. Rounds that no record takes (the dialogue's tail after its last informative round,
 *    or a full window without one) become one reject: split.pleasantry_only / split.thin_output /
 *    split.thin_instruction (the reason of the round that would have been the output), so the
 *    accounting still shows them.
 *  - continuation windows (not starting at round 0) carry round 0, the case description and its
 *    first answer, as history[0] (CMtMedQA_test.json: every record's history[0][0] is the opening
 *    case, `input` is empty in all 1,000 multi-turn records), within the same budgets.
 *  - one department per dialogue: decided once here (source cate pair or department, through the
 *    taxonomy) for all its windows; graph-inferred ones are made one per dialogue after validate
 *    (department.ts).
 *
 * Whether a doctor text is pleasantry only and whether it asks (isPleasantry, isInquiry: pure on
 * the text) are memoised per text (normalise/memo.ts, bounded).
 */
import type { Dialogue } from '../../../schemas/dialogue.js';
import type { CMtMedQARecord, RecordEnvelope } from '../../../schemas/record.js';
import type { Reject } from '../../../schemas/reject.js';
import { contentId, contentIdOfJson } from '../../core/ids.js';
import { makeReject } from '../../core/reject.js';
import { TextMemo } from '../normalise/memo.js';
import type { StageContext, StageResult } from '../types.js';
import { isShortAnswer, isSubstantiveAfterShortTurn, isYesAnswer } from './answer.js';
import { ASK_FORM_FORMATS, withoutDanglingLabels } from './dangling.js';
import { isInquiry } from './inquiry.js';
import { meaningfulChars, isClosingRound, isPleasantry } from './pleasantry.js';
import { canonicalPair, cateOf } from './taxonomy.js';

interface Round {
  patient: string;
  doctor: string;
  chars: number;
}

/** Patient run then doctor run = one round. Doctor turns before any patient turn are dropped. */
export function toRounds(d: Dialogue): { rounds: Round[]; leadingDoctor: number; trailingPatient: boolean } {
  const rounds: Round[] = [];
  let leadingDoctor = 0;
  let p: string[] = [];
  let doc: string[] = [];
  const flush = () => {
    if (p.length && doc.length) {
      const patient = p.join('\n');
      const doctor = doc.join('\n');
      rounds.push({ patient, doctor, chars: patient.length + doctor.length });
    }
    p = [];
    doc = [];
  };
  for (const t of d.turns) {
    if (t.role === 'patient') {
      if (doc.length) flush();
      p.push(t.text);
    } else if (p.length) doc.push(t.text);
    else if (rounds.length === 0) leadingDoctor++;
    else rounds[rounds.length - 1].doctor += `\n${t.text}`;
  }
  const trailingPatient = p.length > 0 && doc.length === 0;
  flush();
  return { rounds, leadingDoctor, trailingPatient };
}

/** contentId({ dialogue, window, start, end }, 20), written in its canonical (sorted) key order directly. */
export function recordId(dialogue: string, window: number, start: number, end: number): string {
  if (typeof dialogue !== 'string') return contentId({ dialogue, window, start, end }, 20);
  return contentIdOfJson(JSON.stringify({ dialogue, end, start, window }), 20);
}

type ThinReason = 'split.pleasantry_only' | 'split.thin_output' | 'split.thin_instruction';
type SplitReason = 'split.no_patient_turn' | 'split.no_doctor_turn' | 'split.too_short' | 'split.too_long' | ThinReason;

/** Per doctor text: isInquiry, and isPleasantry and meaningfulChars once asked. */
interface DoctorText {
  inquiry: boolean;
  pleasantry?: boolean;
  meaningful?: number;
}
const DOCTOR = new TextMemo<DoctorText>('split.doctor');
function doctorText(text: string): DoctorText {
  let d = DOCTOR.peek(text);
  if (d === undefined) DOCTOR.put(text, (d = { inquiry: isInquiry(text) }));
  return d;
}

/**
 * isPleasantry of a doctor text, from the split memo when split saw it (a record's output is its
 * last round's doctor text, whose answer split has mostly computed already): the run statistics
 * ask it for every accepted record.
 */
export function pleasantryOfDoctorText(text: string): boolean {
  const d = DOCTOR.peek(text);
  return d === undefined ? isPleasantry(text) : (d.pleasantry ??= isPleasantry(text));
}

/** A greeting, which answers no question (你好, 医生您好, 在吗). */
const GREETING = /^(?:医生|大夫)?(?:你好|您好|在吗|在不在|hi|hello)[啊呀吗！!。.，,？?~～\s]*$/i;

/** Why round r may not end a record, or null when it may. */
function thinReason(r: Round, d: DoctorText, cfg: StageContext['config']['split'], lone: boolean): ThinReason | null {
  // A lone extracted Q/A (singleTurn: Huatuo's 推荐药有些什么 → 抗生素 templates) has no dialogue to carry a short answer.
  const shortAnswers = cfg.shortAnswers && !lone;
  if (cfg.pleasantryOnly === 'reject' && ((d.pleasantry ??= isPleasantry(r.doctor)) || isClosingRound(r.patient, r.doctor))) {
    // 可以吃吗 → 可以的: a yes to a yes/no question answers it (a closing round never does)
    if (!(shortAnswers && d.pleasantry && isYesAnswer(r.patient, r.doctor))) return 'split.pleasantry_only';
  } else if (cfg.minOutputChars > 0 && (d.meaningful ??= meaningfulChars(r.doctor)) < cfg.minOutputChars) {
    // 几分钟 → 五分钟以上: a short answer to the patient's question
    if (!(shortAnswers && isShortAnswer(r.patient, r.doctor))) return 'split.thin_output';
  }
  if (cfg.minInstructionChars > 0 && meaningfulChars(r.patient) < cfg.minInstructionChars) return 'split.thin_instruction';
  return null;
}

/** The dialogue's one department: its own cate pair, else its department or title, through the taxonomy. */
export function dialogueCate(d: Dialogue, cfg: StageContext['config']['split']): { cate1: string; cate2: string } {
  const own = d.cate1 !== undefined || d.cate2 !== undefined ? canonicalPair(d.cate1, d.cate2) : undefined;
  const cate = own ?? cateOf(d.department) ?? cateOf(d.title);
  return { cate1: cate?.cate1 || cfg.defaultCate1, cate2: cate?.cate2 || cfg.defaultCate2 };
}

export function splitOne(d: Dialogue, ctx: StageContext): StageResult<RecordEnvelope> {
  const cfg = ctx.config.split;
  const rejects: Reject[] = [];
  const reject = (reason: SplitReason, detail: string, input: unknown = d, evidence?: unknown) =>
    rejects.push(makeReject({ stage: 'split', reason, detail, origin: d.origin, dialogueId: d.id, input, evidence }));

  if (d.singleTurn && !cfg.includeSingleTurn) {
    reject('split.too_short', 'single-turn Q/A excluded by split.includeSingleTurn: false');
    return { out: [], rejects };
  }
  if (!d.turns.some((t) => t.role === 'patient')) {
    reject('split.no_patient_turn', `all ${d.turns.length} turns are the doctor's`);
    return { out: [], rejects };
  }
  const { rounds } = toRounds(d);
  // The merged texts are whole now: a colon or form label at their end announces nothing (dangling.ts).
  // Rejects show the rounds as written (a question of empty labels only is a thin_instruction of "").
  const promptLines = ASK_FORM_FORMATS.has(d.origin.format);
  const written = rounds.map((r) => ({ patient: r.patient, doctor: r.doctor }));
  for (const r of rounds) {
    r.patient = withoutDanglingLabels(r.patient, promptLines);
    r.doctor = withoutDanglingLabels(r.doctor, promptLines);
    r.chars = r.patient.length + r.doctor.length;
  }
  if (rounds.length === 0) {
    reject('split.no_doctor_turn', `no doctor turn follows any of the patient's turns (${d.turns.length} turns)`);
    return { out: [], rejects };
  }
  if (rounds.length < cfg.minRounds) {
    reject('split.too_short', `${rounds.length} round(s), fewer than split.minRounds = ${cfg.minRounds}`);
    return { out: [], rejects };
  }

  const { cate1, cate2 } = dialogueCate(d, cfg);
  const doctor = rounds.map((r) => doctorText(r.doctor));
  const inquiry = doctor.map((x) => x.inquiry);
  const thin = rounds.map((r, i) => thinReason(r, doctor[i], cfg, d.singleTurn === true));
  // A short reply to the doctor's question (split.inquiryReplies) may end a record that holds the question.
  // A short turn (好的, 嗯, 是啊) answered substantively may end a record that holds earlier rounds (split.contextualInstructions).
  const reply = rounds.map(
    (r, i) =>
      i > 0 &&
      thin[i] === 'split.thin_instruction' &&
      ((cfg.inquiryReplies && inquiry[i - 1] && !GREETING.test(r.patient)) || (cfg.contextualInstructions && isSubstantiveAfterShortTurn(r.patient, r.doctor))),
  );
  /** Round j may end a record whose window starts at round s (a reply only with its question or context before it). */
  const endsAt = (j: number, s: number) => thin[j] === null || (reply[j] && j > s);
  // Round 0 rides along in continuation windows only when it leaves room for at least as much again.
  const carry = cfg.carryDescription && rounds.length > 1 && rounds[0].chars <= cfg.maxChars / 2;
  const capRounds = (s: number) => (carry && s > 0 ? cfg.maxRounds - 1 : cfg.maxRounds);
  const capChars = (s: number) => (carry && s > 0 ? cfg.maxChars - rounds[0].chars : cfg.maxChars);

  const windows: Array<[number, number]> = []; // [start, end) round indexes
  const tooLong = (r: Round) => r.chars > cfg.maxChars;
  const rejectTooLong = (i: number) =>
    reject('split.too_long', `round ${i} has ${rounds[i].chars} characters, more than split.maxChars = ${cfg.maxChars}`, { round: i, ...written[i] }, { round: i, chars: rounds[i].chars });
  /** Rounds [s, e) that no record takes: one reject named after the round that would have been the output. */
  const rejectUnused = (s: number, e: number, why: string) => {
    const reason = thin[e - 1] ?? 'split.thin_output';
    const list = written.slice(s, e).map((r, k) => ({ round: s + k, reason: thin[s + k], patient: r.patient, doctor: r.doctor }));
    reject(reason, `rounds ${s}–${e - 1} end no record (${why}): ${[...new Set(list.map((x) => x.reason))].join(', ')}`, { rounds: list }, { rounds: list.map((x) => ({ round: x.round, reason: x.reason })) });
  };
  /** The end of a window over [s, e): after its last informative round; -1 when it has none. */
  const lastEnd = (s: number, e: number) => {
    for (let j = e - 1; j >= s; j--) if (endsAt(j, s)) return j + 1;
    return -1;
  };

  if (cfg.windows === 'chunks') {
    let start = -1;
    let chars = 0;
    for (let i = 0; i < rounds.length; i++) {
      const r = rounds[i];
      if (tooLong(r)) {
        if (start >= 0) {
          const e = lastEnd(start, i);
          if (e > 0) windows.push([start, e]);
          if (e < i) rejectUnused(e > 0 ? e : start, i, 'an over-long round follows');
        }
        start = -1;
        rejectTooLong(i);
        continue;
      }
      if (start >= 0 && (i - start >= capRounds(start) || chars + r.chars > capChars(start))) {
        const e = lastEnd(start, i);
        if (e < 0) {
          rejectUnused(start, i, 'a full window without an informative answer');
          start = -1;
        } else {
          windows.push([start, e]);
          start = -1;
          // the thin rounds after the cut open the next window, as its context
          if (e < i) {
            i = e - 1;
            continue;
          }
        }
      }
      if (start < 0) {
        start = i;
        chars = 0;
      }
      chars += r.chars;
    }
    if (start >= 0) {
      const e = lastEnd(start, rounds.length);
      if (e > 0) windows.push([start, e]);
      if (e < rounds.length) rejectUnused(e > 0 ? e : start, rounds.length, 'no informative answer after them');
    }
  } else {
    let covered = 0; // rounds [0, covered) are in some record
    for (let i = 0; i < rounds.length; i++) {
      if (tooLong(rounds[i])) {
        rejectTooLong(i);
        continue;
      }
      if (thin[i] !== null && !reply[i]) continue; // context of the next record, not a record of its own
      let start = i;
      let chars = rounds[i].chars;
      const fits = (k: number) => i - k + 1 < capRounds(k - 1) && !tooLong(rounds[k - 1]) && chars + rounds[k - 1].chars <= capChars(k - 1);
      while (start > 0 && fits(start)) {
        start--;
        chars += rounds[start].chars;
      }
      if (!endsAt(i, start)) continue; // a reply whose question does not fit: context of the next record
      windows.push([start, i + 1]);
      covered = i + 1;
    }
    // Thin rounds after the last record's output are in no record (over-long ones are rejected already).
    let tail = rounds.length;
    while (tail > covered && tooLong(rounds[tail - 1])) tail--;
    if (tail > covered) rejectUnused(covered, tail, 'no informative answer after them');
  }

  const out: RecordEnvelope[] = windows.map(([s, e], w) => {
    const last = rounds[e - 1];
    const withRound0 = carry && s > 0;
    const history = rounds.slice(s, e - 1).map((r) => [r.patient, r.doctor] as [string, string]);
    if (withRound0) history.unshift([rounds[0].patient, rounds[0].doctor]);
    const record: CMtMedQARecord = {
      id: `cmt-${recordId(d.id, w, s, e)}`,
      cate1,
      cate2,
      instruction: last.patient,
      input: '',
      output: last.doctor,
      history,
    };
    const inquiryTurns: number[] = [];
    const offset = withRound0 ? 1 : 0;
    if (withRound0 && inquiry[0]) inquiryTurns.push(0);
    for (let k = s; k < e; k++) if (inquiry[k]) inquiryTurns.push(k - s + offset);
    return {
      record,
      dialogueId: d.id,
      origin: { ...d.origin, window: w },
      annotations: { inquiryTurns, outputIsInquiry: inquiry[e - 1] },
    };
  });
  return { out, rejects };
}

export function split(input: Dialogue[], ctx: StageContext): StageResult<RecordEnvelope> {
  const out: RecordEnvelope[] = [];
  const rejects: Reject[] = [];
  for (const d of input) {
    const r = splitOne(d, ctx);
    for (const x of r.out) out.push(x);
    for (const x of r.rejects) rejects.push(x);
  }
  return { out, rejects };
}
