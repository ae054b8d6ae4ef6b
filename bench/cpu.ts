/**
 * CPU benchmark suite: the guests of guests.ts on vmxlab (in this process)
 * and under QEMU TCG (a child process), side by side.
 *
 * vmxlab: each guest runs a fixed number of iterations (about 30 million
 * instructions, or about a second of copying), best of N runs;
 * MIPS counts instructions as vmxlab retires them (a REP string instruction
 * counts once per chunk of iterations, as the CPU's icount does).
 * QEMU has no instruction count to ask, so both sides are also compared on the
 * guest's own unit of work, iterations per second. QEMU's rate is measured
 * as (t(big) - t(small)) over the extra iterations, which cancels its start-up
 * time; "QEMU MIPS" is that rate times vmxlab's instructions per iteration.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildBareMetal } from '../tests/diff/build.ts';
import { BAREMETAL_MEM_MIB, DEBUG_EXIT_DEVICE, QEMU_CPU } from '../tests/diff/cpuModel.ts';
import { qemuArgs } from '../tests/support/qemu.ts';
import { createMachine } from '../src/emu/machine.ts';
import { CPU_GUESTS, type CpuGuest } from './guests.ts';
import { registerSuite, type BenchOptions, type Row } from './registry.ts';

const QEMU = '/usr/bin/qemu-system-x86_64';

function build(g: CpuGuest, iter: number): string {
  return buildBareMetal({ name: `bench-${g.name}`, mode: 64, source: g.source, defines: [`ITER=${iter}`] });
}

function load(elf: string): ReturnType<typeof createMachine> {
  const m = createMachine({ memMiB: BAREMETAL_MEM_MIB });
  m.loadMultiboot(new Uint8Array(readFileSync(elf)));
  return m;
}

/** Instructions retired by a complete run of `g` with `iter` iterations. */
function countInstructions(g: CpuGuest, iter: number): number {
  const r = load(build(g, iter)).run({ maxInstructions: 2e9 });
  if (r.reason !== 'exit' || r.exitCode !== 1) {
    throw new Error(`bench guest ${g.name} (ITER=${iter}) ended with ${r.reason}${r.message ? `: ${r.message}` : ''}`);
  }
  return r.instructions;
}

interface Timed { wall: number; cpu: number }

/** vmxlab: best wall and CPU time for a complete run of `elf`. */
function timeVmxlab(elf: string, runs: number): Timed & { instructions: number } {
  let best = { wall: Infinity, cpu: Infinity, instructions: 0 };
  for (let k = 0; k < runs; k++) {
    const m = load(elf);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = m.run({ maxInstructions: 1e10 });
    const wall = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1e6;
    if (r.reason !== 'exit') throw new Error(`vmxlab run of ${elf} ended with ${r.reason}: ${r.message}`);
    best = { wall: Math.min(wall, best.wall), cpu: Math.min(cpu, best.cpu), instructions: r.instructions };
  }
  return best;
}

/** One QEMU TCG run to the guest's exit: wall time and the child's CPU time (from the shell's `times`). */
function timeQemuOnce(elf: string): Timed {
  const args = qemuArgs({ kernel: elf, memMiB: BAREMETAL_MEM_MIB, extraArgs: ['-cpu', QEMU_CPU, '-device', DEBUG_EXIT_DEVICE] });
  const quoted = [QEMU, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `${quoted} </dev/null >/dev/null; st=$?; times >&2; exit $st`], { encoding: 'utf8', timeout: 300_000 });
  const wall = (performance.now() - t0) / 1000;
  // test_main returns 0: isa-debug-exit makes that status (0 << 1) | 1.
  if (r.status !== 1) throw new Error(`QEMU run of ${elf} exited with ${r.status ?? r.signal}: ${r.stderr}`);
  // `times` prints the shell's then its children's user and system time, e.g. "0m1.234s 0m0.056s".
  const lines = r.stderr.trim().split('\n');
  const secs = (lines[lines.length - 1].match(/(\d+)m([\d.]+)s/g) ?? []).map((t) => {
    const [, m, s] = /(\d+)m([\d.]+)s/.exec(t)!;
    return Number(m) * 60 + Number(s);
  });
  return { wall, cpu: secs.reduce((a, b) => a + b, 0) };
}

function timeQemu(elf: string, runs: number): Timed {
  let best = { wall: Infinity, cpu: Infinity };
  for (let k = 0; k < runs; k++) {
    const t = timeQemuOnce(elf);
    best = { wall: Math.min(best.wall, t.wall), cpu: Math.min(best.cpu, t.cpu) };
  }
  return best;
}

function qemuAvailable(): boolean {
  return spawnSync(QEMU, ['--version'], { encoding: 'utf8' }).status === 0;
}

/** QEMU iterations per second (wall and CPU), start-up cancelled; the big build grows until it runs >= 0.5 s. */
function qemuRate(g: CpuGuest, runs: number, log: (l: string) => void): Timed {
  const small = timeQemu(build(g, g.countIter), runs);
  let iter = g.qemuIter;
  for (let attempt = 0; ; attempt++) {
    const big = timeQemu(build(g, iter), runs);
    const dt = big.wall - small.wall;
    if (dt >= 0.5 || attempt === 3) {
      const n = iter - g.countIter;
      return { wall: n / Math.max(dt, 1e-3), cpu: n / Math.max(big.cpu - small.cpu, 1e-3) };
    }
    log(`  qemu ${g.name}: ${iter} iterations took only ${dt.toFixed(2)} s more than ${g.countIter}; growing`);
    iter = Math.ceil(iter * Math.min(20, 1 / Math.max(dt, 0.05)));
  }
}

async function runCpuSuite(opts: BenchOptions): Promise<Row[]> {
  const withQemu = opts.qemu && qemuAvailable();
  if (opts.qemu && !withQemu) opts.log(`bench: ${QEMU} not found; QEMU columns left empty`);
  const rows: Row[] = [];
  for (const g of CPU_GUESTS) {
    opts.log(`bench cpu: ${g.name}`);
    const a = countInstructions(g, g.countIter), b = countInstructions(g, 2 * g.countIter);
    const perIter = (b - a) / g.countIter;
    const iter = opts.quick ? Math.ceil(g.vmxIter / 10) : g.vmxIter;
    const v = timeVmxlab(build(g, iter), opts.runs);
    const q = withQemu ? qemuRate(g, opts.runs, opts.log) : null;
    const vIps = iter / v.wall;
    rows.push({
      bench: g.name,
      work: g.work,
      insnsPerIter: perIter,
      vmxlabMips: v.instructions / v.wall / 1e6,
      vmxlabCpuMips: v.instructions / v.cpu / 1e6,
      vmxlabIterPerSec: vIps,
      vmxlabCpuIterPerSec: iter / v.cpu,
      qemuIterPerSec: q ? q.wall : null,
      qemuMips: q ? (q.wall * perIter) / 1e6 : null,
      ratio: q ? vIps / q.wall : null,
    });
  }
  return rows;
}

registerSuite({
  name: 'cpu',
  title: 'CPU-bound bare-metal guests (64-bit, paging on), vmxlab in Node vs QEMU TCG',
  columns: [
    { key: 'bench', label: 'bench' },
    { key: 'work', label: 'iteration' },
    { key: 'insnsPerIter', label: 'insns/iter', digits: 0 },
    { key: 'vmxlabMips', label: 'vmxlab MIPS' },
    { key: 'vmxlabCpuMips', label: '(cpu-time)' },
    { key: 'vmxlabIterPerSec', label: 'vmxlab iter/s', digits: 0 },
    { key: 'vmxlabCpuIterPerSec', label: '(cpu-time)', digits: 0 },
    { key: 'qemuIterPerSec', label: 'QEMU iter/s', digits: 0 },
    { key: 'qemuMips', label: 'QEMU MIPS', digits: 0 },
    { key: 'ratio', label: 'QEMU/vmxlab', digits: 3 },
  ],
  notes: [
    'Best of N runs each (the machine may be shared); MIPS from wall time unless marked cpu-time.',
    'Instructions as vmxlab counts them: a REP string instruction counts once per 4096-iteration chunk.',
    'QEMU: iterations/s between a small and a big run (start-up cancels); QEMU MIPS = that x insns/iter.',
    'QEMU/vmxlab: QEMU time over vmxlab time for the same work; below 1 means vmxlab is slower (0.1 = 10x).',
  ],
  run: runCpuSuite,
});
