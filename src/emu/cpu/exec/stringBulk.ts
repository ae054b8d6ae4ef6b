/**
 * REP MOVS / REP STOS a page at a time (DF=0 only). The per-element path in
 * string.ts segments, translates and copies every element; here the source
 * and destination are checked and translated once for the run of elements
 * that stays inside one page of each (and inside the segment limits), which
 * is exactly the set of elements that cannot fault once the first one did not.
 * The first element's checks run in the same order as the per-element path
 * (source read, then destination write), so a fault is the same fault with
 * the same registers. Anything unusual (MMIO, an element crossing a page,
 * address-size wrap, expand-down segments) returns 0: the caller then does
 * one element the exact way.
 */
import type { Cpu } from '../cpu.ts';
import { AR_S, SegReg, TYPE_CODE, TYPE_E } from '../arch.ts';
import { Access } from '../mmu/mmu.ts';
import { bump } from './string.ts';
import { DR7, GPR, SEG_AR, SEG_LIMIT, segOff } from '../state/layout.ts';
import { DR7_ENABLES } from '../debugRegs.ts';
import { linearAddr, translate } from '../memory.ts';

/** Test hook: false sends every element through the per-element path. */
export const bulkStrings = { enabled: true };

/** Elements of `size` bytes from offset `off` that stay inside the segment limit and the address size, or 0. */
function segRoom(c: Cpu, seg: number, off: number, size: number, asz: number): number {
  const top = asz === 8 ? Infinity : asz === 4 ? 0x100000000 : 0x10000;
  let room = (top - off) / size;
  if (!c.long64) {
    const ar = c.s[segOff(seg, SEG_AR)];
    if ((ar & (AR_S | TYPE_CODE | TYPE_E)) === (AR_S | TYPE_E)) return 0; // expand-down: leave it to the exact path
    room = Math.min(room, (c.s[segOff(seg, SEG_LIMIT)] - off + 1) / size);
  }
  return room > 0 ? Math.floor(room) : 0;
}

/** Unsigned count register at the address size, capped at `max`. */
function count(c: Cpu, asz: number, max: number): number {
  const s = c.s;
  if (asz === 8) return s[GPR + 3] !== 0 ? max : Math.min(s[GPR + 2], max);
  return Math.min(asz === 4 ? s[GPR + 2] : s[GPR + 2] & 0xffff, max);
}

function offset(c: Cpu, r: number, asz: number): number {
  const v = c.s[GPR + r * 2];
  c.hi = asz === 8 ? c.s[GPR + r * 2 + 1] : 0;
  return asz === 2 ? v & 0xffff : v;
}

/**
 * Runs up to `max` iterations of REP MOVS (`movs`) or REP STOS of `size`-byte
 * elements; returns how many were done (0: do one the exact way). @faults
 */
export function bulkString(c: Cpu, movs: boolean, size: number, asz: number, srcSeg: number, max: number): number {
  const mem = c.mem;
  // Data breakpoints are checked per access in memory.ts: no bulk copies while DR7 enables one.
  if ((c.s[DR7] & DR7_ENABLES) !== 0) return 0;
  let n = count(c, asz, max);
  let srcPa = 0;
  if (movs) {
    const si = offset(c, 6, asz), siHi = c.hi;
    n = Math.min(n, segRoom(c, srcSeg, si, size, asz));
    if (n === 0) return 0;
    const la = linearAddr(c, srcSeg, si, siHi, size, false);
    n = Math.min(n, Math.floor((0x1000 - (la & 0xfff)) / size));
    if (n === 0) return 0;
    srcPa = translate(c, la, c.laHi, Access.Read);
    if (srcPa + n * size > mem.size) return 0;
  }
  const di = offset(c, 7, asz), diHi = c.hi;
  n = Math.min(n, segRoom(c, SegReg.ES, di, size, asz));
  if (n === 0) return 0;
  const la = linearAddr(c, SegReg.ES, di, diHi, size, true);
  n = Math.min(n, Math.floor((0x1000 - (la & 0xfff)) / size));
  if (n === 0) return 0;
  const dstPa = translate(c, la, c.laHi, Access.Write);
  const bytes = n * size;
  if (dstPa + bytes > mem.size) return 0;
  if (c.codePages[dstPa >>> 12] === 1) c.invalidateCode(dstPa, bytes);
  const u8 = mem.u8;
  if (movs) {
    if (srcPa + bytes <= dstPa || dstPa + bytes <= srcPa) u8.copyWithin(dstPa, srcPa, srcPa + bytes);
    // Overlapping: element by element, forwards, as the instruction does.
    else for (let k = 0; k < bytes; k += size) u8.copyWithin(dstPa + k, srcPa + k, srcPa + k + size);
    bump(c, 6, asz, bytes);
  } else {
    const s = c.s;
    const lo = s[GPR], hi = s[GPR + 1];
    if (size === 1) u8.fill(lo & 0xff, dstPa, dstPa + bytes);
    else if ((dstPa & 3) === 0 && size >= 4) {
      const u32 = mem.u32, w = dstPa >>> 2;
      if (size === 4) u32.fill(lo, w, w + n);
      else for (let k = 0; k < 2 * n; k += 2) { u32[w + k] = lo; u32[w + k + 1] = hi; }
    } else {
      for (let k = 0; k < bytes; k++) {
        const b = k % size;
        u8[dstPa + k] = b < 4 ? lo >>> (8 * b) : hi >>> (8 * (b - 4));
      }
    }
  }
  bump(c, 7, asz, bytes);
  bump(c, 1, asz, -n);
  return n;
}
