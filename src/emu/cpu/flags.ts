/**
 * Lazy arithmetic flags (QEMU cc_op style, STYLE.md §8). A flag-setting
 * operation records its kind, size, sources and result in the state array;
 * CF/PF/AF/ZF/SF/OF are computed only when something reads them. Undefined
 * flags follow QEMU TCG so the differential harness sees the same values.
 */
import { AF, ARITH_FLAGS, CF, OF, PF, SF, ZF } from './arch.ts';
import { CC_A, CC_AUX, CC_B, CC_OP, CC_RES, CC_SIZE, RFLAGS } from './state/layout.ts';

export const enum CcOp {
  /** RFLAGS holds every flag. */
  Eager = 0,
  Add, Adc, Sub, Sbb,
  /** AND/OR/XOR/TEST: CF=OF=AF=0. */
  Logic,
  /** INC/DEC: like ADD/SUB 1, CF preserved in ccAux. */
  Inc, Dec,
  /** Shifts, rotates-through-result, MUL/IMUL, BMI-style: CF and OF given in ccAux bits 0 and 11; AF=0. */
  CfOf,
}

/** PF: 1 when the low byte has an even number of set bits. */
export const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let n = 0;
  for (let b = v; b; b >>= 1) n += b & 1;
  PARITY[v] = (n & 1) === 0 ? PF : 0;
}

/** Sign bit of a size (1, 2, 4 bytes) in the low word. */
export function signBit(size: number): number {
  return size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000;
}
export function sizeMask(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
}

/** Records a flag-setting operation with 8/16/32-bit operands (values already masked to size). */
export function setCc(s: Uint32Array, op: CcOp, size: number, res: number, a: number, b: number, aux: number): void {
  s[CC_OP] = op; s[CC_SIZE] = size;
  s[CC_RES] = res; s[CC_RES + 1] = 0;
  s[CC_A] = a; s[CC_A + 1] = 0;
  s[CC_B] = b; s[CC_B + 1] = 0;
  s[CC_AUX] = aux;
}

/** Records a 64-bit flag-setting operation. */
export function setCc64(s: Uint32Array, op: CcOp, resLo: number, resHi: number, aLo: number, aHi: number,
  bLo: number, bHi: number, aux: number): void {
  s[CC_OP] = op; s[CC_SIZE] = 8;
  s[CC_RES] = resLo; s[CC_RES + 1] = resHi;
  s[CC_A] = aLo; s[CC_A + 1] = aHi;
  s[CC_B] = bLo; s[CC_B + 1] = bHi;
  s[CC_AUX] = aux;
}

/** The six arithmetic flags of the recorded operation. */
export function arithFlags(s: Uint32Array): number {
  const op = s[CC_OP] as CcOp;
  if (op === CcOp.Eager) return s[RFLAGS] & ARITH_FLAGS;
  const size = s[CC_SIZE];
  let res = s[CC_RES], a = s[CC_A], b = s[CC_B];
  let zero: boolean, sign: boolean;
  let resS: number, aS: number, bS: number; // words holding the sign bit
  let signMask: number;
  if (size === 8) {
    const resHi = s[CC_RES + 1];
    zero = res === 0 && resHi === 0;
    resS = resHi; aS = s[CC_A + 1]; bS = s[CC_B + 1]; signMask = 0x80000000;
  } else {
    zero = res === 0;
    resS = res; aS = a; bS = b; signMask = signBit(size);
  }
  sign = (resS & signMask) !== 0;
  let f = PARITY[res & 0xff] | (zero ? ZF : 0) | (sign ? SF : 0);
  switch (op) {
    case CcOp.Add: case CcOp.Adc: {
      const cin = op === CcOp.Adc ? s[CC_AUX] & 1 : 0;
      const carry = size === 8
        ? ltPair(res, resS, a, aS) || (cin !== 0 && res === a && resS === aS)
        : cin ? res <= a : res < a;
      if (carry) f |= CF;
      if (((aS ^ resS) & (bS ^ resS) & signMask) !== 0) f |= OF;
      f |= (a ^ b ^ res) & AF;
      return f;
    }
    case CcOp.Sub: case CcOp.Sbb: {
      const bin = op === CcOp.Sbb ? s[CC_AUX] & 1 : 0;
      const borrow = size === 8
        ? ltPair(a, aS, b, bS) || (bin !== 0 && a === b && aS === bS)
        : bin ? a <= b : a < b;
      if (borrow) f |= CF;
      if (((aS ^ bS) & (aS ^ resS) & signMask) !== 0) f |= OF;
      f |= (a ^ b ^ res) & AF;
      return f;
    }
    case CcOp.Logic:
      return f;
    case CcOp.Inc:
      f |= s[CC_AUX] & CF;
      if (size === 8 ? resS === 0x80000000 && res === 0 : res === signMask) f |= OF;
      f |= (a ^ 1 ^ res) & AF;
      return f;
    case CcOp.Dec:
      f |= s[CC_AUX] & CF;
      if (size === 8 ? resS === 0x7fffffff && res === 0xffffffff : res === signMask - 1) f |= OF;
      f |= (a ^ 1 ^ res) & AF;
      return f;
    case CcOp.CfOf:
      return f | (s[CC_AUX] & (CF | OF | AF));
  }
  return f;
}

function ltPair(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  return aHi < bHi || (aHi === bHi && aLo < bLo);
}

/** Full RFLAGS with the lazy flags materialised. */
export function readFlags(s: Uint32Array): number {
  if (s[CC_OP] === CcOp.Eager) return s[RFLAGS];
  return ((s[RFLAGS] & ~ARITH_FLAGS) | arithFlags(s)) >>> 0;
}

/** Materialises the lazy flags into RFLAGS (before a partial flag update). */
export function flushFlags(s: Uint32Array): void {
  if (s[CC_OP] !== CcOp.Eager) {
    s[RFLAGS] = (s[RFLAGS] & ~ARITH_FLAGS) | arithFlags(s);
    s[CC_OP] = CcOp.Eager;
  }
}

/** CF alone (INC/DEC, ADC/SBB read it on every execution: no need for the other five). */
export function getCF(s: Uint32Array): number {
  switch (s[CC_OP] as CcOp) {
    case CcOp.Eager: return s[RFLAGS] & CF;
    case CcOp.Logic: return 0;
    case CcOp.Inc: case CcOp.Dec: case CcOp.CfOf: return s[CC_AUX] & CF;
    default: return arithFlags(s) & CF;
  }
}

/** Evaluates condition code `cc` (0-15, the low nibble of Jcc/SETcc/CMOVcc). */
export function testCc(s: Uint32Array, cc: number): boolean {
  const op = s[CC_OP];
  if (op !== CcOp.Eager && (cc >> 1) === 2) {
    // JZ/JNZ and friends: ZF straight from the recorded result.
    const z = s[CC_RES] === 0 && (s[CC_SIZE] !== 8 || s[CC_RES + 1] === 0);
    return (cc & 1) !== 0 ? !z : z;
  }
  const f = op === CcOp.Eager ? s[RFLAGS] : arithFlags(s);
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = (f & OF) !== 0; break;
    case 1: r = (f & CF) !== 0; break;
    case 2: r = (f & ZF) !== 0; break;
    case 3: r = (f & (CF | ZF)) !== 0; break;
    case 4: r = (f & SF) !== 0; break;
    case 5: r = (f & PF) !== 0; break;
    case 6: r = ((f & SF) !== 0) !== ((f & OF) !== 0); break;
    default: r = (f & ZF) !== 0 || ((f & SF) !== 0) !== ((f & OF) !== 0); break;
  }
  return (cc & 1) !== 0 ? !r : r;
}
