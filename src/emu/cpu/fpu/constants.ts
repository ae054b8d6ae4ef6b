/**
 * FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (SDM Vol. 1 8.3.8, Vol. 2 FLD1/...).
 * The 64-bit significands below are the round-to-nearest values. For the other rounding
 * modes the processor rounds the internal (longer) constant in that mode, so the last
 * bit depends on RC: `up` says whether round-to-nearest rounded the true value upward.
 * No exception is raised (not even PE); C1 is cleared by the caller unless a stack fault.
 */
import { F80, RC_NEAREST, RC_UP } from './float80.ts';

export const K_ONE = 0, K_L2T = 1, K_L2E = 2, K_PI = 3, K_LG2 = 4, K_LN2 = 5, K_ZERO = 6;

// se, hi, lo (round to nearest) and whether that rounding went up.
const TABLE: readonly (readonly [number, number, number, boolean])[] = [
  [0x3fff, 0x80000000, 0x00000000, false], // 1
  [0x4000, 0xd49a784b, 0xcd1b8afe, false], // log2(10)  = d49a784bcd1b8afe 49..
  [0x3fff, 0xb8aa3b29, 0x5c17f0bc, true],  // log2(e)   = b8aa3b295c17f0bb be..
  [0x4000, 0xc90fdaa2, 0x2168c235, true],  // pi        = c90fdaa22168c234 c4..
  [0x3ffd, 0x9a209a84, 0xfbcff799, true],  // log10(2)  = 9a209a84fbcff798 8f..
  [0x3ffe, 0xb17217f7, 0xd1cf79ac, true],  // ln(2)     = b17217f7d1cf79ab c9..
  [0x0000, 0x00000000, 0x00000000, false], // +0
];

/** out = constant `k` (K_ONE..K_ZERO) rounded under rounding control rc. */
export function loadConstant(k: number, rc: number, out: F80): F80 {
  const t = TABLE[k]!;
  const se = t[0], hi = t[1], lo = t[2], up = t[3];
  // Directed modes take the other neighbour when nearest went the wrong way (all constants > 0).
  const adjust = rc === RC_NEAREST ? 0 : up && rc !== RC_UP ? -1 : !up && rc === RC_UP && (k === K_L2T) ? 1 : 0;
  return out.set(se, hi, (lo + adjust) >>> 0);
}
