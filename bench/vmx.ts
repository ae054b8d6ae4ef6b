/**
 * VMX benchmark: VM-exit round trips per second. The bare-metal hypervisor
 * test (tests/baremetal/vmx.asm, built with BENCH_ITER) runs an L2 that loops
 * on CPUID; each CPUID exits, the host advances the guest's RIP (two VMREADs,
 * a VMWRITE) and VMRESUMEs. QEMU TCG has no VMX, so there is no QEMU column.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal, baremetalDir } from '../tests/diff/build.ts';
import { BAREMETAL_MEM_MIB } from '../tests/diff/cpuModel.ts';
import { createMachine } from '../src/emu/machine.ts';
import { registerSuite, type BenchOptions, type Row } from './registry.ts';

function runOnce(elf: string): { wall: number; instructions: number; exits: number } {
  const m = createMachine({ memMiB: BAREMETAL_MEM_MIB });
  m.loadMultiboot(new Uint8Array(readFileSync(elf)));
  const t0 = performance.now();
  const r = m.run({ maxInstructions: 1e10 });
  const wall = (performance.now() - t0) / 1000;
  if (r.reason !== 'exit' || r.exitCode !== 1) throw new Error(`VMX bench guest ended with ${r.reason}${r.message ? `: ${r.message}` : ''}`);
  return { wall, instructions: r.instructions, exits: m.cpu.vmx.exits };
}

registerSuite({
  name: 'vmx',
  title: 'VMX: VM-exit round trips (L2 CPUID loop, host VMREAD/VMWRITE/VMRESUME)',
  columns: [
    { key: 'iterations', label: 'CPUID exits', digits: 0 },
    { key: 'exitsPerSec', label: 'exits/s', digits: 0 },
    { key: 'usPerExit', label: 'us/round trip', digits: 2 },
    { key: 'mips', label: 'MIPS', digits: 1 },
  ],
  notes: ['A round trip is: guest CPUID -> VM exit -> host (VMREAD x2, VMWRITE, VMRESUME) -> VM entry.',
    'QEMU TCG has no VMX: no comparison column.'],
  async run(opts: BenchOptions): Promise<Row[]> {
    const iter = opts.quick ? 20_000 : 200_000;
    const elf = buildBareMetal({ name: 'vmx-bench', mode: 64, source: readFileSync(join(baremetalDir, 'vmx.asm'), 'utf8'),
      defines: [`BENCH_ITER=${iter}`] });
    let best = { wall: Infinity, instructions: 0, exits: 0 };
    for (let k = 0; k < opts.runs; k++) {
      const r = runOnce(elf);
      opts.log(`vmx: run ${k + 1}/${opts.runs}: ${r.wall.toFixed(2)} s`);
      if (r.wall < best.wall) best = r;
    }
    return [{
      iterations: iter, exitsPerSec: iter / best.wall, usPerExit: (best.wall / iter) * 1e6,
      mips: best.instructions / best.wall / 1e6,
    }];
  },
});
