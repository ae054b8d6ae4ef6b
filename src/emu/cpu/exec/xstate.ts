/**
 * Extended-state registers outside the x87: MXCSR (LDMXCSR/STMXCSR, SDM Vol. 1 10.2.3) and
 * XCR0 (XGETBV/XSETBV, SDM Vol. 1 13.3). The SSE arithmetic that obeys MXCSR lives with the
 * SSE instructions; this module owns the register and its reserved-bit rules.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CR0_EM, CR0_TS, CR4_OSFXSR, CR4_OSXSAVE, Vec } from '../arch.ts';
import { CR0, CR4, MXCSR, XCR0 } from '../state/layout.ts';
import type { HandlerTable } from './handlerTypes.ts';
import { readEaPlus, writeEaPlus } from './operands.ts';

/**
 * MXCSR_MASK as FXSAVE stores it: bits 0-15 writable. Bit 6 (DAZ) is included because the
 * SSE arithmetic implements denormals-are-zero (SDM Vol. 1 11.6.6: a processor without DAZ
 * reports FFBFH); bits 16-31 are reserved and loading a 1 there is #GP(0).
 */
export const MXCSR_MASK = 0xffff;
/** MXCSR after RESET, and the value XRSTOR's init of SSE state does not touch. */
export const MXCSR_RESET = 0x1f80;

/** XCR0 bits this core supports: x87 (bit 0, always 1) and SSE (bit 1). No AVX. */
export const XCR0_X87 = 1, XCR0_SSE = 2;
export const XCR0_SUPPORTED = XCR0_X87 | XCR0_SSE;

/** The XSETBV checks for XCR0 (SDM Vol. 2 XSETBV): true when the value may be loaded. */
export function xcr0Valid(lo: number, hi: number): boolean {
  if (hi !== 0 || (lo & ~XCR0_SUPPORTED) !== 0) return false;
  if ((lo & XCR0_X87) === 0) return false;
  // Bit 2 (AVX) needs bit 1 (SSE); bit 2 is unsupported here, kept for when AVX comes.
  if ((lo & 4) !== 0 && (lo & XCR0_SSE) === 0) return false;
  return true;
}

/**
 * The checks of LDMXCSR/STMXCSR (SDM Vol. 2 LDMXCSR exceptions): #UD when SSE is
 * not advertised, CR0.EM = 1 or CR4.OSFXSR = 0; #NM when CR0.TS = 1. @faults
 */
export function checkSseState(c: Cpu): void {
  const s = c.s;
  if (!c.cpuid.has('SSE') || (s[CR0] & CR0_EM) !== 0 || (s[CR4] & CR4_OSFXSR) === 0) c.fault(Vec.UD);
  if ((s[CR0] & CR0_TS) !== 0) c.fault(Vec.NM);
}

/** XSAVE-family gate: #UD without CPUID.XSAVE or with CR4.OSXSAVE = 0. @faults */
export function checkOsxsave(c: Cpu): void {
  if (!c.cpuid.has('XSAVE') || (c.s[CR4] & CR4_OSXSAVE) === 0) c.fault(Vec.UD);
}

function ldmxcsr(c: Cpu, i: DecodedInsn): void {
  checkSseState(c);
  const v = readEaPlus(c, i, 0, 4);
  if ((v & ~MXCSR_MASK) !== 0) c.fault(Vec.GP, 0);
  c.s[MXCSR] = v >>> 0;
}

export function registerXstate(h: HandlerTable): void {
  h.LDMXCSR_Md = ldmxcsr;
  h.STMXCSR_Md = (c, i) => {
    checkSseState(c);
    writeEaPlus(c, i, 0, 4, c.s[MXCSR], 0);
  };
  /** XGETBV: ECX = 0 reads XCR0; ECX = 1 (XINUSE) only with CPUID.(0DH,1):EAX[2], not advertised. */
  h.XGETBV = (c) => {
    checkOsxsave(c);
    if (c.getReg(1, 4) !== 0) c.fault(Vec.GP, 0);
    c.setReg(0, 4, c.s[XCR0], 0);
    c.setReg(2, 4, c.s[XCR0 + 1], 0);
  };
  /** XSETBV: CPL 0 only, ECX = 0 (XCR0), EDX:EAX must pass xcr0Valid; otherwise #GP(0). */
  h.XSETBV = (c) => {
    checkOsxsave(c);
    if (c.cpl !== 0 || c.getReg(1, 4) !== 0) c.fault(Vec.GP, 0);
    const lo = c.getReg(0, 4), hi = c.getReg(2, 4);
    if (!xcr0Valid(lo, hi)) c.fault(Vec.GP, 0);
    c.s[XCR0] = lo; c.s[XCR0 + 1] = hi;
  };
}
