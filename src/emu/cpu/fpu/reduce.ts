/**
 * Exact argument reduction for FSIN/FCOS/FSINCOS/FPTAN: |x| = k * C + r with C the x87's
 * pi/2 rounded to 66 bits, C = P * 2^-65, P = 0x3_243F6A88_85A308D3 (SDM Vol. 1 8.3.10:
 * the FPU's internal pi has 66 significant bits). r comes out exact as a double-double.
 *
 * For |x| < 2^63 with exponent e (x = S * 2^(e-63)), X = |x| * 2^65 = S << (e + 2) is an
 * integer whenever e >= -1, so R = X - k P is computed exactly in 16-bit limbs.
 */
import { F80 } from './float80.ts';

/** Reduced argument (ddH-style pair, |r| <= ~C/2) and k mod 4. */
export let redH = 0, redL = 0, redQ = 0;

const P = [0x08d3, 0x85a3, 0x6a88, 0x243f, 0x3];           // least significant limb first
const P_D = 0x3243f6a8885a308d3;                             // as a double (approximate)
const C_D = P_D * 2 ** -65;
const L = 10;
const X = new Float64Array(L), K = new Float64Array(L), R = new Float64Array(L), S = new Float64Array(4);
let rNeg = false;

/** R = X - K * P with carries normalized; rNeg and |R| in R. */
function remainder(): void {
  R.fill(0);
  for (let i = 0; i < 5; i++) {
    const ki = K[i]!;
    if (ki === 0) continue;
    for (let j = 0; j < 5; j++) R[i + j] = R[i + j]! + ki * P[j]!;
  }
  // R = X - R, limb-wise with signed borrows (all values stay well inside 2^53).
  let carry = 0;
  for (let i = 0; i < L; i++) {
    const v = X[i]! - R[i]! + carry;
    const m = ((v % 65536) + 65536) % 65536;
    carry = (v - m) / 65536;
    R[i] = m;
  }
  rNeg = carry < 0;
  if (rNeg) {                                               // two's complement negate
    let c = 1;
    for (let i = 0; i < L; i++) { const v = 65535 - R[i]! + c; R[i] = v % 65536; c = v >= 65536 ? 1 : 0; }
  }
}

function approx(a: Float64Array): number {
  let v = 0;
  for (let i = L - 1; i >= 0; i--) v = v * 65536 + a[i]!;
  return v;
}

/** K += c (c a small integer, K >= 0 stays true for arguments >= pi/4). */
function addK(c: number): void {
  let carry = c;
  for (let i = 0; i < L && carry !== 0; i++) {
    const v = K[i]! + carry;
    const m = ((v % 65536) + 65536) % 65536;
    carry = (v - m) / 65536;
    K[i] = m;
  }
}

/** Reduce |x| (finite, exponent e with -41 <= e <= 62). */
export function reducePiOver2(x: F80): void {
  const e = (x.se & 0x7fff) - 16383;
  const hi = x.hi >>> 0, lo = x.lo >>> 0;
  const xd = (hi * 4294967296 + lo) * 2 ** (e - 63);
  if (xd < 0.78 || e < -1) {                                // no reduction needed: r = |x| exactly
    redH = hi * 2097152 + (lo >>> 11); redL = (lo & 0x7ff);
    redH *= 2 ** (e - 52); redL *= 2 ** (e - 63);
    redQ = 0;
    return;
  }
  // X = S << (e + 2), 1 <= e + 2 <= 64, in 16-bit limbs.
  X.fill(0);
  S[0] = lo & 0xffff; S[1] = lo >>> 16; S[2] = hi & 0xffff; S[3] = hi >>> 16;
  const sh = e + 2, limbShift = sh >>> 4, bitShift = sh & 15;
  for (let i = 0; i < 4; i++) {
    const v = S[i]! * 2 ** bitShift;                        // < 2^31
    X[i + limbShift] = X[i + limbShift]! + (v % 65536);
    X[i + limbShift + 1] = X[i + limbShift + 1]! + Math.floor(v / 65536);
  }
  K.fill(0);
  let k = Math.round(xd / C_D);
  for (let i = 0; i < 4; i++) { K[i] = k % 65536; k = Math.floor(k / 65536); }
  for (let iter = 0; iter < 4; iter++) {
    remainder();
    const c = Math.round((rNeg ? -approx(R) : approx(R)) / P_D);
    if (c === 0) break;
    addK(c);
  }
  // r = +-R * 2^-65 with |R| < 2^66: exact as a double-double.
  const h = ((R[4]! * 65536 + R[3]!) * 65536 + R[2]!) * 4294967296, l = R[1]! * 65536 + R[0]!;
  const sgn = rNeg ? -1 : 1;
  const sum = h + l;
  redH = sgn * sum * 2 ** -65;
  redL = sgn * (l - (sum - h)) * 2 ** -65;
  redQ = K[0]! & 3;
}
