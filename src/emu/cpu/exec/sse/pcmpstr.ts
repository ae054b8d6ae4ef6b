/**
 * SSE4.2 string compares PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (SDM Vol. 2
 * 4.1 "Imm8 Control Byte Operation for PCMPESTRI / PCMPESTRM / PCMPISTRI /
 * PCMPISTRM"): element format imm8[1:0], aggregation imm8[3:2] (equal any,
 * ranges, equal each, equal ordered) with the SDM's rules for invalid
 * elements, polarity imm8[5:4], and the index (ECX) or mask (XMM0) output
 * with CF ZF SF OF (AF = PF = 0). Unaligned memory operands are allowed.
 */
import type { Cpu } from '../../cpu.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import type { HandlerTable, InsnHandler } from '../handlerTypes.ts';
import { ARITH_FLAGS, CF, OF, SF, ZF } from '../../arch.ts';
import { CC_OP, GPR, RFLAGS } from '../../state/layout.ts';
import { CcOp } from '../../flags.ts';
import { I16, I8, U16, U8, U32, getX, loadW, putX, sseCheck } from './regs.ts';
import { A, B, R } from './lanes.ts';

/** Element k of lane `lane` in the imm8[1:0] format. */
function elem(lane: number, k: number, fmt: number): number {
  switch (fmt) {
    case 0: return U8[lane + k];
    case 1: return U16[(lane >> 1) + k];
    case 2: return I8[lane + k];
    default: return I16[(lane >> 1) + k];
  }
}

/** Implicit length: index of the first zero element (n if none). */
function implicitLen(lane: number, n: number, fmt: number): number {
  for (let k = 0; k < n; k++) if (elem(lane, k, fmt) === 0) return k;
  return n;
}
/** Explicit length from EAX/EDX (RAX/RDX with REX.W): absolute value, saturated to n. */
function explicitLen(c: Cpu, reg: number, wide: boolean, n: number): number {
  const s = c.s;
  let v: number;
  if (wide) {
    const hi = s[GPR + 2 * reg + 1] | 0, lo = s[GPR + 2 * reg];
    // |RAX| >= n whenever the high word is not 0 or -1 (or is -1 with a small low word).
    if (hi === 0) v = lo; else if (hi === -1) v = lo === 0 ? n : 4294967296 - lo; else v = n;
  } else v = Math.abs(s[GPR + 2 * reg] | 0);
  return v > n ? n : v;
}

/** IntRes2 for the operands in lanes A (str1) and B (str2). */
function compare(imm: number, len1: number, len2: number): number {
  const fmt = imm & 3, agg = (imm >> 2) & 3, pol = (imm >> 4) & 3;
  const n = (imm & 1) !== 0 ? 8 : 16;
  let res = 0;
  switch (agg) {
    case 0: // equal any: str2[j] equals some valid str1[i]
      for (let j = 0; j < len2; j++) {
        const y = elem(B, j, fmt);
        for (let i = 0; i < len1; i++) if (elem(A, i, fmt) === y) { res |= 1 << j; break; }
      }
      break;
    case 1: // ranges: str1 holds (low, high) pairs
      for (let j = 0; j < len2; j++) {
        const y = elem(B, j, fmt);
        for (let i = 0; i + 1 < len1; i += 2) {
          if (elem(A, i, fmt) <= y && y <= elem(A, i + 1, fmt)) { res |= 1 << j; break; }
        }
      }
      break;
    case 2: // equal each: both invalid counts as equal
      for (let j = 0; j < n; j++) {
        const v1 = j < len1, v2 = j < len2;
        if (v1 && v2 ? elem(A, j, fmt) === elem(B, j, fmt) : !v1 && !v2) res |= 1 << j;
      }
      break;
    default: // equal ordered: str1 occurs in str2 at j (str1 running past its end matches)
      for (let j = 0; j < n; j++) {
        let ok = true;
        for (let k = 0; k < n - j && ok; k++) {
          if (k >= len1) break;
          if (j + k >= len2) ok = false;
          else if (elem(A, k, fmt) !== elem(B, j + k, fmt)) ok = false;
        }
        if (ok) res |= 1 << j;
      }
  }
  const all = (1 << n) - 1;
  if (pol === 1) res = ~res & all;
  else if (pol === 3) res ^= (1 << len2) - 1;
  return res & all;
}

function strcmp(explicit: boolean, index: boolean): InsnHandler {
  return (c: Cpu, i: DecodedInsn) => {
    sseCheck(c, i);
    getX(c, i.reg, A);
    loadW(c, i, 16, 0);
    const imm = i.imm & 0xff;
    const n = (imm & 1) !== 0 ? 8 : 16, fmt = imm & 3;
    const wide = (i.rex & 8) !== 0;
    const len1 = explicit ? explicitLen(c, 0, wide, n) : implicitLen(A, n, fmt);
    const len2 = explicit ? explicitLen(c, 2, wide, n) : implicitLen(B, n, fmt);
    const res = compare(imm, len1, len2);
    if (index) {
      let idx = n;
      if (res !== 0) idx = (imm & 0x40) !== 0 ? 31 - Math.clz32(res) : 31 - Math.clz32(res & -res);
      c.setReg(1, 4, idx, 0);
    } else {
      if ((imm & 0x40) === 0) { U32[R >> 2] = res; U32[(R >> 2) + 1] = 0; U32[(R >> 2) + 2] = 0; U32[(R >> 2) + 3] = 0; }
      else for (let k = 0; k < n; k++) {
        const v = ((res >> k) & 1) !== 0 ? 0xffff : 0;
        if (n === 16) U8[R + k] = v; else U16[(R >> 1) + k] = v;
      }
      putX(c, 0, R);
    }
    const s = c.s;
    const f = (res !== 0 ? CF : 0) | (len2 < n ? ZF : 0) | (len1 < n ? SF : 0) | ((res & 1) !== 0 ? OF : 0);
    s[RFLAGS] = (s[RFLAGS] & ~ARITH_FLAGS) | f;
    s[CC_OP] = CcOp.Eager;
  };
}

export function registerPcmpstr(h: HandlerTable): void {
  h.PCMPESTRI_VxWxIb = strcmp(true, true);
  h.PCMPESTRM_VxWxIb = strcmp(true, false);
  h.PCMPISTRI_VxWxIb = strcmp(false, true);
  h.PCMPISTRM_VxWxIb = strcmp(false, false);
}
