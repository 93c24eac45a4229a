#!/usr/bin/env node
/**
 * The cmtmedqa command line. Exit codes: 0 ok, 1 failure, 2 bad usage or config.
 *
 * Start-up cost: a command loads only its own module (and what that imports), not every
 * command's; `cmtmedqa --help` lists the commands from the table in commands.ts without loading any.
 * The table's description is the one shown for a command; test/cli/index.test.ts checks that
 * the table names exactly the commands the modules register.
 */
import { type Command, CommanderError } from 'commander';
import { isCmtError } from '../core/errors.js';
import { COMMANDS, newProgram } from './commands.js';

/** The command asked for, if any: the first argument that is not an option (`help X` asks for X). */
function commandName(argv: string[]): string | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  return words[0] === 'help' && words[1] ? words[1] : words[0];
}

/** After a usage error: the help of the (sub)command the words name, as far as they name one. */
function usageHint(program: Command, argv: string[]): string {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const [name, subName] = words[0] === 'help' ? words.slice(1) : words;
  const top = name ? program.commands.find((c) => c.name() === name) : undefined;
  if (!top) return 'see `cmtmedqa --help` for the commands';
  const sub = subName ? top.commands.find((c) => c.name() === subName) : undefined;
  if (top.commands.length && !sub) return `see \`cmtmedqa ${name} --help\` for its commands`;
  return `see \`cmtmedqa ${name}${sub ? ` ${subName}` : ''} --help\` for its arguments and options`;
}

const program = newProgram();

async function main(): Promise<void> {
  const name = commandName(process.argv);
  if (name && name in COMMANDS) {
    (await COMMANDS[name]![1]())(program);
    // The table is the one description of a command (top-level help shows it without loading).
    program.commands.find((c) => c.name() === name)?.description(COMMANDS[name]![0]);
  } else if (name && name !== 'help') {
    // An unknown command: load them all so commander can suggest the nearest one.
    for (const [, load] of Object.values(COMMANDS)) (await load())(program);
  } else {
    // Top-level help: names and descriptions only.
    for (const [cmd, [description]] of Object.entries(COMMANDS)) program.command(cmd).description(description).allowUnknownOption().helpOption(false);
  }
  await program.parseAsync(process.argv);
}

// `cmtmedqa … | head`: a closed pipe ends the output, not the process with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main().catch((e: unknown) => {
  if (e instanceof CommanderError) {
    // commander printed the message; help and --version exit 0, its usage errors 2, with where to look.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
    if (e.exitCode !== 0) console.error(usageHint(program, process.argv));
  } else if (isCmtError(e)) {
    console.error(`error ${e.code}: ${e.message}`);
    // Interrupted: the clean-up is done; steps still running in the background are not waited for.
    if (e.code === 'CMT_INTERRUPTED') process.exit(130);
    process.exitCode = e.code === 'CMT_CONFIG_INVALID' || e.code === 'CMT_USAGE' ? 2 : 1;
  } else {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  }
});
