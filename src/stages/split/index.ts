/**
 * split: Dialogue → CMtMedQA records. Groups turns into rounds (patient turns, then the doctor's
 * answer), cuts long dialogues into windows by round and character budgets, and tags proactive
 * inquiry. Every record starts with a patient turn and ends with a doctor turn (`output`).
 */
import type { Dialogue } from '../../../schemas/dialogue.js';
import type { CMtMedQARecord, RecordEnvelope } from '../../../schemas/record.js';
import type { Reject } from '../../../schemas/reject.js';
import { contentId } from '../../core/ids.js';
import { makeReject } from '../../core/reject.js';
import type { StageContext, StageResult } from '../types.js';
import { isInquiry } from './inquiry.js';
import { cateOf } from './taxonomy.js';

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

export function splitOne(d: Dialogue, ctx: StageContext): StageResult<RecordEnvelope> {
  const cfg = ctx.config.split;
  const rejects: Reject[] = [];
  const reject = (reason: 'split.no_patient_turn' | 'split.no_doctor_turn' | 'split.too_short' | 'split.too_long', detail: string, input: unknown = d, evidence?: unknown) =>
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
  if (rounds.length === 0) {
    reject('split.no_doctor_turn', `no doctor turn follows any of the patient's turns (${d.turns.length} turns)`);
    return { out: [], rejects };
  }
  if (rounds.length < cfg.minRounds) {
    reject('split.too_short', `${rounds.length} round(s), fewer than split.minRounds = ${cfg.minRounds}`);
    return { out: [], rejects };
  }

  const cate = d.cate1 !== undefined && d.cate2 !== undefined ? { cate1: d.cate1, cate2: d.cate2 } : cateOf(d.department) ?? cateOf(d.title);
  const cate1 = cate?.cate1 || cfg.defaultCate1;
  const cate2 = cate?.cate2 || cfg.defaultCate2;
  const inquiry = rounds.map((r) => isInquiry(r.doctor));

  const windows: Array<[number, number]> = []; // [start, end) round indexes
  const tooLong = (r: Round) => r.chars > cfg.maxChars;
  if (cfg.windows === 'chunks') {
    let start = -1;
    let chars = 0;
    for (let i = 0; i < rounds.length; i++) {
      const r = rounds[i];
      if (tooLong(r)) {
        if (start >= 0) windows.push([start, i]);
        start = -1;
        reject('split.too_long', `round ${i} has ${r.chars} characters, more than split.maxChars = ${cfg.maxChars}`, { round: i, patient: r.patient, doctor: r.doctor }, { round: i, chars: r.chars });
        continue;
      }
      if (start >= 0 && (i - start >= cfg.maxRounds || chars + r.chars > cfg.maxChars)) {
        windows.push([start, i]);
        start = -1;
      }
      if (start < 0) {
        start = i;
        chars = 0;
      }
      chars += r.chars;
    }
    if (start >= 0) windows.push([start, rounds.length]);
  } else {
    for (let i = 0; i < rounds.length; i++) {
      if (tooLong(rounds[i])) {
        reject('split.too_long', `round ${i} has ${rounds[i].chars} characters, more than split.maxChars = ${cfg.maxChars}`, { round: i }, { round: i, chars: rounds[i].chars });
        continue;
      }
      let start = i;
      let chars = rounds[i].chars;
      while (start > 0 && i - start + 1 < cfg.maxRounds && !tooLong(rounds[start - 1]) && chars + rounds[start - 1].chars <= cfg.maxChars) {
        start--;
        chars += rounds[start].chars;
      }
      windows.push([start, i + 1]);
    }
  }

  const out: RecordEnvelope[] = windows.map(([s, e], w) => {
    const last = rounds[e - 1];
    const record: CMtMedQARecord = {
      id: `cmt-${contentId({ dialogue: d.id, window: w, start: s, end: e }, 20)}`,
      cate1,
      cate2,
      instruction: last.patient,
      input: '',
      output: last.doctor,
      history: rounds.slice(s, e - 1).map((r) => [r.patient, r.doctor] as [string, string]),
    };
    const inquiryTurns: number[] = [];
    for (let k = s; k < e; k++) if (inquiry[k]) inquiryTurns.push(k - s);
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
