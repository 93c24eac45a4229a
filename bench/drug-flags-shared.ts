/**
 * Reproduces the sample and the evidence of test/eval/drug-flags-shared (see its README).
 *
 *   node dist/bench/drug-flags-shared.js <run-dir> [n=40] [seed=drug-flags-shared] > /tmp/evidence.jsonl
 *
 * Reads <run-dir>/annotations/* /*.jsonl.gz, takes the records flagged validate.drug_not_for_disease,
 * orders them by sha1(seed + id) and keeps the first n. For each, re-runs the validate stage's
 * drug judgement (analyse → drugLookups → judgeDrugs, minKnownIndications of the run's
 * pipeline.json) on the record from <run-dir>/shards on .cache/kg/xywy-snapshot.json.gz, and prints
 * one JSON line per contradicted drug with the dialogue, the dialogue's conditions and the graph's
 * indications. The output holds dialogue text: keep it out of the repository.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { RecordEnvelope } from '../schemas/record.js';
import { Matcher } from '../src/kg/matcher.js';
import { openSnapshot } from '../src/kg/snapshot.js';
import { MAX_DRUG_DEPARTMENTS, analyse, drugLookups, judgeDrugs, utterances } from '../src/stages/validate/index.js';

const FLAG = 'validate.drug_not_for_disease';

function readGzJsonl(dir: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const split of readdirSync(dir).sort()) {
    for (const f of readdirSync(path.join(dir, split)).sort()) {
      if (!f.endsWith('.jsonl.gz')) continue;
      const text = gunzipSync(readFileSync(path.join(dir, split, f))).toString('utf8');
      for (const l of text.split('\n')) if (l.trim()) out.push(JSON.parse(l) as Record<string, unknown>);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const [runDir, nArg, seedArg] = process.argv.slice(2);
  if (!runDir) throw new Error('usage: drug-flags-shared.js <run-dir> [n] [seed]');
  const n = Number(nArg ?? 40);
  const seed = seedArg ?? 'drug-flags-shared';
  const pipeline = JSON.parse(readFileSync(path.join(runDir, 'pipeline.json'), 'utf8')) as { config: { validate: { minKnownIndications: number; maxDrugDepartments?: number } } };
  const minKnown = pipeline.config.validate.minKnownIndications;
  const maxDrugDepartments = Number(process.env.MAX_DRUG_DEPARTMENTS ?? pipeline.config.validate.maxDrugDepartments ?? MAX_DRUG_DEPARTMENTS);

  const flagged = readGzJsonl(path.join(runDir, 'annotations'))
    .filter((a) => ((a.annotations as { flags?: string[] }).flags ?? []).includes(FLAG))
    .map((a) => a.id as string);
  const key = (id: string) => createHash('sha1').update(seed + id).digest('hex');
  const sample = [...new Set(flagged)].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).slice(0, n);
  const want = new Set(sample);
  const records = new Map<string, Record<string, unknown>>();
  for (const r of readGzJsonl(path.join(runDir, 'shards'))) if (want.has(r.id as string)) records.set(r.id as string, r);

  const snap = await openSnapshot(path.resolve('.cache/kg/xywy-snapshot.json.gz'));
  const matcher = Matcher.build(await snap.lexicon());
  process.stderr.write(`${flagged.length} flagged records; sample of ${sample.length} (seed ${JSON.stringify(seed)})\n`);
  for (const [rank, id] of sample.entries()) {
    const record = records.get(id);
    if (!record) throw new Error(`record ${id} is flagged in the annotations but missing from the shards`);
    const env = { id, record, dialogueId: id, origin: { format: 'cmtmedqa', file: 'shards', sourceId: id, position: 0 } } as unknown as RecordEnvelope;
    const a = analyse(env, matcher, false);
    const { answers, departments } = await drugLookups([a], snap);
    const verdicts = judgeDrugs(a, answers, departments, { minKnown, maxDrugDepartments }).filter((v) => v.verdict === 'contradicted');
    if (verdicts.length === 0) process.stderr.write(`warning: ${id} no longer has a contradicted drug on this snapshot\n`);
    const turns = utterances(env.record);
    // Departments of the dialogue's diseases and of each contradicted drug's indications (for the analysis of kinds).
    const indicationNames = [...new Set(verdicts.flatMap((v) => v.indications.map((i) => i.disease)))].sort();
    const deps = (await snap.lookup({ drugDisease: [], departmentsOf: indicationNames, drugLinks: { drugs: [], diseases: [] }, indications: [] })).departments;
    for (const v of verdicts) {
      process.stdout.write(
        JSON.stringify({
          rank,
          id,
          drug: v.surface,
          ingredient: v.drug,
          turn: v.turn,
          diseases: a.diseases,
          conditions: a.conditions,
          indications: v.indications.map((i) => i.disease),
          indicationSources: v.indications.map((i) => i.sources.join('+')),
          indicationDepartments: v.indications.map((i) => deps.get(i.disease) ?? []),
          diseaseDepartments: a.diseases.map((d) => departments.get(d) ?? []),
          dialogue: turns.map((t, i) => `${i % 2 === 0 ? 'P' : 'D'}${i}: ${t}`),
        }) + '\n',
      );
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
