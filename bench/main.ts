/**
 * `npm run bench` (and `vmxlab bench`): runs the registered suites and prints
 * one table per suite, or JSON with --json. Suites register themselves in
 * registry.ts; add a suite by importing its module below.
 *   --json        machine-readable output on stdout
 *   --runs N      runs per measurement, best kept (default 3)
 *   --only NAME   run one suite (repeatable)
 *   --no-qemu     skip the QEMU TCG side
 *   --quick       short runs, for a look rather than for figures
 */
import { cpus, loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import './cpu.ts';
import './boot.ts';
import './vmx.ts';
import { formatTable, registeredSuites, type BenchOptions, type Row } from './registry.ts';

export interface BenchArgs { json: boolean; runs: number; only: string[]; qemu: boolean; quick: boolean }

export function parseBenchArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = { json: false, runs: 3, only: [], qemu: true, quick: false };
  for (let k = 0; k < argv.length; k++) {
    const f = argv[k];
    if (f === '--json') a.json = true;
    else if (f === '--no-qemu') a.qemu = false;
    else if (f === '--quick') a.quick = true;
    else if (f === '--runs' || f === '--only') {
      const v = argv[++k];
      if (v === undefined) throw new Error(`${f} needs a value`);
      if (f === '--only') a.only.push(v);
      else {
        a.runs = Number(v);
        if (!Number.isInteger(a.runs) || a.runs < 1 || a.runs > 100) throw new Error(`--runs must be a whole number from 1 to 100, got ${v}`);
      }
    } else throw new Error(`unknown flag ${f}`);
  }
  const names = registeredSuites().map((s) => s.name);
  for (const o of a.only) if (!names.includes(o)) throw new Error(`no bench suite '${o}' (there are: ${names.join(', ')})`);
  return a;
}

/** Runs the suites; writes tables or JSON to stdout, progress to stderr. Returns the exit status. */
export async function runBench(args: BenchArgs): Promise<number> {
  const opts: BenchOptions = { runs: args.runs, qemu: args.qemu, quick: args.quick, log: (l) => process.stderr.write(`${l}\n`) };
  const results: Record<string, Row[]> = {};
  const tables: string[] = [];
  for (const s of registeredSuites()) {
    if (args.only.length > 0 && !args.only.includes(s.name)) continue;
    const rows = await s.run(opts);
    results[s.name] = rows;
    tables.push(formatTable(s, rows));
  }
  const env = {
    node: process.version,
    qemu: spawnSync('/usr/bin/qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? null,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadavg: loadavg().map((x) => Number(x.toFixed(2))),
    runs: args.runs,
    quick: args.quick,
  };
  if (args.json) process.stdout.write(`${JSON.stringify({ env, results }, null, 2)}\n`);
  else {
    process.stdout.write(`${tables.join('\n\n')}\n\n`);
    process.stdout.write(`node ${env.node}; ${env.qemu ?? 'no QEMU'}; ${env.cores} x ${env.cpu}; load average ${env.loadavg.join(' ')}\n`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(2);
  }
  runBench(args).then((code) => { process.exitCode = code; }, (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
