/**
 * Boot-time benchmark: the bundled guest (bzImage + initramfs) from power-on
 * to its ready line (`vmxlab: init done`) in vmxlab (deterministic, in this
 * process) and in QEMU TCG (same kernel, initramfs, command line and RAM), in
 * the same run. Prints both wall times, their ratio and vmxlab's guest MIPS.
 * A suite for bench/registry.ts (`bootSuite`), also runnable alone:
 *   npx tsx bench/boot.ts [--runs N] [--no-qemu]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createMachine } from '../src/emu/machine.ts';
import { bundledGuest, startQemu } from '../tests/support/qemu.ts';
import { registerSuite, type BenchSuite } from './registry.ts';

const MEM_MIB = 128;
const MAX_INSTRUCTIONS = 2_000_000_000;

export interface BootBenchOptions { runs: number; qemu: boolean; quick: boolean; log: (line: string) => void }
export type BootRow = Record<string, string | number | null>;

export interface VmxlabBoot { ms: number; instructions: number; virtualMs: number }

/** One vmxlab boot to the ready line; throws if the guest stops or never gets there. */
export function bootVmxlabOnce(): VmxlabBoot {
  const g = bundledGuest();
  let text = '';
  const m = createMachine({ memMiB: MEM_MIB, deterministic: true, onSerial: (b) => { text += String.fromCharCode(b); } });
  const t0 = performance.now();
  m.loadLinux(new Uint8Array(readFileSync(g.kernel)), { cmdline: g.append, initrd: new Uint8Array(readFileSync(g.initrd)) });
  let instructions = 0;
  while (!text.includes(g.readyLine)) {
    const r = m.run({ maxInstructions: 1_000_000 });
    instructions += r.instructions;
    if (r.reason !== 'budget') throw new Error(`vmxlab: the guest stopped before its ready line (${r.reason}: ${r.message ?? ''})`);
    if (instructions > MAX_INSTRUCTIONS) throw new Error(`vmxlab: no ready line within ${MAX_INSTRUCTIONS} instructions`);
  }
  return { ms: performance.now() - t0, instructions, virtualMs: m.platform.clock.nowNs / 1e6 };
}

/** One QEMU TCG boot to the ready line, wall time from spawn (QEMU and SeaBIOS start-up included). */
export async function bootQemuOnce(): Promise<number> {
  const g = bundledGuest();
  const t0 = performance.now();
  const vm = startQemu({ kernel: g.kernel, initrd: g.initrd, append: g.append, memMiB: MEM_MIB });
  try {
    await vm.waitFor(new RegExp(g.readyLine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 120_000);
    return performance.now() - t0;
  } finally {
    await vm.kill();
  }
}

export async function runBootBench(opts: BootBenchOptions): Promise<BootRow[]> {
  const runs = opts.quick ? 1 : opts.runs;
  let best: VmxlabBoot | null = null;
  for (let k = 0; k < runs; k++) {
    const b = bootVmxlabOnce();
    opts.log(`boot: vmxlab run ${k + 1}/${runs}: ${(b.ms / 1000).toFixed(2)} s, ${b.instructions} instructions`);
    if (!best || b.ms < best.ms) best = b;
  }
  let qemuMs: number | null = null;
  if (opts.qemu) {
    for (let k = 0; k < runs; k++) {
      try {
        const ms = await bootQemuOnce();
        opts.log(`boot: QEMU TCG run ${k + 1}/${runs}: ${(ms / 1000).toFixed(2)} s`);
        qemuMs = qemuMs === null ? ms : Math.min(qemuMs, ms);
      } catch (e) {
        opts.log(`boot: QEMU TCG not measured: ${(e as Error).message}`);
        break;
      }
    }
  }
  const b = best!;
  return [
    { machine: 'vmxlab', seconds: b.ms / 1000, instructions: b.instructions, mips: b.instructions / b.ms / 1000, guestMs: b.virtualMs, ratio: 1 },
    { machine: 'QEMU TCG', seconds: qemuMs === null ? null : qemuMs / 1000, instructions: null, mips: null, guestMs: null,
      ratio: qemuMs === null ? null : qemuMs / b.ms },
  ];
}

/** The boot suite (registered below, so `import './boot.ts'` in main.ts is all it takes). */
export const bootSuite: BenchSuite = {
  name: 'boot',
  title: `Boot of the bundled guest to its ready line (${MEM_MIB} MiB, 1 vCPU)`,
  columns: [
    { key: 'machine', label: 'machine' },
    { key: 'seconds', label: 'wall s', digits: 2 },
    { key: 'instructions', label: 'guest instructions', digits: 0 },
    { key: 'mips', label: 'guest MIPS', digits: 1 },
    { key: 'guestMs', label: 'guest ms', digits: 0 },
    { key: 'ratio', label: 'QEMU/vmxlab', digits: 2 },
  ],
  notes: [
    'vmxlab runs deterministically (--icount): guest time is 1 ns per instruction plus idle skip.',
    'QEMU time is from spawn, so it includes QEMU start-up and SeaBIOS; best of the runs for both.',
    'QEMU/vmxlab below 1 means vmxlab is slower (0.5 = twice as slow).',
  ],
  run: runBootBench,
};

registerSuite(bootSuite);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const rows = await runBootBench({ runs: runsAt >= 0 ? Number(args[runsAt + 1]) : 1, qemu: !args.includes('--no-qemu'), quick: false,
    log: (l) => process.stderr.write(`${l}\n`) });
  for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
}
