/**
 * MMX / SSE2 packed integer arithmetic, compares and logic (SDM Vol. 2:
 * PADDx, PSUBx, saturating forms, PMULLW/PMULHW/PMULHUW/PMULUDQ, PMADDWD,
 * PAVGB/W, PSADBW, PMIN/PMAX UB/SW, PCMPEQ/PCMPGT B/W/D, PAND/PANDN/POR/PXOR).
 */
import type { HandlerTable } from '../handlerTypes.ts';
import { I16, I32, I8, U16, U32, U8 } from './regs.ts';
import { A, B, R, both, sat16s, sat16u, sat8s, sat8u, type LaneOp } from './lanes.ts';

const a8 = A, b8 = B, r8 = R;
const a16 = A >> 1, b16 = B >> 1, r16 = R >> 1;
const a32 = A >> 2, b32 = B >> 2, r32 = R >> 2;

function bytes(f: (x: number, y: number) => number, signed: boolean): LaneOp {
  const V = signed ? I8 : U8;
  return (n) => { for (let k = 0; k < n; k++) U8[r8 + k] = f(V[a8 + k], V[b8 + k]); };
}
function words(f: (x: number, y: number) => number, signed: boolean): LaneOp {
  const V = signed ? I16 : U16;
  return (n) => { for (let k = 0; k < n >> 1; k++) U16[r16 + k] = f(V[a16 + k], V[b16 + k]); };
}
function dwords(f: (x: number, y: number) => number): LaneOp {
  return (n) => { for (let k = 0; k < n >> 2; k++) U32[r32 + k] = f(I32[a32 + k], I32[b32 + k]); };
}
/** 64-bit lanes as lo/hi words. */
function qwords(f: (aLo: number, aHi: number, bLo: number, bHi: number, k: number) => void): LaneOp {
  return (n) => { for (let k = 0; k < n >> 3; k++) f(U32[a32 + 2 * k], U32[a32 + 2 * k + 1], U32[b32 + 2 * k], U32[b32 + 2 * k + 1], r32 + 2 * k); };
}

const addQ = qwords((al, ah, bl, bh, k) => {
  const l = al + bl;
  U32[k] = l; U32[k + 1] = ah + bh + (l > 0xffffffff ? 1 : 0);
});
const subQ = qwords((al, ah, bl, bh, k) => {
  U32[k] = al - bl; U32[k + 1] = ah - bh - (al < bl ? 1 : 0);
});
/** PMULUDQ: low dwords of each quadword, unsigned 32x32->64. */
const mulUdq = qwords((al, _ah, bl, _bh, k) => {
  const lo = Math.imul(al, bl) >>> 0;
  // High word from 16-bit limbs (exact in doubles).
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const mid = a1 * b0 + a0 * b1 + ((a0 * b0) >>> 16);
  U32[k] = lo; U32[k + 1] = (a1 * b1 + Math.floor(mid / 65536)) >>> 0;
});
const cmpQ = (gt: boolean) => qwords((al, ah, bl, bh, k) => {
  const t = gt ? ((ah | 0) > (bh | 0) || (ah === bh && al > bl)) : (al === bl && ah === bh);
  U32[k] = t ? 0xffffffff : 0; U32[k + 1] = U32[k];
});
export const PCMPEQQ = cmpQ(false), PCMPGTQ = cmpQ(true);

const logic = (f: (x: number, y: number) => number): LaneOp =>
  (n) => { for (let k = 0; k < n >> 2; k++) U32[r32 + k] = f(U32[a32 + k], U32[b32 + k]); };

/** PMADDWD: pairs of signed word products summed into dwords (0x8000*0x8000*2 wraps to 0x80000000). */
const pmaddwd: LaneOp = (n) => {
  for (let k = 0; k < n >> 2; k++) {
    U32[r32 + k] = (I16[a16 + 2 * k] * I16[b16 + 2 * k] + I16[a16 + 2 * k + 1] * I16[b16 + 2 * k + 1]) >>> 0;
  }
};
/** PSADBW: per 8 bytes, the sum of absolute differences in the low word, zeros above. */
const psadbw: LaneOp = (n) => {
  for (let q = 0; q < n >> 3; q++) {
    let sum = 0;
    for (let k = 0; k < 8; k++) sum += Math.abs(U8[a8 + 8 * q + k] - U8[b8 + 8 * q + k]);
    U32[r32 + 2 * q] = sum; U32[r32 + 2 * q + 1] = 0;
  }
};

export function registerIntArith(h: HandlerTable): void {
  both(h, 'PADDB', bytes((x, y) => x + y, false));
  both(h, 'PADDW', words((x, y) => x + y, false));
  both(h, 'PADDD', dwords((x, y) => x + y));
  both(h, 'PADDQ', addQ);
  both(h, 'PSUBB', bytes((x, y) => x - y, false));
  both(h, 'PSUBW', words((x, y) => x - y, false));
  both(h, 'PSUBD', dwords((x, y) => x - y));
  both(h, 'PSUBQ', subQ);
  both(h, 'PADDSB', bytes((x, y) => sat8s(x + y), true));
  both(h, 'PADDSW', words((x, y) => sat16s(x + y), true));
  both(h, 'PADDUSB', bytes((x, y) => sat8u(x + y), false));
  both(h, 'PADDUSW', words((x, y) => sat16u(x + y), false));
  both(h, 'PSUBSB', bytes((x, y) => sat8s(x - y), true));
  both(h, 'PSUBSW', words((x, y) => sat16s(x - y), true));
  both(h, 'PSUBUSB', bytes((x, y) => sat8u(x - y), false));
  both(h, 'PSUBUSW', words((x, y) => sat16u(x - y), false));
  both(h, 'PMULLW', words((x, y) => Math.imul(x, y), true));
  both(h, 'PMULHW', words((x, y) => (x * y) >> 16, true));
  both(h, 'PMULHUW', words((x, y) => (x * y) >>> 16, false));
  both(h, 'PMULUDQ', mulUdq);
  both(h, 'PMADDWD', pmaddwd);
  both(h, 'PAVGB', bytes((x, y) => (x + y + 1) >> 1, false));
  both(h, 'PAVGW', words((x, y) => (x + y + 1) >> 1, false));
  both(h, 'PSADBW', psadbw);
  both(h, 'PMINUB', bytes((x, y) => (x < y ? x : y), false));
  both(h, 'PMAXUB', bytes((x, y) => (x > y ? x : y), false));
  both(h, 'PMINSW', words((x, y) => (x < y ? x : y), true));
  both(h, 'PMAXSW', words((x, y) => (x > y ? x : y), true));
  both(h, 'PCMPEQB', bytes((x, y) => (x === y ? 0xff : 0), false));
  both(h, 'PCMPEQW', words((x, y) => (x === y ? 0xffff : 0), false));
  both(h, 'PCMPEQD', dwords((x, y) => (x === y ? -1 : 0)));
  both(h, 'PCMPGTB', bytes((x, y) => (x > y ? 0xff : 0), true));
  both(h, 'PCMPGTW', words((x, y) => (x > y ? 0xffff : 0), true));
  both(h, 'PCMPGTD', dwords((x, y) => (x > y ? -1 : 0)));
  both(h, 'PAND', logic((x, y) => x & y));
  both(h, 'PANDN', logic((x, y) => ~x & y));
  both(h, 'POR', logic((x, y) => x | y));
  both(h, 'PXOR', logic((x, y) => x ^ y));
}

/** Lane ops reused by the SSE4.1 module. */
export const laneBytes = bytes, laneWords = words, laneDwords = dwords;
