/**
 * CMtMedQA `history` in the shapes re-published copies write it, read into the same patient /
 * doctor turns as the published [[q, a], ...]:
 * - pairs: [q, a] (two strings), or one object per round naming its question and answer in one
 *   of these ways: {q, a}, {question, answer}, {instruction, input?, output} (a non-empty input is
 *   appended to the instruction, as for the record itself), {input, output}, {prompt, response},
 *   {query, response} (Alpaca and ChatGLM-style exports); each entry may use its own shape;
 * - role messages, one per turn: {role, content} (OpenAI) or {from, value} (ShareGPT /
 *   LLaMA-Factory), roles user / human / patient → patient and assistant / gpt / bot / model /
 *   doctor → doctor, alternating from the patient and ending with the doctor (whole rounds).
 * A history given as JSON text in a string is read as that JSON. Anything else is ambiguous and the record an `import.schema` reject whose detail says what was
 * found: an entry of another shape, a pair object with two ways of naming its question (or a
 * text member besides them, which could belong to the turn), a tool message, a system message
 * anywhere but first (a first one is the prompt: returned as `system`, never a turn), messages
 * that do not alternate, messages mixed with pairs. Nothing here guesses or drops text.
 */
import type { RawTurn } from '../../schemas/dialogue.js';

/** `system`: the text of a leading system message (no turn: the caller records it, see cmtmedqa.ts). */
export type HistoryResult = { turns: RawTurn[]; system?: string } | { path: string; problem: string };

/** A pair object's names for its question and answer; instruction/output also takes `input`. */
const PAIR_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['q', 'a'],
  ['question', 'answer'],
  ['instruction', 'output'],
  ['input', 'output'],
  ['prompt', 'response'],
  ['query', 'response'],
];

const PATIENT_ROLES = new Set(['user', 'human', 'patient', '患者', '病人']);
const DOCTOR_ROLES = new Set(['assistant', 'gpt', 'bot', 'model', 'doctor', '医生']);

const EXPECTED =
  'expected [q, a] pairs, pair objects ({q, a}, {question, answer}, {instruction, input?, output}, {input, output}, ' +
  '{prompt|query, response}) or role messages ({role: user|assistant, content} / {from: human|gpt, value}) alternating from the patient';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What an entry is, for a reject's detail. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length} item(s)${v.length === 2 ? ' that are not both strings' : ''}`;
  if (isObject(v)) return `an object with keys {${Object.keys(v).slice(0, 8).join(', ')}}`;
  return v === null ? 'null' : `a ${typeof v}`;
}

function isMessage(v: unknown): v is Record<string, unknown> {
  return isObject(v) && ('role' in v || 'from' in v);
}

function fail(k: number, problem: string): HistoryResult {
  return { path: `history.${k}`, problem: `${problem}; ${EXPECTED}` };
}

/** The question and answer of a pair object, or why it is not one. */
function pairOf(o: Record<string, unknown>): { q: string; a: string } | string {
  const found = PAIR_KEYS.filter(([q, a]) => typeof o[q] === 'string' && typeof o[a] === 'string');
  // {instruction, input, output} is one way (its input is part of the question), not two.
  const ways = found.some(([q]) => q === 'instruction') ? found.filter(([q]) => q !== 'input') : found;
  if (ways.length === 0) return `${describe(o)} names no question and answer`;
  if (ways.length > 1) return `${describe(o)} names its question and answer in ${ways.length} ways (${ways.map((w) => w.join('/')).join(', ')})`;
  const [qKey, aKey] = ways[0];
  const used = new Set([qKey, aKey]);
  if (qKey === 'instruction') used.add('input');
  const extra = Object.keys(o).filter((k) => !used.has(k) && typeof o[k] === 'string' && (o[k] as string).trim() !== '');
  if (extra.length) return `${describe(o)} holds text in ${extra.map((k) => JSON.stringify(k)).join(', ')} besides its ${qKey}/${aKey}`;
  let q = (o[qKey] as string).trim();
  if (qKey === 'instruction' && typeof o.input === 'string' && o.input.trim()) q = `${q}\n${o.input.trim()}`;
  return { q, a: (o[aKey] as string).trim() };
}

/** A message's role, lower-cased, when it is a {role|from: string} message. */
function roleOf(m: unknown): string | undefined {
  if (!isMessage(m)) return undefined;
  const role = 'role' in m ? m.role : m.from;
  return typeof role === 'string' ? role.trim().toLowerCase() : undefined;
}

function messageTurns(history: unknown[]): HistoryResult {
  const turns: RawTurn[] = [];
  // A system message first (LLaMA-Factory / OpenAI chat exports) is the prompt, not a turn.
  let system: string | undefined;
  let first = 0;
  if (roleOf(history[0]) === 'system') {
    const m = history[0] as Record<string, unknown>;
    const text = 'role' in m ? m.content : m.value;
    if (typeof text !== 'string') return fail(0, `the system message's ${'role' in m ? 'content' : 'value'} is ${describe(text)}`);
    system = text;
    first = 1;
  }
  for (let k = first; k < history.length; k++) {
    const m = history[k];
    if (!isMessage(m)) return fail(k, `${describe(m)} among role messages`);
    const hasRole = 'role' in m;
    if (hasRole && 'from' in m) return fail(k, `${describe(m)} has both a role and a from`);
    const role = hasRole ? m.role : m.from;
    const textKey = hasRole ? 'content' : 'value';
    const text = m[textKey];
    if (typeof role !== 'string') return fail(k, `the message's ${hasRole ? 'role' : 'from'} is ${describe(role)}`);
    if (typeof text !== 'string') return fail(k, `the ${JSON.stringify(role)} message's ${textKey} is ${describe(text)}`);
    const r = role.trim().toLowerCase();
    const speaker = PATIENT_ROLES.has(r) ? 'patient' : DOCTOR_ROLES.has(r) ? 'doctor' : null;
    if (!speaker) return fail(k, `a message with role ${JSON.stringify(role)} (only patient and doctor turns are read)`);
    const want = (k - first) % 2 === 0 ? 'patient' : 'doctor';
    if (speaker !== want) return fail(k, `the roles are ${history.map((x) => JSON.stringify(isObject(x) ? (x.role ?? x.from) : x)).join(', ')}, which do not alternate from the patient`);
    turns.push({ speaker, text: text.trim() });
  }
  if (turns.length % 2 === 1) return fail(history.length - 1, 'the messages end with a patient turn (no answer closes the round)');
  return system === undefined ? { turns } : { turns, system };
}

/**
 * The turns of a record's history, or where and why it is not one of the accepted shapes. A
 * history given as a string (a CSV column turned back into JSON) is read when it is empty (no
 * history) or JSON text of an array; any other string (Python's repr with single quotes …) is
 * not guessed at.
 */
export function historyTurns(history: readonly unknown[] | string): HistoryResult {
  if (typeof history === 'string') {
    if (history.trim() === '') return { turns: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(history);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed)) return { path: 'history', problem: `a string that is not JSON text of an array (${JSON.stringify(history.slice(0, 40))}…); ${EXPECTED}` };
    return historyTurns(parsed);
  }
  if (history.length > 0 && isMessage(history[0])) return messageTurns(history as unknown[]);
  const turns: RawTurn[] = [];
  for (let k = 0; k < history.length; k++) {
    const h = history[k];
    let q: string;
    let a: string;
    if (Array.isArray(h)) {
      if (h.length !== 2 || typeof h[0] !== 'string' || typeof h[1] !== 'string') return fail(k, describe(h));
      q = h[0].trim();
      a = h[1].trim();
    } else if (isMessage(h)) {
      return fail(k, `a role message among pairs`);
    } else if (isObject(h)) {
      const p = pairOf(h);
      if (typeof p === 'string') return fail(k, p);
      ({ q, a } = p);
    } else return fail(k, describe(h));
    turns.push({ speaker: 'patient', text: q }, { speaker: 'doctor', text: a });
  }
  return { turns };
}
