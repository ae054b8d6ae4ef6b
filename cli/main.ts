import { bootCommand } from './commands/boot.ts';
import { snapshotCommand } from './commands/snapshot.ts';
import { notImplemented } from './commands/notYet.ts';
import { benchCommand } from './commands/bench.ts';
import { parseFlags, type ParsedFlags, UsageError } from './parse.ts';
import { commandHelp, findCommand, mainHelp } from './spec.ts';

const HANDLERS: Record<string, (flags: ParsedFlags) => Promise<number>> = {
  boot: bootCommand,
  snapshot: snapshotCommand,
  bench: benchCommand,
  gdb: async () => notImplemented("'vmxlab gdb' (the GDB remote stub)"),
};

/** Runs the CLI; returns the process exit status. Usage errors exit 2. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const cmd = findCommand(name);
  if (!cmd) {
    process.stderr.write(`vmxlab: unknown command '${name}'\n\n${mainHelp()}`);
    return 2;
  }
  try {
    const flags = parseFlags(cmd, rest);
    if (flags.help) {
      process.stdout.write(commandHelp(cmd));
      return 0;
    }
    return await HANDLERS[cmd.name](flags);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`vmxlab ${cmd.name}: ${err.message}\nRun 'vmxlab ${cmd.name} --help' for usage.\n`);
      return 2;
    }
    throw err;
  }
}
