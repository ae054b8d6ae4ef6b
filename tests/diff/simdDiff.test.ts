// The hand-written SIMD program (tests/baremetal/simd.asm) under QEMU (TCG) and vmxlab:
// SSE through SSE4.2 and MMX on edge-case operands, floating point under every
// rounding mode and FTZ+DAZ; both must print the same lines.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal, baremetalDir, type Mode } from './build.ts';
import { runInQemu } from './qemuRunner.ts';
import { runInVmxlab } from './vmxlabRunner.ts';

describe.each([32, 64] as Mode[])('SIMD program, vmxlab vs QEMU, %i-bit', (mode) => {
  it('prints the same results', async () => {
    const source = readFileSync(join(baremetalDir, 'simd.asm'), 'utf8');
    const elf = buildBareMetal({ name: 'simd', mode, source, defines: ['WANT_SSE'] });
    const qemu = await runInQemu(elf);
    const vmx = runInVmxlab(elf);
    expect(vmx.reason, vmx.message).toBe('exit');
    expect(vmx.serial.split('\n')).toEqual(qemu.serial.split('\n'));
    expect(qemu.exitCode).toBe((0x24 << 1) | 1);
    expect(vmx.exitCode).toBe(qemu.exitCode);
  }, 120_000);
});
