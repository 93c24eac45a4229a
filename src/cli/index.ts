#!/usr/bin/env node
/** The cmtmedqa command line. Exit codes: 0 ok, 1 failure, 2 bad usage or config. */
import { Command } from 'commander';
import { isCmtError } from '../core/errors.js';
import { registerRejectCommands } from './rejects.js';
import { registerRunCommand } from './run.js';
import { registerWorkerCommand } from './worker.js';
import { registerStatusCommand } from './status.js';
import { registerScheduleCommand } from './schedule.js';
import { registerDashboardCommand } from './dashboard.js';
import { registerVerifyCommand } from './verify.js';
import { registerKgCommands } from './kg.js';
import { registerRevalidateCommand } from './revalidate.js';
import { registerScrapeCommands } from './scrape.js';

const program = new Command();
program.name('cmtmedqa').description('builds CMtMedQA-style multi-turn medical dialogue training data').version('0.1.0');
registerRunCommand(program);
registerRejectCommands(program);
registerWorkerCommand(program);
registerStatusCommand(program);
registerScheduleCommand(program);
registerDashboardCommand(program);
registerVerifyCommand(program);
registerKgCommands(program);
registerRevalidateCommand(program);
registerScrapeCommands(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (isCmtError(e)) {
    console.error(`error ${e.code}: ${e.message}`);
    process.exitCode = e.code === 'CMT_CONFIG_INVALID' || e.code === 'CMT_USAGE' ? 2 : 1;
  } else {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  }
});
