/**
 * `cmtmedqa worker` with test hooks injected, for the crash-safety tests' child processes
 * (spawnWorker({ entry: HOOKED_WORKER, ... })): the settings come from the test through
 * CMT_HOOKS (JSON of TestHookSettings), read here in test code only.
 */
import { fileURLToPath } from 'node:url';
import { registerWorkerCommand } from '../../src/cli/worker.js';
import { newProgram } from '../../src/cli/commands.js';
import { testHooks, type TestHookSettings } from './hooks.js';

export const HOOKED_WORKER = fileURLToPath(import.meta.url);

if (process.argv[1] === HOOKED_WORKER) {
  const settings = JSON.parse(process.env.CMT_HOOKS ?? '{}') as TestHookSettings;
  const program = newProgram();
  registerWorkerCommand(program, testHooks(settings));
  await program.parseAsync(process.argv);
}
