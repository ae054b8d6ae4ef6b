/** `vmxlab bench`: the benchmark of bench/main.ts (the same registry and output as `npm run bench`). */
import { intFlag, UsageError, type ParsedFlags } from '../parse.ts';

export async function benchCommand(flags: ParsedFlags): Promise<number> {
  const bench = await import('../../bench/main.ts');
  const argv: string[] = [];
  if (flags.json) argv.push('--json');
  if (flags['no-qemu']) argv.push('--no-qemu');
  if (flags.quick) argv.push('--quick');
  argv.push('--runs', String(intFlag(flags, 'runs', 3, 1, 100)));
  if (typeof flags.only === 'string') argv.push('--only', flags.only);
  let args;
  try {
    args = bench.parseBenchArgs(argv);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return bench.runBench(args);
}
