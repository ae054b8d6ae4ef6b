// Random programs mixing the integer groups with the SSE groups (sse: SSE2 integer and
// moves; sse4: float arithmetic, conversions, rounding, SSSE3/SSE4.1/SSE4.2 integer and
// string compares) under QEMU and vmxlab: registers, XMM0-7 and memory must match.
//   VMXLAB_SIMD_SEEDS=1-200 npx vitest run tests/diff/simdGenerated.test.ts   (more by hand)
import { describe, expect, it } from 'vitest';
import { buildBareMetal, type Mode } from './build.ts';
import { runInQemu } from './qemuRunner.ts';
import { runInVmxlab } from './vmxlabRunner.ts';
import { generateProgram } from './gen/program.ts';
import { compareDumps } from './gen/compare.ts';

function seeds(): number[] {
  const spec = process.env.VMXLAB_SIMD_SEEDS ?? '1-2';
  const [a, b] = spec.split('-').map(Number);
  return Array.from({ length: (b ?? a) - a + 1 }, (_, k) => a + k);
}

describe.each([64, 32] as Mode[])('SSE groups, vmxlab vs QEMU, %i-bit', (mode) => {
  it.each(seeds())('seed %i', async (seed) => {
    const prog = generateProgram({ seed, mode, cases: 150, length: 10, groups: ['alu', 'moves', 'sse', 'sse4'] });
    const elf = buildBareMetal({ name: prog.name, mode, source: prog.source, extras: ['state.asm'], defines: prog.defines });
    const qemu = await runInQemu(elf);
    const vmx = runInVmxlab(elf);
    expect(vmx.reason, vmx.message).toBe('exit');
    if (qemu.serial !== vmx.serial) throw new Error(compareDumps(prog, 'qemu  ', qemu.serial, 'vmxlab', vmx.serial));
    expect(vmx.exitCode).toBe(qemu.exitCode);
  }, 120_000);
});
