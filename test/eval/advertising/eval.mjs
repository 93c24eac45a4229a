/**
 * The advertising detector (src/stages/quality/advertising.ts, through the quality stage's
 * answerText) against labels.jsonl: `node test/eval/advertising/eval.mjs <out-dir>` after `npx tsc`,
 * where <out-dir> is the run the labels were drawn from (sample.py). Prints precision and recall
 * with `borderline` counted as positive and as negative, per sample part, and every miss and
 * false alarm (ids only).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', '..');
const { scoreAdvertising } = await import(path.join(root, 'dist/src/stages/quality/advertising.js'));
const { answerText } = await import(path.join(root, 'dist/src/stages/quality/index.js'));
const { Pipeline } = await import(path.join(root, 'dist/schemas/pipeline.js'));
const threshold = Pipeline.parse({ name: 'x', sources: [{ format: 'huatuo', path: 'x' }] }).quality.advertising.threshold;

const out = process.argv[2];
if (!out) throw new Error('usage: node test/eval/advertising/eval.mjs <out-dir of the labelled run>');
const records = new Map();
for (const split of readdirSync(path.join(out, 'shards'))) {
  for (const f of readdirSync(path.join(out, 'shards', split))) {
    for (const line of gunzipSync(readFileSync(path.join(out, 'shards', split, f))).toString('utf8').split('\n')) {
      if (line) { const r = JSON.parse(line); records.set(r.id, r); }
    }
  }
}
const labels = readFileSync(path.join(here, 'labels.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const rows = [];
for (const part of ['cue', 'random', 'all']) {
  for (const positive of [['ad'], ['ad', 'borderline']]) {
    let tp = 0, fp = 0, fn = 0;
    const misses = [], alarms = [];
    for (const l of labels) {
      if (part !== 'all' && l.sample !== part) continue;
      const r = records.get(l.id);
      if (!r) throw new Error(`${l.id} is not in ${out}: pass the run the labels were drawn from`);
      const flagged = scoreAdvertising(answerText({ record: r })).score >= threshold;
      const pos = positive.includes(l.label);
      if (flagged && pos) tp++;
      else if (flagged) { fp++; alarms.push(`${l.id} (${l.label})`); }
      else if (pos) { fn++; misses.push(l.id); }
    }
    rows.push({ part, positive: positive.join('+'), tp, fp, fn, precision: tp + fp ? +(tp / (tp + fp)).toFixed(3) : null, recall: tp + fn ? +(tp / (tp + fn)).toFixed(3) : null, alarms });
  }
}
console.table(rows.map(({ alarms, ...r }) => r));
for (const r of rows) if (r.part === 'all' && r.alarms.length) console.log(`false alarms (${r.positive} positive): ${r.alarms.join(', ')}`);
