// The VM-exit log filled by the core hook while our bare-metal hypervisor runs
// (tests/baremetal/vmx.asm): reasons in program order, decoded qualifications,
// guest RIPs, failed entries with their check id, and ring wrap-around.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal, baremetalDir } from '../diff/build.ts';
import { BAREMETAL_MEM_MIB } from '../diff/cpuModel.ts';
import { createMachine } from '../../src/emu/machine.ts';
import { ExitLog } from '../../src/emu/debug/exitLog.ts';
import { formatExit } from '../../src/emu/debug/exitQual.ts';
import { EXIT_REASON as R, exitReasonName } from '../../src/emu/cpu/vmx/exitReasons.ts';
import { VmxEvent } from '../../src/emu/cpu/vmx/vmx.ts';

function runWithLog(capacity: number): ExitLog {
  const elf = buildBareMetal({ name: 'vmx', mode: 64, source: readFileSync(join(baremetalDir, 'vmx.asm'), 'utf8') });
  const m = createMachine({ memMiB: BAREMETAL_MEM_MIB, onSerial: () => {} });
  const log = new ExitLog(capacity);
  log.attach(m.cpu);
  m.loadMultiboot(new Uint8Array(readFileSync(elf)));
  const r = m.run({ maxInstructions: 5_000_000 });
  expect(r.reason).toBe('exit');
  return log;
}

describe('VM-exit log', () => {
  it('records the hypervisor test guest exits in order with decoded qualifications', () => {
    const log = runWithLog(256);
    const all = log.recent();
    const names = all.map((e) => (e.kind === VmxEvent.EntryVmFail ? `VMfail(${e.vmError})` : exitReasonName(e.reason)));
    // The first guest's exits, in program order (vmx.asm guest_code).
    const i = names.indexOf('CPUID');
    expect(names.slice(i, i + 6)).toEqual(['CPUID', 'HLT', 'IO_INSTRUCTION', 'IO_INSTRUCTION', 'VMCALL', 'EXCEPTION_NMI']);
    const [cpuid, hlt, out, inp, , ud] = all.slice(i, i + 6);
    expect(cpuid.insnLen).toBe(2);
    expect(hlt.rip).toBe(cpuid.rip + 2n);
    expect(hlt.icount).toBeGreaterThan(cpuid.icount);
    expect(formatExit(out)).toBe('IO_INSTRUCTION port=0x80 size=1 byte direction=OUT operand=immediate');
    expect(formatExit(inp)).toBe('IO_INSTRUCTION port=0x71 size=1 byte direction=IN operand=DX');
    expect(formatExit(ud)).toBe('EXCEPTION_NMI vector=6 #UD type=hardware exception');
    // The EPT guest: a violation on the write to the read-only page, then a misconfiguration.
    const viol = all.find((e) => (e.reason & 0xffff) === R.EPT_VIOLATION)!;
    expect(viol.gpa).toBe(0x600000n);
    expect(formatExit(viol)).toContain('access=write');
    expect(all.some((e) => (e.reason & 0xffff) === R.EPT_MISCONFIG && e.gpa === 0x800000n)).toBe(true);
    // Failed entries name the check that failed.
    const fail = all.find((e) => e.kind === VmxEvent.EntryFailure)!;
    expect(fail.reason >>> 0).toBe((R.INVALID_GUEST_STATE | 0x80000000) >>> 0);
    expect(fail.check).not.toBe('');
    expect(all.filter((e) => e.kind === VmxEvent.EntryVmFail).every((e) => e.check !== '' && (e.vmError === 7 || e.vmError === 8))).toBe(true);
    expect(log.histogram().get(R.IO_INSTRUCTION)).toBeGreaterThanOrEqual(2);
  });

  it('keeps only the newest records when the ring wraps', () => {
    const full = runWithLog(256);
    const small = runWithLog(3);
    expect(full.count).toBeLessThan(256);
    expect(small.count).toBe(full.count);
    expect(small.size).toBe(3);
    expect(small.get(0)).toBeNull();
    expect(small.recent().map((e) => [e.seq, e.reason, e.rip])).toEqual(full.recent(3).map((e) => [e.seq, e.reason, e.rip]));
    expect([...small.histogram().values()].reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('rejects a bad capacity', () => {
    expect(() => new ExitLog(0)).toThrow(/capacity/);
  });
});
