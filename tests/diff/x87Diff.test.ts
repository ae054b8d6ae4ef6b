// The hand-written x87 program (tests/baremetal/x87.asm) under QEMU (TCG) and vmxlab:
// arithmetic, rounding/precision control, compares, conversions, constants, FNSTENV/
// FNSAVE/FXSAVE images, #MF and #NM must print the same lines on both.
import { describe, expect, it } from 'vitest';
import { buildBareMetal, baremetalDir, type Mode } from './build.ts';
import { runInQemu } from './qemuRunner.ts';
import { runInVmxlab } from './vmxlabRunner.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe.each([32, 64] as Mode[])('x87 program, vmxlab vs QEMU, %i-bit', (mode) => {
  it('prints the same results', async () => {
    const source = readFileSync(join(baremetalDir, 'x87.asm'), 'utf8');
    const elf = buildBareMetal({ name: 'x87', mode, source, defines: ['WANT_SSE'] });
    const qemu = await runInQemu(elf);
    const vmx = runInVmxlab(elf);
    expect(vmx.reason, vmx.message).toBe('exit');
    expect(vmx.serial.split('\n')).toEqual(qemu.serial.split('\n'));
    expect(qemu.exitCode).toBe((0x23 << 1) | 1);
    expect(vmx.exitCode).toBe(qemu.exitCode);
  }, 60_000);
});
