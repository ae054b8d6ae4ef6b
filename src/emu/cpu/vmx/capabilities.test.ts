import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../../mem/physicalMemory.ts';
import { IoBus } from '../../devices/ioBus.ts';
import { Cpu } from '../cpu.ts';
import { readMsr, writeMsr } from '../msr.ts';
import { r64 } from '../u64.ts';
import { FAULT } from '../fault.ts';
import { VMCS_REVISION } from './capabilities.ts';

function msr(c: Cpu, idx: number): [number, number] | null {
  return readMsr(c, idx) ? [r64[0], r64[1]] : null;
}

describe('VMX capability MSRs (SDM Appendix A)', () => {
  const c = new Cpu(new PhysicalMemory(1 << 20), new IoBus());
  it('IA32_VMX_BASIC: revision, 4-KByte region, write-back, INS/OUTS info, TRUE controls', () => {
    const [lo, hi] = msr(c, 0x480)!;
    expect(lo).toBe(VMCS_REVISION);
    expect(lo >>> 31).toBe(0);
    expect(hi & 0x1fff).toBe(4096);
    expect((hi >>> 18) & 0xf).toBe(6);
    expect((hi >>> 22) & 3).toBe(3);
    expect((hi >>> 16) & 1).toBe(0); // no 32-bit physical-address limit
  });
  it('non-TRUE control MSRs report the default1 bits as must-be-1, and allowed-1 includes them', () => {
    const d1: Record<number, number> = { 0x481: 0x16, 0x482: 0x0401e172, 0x483: 0x00036dff, 0x484: 0x000011ff };
    for (const [idx, bits] of Object.entries(d1)) {
      const [lo, hi] = msr(c, Number(idx))!;
      expect(lo, idx).toBe(bits);
      expect((hi & lo) >>> 0, idx).toBe(lo);
    }
  });
  it('TRUE_PROCBASED lets CR3-load/store exiting be 0; TRUE_* allowed-1 equals the non-TRUE one', () => {
    const [lo] = msr(c, 0x48e)!;
    expect(lo & (3 << 15)).toBe(0);
    for (const [t, n] of [[0x48d, 0x481], [0x48e, 0x482], [0x48f, 0x483], [0x490, 0x484]]) expect(msr(c, t)![1]).toBe(msr(c, n)![1]);
  });
  it('CR0/CR4 fixed bits: PE, NE, PG and VMXE fixed to 1; FIXED1 allows VMXE', () => {
    expect(msr(c, 0x486)![0]).toBe(0x80000021);
    expect(msr(c, 0x488)![0]).toBe(0x2000);
    expect(msr(c, 0x489)![0] & 0x2000).toBe(0x2000);
  });
  it('IA32_VMX_VMCS_ENUM reports the highest index of a supported field', () => {
    // VMX_PREEMPTION_TIMER_VALUE (482EH, index 23).
    expect(msr(c, 0x48a)![0]).toBe(23 << 1);
  });
  it('EPT_VPID_CAP: 4-level EPT, UC/WB, 2M/1G pages, INVEPT single/all, no execute-only or A/D; INVVPID all types; no VMFUNC', () => {
    const [lo, hi] = msr(c, 0x48c)!;
    expect(lo).toBe(((1 << 6) | (1 << 8) | (1 << 14) | (1 << 16) | (1 << 17) | (1 << 20) | (1 << 25) | (1 << 26)) >>> 0);
    expect(lo & 1).toBe(0); // execute-only
    expect(lo & (1 << 21)).toBe(0); // accessed/dirty flags
    expect(hi).toBe(0xf01);
    expect(msr(c, 0x491)).toBeNull();
  });
  it('IA32_FEATURE_CONTROL: reserved bits #GP, lock makes it read-only', () => {
    const gp = (lo: number): boolean => { try { writeMsr(c, 0x3a, lo, 0); return false; } catch (e) { if (e !== FAULT) throw e; return true; } };
    expect(gp(2)).toBe(true); // enable VMX inside SMX: no SMX
    expect(gp(5)).toBe(false);
    expect(msr(c, 0x3a)![0]).toBe(5);
    expect(gp(4)).toBe(true); // locked
  });
});
