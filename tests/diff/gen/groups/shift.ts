// Shifts and rotates (SHL/SAL/SHR/SAR/ROL/ROR/RCL/RCR) by 1, imm8 and CL, counts
// 0..63 plus a few above to check masking; SHLD/SHRD. Flag rules: SDM Vol. 2B
// "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD".
import { AF, CF, OF, PF, SF, ZF } from '../flags.ts';
import type { GenContext, Width } from '../context.ts';
import { type InstructionGroup, memAvoid } from '../group.ts';

function count(ctx: GenContext): number {
  return ctx.rng.bool(0.9) ? ctx.rng.int(64) : ctx.rng.range(64, 255);
}

/** Destination (register or memory) and the count operand; emits `mov cl, n` for CL. */
function operands(ctx: GenContext, w: Width, n: number, byCl: boolean): string {
  if (ctx.rng.bool(0.6)) {
    const dst = ctx.reg(w, byCl ? [1] : []);
    if (byCl) ctx.emit(`mov cl, ${n}`);
    return dst;
  }
  const dst = ctx.mem(w, byCl ? [1] : []);
  if (byCl) ctx.emit(`mov cl, ${n}`);
  return dst;
}

function shiftRotate(ctx: GenContext): void {
  const r = ctx.rng;
  const ops = ['shl', 'sal', 'shr', 'sar', 'rol', 'ror'];
  if (ctx.canRead(CF)) ops.push('rcl', 'rcr');
  const op = r.pick(ops);
  const w = ctx.width();
  const how = r.pick(['1', 'imm', 'cl']);
  const n = how === '1' ? 1 : count(ctx);
  const dst = operands(ctx, w, n, how === 'cl');
  ctx.emit(`${op} ${dst}, ${how === 'cl' ? 'cl' : n}`);
  const c = n & (w === 64 ? 63 : 31);
  if (c === 0) return; // masked count 0: flags unaffected
  const of = c === 1 ? OF : 0;
  const ofUndef = c === 1 ? 0 : OF;
  if (op === 'rol' || op === 'ror') {
    ctx.flags(CF | of, ofUndef);
  } else if (op === 'rcl' || op === 'rcr') {
    ctx.flags(CF | of, ofUndef);
  } else {
    // SHL/SHR with count >= operand size leave CF undefined (8- and 16-bit only can reach it).
    const cfUndef = (op === 'shl' || op === 'sal' || op === 'shr') && c >= w;
    ctx.flags((cfUndef ? 0 : CF) | SF | ZF | PF | of, ofUndef | AF | (cfUndef ? CF : 0));
  }
}

function doubleShift(ctx: GenContext): void {
  const r = ctx.rng;
  const op = r.pick(['shld', 'shrd']);
  const w = ctx.width({ no8: true });
  // A 16-bit count above 16 leaves result and flags undefined: not generated.
  const n = w === 16 ? r.int(17) : count(ctx);
  const byCl = r.bool(0.5);
  const src = ctx.reg(w, byCl ? [1] : []);
  // QEMU 7.2 TCG computes a RIP-relative address for SHLD/SHRD Ev,Gv,Ib without the
  // immediate byte (one byte low); the SDM bases it on the next instruction. Not
  // generated; tests/cpu/ripRelative.test.ts checks vmxlab against the SDM instead.
  const dst = r.bool(0.5) ? ctx.reg(w, byCl ? [1] : []) : ctx.mem(w, memAvoid(ctx, [src], byCl ? [1] : []), undefined, !byCl);
  if (byCl) ctx.emit(`mov cl, ${n}`);
  ctx.emit(`${op} ${dst}, ${src}, ${byCl ? 'cl' : n}`);
  const c = n & (w === 64 ? 63 : 31);
  if (c === 0) return;
  ctx.flags(CF | SF | ZF | PF | (c === 1 ? OF : 0), AF | (c === 1 ? 0 : OF));
}

export const shiftGroup: InstructionGroup = {
  name: 'shift',
  weight: 4,
  gen(ctx) {
    if (ctx.rng.bool(0.75)) shiftRotate(ctx);
    else doubleShift(ctx);
  },
};
