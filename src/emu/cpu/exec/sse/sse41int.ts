/**
 * SSE4.1 integer instructions (SDM Vol. 2): PBLENDVB, PBLENDW, PTEST,
 * PMOVSX/PMOVZX, PMULDQ, PMULLD, PMIN/PMAX SB/SD/UW/UD, PHMINPOSUW, MPSADBW,
 * PINSRB/D/Q, PEXTRB/W/D/Q; and SSE4.2 PCMPGTQ, CRC32.
 */
import type { Cpu } from '../../cpu.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import type { HandlerTable, InsnHandler } from '../handlerTypes.ts';
import { ARITH_FLAGS, CF, ZF } from '../../arch.ts';
import { CC_OP, GPR, RFLAGS } from '../../state/layout.ts';
import { CcOp } from '../../flags.ts';
import { readE } from '../operands.ts';
import { writeMem } from '../../memory.ts';
import { I16, I32, I8, U16, U32, U8, featureCheck, getX, loadW, putX, readOperand, sseCheck, writeOperand } from './regs.ts';
import { A, B, R, xmmOnly, type LaneOp } from './lanes.ts';
import { laneBytes, laneDwords, laneWords, PCMPEQQ, PCMPGTQ } from './intArith.ts';
import { PACKUSDW } from './intShuffle.ts';

/** PMOVSX/PMOVZX: `from`-byte elements of the low source bytes widened to `to` bytes. */
function pmov(from: 1 | 2 | 4, to: 2 | 4 | 8, signed: boolean): InsnHandler {
  const srcBytes = (16 / to) * from;
  return (c, i) => {
    sseCheck(c, i);
    if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, srcBytes, 0);
    for (let k = 0; k < 16 / to; k++) {
      let v: number;
      if (from === 1) v = signed ? I8[B + k] : U8[B + k];
      else if (from === 2) v = signed ? I16[(B >> 1) + k] : U16[(B >> 1) + k];
      else v = signed ? I32[(B >> 2) + k] : U32[(B >> 2) + k];
      if (to === 2) U16[(R >> 1) + k] = v;
      else if (to === 4) U32[(R >> 2) + k] = v;
      else { U32[(R >> 2) + 2 * k] = v; U32[(R >> 2) + 2 * k + 1] = v < 0 ? 0xffffffff : 0; }
    }
    putX(c, i.reg, R);
  };
}

/** PMULDQ: signed low dwords of each quadword, 64-bit products. */
const pmuldq: LaneOp = () => {
  for (let k = 0; k < 2; k++) {
    const x = I32[(A >> 2) + 2 * k], y = I32[(B >> 2) + 2 * k];
    const lo = Math.imul(x, y) >>> 0;
    // High word: exact from the double product when |p| < 2^53, else from 16-bit limbs.
    const p = x * y;
    let hi: number;
    if (Math.abs(p) < 2 ** 53) hi = Math.floor(p / 4294967296);
    else {
      const neg = (x < 0) !== (y < 0);
      const ux = Math.abs(x), uy = Math.abs(y);
      const x0 = ux % 65536, x1 = Math.floor(ux / 65536), y0 = uy % 65536, y1 = Math.floor(uy / 65536);
      const mid = x1 * y0 + x0 * y1 + Math.floor((x0 * y0) / 65536);
      hi = x1 * y1 + Math.floor(mid / 65536);
      if (neg) hi = lo === 0 ? -hi : -hi - 1;
    }
    U32[(R >> 2) + 2 * k] = lo; U32[(R >> 2) + 2 * k + 1] = hi >>> 0;
  }
};

const phminposuw: LaneOp = () => {
  let m = U16[B >> 1], idx = 0;
  for (let k = 1; k < 8; k++) if (U16[(B >> 1) + k] < m) { m = U16[(B >> 1) + k]; idx = k; }
  U32[R >> 2] = m | (idx << 16); U32[(R >> 2) + 1] = 0; U32[(R >> 2) + 2] = 0; U32[(R >> 2) + 3] = 0;
};

const mpsadbw: LaneOp = (_n, imm) => {
  const ao = (imm & 4) !== 0 ? 4 : 0, bo = (imm & 3) * 4;
  for (let k = 0; k < 8; k++) {
    let s = 0;
    for (let j = 0; j < 4; j++) s += Math.abs(U8[A + ao + k + j] - U8[B + bo + j]);
    U16[(R >> 1) + k] = s;
  }
};

/** Blends by the sign bit of each element of XMM0 (PBLENDVB bytes, BLENDVPS dwords, BLENDVPD qwords). */
function blendv(size: 1 | 4 | 8): InsnHandler {
  return (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
    getX(c, 0, R);
    for (let k = 0; k < 16; k += size) {
      const sel = (U8[R + k + size - 1] & 0x80) !== 0;
      for (let j = 0; j < size; j++) U8[R + k + j] = sel ? U8[B + k + j] : U8[A + k + j];
    }
    putX(c, i.reg, R);
  };
}
/** BLENDPS/BLENDPD/PBLENDW: imm8 bit k selects source element k. */
function blendImm(size: 2 | 4 | 8): LaneOp {
  return (_n, imm) => {
    for (let k = 0; k < 16 / size; k++) {
      const src = ((imm >> k) & 1) !== 0 ? B : A;
      for (let j = 0; j < size; j++) U8[R + k * size + j] = U8[src + k * size + j];
    }
  };
}

function setEagerFlags(c: Cpu, f: number): void {
  const s = c.s;
  s[RFLAGS] = (s[RFLAGS] & ~ARITH_FLAGS) | f;
  s[CC_OP] = CcOp.Eager;
}

/** CRC32C (Castagnoli, reflected polynomial 82F63B78H), one table step per byte. */
const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let v = n;
  for (let k = 0; k < 8; k++) v = (v & 1) !== 0 ? (v >>> 1) ^ 0x82f63b78 : v >>> 1;
  CRC_TABLE[n] = v >>> 0;
}
function crcBytes(crc: number, v: number, n: number): number {
  for (let k = 0; k < n; k++) { crc = CRC_TABLE[(crc ^ v) & 0xff] ^ (crc >>> 8); v >>>= 8; }
  return crc >>> 0;
}

/** PEXTRB/W/D/Q: element imm8 of the XMM source to a GPR (zero-extended) or memory. */
function pextr(size: 1 | 2 | 4): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    getX(c, i.reg, A);
    const q = size === 4 && (i.rex & 8) !== 0;
    const bytes = q ? 8 : size;
    const off = ((i.imm & 0xff) * bytes) & 15;
    const lo = bytes === 1 ? U8[A + off] : bytes === 2 ? U16[(A + off) >> 1] : U32[(A + off) >> 2];
    const hi = q ? U32[((A + off) >> 2) + 1] : 0;
    if (i.mod === 3) { c.setReg(i.rm, q ? 8 : 4, lo, hi); return; }
    U32[R >> 2] = lo; U32[(R >> 2) + 1] = hi;
    if (bytes >= 4) writeOperand(c, i, R, bytes, 0);
    else writeMemSmall(c, i, bytes, lo);
  };
}
function writeMemSmall(c: Cpu, i: DecodedInsn, bytes: number, v: number): void {
  writeMem(c, i.seg, c.eaLo, c.eaHi, bytes, v, 0);
}
/** PINSRB/D/Q: a GPR or memory element into element imm8 of the destination. */
function pinsr(size: 1 | 4): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    getX(c, i.reg, A);
    const q = size === 4 && (i.rex & 8) !== 0;
    const bytes = q ? 8 : size;
    let lo: number, hi = 0;
    if (i.mod === 3) { lo = c.s[GPR + 2 * i.rm]; hi = c.s[GPR + 2 * i.rm + 1]; }
    else { lo = readE(c, i, bytes); hi = bytes === 8 ? c.hi : 0; }
    const off = ((i.imm & 0xff) * bytes) & 15;
    if (bytes === 1) U8[A + off] = lo;
    else { U32[(A + off) >> 2] = lo; if (q) U32[((A + off) >> 2) + 1] = hi; }
    putX(c, i.reg, A);
  };
}

export function registerSse41Int(h: HandlerTable): void {
  const names = ['BW', 'BD', 'BQ', 'WD', 'WQ', 'DQ'] as const;
  const sizes: Record<string, 1 | 2 | 4 | 8> = { B: 1, W: 2, D: 4, Q: 8 };
  for (const nm of names) {
    const from = sizes[nm[0]] as 1 | 2 | 4, to = sizes[nm[1]] as 2 | 4 | 8;
    h[`PMOVSX${nm}_VxWx`] = pmov(from, to, true);
    h[`PMOVZX${nm}_VxWx`] = pmov(from, to, false);
  }
  xmmOnly(h, 'PMULDQ', pmuldq);
  xmmOnly(h, 'PMULLD', laneDwords((x, y) => Math.imul(x, y)));
  xmmOnly(h, 'PCMPEQQ', PCMPEQQ);
  xmmOnly(h, 'PCMPGTQ', PCMPGTQ);
  xmmOnly(h, 'PACKUSDW', PACKUSDW);
  xmmOnly(h, 'PMINSB', laneBytes((x, y) => (x < y ? x : y), true));
  xmmOnly(h, 'PMAXSB', laneBytes((x, y) => (x > y ? x : y), true));
  xmmOnly(h, 'PMINUW', laneWords((x, y) => (x < y ? x : y), false));
  xmmOnly(h, 'PMAXUW', laneWords((x, y) => (x > y ? x : y), false));
  xmmOnly(h, 'PMINSD', laneDwords((x, y) => (x < y ? x : y)));
  xmmOnly(h, 'PMAXSD', laneDwords((x, y) => (x > y ? x : y)));
  xmmOnly(h, 'PMINUD', laneDwords((x, y) => ((x >>> 0) < (y >>> 0) ? x : y)));
  xmmOnly(h, 'PMAXUD', laneDwords((x, y) => ((x >>> 0) > (y >>> 0) ? x : y)));
  xmmOnly(h, 'PHMINPOSUW', phminposuw);
  xmmOnly(h, 'MPSADBW', mpsadbw, true);
  xmmOnly(h, 'PBLENDW', blendImm(2), true);
  xmmOnly(h, 'BLENDPS', blendImm(4), true);
  xmmOnly(h, 'BLENDPD', blendImm(8), true);
  h.PBLENDVB_VxWx = blendv(1); h.BLENDVPS_VxWx = blendv(4); h.BLENDVPD_VxWx = blendv(8);
  h.PTEST_VxWx = (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A); loadW(c, i, 16, 16);
    let and = 0, andn = 0;
    for (let k = 0; k < 4; k++) { and |= U32[(A >> 2) + k] & U32[(B >> 2) + k]; andn |= ~U32[(A >> 2) + k] & U32[(B >> 2) + k]; }
    setEagerFlags(c, (and === 0 ? ZF : 0) | (andn === 0 ? CF : 0));
  };
  h.PEXTRB_EdVxIb = pextr(1); h.PEXTRW_EdVxIb = pextr(2); h.PEXTRD_EyVxIb = pextr(4);
  h.PINSRB_VxEdIb = pinsr(1); h.PINSRD_VxEyIb = pinsr(4);
  // CRC32 is a general-purpose instruction (no CR0/CR4 checks); the destination is 32 bits (REX.W: zero-extended).
  h.CRC32_GdEb = (c, i) => {
    featureCheck(c, i);
    const v = readE(c, i, 1);
    c.setReg(i.reg, 4, crcBytes(c.s[GPR + 2 * i.reg], v, 1), 0);
  };
  h.CRC32_GdEv = (c, i) => {
    featureCheck(c, i);
    const size = i.osz;
    const lo = readE(c, i, size), hi = size === 8 ? c.hi : 0;
    let crc = crcBytes(c.s[GPR + 2 * i.reg], lo, size === 8 ? 4 : size);
    if (size === 8) crc = crcBytes(crc, hi, 4);
    c.setReg(i.reg, 4, crc, 0);
  };
}
