/**
 * MMX / SSE2 packs, unpacks, shifts and word/dword shuffles (SDM Vol. 2:
 * PACKSSWB/PACKSSDW/PACKUSWB, PUNPCKLxx/PUNPCKHxx, PSLL/PSRL/PSRA by register
 * and by immediate, PSLLDQ/PSRLDQ, PSHUFD/PSHUFHW/PSHUFLW/PSHUFW).
 */
import type { Cpu } from '../../cpu.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import type { HandlerTable } from '../handlerTypes.ts';
import { I16, I32, U16, U32, U8, getM, getX, mmxCheck, putM, putX, sseCheck } from './regs.ts';
import { A, B, R, both, mmxOp, sat16s, sat16u, sat8s, sat8u, xmmOp, type LaneOp } from './lanes.ts';

/** Pack: the destination's elements then the source's, each saturated to half width. */
function pack(from: 2 | 4, f: (v: number) => number): LaneOp {
  return (n) => {
    const cnt = n / from;
    for (let k = 0; k < cnt; k++) {
      const a = from === 2 ? I16[(A >> 1) + k] : I32[(A >> 2) + k];
      const b = from === 2 ? I16[(B >> 1) + k] : I32[(B >> 2) + k];
      if (from === 2) { U8[R + k] = f(a); U8[R + cnt + k] = f(b); }
      else { U16[(R >> 1) + k] = f(a); U16[(R >> 1) + cnt + k] = f(b); }
    }
  };
}
export const PACKUSDW = pack(4, sat16u);

/** Interleave elements of `size` bytes from the low (hi=false) or high half of A and B. */
function unpack(size: number, hi: boolean): LaneOp {
  return (n) => {
    const half = n >> 1, base = hi ? half : 0;
    for (let k = 0; k < half / size; k++) {
      for (let j = 0; j < size; j++) {
        U8[R + 2 * k * size + j] = U8[A + base + k * size + j];
        U8[R + (2 * k + 1) * size + j] = U8[B + base + k * size + j];
      }
    }
  };
}

/** Shift count from the source lane: the full 64-bit value (counts >= 2^32 are "large"). */
function count64(lane: number): number {
  return U32[(lane >> 2) + 1] !== 0 ? 0xffff : U32[lane >> 2] >>> 0;
}

const enum Sh { L, R, A }
/** Shifts every element of `size` bytes of A by `cnt` into R. */
function shiftLanes(n: number, size: number, kind: Sh, cnt: number): void {
  if (size === 8) {
    for (let k = 0; k < n >> 3; k++) {
      const w = (A >> 2) + 2 * k, o = (R >> 2) + 2 * k;
      const lo = U32[w], hi = U32[w + 1];
      if (cnt > 63) { U32[o] = 0; U32[o + 1] = 0; }
      else if (kind === Sh.L) {
        if (cnt >= 32) { U32[o + 1] = lo << (cnt - 32); U32[o] = 0; }
        else if (cnt === 0) { U32[o] = lo; U32[o + 1] = hi; }
        else { U32[o + 1] = (hi << cnt) | (lo >>> (32 - cnt)); U32[o] = lo << cnt; }
      } else if (cnt >= 32) { U32[o] = hi >>> (cnt - 32); U32[o + 1] = 0; }
      else if (cnt === 0) { U32[o] = lo; U32[o + 1] = hi; }
      else { U32[o] = (lo >>> cnt) | (hi << (32 - cnt)); U32[o + 1] = hi >>> cnt; }
    }
    return;
  }
  const bits = size * 8;
  const c = kind === Sh.A ? Math.min(cnt, bits - 1) : cnt;
  for (let k = 0; k < n / size; k++) {
    if (size === 2) {
      const v = I16[(A >> 1) + k];
      U16[(R >> 1) + k] = c >= bits ? 0 : kind === Sh.L ? v << c : kind === Sh.A ? v >> c : (v & 0xffff) >>> c;
    } else {
      const v = I32[(A >> 2) + k];
      U32[(R >> 2) + k] = c >= bits ? 0 : kind === Sh.L ? v << c : kind === Sh.A ? v >> c : v >>> c;
    }
  }
}

const byReg = (size: number, kind: Sh): LaneOp => (n) => shiftLanes(n, size, kind, count64(B));

/** Groups 12-14: shift of the Nq / Ux register operand by Ib. */
function shiftImm(h: HandlerTable, name: string, size: number, kind: Sh): void {
  h[`${name}_NqIb`] = (c: Cpu, i: DecodedInsn) => {
    mmxCheck(c, i); getM(c, i.rm, A); shiftLanes(8, size, kind, i.imm & 0xff); putM(c, i.rm, R);
  };
  h[`${name}_UxIb`] = (c: Cpu, i: DecodedInsn) => {
    sseCheck(c, i); getX(c, i.rm, A); shiftLanes(16, size, kind, i.imm & 0xff); putX(c, i.rm, R);
  };
}

/** PSLLDQ / PSRLDQ: whole-register byte shifts (counts above 15 clear it). */
function byteShift(left: boolean) {
  return (c: Cpu, i: DecodedInsn): void => {
    sseCheck(c, i);
    getX(c, i.rm, A);
    const cnt = i.imm & 0xff;
    for (let k = 0; k < 16; k++) {
      const from = left ? k - cnt : k + cnt;
      U8[R + k] = from >= 0 && from < 16 ? U8[A + from] : 0;
    }
    putX(c, i.rm, R);
  };
}

/** PSHUFD (dwords), PSHUFLW / PSHUFHW (words of one half, the other copied). */
const pshufd: LaneOp = (_n, imm) => {
  for (let k = 0; k < 4; k++) U32[(R >> 2) + k] = U32[(B >> 2) + ((imm >> (2 * k)) & 3)];
};
function pshufHalf(high: boolean): LaneOp {
  return (_n, imm) => {
    const sel = high ? 4 : 0, keep = high ? 0 : 4;
    for (let k = 0; k < 4; k++) {
      U16[(R >> 1) + sel + k] = U16[(B >> 1) + sel + ((imm >> (2 * k)) & 3)];
      U16[(R >> 1) + keep + k] = U16[(B >> 1) + keep + k];
    }
  };
}
const pshufw: LaneOp = (_n, imm) => {
  for (let k = 0; k < 4; k++) U16[(R >> 1) + k] = U16[(B >> 1) + ((imm >> (2 * k)) & 3)];
};

export function registerIntShuffle(h: HandlerTable): void {
  both(h, 'PACKSSWB', pack(2, sat8s));
  both(h, 'PACKUSWB', pack(2, sat8u));
  both(h, 'PACKSSDW', pack(4, sat16s));
  both(h, 'PUNPCKLBW', unpack(1, false));
  both(h, 'PUNPCKLWD', unpack(2, false));
  both(h, 'PUNPCKLDQ', unpack(4, false));
  both(h, 'PUNPCKHBW', unpack(1, true));
  both(h, 'PUNPCKHWD', unpack(2, true));
  both(h, 'PUNPCKHDQ', unpack(4, true));
  h.PUNPCKLQDQ_VxWx = xmmOp(unpack(8, false));
  h.PUNPCKHQDQ_VxWx = xmmOp(unpack(8, true));
  both(h, 'PSLLW', byReg(2, Sh.L)); both(h, 'PSLLD', byReg(4, Sh.L)); both(h, 'PSLLQ', byReg(8, Sh.L));
  both(h, 'PSRLW', byReg(2, Sh.R)); both(h, 'PSRLD', byReg(4, Sh.R)); both(h, 'PSRLQ', byReg(8, Sh.R));
  both(h, 'PSRAW', byReg(2, Sh.A)); both(h, 'PSRAD', byReg(4, Sh.A));
  shiftImm(h, 'PSLLW', 2, Sh.L); shiftImm(h, 'PSLLD', 4, Sh.L); shiftImm(h, 'PSLLQ', 8, Sh.L);
  shiftImm(h, 'PSRLW', 2, Sh.R); shiftImm(h, 'PSRLD', 4, Sh.R); shiftImm(h, 'PSRLQ', 8, Sh.R);
  shiftImm(h, 'PSRAW', 2, Sh.A); shiftImm(h, 'PSRAD', 4, Sh.A);
  h.PSLLDQ_UxIb = byteShift(true);
  h.PSRLDQ_UxIb = byteShift(false);
  h.PSHUFD_VxWxIb = xmmOp(pshufd);
  h.PSHUFHW_VxWxIb = xmmOp(pshufHalf(true));
  h.PSHUFLW_VxWxIb = xmmOp(pshufHalf(false));
  h.PSHUFW_PqQqIb = mmxOp(pshufw);
}
