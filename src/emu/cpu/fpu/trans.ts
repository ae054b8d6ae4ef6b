/**
 * Transcendental instructions (SDM Vol. 2 FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X,
 * FYL2XP1; Vol. 1 8.3.10). Evaluated in double-double (~106 bits) and rounded once to
 * 64 bits under FCW.RC, so results are within 1 ulp and almost always correctly rounded.
 *
 * FSIN/FCOS/FSINCOS/FPTAN reduce their argument exactly modulo the x87's 66-bit
 * approximation of pi/2 (as Intel documents for its hardware, 8.3.10), not the true pi:
 * results for large arguments match what the silicon returns, not the mathematical sine.
 */
import {
  CLS_INFINITY, CLS_UNSUPPORTED, CLS_ZERO, EXP_BIAS, EXP_MAX, F80, FpEnv, PE, ZE, classify, setInfinity, setZero,
} from './float80.ts';
import { BIAS_ADJUST } from './float80.ts';
import {
  LN2_H, LN2_L, LOG2E_H, LOG2E_L, PI_H, PI_L, ddAdd, ddDiv, ddH, ddK, ddL, ddMul, fromF80, toF80,
} from './dd.ts';
import { normRoundPack, roundPack } from './round.ts';
import {
  ABORT, STORE, Unpacked, denormalFault, invalid, isNaNClass, propagateNaN1, propagateNaN2, unpack,
} from './special.ts';
import { reducePiOver2, redH, redL, redQ } from './reduce.ts';

/** C2 after FSIN/FCOS/FSINCOS/FPTAN: 1 = |operand| >= 2^63, nothing was computed. */
export let transC2 = 0;

const u = new Unpacked();
const ONE = new F80().set(0x3fff, 0x80000000, 0);

/** Round x nudged by a tiny amount (far below half an ulp): dir < 0 toward zero, > 0 away. */
function nudge(env: FpEnv, out: F80, x: F80, dir: number): boolean {
  unpack(x, u);
  env.flags |= PE;
  if (dir > 0) return roundPack(env, out, u.sign, u.exp, u.hi, u.lo, 1, 64, EXP_MAX, BIAS_ADJUST);
  const lo = u.lo === 0 ? 0xffffffff : u.lo - 1, hi = u.lo === 0 ? u.hi - 1 : u.hi;
  return normRoundPack(env, out, u.sign, u.exp, hi >>> 0, lo >>> 0, 0xffffffff, 64, EXP_MAX, BIAS_ADJUST);
}

let sH = 0, sL = 0, cH = 0, cL = 0;

/** sH+sL = sin r, cH+cL = cos r for a double-double |r| <= ~0.8 (Taylor series). */
function sinCosDd(rh: number, rl: number): void {
  ddMul(rh, rl, rh, rl);
  const r2h = ddH, r2l = ddL;
  let th = rh, tl = rl, ah = rh, al = rl;              // sin
  for (let i = 1; i < 30 && Math.abs(th) > 1e-36 * Math.abs(ah); i++) {
    ddMul(th, tl, r2h, r2l); ddDiv(ddH, ddL, -(2 * i) * (2 * i + 1), 0);
    th = ddH; tl = ddL;
    ddAdd(ah, al, th, tl); ah = ddH; al = ddL;
  }
  sH = ah; sL = al;
  th = 1; tl = 0; ah = 1; al = 0;                     // cos
  for (let i = 1; i < 30 && Math.abs(th) > 1e-36; i++) {
    ddMul(th, tl, r2h, r2l); ddDiv(ddH, ddL, -(2 * i - 1) * (2 * i), 0);
    th = ddH; tl = ddL;
    ddAdd(ah, al, th, tl); ah = ddH; al = ddL;
  }
  cH = ah; cL = al;
}

/**
 * Common front end of FSIN/FCOS/FSINCOS/FPTAN. Returns 0 = continue with sH/sL/cH/cL set for
 * the reduced argument and `quadrant`; 1 = `done` holds the final result; 2 = abort/C2.
 */
let quadrant = 0, argSign = 0, tinyArg = false;
function trigFront(env: FpEnv, x: F80, out: F80): number {
  transC2 = 0;
  const c = classify(x.se, x.hi, x.lo);
  if (c === CLS_UNSUPPORTED || c === CLS_INFINITY) return invalid(env, out) ? 1 : 2;
  if (isNaNClass(c)) return propagateNaN1(env, x, c, out) ? 1 : 2;
  env.c1 = 0;
  if (denormalFault(env, c)) return 2;
  argSign = x.se >>> 15;
  tinyArg = false;
  if (c === CLS_ZERO) return 3;
  const e = (x.se & 0x7fff) - EXP_BIAS;
  if (e >= 63) { transC2 = 1; return 2; }
  if (e < -40) { tinyArg = true; return 3; }
  reducePiOver2(x);                                    // |x| = k * (pi66 / 2) + r, exactly
  quadrant = redQ;
  sinCosDd(redH, redL);
  return 0;
}

/** FSIN. */
export function fsin(env: FpEnv, x: F80, out: F80): boolean {
  const f = trigFront(env, x, out);
  if (f !== 0) return f === 1 ? STORE : f === 2 ? ABORT : tinyArg ? nudge(env, out, x, -1) : (out.copy(x), STORE);
  return quadrantResult(env, out, quadrant, argSign);
}

/** FCOS. */
export function fcos(env: FpEnv, x: F80, out: F80): boolean {
  const f = trigFront(env, x, out);
  if (f !== 0) return f === 1 ? STORE : f === 2 ? ABORT : tinyArg ? nudge(env, out, ONE, -1) : (out.copy(ONE), STORE);
  return quadrantResult(env, out, (quadrant + 1) & 3, 0);
}

/** FSINCOS: sin into sinOut (replaces ST(0)), cos into cosOut (pushed). */
export function fsincos(env: FpEnv, x: F80, sinOut: F80, cosOut: F80): boolean {
  const f = trigFront(env, x, sinOut);
  if (f === 1) { cosOut.copy(sinOut); return STORE; }
  if (f === 2) return ABORT;
  if (f === 3) {
    if (!tinyArg) { sinOut.copy(x); cosOut.copy(ONE); return STORE; }
    nudge(env, sinOut, x, -1);
    const c1 = env.c1;
    nudge(env, cosOut, ONE, -1);
    env.c1 = c1 | env.c1;
    return STORE;
  }
  const q = quadrant;
  const sh = sH, sl = sL, ch = cH, cl = cL;
  quadrantResult(env, sinOut, q, argSign);
  const c1 = env.c1;
  sH = sh; sL = sl; cH = ch; cL = cl;
  quadrantResult(env, cosOut, (q + 1) & 3, 0);
  env.c1 = c1 | env.c1;
  return STORE;
}

/** sin of (r + q * pi/2) with sign flip `neg`, from sH/cH. */
function quadrantResult(env: FpEnv, out: F80, q: number, neg: number): boolean {
  let h = q & 1 ? cH : sH, l = q & 1 ? cL : sL;
  if (q & 2) { h = -h; l = -l; }
  if (neg) { h = -h; l = -l; }
  if (h === 0) { setZero(out, neg); return STORE; }
  toF80(env, out, h, l, 0);
  env.flags |= PE;
  return STORE;
}

/** FPTAN: tan into out (replaces ST(0)); the caller then pushes 1.0. */
export function fptan(env: FpEnv, x: F80, out: F80): boolean {
  const f = trigFront(env, x, out);
  if (f !== 0) return f === 1 ? STORE : f === 2 ? ABORT : tinyArg ? nudge(env, out, x, 1) : (out.copy(x), STORE);
  if (quadrant & 1) ddDiv(-cH, -cL, sH, sL); else ddDiv(sH, sL, cH, cL);
  let h = ddH, l = ddL;
  if (argSign) { h = -h; l = -l; }
  toF80(env, out, h, l, 0);
  env.flags |= PE;
  return STORE;
}

// ---- F2XM1, FYL2X, FYL2XP1 -------------------------------------------------------------

let eH = 0, eL = 0;

/** eH+eL = expm1 of a double-double |t| <= ~0.7 by its Taylor series. */
function expm1Dd(th: number, tl: number): void {
  let ah = th, al = tl, ph = th, pl = tl;
  for (let i = 2; i < 40 && Math.abs(ph) > 1e-36; i++) {
    ddMul(ph, pl, th, tl); ddDiv(ddH, ddL, i, 0);
    ph = ddH; pl = ddL;
    ddAdd(ah, al, ph, pl); ah = ddH; al = ddL;
  }
  eH = ah; eL = al;
}

/** F2XM1: 2^x - 1, defined by the SDM for -1 <= x <= 1 (other inputs give an undefined result). */
export function f2xm1(env: FpEnv, x: F80, out: F80): boolean {
  const c = classify(x.se, x.hi, x.lo);
  if (c === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(c)) return propagateNaN1(env, x, c, out);
  env.c1 = 0;
  if (c === CLS_ZERO) { out.copy(x); return STORE; }
  if (c === CLS_INFINITY) { if (x.se & 0x8000) out.set(0xbfff, 0x80000000, 0); else out.copy(x); return STORE; }
  if (denormalFault(env, c)) return ABORT;
  if ((x.se & 0x7fff) === EXP_BIAS && x.hi === 0x80000000 && x.lo === 0) {   // +-1: exact
    if (x.se & 0x8000) out.set(0xbffe, 0x80000000, 0); else out.copy(ONE);
    return STORE;
  }
  fromF80(x);
  const k = ddK;
  if (k >= -60) {
    const xh = ddH * 2 ** k, xl = ddL * 2 ** k;
    ddMul(xh, xl, LN2_H, LN2_L);
    expm1Dd(ddH, ddL);
    toF80(env, out, eH, eL, 0);
  } else {
    // 2^x - 1 = x ln2 (1 + x ln2 / 2 + ...); only the first correction term is visible.
    const mh = ddH, ml = ddL;
    const t = (mh * 2 ** k) * LN2_H;
    ddMul(mh, ml, LN2_H, LN2_L);
    ddMul(ddH, ddL, 1, t / 2);                     // 1 + t/2 as a double-double
    toF80(env, out, ddH, ddL, k);
  }
  env.flags |= PE;
  return STORE;
}

/** ln(m) for a double-double m in [sqrt(1/2), sqrt(2)] via 2 atanh((m-1)/(m+1)), times log2(e). */
function log2Dd(mh: number, ml: number): void {
  ddAdd(mh, ml, -1, 0); const nh = ddH, nl = ddL;
  ddAdd(mh, ml, 1, 0);
  ddDiv(nh, nl, ddH, ddL);
  atanhTimes2Log2e(ddH, ddL);
}

/** ddH+ddL = 2 atanh(s) * log2(e) = log2((1+s)/(1-s)). */
function atanhTimes2Log2e(s0h: number, s0l: number): void {
  ddMul(s0h, s0l, s0h, s0l);
  const s2h = ddH, s2l = ddL;
  let th = s0h, tl = s0l, ah = s0h, al = s0l;
  for (let i = 3; i < 200 && Math.abs(th) > 1e-36 * Math.abs(ah); i += 2) {
    ddMul(th, tl, s2h, s2l); th = ddH; tl = ddL;
    ddDiv(th, tl, i, 0);
    ddAdd(ah, al, ddH, ddL); ah = ddH; al = ddL;
  }
  ddMul(ah, al, 2 * LOG2E_H, 2 * LOG2E_L);
}

/** FYL2X: y * log2(x) (x = ST(0), y = ST(1)); the caller stores into ST(1) and pops. */
export function fyl2x(env: FpEnv, x: F80, y: F80, out: F80): boolean {
  const cx = classify(x.se, x.hi, x.lo), cy = classify(y.se, y.hi, y.lo);
  if (cx === CLS_UNSUPPORTED || cy === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(cx) || isNaNClass(cy)) return propagateNaN2(env, x, cx, y, cy, out);
  env.c1 = 0;
  const sx = x.se >>> 15, sy = y.se >>> 15;
  if (sx && cx !== CLS_ZERO) return invalid(env, out);              // log of a negative number
  const fa = denormalFault(env, cx), fb = denormalFault(env, cy);
  if (fa || fb) return ABORT;
  // Sign and class of log2(x): x = 0 -> -inf, x = 1 -> 0, x = +inf -> +inf.
  const isOne = (x.se & 0x7fff) === EXP_BIAS && x.hi === 0x80000000 && x.lo === 0;
  const lx = cx === CLS_ZERO ? -2 : cx === CLS_INFINITY ? 2 : isOne ? 0 : (x.se & 0x7fff) >= EXP_BIAS ? 1 : -1;
  if (lx === 0) {
    if (cy === CLS_INFINITY) return invalid(env, out);
    setZero(out, sy); return STORE;
  }
  if (cy === CLS_ZERO) {
    if (lx === 2 || lx === -2) return invalid(env, out);
    setZero(out, sy ^ (lx < 0 ? 1 : 0)); return STORE;
  }
  if (lx === -2 && cy !== CLS_INFINITY) {
    env.flags |= ZE;
    if (env.unmasked(ZE)) return ABORT;
  }
  if (lx === 2 || lx === -2 || cy === CLS_INFINITY) { setInfinity(out, sy ^ (lx < 0 ? 1 : 0)); return STORE; }
  fromF80(x);
  let mh = ddH, ml = ddL, k = ddK;
  if (mh > Math.SQRT2) { mh /= 2; ml /= 2; k++; }
  const exactPow2 = mh === 1 && ml === 0;
  log2Dd(mh, ml);
  ddAdd(k, 0, ddH, ddL);
  const lh = ddH, ll = ddL;
  fromF80(y);
  ddMul(ddH, ddL, lh, ll);
  toF80(env, out, ddH, ddL, ddK);
  if (!exactPow2) env.flags |= PE;
  return STORE;
}

/** FYL2XP1: y * log2(x + 1), for |x| < 1 - sqrt(2)/2 (SDM); we compute it for any x > -1. */
export function fyl2xp1(env: FpEnv, x: F80, y: F80, out: F80): boolean {
  const cx = classify(x.se, x.hi, x.lo), cy = classify(y.se, y.hi, y.lo);
  if (cx === CLS_UNSUPPORTED || cy === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(cx) || isNaNClass(cy)) return propagateNaN2(env, x, cx, y, cy, out);
  env.c1 = 0;
  const sx = x.se >>> 15, sy = y.se >>> 15;
  if (cx === CLS_INFINITY || (sx && (x.se & 0x7fff) >= EXP_BIAS)) return invalid(env, out);  // x <= -1
  const fa = denormalFault(env, cx), fb = denormalFault(env, cy);
  if (fa || fb) return ABORT;
  if (cx === CLS_ZERO) {
    if (cy === CLS_INFINITY) return invalid(env, out);
    setZero(out, sx ^ sy); return STORE;
  }
  if (cy === CLS_ZERO) { setZero(out, sx ^ sy); return STORE; }
  if (cy === CLS_INFINITY) { setInfinity(out, sx ^ sy); return STORE; }
  fromF80(x);
  const k = ddK;
  let lh: number, ll: number, lk: number;
  if (k >= -60) {
    const xh = ddH * 2 ** k, xl = ddL * 2 ** k;
    ddAdd(xh, xl, 2, 0);
    ddDiv(xh, xl, ddH, ddL);                            // s = x / (2 + x)
    atanhTimes2Log2e(ddH, ddL);
    lh = ddH; ll = ddL; lk = 0;
  } else {
    // log2(1 + x) = x log2(e) (1 - x/2 + ...)
    const xd = ddH * 2 ** k;
    ddMul(ddH, ddL, LOG2E_H, LOG2E_L);
    ddMul(ddH, ddL, 1, -xd / 2);
    lh = ddH; ll = ddL; lk = k;
  }
  fromF80(y);
  ddMul(ddH, ddL, lh, ll);
  toF80(env, out, ddH, ddL, ddK + lk);
  env.flags |= PE;
  return STORE;
}

// ---- FPATAN ----------------------------------------------------------------------------

/** atan(t) for a double-double 0 <= t <= 1: one Newton step on sin z - t cos z from Math.atan. */
function atanDd(th: number, tl: number): void {
  const z = Math.atan(th + tl);
  sinCosDd(z, 0);
  ddMul(th, tl, cH, cL); const tch = ddH, tcl = ddL;
  ddAdd(sH, sL, -tch, -tcl); const fh = ddH, fl = ddL;            // f = sin z - t cos z
  ddMul(th, tl, sH, sL);
  ddAdd(cH, cL, ddH, ddL);                                          // f' = cos z + t sin z
  ddDiv(fh, fl, ddH, ddL);
  ddAdd(z, 0, -ddH, -ddL);
}

/**
 * FPATAN: atan2(y, x) with y = ST(1), x = ST(0), in (-pi, pi]; the caller stores into ST(1)
 * and pops. Signed zeros and infinities follow the SDM table (no IE for 0/0).
 */
export function fpatan(env: FpEnv, y: F80, x: F80, out: F80): boolean {
  const cx = classify(x.se, x.hi, x.lo), cy = classify(y.se, y.hi, y.lo);
  if (cx === CLS_UNSUPPORTED || cy === CLS_UNSUPPORTED) return invalid(env, out);
  if (isNaNClass(cx) || isNaNClass(cy)) return propagateNaN2(env, x, cx, y, cy, out);
  env.c1 = 0;
  const sx = x.se >>> 15, sy = y.se >>> 15;
  const fa = denormalFault(env, cx), fb = denormalFault(env, cy);
  if (fa || fb) return ABORT;
  // Multiples of pi/4 for the special cases: result = sy * n * pi/4.
  let n = -1;
  if (cy === CLS_ZERO) n = sx ? 4 : 0;
  else if (cy === CLS_INFINITY) n = cx === CLS_INFINITY ? (sx ? 3 : 1) : 2;
  else if (cx === CLS_ZERO) n = 2;
  else if (cx === CLS_INFINITY) n = sx ? 4 : 0;
  if (n === 0) { setZero(out, sy); return STORE; }
  if (n > 0) {
    ddMul(PI_H, PI_L, n / 4, 0);
    toF80(env, out, sy ? -ddH : ddH, sy ? -ddL : ddL, 0);
    env.flags |= PE;
    return STORE;
  }
  fromF80(x); const xh = Math.abs(ddH), xl = ddH < 0 ? -ddL : ddL, kx = ddK;
  fromF80(y); const yh = Math.abs(ddH), yl = ddH < 0 ? -ddL : ddL, ky = ddK;
  const swap = ky > kx || (ky === kx && (yh > xh || (yh === xh && yl > xl)));
  const d = swap ? kx - ky : ky - kx;                              // <= 0
  let rh: number, rl: number, rk = 0;
  if (d < -60) {
    // atan(t) = t (1 - t^2/3 ...) with t below 2^-60: t itself, scaled.
    ddDiv(swap ? xh : yh, swap ? xl : yl, swap ? yh : xh, swap ? yl : xl);
    rh = ddH; rl = ddL; rk = d;
    if (swap || sx) {
      // pi/2 - t or pi - t or pi/2 + t: t is negligible next to pi/2 apart from rounding.
      const th = rh * 2 ** rk, tl = rl * 2 ** rk;
      const base = swap ? 0.5 : 1;
      const tsign = swap === !!sx ? 1 : -1;   // x<0 & swapped: pi/2 + t; x>=0 & swapped: pi/2 - t; x<0: pi - t
      ddMul(PI_H, PI_L, base, 0);
      ddAdd(ddH, ddL, tsign * th, tsign * tl);
      rh = ddH; rl = ddL; rk = 0;
    }
  } else {
    ddDiv(swap ? xh : yh, swap ? xl : yl, swap ? yh : xh, swap ? yl : xl);
    atanDd(ddH * 2 ** d, ddL * 2 ** d);
    rh = ddH; rl = ddL;
    if (swap) { ddMul(PI_H, PI_L, 0.5, 0); ddAdd(ddH, ddL, -rh, -rl); rh = ddH; rl = ddL; }
    if (sx) { ddAdd(PI_H, PI_L, -rh, -rl); rh = ddH; rl = ddL; }
  }
  toF80(env, out, sy ? -rh : rh, sy ? -rl : rl, rk);
  env.flags |= PE;
  return STORE;
}
