// Runs our bare-metal hypervisor test (tests/baremetal/vmx.asm) on vmxlab's
// core: every PASS/FAIL line it prints is a check against the SDM.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal, baremetalDir } from '../diff/build.ts';
import { runInVmxlab } from '../diff/vmxlabRunner.ts';

describe('bare-metal VMX hypervisor test', () => {
  it('passes every check and exits with 0', () => {
    const elf = buildBareMetal({ name: 'vmx', mode: 64, source: readFileSync(join(baremetalDir, 'vmx.asm'), 'utf8') });
    const r = runInVmxlab(elf, { maxInstructions: 5_000_000 });
    const fails = r.serial.split('\n').filter((l) => l.startsWith('FAIL') || l.startsWith('EXC'));
    expect(fails, `${r.serial}\n${r.message ?? ''}`).toEqual([]);
    expect(r.serial).toMatch(/PASS exit\.cpuid\.reason/);
    expect(r.serial).toMatch(/PASS entry\.guest_state\.reason/);
    expect(r.exitCode, r.message).toBe(1); // (0 << 1) | 1
  });
});
