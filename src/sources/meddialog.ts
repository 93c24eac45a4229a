/**
 * MedDialog-CN raw text (haodf): one block per consultation,
 *   id=N                    (also ID=N, ｉｄ＝N: re-typed copies; their section headers may be
 *                            full-width too, Ｄｉａｌｏｇｕｅ, or indented with ideographic spaces)
 *   <url>
 *   Doctor faculty          (optional: "<hospital>  <department>")
 *   Description             (疾病：…, 病情描述：…, 已就诊医院及科室：… — kept as description)
 *   Dialogue                (speaker line 病人：/医生：/患者：/大夫： — full- or half-width colon — then the
 *                            utterance on the following line(s), up to the next speaker line)
 *   Diagnosis and suggestions (optional, not turns; in the real dump sometimes glued to text)
 * A block may repeat Description/Dialogue/Diagnosis for follow-up visits: each Dialogue section
 * becomes its own RawDialogue with origin.visit = 0, 1, 2… (set only when there are several),
 * sharing the block's sourceId and position; its description is the latest Description before it.
 * A section holding only the patient's turns is joined to the front of the next section (the
 * doctor's answer to it: see answeredVisits).
 * A block without any Dialogue section is one `import.no_dialogue` reject, unless its Description
 * ends in the doctor's case note with 初步诊断 and advice (diagnosisNote: one single-turn dialogue); a last block cut off
 * (no final newline, or a speaker line with no utterance at the end) is `import.truncated`.
 * The patient's family or the patient in person (家属, 家长, 患者家属, 病人家属, 患者本人, Patient)
 * and the doctor's assistant (助理, 医助, 医生助理, Doctor) start turns as 病人/医生 do (label alone
 * on its line, or the utterance after it on the same line); normalise maps them to their side.
 * A `护士：` (nurse), `客服：` (customer service) or `系统：` (system message) line starts a turn of
 * its own with that speaker, never text of the turn before: they are neither the patient nor the
 * doctor, so normalise rejects such a dialogue as `normalise.unknown_speaker` (the roles table has
 * none of them) instead of passing their words off as the doctor's answer or the patient's
 * question. Only the labels in SPEAKER_LABELS start a turn. A byte-order mark at the start of a line
 * (files concatenated into one) is dropped by the line reader, so the `id=` after it is seen.
 * An input with nothing but whitespace is one `import.truncated` reject (as for the JSON formats).
 * A doctor's turn that holds the patient's next intake form (a line 约医生：/疾病：/病情描述： with
 * another form label after it: the page put the patient's new consultation under 医生) ends where
 * the form starts, and the form is a patient turn (病人).
 * Only the current block is held in memory.
 */
import type { Origin, RawDialogue, RawTurn } from '../../schemas/dialogue.js';
import { decodeText } from './encoding.js';
import { SPEAKER_COLON, SPEAKER_LABELS } from './speaker-labels.js';
import { dialogueItem, MAX_REJECT_INPUT_CHARS, NO_FINAL_NEWLINE, rejectItem } from './item.js';
import { BoundedBlock, LineReader, MAX_UNIT_CHARS } from './lines.js';
import type { ImportInput, ImportItem, Importer } from './types.js';

// Lines are matched after leading whitespace (re-published copies indent them).
// id=N, also ID=N and with a full-width ＝ or digits (re-typed copies); the id is kept in ASCII digits.
const ID_LINE = /^\s*[iIｉＩ][dDｄＤ]\s*[=＝]\s*([0-9０-９]+)\s*$/;
/** A line ending in an id line (…注意休息id=2), and the URL line that must follow it for the two to be split. */
const GLUED_ID = /^(.*\S)([iIｉＩ][dDｄＤ]\s*[=＝]\s*[0-9０-９]+)\s*$/;
/**
 * The URL line: with its scheme, or without it as copies re-saved from a browser's address bar
 * write it (www.haodf.com/wenda/…, //www.haodf.com/…, m.haodf.com/…). Before, a scheme-less URL
 * was taken for the case description and reached the patient's turn as <URL>.
 */
const URL_LINE = /^\s*(?:(?:https?:)?\/\/\S+|www\.\S+|(?:[a-z0-9-]+\.)+(?:com|cn|net|org)\/\S*)\s*$/i;
/** Full-width digits as ASCII (０-９ → 0-9). */
function asciiDigits(s: string): string {
  return s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}
const SPEAKER_LINE = new RegExp(`^\\s*(${SPEAKER_LABELS.join('|')})\\s*${SPEAKER_COLON}\\s*`);
/**
 * P： / D： alone on a line (a re-export that shortened the labels as HET-MC writes them): a
 * speaker line too. Only alone: a turn's own line may start with a letter and a colon (D：二聚体).
 */
const SHORT_SPEAKER_LINE = new RegExp(`^\\s*([PDpd])\\s*${SPEAKER_COLON}\\s*$`);
/**
 * Near-miss speaker lines of re-typed or re-exported copies (session-18 hunt: each put the
 * patient's next question into the doctor's answer): a label in brackets (【病人】, [医生]：), with
 * a space inside (病 人：), a qualifier in parentheses (病人（家属）：, 病人(本人)：), 说/回复/回答
 * after it (病人说：, 医生回复：), or a semicolon for its colon when alone on its line (病人；).
 * The speaker is the label itself. A bare label with no mark (病人) stays text: a patient may
 * answer 您是本人吗 so.
 */
const LOOSE_LABEL = SPEAKER_LABELS.filter((l) => /^\p{Script=Han}+$/u.test(l)).map((l) => [...l].join(' ?')).join('|');
const LOOSE_SPEAKER_LINE = new RegExp(
  `^\\s*(?:[【\\[]\\s*(${LOOSE_LABEL})\\s*[】\\]]\\s*${SPEAKER_COLON}?|(${LOOSE_LABEL})\\s*(?:[（(][^）)\\n]{1,8}[）)]|说|回复|回答)?\\s*${SPEAKER_COLON}|(${LOOSE_LABEL})\\s*[;；]\\s*$)\\s*`,
  'u',
);
/** SPEAKER_LINE's match, or a near miss's (LOOSE_SPEAKER_LINE) with the label as its group 1. */
function speakerLine(line: string): RegExpExecArray | null {
  const m = SPEAKER_LINE.exec(line) ?? SHORT_SPEAKER_LINE.exec(line);
  if (m) return m;
  const l = LOOSE_SPEAKER_LINE.exec(line);
  if (l) l[1] = (l[1] ?? l[2] ?? l[3]).replace(/ /g, '');
  return l;
}
const DISEASE_FIELD = /^(?:疾病|疾病\/症状|疾病名称|所患疾病)\s*[：:]\s*(.*)$/;
const VISITED_FIELD = /^已就诊医院及科室\s*[：:]\s*(.*)$/;
/** Lower case: matched against the lower-cased line. */
const DIAGNOSIS = 'diagnosis and suggestions';

type Section = 'head' | 'faculty' | 'description' | 'dialogue' | 'diagnosis';

/** A full-width Latin letter (Ａ-Ｚ, ａ-ｚ: copies re-typed in full width, as their ＩＤ＝１ lines). */
function isFullWidthLetter(c: number): boolean {
  return (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a);
}

/**
 * The section a header line opens: its name alone on the line, in any case, indented or not (also
 * with ideographic spaces), with or without a colon, in ASCII or full-width letters.
 */
function sectionOf(line: string): Section | null {
  const first = line.charCodeAt(0);
  // Fast exit: every header starts with a Latin letter (after any indentation).
  if (first !== 0x20 && first !== 0x09 && first !== 0x3000 && !((first | 0x20) >= 0x61 && (first | 0x20) <= 0x7a) && !isFullWidthLetter(first)) return null;
  let t = line.trim();
  // Ｄｉａｌｏｇｕｅ read as Dialogue (before: the consultation was import.no_dialogue).
  if (isFullWidthLetter(t.charCodeAt(0))) t = t.normalize('NFKC');
  if (t.toLowerCase().startsWith(DIAGNOSIS)) return 'diagnosis';
  const name = t.replace(/\s*[:：]$/, '').toLowerCase();
  if (name === 'dialogue') return 'dialogue';
  if (name === 'description') return 'description';
  if (name === 'doctor faculty') return 'faculty';
  return null;
}

interface Visit {
  turns: RawTurn[];
  /** Lines of the turn being read (the utterance after its speaker line). */
  current: string[] | null;
  description?: string;
  /** The Description section the visit was opened under (description may add a note of its own). */
  base?: string;
  /** The description is this visit's: a Description section the previous visit did not have. */
  ownDescription?: true;
  disease?: string;
  department?: string;
}

function closeTurn(v: Visit): void {
  if (v.current) {
    const turn = v.turns[v.turns.length - 1];
    const form = DOCTOR_LABELS.has(turn.speaker) ? intakeFormStart(v.current) : -1;
    if (form < 0) turn.text = v.current.join('\n').trim();
    else {
      // The patient's next intake form under the doctor's label: the form is the patient's turn.
      const answer = v.current.slice(0, form).join('\n').trim();
      const patient = { speaker: '病人', text: v.current.slice(form).join('\n').trim() };
      if (answer) {
        turn.text = answer;
        v.turns.push(patient);
      } else v.turns[v.turns.length - 1] = patient;
    }
    v.current = null;
  }
}

/** The doctor's side of SPEAKER_LABELS (roles.ts maps them in normalise; the importer only needs to know the side). */
const DOCTOR_LABELS = new Set(['医生助理', '醫生助理', '医生', '醫生', '医师', '醫師', '专家', '專家', '大夫', '医助', '醫助', '助理', 'Doctor', 'doctor']);
/** A line of haodf's intake form: the patient's booking of a doctor, the disease, the case… (label：value). */
const INTAKE_LABEL = /^\s*(预?约医生|疾病|病情描述|希望获得的帮助|希望得到的帮助|患病多久|用药情况|过敏史|既往病史|怀孕情况|已就诊医院及科室|就诊过的医院|病情变化情况|病程)\s*[：:]/;
/** The labels an intake form opens with. */
const INTAKE_OPEN = /^\s*(?:预?约医生|疾病|病情描述)\s*[：:]/;

/**
 * Where a doctor's turn holds the patient's intake form (the page put the patient's next
 * consultation form under the doctor's label): the index of its first line, a line that opens a
 * form (约医生：, 疾病：, 病情描述：) with a second, different form label within the next six lines;
 * -1 when there is none. A doctor's one 疾病：… line is not a form.
 */
function intakeFormStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].indexOf('：') < 0 && lines[i].indexOf(':') < 0) continue;
    const open = INTAKE_OPEN.exec(lines[i]);
    if (!open) continue;
    const first = INTAKE_LABEL.exec(lines[i])?.[1];
    for (let j = i + 1; j < lines.length && j <= i + 6; j++) {
      const m = INTAKE_LABEL.exec(lines[j]);
      if (m && m[1] !== first) return i;
    }
  }
  return -1;
}

/** A hospital's name in a Doctor faculty line of one part (北京同仁医院眼科 is not read as a department). */
const HOSPITAL = /医院|卫生院|卫生所|诊所|保健院|医学院|大学|中心/;

/**
 * The department of a Doctor faculty line: "<hospital>  <department>" (two or more spaces or a tab
 * between, as the dump writes it), else the same one space apart, else the line alone when it is a
 * department's name (a short Han name ending in 科, 室 or 门诊, no hospital): before, only the first
 * layout was read and the others left the dialogue with no department.
 */
function facultyOf(line: string): string | undefined {
  const t = line.trim();
  let parts = t.split(/\s{2,}|\t/);
  if (parts.length < 2) parts = t.split(/\s+/);
  if (parts.length >= 2) return parts[1].trim();
  return t.length <= 12 && /^\p{Script=Han}+$/u.test(t) && /(?:科|室|门诊)$/.test(t) && !HOSPITAL.test(t) ? t : undefined;
}

function usable(value: string): string | undefined {
  const v = value.trim();
  return v && v !== '未填写' ? v : undefined;
}

/** The patient's side of SPEAKER_LABELS (the labels before the doctor's in that list). */
const PATIENT_SIDE = new Set(SPEAKER_LABELS.slice(0, SPEAKER_LABELS.indexOf('医生助理')));

/**
 * The visits with each Dialogue section that holds only the patient's turns joined to the front of
 * the next one: on haodf a patient's message waits in a section of its own (a follow-up question
 * written days later, the intake form) until the doctor's next section answers it, so alone it is
 * a dialogue without a doctor turn (split.no_doctor_turn) and the answer that follows lacks its
 * question. A last section of the patient's alone stays as it is (nothing answers it). Each keeps
 * the number of its first section, so the other visits' ids do not change, and a visit numbered 0
 * is still the consultation's first (normalise puts the case description before its opening turn).
 */
function answeredVisits(visits: Visit[]): Array<Visit & { section: number }> {
  const out: Array<Visit & { section: number }> = [];
  let waiting: (Visit & { section: number }) | null = null;
  for (let section = 0; section < visits.length; section++) {
    const v = visits[section];
    const patientOnly = v.turns.length > 0 && v.turns.every((t) => PATIENT_SIDE.has(t.speaker));
    const joined: Visit & { section: number } = waiting
      ? { ...v, section: waiting.section, turns: [...waiting.turns, ...v.turns], description: v.description ?? waiting.description, ownDescription: v.ownDescription ?? waiting.ownDescription, disease: v.disease ?? waiting.disease, department: v.department ?? waiting.department }
      : { ...v, section };
    if (patientOnly) waiting = joined;
    else {
      out.push(joined);
      waiting = null;
    }
  }
  if (waiting) out.push(waiting);
  return out;
}

/**
 * Parses one id block into items: a dialogue per visit, or one reject.
 * `atEnd`: the block is the input's last; `cut`: the input ended mid-line (no final newline).
 */
function parseBlock(lines: string[], position: number, file: string, atEnd: boolean, cut: boolean): ImportItem[] {
  const sourceId = asciiDigits(ID_LINE.exec(lines[0])?.[1] ?? '');
  let url: string | undefined;
  let k = 1;
  while (k < lines.length && lines[k].trim() === '') k++;
  if (k < lines.length && URL_LINE.test(lines[k])) {
    url = lines[k].trim();
    k++;
  }
  const origin: Origin = { format: 'meddialog', file, sourceId, position };
  if (url) origin.url = url;
  const raw = () => lines.join('\n');

  let section: Section = 'head';
  let facultyDepartment: string | undefined;
  let visitedDepartment: string | undefined;
  let disease: string | undefined;
  /** Description lines since the last Dialogue section (a new group starts after a Dialogue). */
  let description: string[] = [];
  let descriptionClosed = false;
  let lastDescription: string | undefined;
  /** The last description line was a 疾病： label with no value (the value may follow on the next line). */
  let diseaseNext = false;
  const visits: Visit[] = [];
  let visit: Visit | null = null;

  for (; k < lines.length; k++) {
    const line = lines[k];
    const next = sectionOf(line);
    if (next) {
      diseaseNext = false;
      if (visit) closeTurn(visit);
      visit = null;
      if (next === 'description' && descriptionClosed) {
        description = [];
        descriptionClosed = false;
      }
      if (next === 'dialogue') {
        if (description.length) lastDescription = description.join('\n').trim() || lastDescription;
        descriptionClosed = true;
        visit = { turns: [], current: null, description: lastDescription, base: lastDescription, disease, department: facultyDepartment ?? visitedDepartment };
        visits.push(visit);
      }
      section = next;
      continue;
    }
    if (section === 'dialogue' && visit) {
      const m = speakerLine(line);
      if (m) {
        closeTurn(visit);
        visit.turns.push({ speaker: m[1], text: '' });
        visit.current = [line.slice(m[0].length)];
      } else if (visit.current) {
        visit.current.push(line);
      } else if (line.trim()) {
        // Text before the first speaker line (an appointment note such as 预约医生：…) is case
        // information, not an utterance.
        visit.description = visit.description ? `${visit.description}\n${line.trim()}` : line.trim();
      }
    } else if (section === 'description' || (section === 'head' && line.trim())) {
      description.push(line);
      const dm = DISEASE_FIELD.exec(line);
      if (dm) {
        disease = usable(dm[1]) ?? disease;
        diseaseNext = dm[1].trim() === ''; // 疾病：未填写 says none; only an empty value may be on the next line
      } else if (diseaseNext && line.trim()) {
        // The older form writes the value on the line after its label (疾病：⏎支气管炎); a next
        // line that is itself a label (内容：, 病情描述…：) means the field was left empty.
        if (!FIELD_LABEL.test(line)) disease = usable(line) ?? disease;
        diseaseNext = false;
      }
      const vm = VISITED_FIELD.exec(line);
      if (vm) {
        const parts = vm[1].trim().split(/\s+/);
        if (parts.length >= 2) visitedDepartment = parts[parts.length - 1];
      }
    } else if (section === 'faculty' && facultyDepartment === undefined && line.trim()) {
      facultyDepartment = facultyOf(line);
    }
  }
  const last = visits[visits.length - 1];
  if (last) closeTurn(last);

  // At the end of the input, a speaker line still waiting for its utterance means the file was cut.
  const dangling = atEnd && section === 'dialogue' && last !== undefined && last.turns.length > 0 && last.turns[last.turns.length - 1].text === '';
  if (cut || dangling) {
    const hint = cut ? ` without a final newline: the consultation may be cut (${NO_FINAL_NEWLINE})` : ' (a speaker line with no utterance after it)';
    return [rejectItem('import.truncated', `the input ends inside consultation id=${sourceId} (block ${position})${hint}`, origin, raw())];
  }
  if (!sourceId) {
    return [rejectItem('import.parse_error', `block ${position} does not start with an "id=N" line`, origin, raw())];
  }
  if (visits.length === 0) {
    const note = diagnosisNote(description);
    if (note) {
      const d: Omit<RawDialogue, 'id'> = { origin, turns: [{ speaker: '病人', text: note.patient }, { speaker: '医生', text: note.doctor }], singleTurn: true };
      const department = facultyDepartment ?? visitedDepartment;
      if (department) d.department = department;
      if (disease) d.disease = disease;
      return [dialogueItem(d)];
    }
    return [rejectItem('import.no_dialogue', `consultation id=${sourceId} has no Dialogue section`, origin, raw())];
  }
  const several = visits.length > 1;
  for (let i = 1; i < visits.length; i++) {
    const v = visits[i];
    // Only a Description section of its own: a note before the first speaker line (预约医生：…) rides
    // on the earlier visit's description, which a patient opening must not repeat.
    if (v.base !== undefined && v.base !== visits[i - 1].base) v.ownDescription = true;
  }
  return answeredVisits(visits).map((v) => {
    const d: Omit<RawDialogue, 'id'> = { origin: several ? { ...origin, visit: v.section } : origin, turns: v.turns };
    if (v.department) d.department = v.department;
    if (v.disease) d.disease = v.disease;
    if (v.description) d.description = v.description;
    if (v.ownDescription && v.section > 0) d.ownDescription = true;
    return dialogueItem(d);
  });
}

/** A field line of the doctor's case note, its value on the line or on the next one (主诉：⏎发热半天). */
const NOTE_FIELD = /^\s*(主诉|现病史|初步诊断)\s*[：:]\s*(.*)$/;
/** A label with no value (医生使用隐私电话功能与患者通话：, 内容：): not advice, nor a field's value. */
const EMPTY_LABEL = /^[^：:]{1,30}[：:]\s*$/;
/** A line that opens with a field label (病情描述： …, 内容：): the next field, not a value of the one before. */
const FIELD_LABEL = /^\s*[^：:\s]{1,30}[：:]/;

/**
 * A consultation without a Dialogue section whose Description ends in the doctor's case note —
 * 主诉, 现病史, 初步诊断 and advice lines after the diagnosis (避免受凉，多饮水; 克拉霉素0.25每天两次…):
 * the patient's fields before the note are the patient's turn, 初步诊断 and the advice the
 * doctor's. Only with a 病情描述 and at least one advice line with 4+ Han characters after the
 * diagnosis: a diagnosis alone (初步诊断：咳嗽) answers nothing and stays import.no_dialogue.
 */
function diagnosisNote(lines: string[]): { patient: string; doctor: string } | undefined {
  const at = lines.findIndex((l) => NOTE_FIELD.test(l));
  if (at < 0) return undefined;
  const dx = lines.findIndex((l, i) => i >= at && NOTE_FIELD.exec(l)?.[1] === '初步诊断');
  if (dx < 0) return undefined;
  const patient = lines.slice(0, at).map((l) => l.trim()).filter(Boolean).join('\n');
  if (!/病情描述\s*[：:]\s*\S/.test(patient)) return undefined;
  const rest = [NOTE_FIELD.exec(lines[dx])![2].trim(), ...lines.slice(dx + 1).map((l) => l.trim())].filter(Boolean);
  const diagnosis = rest.shift();
  const advice = rest.filter((l) => !EMPTY_LABEL.test(l) && !NOTE_FIELD.test(l));
  if (!diagnosis || !advice.some((l) => (l.match(/\p{Script=Han}/gu)?.length ?? 0) >= 4)) return undefined;
  return { patient, doctor: `初步诊断：${diagnosis}\n${advice.join('\n')}` };
}

/** A block over MAX_UNIT_CHARS: one reject holding its first lines (see lines.ts). */
function tooLong(block: BoundedBlock, position: number, file: string): ImportItem[] {
  const sourceId = asciiDigits(ID_LINE.exec(block.lines[0] ?? '')?.[1] ?? '');
  const origin: Origin = { format: 'meddialog', file, sourceId, position };
  return [rejectItem('import.parse_error', `consultation id=${sourceId || '?'} (block ${position}) holds over ${MAX_UNIT_CHARS} characters (${block.chars}): no consultation is so long, it was not read (a file whose id= lines are missing or mangled?)`, origin, headText(block.lines))];
}

/** The first lines of a block, up to the reject input's length, joined. */
function headText(lines: string[]): string {
  const out: string[] = [];
  let n = 0;
  for (const l of lines) {
    out.push(l.length > MAX_REJECT_INPUT_CHARS ? l.slice(0, MAX_REJECT_INPUT_CHARS) : l);
    n += l.length + 1;
    if (n > MAX_REJECT_INPUT_CHARS) break;
  }
  return out.join('\n');
}

export const importMedDialog: Importer = async function* (input: ImportInput) {
  const reader = new LineReader(decodeText(input.bytes, input.encoding));
  const block = new BoundedBlock();
  let position = 0;
  let preamble = true;
  const preambleText = () => (block.over ? headText(block.lines) : block.lines.join('\n'));
  let out: ImportItem[] = [];
  const handle = (line: string) => {
    if (ID_LINE.test(line)) {
      if (preamble) {
        if (block.over || block.lines.some((l) => l.trim() !== '')) {
          out.push(rejectItem('import.parse_error', 'text before the first "id=N" line', { format: 'meddialog', file: input.file, sourceId: '', position: 0 }, preambleText()));
        }
        preamble = false;
      } else {
        ++position;
        out.push(...(block.over ? tooLong(block, position, input.file) : parseBlock(block.lines, position, input.file, false, false)));
      }
      block.reset(line);
    } else block.push(line);
  };
  /**
   * A line that ends in "id=N" (the next block's first line glued to it: a file that lost its last
   * line break, catenated with the next), held until the next line says whether a URL follows.
   */
  let held: RegExpExecArray | undefined;
  const take = (line: string) => {
    if (held) {
      const h = held;
      held = undefined;
      if (URL_LINE.test(line)) {
        handle(h[1]);
        handle(h[2]);
        handle(line);
        return;
      }
      handle(h[0]);
    }
    // (only a line ending in a digit can end in an id: the regex is not tried on the others)
    const end = line.trimEnd();
    const last = end.charCodeAt(end.length - 1);
    if (((last >= 0x30 && last <= 0x39) || (last >= 0xff10 && last <= 0xff19)) && !ID_LINE.test(line) && (held = GLUED_ID.exec(line) ?? undefined)) return;
    handle(line);
  };
  for await (const batch of reader) {
    out = [];
    for (const line of batch) take(line);
    yield* out;
  }
  if (held) block.push(held[0]);
  if (preamble) {
    const origin = { format: 'meddialog' as const, file: input.file, sourceId: '', position: 0 };
    if (block.over || block.lines.some((l) => l.trim() !== '')) yield rejectItem('import.parse_error', 'no "id=N" line in the input', origin, preambleText());
    else yield rejectItem('import.truncated', 'the input is empty (nothing but whitespace or a byte-order mark)', origin, '');
    return;
  }
  ++position;
  yield* block.over ? tooLong(block, position, input.file) : parseBlock(block.lines, position, input.file, true, !reader.terminated);
};
