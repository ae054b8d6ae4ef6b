/**
 * The instruction decoder: prefixes, REX, opcode maps, ModRM/SIB/displacement
 * and immediates (Intel SDM Vol. 2 chapter 2). Pure: it reads bytes through a
 * CodeFetcher (which may fault, e.g. #PF on a fetch) and reports #UD / #GP as
 * a status, so the same code serves the CPU, the disassembly view and tests.
 */
import { DecodedInsn, Rep } from './decodedInsn.ts';
import { Attr, GroupNode, Imm, ModeNode, OpEntry, PrefixNode, compileMap, type Node } from './table.ts';
import { ONE_BYTE } from './maps/oneByte.ts';
import { MAP_0F } from './maps/map0f.ts';
import { MAP_0F38, MAP_0F3A } from './maps/map0f38.ts';

export interface CodeFetcher {
  /** The byte at offset `k` from the instruction start. @faults */
  fetch(k: number): number;
}

export const enum DecodeStatus { Ok = 0, UD = 6, GP = 13 }

/** Compiled maps, indexed by DecodedInsn.map. */
export const MAPS: readonly Node[][] = [compileMap(ONE_BYTE), compileMap(MAP_0F), compileMap(MAP_0F38), compileMap(MAP_0F3A)];

const SEG_PREFIX: Record<number, number> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3, 0x64: 4, 0x65: 5 };
const NO_SEG = -1;

/** Why the last decode failed (for messages). */
export let decodeFailure = '';

/**
 * Decodes one instruction. `codeSize` is the default operand size of the
 * code segment in bytes (2, 4) or 8 for 64-bit mode.
 * @faults (through the fetcher)
 */
export function decode(src: CodeFetcher, codeSize: number, i: DecodedInsn): DecodeStatus {
  const long = codeSize === 8;
  let k = 0;
  let seg = NO_SEG, p66 = false, p67 = false, lastRep = 0, lock = false, rex = 0;
  let b = src.fetch(k++);
  // Prefixes: any number, any order; a REX byte counts only directly before the opcode.
  for (;;) {
    const s = SEG_PREFIX[b];
    if (s !== undefined) { if (!long || s >= 4) seg = s; rex = 0; }
    else if (b === 0x66) { p66 = true; rex = 0; }
    else if (b === 0x67) { p67 = true; rex = 0; }
    else if (b === 0xf2 || b === 0xf3) { lastRep = b; rex = 0; }
    else if (b === 0xf0) { lock = true; rex = 0; }
    else if (long && (b & 0xf0) === 0x40) rex = b;
    else break;
    if (k >= 15) return tooLong();
    b = src.fetch(k++);
  }
  let map = 0;
  if (b === 0x0f) {
    if (k >= 15) return tooLong();
    b = src.fetch(k++);
    map = 1;
    if (b === 0x38 || b === 0x3a) { map = b === 0x38 ? 2 : 3; if (k >= 15) return tooLong(); b = src.fetch(k++); }
  }
  i.map = map; i.opc = b; i.rex = rex; i.p66 = p66; i.lock = lock;
  i.modrm = -1; i.mod = 0; i.reg = 0; i.rm = 0; i.base = -1; i.index = -1; i.scale = 0; i.disp = 0; i.ripRel = false;
  i.imm = 0; i.immHi = 0; i.imm2 = 0;

  // VEX (C4/C5) and EVEX (62): always in 64-bit mode, and in legacy modes when ModRM.mod = 3.
  if (map === 0 && (b === 0xc4 || b === 0xc5 || b === 0x62)) {
    if (long || (src.fetch(k) & 0xc0) === 0xc0) {
      decodeFailure = b === 0x62 ? 'EVEX-encoded instruction (AVX-512 not supported)' : 'VEX-encoded instruction (AVX not supported)';
      i.entry = null; i.len = k;
      return DecodeStatus.UD;
    }
  }

  let node: Node = MAPS[map][b];
  let modrm = -1;
  // Mandatory prefix column: the last F2/F3 wins over 66.
  const col = lastRep === 0xf3 ? 2 : lastRep === 0xf2 ? 3 : p66 ? 1 : 0;
  let usedCol = false;
  for (;;) {
    if (node instanceof OpEntry || node === null) break;
    if (node instanceof PrefixNode) { node = node.cols[col]; usedCol = true; continue; }
    if (node instanceof ModeNode) { node = long ? node.long64 : node.legacy; continue; }
    const g = node as GroupNode;
    if (modrm < 0) { if (k >= 15) return tooLong(); modrm = src.fetch(k++); }
    const reg = (modrm >> 3) & 7;
    if ((modrm & 0xc0) !== 0xc0) node = g.mem[reg];
    else { const r = g.reg[reg]; node = Array.isArray(r) ? (r as Node[])[modrm & 7] : (r as Node); }
  }
  const e = node;
  i.entry = e;
  if (e === null || (e.attrs & Attr.Invalid) !== 0) { i.len = k; decodeFailure = 'invalid opcode'; return DecodeStatus.UD; }
  const attrs = e.attrs;
  if ((attrs & (long ? Attr.I64 : Attr.O64)) !== 0) {
    i.len = k; decodeFailure = 'invalid in this mode'; return DecodeStatus.UD;
  }

  // Operand and address size.
  const rexW = (rex & 8) !== 0;
  let osz: number;
  if (long) {
    if (rexW) osz = 8;
    else if ((attrs & Attr.F64) !== 0) osz = 8;
    else if ((attrs & Attr.D64) !== 0) osz = p66 ? 2 : 8;
    else osz = p66 ? 2 : 4;
  } else {
    osz = p66 ? 6 - codeSize : codeSize;
  }
  const asz = long ? (p67 ? 4 : 8) : p67 ? 6 - codeSize : codeSize;
  i.osz = osz; i.asz = asz;
  i.rep = usedCol && col >= 2 ? Rep.None : lastRep === 0xf3 ? Rep.F3 : lastRep === 0xf2 ? Rep.F2 : Rep.None;

  let memSeg = 3;
  if (e.modrm) {
    if (modrm < 0) { if (k >= 15) return tooLong(); modrm = src.fetch(k++); }
    const mod = modrm >> 6;
    i.modrm = modrm;
    i.reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    const rm = modrm & 7;
    if (mod === 3 || (attrs & Attr.RegOnly) !== 0) {
      i.mod = 3;
      i.rm = rm | ((rex & 1) << 3);
      if ((attrs & Attr.MemOnly) !== 0) { i.len = k; decodeFailure = 'register operand where memory is required'; return DecodeStatus.UD; }
    } else {
      i.mod = mod;
      if ((attrs & Attr.RegForm) !== 0) { i.len = k; decodeFailure = 'memory operand where a register is required'; return DecodeStatus.UD; }
      if (asz === 2) {
        memSeg = decodeModrm16(i, mod, rm);
        if (mod === 1) { if (k >= 15) return tooLong(); i.disp = (src.fetch(k++) << 24) >> 24; }
        else if (mod === 2 || (mod === 0 && rm === 6)) {
          if (k + 2 > 15) return tooLong();
          i.disp = ((src.fetch(k++) | (src.fetch(k++) << 8)) << 16) >> 16;
        }
      } else {
        let base = rm;
        if (rm === 4) {
          if (k >= 15) return tooLong();
          const sib = src.fetch(k++);
          base = sib & 7;
          const idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
          if (idx !== 4) { i.index = idx; i.scale = sib >> 6; }
          if (base === 5 && mod === 0) base = -1;
        } else if (rm === 5 && mod === 0) {
          base = -1;
          if (long) i.ripRel = true;
        }
        if (base >= 0) { base |= (rex & 1) << 3; i.base = base; if (base === 4 || base === 5) memSeg = 2; }
        if (mod === 1) { if (k >= 15) return tooLong(); i.disp = (src.fetch(k++) << 24) >> 24; }
        else if (mod === 2 || base < 0) {
          if (k + 4 > 15) return tooLong();
          i.disp = src.fetch(k++) | (src.fetch(k++) << 8) | (src.fetch(k++) << 16) | (src.fetch(k++) << 24);
        }
      }
    }
  }
  if ((attrs & (Attr.Sreg | Attr.Creg | Attr.Dreg)) !== 0 && !regOperandValid(attrs, i, b)) {
    i.len = k; decodeFailure = 'no such register'; return DecodeStatus.UD;
  }
  if (seg !== NO_SEG) { i.seg = seg; i.segOverride = true; } else { i.seg = memSeg; i.segOverride = false; }

  // Immediates.
  if (e.imm1 !== Imm.None) {
    k = readImm(src, k, e.imm1, osz, asz, i, false);
    if (k < 0) return tooLong();
    if (e.imm2 !== Imm.None) { k = readImm(src, k, e.imm2, osz, asz, i, true); if (k < 0) return tooLong(); }
  }
  if (k > 15) return tooLong();
  i.len = k;

  // LOCK: only lockable rows, and only with a memory destination.
  if (lock && ((attrs & Attr.Lock) === 0 || i.mod === 3 || i.modrm < 0)) { decodeFailure = 'LOCK prefix not allowed'; return DecodeStatus.UD; }
  return DecodeStatus.Ok;
}

function regOperandValid(attrs: number, i: DecodedInsn, opc: number): boolean {
  const r = i.reg;
  if ((attrs & Attr.Sreg) !== 0) return (r & 7) < 6 && !(opc === 0x8e && (r & 7) === 1);
  if ((attrs & Attr.Creg) !== 0) return r === 0 || r === 2 || r === 3 || r === 4 || r === 8;
  return r < 8;
}

function tooLong(): DecodeStatus {
  decodeFailure = 'instruction longer than 15 bytes';
  return DecodeStatus.GP;
}


/** 16-bit ModRM addressing (SDM Table 2-1). Returns the default segment. */
// Base/index pairs for rm 0-7: BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP, BX.
const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3], INDEX16 = [6, 7, 6, 7, -1, -1, -1, -1];
function decodeModrm16(i: DecodedInsn, mod: number, rm: number): number {
  if (mod === 0 && rm === 6) { i.base = -1; i.index = -1; return 3; }
  i.base = BASE16[rm]; i.index = INDEX16[rm]; i.scale = 0;
  return rm === 2 || rm === 3 || rm === 6 ? 2 : 3;
}

function readImm(src: CodeFetcher, k: number, kind: Imm, osz: number, asz: number, i: DecodedInsn, second: boolean): number {
  let n: number;
  switch (kind) {
    case Imm.B: n = 1; break;
    case Imm.W: n = 2; break;
    case Imm.D: n = 4; break;
    case Imm.Z: n = osz === 2 ? 2 : 4; break;
    case Imm.V: n = osz; break;
    case Imm.O: n = asz; break;
    case Imm.Ap: n = osz === 2 ? 4 : 6; break;
    default: n = 0;
  }
  if (k + n > 15) return -1;
  let lo = 0, hi = 0;
  for (let j = 0; j < n && j < 4; j++) lo |= src.fetch(k + j) << (8 * j);
  for (let j = 4; j < n; j++) hi |= src.fetch(k + j) << (8 * (j - 4));
  if (kind === Imm.Ap) {
    // offset (2 or 4 bytes) then selector.
    if (n === 4) { i.imm = lo & 0xffff; i.imm2 = lo >>> 16; } else { i.imm = lo; i.imm2 = hi & 0xffff; }
    return k + n;
  }
  if (kind === Imm.O || kind === Imm.W) { if (n === 2) lo &= 0xffff; }
  else if (n === 1) { lo = (lo << 24) >> 24; hi = lo >> 31; }
  else if (n === 2) { lo = (lo << 16) >> 16; hi = lo >> 31; }
  else if (n === 4) hi = lo >> 31;
  if (second) i.imm2 = lo;
  else { i.imm = lo; i.immHi = hi; }
  return k + n;
}
