/**
 * Fast paths: specialised handlers for the commonest decoded forms, chosen
 * once when a block is built (decoder/blockCache.ts). Each one does exactly
 * what the table's generic handler does for that form (same register writes,
 * same lazy-flag record), minus the dispatch on operand kind, size and ALU op.
 * Only register and immediate operands of 32 and 64 bits are specialised;
 * every other form keeps its generic handler.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CcOp, getCF, setCc, setCc64, testCc } from '../flags.ts';
import { GPR, RIP, SEG_LIMIT, segOff } from '../state/layout.ts';
import { SegReg, Vec } from '../arch.ts';
import type { InsnHandler } from './handlerTypes.ts';

/** a op b on uint32 values; records the flags; returns the result. */
type Core32 = (s: Uint32Array, a: number, b: number) => number;
/** a op b on pairs; records the flags; returns the low word, high word in c.hi. */
type Core64 = (c: Cpu, a: number, aHi: number, b: number, bHi: number) => number;

const add32: Core32 = (s, a, b) => { const r = (a + b) >>> 0; setCc(s, CcOp.Add, 4, r, a, b, 0); return r; };
const sub32: Core32 = (s, a, b) => { const r = (a - b) >>> 0; setCc(s, CcOp.Sub, 4, r, a, b, 0); return r; };
const and32: Core32 = (s, a, b) => { const r = (a & b) >>> 0; setCc(s, CcOp.Logic, 4, r, 0, 0, 0); return r; };
const or32: Core32 = (s, a, b) => { const r = (a | b) >>> 0; setCc(s, CcOp.Logic, 4, r, 0, 0, 0); return r; };
const xor32: Core32 = (s, a, b) => { const r = (a ^ b) >>> 0; setCc(s, CcOp.Logic, 4, r, 0, 0, 0); return r; };

const add64: Core64 = (c, a, aHi, b, bHi) => {
  const lo = (a >>> 0) + (b >>> 0);
  const hi = ((aHi >>> 0) + (bHi >>> 0) + (lo > 0xffffffff ? 1 : 0)) >>> 0;
  setCc64(c.s, CcOp.Add, lo >>> 0, hi, a, aHi, b, bHi, 0);
  c.hi = hi;
  return lo >>> 0;
};
const sub64: Core64 = (c, a, aHi, b, bHi) => {
  const lo = (a >>> 0) - (b >>> 0);
  const hi = ((aHi >>> 0) - (bHi >>> 0) - (lo < 0 ? 1 : 0)) >>> 0;
  setCc64(c.s, CcOp.Sub, lo >>> 0, hi, a, aHi, b, bHi, 0);
  c.hi = hi;
  return lo >>> 0;
};
const and64: Core64 = (c, a, aHi, b, bHi) => logic64(c, a & b, aHi & bHi);
const or64: Core64 = (c, a, aHi, b, bHi) => logic64(c, a | b, aHi | bHi);
const xor64: Core64 = (c, a, aHi, b, bHi) => logic64(c, a ^ b, aHi ^ bHi);
function logic64(c: Cpu, lo: number, hi: number): number {
  setCc64(c.s, CcOp.Logic, lo, hi, 0, 0, 0, 0, 0);
  c.hi = hi >>> 0;
  return lo >>> 0;
}

// Operand forms. "write" false is CMP: flags only.
function rr32(core: Core32, dstRm: boolean, write: boolean): InsnHandler {
  if (!write) return dstRm
    ? (c, i) => { const s = c.s; core(s, s[GPR + i.rm * 2], s[GPR + i.reg * 2]); }
    : (c, i) => { const s = c.s; core(s, s[GPR + i.reg * 2], s[GPR + i.rm * 2]); };
  return dstRm
    ? (c, i) => { const s = c.s, d = GPR + i.rm * 2; s[d] = core(s, s[d], s[GPR + i.reg * 2]); s[d + 1] = 0; }
    : (c, i) => { const s = c.s, d = GPR + i.reg * 2; s[d] = core(s, s[d], s[GPR + i.rm * 2]); s[d + 1] = 0; };
}
function ri32(core: Core32, write: boolean, dstRax: boolean): InsnHandler {
  if (dstRax) return write
    ? (c, i) => { const s = c.s; s[GPR] = core(s, s[GPR], i.imm >>> 0); s[GPR + 1] = 0; }
    : (c, i) => { const s = c.s; core(s, s[GPR], i.imm >>> 0); };
  return write
    ? (c, i) => { const s = c.s, d = GPR + i.rm * 2; s[d] = core(s, s[d], i.imm >>> 0); s[d + 1] = 0; }
    : (c, i) => { const s = c.s; core(s, s[GPR + i.rm * 2], i.imm >>> 0); };
}
function rr64(core: Core64, dstRm: boolean, write: boolean): InsnHandler {
  return (c, i) => {
    const s = c.s;
    const d = GPR + (dstRm ? i.rm : i.reg) * 2, src = GPR + (dstRm ? i.reg : i.rm) * 2;
    const lo = core(c, s[d], s[d + 1], s[src], s[src + 1]);
    if (write) { s[d] = lo; s[d + 1] = c.hi; }
  };
}
function ri64(core: Core64, write: boolean, dstRax: boolean): InsnHandler {
  return (c, i) => {
    const s = c.s;
    const d = GPR + (dstRax ? 0 : i.rm) * 2;
    const lo = core(c, s[d], s[d + 1], i.imm >>> 0, i.imm >> 31);
    if (write) { s[d] = lo; s[d + 1] = c.hi; }
  };
}

const CORES: Record<string, [Core32, Core64, boolean]> = {
  ADD: [add32, add64, true], SUB: [sub32, sub64, true], CMP: [sub32, sub64, false],
  AND: [and32, and64, true], OR: [or32, or64, true], XOR: [xor32, xor64, true],
};

/** Handlers by "NAME/size/form", built once. */
const TABLE = new Map<string, InsnHandler>();
for (const [m, [c32, c64, write]] of Object.entries(CORES)) {
  TABLE.set(`${m}_EvGv/4`, rr32(c32, true, write));
  TABLE.set(`${m}_GvEv/4`, rr32(c32, false, write));
  TABLE.set(`${m}_EvGv/8`, rr64(c64, true, write));
  TABLE.set(`${m}_GvEv/8`, rr64(c64, false, write));
  for (const f of ['EvIz', 'EvIb']) {
    TABLE.set(`${m}_${f}/4`, ri32(c32, write, false));
    TABLE.set(`${m}_${f}/8`, ri64(c64, write, false));
  }
  TABLE.set(`${m}_rAXIz/4`, ri32(c32, write, true));
  TABLE.set(`${m}_rAXIz/8`, ri64(c64, write, true));
}

// INC/DEC keep CF (recorded in ccAux, as the generic handler does).
function incDec32(dec: boolean, opcodeReg: boolean): InsnHandler {
  return (c, i) => {
    const s = c.s, d = GPR + (opcodeReg ? i.opc & 7 : i.rm) * 2;
    const a = s[d], cf = getCF(s);
    const r = (dec ? a - 1 : a + 1) >>> 0;
    setCc(s, dec ? CcOp.Dec : CcOp.Inc, 4, r, a, 1, cf);
    s[d] = r; s[d + 1] = 0;
  };
}
function incDec64(dec: boolean): InsnHandler {
  return (c, i) => {
    const s = c.s, d = GPR + i.rm * 2;
    const a = s[d], aHi = s[d + 1], cf = getCF(s);
    const l = dec ? a - 1 : a + 1;
    const lo = l >>> 0, hi = (aHi + (l > 0xffffffff ? 1 : l < 0 ? -1 : 0)) >>> 0;
    setCc64(s, dec ? CcOp.Dec : CcOp.Inc, lo, hi, a, aHi, 1, 0, cf);
    s[d] = lo; s[d + 1] = hi;
  };
}
TABLE.set('INC_Zv/4', incDec32(false, true));
TABLE.set('DEC_Zv/4', incDec32(true, true));
TABLE.set('INC_Ev/4', incDec32(false, false));
TABLE.set('DEC_Ev/4', incDec32(true, false));
TABLE.set('INC_Ev/8', incDec64(false));
TABLE.set('DEC_Ev/8', incDec64(true));

TABLE.set('TEST_EvGv/4', (c, i) => {
  const s = c.s;
  setCc(s, CcOp.Logic, 4, (s[GPR + i.rm * 2] & s[GPR + i.reg * 2]) >>> 0, 0, 0, 0);
});
TABLE.set('TEST_EvGv/8', (c, i) => {
  const s = c.s, a = GPR + i.rm * 2, b = GPR + i.reg * 2;
  setCc64(s, CcOp.Logic, s[a] & s[b], s[a + 1] & s[b + 1], 0, 0, 0, 0, 0);
});
// MOV between registers and from immediates (no flags).
TABLE.set('MOV_EvGv/4', (c, i) => { const s = c.s, d = GPR + i.rm * 2; s[d] = s[GPR + i.reg * 2]; s[d + 1] = 0; });
TABLE.set('MOV_GvEv/4', (c, i) => { const s = c.s, d = GPR + i.reg * 2; s[d] = s[GPR + i.rm * 2]; s[d + 1] = 0; });
TABLE.set('MOV_EvGv/8', (c, i) => { const s = c.s, d = GPR + i.rm * 2, r = GPR + i.reg * 2; s[d] = s[r]; s[d + 1] = s[r + 1]; });
TABLE.set('MOV_GvEv/8', (c, i) => { const s = c.s, d = GPR + i.reg * 2, r = GPR + i.rm * 2; s[d] = s[r]; s[d + 1] = s[r + 1]; });
TABLE.set('MOV_ZvIv/4', (c, i) => { const s = c.s, d = GPR + ((i.opc & 7) | ((i.rex & 1) << 3)) * 2; s[d] = i.imm; s[d + 1] = 0; });
TABLE.set('MOV_ZvIv/8', (c, i) => { const s = c.s, d = GPR + ((i.opc & 7) | ((i.rex & 1) << 3)) * 2; s[d] = i.imm; s[d + 1] = i.immHi; });
TABLE.set('MOV_EvIz/4', (c, i) => { const s = c.s, d = GPR + i.rm * 2; s[d] = i.imm; s[d + 1] = 0; });
TABLE.set('MOV_EvIz/8', (c, i) => { const s = c.s, d = GPR + i.rm * 2; s[d] = i.imm; s[d + 1] = i.imm >> 31; });

/** Jcc: RIP += disp when the condition holds (64-bit: canonical check; else CS limit). */
function jcc(osz: number): InsnHandler {
  if (osz === 8) return (c, i) => {
    const s = c.s;
    if (!testCc(s, i.opc & 15)) return;
    const lo = s[RIP] + i.imm;
    const hi = (s[RIP + 1] + (lo > 0xffffffff ? 1 : lo < 0 ? -1 : 0)) | 0;
    if ((hi >> 15) !== 0 && (hi >> 15) !== -1) c.fault(Vec.GP, 0);
    s[RIP] = lo; s[RIP + 1] = hi;
  };
  return (c, i) => {
    const s = c.s;
    if (!testCc(s, i.opc & 15)) return;
    const t = osz === 2 ? (s[RIP] + i.imm) & 0xffff : (s[RIP] + i.imm) >>> 0;
    if (!c.long64 && t > s[segOff(SegReg.CS, SEG_LIMIT)]) c.fault(Vec.GP, 0);
    s[RIP] = t; s[RIP + 1] = 0;
  };
}
const JCC = [jcc(2), jcc(4), jcc(8)];

/** A specialised handler for `i`, or null to keep the table's. */
export function specialize(i: DecodedInsn): InsnHandler | null {
  const e = i.entry!;
  const name = e.name;
  if (name.charCodeAt(0) === 0x4a /* J */ && (name.endsWith('_Jb') || name.endsWith('_Jz'))
    && name !== 'JMP_Jb' && name !== 'JMP_Jz' && name !== 'JCXZ_Jb') {
    return JCC[i.osz === 2 ? 0 : i.osz === 4 ? 1 : 2];
  }
  if (i.osz !== 4 && i.osz !== 8) return null;
  if (i.modrm >= 0 && i.mod !== 3) return null;
  return TABLE.get(`${name}/${i.osz}`) ?? null;
}
