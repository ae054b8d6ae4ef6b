import { describe, expect, it } from 'vitest';
import { add64, divU128, imul64, mul64, r64, sar64, shl64, shr64, sub64 } from './u64.ts';

let seed = 7;
const rnd32 = (): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
const rnd64 = (): bigint => {
  const k = rnd32() % 4;
  if (k === 0) return BigInt(rnd32());
  if (k === 1) return 0xffffffffffffffffn - BigInt(rnd32() % 3);
  return (BigInt(rnd32()) << 32n) | BigInt(rnd32());
};
const lo = (v: bigint): number => Number(v & 0xffffffffn);
const hi = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);
const pair = (): bigint => (BigInt(r64[1]) << 32n) | BigInt(r64[0]);
const quad = (): bigint => (BigInt(r64[3]) << 96n) | (BigInt(r64[2]) << 64n) | pair();
const M64 = (1n << 64n) - 1n, M128 = (1n << 128n) - 1n;
const signed = (v: bigint): bigint => (v >> 63n ? v - (1n << 64n) : v);

describe('u64 helpers against BigInt', () => {
  it('add, sub, shifts', () => {
    for (let t = 0; t < 2000; t++) {
      const a = rnd64(), b = rnd64(), n = rnd32() % 64;
      const c = add64(lo(a), hi(a), lo(b), hi(b));
      expect(pair()).toBe((a + b) & M64);
      expect(c).toBe(a + b > M64 ? 1 : 0);
      const br = sub64(lo(a), hi(a), lo(b), hi(b));
      expect(pair()).toBe((a - b) & M64);
      expect(br).toBe(a < b ? 1 : 0);
      shl64(lo(a), hi(a), n); expect(pair()).toBe((a << BigInt(n)) & M64);
      shr64(lo(a), hi(a), n); expect(pair()).toBe(a >> BigInt(n));
      sar64(lo(a), hi(a), n); expect(pair()).toBe((signed(a) >> BigInt(n)) & M64);
    }
  });

  it('128-bit products and 128/64 division', () => {
    for (let t = 0; t < 2000; t++) {
      const a = rnd64(), b = rnd64();
      mul64(lo(a), hi(a), lo(b), hi(b));
      expect(quad()).toBe(a * b);
      imul64(lo(a), hi(a), lo(b), hi(b));
      expect(quad()).toBe((signed(a) * signed(b)) & M128);
      const d = b === 0n ? 1n : b;
      const n = ((rnd64() % d) << 64n) | rnd64(); // high half < divisor: the quotient fits
      expect(divU128(lo(n), hi(n), lo(n >> 64n), hi(n >> 64n), lo(d), hi(d))).toBe(true);
      expect(pair()).toBe(n / d);
      expect((BigInt(r64[3]) << 32n) | BigInt(r64[2])).toBe(n % d);
    }
    expect(divU128(0, 0, 5, 0, 5, 0)).toBe(false);
  });
});
