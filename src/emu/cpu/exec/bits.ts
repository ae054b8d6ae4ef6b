/** Bit instructions: BT/BTS/BTR/BTC (register and bit-string memory forms), BSF/BSR, POPCNT, LZCNT/TZCNT. */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { ARITH_FLAGS, CF, ZF } from '../arch.ts';
import { CcOp, flushFlags } from '../flags.ts';
import { CC_OP, RFLAGS } from '../state/layout.ts';
import { readMem, readMemRmw, writeMem } from '../memory.ts';
import { readE, readG, readRmwE, writeE, writeG } from './operands.ts';
import { add64, r64, sar64 } from '../u64.ts';
import type { HandlerTable } from './handlerTypes.ts';

const enum BtOp { BT = 0, BTS = 1, BTR = 2, BTC = 3 }

function setFlagBits(c: Cpu, mask: number, value: number): void {
  const s = c.s;
  flushFlags(s);
  s[RFLAGS] = (s[RFLAGS] & ~mask) | (value & mask);
  s[CC_OP] = CcOp.Eager;
}

function bt(c: Cpu, i: DecodedInsn, op: BtOp, fromImm: boolean): void {
  const size = i.osz;
  const bits = size * 8;
  let off: number, offHi = 0;
  if (fromImm) off = i.imm & (bits - 1);
  else { off = readG(c, i, size); offHi = c.hi; }
  if (i.mod === 3 || fromImm) {
    const n = off & (bits - 1);
    let lo = op === BtOp.BT ? readE(c, i, size) : readRmwE(c, i, size), hi = c.hi;
    const word = n < 32 ? lo : hi, b = n & 31;
    const cf = (word >>> b) & 1;
    setFlagBits(c, CF, cf);
    if (op === BtOp.BT) return;
    let w = word;
    if (op === BtOp.BTS) w |= 1 << b; else if (op === BtOp.BTR) w &= ~(1 << b); else w ^= 1 << b;
    if (n < 32) lo = w >>> 0; else hi = w >>> 0;
    writeE(c, i, size, size === 1 ? lo : lo, hi);
    return;
  }
  // Bit string in memory: the signed offset selects a byte relative to the operand address.
  // Byte delta = signed offset >> 3 (arithmetic), bit = offset & 7.
  let dLo: number, dHi: number;
  if (size === 8) { sar64(off, offHi, 3); dLo = r64[0]; dHi = r64[1]; }
  else { const so = size === 4 ? off | 0 : (off << 16) >> 16; dLo = (so >> 3) >>> 0; dHi = (so >> 31) >>> 0; }
  const bit = off & 7;
  let lo: number, hi = 0;
  if (i.asz === 8) { add64(c.eaLo, c.eaHi, dLo, dHi); lo = r64[0]; hi = r64[1]; }
  else lo = i.asz === 4 ? (c.eaLo + dLo) >>> 0 : (c.eaLo + dLo) & 0xffff;
  const v = op === BtOp.BT ? readMem(c, i.seg, lo, hi, 1) : readMemRmw(c, i.seg, lo, hi, 1);
  setFlagBits(c, CF, (v >>> bit) & 1);
  if (op === BtOp.BT) return;
  let w = v;
  if (op === BtOp.BTS) w |= 1 << bit; else if (op === BtOp.BTR) w &= ~(1 << bit); else w ^= 1 << bit;
  writeMem(c, i.seg, lo, hi, 1, w, 0);
}

function clz32(v: number): number {
  return Math.clz32(v);
}
function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}
function popcnt32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Trailing/leading zero count of a value of `size` bytes (size*8 when zero). */
function tz(lo: number, hi: number, size: number): number {
  if (size === 8) return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
  const t = ctz32(lo);
  return t > size * 8 ? size * 8 : t;
}
function lz(lo: number, hi: number, size: number): number {
  if (size === 8) return hi !== 0 ? clz32(hi) : 32 + clz32(lo);
  return clz32(lo) - (32 - size * 8);
}

function bsfBsr(c: Cpu, i: DecodedInsn, reverse: boolean): void {
  const size = i.osz;
  const lo = readE(c, i, size), hi = size === 8 ? c.hi : 0;
  if (lo === 0 && hi === 0) { setFlagBits(c, ZF, ZF); return; } // destination unchanged
  const idx = reverse ? size * 8 - 1 - lz(lo, hi, size) : tz(lo, hi, size);
  writeG(c, i, size, idx, 0);
  setFlagBits(c, ZF, 0);
}

function cnt(c: Cpu, i: DecodedInsn, kind: 'tz' | 'lz' | 'pop'): void {
  const size = i.osz;
  const lo = readE(c, i, size), hi = size === 8 ? c.hi : 0;
  let r: number;
  if (kind === 'pop') {
    r = popcnt32(lo) + (size === 8 ? popcnt32(hi) : 0);
    writeG(c, i, size, r, 0);
    setFlagBits(c, ARITH_FLAGS, r === 0 ? ZF : 0);
    return;
  }
  r = kind === 'tz' ? tz(lo, hi, size) : lz(lo, hi, size);
  writeG(c, i, size, r, 0);
  setFlagBits(c, CF | ZF, (r === size * 8 ? CF : 0) | (r === 0 ? ZF : 0));
}

export function registerBits(h: HandlerTable): void {
  const names = ['BT', 'BTS', 'BTR', 'BTC'];
  names.forEach((m, op) => {
    h[`${m}_EvGv`] = (c, i) => bt(c, i, op, false);
    h[`${m}_EvIb`] = (c, i) => bt(c, i, op, true);
  });
  h.BSF_GvEv = (c, i) => bsfBsr(c, i, false);
  h.BSR_GvEv = (c, i) => bsfBsr(c, i, true);
  h.TZCNT_GvEv = (c, i) => cnt(c, i, 'tz');
  h.LZCNT_GvEv = (c, i) => cnt(c, i, 'lz');
  h.POPCNT_GvEv = (c, i) => cnt(c, i, 'pop');
}
