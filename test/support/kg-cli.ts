/** Runs `cmtmedqa kg …` in-process, as the CLI would: exit code, stdout lines and stderr text. */
import { Command } from 'commander';
import { registerKgCommands } from '../../src/cli/kg.js';

export async function runKg(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  const errs: string[] = [];
  const program = new Command('cmtmedqa');
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  const exit = (code: number): never => {
    process.exitCode = code;
    throw new Error(`exit ${code}`);
  };
  registerKgCommands(program, { out: (s) => lines.push(s), exit });
  const orig = process.stderr.write;
  process.stderr.write = ((s: string) => (errs.push(String(s)), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'cmtmedqa', ...args]);
  } catch {
    /* exit(): exitCode already set */
  } finally {
    process.stderr.write = orig;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, out: lines.join('\n'), err: errs.join('') };
}
