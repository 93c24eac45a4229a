/**
 * One benchmark run in its own process (so peak RSS is the run's own): runs a pipeline YAML with
 * the local executor and prints one JSON line {seconds, maxRssMb, dialogues, records, stageSeconds}.
 */
import { silentLogger } from '../src/core/logger.js';
import { runLocal } from '../src/executors/local.js';
import { loadPipeline } from '../src/pipeline/config.js';
import { openRunResources } from '../src/pipeline/resources.js';

const [file, outDir] = process.argv.slice(2);
const pipeline = loadPipeline(file);
const res = await openRunResources(pipeline, silentLogger);
const t0 = performance.now();
const run = await runLocal({ pipeline, outDir, logger: silentLogger, ...res });
const seconds = (performance.now() - t0) / 1000;
await res.close();
console.log(JSON.stringify({
  seconds,
  cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  dialogues: run.report.dialogues.in,
  accepted: run.report.dialogues.accepted,
  records: run.report.records.accepted,
  closes: run.report.dialogues.closes && run.report.records.closes,
  stageSeconds: run.report.throughput.stageSeconds,
}));
