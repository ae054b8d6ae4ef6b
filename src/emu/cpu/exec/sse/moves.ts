/**
 * SSE/SSE2/SSE3/MMX data movement (SDM Vol. 2): MOVAPS/MOVUPS/MOVAPD/MOVUPD,
 * MOVSS/MOVSD, MOVLPS/MOVHPS/MOVLPD/MOVHPD/MOVHLPS/MOVLHPS, MOVSLDUP/MOVSHDUP/
 * MOVDDUP, MOVD/MOVQ (MM, XMM, GPR, memory), MOVDQA/MOVDQU/LDDQU, MOVQ2DQ/
 * MOVDQ2Q, non-temporal stores, MASKMOVQ/MASKMOVDQU, MOVMSKPS/PD, PMOVMSKB,
 * PINSRW/PEXTRW. Aligned forms raise #GP(0) on a misaligned 16-byte operand.
 */
import type { Cpu } from '../../cpu.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import type { HandlerTable, InsnHandler } from '../handlerTypes.ts';
import { GPR } from '../../state/layout.ts';
import { writeMem } from '../../memory.ts';
import { A, B, U16, U32, U8, featureCheck, getM, getX, loadQ, loadW, mmxCheck, putM, putX, readOperand, sseCheck,
  sseMmxCheck, writeOperand } from './regs.ts';

const a32 = A >> 2, b32 = B >> 2;

/** Full 16-byte load (Vx,Wx) and store (Wx,Vx). */
function load128(align: number): InsnHandler {
  return (c, i) => { sseCheck(c, i); loadW(c, i, 16, align); putX(c, i.reg, B); };
}
function store128(align: number): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    getX(c, i.reg, A);
    if (i.mod === 3) putX(c, i.rm, A); else writeOperand(c, i, A, 16, align);
  };
}

/** MOVSS/MOVSD load: register form merges the low element, memory form zero-extends. */
function loadScalar(size: 4 | 8): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    if (i.mod === 3) {
      getX(c, i.rm, B); getX(c, i.reg, A);
      U32[a32] = U32[b32]; if (size === 8) U32[a32 + 1] = U32[b32 + 1];
      putX(c, i.reg, A);
    } else { readOperand(c, i, B, size, 0); putX(c, i.reg, B); }
  };
}
function storeScalar(size: 4 | 8): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    getX(c, i.reg, A);
    if (i.mod !== 3) { writeOperand(c, i, A, size, 0); return; }
    getX(c, i.rm, B);
    U32[b32] = U32[a32]; if (size === 8) U32[b32 + 1] = U32[a32 + 1];
    putX(c, i.rm, B);
  };
}

/** Loads a qword into the low (hi=false) or high half of the destination, keeping the other half. */
function loadHalf(hi: boolean, regForm: 'hl' | 'lh' | null): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    getX(c, i.reg, A);
    if (i.mod === 3) {
      getX(c, i.rm, B);
      // MOVHLPS: low <- source high; MOVLHPS: high <- source low.
      if (regForm === 'hl') { U32[a32] = U32[b32 + 2]; U32[a32 + 1] = U32[b32 + 3]; }
      else { U32[a32 + 2] = U32[b32]; U32[a32 + 3] = U32[b32 + 1]; }
    } else {
      readOperand(c, i, B, 8, 0);
      const d = hi ? a32 + 2 : a32;
      U32[d] = U32[b32]; U32[d + 1] = U32[b32 + 1];
    }
    putX(c, i.reg, A);
  };
}
function storeHalf(hi: boolean): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    getX(c, i.reg, A);
    if (hi) { U32[a32] = U32[a32 + 2]; U32[a32 + 1] = U32[a32 + 3]; }
    writeOperand(c, i, A, 8, 0);
  };
}

/** MOVSLDUP / MOVSHDUP (dwords 0,0,2,2 / 1,1,3,3), MOVDDUP (qword 0 twice; reads 8 bytes). */
function dup(kind: 'l' | 'h' | 'd'): InsnHandler {
  return (c, i) => {
    sseCheck(c, i);
    if (kind === 'd') {
      if (i.mod === 3) getX(c, i.rm, B); else readOperand(c, i, B, 8, 0);
      U32[a32] = U32[b32]; U32[a32 + 1] = U32[b32 + 1]; U32[a32 + 2] = U32[b32]; U32[a32 + 3] = U32[b32 + 1];
    } else {
      loadW(c, i, 16, 16);
      const o = kind === 'l' ? 0 : 1;
      U32[a32] = U32[b32 + o]; U32[a32 + 1] = U32[b32 + o]; U32[a32 + 2] = U32[b32 + 2 + o]; U32[a32 + 3] = U32[b32 + 2 + o];
    }
    putX(c, i.reg, A);
  };
}

/** Ey operand size: 8 with REX.W, else 4. */
const eySize = (i: DecodedInsn): number => ((i.rex & 8) !== 0 ? 8 : 4);

/** Reads the Ey operand (GPR or memory) into lane B, zero-extended to 128 bits. @faults */
function loadEy(c: Cpu, i: DecodedInsn): void {
  const size = eySize(i);
  if (i.mod === 3) {
    const k = GPR + 2 * i.rm;
    U32[b32] = c.s[k]; U32[b32 + 1] = size === 8 ? c.s[k + 1] : 0; U32[b32 + 2] = 0; U32[b32 + 3] = 0;
  } else readOperand(c, i, B, size, 0);
}
/** Writes the low 4/8 bytes of lane A to the Ey operand. @faults */
function storeEy(c: Cpu, i: DecodedInsn): void {
  const size = eySize(i);
  if (i.mod === 3) c.setReg(i.rm, size, U32[a32], U32[a32 + 1]);
  else writeOperand(c, i, A, size, 0);
}

function maskMove(c: Cpu, i: DecodedInsn, n: number): void {
  // DS:rDI (segment override allowed), at the address size.
  const s = c.s;
  let lo = s[GPR + 14], hi = i.asz === 8 ? s[GPR + 15] : 0;
  if (i.asz === 2) lo &= 0xffff;
  for (let k = 0; k < n; k++) {
    if ((U8[B + k] & 0x80) === 0) continue;
    let l = lo + k, h = hi;
    if (i.asz === 8) { if (l > 0xffffffff) h = (h + 1) >>> 0; } else l = i.asz === 4 ? l >>> 0 : l & 0xffff;
    writeMem(c, i.seg, l >>> 0, h, 1, U8[A + k], 0);
  }
}

function movmsk(n: number, elem: number, lane: number): number {
  let m = 0;
  for (let k = 0; k < n / elem; k++) m |= (U8[lane + (k + 1) * elem - 1] >> 7) << k;
  return m;
}

export function registerMoves(h: HandlerTable): void {
  h.MOVUPS_VxWx = load128(0); h.MOVUPD_VxWx = load128(0);
  h.MOVUPS_WxVx = store128(0); h.MOVUPD_WxVx = store128(0);
  h.MOVAPS_VxWx = load128(16); h.MOVAPD_VxWx = load128(16);
  h.MOVAPS_WxVx = store128(16); h.MOVAPD_WxVx = store128(16);
  h.MOVDQA_VxWx = load128(16); h.MOVDQU_VxWx = load128(0);
  h.MOVDQA_WxVx = store128(16); h.MOVDQU_WxVx = store128(0);
  h.LDDQU_VxMx = load128(0);
  h.MOVNTDQA_VxMx = load128(16);
  h.MOVNTPS_MxVx = store128(16); h.MOVNTPD_MxVx = store128(16); h.MOVNTDQ_MxVx = store128(16);
  h.MOVSS_VxWx = loadScalar(4); h.MOVSD_VxWx = loadScalar(8);
  h.MOVSS_WxVx = storeScalar(4); h.MOVSD_WxVx = storeScalar(8);
  h.MOVLPS_VqWq = loadHalf(false, 'hl'); h.MOVLPD_VqMq = loadHalf(false, null);
  h.MOVHPS_VqWq = loadHalf(true, 'lh'); h.MOVHPD_VqMq = loadHalf(true, null);
  h.MOVLPS_MqVq = storeHalf(false); h.MOVLPD_MqVq = storeHalf(false);
  h.MOVHPS_MqVq = storeHalf(true); h.MOVHPD_MqVq = storeHalf(true);
  h.MOVSLDUP_VxWx = dup('l'); h.MOVSHDUP_VxWx = dup('h'); h.MOVDDUP_VxWx = dup('d');

  // MOVD/MOVQ between GPR/memory and MM/XMM.
  h.MOVD_PdEy = (c, i) => { mmxCheck(c, i); loadEy(c, i); putM(c, i.reg, B); };
  h.MOVD_VyEy = (c, i) => { sseCheck(c, i); loadEy(c, i); putX(c, i.reg, B); };
  h.MOVD_EyPd = (c, i) => { mmxCheck(c, i); getM(c, i.reg, A); storeEy(c, i); };
  h.MOVD_EyVy = (c, i) => { sseCheck(c, i); getX(c, i.reg, A); storeEy(c, i); };
  h.MOVQ_PqQq = (c, i) => { mmxCheck(c, i); loadQ(c, i); putM(c, i.reg, B); };
  h.MOVQ_QqPq = (c, i) => {
    mmxCheck(c, i); getM(c, i.reg, A);
    if (i.mod === 3) putM(c, i.rm, A); else writeOperand(c, i, A, 8, 0);
  };
  h.MOVNTQ_MqPq = (c, i) => { mmxCheck(c, i); getM(c, i.reg, A); writeOperand(c, i, A, 8, 0); };
  // F3 0F 7E: load a qword, zeroing bits 127:64.
  h.MOVQ_VqWq = (c, i) => {
    sseCheck(c, i);
    if (i.mod === 3) { getX(c, i.rm, B); U32[b32 + 2] = 0; U32[b32 + 3] = 0; } else readOperand(c, i, B, 8, 0);
    putX(c, i.reg, B);
  };
  // 66 0F D6: store the low qword; the register form zeroes the destination's high half.
  h.MOVQ_WqVq = (c, i) => {
    sseCheck(c, i); getX(c, i.reg, A);
    if (i.mod !== 3) { writeOperand(c, i, A, 8, 0); return; }
    U32[a32 + 2] = 0; U32[a32 + 3] = 0; putX(c, i.rm, A);
  };
  h.MOVQ2DQ_VxNq = (c, i) => {
    sseMmxCheck(c, i); getM(c, i.rm, B); U32[b32 + 2] = 0; U32[b32 + 3] = 0; putX(c, i.reg, B);
  };
  h.MOVDQ2Q_PqUx = (c, i) => { sseMmxCheck(c, i); getX(c, i.rm, B); putM(c, i.reg, B); };
  h.MOVNTI_MyGy = (c, i) => {
    featureCheck(c, i);
    const size = eySize(i);
    const v = c.getReg(i.reg, size);
    writeMem(c, i.seg, c.eaLo, c.eaHi, size, v, size === 8 ? c.hi : 0);
  };
  h.MASKMOVQ_PqNq = (c, i) => { mmxCheck(c, i); getM(c, i.reg, A); getM(c, i.rm, B); maskMove(c, i, 8); };
  h.MASKMOVDQU_VdqUdq = (c, i) => { sseCheck(c, i); getX(c, i.reg, A); getX(c, i.rm, B); maskMove(c, i, 16); };

  h.MOVMSKPS_GyUx = (c, i) => { sseCheck(c, i); getX(c, i.rm, B); c.setReg(i.reg, 4, movmsk(16, 4, B), 0); };
  h.MOVMSKPD_GyUx = (c, i) => { sseCheck(c, i); getX(c, i.rm, B); c.setReg(i.reg, 4, movmsk(16, 8, B), 0); };
  h.PMOVMSKB_GdNq = (c, i) => { mmxCheck(c, i); getM(c, i.rm, B); c.setReg(i.reg, 4, movmsk(8, 1, B), 0); };
  h.PMOVMSKB_GdUx = (c, i) => { sseCheck(c, i); getX(c, i.rm, B); c.setReg(i.reg, 4, movmsk(16, 1, B), 0); };

  // PINSRW: the low word of a GPR or a 16-bit memory operand; PEXTRW zero-extends into the GPR.
  const pinsrw = (c: Cpu, i: DecodedInsn, words: number): number => {
    const v = i.mod === 3 ? c.s[GPR + 2 * i.rm] & 0xffff : (readOperand(c, i, B, 2, 0), U16[B >> 1]);
    U16[(A >> 1) + ((i.imm & 0xff) & (words - 1))] = v;
    return v;
  };
  h.PINSRW_PqEwIb = (c, i) => { mmxCheck(c, i); getM(c, i.reg, A); pinsrw(c, i, 4); putM(c, i.reg, A); };
  h.PINSRW_VxEwIb = (c, i) => { sseCheck(c, i); getX(c, i.reg, A); pinsrw(c, i, 8); putX(c, i.reg, A); };
  h.PEXTRW_GdNqIb = (c, i) => { mmxCheck(c, i); getM(c, i.rm, B); c.setReg(i.reg, 4, U16[(B >> 1) + (i.imm & 3)], 0); };
  h.PEXTRW_GdUxIb = (c, i) => { sseCheck(c, i); getX(c, i.rm, B); c.setReg(i.reg, 4, U16[(B >> 1) + (i.imm & 7)], 0); };

  h.EMMS = (c, i) => {
    // #UD/#NM/#MF as MMX, then every tag empty.
    mmxCheck(c, i);
    setEmpty(c);
  };
}

function setEmpty(c: Cpu): void { c.fpu.ftwAbridged = 0; }
