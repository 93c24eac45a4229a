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
 *  - `validate.drug_not_for_disease`: a drug named in a doctor turn (odd indexes: h_i.a, output)
 *    while the dialogue names at least one disease, and no named disease has a
 *    common_drug/recommand_drug relation to it. To keep false positives down it is only raised when
 *    the graph can judge: the drug has ≥ 1 such relation to some disease, at least one named disease
 *    has ≥ 1 drug relation, the surface is not also a Food ('山药'), and the mention is not negated
 *    (不要/别/禁用/慎用/停用/避免/勿/忌… in the 6 characters before it, or 过敏 right after it).
 *    The xywy graph lists only ~1.5 drugs per disease, so this check is a `flag` by default.
 *  - department: when cate1/cate2 are the pipeline defaults (split.defaultCate1/defaultCate2), the
 *    diseases named in the record vote with their graph departments (belongs_to in graph order:
 *    cate1 = first, cate2 = second or the first again); the pair with most votes wins, ties go to
 *    the pair of the earliest-named disease. annotations.inferredDepartment is then true.
 * Policies per check (ctx.config.validate.checks): reject → one Reject (the first failing check
 * in the order no_entity, unknown_drug, drug_not_for_disease; evidence of all failed checks),
 * flag → annotations.flags gets the reason code, ignore → nothing.
 * One GraphPort.lookup per batch of `validate.batchSize` records; output order = input order.
 * Without a graph (no `kg` section) only the schema is checked.
 */
import { CMtMedQARecord, type EntityMention, type RecordEnvelope } from '../../../schemas/record.js';
import type { Reject, RejectReason } from '../../../schemas/reject.js';
import { makeReject } from '../../core/reject.js';
import { matcherFor, type Matcher } from '../../kg/matcher.js';
import type { GraphLookup, GraphLookupResult } from '../../kg/port.js';
import type { StageContext, StageResult } from '../types.js';
import { findDrugLikeTokens, type DrugLikeToken } from './drug-like.js';
import { canonicalInferred } from '../split/taxonomy.js';

type Check = 'no_entity' | 'unknown_drug' | 'drug_not_for_disease';
const CHECK_ORDER: readonly Check[] = ['no_entity', 'unknown_drug', 'drug_not_for_disease'];

const NEGATION = ['不要', '不能', '不宜', '不建议', '不用', '无需', '不必', '别', '禁用', '禁止', '慎用', '停用', '停药', '停止', '避免', '勿', '忌'];
const NEGATION_WINDOW = 6;

interface DrugMention {
  name: string;
  turn: number;
  start: number;
}

interface Analysis {
  env: RecordEnvelope;
  mentions: EntityMention[];
  unknownDrugs: Array<DrugLikeToken & { turn: number }>;
  /** Distinct diseases in order of first mention. */
  diseases: string[];
  /** Drug mentions in doctor turns that the drug rule may judge. */
  doctorDrugs: DrugMention[];
  inferDepartment: boolean;
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

/** The whole stem is one known non-drug entity ('骨折' in '骨折片'). */
function isOtherEntity(matcher: Matcher, stem: string): boolean {
  const hits = matcher.find(stem);
  return hits.length === 1 && hits[0].start === 0 && hits[0].end === stem.length && !hits[0].entries.some((e) => e.type === 'Drug');
}

function analyse(env: RecordEnvelope, matcher: Matcher, inferDepartment: boolean): Analysis {
  const turns = utterances(env.record);
  const mentions: EntityMention[] = [];
  const unknownDrugs: Analysis['unknownDrugs'] = [];
  const diseases: string[] = [];
  const seenDisease = new Set<string>();
  const doctorDrugs: DrugMention[] = [];
  turns.forEach((text, turn) => {
    const hits = matcher.find(text);
    const drugEnds = new Set<number>();
    for (const h of hits) {
      const top = h.entries[0];
      mentions.push({ name: top.name, type: top.type, turn, start: h.start, end: h.end });
      const drug = h.entries.find((e) => e.type === 'Drug');
      if (drug) drugEnds.add(h.end);
      if (top.type === 'Disease' && !seenDisease.has(top.name)) {
        seenDisease.add(top.name);
        diseases.push(top.name);
      }
      const isDoctor = turn % 2 === 1;
      if (isDoctor && drug && !h.entries.some((e) => e.type === 'Food') && !negated(text, h.start, h.end)) {
        doctorDrugs.push({ name: drug.name, turn, start: h.start });
      }
    }
    for (const t of findDrugLikeTokens(text, (stem) => isOtherEntity(matcher, stem))) {
      if (!drugEnds.has(t.end)) unknownDrugs.push({ ...t, turn });
    }
  });
  return { env, mentions, unknownDrugs, diseases, doctorDrugs, inferDepartment };
}

function lookupFor(batch: Analysis[]): GraphLookup {
  const pairs = new Map<string, [string, string]>();
  const departmentsOf = new Set<string>();
  const drugs = new Set<string>();
  const diseases = new Set<string>();
  for (const a of batch) {
    if (a.inferDepartment) for (const d of a.diseases) departmentsOf.add(d);
    if (a.diseases.length === 0) continue;
    for (const d of a.diseases) diseases.add(d);
    for (const m of a.doctorDrugs) {
      drugs.add(m.name);
      for (const d of a.diseases) pairs.set(`${m.name}\u0000${d}`, [m.name, d]);
    }
  }
  const sortStr = (xs: Iterable<string>) => [...xs].sort();
  return {
    drugDisease: [...pairs.keys()].sort().map((k) => pairs.get(k)!),
    departmentsOf: sortStr(departmentsOf),
    drugLinks: { drugs: sortStr(drugs), diseases: sortStr(diseases) },
  };
}

function departmentVote(diseases: string[], departments: Map<string, string[]>): [string, string] | null {
  const votes = new Map<string, { pair: [string, string]; count: number; first: number }>();
  diseases.forEach((d, i) => {
    const deps = departments.get(d);
    if (!deps || deps.length === 0) return;
    const pair: [string, string] = [deps[0], deps[1] ?? deps[0]];
    const key = `${pair[0]}\u0000${pair[1]}`;
    const v = votes.get(key);
    if (v) v.count++;
    else votes.set(key, { pair, count: 1, first: i });
  });
  let best: { pair: [string, string]; count: number; first: number } | null = null;
  for (const v of votes.values()) if (!best || v.count > best.count || (v.count === best.count && v.first < best.first)) best = v;
  return best ? best.pair : null;
}

export async function validate(records: RecordEnvelope[], ctx: StageContext): Promise<StageResult<RecordEnvelope>> {
  const cfg = ctx.config.validate;
  if (!cfg.enabled) return { out: records, rejects: [] };
  const log = ctx.logger.child({ stage: 'validate' });
  const out: RecordEnvelope[] = [];
  const rejects: Reject[] = [];

  const valid: RecordEnvelope[] = [];
  for (const env of records) {
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
    const q = lookupFor(batch);
    const empty = q.drugDisease.length === 0 && q.departmentsOf.length === 0 && q.drugLinks.drugs.length === 0 && q.drugLinks.diseases.length === 0;
    const answer: GraphLookupResult = empty
      ? { treats: [], departments: new Map(), drugLinks: { drugs: new Map(), diseases: new Map() } }
      : await graph.lookup(q);
    const treats = new Set<string>();
    q.drugDisease.forEach(([drug, disease], k) => {
      if (answer.treats[k]) treats.add(`${drug}\u0000${disease}`);
    });

    for (const a of batch) {
      const failed = new Map<Check, unknown>();
      if (a.mentions.length === 0) failed.set('no_entity', { utterances: utterances(a.env.record).length });
      if (a.unknownDrugs.length > 0) failed.set('unknown_drug', { tokens: a.unknownDrugs });
      const judgeable = a.diseases.filter((d) => (answer.drugLinks.diseases.get(d) ?? 0) > 0);
      if (judgeable.length > 0) {
        const offending: Array<{ drug: string; turn: number; start: number }> = [];
        const seen = new Set<string>();
        for (const m of a.doctorDrugs) {
          if (seen.has(m.name) || (answer.drugLinks.drugs.get(m.name) ?? 0) === 0) continue;
          seen.add(m.name);
          if (!a.diseases.some((d) => treats.has(`${m.name}\u0000${d}`))) offending.push({ drug: m.name, turn: m.turn, start: m.start });
        }
        if (offending.length > 0) failed.set('drug_not_for_disease', { drugs: offending, diseases: a.diseases });
      }

      const rejectWith = CHECK_ORDER.find((c) => failed.has(c) && cfg.checks[c] === 'reject');
      const record = { ...a.env.record };
      const annotations = { ...a.env.annotations, entities: a.mentions };
      if (a.inferDepartment) {
        const pair = departmentVote(a.diseases, answer.departments);
        if (pair) {
          [record.cate1, record.cate2] = canonicalInferred(pair, [record.cate1, record.cate2]); // through the one taxonomy (split/taxonomy.ts)
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
            evidence: Object.fromEntries(CHECK_ORDER.filter((c) => failed.has(c)).map((c) => [c, failed.get(c)])),
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
      const e = evidence as { drugs: Array<{ drug: string }>; diseases: string[] };
      return `doctor names ${e.drugs.map((d) => d.drug).join(', ')} but the graph relates none of them to ${e.diseases.join(', ')}`;
    }
  }
}
