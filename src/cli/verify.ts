/** `cmtmedqa verify <out-dir>`: re-check an output directory against its manifest (exit 0 ok, 1 mismatches). */
import type { Command } from 'commander';
import { formatSummary, verifyOutput } from '../output/verify.js';

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify <outDir>')
    .description('re-read every shard and sidecar: sizes, sha256, counts, schema, split disjointness, token totals')
    .option('--json', 'print the result as JSON')
    .action(async (outDir: string, o: { json?: boolean }) => {
      const res = await verifyOutput(outDir);
      if (o.json) console.log(JSON.stringify(res, null, 2));
      else if (res.ok) console.log(formatSummary(outDir, res));
      else {
        console.error(`${outDir}: ${res.problems.length} problem(s)`);
        for (const p of res.problems) console.error(`  - ${p}`);
      }
      process.exitCode = res.ok ? 0 : 1;
    });
}
