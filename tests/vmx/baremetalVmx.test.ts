// Runs our bare-metal hypervisor test (tests/baremetal/vmx.asm) on vmxlab's
// core: every PASS/FAIL line it prints is a check against the SDM.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal, baremetalDir } from '../diff/build.ts';
import { BAREMETAL_MEM_MIB } from '../diff/cpuModel.ts';
import { createMachine } from '../../src/emu/machine.ts';
import { ExitLog } from '../../src/emu/debug/exitLog.ts';
import { VmxEvent } from '../../src/emu/cpu/vmx/vmx.ts';

describe('bare-metal VMX hypervisor test', () => {
  it('passes every check, exits with 0, and the VM-exit log holds the exits in order', () => {
    const elf = buildBareMetal({ name: 'vmx', mode: 64, source: readFileSync(join(baremetalDir, 'vmx.asm'), 'utf8') });
    const bytes: number[] = [];
    const m = createMachine({ memMiB: BAREMETAL_MEM_MIB, onSerial: (b) => bytes.push(b) });
    m.loadMultiboot(new Uint8Array(readFileSync(elf)));
    const log = new ExitLog(256);
    log.attach(m.cpu);
    const r = m.run({ maxInstructions: 5_000_000 });
    const serial = Buffer.from(bytes).toString('latin1');
    const fails = serial.split('\n').filter((l) => l.startsWith('FAIL') || l.startsWith('EXC'));
    expect(fails, `${serial}\n${r.message ?? ''}`).toEqual([]);
    expect(serial).toMatch(/PASS exit\.cpuid\.reason/);
    expect(serial).toMatch(/PASS entry\.guest_state\.reason/);
    expect(r.reason, r.message).toBe('exit');
    expect(r.exitCode).toBe(1); // (0 << 1) | 1
    // CPUID, HLT, OUT, IN, VMCALL, #UD, then the guest-state entry failure (33 | 1 << 31).
    const reasons = Array.from({ length: log.count }, (_, k) => log.get(k)!).filter((e) => e.kind !== VmxEvent.EntryVmFail).map((e) => e.reason);
    expect(reasons.slice(0, 7)).toEqual([10, 12, 30, 30, 18, 0, 0x80000021]);
    expect(m.cpu.vmx.lastFailedCheck).toBe('ctl.pin.reserved'); // the last failing entry: pin-based controls 0
  });
});
