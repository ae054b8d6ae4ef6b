/**
 * Multi-word unsigned integer helpers for the significand arithmetic, without BigInt.
 * Results go to module-level scratch arrays (copy out before the next call).
 */

/** 128-bit product, least significant word first. */
export const prod = new Uint32Array(4);

const limbsA = new Float64Array(4), limbsB = new Float64Array(4), cols = new Float64Array(8);

/** prod = (aHi:aLo) * (bHi:bLo), unsigned 64 x 64 -> 128. */
export function mul64x64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  limbsA[0] = aLo & 0xffff; limbsA[1] = aLo >>> 16; limbsA[2] = aHi & 0xffff; limbsA[3] = aHi >>> 16;
  limbsB[0] = bLo & 0xffff; limbsB[1] = bLo >>> 16; limbsB[2] = bHi & 0xffff; limbsB[3] = bHi >>> 16;
  cols.fill(0);
  for (let i = 0; i < 4; i++) {
    const ai = limbsA[i]!;
    if (ai === 0) continue;
    for (let j = 0; j < 4; j++) cols[i + j] += ai * limbsB[j]!; // each < 2^32, column sums < 2^35
  }
  // Carry-propagate the 16-bit columns; every intermediate stays below 2^53.
  let carry = 0;
  for (let k = 0; k < 8; k += 2) {
    const c0 = cols[k]! + carry;
    const l0 = c0 % 0x10000;
    const c1 = cols[k + 1]! + Math.floor(c0 / 0x10000);
    const l1 = c1 % 0x10000;
    carry = Math.floor(c1 / 0x10000);
    prod[k >> 1] = l0 + l1 * 0x10000;
  }
}

/** Compare 96-bit values a2:a1:a0 and b2:b1:b0: -1, 0, 1. */
export function cmp96(a2: number, a1: number, a0: number, b2: number, b1: number, b0: number): number {
  a2 >>>= 0; b2 >>>= 0;
  if (a2 !== b2) return a2 < b2 ? -1 : 1;
  a1 >>>= 0; b1 >>>= 0;
  if (a1 !== b1) return a1 < b1 ? -1 : 1;
  a0 >>>= 0; b0 >>>= 0;
  if (a0 !== b0) return a0 < b0 ? -1 : 1;
  return 0;
}

/** 96-bit result of add96/sub96/shifts, most significant first: r96[0] = word 2. */
export const r96 = new Uint32Array(3);

/** r96 = a + b mod 2^96; returns the carry out. */
export function add96(a2: number, a1: number, a0: number, b2: number, b1: number, b0: number): number {
  const s0 = (a0 >>> 0) + (b0 >>> 0);
  const s1 = (a1 >>> 0) + (b1 >>> 0) + (s0 > 0xffffffff ? 1 : 0);
  const s2 = (a2 >>> 0) + (b2 >>> 0) + (s1 > 0xffffffff ? 1 : 0);
  r96[2] = s0; r96[1] = s1; r96[0] = s2;
  return s2 > 0xffffffff ? 1 : 0;
}

/** r96 = a - b mod 2^96; returns the borrow out. */
export function sub96(a2: number, a1: number, a0: number, b2: number, b1: number, b0: number): number {
  const d0 = (a0 >>> 0) - (b0 >>> 0);
  const d1 = (a1 >>> 0) - (b1 >>> 0) - (d0 < 0 ? 1 : 0);
  const d2 = (a2 >>> 0) - (b2 >>> 0) - (d1 < 0 ? 1 : 0);
  r96[2] = d0; r96[1] = d1; r96[0] = d2;
  return d2 < 0 ? 1 : 0;
}

/** r96 = a >> n with every lost bit ORed into bit 0 (n >= 0). */
export function shr96Jam(a2: number, a1: number, a0: number, n: number): void {
  a2 >>>= 0; a1 >>>= 0; a0 >>>= 0;
  if (n >= 96) {
    r96[0] = 0; r96[1] = 0; r96[2] = (a2 | a1 | a0) !== 0 ? 1 : 0;
    return;
  }
  while (n >= 32) { a0 = (a1 | (a0 !== 0 ? 1 : 0)) >>> 0; a1 = a2; a2 = 0; n -= 32; }
  if (n > 0) {
    const lost = (a0 << (32 - n)) !== 0 ? 1 : 0;
    a0 = ((a0 >>> n) | (a1 << (32 - n)) | lost) >>> 0;
    a1 = ((a1 >>> n) | (a2 << (32 - n))) >>> 0;
    a2 >>>= n;
  }
  r96[0] = a2; r96[1] = a1; r96[2] = a0;
}
