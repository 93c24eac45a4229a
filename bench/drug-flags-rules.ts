/**
 * Features and candidate rules for the labelled `validate.drug_not_for_disease` flags of
 * test/eval/drug-flags-shared/labels-all.jsonl (see the README's section "All flags of the 2f32aec run").
 *
 *   node dist/bench/drug-flags-rules.js <labels.jsonl> <evidence.jsonl> [snapshot=.cache/kg/xywy-snapshot.json.gz] [--features]
 *
 * <evidence.jsonl> is the output of bench/drug-flags-shared.ts (it holds dialogue text: keep it out
 * of the repository). Only evidence lines whose (id, drug) is labelled are counted; a labelled drug
 * missing from the evidence is no longer contradicted on that snapshot. For every flag, using only
 * what the check itself has (the dialogue, the graph's indications and departments), it computes
 *  - nInd: indications the graph lists; nIndXywy: of them, stated by the xywy dump;
 *  - topDepts: distinct first-level departments (belongs_to ord 0) of the indications;
 *  - patientDisease: a disease the graph places in a department is named in a patient turn;
 *  - patientDrug: a patient turn before the doctor's turn names a drug (any Drug entity);
 *    patientDrugLike: or a drug-like token the graph does not know (…片, …颗粒: drug-like.ts);
 *  - diseaseDrugs: the most drugs (common_drug) the graph lists for one of the record's placed diseases;
 *  - drugsInTurn: distinct Drug entities in the doctor's turn;
 * and prints precision (inappropriate / (inappropriate + appropriate); unclear left out, and the
 * same with unclear counted wrong) for the current check and for each candidate rule. --features
 * prints one line of features per flag (no dialogue text).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Matcher } from '../src/kg/matcher.js';
import { openSnapshot } from '../src/kg/snapshot.js';
import { findDrugLikeTokens } from '../src/stages/validate/drug-like.js';

interface Label { id: string; drug: string; ingredient: string; label: 'appropriate' | 'inappropriate' | 'unclear'; kind: string | null; drug_class: string }
interface Evidence { id: string; drug: string; ingredient: string; turn: number; diseases: string[]; indications: string[]; dialogue: string[] }
interface Row {
  id: string; drug: string; label: Label['label']; kind: string | null; drugClass: string;
  nInd: number; nIndXywy: number; topDepts: number; patientDisease: boolean; patientDrug: boolean; patientDrugLike: boolean; drugsInTurn: number;
  /** The most drugs the graph lists (common_drug) for one of the record's placed diseases. */
  diseaseDrugs: number;
}

const jsonl = <T>(file: string): T[] => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);

function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 0];
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

function summary(rows: Row[]): string {
  const right = rows.filter((r) => r.label === 'inappropriate').length;
  const wrong = rows.filter((r) => r.label === 'appropriate').length;
  const unclear = rows.length - right - wrong;
  const [lo, hi] = wilson(right, right + wrong);
  const p = right + wrong ? right / (right + wrong) : 0;
  const p2 = rows.length ? right / rows.length : 0;
  const records = new Map<string, Row[]>();
  for (const r of rows) records.set(r.id, [...(records.get(r.id) ?? []), r]);
  let rr = 0, rw = 0;
  for (const rs of records.values()) {
    if (rs.some((r) => r.label === 'inappropriate')) rr++;
    else if (rs.every((r) => r.label === 'appropriate')) rw++;
  }
  const [rlo, rhi] = wilson(rr, rr + rw);
  return `flags ${rows.length} (right ${right}, wrong ${wrong}, unclear ${unclear}) precision ${p.toFixed(3)} [${lo.toFixed(3)}–${hi.toFixed(3)}] unclear-as-wrong ${p2.toFixed(3)}; records ${records.size} (right ${rr}, wrong ${rw}) precision ${(rr + rw ? rr / (rr + rw) : 0).toFixed(3)} [${rlo.toFixed(3)}–${rhi.toFixed(3)}]`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const showFeatures = process.argv.includes('--features');
  const [labelsFile, evidenceFile, snapArg] = args;
  if (!labelsFile || !evidenceFile) throw new Error('usage: drug-flags-rules.js <labels.jsonl> <evidence.jsonl> [snapshot] [--features]');
  const labels = new Map(jsonl<Label>(labelsFile).map((l) => [`${l.id}\u0000${l.drug}`, l]));
  const evidence = jsonl<Evidence>(evidenceFile).filter((e) => labels.has(`${e.id}\u0000${e.drug}`));
  const snap = await openSnapshot(path.resolve(snapArg ?? '.cache/kg/xywy-snapshot.json.gz'));
  const matcher = Matcher.build(await snap.lexicon());

  const rows: Row[] = [];
  for (const e of evidence) {
    const l = labels.get(`${e.id}\u0000${e.drug}`)!;
    const turns = e.dialogue.map((t) => t.replace(/^[PD]\d+: /, ''));
    const patientDiseases = new Set<string>();
    let patientDrug = false;
    let patientDrugLike = false;
    turns.forEach((text, i) => {
      if (i % 2 !== 0) return;
      if (i < e.turn && findDrugLikeTokens(text).length > 0) patientDrugLike = true;
      for (const h of matcher.find(text)) {
        for (const x of h.entries) {
          if (x.type === 'Disease') patientDiseases.add(x.name);
          if (x.type === 'Drug' && i < e.turn) patientDrug = true;
        }
      }
    });
    const drugsInTurn = new Set(matcher.find(turns[e.turn] ?? '').flatMap((h) => h.entries.filter((x) => x.type === 'Drug').map((x) => x.name))).size;
    const ans = await snap.lookup({
      drugDisease: [],
      departmentsOf: [...new Set([...e.indications, ...patientDiseases, ...e.diseases])].sort(),
      drugLinks: { drugs: [], diseases: [...e.diseases].sort() },
      indications: [{ drug: e.ingredient, symptoms: [], diseases: [] }],
    });
    const inds = ans.indications[0]?.indications ?? [];
    const top = new Set(e.indications.map((d) => ans.departments.get(d)?.[0]).filter((d): d is string => !!d));
    rows.push({
      id: e.id, drug: e.drug, label: l.label, kind: l.kind, drugClass: l.drug_class,
      nInd: inds.length, nIndXywy: inds.filter((i) => i.sources.includes('xywy')).length, topDepts: top.size,
      patientDisease: [...patientDiseases].some((d) => (ans.departments.get(d)?.length ?? 0) > 0),
      patientDrug, patientDrugLike: patientDrug || patientDrugLike, drugsInTurn,
      diseaseDrugs: Math.max(0, ...e.diseases.filter((d) => (ans.departments.get(d)?.length ?? 0) > 0).map((d) => ans.drugLinks.diseases.get(d) ?? 0)),
    });
  }
  if (showFeatures) for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);

  const tally = (key: (r: Row) => string) => {
    const m = new Map<string, Record<string, number>>();
    for (const r of rows) {
      const t = m.get(key(r)) ?? {};
      t[r.label] = (t[r.label] ?? 0) + 1;
      m.set(key(r), t);
    }
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, t]) => `  ${k.padEnd(22)} ${JSON.stringify(t)}`).join('\n');
  };
  process.stdout.write(`by kind\n${tally((r) => r.kind ?? '-')}\nby drug_class\n${tally((r) => r.drugClass)}\n`);
  // R5 needs a drug-class table the graph does not hold (a curated ingredient → class list); here the labelled class stands in for it.
  const symptomatic = new Set(['analgesic/NSAID', 'corticosteroid', 'antihistamine', 'H2 blocker', 'mineral/electrolyte', 'probiotic']);
  // The proposed rules (README, "All flags of the 2f32aec run"): a flag is kept only when …
  const A = (r: Row) => r.patientDisease; // … a patient turn names a disease the graph places in a department
  const B = (r: Row) => !r.patientDrugLike; // … no patient turn before it names a drug or drug-like token
  const B0 = (r: Row) => !r.patientDrug; // (B with graph Drug entities only)
  const C = (r: Row) => !symptomatic.has(r.drugClass); // … the drug is not of a symptomatic class (needs a curated class table)
  const D = (r: Row) => r.diseaseDrugs >= 10; // … a placed disease of the record has >= 10 drugs in the graph
  const all = [A, B, C, D];
  const rules: Array<[string, (r: Row) => boolean]> = [
    ['current check', () => true],
    ['A patient names a placed disease', A],
    ['B no drug/drug-like token from the patient before', B],
    ['B0 no graph drug from the patient before', B0],
    ['C not a symptomatic class', C],
    ['D a placed disease with >= 10 drugs', D],
    ['A + B', (r) => A(r) && B(r)],
    ['A + B + D', (r) => A(r) && B(r) && D(r)],
    ['A + B + C + D', (r) => all.every((f) => f(r))],
    ['  without A (B + C + D)', (r) => B(r) && C(r) && D(r)],
    ['  without B (A + C + D)', (r) => A(r) && C(r) && D(r)],
    ['  without C (A + B + D)', (r) => A(r) && B(r) && D(r)],
    ['  without D (A + B + C)', (r) => A(r) && B(r) && C(r)],
    ['(not proposed) >= 10 indications stated by xywy', (r) => r.nIndXywy >= 10],
    ['(not proposed) indications span <= 4 first-level depts', (r) => r.topDepts <= 4],
    ['(not proposed) indications span >= 5 first-level depts', (r) => r.topDepts >= 5],
    ['(not proposed) A + B0 + C + D', (r) => A(r) && B0(r) && C(r) && D(r)],
  ];
  for (const [name, keep] of rules) process.stdout.write(`${name.padEnd(56)} ${summary(rows.filter(keep))}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
