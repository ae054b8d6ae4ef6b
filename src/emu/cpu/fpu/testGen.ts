/**
 * TEST-ONLY: a seeded generator of interesting 80-bit operands (runs of ones and zeros
 * in the significand, exponents near each other, near the range limits, denormals).
 */
import type { Enc } from './oracle.ts';

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  };
}

function sigWord(r: () => number): number {
  switch (r() % 6) {
    case 0: return 0;
    case 1: return 0xffffffff;
    case 2: { const n = r() % 32; return (0xffffffff << n) >>> 0; }
    case 3: { const n = r() % 32; return (0xffffffff >>> n) >>> 0; }
    case 4: return (1 << (r() % 32)) >>> 0;
    default: return r();
  }
}

/** A finite, non-zero, canonical operand; `near` biases the exponent toward another one. */
export function genFinite(r: () => number, near?: number): Enc {
  const sign = r() & 1;
  let exp: number;
  const pick = r() % 16;
  if (near !== undefined && pick < 8) exp = near + (r() % 140) - 70;
  else if (pick < 10) exp = 16383 + (r() % 200) - 100;
  else if (pick === 10) exp = 1 + (r() % 80);
  else if (pick === 11) exp = 0x7ffe - (r() % 80);
  else if (pick === 12) exp = 0;
  else exp = 1 + (r() % 0x7ffd);
  exp = Math.max(0, Math.min(0x7ffe, exp));
  let hi = sigWord(r), lo = sigWord(r);
  if (exp !== 0) hi = (hi | 0x80000000) >>> 0;
  else {
    hi = (hi & 0x7fffffff) >>> 0;
    if ((hi | lo) === 0) lo = 1;
  }
  return { se: (sign << 15) | exp, hi, lo };
}
