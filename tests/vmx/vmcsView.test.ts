// The VMCS view of the bare-metal hypervisor test's VMCS (tests/baremetal/vmx.asm),
// taken at its VM exits: SDM groups, values as VMREAD returns them, decoded
// controls against the capability MSRs, CR shadows, the decoded exit, changed marks.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal, baremetalDir } from '../diff/build.ts';
import { BAREMETAL_MEM_MIB } from '../diff/cpuModel.ts';
import { createMachine } from '../../src/emu/machine.ts';
import { buildVmcsView, decodeControl, vmcsGroupOf, vmcsValues, type VmcsView } from '../../src/emu/debug/vmcsView.ts';
import { EXIT_REASON as R } from '../../src/emu/cpu/vmx/exitReasons.ts';
import { VmxEvent } from '../../src/emu/cpu/vmx/vmx.ts';

/** Views at every exit of the first guest, each with the previous exit's values as baseline. */
function viewsAtExits(): { views: VmcsView[]; machine: ReturnType<typeof createMachine> } {
  const elf = buildBareMetal({ name: 'vmx', mode: 64, source: readFileSync(join(baremetalDir, 'vmx.asm'), 'utf8') });
  const m = createMachine({ memMiB: BAREMETAL_MEM_MIB, onSerial: () => {} });
  const views: VmcsView[] = [];
  let prev: Uint32Array | undefined;
  m.cpu.vmx.onEvent = (kind) => {
    if (kind !== VmxEvent.Exit || views.length >= 6) return;
    views.push(buildVmcsView(m.cpu, { baseline: prev }));
    prev = vmcsValues(m.cpu);
  };
  m.loadMultiboot(new Uint8Array(readFileSync(elf)));
  expect(m.run({ maxInstructions: 5_000_000 }).reason).toBe('exit');
  return { views, machine: m };
}

const field = (v: VmcsView, name: string) => v.groups.flatMap((g) => g.fields).find((f) => f.name === name)!;

describe('VMCS view', () => {
  const { views, machine } = viewsAtExits();
  const [cpuid, hlt, out] = views;

  it('groups fields as the SDM does', () => {
    expect(vmcsGroupOf('GUEST_RIP', 0x681e)).toBe('Guest state');
    expect(vmcsGroupOf('HOST_RIP', 0x6c16)).toBe('Host state');
    expect(vmcsGroupOf('VM_EXIT_MSR_STORE_ADDR', 0x2006)).toBe('VM-exit controls');
    expect(vmcsGroupOf('VM_ENTRY_INTR_INFO_FIELD', 0x4016)).toBe('VM-entry controls');
    expect(vmcsGroupOf('EXCEPTION_BITMAP', 0x4004)).toBe('VM-execution controls');
    expect(vmcsGroupOf('VM_EXIT_REASON', 0x4402)).toBe('VM-exit information');
    expect(cpuid.groups.map((g) => g.name)).toEqual(['Guest state', 'Host state', 'VM-execution controls',
      'VM-exit controls', 'VM-entry controls', 'VM-exit information']);
  });

  it('shows values as VMREAD returns them, with widths and unsupported fields empty', () => {
    expect(cpuid.current).toBe(true);
    expect(cpuid.launched).toBe(true);
    expect(field(cpuid, 'VM_EXIT_REASON').value).toBe(R.CPUID.toString(16));
    expect(field(cpuid, 'VM_EXIT_INSTRUCTION_LEN').value).toBe('2');
    expect(field(cpuid, 'EXCEPTION_BITMAP')).toMatchObject({ value: '40', width: 32, enc: 0x4004 });
    expect(field(cpuid, 'HOST_CS_SELECTOR')).toMatchObject({ value: '18', width: 16 });
    expect(field(cpuid, 'POSTED_INTR_DESC_ADDR')).toMatchObject({ supported: false, value: '' });
  });

  it('decodes the I/O exit and the controls against the capability MSRs', () => {
    expect(out.exit.name).toBe('IO_INSTRUCTION');
    expect(Object.fromEntries(out.exit.words.map((w) => [w.k, w.v]))).toMatchObject({ port: '0x80', direction: 'OUT' });
    const proc = out.controls.find((c) => c.field === 'CPU_BASED_VM_EXEC_CONTROL')!;
    expect(proc.msr).toBe('IA32_VMX_TRUE_PROCBASED_CTLS');
    const bit = (n: string) => proc.bits.find((b) => b.name === n)!;
    expect(bit('HLT exiting')).toMatchObject({ set: true, allowed1: true });
    expect(bit('Unconditional I/O exiting').set).toBe(true);
    expect(bit('Use TPR shadow')).toMatchObject({ set: false, allowed1: false });
    // CR3-load exiting may be 0 under the TRUE MSR; bit 1 (reserved, default1) must be 1 and has no name.
    expect(bit('CR3-load exiting').fixed1).toBe(false);
    expect(proc.unnamed).toContain(1);
    const entry = out.controls.find((c) => c.field === 'VM_ENTRY_CONTROLS')!;
    expect(entry.bits.find((b) => b.name === 'IA-32e mode guest')!.set).toBe(true);
    expect(() => decodeControl(machine.cpu, 'GUEST_RIP', 0)).toThrow(/not a VMX control/);
  });

  it('shows CR0/CR4 guest value, read shadow and mask, and what the guest reads', () => {
    const cr0 = cpuid.crs[0];
    expect(cr0.cr).toBe('CR0');
    // Mask 0: the guest reads its own CR0.
    expect(cr0.mask).toBe('0');
    expect(cr0.guestSees).toBe(cr0.guest);
  });

  it('marks fields changed since the previous exit', () => {
    expect(cpuid.groups.flatMap((g) => g.fields).some((f) => f.changed)).toBe(false); // no baseline
    const changed = hlt.groups.flatMap((g) => g.fields).filter((f) => f.changed).map((f) => f.name);
    expect(changed).toContain('VM_EXIT_REASON');
    expect(changed).toContain('GUEST_RIP');
    expect(changed).not.toContain('HOST_RIP');
  });

  it('reads a non-current VMCS from memory and rejects bad addresses', () => {
    expect(() => buildVmcsView(machine.cpu, { pa: 0x123 })).toThrow(/4-KByte-aligned/);
    // After the program's final VMCLEAR and VMXOFF the region holds the written-back fields, launch state clear.
    expect(machine.cpu.vmx.hasCurrent).toBe(false);
    expect(() => buildVmcsView(machine.cpu)).toThrow(/no current VMCS/);
    const old = buildVmcsView(machine.cpu, { pa: parseInt(cpuid.pointer, 16) });
    expect(old).toMatchObject({ current: false, launched: false, pointer: cpuid.pointer });
    expect(field(old, 'HOST_RIP').value).toBe(field(cpuid, 'HOST_RIP').value);
  });
});
