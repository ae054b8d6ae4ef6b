/**
 * Rounding of an exact result to float32/float64 under MXCSR.RC, with the
 * post-computation flags of SDM Vol. 1 4.9.1: precision, overflow (the result
 * rounded with an unbounded exponent exceeds the largest finite value),
 * underflow with tininess detected after rounding (as x86 does), and FTZ.
 *
 * The exact value is given as v = d + e where d is a double and only the sign
 * of the tiny remainder e matters (es). For float32 this covers every SSE
 * operation: doubles have the exponent range to hold float32 results exactly
 * enough. Float64 results that are near the subnormal or overflow range go
 * through the BigInt path (bigfloat.ts).
 */
import { PE, OE, UE, RC_DOWN, RC_NEAREST, RC_UP, RC_ZERO, env } from './mxcsr.ts';
import { bits32, nextDown32, nextDown64, nextUp32, nextUp64, sign } from './bits.ts';

/** Set by roundDir32/roundDir64: the rounded value differs from v. */
let inexact = false;

/** Rounds v = d + (tiny, sign es) to float32 under rc; unbounded in the low range (fround handles subnormals). */
function roundDir32(d: number, es: number, rc: number): number {
  let f = Math.fround(d);
  let dir: number;
  if (f === d) dir = es;
  else {
    if (es !== 0 && Number.isFinite(f)) {
      // d exactly halfway between two floats: the remainder decides (double rounding).
      const other = d > f ? nextUp32(f) : nextDown32(f);
      if (d - f === other - d && (es > 0) === (other > f)) f = other;
    }
    dir = sign(d - f);
  }
  inexact = dir !== 0;
  if (dir !== 0 && rc !== RC_NEAREST) {
    if (rc === RC_DOWN) { if (dir < 0) f = nextDown32(f); }
    else if (rc === RC_UP) { if (dir > 0) f = nextUp32(f); }
    else if ((dir < 0 && f > 0) || (dir > 0 && f < 0)) f = f > 0 ? nextDown32(f) : nextUp32(f);
  }
  return f;
}

const TWO64 = 18446744073709551616, TWO_M64 = 1 / TWO64;
const MIN_NORMAL32 = 1.1754943508222875e-38, MAX32 = 3.4028234663852886e38;

/** Post-computation flags and the FTZ response for a result `f` of exact sign `neg`. */
function post(f: number, tiny: boolean, inex: boolean, overflow: boolean): number {
  if (overflow) { env.post |= OE | PE; return f; }
  if (tiny) {
    if (env.ftz) { env.post |= UE | PE; return f < 0 || Object.is(f, -0) ? -0 : 0; }
    if (inex) env.post |= UE | PE;
    else if (env.ueUnmasked) env.post |= UE;
    return f;
  }
  if (inex) env.post |= PE;
  return f;
}

/** float32 bits of v = d + e (sign es), rounded under env.rc, flags into env.post. */
export function round32(d: number, es: number): number {
  const rc = env.rc;
  let f = roundDir32(d, es, rc);
  const inex = inexact;
  const ad = Math.abs(d);
  let tiny = false, overflow = false;
  if (ad <= MIN_NORMAL32 && (ad !== 0 || es !== 0)) {
    tiny = Math.abs(roundDir32(d * TWO64, es, rc)) < MIN_NORMAL32 * TWO64;
  } else if (ad >= MAX32 && ad !== Infinity) {
    overflow = Math.abs(roundDir32(d * TWO_M64, es, rc)) >= 2 ** 64;
  }
  if (ad === 0 && es === 0) return bits32(d);
  f = post(f, tiny, inex, overflow);
  if (d < 0 && f === 0) f = -0;
  return bits32(f);
}

/**
 * Rounds v = d + err (err exact, double) to float64 under env.rc when d is a
 * normal double away from the overflow threshold (callers check), flags into env.post.
 */
export function round64Normal(d: number, err: number): number {
  if (err === 0) return d;
  env.post |= PE;
  const rc = env.rc;
  if (rc === RC_DOWN) return err < 0 ? nextDown64(d) : d;
  if (rc === RC_UP) return err > 0 ? nextUp64(d) : d;
  if (rc === RC_ZERO) return (err < 0 && d > 0) || (err > 0 && d < 0) ? (d > 0 ? nextDown64(d) : nextUp64(d)) : d;
  return d;
}

/** Shared with bigfloat.ts. */
export { post as postFlags };
