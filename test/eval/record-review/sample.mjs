// Draws the record-review sample (issue: read real output as a medical-LLM team would).
// usage: node test/eval/record-review/sample.mjs <out-dir> [records|rejects] > sample.jsonl
// records: 40 accepted records per source format (the annotations sidecar names the origin), seeded shuffle;
// rejects: 10 rejects per source format (import-stage rejects included). Prints full records on stdout for a
// reader; commit only ids and labels (labels.jsonl), never the dialogue text.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

const [outDir, what = 'records'] = process.argv.slice(2);
const SEED = 'record-review-s8';
const key = (id) => createHash('sha256').update(SEED + '\0' + id).digest('hex');
const readGz = (p) => gunzipSync(readFileSync(p)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

if (what === 'records') {
  const byFormat = new Map();
  const recs = new Map();
  for (const split of ['train', 'validation', 'test']) {
    for (const f of readdirSync(join(outDir, 'shards', split)).sort()) {
      for (const r of readGz(join(outDir, 'shards', split, f))) recs.set(r.id, r);
      for (const a of readGz(join(outDir, 'annotations', split, f))) {
        const fm = a.origin.format;
        if (!byFormat.has(fm)) byFormat.set(fm, []);
        byFormat.get(fm).push({ id: a.id, origin: a.origin });
      }
    }
  }
  for (const [fm, list] of [...byFormat].sort()) {
    list.sort((a, b) => (key(a.id) < key(b.id) ? -1 : 1));
    for (const { id, origin } of list.slice(0, 40)) process.stdout.write(JSON.stringify({ format: fm, origin, record: recs.get(id) }) + '\n');
  }
} else {
  const byFormat = new Map();
  for (const l of readFileSync(join(outDir, 'rejects', 'rejects.jsonl'), 'utf8').split('\n')) {
    if (!l) continue;
    const r = JSON.parse(l);
    const fm = r.origin?.format ?? 'unknown';
    if (!byFormat.has(fm)) byFormat.set(fm, []);
    byFormat.get(fm).push(r);
  }
  for (const [fm, list] of [...byFormat].sort()) {
    list.sort((a, b) => (key(a.id) < key(b.id) ? -1 : 1));
    for (const r of list.slice(0, 10)) process.stdout.write(JSON.stringify(r) + '\n');
  }
}
