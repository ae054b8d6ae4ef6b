// An instruction group: a switchable slice of the generator's menu. Groups that
// the CPU core cannot run yet are simply left out of the enabled list.
import type { GenContext, Mode, Width } from './context.ts';

export interface InstructionGroup {
  name: string;
  /** Modes the group can generate for (default: both). */
  modes?: Mode[];
  /** Relative frequency among enabled groups. */
  weight: number;
  /** Appends one instruction (plus any setup) to ctx; records its flag effects. */
  gen(ctx: GenContext): void;
  /** Lines run once before the first case (e.g. FNINIT: the reset FCW unmasks every x87 exception). */
  setup?: string[];
  /** Appends what a case needs after its last instruction (e.g. emptying the x87 stack). */
  finish?(ctx: GenContext): void;
  /** Extra runtime support the program needs (NASM -D define), e.g. 'WANT_SSE'. */
  needs?: string;
}

const HIGH8 = ['ah', 'ch', 'dh', 'bh'];

/** Avoid list for a memory operand used with `regs`: no REX base/index with AH..BH. */
export function memAvoid(ctx: GenContext, regs: string[], extra: number[] = []): number[] {
  if (ctx.mode === 64 && regs.some((r) => HIGH8.includes(r))) return [...extra, 8, 9, 10, 11, 12, 13, 14, 15];
  return extra;
}

/** A register and a compatible memory operand of the same width. */
export function regAndMem(ctx: GenContext, width: Width, avoid: number[] = []): { reg: string; mem: string } {
  const reg = ctx.reg(width, avoid);
  const mem = ctx.mem(width, memAvoid(ctx, [reg], avoid));
  return { reg, mem };
}
