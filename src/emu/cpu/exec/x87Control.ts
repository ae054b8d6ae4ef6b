/**
 * x87 control instructions (SDM Vol. 1 8.3.12, Vol. 2): FNINIT, FNCLEX, FLDCW, FNSTCW,
 * FNSTSW (m16 and AX), FNSTENV/FLDENV and FNSAVE/FRSTOR in their 16/32-bit and
 * real/protected-mode formats, FNOP, the 8087 leftovers FNENI/FNDISI/FNSETPM (no-ops
 * since the 80287), and WAIT/FWAIT.
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CR0_MP, CR0_TS, Vec } from '../arch.ts';
import { CR0 } from '../state/layout.ts';
import {
  SAVE32_BYTES, afterFnsave, afterFnstenv, loadEnv, loadSave, storeEnv, storeSave,
} from '../fpu/index.ts';
import type { HandlerTable } from './handlerTypes.ts';
import { readEaPlus, writeEaPlus } from './operands.ts';
import { X87Kind, pendingX87, readImage, writeImage, x87 } from './x87Common.ts';

const image = new Uint8Array(SAVE32_BYTES);

/** 32-bit image layout for 32- and 64-bit operand size, 16-bit layout for 66-prefixed code. */
const o32 = (i: DecodedInsn): boolean => i.osz !== 2;
/** Real-address and virtual-8086 modes use the real-mode image layout. */
const realLayout = (c: Cpu): boolean => !c.protectedMode;

function fnstenv(c: Cpu, i: DecodedInsn): void {
  const n = storeEnv(c.fpu, image, 0, o32(i), realLayout(c));
  writeImage(c, i, image, n);
  afterFnstenv(c.fpu);
}

function fldenv(c: Cpu, i: DecodedInsn): void {
  readImage(c, i, image, o32(i) ? 28 : 14);
  loadEnv(c.fpu, image, 0, o32(i), realLayout(c));
}

function fnsave(c: Cpu, i: DecodedInsn): void {
  const n = storeSave(c.fpu, image, 0, o32(i), realLayout(c));
  writeImage(c, i, image, n);
  afterFnsave(c.fpu);
}

function frstor(c: Cpu, i: DecodedInsn): void {
  readImage(c, i, image, o32(i) ? 108 : 94);
  loadSave(c.fpu, image, 0, o32(i), realLayout(c));
}

export function registerX87Control(h: HandlerTable): void {
  h.FNINIT_Ef = x87((c) => c.fpu.reset(), X87Kind.NoWait);
  h.FNCLEX_Ef = x87((c) => c.fpu.clearExceptions(), X87Kind.NoWait);
  for (const n of ['FNENI_Ef', 'FNDISI_Ef', 'FNSETPM_Ef']) h[n] = x87(() => {}, X87Kind.NoWait);
  h.FNSTCW_Mf = x87((c, i) => writeEaPlus(c, i, 0, 2, c.fpu.fcw, 0), X87Kind.NoWait);
  h.FNSTSW_Mf = x87((c, i) => writeEaPlus(c, i, 0, 2, c.fpu.fsw, 0), X87Kind.NoWait);
  h.FNSTSW_Ef = x87((c) => c.setReg(0, 2, c.fpu.fsw, 0), X87Kind.NoWait);
  h.FNSTENV_Mf = x87(fnstenv, X87Kind.NoWait);
  h.FNSAVE_Mf = x87(fnsave, X87Kind.NoWait);
  h.FLDCW_Mf = x87((c, i) => c.fpu.setFcw(readEaPlus(c, i, 0, 2)), X87Kind.Control);
  h.FLDENV_Mf = x87(fldenv, X87Kind.Control);
  h.FRSTOR_Mf = x87(frstor, X87Kind.Control);
  h.FNOP_Ef = x87(() => {}); // not a control instruction: records FIP

  /** WAIT/FWAIT: #NM only when CR0.MP = 1 and TS = 1 (EM is ignored); then pending exceptions. */
  h.FWAIT = (c) => {
    if ((c.s[CR0] & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) c.fault(Vec.NM);
    if (c.fpu.pendingUnmasked) pendingX87(c);
  };
}
