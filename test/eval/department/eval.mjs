// Recomputes the department-inference figures of test/eval/department/README.md from the hand labels and an output.
// usage: node test/eval/department/eval.mjs <out-dir> [--before <out-dir>] [--labels test/eval/department/labels.jsonl] [--list]
// Per labelled record (the seeded sample of explain.mjs): the pair the output gives it now, looked up among the labels
// of that record (one line per (id, pair) judged: the pair inferred when sampled, and any pair a later rule gave it).
//   precision       right / inferred-and-labelled, and (right + acceptable) / inferred-and-labelled
//   kept right      sampled records labelled right whose record still carries a pair labelled right (recall proxy)
//   fell back       sampled records now at the default (未分类/未分类)
//   unlabelled      sampled records now at a pair nobody judged: label it (add a line) and re-run
// --before: also what changed over the whole output (records inferred, moved to another pair, fell back, newly inferred).
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(fileURLToPath(import.meta.url), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const outDir = args[0];
if (!outDir || outDir.startsWith('--')) {
  console.error('usage: node test/eval/department/eval.mjs <out-dir> [--before <out-dir>] [--labels file] [--list]');
  process.exit(2);
}
const readGz = (p) => gunzipSync(readFileSync(p)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** id → { pair, inferred, format } for every accepted record of an output. */
function load(dir) {
  const m = new Map();
  for (const split of ['train', 'validation', 'test']) {
    for (const f of readdirSync(join(dir, 'shards', split)).sort()) {
      const recs = readGz(join(dir, 'shards', split, f));
      const anns = readGz(join(dir, 'annotations', split, f));
      recs.forEach((r, i) => m.set(r.id, { pair: `${r.cate1}/${r.cate2}`, inferred: anns[i].annotations.inferredDepartment === true, format: anns[i].origin.format }));
    }
  }
  return m;
}

const labelLines = readFileSync(opt('--labels', join(here, 'labels.jsonl')), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const judged = new Map(); // id → pair → label
const sampled = []; // the lines of the sample: the pair inferred when the record was drawn
for (const l of labelLines) {
  const pair = `${l.cate1}/${l.cate2}`;
  if (!judged.has(l.id)) judged.set(l.id, new Map());
  judged.get(l.id).set(pair, l.label);
  if (l.sampled) sampled.push({ ...l, pair });
}

const now = load(outDir);
const c = { right: 0, acceptable: 0, wrong: 0, unlabelled: 0, fellBack: 0, missing: 0, keptRight: 0, sampledRight: 0 };
const byFormat = {};
const listed = [];
for (const s of sampled) {
  if (s.label === 'right') c.sampledRight++;
  const r = now.get(s.id);
  const f = (byFormat[s.format] ??= { n: 0, right: 0, acceptable: 0, wrong: 0, unlabelled: 0, fellBack: 0 });
  f.n++;
  if (!r) { c.missing++; listed.push(`missing     ${s.id}`); continue; }
  if (!r.inferred) { c.fellBack++; f.fellBack++; listed.push(`fell back   ${s.id} ${s.pair} (${s.label}) → ${r.pair}`); continue; }
  const label = judged.get(s.id).get(r.pair);
  if (!label) { c.unlabelled++; f.unlabelled++; listed.push(`unlabelled  ${s.id} ${s.pair} (${s.label}) → ${r.pair}`); continue; }
  c[label]++;
  f[label]++;
  if (s.label === 'right' && label === 'right') c.keptRight++;
  if (r.pair !== s.pair) listed.push(`moved       ${s.id} ${s.pair} (${s.label}) → ${r.pair} (${label})`);
}
const inferred = c.right + c.acceptable + c.wrong;
const pct = (a, b) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
console.log(`output: ${outDir}`);
console.log(`sample: ${sampled.length} records (${Object.entries(byFormat).map(([k, v]) => `${k} ${v.n}`).join(', ')})`);
console.log(`inferred and labelled: ${inferred} — right ${c.right}, acceptable ${c.acceptable}, wrong ${c.wrong}; unlabelled ${c.unlabelled}; fell back to the default ${c.fellBack}; missing ${c.missing}`);
console.log(`precision: right ${pct(c.right, inferred)}, right+acceptable ${pct(c.right + c.acceptable, inferred)}`);
console.log(`kept right: ${c.keptRight} of ${c.sampledRight} sampled records labelled right`);
// The sample is stratified by corpus (explain.mjs QUOTA): weight each corpus's precision by its inferred records in this output.
const population = {};
for (const r of now.values()) if (r.inferred) population[r.format] = (population[r.format] ?? 0) + 1;
let wR = 0, wRA = 0, wN = 0;
for (const [k, v] of Object.entries(byFormat)) {
  const n = v.right + v.acceptable + v.wrong;
  if (n === 0 || !population[k]) continue;
  wR += (population[k] * v.right) / n;
  wRA += (population[k] * (v.right + v.acceptable)) / n;
  wN += population[k];
}
console.log(`precision weighted by each corpus's inferred records (${Object.entries(population).map(([k, n]) => `${k} ${n}`).join(', ')}): right ${pct(wR, wN)}, right+acceptable ${pct(wRA, wN)}`);
for (const [k, v] of Object.entries(byFormat)) {
  const n = v.right + v.acceptable + v.wrong;
  console.log(`  ${k.padEnd(10)} inferred ${n}: right ${v.right}, acceptable ${v.acceptable}, wrong ${v.wrong} (${pct(v.right, n)} / ${pct(v.right + v.acceptable, n)}); fell back ${v.fellBack}, unlabelled ${v.unlabelled}`);
}
if (args.includes('--list')) for (const l of listed) console.log(`  ${l}`);

const beforeDir = opt('--before');
if (beforeDir) {
  const before = load(beforeDir);
  let inferredBefore = 0, inferredNow = 0, moved = 0, fellBack = 0, newly = 0, gone = 0;
  const perFormat = {};
  for (const [id, b] of before) {
    if (b.inferred) inferredBefore++;
    const a = now.get(id);
    if (!a) { gone++; continue; }
    const p = (perFormat[b.format] ??= { before: 0, now: 0 });
    if (b.inferred) p.before++;
    if (a.inferred) p.now++;
    if (a.pair === b.pair) continue;
    if (b.inferred && !a.inferred) fellBack++;
    else if (!b.inferred && a.inferred) newly++;
    else moved++;
  }
  for (const a of now.values()) if (a.inferred) inferredNow++;
  console.log(`whole output vs ${beforeDir}: ${before.size} → ${now.size} records (${gone} ids not in the new output)`);
  console.log(`  inferred departments: ${inferredBefore} → ${inferredNow} (${Object.entries(perFormat).filter(([, v]) => v.before || v.now).map(([k, v]) => `${k} ${v.before} → ${v.now}`).join(', ')})`);
  console.log(`  fell back to the default: ${fellBack}; moved to another pair: ${moved}; newly inferred: ${newly}`);
}
