// `node bench/normalise-ab.mjs <checkout>`: normalise-stage CPU on the six real files held in memory, for one built checkout (its dist/).
// Run it alternately on two checkouts (e.g. a worktree of an older commit) to compare them in one session; ../shared beside.
const root = process.argv[2];
const shared = new URL('../shared/data/dialogues', `file://${root}/`).pathname;
const { parsePipeline } = await import(`${root}/dist/src/pipeline/config.js`);
const { batches, sourceItems } = await import(`${root}/dist/src/pipeline/read-sources.js`);
const { normalise } = await import(`${root}/dist/src/stages/normalise/index.js`);
const { silentLogger } = await import(`${root}/dist/src/core/logger.js`);
// The file list of this checkout's bench (built), whichever checkout is measured.
const { CORPORA } = await import(new URL('../dist/bench/corpora.js', import.meta.url).href);
const C = CORPORA.map((c) => [c.format, c.file]);
const config = parsePipeline({ name: 'nb', sources: C.map(([format, f]) => ({ format, path: `${shared}/${f}` })) });
const ctx = { config, logger: silentLogger };
const all = [];
for await (const b of batches(sourceItems(config, root, silentLogger), 500)) all.push(b);
const n = all.reduce((a, b) => a + b.dialogues.length, 0);
normalise(all[0].dialogues, ctx); // warm (OpenCC table)
const res = [];
for (let r = 0; r < 5; r++) { const c0 = process.cpuUsage(); for (const b of all) normalise(b.dialogues, ctx); const c = process.cpuUsage(c0); res.push((c.user + c.system) / 1e6); }
res.sort((a, b) => a - b);
console.log(JSON.stringify({ root, dialogues: n, medianCpu: res[2], perSecond: Math.round(n / res[2]) }));
