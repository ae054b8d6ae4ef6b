/**
 * RDMSR/WRMSR: the architectural MSRs this core implements, stored in the
 * register file. Unknown MSRs and reserved bits raise #GP(0) (SDM Vol. 4).
 */
import type { Cpu } from './cpu.ts';
import { CR0_PG, EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE, MSR, SegReg, Vec } from './arch.ts';
import {
  APIC_BASE, CSTAR, EFER, FEATURE_CONTROL, FMASK, KERNEL_GS_BASE, LSTAR, MISC_ENABLE, MTRR_DEF_TYPE, MTRR_FIX, MTRR_VAR,
  PAT, SEG_BASE_HI, SEG_BASE_LO, SPEC_CTRL, STAR, SYSENTER_CS, SYSENTER_EIP, SYSENTER_ESP, TSC_AUX, TSC_OFFSET, CR0, segOff,
} from './state/layout.ts';
import { isCanonical } from './memory.ts';
import { add64, r64, sub64 } from './u64.ts';
import { readVmxMsr, vmxTscOffset } from './vmx/msrs.ts';
import { cr4Allowed } from './exec/system.ts';

/** MTRR fixed-range MSR numbers in MTRR_FIX slot order. */
const FIX_MSRS = [0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f];

/** Simple 64-bit MSRs backed by one state slot, with a reserved-bit mask (lo, hi) and a canonical flag. */
const SIMPLE: Record<number, [slot: number, rsvdLo: number, rsvdHi: number, canonical: boolean]> = {
  [MSR.STAR]: [STAR, 0, 0, false],
  [MSR.LSTAR]: [LSTAR, 0, 0, true],
  [MSR.CSTAR]: [CSTAR, 0, 0, true],
  [MSR.FMASK]: [FMASK, 0, 0xffffffff, false],
  [MSR.KERNEL_GS_BASE]: [KERNEL_GS_BASE, 0, 0, true],
  [MSR.SYSENTER_ESP]: [SYSENTER_ESP, 0, 0, true],
  [MSR.SYSENTER_EIP]: [SYSENTER_EIP, 0, 0, true],
  [MSR.MISC_ENABLE]: [MISC_ENABLE, 0, 0, false],
  [MSR.SPEC_CTRL]: [SPEC_CTRL, ~0x7 >>> 0, 0xffffffff, false],
  [MSR.MTRR_DEF_TYPE]: [MTRR_DEF_TYPE, ~0xcff >>> 0, 0xffffffff, false],
};

/** Time-stamp count before the offset: the machine's virtual clock when attached, else instructions retired. */
function tscBase(c: Cpu): number {
  return c.timeSource !== null ? c.timeSource.tsc() : c.icount;
}

/** TSC = base + offset. */
export function readTsc(c: Cpu): void {
  const n = tscBase(c);
  add64(n % 4294967296, Math.floor(n / 4294967296), c.s[TSC_OFFSET], c.s[TSC_OFFSET + 1]);
  if (c.nonRoot) vmxTscOffset(c); // "use TSC offsetting" (SDM 26.3)
}

/** Reads MSR `idx` into r64[0..1]; returns false for an unknown MSR. */
export function readMsr(c: Cpu, idx: number): boolean {
  const s = c.s;
  idx >>>= 0;
  const simple = SIMPLE[idx];
  if (simple) { r64[0] = s[simple[0]]; r64[1] = s[simple[0] + 1]; return true; }
  const pair = (k: number): boolean => { r64[0] = s[k]; r64[1] = s[k + 1]; return true; };
  switch (idx) {
    case MSR.TSC: readTsc(c); return true;
    case MSR.EFER: r64[0] = s[EFER]; r64[1] = 0; return true;
    case MSR.FS_BASE: return pair(segOff(SegReg.FS, SEG_BASE_LO));
    case MSR.GS_BASE: return pair(segOff(SegReg.GS, SEG_BASE_LO));
    case MSR.TSC_AUX: r64[0] = s[TSC_AUX]; r64[1] = 0; return true;
    case MSR.APIC_BASE: return pair(APIC_BASE);
    case MSR.PAT: return pair(PAT);
    case MSR.SYSENTER_CS: r64[0] = s[SYSENTER_CS]; r64[1] = 0; return true;
    case MSR.MTRRCAP: r64[0] = 0x508; r64[1] = 0; return true; // 8 variable ranges, fixed ranges, WC
    case MSR.FEATURE_CONTROL: return pair(FEATURE_CONTROL);
    case MSR.PLATFORM_ID: case MSR.BIOS_SIGN_ID: case MSR.MCG_STATUS: case MSR.MCG_CAP: case MSR.TSC_ADJUST:
      r64[0] = 0; r64[1] = 0; return true;
    default:
      if (idx >= MSR.MTRR_PHYSBASE0 && idx < MSR.MTRR_PHYSBASE0 + 16) return pair(MTRR_VAR + (idx - MSR.MTRR_PHYSBASE0) * 2);
      { const f = FIX_MSRS.indexOf(idx); if (f >= 0) return pair(MTRR_FIX + f * 2); }
      if (idx >= 0x480 && idx <= 0x491) return readVmxMsr(c, idx, cr4Allowed(c));
      return false;
  }
}

/** Writes MSR `idx`; raises #GP(0) for unknown MSRs or reserved bits. @faults */
export function writeMsr(c: Cpu, idx: number, lo: number, hi: number): void {
  const s = c.s;
  idx >>>= 0;
  const gp = (): never => c.fault(Vec.GP, 0);
  const simple = SIMPLE[idx];
  if (simple) {
    const [k, rl, rh, canon] = simple;
    if ((lo & rl) !== 0 || (hi & rh) !== 0 || (canon && !isCanonical(hi))) gp();
    s[k] = lo; s[k + 1] = hi;
    return;
  }
  const canonPair = (k: number): void => { if (!isCanonical(hi)) gp(); s[k] = lo; s[k + 1] = hi; };
  switch (idx) {
    case MSR.TSC: {
      const n = tscBase(c);
      sub64(lo, hi, n % 4294967296, Math.floor(n / 4294967296));
      s[TSC_OFFSET] = r64[0]; s[TSC_OFFSET + 1] = r64[1];
      return;
    }
    case MSR.EFER: {
      const allowed = EFER_SCE | EFER_LME | EFER_NXE | EFER_LMA;
      if ((lo & ~allowed) !== 0 || hi !== 0) gp();
      if (!c.cpuid.has('NX') && (lo & EFER_NXE) !== 0) gp();
      if (!c.cpuid.has('LM') && (lo & EFER_LME) !== 0) gp();
      // LME cannot change while paging is on; LMA is read-only.
      const old = s[EFER];
      if ((s[CR0] & CR0_PG) !== 0 && ((old ^ lo) & EFER_LME) !== 0) gp();
      const v = (lo & ~EFER_LMA) | (old & EFER_LMA);
      const prev = s[EFER];
      s[EFER] = v;
      if (!c.syncMmu()) { s[EFER] = prev; gp(); }
      c.updateMode();
      return;
    }
    case MSR.FS_BASE: canonPair(segOff(SegReg.FS, SEG_BASE_LO)); return;
    case MSR.GS_BASE: canonPair(segOff(SegReg.GS, SEG_BASE_LO)); return;
    case MSR.TSC_AUX: if (hi !== 0) gp(); s[TSC_AUX] = lo; return;
    case MSR.APIC_BASE: {
      // Bits 8 (BSP, read-only here), 10 (x2APIC: not supported), 11 (enable), 12+ base.
      if ((lo & 0x6ff) !== 0 || (hi & ~((1 << (c.model.maxPhysAddr - 32)) - 1)) !== 0) gp();
      s[APIC_BASE] = (lo & ~0x100) | (s[APIC_BASE] & 0x100); s[APIC_BASE + 1] = hi;
      c.timeSource?.apicBaseWritten(s[APIC_BASE], hi);
      return;
    }
    case MSR.PAT: {
      for (let k = 0; k < 8; k++) {
        const t = ((k < 4 ? lo : hi) >>> ((k & 3) * 8)) & 0xff;
        if (t === 2 || t === 3 || t > 7) gp();
      }
      s[PAT] = lo; s[PAT + 1] = hi;
      return;
    }
    case MSR.SYSENTER_CS: s[SYSENTER_CS] = lo & 0xffff; return;
    case MSR.FEATURE_CONTROL: {
      // Lock (bit 0) makes it read-only until RESET. Only lock and "enable VMX outside SMX" (bit 2, with VMX)
      // exist here: SMX, SENTER, SGX and LMCE bits are reserved (#GP).
      const writable = 1 | (c.cpuid.has('VMX') ? 4 : 0);
      if ((s[FEATURE_CONTROL] & 1) !== 0 || (lo & ~writable) !== 0 || hi !== 0) gp();
      s[FEATURE_CONTROL] = lo; s[FEATURE_CONTROL + 1] = hi;
      return;
    }
    case MSR.TSC_ADJUST: case MSR.BIOS_SIGN_ID: case MSR.MCG_STATUS: return;
    case MSR.PRED_CMD: if ((lo & ~1) !== 0 || hi !== 0) gp(); return;
    default:
      if (idx >= MSR.MTRR_PHYSBASE0 && idx < MSR.MTRR_PHYSBASE0 + 16) {
        const physHi = (1 << (c.model.maxPhysAddr - 32)) - 1;
        const rsvdLo = (idx & 1) === 0 ? 0xf00 | 0xf8 : 0x7ff;
        if ((lo & rsvdLo) !== 0 || (hi & ~physHi) !== 0) gp();
        const k = MTRR_VAR + (idx - MSR.MTRR_PHYSBASE0) * 2;
        s[k] = lo; s[k + 1] = hi;
        return;
      }
      { const f = FIX_MSRS.indexOf(idx); if (f >= 0) { s[MTRR_FIX + f * 2] = lo; s[MTRR_FIX + f * 2 + 1] = hi; return; } }
      gp();
  }
  void SEG_BASE_HI;
}
