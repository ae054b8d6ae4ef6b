/**
 * String instructions MOVS/CMPS/SCAS/LODS/STOS/INS/OUTS with REP/REPE/REPNE
 * (SDM Vol. 2). A repeated instruction runs in chunks: after REP_CHUNK
 * iterations RIP is left on the instruction so interrupts can be taken
 * between iterations, as the SDM allows.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { Rep } from '../decoder/decodedInsn.ts';
import { DF, RF, SegReg } from '../arch.ts';
import { testCc } from '../flags.ts';
import { GPR, RFLAGS, RIP, SEG_BASE_HI, SEG_BASE_LO, segOff } from '../state/layout.ts';
import { ioIntercept } from '../vmx/ioMsrExits.ts';
import { readMem, writeMem } from '../memory.ts';
import { AluOp, alu } from './alu.ts';
import { bulkString, bulkStrings } from './stringBulk.ts';
import { checkIo } from './misc.ts';
import type { HandlerTable } from './handlerTypes.ts';
import type { IoSize } from '../../devices/ioBus.ts';

const REP_CHUNK = 4096;
const enum Str { MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS }

/** Reads index register r (SI/DI/CX) at the address size; hi word in c.hi. */
function idx(c: Cpu, r: number, asz: number): number {
  const s = c.s;
  if (asz === 8) { c.hi = s[GPR + r * 2 + 1]; return s[GPR + r * 2]; }
  c.hi = 0;
  return asz === 4 ? s[GPR + r * 2] : s[GPR + r * 2] & 0xffff;
}

/** Adds delta (+-1..8, or -1 for counts) to index register r at the address size. */
export function bump(c: Cpu, r: number, asz: number, delta: number): void {
  const s = c.s, k = GPR + r * 2;
  if (asz === 8) {
    const l = s[k] + delta;
    s[k + 1] = s[k + 1] + (l > 0xffffffff ? 1 : l < 0 ? -1 : 0);
    s[k] = l;
  } else if (asz === 4) { s[k] = s[k] + delta; s[k + 1] = 0; }
  else s[k] = (s[k] & 0xffff0000) | ((s[k] + delta) & 0xffff);
}

function countZero(c: Cpu, asz: number): boolean {
  const s = c.s;
  if (asz === 8) return s[GPR + 2] === 0 && s[GPR + 3] === 0;
  return (asz === 4 ? s[GPR + 2] : s[GPR + 2] & 0xffff) === 0;
}

/** One iteration. Returns false when a CMPS/SCAS comparison ends a REPE/REPNE. */
function once(c: Cpu, i: DecodedInsn, kind: Str, size: number, srcSeg: number): void {
  const asz = i.asz;
  const d = (c.s[RFLAGS] & DF) !== 0 ? -size : size;
  switch (kind) {
    case Str.MOVS: {
      const si = idx(c, 6, asz), siHi = c.hi;
      const v = readMem(c, srcSeg, si, siHi, size), vHi = c.hi;
      const di = idx(c, 7, asz), diHi = c.hi;
      writeMem(c, SegReg.ES, di, diHi, size, v, vHi);
      bump(c, 6, asz, d); bump(c, 7, asz, d);
      return;
    }
    case Str.CMPS: {
      const si = idx(c, 6, asz), siHi = c.hi;
      const a = readMem(c, srcSeg, si, siHi, size), aHi = c.hi;
      const di = idx(c, 7, asz), diHi = c.hi;
      const b = readMem(c, SegReg.ES, di, diHi, size), bHi = c.hi;
      alu(c, AluOp.CMP, size, a, aHi, b, bHi);
      bump(c, 6, asz, d); bump(c, 7, asz, d);
      return;
    }
    case Str.SCAS: {
      const di = idx(c, 7, asz), diHi = c.hi;
      const b = readMem(c, SegReg.ES, di, diHi, size), bHi = c.hi;
      const a = c.getReg(0, size), aHi = c.hi;
      alu(c, AluOp.CMP, size, a, aHi, b, bHi);
      bump(c, 7, asz, d);
      return;
    }
    case Str.LODS: {
      const si = idx(c, 6, asz), siHi = c.hi;
      const v = readMem(c, srcSeg, si, siHi, size);
      c.setReg(0, size, v, c.hi);
      bump(c, 6, asz, d);
      return;
    }
    case Str.STOS: {
      const v = c.getReg(0, size), vHi = c.hi;
      const di = idx(c, 7, asz), diHi = c.hi;
      writeMem(c, SegReg.ES, di, diHi, size, v, vHi);
      bump(c, 7, asz, d);
      return;
    }
    case Str.INS: {
      const port = c.getReg(2, 2);
      checkIo(c, port, size);
      const di = idx(c, 7, asz), diHi = c.hi;
      if (c.nonRoot) ioIntercept(c, i, port, size, true, true, ...segLinear(c, SegReg.ES, di, diHi));
      // Probe the destination first so a fault does not lose the port read.
      writeMem(c, SegReg.ES, di, diHi, size, 0, 0);
      writeMem(c, SegReg.ES, di, diHi, size, c.io.read(port, size as IoSize), 0);
      bump(c, 7, asz, d);
      return;
    }
    default: {
      const port = c.getReg(2, 2);
      checkIo(c, port, size);
      const si = idx(c, 6, asz), siHi = c.hi;
      if (c.nonRoot) ioIntercept(c, i, port, size, false, true, ...segLinear(c, srcSeg, si, siHi));
      c.io.write(port, size as IoSize, readMem(c, srcSeg, si, siHi, size));
      bump(c, 6, asz, d);
    }
  }
}

function str(c: Cpu, i: DecodedInsn, kind: Str, size: number): void {
  const srcSeg = i.segOverride ? i.seg : SegReg.DS;
  if (i.rep === Rep.None) { once(c, i, kind, size, srcSeg); return; }
  const asz = i.asz;
  const compare = kind === Str.CMPS || kind === Str.SCAS;
  const bulk = (kind === Str.MOVS || kind === Str.STOS) && bulkStrings.enabled && (c.s[RFLAGS] & DF) === 0;
  for (let n = 0; !countZero(c, asz); n++) {
    if (n >= REP_CHUNK) {
      // Resume later: leave RIP on this instruction.
      c.s[RIP] = c.startLo; c.s[RIP + 1] = c.startHi;
      return;
    }
    if (bulk) {
      // A page's worth at once (stringBulk.ts); the chunk still ends after REP_CHUNK elements.
      const done = bulkString(c, kind === Str.MOVS, size, asz, srcSeg, REP_CHUNK - n);
      if (done > 0) { n += done - 1; continue; }
    }
    once(c, i, kind, size, srcSeg);
    bump(c, 1, asz, -1);
    // REPE stops when ZF=0, REPNE when ZF=1.
    if (compare && (i.rep === Rep.F3 ? !testCc(c.s, 4) : testCc(c.s, 4))) return;
    if (c.dataBpHits !== 0 && !countZero(c, asz)) {
      // A data breakpoint traps after this iteration with RIP on the instruction and RF=1 saved (SDM 18.3.1.1).
      c.s[RIP] = c.startLo; c.s[RIP + 1] = c.startHi;
      c.s[RFLAGS] |= RF;
      return;
    }
  }
}

/** Segment base + offset without checks: the guest-linear address a VM exit reports for INS/OUTS. */
function segLinear(c: Cpu, seg: number, off: number, offHi: number): [number, number] {
  const b = segOff(seg, 0);
  const base = c.long64 && seg < SegReg.FS ? 0 : c.s[b + SEG_BASE_LO];
  const l = off + base;
  return [l >>> 0, c.long64 ? (offHi + (seg < SegReg.FS ? 0 : c.s[b + SEG_BASE_HI]) + (l > 0xffffffff ? 1 : 0)) >>> 0 : 0];
}

export function registerString(h: HandlerTable): void {
  const forms: [string, Str, string, string][] = [
    ['MOVS', Str.MOVS, 'Yb,Xb', 'Yv,Xv'], ['CMPS', Str.CMPS, 'Xb,Yb', 'Xv,Yv'], ['SCAS', Str.SCAS, 'AL,Yb', 'rAX,Yv'],
    ['LODS', Str.LODS, 'AL,Xb', 'rAX,Xv'], ['STOS', Str.STOS, 'Yb,AL', 'Yv,rAX'], ['INS', Str.INS, 'Yb,DX', 'Yz,DX'],
    ['OUTS', Str.OUTS, 'DX,Xb', 'DX,Xz'],
  ];
  for (const [m, kind, b, v] of forms) {
    h[`${m}_${b.replace(',', '')}`] = (c, i) => str(c, i, kind, 1);
    const z = kind === Str.INS || kind === Str.OUTS;
    h[`${m}_${v.replace(',', '')}`] = (c, i) => str(c, i, kind, z && i.osz === 8 ? 4 : i.osz);
  }
}
