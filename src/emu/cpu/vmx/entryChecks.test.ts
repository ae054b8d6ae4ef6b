import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../../mem/physicalMemory.ts';
import { IoBus } from '../../devices/ioBus.ts';
import { Cpu } from '../cpu.ts';
import { EFER } from '../state/layout.ts';
import { ALL_ENTRY_CHECKS } from './entry.ts';
import { ENTRY_ALLOWED0_TRUE, EXIT_ALLOWED0_TRUE, PIN_ALLOWED0_TRUE, PROC_ALLOWED0_TRUE } from './capabilities.ts';
import * as F from './slots.ts';

/** A CPU in IA-32e mode with a VMCS cache holding a valid 64-bit host and guest. */
function validVmcs(): Cpu {
  const c = new Cpu(new PhysicalMemory(1 << 20), new IoBus());
  c.s[EFER] |= (1 << 10) | (1 << 8);
  const v = c.vmx.cache;
  v.set(F.PIN_BASED_VM_EXEC_CONTROL, PIN_ALLOWED0_TRUE);
  v.set(F.CPU_BASED_VM_EXEC_CONTROL, PROC_ALLOWED0_TRUE);
  v.set(F.VM_EXIT_CONTROLS, EXIT_ALLOWED0_TRUE | (1 << 9));
  v.set(F.VM_ENTRY_CONTROLS, ENTRY_ALLOWED0_TRUE | (1 << 9));
  v.set(F.HOST_CR0, 0x80000031); v.set(F.HOST_CR4, 0x2020); v.set(F.HOST_CR3, 0x1000);
  v.set(F.HOST_CS_SELECTOR, 8); v.set(F.HOST_TR_SELECTOR, 0x18);
  for (const k of [F.HOST_SS_SELECTOR, F.HOST_DS_SELECTOR, F.HOST_ES_SELECTOR, F.HOST_FS_SELECTOR, F.HOST_GS_SELECTOR]) v.set(k, 0x10);
  v.set(F.HOST_RIP, 0x1000);
  v.set(F.GUEST_CR0, 0x80000031); v.set(F.GUEST_CR4, 0x2020); v.set(F.GUEST_CR3, 0x2000);
  v.set(F.GUEST_DR7, 0x400); v.set(F.GUEST_RFLAGS, 2);
  v.set(F.GUEST_CS_SELECTOR, 8); v.set(F.GUEST_CS_AR_BYTES, 0xa09b); v.set(F.GUEST_CS_LIMIT, 0xffffffff);
  for (const [sel, ar, lim] of [[F.GUEST_SS_SELECTOR, F.GUEST_SS_AR_BYTES, F.GUEST_SS_LIMIT], [F.GUEST_DS_SELECTOR, F.GUEST_DS_AR_BYTES, F.GUEST_DS_LIMIT],
    [F.GUEST_ES_SELECTOR, F.GUEST_ES_AR_BYTES, F.GUEST_ES_LIMIT], [F.GUEST_FS_SELECTOR, F.GUEST_FS_AR_BYTES, F.GUEST_FS_LIMIT],
    [F.GUEST_GS_SELECTOR, F.GUEST_GS_AR_BYTES, F.GUEST_GS_LIMIT]]) { v.set(sel, 0x10); v.set(ar, 0xc093); v.set(lim, 0xffffffff); }
  v.set(F.GUEST_LDTR_AR_BYTES, 0x10000);
  v.set(F.GUEST_TR_SELECTOR, 0x18); v.set(F.GUEST_TR_AR_BYTES, 0x8b); v.set(F.GUEST_TR_LIMIT, 0x67);
  v.set(F.GUEST_GDTR_LIMIT, 0xffff); v.set(F.GUEST_IDTR_LIMIT, 0xffff);
  v.set(F.VMCS_LINK_POINTER, 0xffffffff, 0xffffffff);
  return c;
}

const firstFailure = (c: Cpu): string | null => ALL_ENTRY_CHECKS.find((r) => !r.ok(c.vmx.cache, c))?.id ?? null;

describe('VM-entry checks (SDM 27.2, 27.3)', () => {
  it('a valid 64-bit host and guest pass every check', () => {
    expect(firstFailure(validVmcs())).toBeNull();
  });
  it('each broken rule is named by its id', () => {
    const cases: [string, (c: Cpu) => void][] = [
      ['ctl.pin.reserved', (c) => c.vmx.cache.set(F.PIN_BASED_VM_EXEC_CONTROL, 0)],
      ['ctl.cr3target.count', (c) => c.vmx.cache.set(F.CR3_TARGET_COUNT, 5)],
      ['ctl.entry.inject.errorcode', (c) => c.vmx.cache.set(F.VM_ENTRY_INTR_INFO_FIELD, 0x80000b06)], // #UD with an error code
      ['ctl.entry.inject.length', (c) => c.vmx.cache.set(F.VM_ENTRY_INTR_INFO_FIELD, 0x80000480)], // INT 80h, length 0
      ['host.cr0.fixed', (c) => c.vmx.cache.set(F.HOST_CR0, 0x80000011)], // NE clear
      ['host.sel.rpl', (c) => c.vmx.cache.set(F.HOST_TR_SELECTOR, 0x1b)],
      ['host.sel.cs', (c) => c.vmx.cache.set(F.HOST_CS_SELECTOR, 0)],
      ['host.addrspace.ia32e', (c) => { c.s[EFER] = 0; }],
      ['guest.cr0.fixed', (c) => c.vmx.cache.set(F.GUEST_CR0, 0x80000011)],
      ['guest.rflags.reserved', (c) => c.vmx.cache.set(F.GUEST_RFLAGS, 0)],
      ['guest.cs.type', (c) => c.vmx.cache.set(F.GUEST_CS_AR_BYTES, 0xa093)],
      ['guest.cs.db', (c) => c.vmx.cache.set(F.GUEST_CS_AR_BYTES, 0xe09b)],
      ['guest.seg.granularity', (c) => c.vmx.cache.set(F.GUEST_DS_LIMIT, 0xffff0)], // G=1 needs limit bits 11:0 set,
      ['guest.tr.type', (c) => c.vmx.cache.set(F.GUEST_TR_AR_BYTES, 0x89)],
      ['guest.activity', (c) => c.vmx.cache.set(F.GUEST_ACTIVITY_STATE, 2)],
      ['guest.intr.sti_if', (c) => c.vmx.cache.set(F.GUEST_INTERRUPTIBILITY_INFO, 1)],
      ['guest.vmcs_link', (c) => c.vmx.cache.set(F.VMCS_LINK_POINTER, 0x5000)],
    ];
    for (const [id, breakIt] of cases) {
      const c = validVmcs();
      breakIt(c);
      expect(firstFailure(c), id).toBe(id);
    }
  });
  it('controls are checked before host state, host state before guest state', () => {
    const c = validVmcs();
    c.vmx.cache.set(F.GUEST_RFLAGS, 0);
    c.vmx.cache.set(F.HOST_CS_SELECTOR, 0);
    expect(firstFailure(c)).toBe('host.sel.cs');
    c.vmx.cache.set(F.CR3_TARGET_COUNT, 9);
    expect(firstFailure(c)).toBe('ctl.cr3target.count');
  });
  it('every rule has a unique id, an SDM section and a text', () => {
    expect(new Set(ALL_ENTRY_CHECKS.map((r) => r.id)).size).toBe(ALL_ENTRY_CHECKS.length);
    for (const r of ALL_ENTRY_CHECKS) { expect(r.sdm, r.id).toMatch(/^2[78]\.\d/); expect(r.text.length, r.id).toBeGreaterThan(10); }
  });
});
