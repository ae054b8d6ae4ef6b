/**
 * FXSAVE/FXRSTOR (SDM Vol. 2, Tables 3-53 and 3-56) and XSAVE/XSAVEOPT/XRSTOR in the standard
 * format (SDM Vol. 1 13.4-13.9) for the two state components this core has: x87 (bit 0)
 * and SSE (bit 1: XMM registers and MXCSR). The legacy region is built with fpu/image.ts
 * plus the SSE fields; images are built in a scratch buffer and copied through the MMU
 * after probing, and parsed only once completely read, so a fault changes nothing.
 *
 * Choices where the SDM leaves room: with CR4.OSFXSR = 0, FXSAVE/FXRSTOR skip MXCSR and the
 * XMM registers (SDM: "may not save"); XSAVE reports every requested component as in use
 * (XSTATE_BV[i] = 1, allowed since XINUSE may be 1 for a component in its initial state);
 * XSAVEOPT behaves as XSAVE (its modified/init optimizations are optional).
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CR0_EM, CR0_TS, CR4_OSFXSR, Vec } from '../arch.ts';
import { CR0, CR4, MXCSR, XCR0, XMM } from '../state/layout.ts';
import { FXSAVE_BYTES, loadFxsave, storeFxsave, W_REGS } from '../fpu/index.ts';
import { linearAddr, probeWrite } from '../memory.ts';
import type { HandlerTable } from './handlerTypes.ts';
import { readEaPlus, writeEaPlus } from './operands.ts';
import { MXCSR_MASK, XCR0_SSE, XCR0_X87, checkOsxsave } from './xstate.ts';

/** Legacy region + XSAVE header. */
export const XSAVE_AREA_BYTES = FXSAVE_BYTES + 64;
const HDR = FXSAVE_BYTES;

const buf = new Uint8Array(XSAVE_AREA_BYTES);

const get32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const put32 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; b[o + 2] = (v >>> 16) & 0xff; b[o + 3] = v >>> 24;
};

/** XMM registers saved by FXSAVE/XSAVE: 16 in 64-bit mode, 8 otherwise. */
const xmmCount = (c: Cpu): number => (c.long64 ? 16 : 8);
/** FXSAVE64/XSAVE64 (REX.W) use 64-bit FIP/FDP with no selectors. */
const rexW = (i: DecodedInsn): boolean => (i.rex & 8) !== 0;

/** #GP(0) unless the operand's linear address is `align`-byte aligned (regardless of segment). @faults */
function checkAlign(c: Cpu, i: DecodedInsn, align: number): void {
  const la = linearAddr(c, i.seg, c.eaLo, c.eaHi, 1, false);
  if ((la & (align - 1)) !== 0) c.fault(Vec.GP, 0);
}

function storeXmm(c: Cpu, b: Uint8Array): void {
  const s = c.s;
  for (let r = 0; r < xmmCount(c); r++) for (let k = 0; k < 4; k++) put32(b, 160 + 16 * r + 4 * k, s[XMM + 4 * r + k]!);
}
function loadXmm(c: Cpu, b: Uint8Array): void {
  const s = c.s;
  for (let r = 0; r < xmmCount(c); r++) for (let k = 0; k < 4; k++) s[XMM + 4 * r + k] = get32(b, 160 + 16 * r + 4 * k);
}
function initXmm(c: Cpu): void {
  c.s.fill(0, XMM, XMM + 4 * xmmCount(c));
}
/** x87 initial configuration (SDM Vol. 1 13.6): as FNINIT, and R0-R7 zero. */
function initX87(c: Cpu): void {
  c.fpu.reset();
  c.fpu.w.fill(0, W_REGS, W_REGS + 24);
}

/** Copies bytes [from, to) of buf to the operand (already probed). @faults */
function writeRange(c: Cpu, i: DecodedInsn, from: number, to: number): void {
  for (let k = from; k < to; k += 4) writeEaPlus(c, i, k, 4, get32(buf, k), 0);
}
function readRange(c: Cpu, i: DecodedInsn, from: number, to: number): void {
  for (let k = from; k < to; k += 4) put32(buf, k, readEaPlus(c, i, k, 4));
}

// ---- FXSAVE / FXRSTOR ------------------------------------------------------------------

/**
 * #UD without CPUID.FXSR or with CR0.EM = 1; #NM with CR0.TS = 1 (SDM Vol. 2 FXSAVE and
 * FXRSTOR exceptions; the Pentium III manual still had #NM for EM). @faults
 */
function checkFxsr(c: Cpu): void {
  if (!c.cpuid.has('FXSR') || (c.s[CR0] & CR0_EM) !== 0) c.fault(Vec.UD);
  if ((c.s[CR0] & CR0_TS) !== 0) c.fault(Vec.NM);
}

function fxsave(c: Cpu, i: DecodedInsn): void {
  checkFxsr(c);
  checkAlign(c, i, 16);
  const sse = (c.s[CR4] & CR4_OSFXSR) !== 0;
  storeFxsave(c.fpu, buf, 0, rexW(i));
  put32(buf, 24, c.s[MXCSR]); put32(buf, 28, MXCSR_MASK);
  if (sse) storeXmm(c, buf);
  const end = sse ? 160 + 16 * xmmCount(c) : 160;
  probeWrite(c, i.seg, c.eaLo, c.eaHi, end);
  writeRange(c, i, 0, 24);
  if (sse) writeRange(c, i, 24, 32);
  writeRange(c, i, 32, end);
}

function fxrstor(c: Cpu, i: DecodedInsn): void {
  checkFxsr(c);
  checkAlign(c, i, 16);
  const sse = (c.s[CR4] & CR4_OSFXSR) !== 0;
  readRange(c, i, 0, sse ? 160 + 16 * xmmCount(c) : 160);
  const mxcsr = get32(buf, 24);
  if (sse && (mxcsr & ~MXCSR_MASK) !== 0) c.fault(Vec.GP, 0);
  loadFxsave(c.fpu, buf, 0, rexW(i));
  if (sse) { c.s[MXCSR] = mxcsr; loadXmm(c, buf); }
}

// ---- XSAVE / XSAVEOPT / XRSTOR ------------------------------------------------------------

/** #UD unless XSAVE is enabled (CR4.OSXSAVE); #NM with CR0.TS (EM does not matter). @faults */
function checkXsave(c: Cpu): void {
  checkOsxsave(c);
  if ((c.s[CR0] & CR0_TS) !== 0) c.fault(Vec.NM);
}

/** Requested-feature bitmap: XCR0 AND EDX:EAX (only the low word has supported bits). */
const rfbm = (c: Cpu): number => c.s[XCR0]! & c.getReg(0, 4);

function xsave(c: Cpu, i: DecodedInsn): void {
  checkXsave(c);
  checkAlign(c, i, 64);
  const req = rfbm(c);
  probeWrite(c, i.seg, c.eaLo, c.eaHi, XSAVE_AREA_BYTES);
  // XSTATE_BV is read-modify-written: bits outside RFBM keep their value.
  readRange(c, i, HDR, HDR + 8);
  if ((req & XCR0_X87) !== 0) {
    storeFxsave(c.fpu, buf, 0, rexW(i));
    writeRange(c, i, 0, 24);
    writeRange(c, i, 32, 160);
  }
  if ((req & XCR0_SSE) !== 0) {
    put32(buf, 24, c.s[MXCSR]); put32(buf, 28, MXCSR_MASK);
    storeXmm(c, buf);
    writeRange(c, i, 24, 32);
    writeRange(c, i, 160, 160 + 16 * xmmCount(c));
  }
  put32(buf, HDR, get32(buf, HDR) | (req & (XCR0_X87 | XCR0_SSE)));
  writeRange(c, i, HDR, HDR + 4);
}

function xrstor(c: Cpu, i: DecodedInsn): void {
  checkXsave(c);
  checkAlign(c, i, 64);
  const req = rfbm(c);
  readRange(c, i, 0, XSAVE_AREA_BYTES);
  const bvLo = get32(buf, HDR), bvHi = get32(buf, HDR + 4);
  // Standard form: XSTATE_BV only names XCR0 components, bytes 8-23 of the header are zero
  // (XCOMP_BV[63] = 1 would ask for the compacted form, which needs XSAVEC: not advertised).
  if (bvHi !== 0 || (bvLo & ~c.s[XCR0]!) !== 0) c.fault(Vec.GP, 0);
  for (let k = HDR + 8; k < HDR + 24; k += 4) if (get32(buf, k) !== 0) c.fault(Vec.GP, 0);
  // MXCSR is loaded whenever SSE is requested, whatever XSTATE_BV[1] says.
  const mxcsr = get32(buf, 24);
  if ((req & XCR0_SSE) !== 0 && (mxcsr & ~MXCSR_MASK) !== 0) c.fault(Vec.GP, 0);
  if ((req & XCR0_X87) !== 0) {
    if ((bvLo & XCR0_X87) !== 0) loadFxsave(c.fpu, buf, 0, rexW(i));
    else initX87(c);
  }
  if ((req & XCR0_SSE) !== 0) {
    c.s[MXCSR] = mxcsr;
    if ((bvLo & XCR0_SSE) !== 0) loadXmm(c, buf); else initXmm(c);
  }
}

export function registerXsave(h: HandlerTable): void {
  h.FXSAVE_M = fxsave;
  h.FXRSTOR_M = fxrstor;
  h.XSAVE_M = xsave;
  h.XSAVEOPT_M = (c, i) => { if (!c.cpuid.has('XSAVEOPT')) c.fault(Vec.UD); xsave(c, i); };
  h.XRSTOR_M = xrstor;
}
