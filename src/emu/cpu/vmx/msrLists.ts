/**
 * VM-entry MSR-load, VM-exit MSR-store and VM-exit MSR-load lists (SDM 25.7.2,
 * 25.8.2, 27.4, 28.4, 28.6): 16-byte entries {index[31:0], reserved[63:32], data[127:64]}
 * in guest-physical memory.
 */
import type { Cpu } from '../cpu.ts';
import { FAULT } from '../fault.ts';
import { readMsr, writeMsr } from '../msr.ts';
import { r64 } from '../u64.ts';

/** MSRs a list may not load (SDM 27.4): FS/GS base, x2APIC range 800H-8FFH, IA32_SMM_MONITOR_CTL, IA32_SMBASE. */
function loadForbidden(idx: number, onEntry: boolean): boolean {
  if (idx === 0xc0000100 || idx === 0xc0000101) return true;
  if ((idx >>> 8) === 0x8) return true;
  return onEntry ? idx === 0x9b : idx === 0x9e;
}

/**
 * Loads `count` entries at guest-physical `pa`; returns 0, or the 1-based index
 * of the first entry that could not be loaded (the exit qualification of
 * reason 34, or the VMX-abort cause on exit).
 */
export function loadMsrList(c: Cpu, pa: number, count: number, onEntry: boolean): number {
  const mem = c.mem;
  for (let k = 0; k < count; k++) {
    const e = pa + k * 16;
    const idx = mem.read32(e) >>> 0;
    if (mem.read32(e + 4) !== 0 || loadForbidden(idx, onEntry)) return k + 1;
    try {
      writeMsr(c, idx, mem.read32(e + 8), mem.read32(e + 12));
    } catch (err) {
      if (err !== FAULT) throw err;
      return k + 1;
    }
  }
  return 0;
}

/** VM-exit MSR-store: returns 0 or the 1-based index of an entry that could not be stored. */
export function storeMsrList(c: Cpu, pa: number, count: number): number {
  const mem = c.mem;
  for (let k = 0; k < count; k++) {
    const e = pa + k * 16;
    const idx = mem.read32(e) >>> 0;
    if (mem.read32(e + 4) !== 0 || (idx >>> 8) === 0x8 || !readMsr(c, idx)) return k + 1;
    mem.write32(e + 8, r64[0]); mem.write32(e + 12, r64[1]);
    c.notifyPhysWrite(e + 8, 8);
  }
  return 0;
}
