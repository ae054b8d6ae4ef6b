/**
 * 80-bit extended-precision values (SDM Vol. 1 4.2.2, 4.8.2) and the per-operation
 * floating-point environment (rounding / precision control, exception flags).
 *
 * A value is three numbers: `se` = sign << 15 | biased exponent (bias 16383),
 * and the 64-bit significand `hi:lo` including the explicit integer bit J (bit 63).
 * The same three words are how the register file stores ST(i), so no conversion
 * happens between the state and the arithmetic.
 */

/** A mutable extended value. Preallocate and reuse; the arithmetic never allocates. */
export class F80 {
  se = 0;
  hi = 0;
  lo = 0;
  set(se: number, hi: number, lo: number): this {
    this.se = se & 0xffff; this.hi = hi >>> 0; this.lo = lo >>> 0;
    return this;
  }
  copy(x: F80): this {
    this.se = x.se; this.hi = x.hi; this.lo = x.lo;
    return this;
  }
}

export const EXP_BIAS = 16383;
export const EXP_MAX = 0x7fff;
/** Unmasked OE/UE on a register destination: the exponent is wrapped by this much (SDM 4.9.1.4/5). */
export const BIAS_ADJUST = 24576;

// Exception flag bits, the same positions as FSW (and as FCW mask bits).
export const IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20, SF = 0x40;

// Rounding control (FCW.RC).
export const RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

// Classes (FXAM-like, plus the encodings the x87 no longer supports).
export const CLS_ZERO = 0, CLS_DENORMAL = 1, CLS_NORMAL = 2, CLS_INFINITY = 3,
  CLS_QNAN = 4, CLS_SNAN = 5, CLS_UNSUPPORTED = 6;

/**
 * Classify an encoding. Exponent 0 with J = 1 (pseudo-denormal) counts as a denormal;
 * a non-zero exponent with J = 0 (unnormal, pseudo-NaN, pseudo-infinity) is unsupported
 * and raises IE as an operand (SDM Vol. 1 8.2.2, Table 8-3).
 */
export function classify(se: number, hi: number, lo: number): number {
  const exp = se & EXP_MAX;
  if (exp === 0) return ((hi | lo) === 0) ? CLS_ZERO : CLS_DENORMAL;
  if ((hi & 0x80000000) === 0) return CLS_UNSUPPORTED;
  if (exp !== EXP_MAX) return CLS_NORMAL;
  if (((hi & 0x7fffffff) | lo) === 0) return CLS_INFINITY;
  return (hi & 0x40000000) !== 0 ? CLS_QNAN : CLS_SNAN;
}

export const classOf = (x: F80): number => classify(x.se, x.hi, x.lo);

export function isNaN80(x: F80): boolean {
  return (x.se & EXP_MAX) === EXP_MAX && (x.hi & 0x80000000) !== 0 && ((x.hi & 0x7fffffff) | x.lo) !== 0;
}
export function isSNaN80(x: F80): boolean {
  return isNaN80(x) && (x.hi & 0x40000000) === 0;
}

// Frequently used encodings (se, hi, lo).
/** The "real indefinite" QNaN: the masked response to an invalid operation. */
export const INDEF_SE = 0xffff, INDEF_HI = 0xc0000000, INDEF_LO = 0;

export function setIndefinite(out: F80): void {
  out.se = INDEF_SE; out.hi = INDEF_HI; out.lo = INDEF_LO;
}
export function setInfinity(out: F80, sign: number): void {
  out.se = (sign << 15) | EXP_MAX; out.hi = 0x80000000; out.lo = 0;
}
export function setZero(out: F80, sign: number): void {
  out.se = sign << 15; out.hi = 0; out.lo = 0;
}

/**
 * The environment of one operation: inputs from FCW, outputs to FSW.
 * `flags` accumulates IE..PE (and SF, set by the stack model); `c1` is the
 * "rounded up" indication (SDM Vol. 1 8.1.3.3) of the last rounding.
 */
export class FpEnv {
  /** FCW.RC */
  rc = RC_NEAREST;
  /** Significand bits from FCW.PC: 24, 53 or 64. */
  pc = 64;
  /** FCW exception masks (bit set = masked). */
  mask = 0x3f;
  flags = 0;
  c1 = 0;

  /** Load RC, PC and the masks from a control word and clear the outputs. */
  begin(fcw: number): this {
    this.rc = (fcw >>> 10) & 3;
    const pcf = (fcw >>> 8) & 3;
    // PC = 01 is reserved; like Bochs we treat it as 64-bit precision.
    this.pc = pcf === 0 ? 24 : pcf === 2 ? 53 : 64;
    this.mask = fcw & 0x3f;
    this.flags = 0;
    this.c1 = 0;
    return this;
  }

  /** True when exception `bit` is unmasked in FCW. */
  unmasked(bit: number): boolean {
    return (this.mask & bit) === 0;
  }
}

/** Sign bit (0/1) of a value. */
export const signOf = (x: F80): number => x.se >>> 15;
