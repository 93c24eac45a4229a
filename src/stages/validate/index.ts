/**
 * The validate stage: checks each CMtMedQA record against the schema and the knowledge graph.
 *
 * For every record:
 *  - schema: the record must parse as CMtMedQARecord, else a `validate.schema` reject (always).
 *  - entities: the graph's names and aliases are found (src/kg/matcher.ts) in every utterance of
 *    the flattened list [h0.q, h0.a, …, instruction, output] → annotations.entities
 *    (turn = index in that list; start/end = UTF-16 offsets, end exclusive; a surface naming
 *    several types gets the first of Disease, Drug, Symptom, Check, Department, Food).
 *  - `validate.no_entity`: no entity at all.
 *  - `validate.unknown_drug`: a drug-like token (drug-like.ts) in any utterance that no graph
 *    Drug name/alias covers (a Drug match ending where the token ends counts as known).
 *  - drugs: every drug a doctor turn names (odd indexes: h_i.a, output; not negated — 不要/别/禁用/
 *    慎用/停用/避免/勿/忌… in the 6 characters before it, or 过敏 right after it; not a surface that is
 *    also a Food, '山药'; not inside quotation marks that repeat a patient turn's words, as in
 *    "以上是对“…能用X吗”这个问题的建议") is judged once per generic ingredient (products fold into their ingredient
 *    at import: src/kg/import/ingredient.ts) against every disease and symptom the record names:
 *      consistent   an indication of the drug (a disease listing it as common_drug/recommand_drug,
 *                   in any source) is named; or it shares a symptom with the dialogue (one the
 *                   dialogue names, or a specific one — listed by ≤ 40 diseases — of a named disease); or it sits in the same
 *                   department as a named disease (second-level belongs_to, or first-level: 内科, 外科, 皮肤性病科 …);
 *      contradicted none of that, and the graph knows enough to say so: it lists ≥ validate.minKnownIndications
 *                   (default 10) indications; the drug is specific — its indications lie in at most
 *                   validate.maxDrugDepartments (default 2) first-level departments, so an antibiotic or
 *                   a steroid prescribed across medicine is never "wrong"; the record names a disease the
 *                   graph places in a department; and neither that disease nor an indication sits in TCM
 *                   (中医科: TCM treats patterns, which the graph does not link to drugs); and no
 *                   patient turn before it names a drug (a graph drug or a drug-like token: the doctor
 *                   then answers a drug question, and the record's diseases may be only its background)
 *                   → `validate.drug_not_for_disease`;
 *      unknown      otherwise, and always for a supplement or a TCM 丸/丹/散/汤 formula
 *                   → `validate.drug_indications_unknown` (default ignore):
 *                   "the graph does not know" is not "the wrong drug".
 *    Measured on hand-labelled real turns and on every flag of the shared corpora: bench/RESULTS.md,
 *    test/eval/README.md, test/eval/drug-flags-shared/README.md.
 *    Records that name no disease or symptom are not judged. Evidence: the drug as written, its
 *    ingredient, the dialogue's diseases and symptoms, and the indications with their sources.
 *  - department: when cate1/cate2 are the pipeline defaults (split.defaultCate1/defaultCate2), the
 *    diseases named in the record vote with their graph departments (belongs_to in graph order:
 *    cate1 = first, cate2 = second or the first again, through the one taxonomy). Not every named
 *    disease votes (a hand-labelled sample found the wrong departments came from these:
 *    test/eval/department/README.md):
 *      - one named only to be ruled out (不是/没有/无/并非/排除/不考虑/不像/否认 just before every
 *        mention of it, the clause not a question: 是不是, 有没有 and …吗 ask, they still vote);
 *      - one whose department is no clinic to send a patient to: a TCM pattern (中医科: 风寒,
 *        水肿, 阴虚 … are how TCM names a state, not the consultation's subject) or 营养科 (家居健康).
 *    A disease the patient names (in a patient turn) counts twice, one only the doctor names once:
 *    the patient's complaint weighs more than the doctor's lists of causes and questions about
 *    other illnesses, which still decide when they agree. The pair with most votes wins; of tied
 *    pairs the earliest named that the patient named (the complaint comes first); pairs tied that
 *    the doctor alone named (a list of possible causes) leave the default.
 *    annotations.inferredDepartment is then true.
 * Policies per check (ctx.config.validate.checks): reject → one Reject (the first failing check
 * in the order no_entity, unknown_drug, drug_not_for_disease, drug_indications_unknown; evidence of all failed checks),
 * flag → annotations.flags gets the reason code, ignore → nothing.
 * At most two GraphPort.lookup calls per batch of `validate.batchSize` records (the second asks the
 * departments of the indications that the first answer leaves open); output order = input order.
 * Without a graph (no `kg` section) only the schema is checked.
 */
import { CMtMedQARecord, isCMtMedQARecord, type EntityMention, type RecordEnvelope } from '../../../schemas/record.js';
import type { Reject, RejectReason } from '../../../schemas/reject.js';
import { makeReject } from '../../core/reject.js';
import { matcherFor, type Matcher } from '../../kg/matcher.js';
import type { GraphLookup, GraphLookupResult, GraphPort, IndicationAnswer, IndicationQuery } from '../../kg/port.js';
import type { StageContext, StageResult } from '../types.js';
import { findDrugLikeTokens, type DrugLikeToken } from './drug-like.js';
import { canonicalPair } from '../split/taxonomy.js';

type Check = 'no_entity' | 'unknown_drug' | 'drug_not_for_disease' | 'drug_indications_unknown';
const CHECK_ORDER: readonly Check[] = ['no_entity', 'unknown_drug', 'drug_not_for_disease', 'drug_indications_unknown'];

/** A drug's indications are "known" when the graph lists it for at least this many diseases. */
export const MIN_KNOWN_INDICATIONS = 10; // the default of validate.minKnownIndications
/** A drug whose indications span more first-level departments is prescribed too widely to call wrong (validate.maxDrugDepartments). */
export const MAX_DRUG_DEPARTMENTS = 2;

/** Supplements and TCM pill/powder formulas are prescribed for states, not named diseases: never judged. */
const NOT_JUDGED = /^(?:维生素|复合维生素|钙|葡萄糖酸钙|碳酸钙|辅酶|叶酸|鱼肝油|益生菌|微量元素|锌)|[丸丹散汤]$/;

/** Whether the drug check ever judges this drug (supplements and TCM formulas are always "unknown"). */
export function isJudged(drug: string): boolean {
  return !NOT_JUDGED.test(drug);
}

const NEGATION = ['不要', '不能', '不宜', '不建议', '不用', '无需', '不必', '别', '禁用', '禁止', '慎用', '停用', '停药', '停止', '避免', '勿', '忌'];
const NEGATION_WINDOW = 6;
/** Indications listed in a flag's evidence (the count says how many the graph holds). */
const MAX_EVIDENCE_INDICATIONS = 12;

interface DrugMention {
  name: string;
  turn: number;
  start: number;
  surface: string;
}

export interface Analysis {
  env: RecordEnvelope;
  mentions: EntityMention[];
  unknownDrugs: Array<DrugLikeToken & { turn: number }>;
  /** Distinct diseases in order of first mention. */
  diseases: string[];
  /** The diseases that may vote for the department: named at least once not ruled out, in order of first such mention; patient: one such mention is in a patient turn. */
  departmentVoters: DepartmentVoter[];
  /** Drug mentions in doctor turns that the drug rule may judge. */
  doctorDrugs: DrugMention[];
  /** Every disease and symptom named anywhere in the record (all types of a hit), sorted. */
  conditions: string[];
  /** Every symptom named (all types of a hit), sorted. */
  symptoms: string[];
  /** The first patient turn that names a drug (a graph drug or a drug-like token); Infinity when none does. */
  firstPatientDrugTurn: number;
  inferDepartment: boolean;
}

export interface DepartmentVoter {
  name: string;
  patient: boolean;
}

/** A disease named right after one of these is ruled out (不是胃溃疡, 没有便秘, 排除肺炎, 无支原体感染); 是不是 and 有没有 ask instead, and 不排除 / 不能排除 / 无法排除 / 未排除 suspect it. */
const RULED_OUT = /(?:(?:(?<!是)不是|(?<!有)没有|并非|(?<![不未能法以])排除|不考虑|不像|否认)[^，。？！、,.?!\s]{0,3}|无)$/u;
const RULED_OUT_WINDOW = 6;
/** …吗 or a question mark later in the clause: the disease is asked about, not ruled out (能排除肠癌吗). */
const QUESTION_AFTER = /^[^，。！,.!；;]{0,12}?(?:吗|？|\?)/u;

function ruledOut(text: string, start: number, end: number): boolean {
  return RULED_OUT.test(text.slice(Math.max(0, start - RULED_OUT_WINDOW), start)) && !QUESTION_AFTER.test(text.slice(end));
}

export function utterances(r: CMtMedQARecord): string[] {
  const out: string[] = [];
  for (const [q, a] of r.history) out.push(q, a);
  out.push(r.instruction, r.output);
  return out;
}

function negated(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - NEGATION_WINDOW), start);
  if (NEGATION.some((w) => before.includes(w))) return true;
  return text.startsWith('过敏', end);
}

/** Quotation marks a doctor turn uses to repeat the patient's words (the platforms' "以上是对“…”这个问题的建议"). */
const QUOTES: Array<[string, string]> = [['“', '”'], ['「', '」'], ['"', '"']];

/**
 * Spans of `text` inside quotation marks whose quoted words (ignoring trailing punctuation) are
 * the patient's: they occur in one of `patientTurns`. A drug there is the patient's question, not
 * the doctor's advice.
 */
function quotedFromPatient(text: string, patientTurns: string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (patientTurns.length === 0) return spans;
  for (const [open, close] of QUOTES) {
    let from = 0;
    for (;;) {
      const s = text.indexOf(open, from);
      if (s < 0) break;
      const e = text.indexOf(close, s + 1);
      if (e < 0) break;
      const quoted = text.slice(s + 1, e).replace(/[\s，。？！,.?!、；;：:]+$/u, '');
      if (quoted.length >= 4 && patientTurns.some((p) => p.includes(quoted))) spans.push([s + 1, e]);
      from = e + 1;
    }
  }
  return spans;
}

/** The whole stem is one known non-drug entity ('骨折' in '骨折片'). */
function isOtherEntity(matcher: Matcher, stem: string): boolean {
  const hits = matcher.find(stem);
  return hits.length === 1 && hits[0].start === 0 && hits[0].end === stem.length && !hits[0].entries.some((e) => e.type === 'Drug');
}

export function analyse(env: RecordEnvelope, matcher: Matcher, inferDepartment: boolean): Analysis {
  const turns = utterances(env.record);
  const mentions: EntityMention[] = [];
  const unknownDrugs: Analysis['unknownDrugs'] = [];
  const diseases: string[] = [];
  const seenDisease = new Set<string>();
  const voters = new Map<string, DepartmentVoter>();
  const doctorDrugs: DrugMention[] = [];
  const conditions = new Set<string>();
  const symptoms = new Set<string>();
  let firstPatientDrugTurn = Number.POSITIVE_INFINITY;
  const patientTurns = turns.filter((_, i) => i % 2 === 0);
  turns.forEach((text, turn) => {
    const hits = matcher.find(text);
    const drugEnds = new Set<number>();
    let patientDrug = false;
    const quoted = turn % 2 === 1 ? quotedFromPatient(text, patientTurns) : [];
    for (const h of hits) {
      const top = h.entries[0];
      for (const e of h.entries) {
        if (e.type === 'Disease' || e.type === 'Symptom') conditions.add(e.name);
        if (e.type === 'Symptom') symptoms.add(e.name);
      }
      mentions.push({ name: top.name, type: top.type, turn, start: h.start, end: h.end });
      const drug = h.entries.find((e) => e.type === 'Drug');
      if (drug) drugEnds.add(h.end);
      // A symptom-and-disease name (typed Symptom) still counts as a disease for departments and evidence.
      const disease = h.entries.find((e) => e.type === 'Disease');
      const isDoctor = turn % 2 === 1;
      if (disease && !seenDisease.has(disease.name)) {
        seenDisease.add(disease.name);
        diseases.push(disease.name);
      }
      if (inferDepartment && disease && !ruledOut(text, h.start, h.end)) {
        const v = voters.get(disease.name);
        if (!v) voters.set(disease.name, { name: disease.name, patient: !isDoctor });
        else if (!isDoctor) v.patient = true;
      }
      const food = h.entries.some((e) => e.type === 'Food');
      if (!isDoctor && drug && !food) patientDrug = true;
      const quotesPatient = quoted.some(([s, e]) => h.start >= s && h.end <= e);
      if (isDoctor && drug && !quotesPatient && !food && !negated(text, h.start, h.end)) {
        doctorDrugs.push({ name: drug.name, turn, start: h.start, surface: text.slice(h.start, h.end) });
      }
    }
    const drugLike = findDrugLikeTokens(text, (stem) => isOtherEntity(matcher, stem));
    for (const t of drugLike) {
      if (!drugEnds.has(t.end)) unknownDrugs.push({ ...t, turn });
    }
    if (turn % 2 === 0 && turn < firstPatientDrugTurn && (patientDrug || drugLike.length > 0)) firstPatientDrugTurn = turn;
  });
  return { env, mentions, unknownDrugs, diseases, departmentVoters: [...voters.values()], doctorDrugs, inferDepartment, conditions: [...conditions].sort(), symptoms: [...symptoms].sort(), firstPatientDrugTurn };
}

export function lookupFor(batch: Analysis[]): GraphLookup {
  const departmentsOf = new Set<string>();
  for (const a of batch) {
    if (a.inferDepartment) for (const d of a.diseases) departmentsOf.add(d);
    // The drug check asks which of the record's diseases the graph places in a department (knownDiseases).
    if (a.doctorDrugs.length > 0) for (const d of a.diseases) departmentsOf.add(d);
  }
  // drugDisease/drugLinks are not needed by the indication check (kept in the port for other callers).
  const sortStr = (xs: Iterable<string>) => [...xs].sort();
  const indications = new Map<string, IndicationQuery>();
  for (const a of batch) {
    if (a.conditions.length === 0) continue;
    for (const m of a.doctorDrugs) indications.set(indicationKey(m.name, a.symptoms, a.conditions), { drug: m.name, symptoms: a.symptoms, diseases: a.conditions });
  }
  return {
    drugDisease: [],
    departmentsOf: sortStr(departmentsOf),
    drugLinks: { drugs: [], diseases: [] },
    indications: [...indications.keys()].sort().map((k) => indications.get(k)!),
  };
}

export function indicationKey(drug: string, symptoms: string[], diseases: string[]): string {
  return `${drug}\u0000${symptoms.join('\u0001')}\u0000${diseases.join('\u0001')}`;
}

export interface DrugVerdict {
  drug: string;
  turn: number;
  start: number;
  /** The surface the doctor wrote (a product or the ingredient itself). */
  surface: string;
  verdict: 'consistent' | 'contradicted' | 'unknown';
  /** Consistent: the indication named in the dialogue, or the one whose symptom is. */
  because?: { indication: string; symptom?: string; department?: string };
  indications: Array<{ disease: string; sources: string[] }>;
}

/** Options of the drug check (validate config: minKnownIndications, maxDrugDepartments). */
export interface DrugCheckOptions {
  minKnown?: number;
  /** A drug is "specific" (and can be contradicted) when its indications lie in at most this many first-level departments. */
  maxDrugDepartments?: number;
}

/** TCM: prescribed for patterns (证), which the graph does not link to drugs; a contradiction is never claimed there. */
const TCM_DEPARTMENT = '中医科';

/**
 * The drug check for one record: each drug the doctor names (once per ingredient) against the
 * diseases and symptoms of the whole record. `departments` holds the graph's departments (parent
 * first) of the record's diseases and of the drugs' indications (see drugLookups).
 *  consistent   an indication is named, or an indication's symptom is, or an indication shares a
 *               second-level department with a named disease, or a first-level one (内科, 外科,
 *               皮肤性病科 …);
 *  contradicted none of that, and the graph knows enough to say so: it lists ≥ minKnown
 *               indications, the drug is specific (its indications lie in at most
 *               maxDrugDepartments first-level departments), a named disease has a department,
 *               neither the drug nor a named disease sits in TCM (中医科), and no patient turn
 *               before it names a drug (then the doctor answers a drug question);
 *  unknown      otherwise (and supplements and TCM 丸/丹/散/汤 formulas, always).
 * Nothing is judged when the record names no condition.
 */
export function judgeDrugs(a: Analysis, answers: Map<string, IndicationAnswer>, departments: Map<string, string[]>, opts: DrugCheckOptions = {}): DrugVerdict[] {
  if (a.conditions.length === 0) return [];
  const { minKnown = MIN_KNOWN_INDICATIONS, maxDrugDepartments = MAX_DRUG_DEPARTMENTS } = opts;
  const conditions = new Set(a.conditions);
  // A contradiction needs a disease the graph knows: one it places in a department. A record whose
  // only conditions are symptoms (疼痛, 注射) or diseases the graph cannot place says nothing.
  const placed = a.diseases.map((d) => departments.get(d) ?? []).filter((deps) => deps.length > 0);
  const knownDisease = placed.length > 0;
  const dialogueFirst = new Set(placed.map((deps) => deps[0]));
  const tcmDialogue = placed.some((deps) => deps.includes(TCM_DEPARTMENT));
  const out: DrugVerdict[] = [];
  const seen = new Set<string>();
  for (const m of a.doctorDrugs) {
    if (seen.has(m.name)) continue;
    seen.add(m.name);
    const ans = answers.get(indicationKey(m.name, a.symptoms, a.conditions)) ?? { indications: [], viaSymptom: [], viaDepartment: [] };
    const base = { drug: m.name, turn: m.turn, start: m.start, surface: m.surface, indications: ans.indications };
    const named = ans.indications.find((i) => conditions.has(i.disease));
    if (named) {
      out.push({ ...base, verdict: 'consistent', because: { indication: named.disease } });
      continue;
    }
    if (ans.viaSymptom.length > 0) {
      out.push({ ...base, verdict: 'consistent', because: { indication: ans.viaSymptom[0].disease, symptom: ans.viaSymptom[0].symptom } });
      continue;
    }
    if (ans.viaDepartment.length > 0) {
      out.push({ ...base, verdict: 'consistent', because: { indication: ans.viaDepartment[0].disease, department: ans.viaDepartment[0].department } });
      continue;
    }
    // The drug's profile: the first-level departments of its indications.
    const drugFirst = new Set<string>();
    let tcmDrug = false;
    let firstShared: { indication: string; department: string } | undefined;
    for (const i of ans.indications) {
      const deps = departments.get(i.disease);
      if (!deps || deps.length === 0) continue;
      drugFirst.add(deps[0]);
      if (deps.includes(TCM_DEPARTMENT)) tcmDrug = true;
      if (!firstShared && dialogueFirst.has(deps[0])) firstShared = { indication: i.disease, department: deps[0] };
    }
    // A drug named after the patient asked about one answers that question: the record's diseases may be only its background.
    const answersPatientDrug = m.turn > a.firstPatientDrugTurn;
    if (firstShared) out.push({ ...base, verdict: 'consistent', because: firstShared });
    else if (ans.indications.length < minKnown || NOT_JUDGED.test(m.name) || !knownDisease || tcmDialogue || tcmDrug || drugFirst.size > maxDrugDepartments || answersPatientDrug) out.push({ ...base, verdict: 'unknown' });
    else out.push({ ...base, verdict: 'contradicted' });
  }
  return out;
}

/**
 * The graph's lookups of the drug check for a batch: the batch's query, then the departments of
 * the indications of every drug that the cheaper rules leave open (not named in the record, not
 * linked by a symptom or a second-level department).
 */
export async function drugLookups(batch: Analysis[], graph: Pick<GraphPort, 'lookup'>): Promise<{ query: GraphLookup; answer: GraphLookupResult; answers: Map<string, IndicationAnswer>; departments: Map<string, string[]> }> {
  const query = lookupFor(batch);
  const empty = query.drugDisease.length === 0 && query.departmentsOf.length === 0 && query.drugLinks.drugs.length === 0 && query.drugLinks.diseases.length === 0 && (query.indications ?? []).length === 0;
  const answer: GraphLookupResult = empty
    ? { treats: [], departments: new Map(), drugLinks: { drugs: new Map(), diseases: new Map() }, indications: [] }
    : await graph.lookup(query);
  const answers = new Map<string, IndicationAnswer>();
  (query.indications ?? []).forEach((x, k) => answers.set(indicationKey(x.drug, x.symptoms, x.diseases), answer.indications[k] ?? { indications: [], viaSymptom: [], viaDepartment: [] }));
  const departments = new Map(answer.departments);
  const wanted = new Set<string>();
  for (const a of batch) {
    if (a.conditions.length === 0) continue;
    const conditions = new Set(a.conditions);
    for (const m of a.doctorDrugs) {
      const ans = answers.get(indicationKey(m.name, a.symptoms, a.conditions));
      if (!ans || ans.viaSymptom.length > 0 || ans.viaDepartment.length > 0) continue;
      if (ans.indications.some((i) => conditions.has(i.disease))) continue;
      for (const i of ans.indications) if (!departments.has(i.disease)) wanted.add(i.disease);
    }
  }
  if (wanted.size > 0) {
    const more = await graph.lookup({ drugDisease: [], departmentsOf: [...wanted].sort(), drugLinks: { drugs: [], diseases: [] }, indications: [] });
    for (const [d, deps] of more.departments) departments.set(d, deps);
  }
  return { query, answer, answers, departments };
}

/** Departments a vote never picks: TCM patterns and 营养科 (→ 家居健康) name no clinic to send the patient to. */
const NOT_VOTED_CATE1 = new Set(['中医科', '家居健康']);
/** What a disease the patient names counts in the vote; one only the doctor names counts 1. */
const PATIENT_WEIGHT = 2;

/**
 * The department the record's diseases vote for (canonical pair), or null: see the module header.
 * `departments` holds the graph's departments (parent first) of the record's diseases.
 */
export function departmentVote(voters: DepartmentVoter[], departments: Map<string, string[]>): [string, string] | null {
  const placed: Array<{ voter: DepartmentVoter; pair: [string, string] }> = [];
  for (const voter of voters) {
    const deps = departments.get(voter.name);
    if (!deps || deps.length === 0) continue;
    const c = canonicalPair(deps[0], deps[1] ?? deps[0]);
    if (!c || NOT_VOTED_CATE1.has(c.cate1)) continue;
    placed.push({ voter, pair: [c.cate1, c.cate2] });
  }
  const votes = new Map<string, { pair: [string, string]; count: number; first: number; patient: boolean }>();
  placed.forEach(({ voter, pair }, i) => {
    const key = `${pair[0]}\u0000${pair[1]}`;
    const weight = voter.patient ? PATIENT_WEIGHT : 1;
    const v = votes.get(key);
    if (v) {
      v.count += weight;
      v.patient ||= voter.patient;
    } else votes.set(key, { pair, count: weight, first: i, patient: voter.patient });
  });
  const ranked = [...votes.values()].sort((a, b) => b.count - a.count || a.first - b.first);
  if (ranked.length === 0) return null;
  const tied = ranked.filter((v) => v.count === ranked[0].count);
  if (tied.length === 1) return ranked[0].pair;
  return tied.find((v) => v.patient)?.pair ?? null;
}

export async function validate(records: RecordEnvelope[], ctx: StageContext): Promise<StageResult<RecordEnvelope>> {
  const cfg = ctx.config.validate;
  if (!cfg.enabled) return { out: records, rejects: [] };
  const log = ctx.logger.child({ stage: 'validate' });
  const out: RecordEnvelope[] = [];
  const rejects: Reject[] = [];

  const valid: RecordEnvelope[] = [];
  for (const env of records) {
    if (isCMtMedQARecord(env.record)) {
      valid.push(env);
      continue;
    }
    const parsed = CMtMedQARecord.safeParse(env.record);
    if (parsed.success) {
      valid.push(env);
      continue;
    }
    const issue = parsed.error.issues[0];
    rejects.push(
      makeReject({
        stage: 'validate',
        reason: 'validate.schema',
        detail: `record does not match the CMtMedQA schema at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
        origin: env.origin,
        dialogueId: env.dialogueId,
        input: env,
        evidence: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
      }),
    );
  }
  // Keep input order: schema rejects are separate, accepted records follow their input order.
  if (!ctx.graph) {
    log.debug('no graph configured: schema checks only');
    return { out: valid, rejects };
  }
  const graph = ctx.graph;
  const matcher = await matcherFor(graph);
  const { defaultCate1, defaultCate2 } = ctx.config.split;

  for (let i = 0; i < valid.length; i += cfg.batchSize) {
    const batch = valid.slice(i, i + cfg.batchSize).map((env) =>
      analyse(env, matcher, cfg.inferDepartment && env.record.cate1 === defaultCate1 && env.record.cate2 === defaultCate2),
    );
    const { answer, answers, departments } = await drugLookups(batch, graph);

    for (const a of batch) {
      const failed = new Map<Check, unknown>();
      if (a.mentions.length === 0) failed.set('no_entity', { utterances: utterances(a.env.record).length });
      if (a.unknownDrugs.length > 0) failed.set('unknown_drug', { tokens: a.unknownDrugs });
      const verdicts = judgeDrugs(a, answers, departments, { minKnown: cfg.minKnownIndications, maxDrugDepartments: cfg.maxDrugDepartments });
      const evidenceOf = (v: DrugVerdict) => ({
        drug: v.surface === v.drug ? v.drug : v.surface,
        ingredient: v.drug,
        turn: v.turn,
        start: v.start,
        indications: v.indications.slice(0, MAX_EVIDENCE_INDICATIONS),
        indicationsKnown: v.indications.length,
      });
      const contradicted = verdicts.filter((v) => v.verdict === 'contradicted');
      const unknown = verdicts.filter((v) => v.verdict === 'unknown');
      const dialogue = { diseases: a.diseases, symptoms: a.symptoms };
      if (contradicted.length > 0) failed.set('drug_not_for_disease', { drugs: contradicted.map(evidenceOf), ...dialogue });
      if (unknown.length > 0) failed.set('drug_indications_unknown', { drugs: unknown.map(evidenceOf), ...dialogue });

      const rejectWith = CHECK_ORDER.find((c) => failed.has(c) && cfg.checks[c] === 'reject');
      const record = { ...a.env.record };
      const annotations = { ...a.env.annotations, entities: a.mentions };
      if (a.inferDepartment) {
        const pair = departmentVote(a.departmentVoters, answer.departments); // through the one taxonomy (split/taxonomy.ts)
        if (pair) {
          [record.cate1, record.cate2] = pair;
          annotations.inferredDepartment = true;
        }
      }
      const flagged = CHECK_ORDER.filter((c) => failed.has(c) && cfg.checks[c] === 'flag').map((c) => `validate.${c}`);
      if (flagged.length > 0) annotations.flags = [...new Set([...(a.env.annotations.flags ?? []), ...flagged])];
      const env: RecordEnvelope = { ...a.env, record, annotations };
      if (rejectWith) {
        const reason = `validate.${rejectWith}` as RejectReason;
        rejects.push(
          makeReject({
            stage: 'validate',
            reason,
            detail: describe(rejectWith, failed.get(rejectWith)),
            origin: a.env.origin,
            dialogueId: a.env.dialogueId,
            input: a.env,
            evidence: Object.fromEntries(CHECK_ORDER.filter((c) => failed.has(c) && cfg.checks[c] !== 'ignore').map((c) => [c, failed.get(c)])),
          }),
        );
      } else out.push(env);
    }
  }
  return { out, rejects };
}

function describe(check: Check, evidence: unknown): string {
  switch (check) {
    case 'no_entity':
      return 'no utterance names a disease, symptom, drug, check, department or food the graph knows';
    case 'unknown_drug': {
      const tokens = (evidence as { tokens: DrugLikeToken[] }).tokens.map((t) => t.token);
      return `drug-like names the graph does not know: ${[...new Set(tokens)].join(', ')}`;
    }
    case 'drug_not_for_disease': {
      const e = evidence as { drugs: Array<{ drug: string; ingredient: string; indications: Array<{ disease: string }> }>; diseases: string[]; symptoms: string[] };
      const named = [...e.diseases, ...e.symptoms].join(', ');
      return e.drugs
        .map((d) => `doctor names ${d.drug}${d.drug !== d.ingredient ? ` (${d.ingredient})` : ''}, which the graph lists for ${d.indications.slice(0, 4).map((i) => i.disease).join(', ')}${d.indications.length > 4 ? ' …' : ''}, none of them named in the dialogue (${named})`)
        .join('; ');
    }
    case 'drug_indications_unknown': {
      const e = evidence as { drugs: Array<{ drug: string; indicationsKnown: number }> };
      return `the graph knows too few indications to judge ${e.drugs.map((d) => `${d.drug} (${d.indicationsKnown})`).join(', ')}`;
    }
  }
}
