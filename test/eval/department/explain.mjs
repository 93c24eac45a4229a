// Shows why each record of an output got its inferred department (issue: measure the graph-inferred cate1/cate2).
// usage (after npm run build): node test/eval/department/explain.mjs <out-dir> [--sample N] [--ids a,b,...] > explained.jsonl
// For every accepted record with annotations.inferredDepartment: the diseases it names in order (turn, patient or
// doctor), each disease's graph departments, the plain vote of every named disease (votes: graph pair → diseases), and
// the built rule's voters and pick for the record alone (a window may carry its dialogue's pair: split/department.ts). --sample N draws the seeded sample
// of the labels (SEED below; per source format, see QUOTA) instead of printing every record. Prints dialogue text
// for a reader on stdout; commit only ids and labels, never the text of the unlicensed corpora.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const { openSnapshot } = await import(join(root, 'dist/src/kg/snapshot.js'));
const { matcherFor } = await import(join(root, 'dist/src/kg/matcher.js'));
const { analyse, departmentVote, utterances } = await import(join(root, 'dist/src/stages/validate/index.js'));

export const SEED = 'department-eval-s1';
/** Per source format: how many inferred records the sample takes (the corpora with inferred records). */
export const QUOTA = { huatuo: 100, meddialog: 35, cmtmedqa: 15 };

const args = process.argv.slice(2);
const outDir = args[0];
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const key = (id) => createHash('sha256').update(SEED + '\0' + id).digest('hex');
const readGz = (p) => gunzipSync(readFileSync(p)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

const records = [];
for (const split of ['train', 'validation', 'test']) {
  for (const f of readdirSync(join(outDir, 'shards', split)).sort()) {
    const recs = readGz(join(outDir, 'shards', split, f));
    const anns = readGz(join(outDir, 'annotations', split, f));
    recs.forEach((r, i) => records.push({ record: r, ann: anns[i], split }));
  }
}
// --source: the records whose department came from their source instead (a silver standard for the vote)
let chosen = args.includes('--source')
  ? records.filter((x) => !x.ann.annotations.inferredDepartment && x.record.cate1 !== '未分类')
  : records.filter((x) => x.ann.annotations.inferredDepartment);
if (opt('--ids')) {
  const ids = new Set(opt('--ids').split(','));
  chosen = records.filter((x) => ids.has(x.record.id));
} else if (opt('--sample')) {
  const byFormat = new Map();
  for (const x of chosen) {
    const fm = x.ann.origin.format;
    if (!byFormat.has(fm)) byFormat.set(fm, []);
    byFormat.get(fm).push(x);
  }
  chosen = [];
  for (const [fm, list] of [...byFormat].sort()) {
    list.sort((a, b) => (key(a.record.id) < key(b.record.id) ? -1 : 1));
    chosen.push(...list.slice(0, QUOTA[fm] ?? 0));
  }
}

const snapshot = join(root, '.cache/kg/xywy-snapshot.json.gz');
const graph = await openSnapshot(snapshot);
const matcher = await matcherFor(graph);
for (const { record, ann, split } of chosen) {
  const a = analyse({ record, annotations: {} }, matcher, true);
  const deps = await graph.departmentsOf(a.diseases);
  const turns = utterances(record);
  const firstTurn = new Map();
  for (const m of a.mentions) if (!firstTurn.has(m.name)) firstTurn.set(m.name, m.turn);
  // per disease: whether a surface naming it also names a graph Symptom, and in how many turns it is named
  const alsoSymptom = new Set();
  const turnsNaming = new Map();
  const affirmed = new Set();
  turns.forEach((t, i) => {
    for (const h of matcher.find(t)) {
      const dis = h.entries.find((e) => e.type === 'Disease');
      if (!dis) continue;
      if (h.entries.some((e) => e.type === 'Symptom')) alsoSymptom.add(dis.name);
      if (!/(?:不是|没有|并非|排除|不考虑|不像|否认)[^，。？！,.?!]{0,3}$/u.test(t.slice(Math.max(0, h.start - 6), h.start))) affirmed.add(dis.name);
      if (!turnsNaming.has(dis.name)) turnsNaming.set(dis.name, new Set());
      turnsNaming.get(dis.name).add(i);
    }
  });
  const diseases = a.diseases.map((d) => {
    // the first turn naming d (a disease typed Symptom in mentions still shows up by matching the text)
    let turn = firstTurn.get(d);
    if (turn === undefined) turn = turns.findIndex((t) => matcher.find(t).some((h) => h.entries.some((e) => e.type === 'Disease' && e.name === d)));
    const named = [...(turnsNaming.get(d) ?? [])];
    return { name: d, turn, by: turn % 2 === 0 ? 'patient' : 'doctor', patientTurns: named.filter((i) => i % 2 === 0).length, doctorTurns: named.filter((i) => i % 2 === 1).length, alsoSymptom: alsoSymptom.has(d), negatedOnly: !affirmed.has(d), departments: deps.get(d) ?? [] };
  });
  const votes = {};
  for (const d of diseases) {
    if (d.departments.length === 0) continue;
    const k = `${d.departments[0]}/${d.departments[1] ?? d.departments[0]}`;
    (votes[k] ??= []).push(d.name);
  }
  process.stdout.write(JSON.stringify({
    id: record.id, format: ann.origin.format, sourceId: ann.origin.sourceId, window: ann.origin.window, split,
    cate1: record.cate1, cate2: record.cate2, diseases, votes,
    // the rule of the built code: who may vote (patient: named in a patient turn) and what it picks for this record alone
    voters: a.departmentVoters, vote: departmentVote(a.departmentVoters, deps), turns,
  }) + '\n');
}
