// x87 basics: loads (FLD m32/m64/m80 from random scratch bits, FILD, constants,
// FLD ST(i)), arithmetic in register and memory forms, FCHS/FABS/FSQRT/FRNDINT,
// FXCH, FCOMI/FUCOMI (to EFLAGS), stores and integer stores to scratch, FLDCW with
// random rounding and precision control. The stack depth is tracked so nothing
// overflows or underflows, and each case ends by storing every register as an
// 80-bit value into scratch (so the memory hash covers them).
// Not generated, because QEMU 7.2 departs from the SDM there (see tests/baremetal/x87.asm):
// stack faults, the FSW condition codes (C1 "rounded up"), FSIN/FCOS/FPTAN, FPREM quotient bits.
import { CF, OF, PF, SF, ZF, AF } from '../flags.ts';
import { type GenContext, SCRATCH_BYTES } from '../context.ts';
import type { InstructionGroup } from '../group.ts';

const depth = new WeakMap<GenContext, number>();
const getDepth = (ctx: GenContext) => depth.get(ctx) ?? 0;

const KW: Record<number, string> = { 2: 'word', 4: 'dword', 8: 'qword', 10: 'tword' };

/** A memory operand of `size` bytes in scratch (call once per instruction: it may emit setup). */
function mem(ctx: GenContext, size: number): string {
  return `${KW[size]} ${ctx.addr(ctx.rng.int(SCRATCH_BYTES - size + 1))}`;
}

function push(ctx: GenContext): void {
  const r = ctx.rng;
  const d = getDepth(ctx);
  const k = r.int(d > 0 ? 6 : 5);
  if (k === 0) ctx.emit(`fld ${mem(ctx, 8)}`);
  else if (k === 1) ctx.emit(`fld ${mem(ctx, 4)}`);
  else if (k === 2) ctx.emit(`fild ${mem(ctx, r.pick([2, 4, 8]))}`);
  else if (k === 3) ctx.emit(r.pick(['fld1', 'fldz', 'fldpi', 'fldl2e', 'fldln2']));
  else if (k === 4) ctx.emit(`fld ${mem(ctx, 10)}`); // any 80-bit pattern, unnormals included
  else ctx.emit(`fld st${r.int(d)}`);
  depth.set(ctx, d + 1);
}

function arith(ctx: GenContext): void {
  const r = ctx.rng;
  const d = getDepth(ctx);
  const op = r.pick(['fadd', 'fsub', 'fsubr', 'fmul', 'fdiv', 'fdivr']);
  const k = r.int(4);
  if (k === 0 && d >= 2) ctx.emit(`${op} st0, st${1 + r.int(d - 1)}`);
  else if (k === 1 && d >= 2) ctx.emit(`${op} st${1 + r.int(d - 1)}, st0`);
  else if (k === 2 && d >= 2) { ctx.emit(`${op}p st${1 + r.int(d - 1)}, st0`); depth.set(ctx, d - 1); }
  else if (r.bool(0.7)) ctx.emit(`${op} ${mem(ctx, r.pick([4, 8]))}`);
  else ctx.emit(`fi${op.slice(1)} ${mem(ctx, r.pick([2, 4]))}`);
}

function pop(ctx: GenContext): void {
  const r = ctx.rng;
  const d = getDepth(ctx);
  const k = r.int(5);
  if (k === 0) ctx.emit(`fstp ${mem(ctx, 8)}`);
  else if (k === 1) ctx.emit(`fstp ${mem(ctx, 4)}`);
  else if (k === 2) ctx.emit(`fistp ${mem(ctx, r.pick([2, 4, 8]))}`);
  else if (k === 3) ctx.emit(`fstp ${mem(ctx, 10)}`);
  else ctx.emit(`fstp st${r.int(d)}`);
  depth.set(ctx, d - 1);
}

function x87(ctx: GenContext): void {
  const r = ctx.rng;
  const d = getDepth(ctx);
  const k = r.int(10);
  if (d === 0 || (k < 3 && d < 8)) { push(ctx); return; }
  if (k < 6) { arith(ctx); return; }
  if (k === 6) { ctx.emit(r.pick(['fchs', 'fabs', 'fsqrt', 'frndint', d >= 2 ? `fxch st${1 + r.int(d - 1)}` : 'fchs'])); return; }
  if (k === 7 && d >= 2) {
    ctx.emit(`${r.pick(['fcomi', 'fucomi', 'fcomip', 'fucomip'])} st0, st${1 + r.int(d - 1)}`);
    if (/p /.test(ctx.lines[ctx.lines.length - 1])) depth.set(ctx, d - 1);
    // ZF, PF, CF from the compare. The SDM has OF, SF and AF cleared; QEMU 7.2 leaves them
    // alone, so they are masked here (tests/cpu/qemuDiffers.test.ts checks the SDM rule).
    ctx.flags(ZF | PF | CF, OF | SF | AF);
    return;
  }
  if (k === 8) {
    // Rounding control (bits 11:10); exceptions stay masked. Precision control stays at 64
    // bits: QEMU 7.2 also rounds FLD m32/m64 and FILD to it, where the SDM (Vol. 1 8.1.5.2)
    // limits it to FADD/FSUB/FMUL/FDIV/FSQRT (tests/cpu/qemuDiffers.test.ts).
    const cw = 0x37f | (r.int(4) << 10);
    const t = r.int(SCRATCH_BYTES / 2) * 2;
    ctx.emit(`mov word [scratch+${t}], 0x${cw.toString(16)}`, `fldcw [scratch+${t}]`);
    return;
  }
  pop(ctx);
}

/** Stores every x87 register into scratch (as 80-bit values) and resets the unit. */
function finish(ctx: GenContext): void {
  const d = getDepth(ctx);
  for (let k = 0; k < d; k++) ctx.emit(`fstp tword [scratch+${k * 10}]`);
  ctx.emit('fninit');
  depth.set(ctx, 0);
}

export const x87Group: InstructionGroup = {
  name: 'x87',
  weight: 3,
  gen: x87,
  setup: ['fninit'],
  finish,
};
