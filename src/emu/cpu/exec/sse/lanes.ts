/**
 * Handler builders for packed operations over the scratch lanes (regs.ts).
 * A lane op computes R from A (destination / first source) and B (second
 * source) for `n` bytes (8 for MMX, 16 for XMM) and an immediate; the builders
 * add the mode checks, operand loads and the store of R to the destination.
 */
import type { Cpu } from '../../cpu.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import type { HandlerTable, InsnHandler } from '../handlerTypes.ts';
import { A, B, R, getM, getX, loadQ, loadW, mmxCheck, putM, putX, sseCheck } from './regs.ts';

/** R = f(A, B) over n bytes; imm is the Ib immediate (0-255) when there is one. */
export type LaneOp = (n: number, imm: number) => void;

/** Vx,Wx form: XMM destination, XMM/m128 source (aligned unless `align` is 0). */
export function xmmOp(f: LaneOp, align = 16): InsnHandler {
  return (c: Cpu, i: DecodedInsn) => {
    sseCheck(c, i);
    getX(c, i.reg, A);
    loadW(c, i, 16, align);
    f(16, i.imm & 0xff);
    putX(c, i.reg, R);
  };
}

/** Pq,Qq form: MM destination, MM/m64 source. */
export function mmxOp(f: LaneOp): InsnHandler {
  return (c: Cpu, i: DecodedInsn) => {
    mmxCheck(c, i);
    getM(c, i.reg, A);
    loadQ(c, i);
    f(8, i.imm & 0xff);
    putM(c, i.reg, R);
  };
}

/** Registers NAME_PqQq and NAME_VxWx (with an Ib suffix when `ib`). */
export function both(h: HandlerTable, name: string, f: LaneOp, ib = false): void {
  const sfx = ib ? 'Ib' : '';
  h[`${name}_PqQq${sfx}`] = mmxOp(f);
  h[`${name}_VxWx${sfx}`] = xmmOp(f);
}
/** Registers only the 66-prefixed XMM form. */
export function xmmOnly(h: HandlerTable, name: string, f: LaneOp, ib = false): void {
  h[`${name}_VxWx${ib ? 'Ib' : ''}`] = xmmOp(f);
}

/** Saturation helpers. */
export const sat8s = (v: number): number => (v > 127 ? 127 : v < -128 ? -128 : v);
export const sat8u = (v: number): number => (v > 255 ? 255 : v < 0 ? 0 : v);
export const sat16s = (v: number): number => (v > 32767 ? 32767 : v < -32768 ? -32768 : v);
export const sat16u = (v: number): number => (v > 65535 ? 65535 : v < 0 ? 0 : v);

export { A, B, R };
