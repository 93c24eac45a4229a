// Draws the false-scrub review sample: every scrub hit of src/stages/normalise/pii.ts over the six
// real corpora in ../shared/data (text cleaned as normalise does, then scrubSpans), all hits of the
// rare types plus seeded-random NAME hits up to 300 in all. Prints JSON lines {n, type, match, left, right}
// with at most 6 characters of context each side (for labelling; the committed labels keep only the match).
// Run from the repo root after a build: node test/eval/pii-review/sample.mjs > /tmp/sample.jsonl
import path from 'node:path';
const d = (p) => path.resolve('dist', p);
const { parsePipeline } = await import(d('src/pipeline/config.js'));
const { batches, sourceItems } = await import(d('src/pipeline/read-sources.js'));
const { cleanText } = await import(d('src/stages/normalise/text.js'));
const { templatesFor, templateSource } = await import(d('src/stages/normalise/boilerplate.js'));
const { scrubSpans } = await import(d('src/stages/normalise/pii.js'));
const { silentLogger } = await import(d('src/core/logger.js'));
const shared = path.resolve('..', 'shared', 'data', 'dialogues');
const C = ['meddialog:meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt', 'hetmc:hetmc_chunyu/train.dialog', 'mie:mie_chunyu/dev.json', 'cmtmedqa:cmtmedqa/CMtMedQA_test.json', 'toyhom:toyhom_cmd/样例_内科5000-6000.csv', 'huatuo:huatuo26m/huatuo26M_test.json'];
const config = parsePipeline({ name: 'review', sources: C.map((c) => ({ format: c.split(':')[0], path: path.join(shared, c.split(':')[1]) })) });
const hits = [];
for await (const b of batches(sourceItems(config, '.', silentLogger), 500)) {
  for (const x of b.dialogues) {
    const opts = { toSimplified: true, scrubPii: false, templates: templatesFor(templateSource(x.origin)) };
    const texts = [...x.turns.map((t) => t.text), x.description, x.title, x.department, x.cate1, x.cate2, x.disease].filter(Boolean);
    for (const raw of texts) {
      const t = cleanText(raw, opts);
      let from = 0;
      for (const s of scrubSpans(t)) {
        const i = t.indexOf(s.match, from);
        from = i >= 0 ? i + s.match.length : from;
        hits.push({ format: x.origin.format, type: s.type, match: s.match, left: i >= 0 ? t.slice(Math.max(0, i - 6), i) : '', right: i >= 0 ? t.slice(i + s.match.length, i + s.match.length + 6) : '' });
      }
    }
  }
}
let seed = 20261201;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const rare = hits.filter((h) => h.type !== 'NAME');
const names = hits.filter((h) => h.type === 'NAME');
for (let i = names.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [names[i], names[j]] = [names[j], names[i]]; }
const sample = [...rare, ...names.slice(0, 300 - rare.length)];
console.error(JSON.stringify({ totalHits: hits.length, byType: hits.reduce((a, h) => ((a[h.type] = (a[h.type] ?? 0) + 1), a), {}) }));
sample.forEach((h, n) => console.log(JSON.stringify({ n, ...h })));
