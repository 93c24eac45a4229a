/**
 * Quality of the graph checks on real text, measured against the labelled turns of test/eval
 * (drug-turns.jsonl, entity-spans.jsonl; see test/eval/README.md) and MIE's own labels:
 *  - entities: precision and recall by type of the matcher on the labelled spans;
 *  - drugs: precision and recall of `validate.drug_not_for_disease` on the labelled drugs;
 *  - MIE: share of dev.json's symptom labels that the matcher finds in their window;
 *  - synthetic claims built from the graph: consistent vs inconsistent separation.
 * Dialogue text is resolved through the locators by test/eval/locate.py (python3) at run time and
 * never written into the repository. Measures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordEnvelope } from '../schemas/record.js';
import { Matcher } from '../src/kg/matcher.js';
import { foldTerm } from '../src/kg/fold.js';
import type { GraphPort, LexiconEntry } from '../src/kg/port.js';
import { MAX_DRUG_DEPARTMENTS, MIN_KNOWN_INDICATIONS, analyse, drugLookups, isJudged, judgeDrugs, type DrugVerdict } from '../src/stages/validate/index.js';

interface Loc { file: string; record: Record<string, unknown>; utterance: number; role: string }
interface EntityLine { key: string; source: string; locator: Loc; entities: Array<{ surface: string; start: number; end: number; type: string }>; non_entities: Array<{ surface: string; start: number; end: number; note?: string }> }
interface DrugLine { key: string; source: string; locator: Loc; diseases: string[]; symptoms: string[]; drugs: Array<{ surface: string; start: number; end: number; judgement: 'appropriate' | 'inappropriate' | 'unclear'; reason: string }> }

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (a: number, b: number) => (b === 0 ? '–' : fmt(a / b, 3));

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

/** Every record the label files point into: key → [[role, text], …] (resolved by locate.py). */
function resolveRecords(root: string, lines: Array<{ key: string; locator: Loc }>): Map<string, Array<[string, string]>> {
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(path.join(root, 'test', 'eval'))})
import locate
out = {}
for line in sys.stdin:
    x = json.loads(line)
    loc = x["locator"]
    locate.resolve(loc)  # verifies role, sha1, length
    out[x["key"]] = locate.record_utterances(loc["file"], loc["record"])
print(json.dumps(out, ensure_ascii=False))
`;
  const input = lines.map((l) => JSON.stringify({ key: l.key, locator: l.locator })).join('\n');
  const out = execFileSync('python3', ['-c', script], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, DIALOGUES: path.resolve(root, '..', 'shared', 'data', 'dialogues') },
  });
  return new Map(Object.entries(JSON.parse(out) as Record<string, Array<[string, string]>>));
}

/** Code-point offsets (Python) → UTF-16 offsets. */
function cpToUtf16(text: string): (cp: number) => number {
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return (cp) => map[cp];
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

export interface EntityEval {
  lines: string[];
  recall: number;
  precision: number;
}

/** Types the label set shares with the graph (BodyPart has no graph type). */
const TYPES = ['Disease', 'Symptom', 'Drug', 'Check', 'Department', 'Food'];

export function entityEval(root: string, matcher: Matcher): EntityEval {
  const file = path.join(root, 'test', 'eval', 'entity-spans.jsonl');
  const labelled = readJsonl<EntityLine>(file);
  const records = resolveRecords(root, labelled);
  const by = new Map<string, { gold: number; found: number; foundTyped: number; pred: number; predOk: number; predOkTyped: number }>();
  const at = (t: string) => by.get(t) ?? (by.set(t, { gold: 0, found: 0, foundTyped: 0, pred: 0, predOk: 0, predOkTyped: 0 }), by.get(t)!);
  const fps: string[] = [];
  const misses: string[] = [];
  const trapsHit: string[] = [];
  let traps = 0;
  for (const l of labelled) {
    const text = records.get(l.key)![l.locator.utterance][1];
    const u = cpToUtf16(text);
    const gold = l.entities.filter((e) => TYPES.includes(e.type)).map((e) => ({ ...e, start: u(e.start), end: u(e.end) }));
    const body = l.entities.filter((e) => e.type === 'BodyPart').map((e) => ({ ...e, start: u(e.start), end: u(e.end) }));
    const nonEntities = l.non_entities.map((e) => ({ ...e, start: u(e.start), end: u(e.end) }));
    const hits = matcher.find(text).map((h) => ({ start: h.start, end: h.end, type: h.entries[0].type as string, types: h.entries.map((e) => e.type as string), surface: text.slice(h.start, h.end) }));
    // Symptom and Disease are one class for matching (MIE calls diseases 症状; 咳嗽 is both).
    const compatible = (a: string, types: string[]) => types.includes(a) || ((a === 'Symptom' || a === 'Disease') && (types.includes('Symptom') || types.includes('Disease')));
    for (const g of gold) {
      const s = at(g.type);
      s.gold++;
      const o = hits.filter((h) => overlaps(h, g));
      if (o.some((h) => compatible(g.type, h.types))) s.found++;
      else misses.push(`${g.surface} (${g.type})`);
      if (o.some((h) => h.type === g.type)) s.foundTyped++;
    }
    for (const h of hits) {
      const s = at(h.type);
      s.pred++;
      const g = gold.filter((x) => overlaps(h, x));
      if (g.some((x) => compatible(x.type, h.types))) s.predOk++;
      else if (!body.some((b) => overlaps(h, b))) fps.push(`${h.surface} (${h.type}${g.length ? `; labelled ${g.map((x) => `${x.surface}:${x.type}`).join(',')}` : ''})`);
      else s.predOk++; // a body part on its own: not scored (see test/eval/README.md)
      if (g.some((x) => x.type === h.type)) s.predOkTyped++;
    }
    for (const n of nonEntities) {
      traps++;
      const inside = hits.filter((h) => h.start >= n.start && h.end <= n.end && overlaps(h, n));
      // A trap is hit when a match inside it is not itself a labelled entity (发热咳嗽 → 发热 + 咳嗽 is right).
      const wrong = inside.filter((h) => !gold.some((g) => g.start === h.start && g.end === h.end));
      if (wrong.length) trapsHit.push(`${n.surface}: ${wrong.map((h) => h.surface).join(',')}`);
    }
  }
  let g = 0, f = 0, p = 0, ok = 0, ft = 0, okt = 0;
  const rows: string[] = [];
  for (const t of TYPES) {
    const s = by.get(t);
    if (!s) continue;
    g += s.gold; f += s.found; p += s.pred; ok += s.predOk; ft += s.foundTyped; okt += s.predOkTyped;
    rows.push(`| ${t} | ${s.gold} | ${s.pred} | ${pct(s.found, s.gold)} | ${pct(s.predOk, s.pred)} | ${pct(s.foundTyped, s.gold)} | ${pct(s.predOkTyped, s.pred)} |`);
  }
  rows.push(`| **all** | ${g} | ${p} | **${pct(f, g)}** | **${pct(ok, p)}** | ${pct(ft, g)} | ${pct(okt, p)} |`);
  const lines = [
    `Entity spans: ${labelled.length} labelled turns (${g} entities of the graph's six types; BodyPart not scored), matched on the raw utterance. A labelled entity is found when a match overlaps it with a compatible type (Symptom and Disease are one class); a match is right when it overlaps a labelled entity of a compatible type. The "exact type" columns require the same type.`,
    '',
    '| type | labelled | matches | recall | precision | recall (exact type) | precision (exact type) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Non-entity traps (发热咳嗽, 炎性病变, 多饮水, 高热量, 降低血压, 乙肝病毒, advice phrases …): ${traps} labelled, ${trapsHit.length} with a wrong match inside${trapsHit.length ? `: ${trapsHit.slice(0, 12).join('; ')}` : ''}.`,
    '',
    `Wrong matches (${fps.length}): ${fps.slice(0, 40).join(', ') || 'none'}${fps.length > 40 ? ' …' : ''}.`,
    '',
    `Missed entities (${misses.length}): ${misses.slice(0, 60).join(', ') || 'none'}${misses.length > 60 ? ' …' : ''}.`,
    '',
  ];
  return { lines, recall: f / g, precision: ok / p };
}

export interface DrugEval {
  lines: string[];
  precision: number;
  recall: number;
}

function envelope(turns: string[]): RecordEnvelope {
  // Context (everything before the labelled turn) as one patient utterance, the labelled doctor turn as the output.
  return {
    record: { id: 'eval', cate1: '未分类', cate2: '未分类', instruction: turns[0], input: '', output: turns[1], history: [] },
    annotations: {},
    dialogueId: 'eval',
    origin: { format: 'cmtmedqa', file: 'eval', sourceId: 'eval', position: 0 },
  } as unknown as RecordEnvelope;
}

export async function drugEval(root: string, matcher: Matcher, graph: GraphPort): Promise<DrugEval> {
  const labelled = readJsonl<DrugLine>(path.join(root, 'test', 'eval', 'drug-turns.jsonl'));
  const records = resolveRecords(root, labelled);
  const counts = { drugs: 0, recognised: 0, flagged: 0, tp: 0, flaggedUnclear: 0, flaggedAppropriate: 0, inappropriate: 0, unknown: 0 };
  const byJudgement = new Map<string, { n: number; contradicted: number; unknown: number; consistent: number; unseen: number }>();
  const flags: string[] = [];
  for (const l of labelled) {
    const utts = records.get(l.key)!;
    const turn = utts[l.locator.utterance][1];
    const context = utts.slice(0, l.locator.utterance).map((x) => x[1]).join('\n');
    const a = analyse(envelope([context, turn]), matcher, false);
    const { answers, departments } = await drugLookups([a], graph);
    const verdicts = judgeDrugs(a, answers, departments);
    // Each doctor-drug mention in the turn, with the verdict of its ingredient.
    const u = cpToUtf16(turn);
    const mentions = matcher.find(turn).filter((h) => h.entries.some((e) => e.type === 'Drug'));
    for (const d of l.drugs) {
      counts.drugs++;
      const span = { start: u(d.start), end: u(d.end) };
      const hit = mentions.find((h) => overlaps(h, span));
      const ingredient = hit?.entries.find((e) => e.type === 'Drug')?.name;
      const v: DrugVerdict | undefined = ingredient ? verdicts.find((x) => x.drug === ingredient) : undefined;
      const j = byJudgement.get(d.judgement) ?? (byJudgement.set(d.judgement, { n: 0, contradicted: 0, unknown: 0, consistent: 0, unseen: 0 }), byJudgement.get(d.judgement)!);
      j.n++;
      if (d.judgement === 'inappropriate') counts.inappropriate++;
      if (!v) {
        j.unseen++;
        continue;
      }
      counts.recognised++;
      j[v.verdict]++;
      if (v.verdict === 'unknown') counts.unknown++;
      if (v.verdict !== 'contradicted') continue;
      counts.flagged++;
      if (d.judgement === 'inappropriate') counts.tp++;
      else if (d.judgement === 'unclear') counts.flaggedUnclear++;
      else counts.flaggedAppropriate++;
      flags.push(`${l.key} ${d.surface}→${v.drug} [${d.judgement}] (graph: ${v.indications.slice(0, 3).map((i) => i.disease).join('/')}${v.indications.length > 3 ? '…' : ''}; dialogue: ${a.conditions.slice(0, 4).join('/')})`);
    }
  }
  const judged = counts.flagged - counts.flaggedUnclear;
  const precision = judged === 0 ? 1 : counts.tp / judged;
  const recall = counts.inappropriate === 0 ? 0 : counts.tp / counts.inappropriate;
  const jrows = [...byJudgement.entries()].map(([k, j]) => `| ${k} | ${j.n} | ${j.consistent} | ${j.contradicted} | ${j.unknown} | ${j.unseen} |`);
  const lines = [
    `Drug check on ${labelled.length} labelled doctor turns (${counts.drugs} drugs: the record context is every utterance before the turn; \`judgeDrugs\` of the validate stage on the merged graph):`,
    '',
    '| label | drugs | consistent | contradicted (flag) | unknown | not recognised as a drug |',
    '|---|---:|---:|---:|---:|---:|',
    ...jrows,
    '',
    `\`drug_not_for_disease\` flags: ${counts.flagged} (inappropriate ${counts.tp}, appropriate ${counts.flaggedAppropriate}, unclear ${counts.flaggedUnclear}). **Precision ${fmt(precision, 3)}** (inappropriate / flags judged appropriate or inappropriate; counting unclear as wrong: ${pct(counts.tp, counts.flagged)}); **recall ${fmt(recall, 3)}** (${counts.tp} of ${counts.inappropriate} inappropriate drugs). \`drug_indications_unknown\`: ${counts.unknown}.`,
    '',
    `Every flag: ${flags.join('; ') || 'none'}.`,
    '',
  ];
  return { lines, precision, recall };
}

/** MIE dev.json: share of symptom labels (症状:X) whose entity the matcher finds in the window. */
export function mieEval(root: string, matcher: Matcher, lexicon: LexiconEntry[]): { lines: string[]; found: number } {
  const dev = JSON.parse(readFileSync(path.resolve(root, '..', 'shared', 'data', 'dialogues', 'mie_chunyu', 'dev.json'), 'utf8')) as Array<Array<{ utterances: string[]; label: string[] }>>;
  const byTerm = new Map<string, Set<string>>();
  for (const e of lexicon) {
    let s = byTerm.get(e.term);
    if (!s) byTerm.set(e.term, (s = new Set()));
    s.add(`${e.type}\u0000${e.name}`);
  }
  const stats = new Map<string, { n: number; found: number }>();
  const missed = new Map<string, number>();
  for (const dia of dev) {
    for (const w of dia) {
      const text = w.utterances.map((u) => u.replace(/^(患者|医生)[:：]/, '')).join('\n');
      const found = new Set<string>();
      for (const h of matcher.find(text)) for (const e of h.entries) found.add(`${e.type}\u0000${e.name}`);
      for (const l of w.label) {
        const m = /^(症状|检查):(.+?)-状态:/.exec(l);
        if (!m) continue;
        const kind = m[1];
        const s = stats.get(kind) ?? (stats.set(kind, { n: 0, found: 0 }), stats.get(kind)!);
        s.n++;
        const ents = byTerm.get(foldTerm(m[2])) ?? new Set<string>();
        if ([...ents].some((e) => found.has(e))) s.found++;
        else missed.set(`${kind}:${m[2]}`, (missed.get(`${kind}:${m[2]}`) ?? 0) + 1);
      }
    }
  }
  const sym = stats.get('症状') ?? { n: 0, found: 0 };
  const chk = stats.get('检查') ?? { n: 0, found: 0 };
  const top = [...missed.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, n]) => `${k} ${n}`);
  return {
    found: sym.found / sym.n,
    lines: [
      `MIE dev.json (${dev.length} dialogues): a window's label 症状:X is found when the matcher, on the window's five utterances, finds the entity the graph knows X as. Symptom labels found: **${fmt(sym.found)} of ${fmt(sym.n)} = ${pct(sym.found, sym.n)}**; check labels (检查:X): ${fmt(chk.found)} of ${fmt(chk.n)} = ${pct(chk.found, chk.n)}. Most missed: ${top.join(', ') || 'none'}.`,
      '',
    ],
  };
}

/** Claims built from the graph: consistent (disease + a drug it lists) vs inconsistent (a drug known for other diseases only). */
export async function syntheticEval(graph: GraphPort, matcher: Matcher, diseases: string[], drugsByDisease: Map<string, string[]>, depsOf: Map<string, string[]>, symptomsOf: Map<string, Set<string>>, n = 400, judgedOnly = true): Promise<{ lines: string[]; accuracy: number }> {
  // depsOf: belongs_to in graph order (first-level department first).
  const childDeps = new Map([...depsOf].map(([d, deps]) => [d, new Set(deps.slice(1))]));
  const firstDep = (d: string) => depsOf.get(d)?.[0];
  const tcm = (d: string) => (depsOf.get(d) ?? []).includes('中医科');
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const diseasesOf = new Map<string, number>();
  const indicationsOf = new Map<string, Set<string>>();
  for (const [dis, list] of drugsByDisease) {
    for (const x of new Set(list)) {
      diseasesOf.set(x, (diseasesOf.get(x) ?? 0) + 1);
      if (!indicationsOf.has(x)) indicationsOf.set(x, new Set());
      indicationsOf.get(x)!.add(dis);
    }
  }
  // Inconsistent claims use drugs whose indications the graph knows (else the check says "unknown", by design).
  // …and that the check judges at all (supplements and TCM 丸/丹/散/汤 formulas are "unknown" by design), named by ≥ 2 characters (the matcher's shortest drug term).
  // …and that are specific (indications in ≤ MAX_DRUG_DEPARTMENTS first-level departments, none in TCM): a drug prescribed everywhere is "unknown" by design.
  const specific = (x: string) => {
    const ind = [...(indicationsOf.get(x) ?? [])];
    return !ind.some(tcm) && new Set(ind.map(firstDep).filter((f) => f !== undefined)).size <= MAX_DRUG_DEPARTMENTS;
  };
  const allDrugs = [...diseasesOf.entries()].filter(([x, c]) => c >= MIN_KNOWN_INDICATIONS && (!judgedOnly || (isJudged(x) && x.length >= 2 && specific(x)))).map(([x]) => x).sort();
  // Diseases the graph places in a department outside TCM (a contradiction is claimed only against those).
  const withDrugs = diseases.filter((d) => (drugsByDisease.get(d) ?? []).length > 0 && (!judgedOnly || (firstDep(d) !== undefined && !tcm(d))));
  let right = 0, total = 0, consistentOk = 0, inconsistentOk = 0;
  for (let i = 0; i < n; i++) {
    const d = withDrugs[Math.floor(rnd() * withDrugs.length)];
    const own = drugsByDisease.get(d)!;
    const good = own[Math.floor(rnd() * own.length)];
    // Inconsistent: a drug of another specialty — none of its indications shares a specific department with the disease.
    const deps = childDeps.get(d) ?? new Set<string>();
    const syms = symptomsOf.get(d) ?? new Set<string>();
    const otherSpecialty = (x: string) =>
      !own.includes(x) &&
      ![...(indicationsOf.get(x) ?? [])].some((i) => firstDep(i) === firstDep(d) || [...(childDeps.get(i) ?? [])].some((dep) => deps.has(dep)) || [...(symptomsOf.get(i) ?? [])].some((s) => syms.has(s)));
    let bad = allDrugs[Math.floor(rnd() * allDrugs.length)];
    for (let k = 0; k < 200 && !otherSpecialty(bad); k++) bad = allDrugs[Math.floor(rnd() * allDrugs.length)];
    for (const [drug, expectFlag] of [[good, false], [bad, true]] as Array<[string, boolean]>) {
      const a = analyse(envelope([`医生你好，我确诊了${d}。`, `你好，建议服用${drug}，按说明书用。`]), matcher, false);
      const { answers, departments } = await drugLookups([a], graph);
      const flagged = judgeDrugs(a, answers, departments).some((v) => v.verdict === 'contradicted');
      total++;
      if (flagged === expectFlag) {
        right++;
        if (expectFlag) inconsistentOk++;
        else consistentOk++;
      }
    }
  }
  return {
    accuracy: right / total,
    lines: [`Synthetic claims from the graph (${n} consistent: a disease and a drug it lists; ${n} inconsistent: a disease the graph places in a department outside TCM, and a drug of another specialty — one whose indications share no department (first or second level) and no symptom with it; patient names the disease, doctor the drug): separated **${fmt(right / total, 3)}** (consistent not flagged ${consistentOk}/${n}, inconsistent flagged as contradicted ${inconsistentOk}/${n}; inconsistent drugs are drawn from those with ≥ ${MIN_KNOWN_INDICATIONS} indications that the check judges: specific ones, whose indications lie in at most ${MAX_DRUG_DEPARTMENTS} first-level departments and none in TCM, and no supplement or TCM 丸/丹/散/汤 formula; the others are \`drug_indications_unknown\` by design).`, ''],
  };
}
