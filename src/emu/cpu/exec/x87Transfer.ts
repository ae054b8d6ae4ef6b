/**
 * x87 data transfer (SDM Vol. 2): FLD/FILD/FBLD, FST/FSTP/FIST/FISTP/FISTTP/FBSTP in every
 * memory format, FLD ST(i), FST(P) ST(i) (and the undocumented FSTP1/8/9 aliases), FXCH
 * (and FXCH4/7), FCMOVcc, the FLD constants, FCHS/FABS, and the stack-housekeeping
 * instructions FFREE/FFREEP/FINCSTP/FDECSTP.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CF, PF, Vec, ZF } from '../arch.ts';
import { readFlags } from '../flags.ts';
import {
  F80, K_L2E, K_L2T, K_LG2, K_LN2, K_ONE, K_PI, K_ZERO, bcd, conv, fromBcd, fromF32, fromF64, fromInt32, fromInt64,
  loadConstant, toBcd, toF32, toF64, toInt,
} from '../fpu/index.ts';
import { setIndefinite } from '../fpu/float80.ts';
import { probeWrite } from '../memory.ts';
import type { HandlerTable } from './handlerTypes.ts';
import { readEaPlus, writeEaPlus } from './operands.ts';
import { sti, x87 } from './x87Common.ts';

const v = new F80(), t = new F80(), t2 = new F80();
const bcdIn = new Uint8Array(10);

// ---- loads -----------------------------------------------------------------------------

/** Pushes v unless ST(7) is in use (stack overflow: masked response pushes the indefinite). */
function pushValue(c: Cpu, val: F80): void {
  const f = c.fpu;
  if (!f.pushOverflow(t)) f.push(val);
}

/** FLD m32fp (D9), m64fp (DD), m80fp (DB /5). @faults */
function fldMem(c: Cpu, i: DecodedInsn): void {
  const f = c.fpu;
  if (i.opc === 0xdb) {
    const lo = readEaPlus(c, i, 0, 8), hi = c.hi, se = readEaPlus(c, i, 8, 2);
    f.begin();
    pushValue(c, v.set(se, hi, lo));
  } else {
    const lo = i.opc === 0xdd ? readEaPlus(c, i, 0, 8) : readEaPlus(c, i, 0, 4), hi = c.hi;
    const env = f.begin();
    // SNaN (IE) and denormal (DE) operands are reported by the conversion.
    if (!f.pushOverflow(t)) {
      if (i.opc === 0xdd ? fromF64(env, lo, hi, v) : fromF32(env, lo, v)) f.push(v);
    }
  }
  f.finish();
}

/** FILD m16int (DF /0), m32int (DB /0), m64int (DF /5): exact. @faults */
function fildMem(c: Cpu, i: DecodedInsn): void {
  if (i.opc === 0xdb) fromInt32(readEaPlus(c, i, 0, 4), v);
  else if (((i.modrm >> 3) & 7) === 5) { const lo = readEaPlus(c, i, 0, 8); fromInt64(lo, c.hi, v); }
  else fromInt32((readEaPlus(c, i, 0, 2) << 16) >> 16, v);
  c.fpu.begin();
  pushValue(c, v);
  c.fpu.finish();
}

// ---- stores ----------------------------------------------------------------------------

/**
 * The common shape of a store from ST(0) to memory: an empty ST(0) is a stack underflow
 * whose masked response stores the format's indefinite; `convert` leaves the bits in
 * conv/bcd and returns false on an unmasked exception (store nothing, do not pop). The
 * memory write happens before anything in the FPU changes, so a #PF leaves it intact.
 */
function store(c: Cpu, i: DecodedInsn, pop: boolean, convert: (c: Cpu) => boolean, indefinite: () => void,
  write: (c: Cpu, i: DecodedInsn) => void): void {
  const f = c.fpu;
  f.begin();
  let ok: boolean;
  if (f.isEmpty(0)) { ok = f.underflow(-1, t); if (ok) indefinite(); }
  else ok = convert(c);
  if (ok) {
    write(c, i);
    if (pop) f.pop();
  }
  f.finish();
}

const writeConv = (size: number) => (c: Cpu, i: DecodedInsn): void => writeEaPlus(c, i, 0, size, conv[0]!, conv[1]!);

function fstMem(c: Cpu, i: DecodedInsn, pop: boolean): void {
  const f = c.fpu;
  switch (i.opc) {
    case 0xd9:
      store(c, i, pop, () => toF32(f.env, f.read(0, v)), () => { conv[0] = 0xffc00000; conv[1] = 0; }, writeConv(4));
      return;
    case 0xdd:
      store(c, i, pop, () => toF64(f.env, f.read(0, v)), () => { conv[0] = 0; conv[1] = 0xfff80000; }, writeConv(8));
      return;
    default: // DB /7: FSTP m80fp, an exact copy of the register
      store(c, i, pop, () => { f.read(0, v); return true; }, () => setIndefinite(v), (cc, ii) => {
        probeWrite(cc, ii.seg, cc.eaLo, cc.eaHi, 10);
        writeEaPlus(cc, ii, 0, 8, v.lo, v.hi);
        writeEaPlus(cc, ii, 8, 2, v.se, 0);
      });
  }
}

/** Integer width of an FIST/FISTP/FISTTP row: DF m16, DB m32, DD (FISTTP) / DF /7 m64. */
function intBits(i: DecodedInsn): number {
  if (i.opc === 0xdb) return 32;
  if (i.opc === 0xdd) return 64;
  return ((i.modrm >> 3) & 7) === 7 ? 64 : 16;
}

function fistMem(c: Cpu, i: DecodedInsn, pop: boolean, truncate: boolean): void {
  const f = c.fpu, bits = intBits(i);
  store(c, i, pop, () => toInt(f.env, f.read(0, v), bits, truncate), () => {
    if (bits === 64) { conv[0] = 0; conv[1] = 0x80000000; } else { conv[0] = bits === 32 ? 0x80000000 : 0x8000; conv[1] = 0; }
  }, writeConv(bits / 8));
}

function fbstp(c: Cpu, i: DecodedInsn): void {
  const f = c.fpu;
  store(c, i, true, () => toBcd(f.env, f.read(0, v)), () => { bcd.fill(0); bcd[7] = 0xc0; bcd[8] = 0xff; bcd[9] = 0xff; },
    (cc, ii) => {
      probeWrite(cc, ii.seg, cc.eaLo, cc.eaHi, 10);
      for (let k = 0; k < 10; k++) writeEaPlus(cc, ii, k, 1, bcd[k]!, 0);
    });
}

/** FST/FSTP ST(i): ST(i) = ST(0) as is; an empty ST(0) stores the indefinite when masked. */
function fstReg(c: Cpu, i: DecodedInsn, pop: boolean): void {
  const f = c.fpu, k = sti(i);
  f.begin();
  let ok = true;
  if (f.isEmpty(0)) ok = f.underflow(k, t);
  else f.write(k, f.read(0, v));
  if (ok && pop) f.pop();
  f.finish();
}

// ---- register moves ------------------------------------------------------------------

function fxch(c: Cpu, i: DecodedInsn): void {
  const f = c.fpu, k = sti(i);
  f.begin();
  if (f.isEmpty(0) || f.isEmpty(k)) {
    // Masked underflow: the empty register(s) take the indefinite, then the exchange.
    const e0 = f.isEmpty(0), ek = f.isEmpty(k);
    if (!f.underflow(-1, t)) { f.finish(); return; }
    setIndefinite(t);
    if (e0) f.write(0, t);
    if (ek) f.write(k, t);
  }
  f.read(0, v); f.read(k, t2);
  f.write(0, t2); f.write(k, v);
  f.finish();
}

/** FCMOVcc: ST(0) = ST(i) when the EFLAGS condition holds. */
function fcmov(test: (fl: number) => boolean): (c: Cpu, i: DecodedInsn) => void {
  return (c, i) => {
    const f = c.fpu, k = sti(i);
    f.begin();
    if (f.isEmpty(0) || f.isEmpty(k)) f.underflow(0, t);
    else if (test(readFlags(c.s))) f.write(0, f.read(k, v));
    f.finish();
  };
}

/** FCHS/FABS: sign bit only; no exceptions apart from underflow; C1 = 0. */
function signOp(c: Cpu, mode: 'chs' | 'abs'): void {
  const f = c.fpu;
  f.begin();
  if (f.isEmpty(0)) f.underflow(0, t);
  else {
    f.read(0, v);
    v.se = mode === 'chs' ? v.se ^ 0x8000 : v.se & 0x7fff;
    f.write(0, v);
  }
  f.finish();
}

function fldConst(k: number): (c: Cpu) => void {
  return (c) => {
    const env = c.fpu.begin();
    pushValue(c, loadConstant(k, env.rc, v));
    c.fpu.finish();
  };
}

export function registerX87Transfer(h: HandlerTable): void {
  h.FLD_Mf = x87(fldMem);
  h.FILD_Mf = x87(fildMem);
  h.FBLD_Mf = x87((c, i) => {
    for (let k = 0; k < 10; k++) bcdIn[k] = readEaPlus(c, i, k, 1);
    fromBcd(bcdIn, 0, v);
    c.fpu.begin(); pushValue(c, v); c.fpu.finish();
  });
  h.FLD_Ef = x87((c, i) => {
    const f = c.fpu, k = sti(i);
    f.begin();
    if (!f.pushOverflow(t)) {
      if (f.isEmpty(k)) { if (f.underflow(-1, t)) { setIndefinite(v); f.push(v); } }
      else f.push(f.read(k, v));
    }
    f.finish();
  });
  h.FST_Mf = x87((c, i) => fstMem(c, i, false));
  h.FSTP_Mf = x87((c, i) => fstMem(c, i, true));
  h.FIST_Mf = x87((c, i) => fistMem(c, i, false, false));
  h.FISTP_Mf = x87((c, i) => fistMem(c, i, true, false));
  h.FISTTP_Mf = x87((c, i) => {
    if (!c.cpuid.has('SSE3')) c.fault(Vec.UD);
    fistMem(c, i, true, true);
  });
  h.FBSTP_Mf = x87(fbstp);
  h.FST_Ef = x87((c, i) => fstReg(c, i, false));
  for (const n of ['FSTP_Ef', 'FSTP1_Ef', 'FSTP8_Ef', 'FSTP9_Ef']) h[n] = x87((c, i) => fstReg(c, i, true));
  for (const n of ['FXCH_Ef', 'FXCH4_Ef', 'FXCH7_Ef']) h[n] = x87(fxch);

  h.FCMOVB_Ef = x87(fcmov((e) => (e & CF) !== 0));
  h.FCMOVE_Ef = x87(fcmov((e) => (e & ZF) !== 0));
  h.FCMOVBE_Ef = x87(fcmov((e) => (e & (CF | ZF)) !== 0));
  h.FCMOVU_Ef = x87(fcmov((e) => (e & PF) !== 0));
  h.FCMOVNB_Ef = x87(fcmov((e) => (e & CF) === 0));
  h.FCMOVNE_Ef = x87(fcmov((e) => (e & ZF) === 0));
  h.FCMOVNBE_Ef = x87(fcmov((e) => (e & (CF | ZF)) === 0));
  h.FCMOVNU_Ef = x87(fcmov((e) => (e & PF) === 0));

  h.FCHS_Ef = x87((c) => signOp(c, 'chs'));
  h.FABS_Ef = x87((c) => signOp(c, 'abs'));
  const consts: [string, number][] = [
    ['FLD1', K_ONE], ['FLDL2T', K_L2T], ['FLDL2E', K_L2E], ['FLDPI', K_PI], ['FLDLG2', K_LG2], ['FLDLN2', K_LN2],
    ['FLDZ', K_ZERO],
  ];
  for (const [n, k] of consts) h[`${n}_Ef`] = x87(fldConst(k));

  // Stack housekeeping. Not control instructions in the SDM's sense (Vol. 1 8.1.8 lists
  // those): they record FIP like any other. C1 = 0.
  h.FFREE_Ef = x87((c, i) => { c.fpu.free(sti(i)); });
  h.FFREEP_Ef = x87((c, i) => { c.fpu.free(sti(i)); c.fpu.incTop(); });
  h.FINCSTP_Ef = x87((c) => { const f = c.fpu; f.begin(); f.incTop(); f.finish(); });
  h.FDECSTP_Ef = x87((c) => { const f = c.fpu; f.begin(); f.decTop(); f.finish(); });
}
