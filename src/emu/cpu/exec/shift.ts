/** Shifts and rotates: ROL/ROR/RCL/RCR/SHL/SHR/SAR, SHLD/SHRD (SDM Vol. 2). */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CF, OF } from '../arch.ts';
import { CcOp, flushFlags, setCc, setCc64 } from '../flags.ts';
import { CC_OP, RFLAGS } from '../state/layout.ts';
import { r64, sar64, shl64, shr64 } from '../u64.ts';
import { readE, readG, readRmwE, writeE } from './operands.ts';
import { trunc } from './alu.ts';
import type { HandlerTable } from './handlerTypes.ts';

const enum Sh { ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAR = 7 }

/** Sets only CF and OF, keeping the other flags (rotates). */
function setCfOf(c: Cpu, cf: number, of: number): void {
  const s = c.s;
  flushFlags(s);
  s[RFLAGS] = (s[RFLAGS] & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
  s[CC_OP] = CcOp.Eager;
}

/** Bit `n` of a 64-bit pair. */
function bit64(lo: number, hi: number, n: number): number {
  return n < 32 ? (lo >>> n) & 1 : (hi >>> (n - 32)) & 1;
}

function shift(c: Cpu, i: DecodedInsn, size: number, op: Sh, rawCount: number): void {
  const bits = size * 8;
  const count = rawCount & (size === 8 ? 0x3f : 0x1f);
  const a = count === 0 ? readE(c, i, size) : readRmwE(c, i, size);
  // Count 0: no flags change, but a 32-bit register destination is still zero-extended.
  if (count === 0) { if (size === 4 && i.mod === 3) writeE(c, i, 4, a, 0); return; }
  const aHi = c.hi;
  if (size === 8) { shift64(c, i, op, count, a, aHi); return; }
  const msb = bits - 1;
  let r: number;
  switch (op) {
    case Sh.ROL: {
      const n = count % bits;
      r = trunc(n === 0 ? a : (a << n) | (a >>> (bits - n)), size);
      const cf = r & 1;
      setCfOf(c, cf, ((r >>> msb) & 1) ^ cf);
      break;
    }
    case Sh.ROR: {
      const n = count % bits;
      r = trunc(n === 0 ? a : (a >>> n) | (a << (bits - n)), size);
      setCfOf(c, (r >>> msb) & 1, ((r >>> msb) ^ (r >>> (msb - 1))) & 1);
      break;
    }
    case Sh.RCL: case Sh.RCR: {
      const n = size === 4 ? count : count % (bits + 1);
      flushFlags(c.s);
      let cf = c.s[RFLAGS] & CF;
      r = a;
      // Rotate through carry one bit at a time: n <= 32, and this is not a hot instruction.
      for (let k = 0; k < n; k++) {
        if (op === Sh.RCL) { const out = (r >>> msb) & 1; r = trunc((r << 1) | cf, size); cf = out; }
        else { const out = r & 1; r = ((r >>> 1) | (cf << msb)) >>> 0; r = trunc(r, size); cf = out; }
      }
      if (n === 0) { writeE(c, i, size, a, 0); return; }
      const of = op === Sh.RCL ? ((r >>> msb) & 1) ^ cf : ((r >>> msb) ^ (r >>> (msb - 1))) & 1;
      setCfOf(c, cf, of);
      break;
    }
    case Sh.SHL: {
      r = trunc(count >= 32 ? 0 : a << count, size);
      const cf = count > bits ? 0 : (a >>> (bits - count)) & 1;
      setCc(c.s, CcOp.CfOf, size, r, 0, 0, (cf ? CF : 0) | ((((r >>> msb) & 1) ^ cf) ? OF : 0));
      break;
    }
    case Sh.SHR: {
      r = count >= 32 ? 0 : a >>> count;
      const cf = count > bits ? 0 : (a >>> (count - 1)) & 1;
      setCc(c.s, CcOp.CfOf, size, r, 0, 0, (cf ? CF : 0) | (((a >>> msb) & 1) ? OF : 0));
      break;
    }
    default: { // SAR
      const sa = size === 1 ? (a << 24) >> 24 : size === 2 ? (a << 16) >> 16 : a | 0;
      r = trunc(sa >> Math.min(count, 31), size);
      const cf = (sa >> Math.min(count - 1, 31)) & 1;
      setCc(c.s, CcOp.CfOf, size, r, 0, 0, cf ? CF : 0);
      break;
    }
  }
  writeE(c, i, size, r, 0);
}

function shift64(c: Cpu, i: DecodedInsn, op: Sh, n: number, a: number, aHi: number): void {
  let lo: number, hi: number;
  switch (op) {
    case Sh.ROL: {
      shl64(a, aHi, n); lo = r64[0]; hi = r64[1];
      shr64(a, aHi, 64 - n); lo |= r64[0]; hi |= r64[1];
      const cf = lo & 1;
      setCfOf(c, cf, (hi >>> 31) ^ cf);
      break;
    }
    case Sh.ROR: {
      shr64(a, aHi, n); lo = r64[0]; hi = r64[1];
      shl64(a, aHi, 64 - n); lo |= r64[0]; hi |= r64[1];
      setCfOf(c, hi >>> 31, ((hi >>> 31) ^ (hi >>> 30)) & 1);
      break;
    }
    case Sh.RCL: case Sh.RCR: {
      flushFlags(c.s);
      let cf = c.s[RFLAGS] & CF;
      lo = a; hi = aHi;
      for (let k = 0; k < n; k++) {
        if (op === Sh.RCL) { const out = hi >>> 31; hi = (hi << 1) | (lo >>> 31); lo = (lo << 1) | cf; cf = out; }
        else { const out = lo & 1; lo = (lo >>> 1) | (hi << 31); hi = (hi >>> 1) | (cf << 31); cf = out; }
      }
      lo >>>= 0; hi >>>= 0;
      const of = op === Sh.RCL ? (hi >>> 31) ^ cf : ((hi >>> 31) ^ (hi >>> 30)) & 1;
      setCfOf(c, cf, of);
      break;
    }
    case Sh.SHL: {
      shl64(a, aHi, n); lo = r64[0]; hi = r64[1];
      const cf = bit64(a, aHi, 64 - n);
      setCc64(c.s, CcOp.CfOf, lo, hi, 0, 0, 0, 0, (cf ? CF : 0) | (((hi >>> 31) ^ cf) ? OF : 0));
      break;
    }
    case Sh.SHR: {
      shr64(a, aHi, n); lo = r64[0]; hi = r64[1];
      const cf = bit64(a, aHi, n - 1);
      setCc64(c.s, CcOp.CfOf, lo, hi, 0, 0, 0, 0, (cf ? CF : 0) | ((aHi >>> 31) ? OF : 0));
      break;
    }
    default: {
      sar64(a, aHi, n); lo = r64[0]; hi = r64[1];
      const cf = bit64(a, aHi, n - 1);
      setCc64(c.s, CcOp.CfOf, lo, hi, 0, 0, 0, 0, cf ? CF : 0);
      break;
    }
  }
  writeE(c, i, 8, lo, hi);
}

/** SHLD/SHRD (double-precision shifts). */
function shiftDouble(c: Cpu, i: DecodedInsn, left: boolean, rawCount: number): void {
  const size = i.osz;
  const count = rawCount & (size === 8 ? 0x3f : 0x1f);
  const src = readG(c, i, size), srcHi = c.hi;
  const a = count === 0 ? readE(c, i, size) : readRmwE(c, i, size), aHi = c.hi;
  if (count === 0) { if (size === 4 && i.mod === 3) writeE(c, i, 4, a, 0); return; }
  const bits = size * 8;
  let lo: number, hi = 0, cf: number, sign: number, signA: number;
  if (size === 8) {
    if (left) {
      shl64(a, aHi, count); lo = r64[0]; hi = r64[1];
      shr64(src, srcHi, 64 - count); lo |= r64[0]; hi |= r64[1];
      cf = bit64(a, aHi, 64 - count);
    } else {
      shr64(a, aHi, count); lo = r64[0]; hi = r64[1];
      shl64(src, srcHi, 64 - count); lo |= r64[0]; hi |= r64[1];
      cf = bit64(a, aHi, count - 1);
    }
    lo >>>= 0; hi >>>= 0;
    sign = hi >>> 31; signA = aHi >>> 31;
    setCc64(c.s, CcOp.CfOf, lo, hi, 0, 0, 0, 0, (cf ? CF : 0) | (sign ^ signA ? OF : 0));
  } else {
    // Treat dest:src as one 2*bits-wide value (exact for count <= bits; 16-bit counts above 16 are undefined).
    if (left) {
      const wide = size === 4 ? 0 : (a << bits) | src;
      if (size === 4) { lo = ((a << count) | (src >>> (32 - count))) >>> 0; cf = (a >>> (32 - count)) & 1; }
      else { lo = trunc((wide << count) >>> bits, size); cf = ((wide << (count - 1)) >>> (2 * bits - 1)) & 1; }
    } else {
      if (size === 4) { lo = ((a >>> count) | (src << (32 - count))) >>> 0; cf = (a >>> (count - 1)) & 1; }
      else { const wide = (src << bits) | a; lo = trunc(wide >>> count, size); cf = (wide >>> (count - 1)) & 1; }
    }
    sign = (lo >>> (bits - 1)) & 1; signA = (a >>> (bits - 1)) & 1;
    setCc(c.s, CcOp.CfOf, size, lo, 0, 0, (cf ? CF : 0) | (sign ^ signA ? OF : 0));
  }
  writeE(c, i, size, lo, hi);
}

export function registerShift(h: HandlerTable): void {
  const names = ['ROL', 'ROR', 'RCL', 'RCR', 'SHL', 'SHR', 'SHL', 'SAR'];
  names.forEach((m, op) => {
    if (op === 6) return;
    h[`${m}_EbIb`] = (c, i) => shift(c, i, 1, op, i.imm);
    h[`${m}_EvIb`] = (c, i) => shift(c, i, i.osz, op, i.imm);
    h[`${m}_Eb1`] = (c, i) => shift(c, i, 1, op, 1);
    h[`${m}_Ev1`] = (c, i) => shift(c, i, i.osz, op, 1);
    h[`${m}_EbCL`] = (c, i) => shift(c, i, 1, op, c.getReg(1, 1));
    h[`${m}_EvCL`] = (c, i) => shift(c, i, i.osz, op, c.getReg(1, 1));
  });
  h.SHLD_EvGvIb = (c, i) => shiftDouble(c, i, true, i.imm);
  h.SHLD_EvGvCL = (c, i) => shiftDouble(c, i, true, c.getReg(1, 1));
  h.SHRD_EvGvIb = (c, i) => shiftDouble(c, i, false, i.imm);
  h.SHRD_EvGvCL = (c, i) => shiftDouble(c, i, false, c.getReg(1, 1));
}
