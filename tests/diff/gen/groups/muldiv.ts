// MUL/IMUL (one-, two- and three-operand) and DIV/IDIV. Divisions get operands
// chosen so the quotient fits (no #DE); divideErrorCase() builds the opposite
// for the deliberate-fault programs.
import { ALL, CF, OF } from '../flags.ts';
import type { GenContext, Width } from '../context.ts';
import { type InstructionGroup, regAndMem } from '../group.ts';

function mul(ctx: GenContext): void {
  const r = ctx.rng;
  const k = r.int(3);
  if (k === 0) {
    const w = ctx.width();
    const src = r.bool(0.6) ? ctx.reg(w) : ctx.mem(w);
    ctx.emit(`${r.pick(['mul', 'imul'])} ${src}`);
  } else {
    const w = ctx.width({ no8: true });
    const { reg, mem } = regAndMem(ctx, w);
    const src = r.bool(0.5) ? ctx.reg(w) : mem;
    if (k === 1) ctx.emit(`imul ${reg}, ${src}`);
    else ctx.emit(`imul ${reg}, ${src}, ${r.bool(0.5) ? ctx.imm8s() : ctx.imm(w === 64 ? 64 : w)}`);
  }
  ctx.flags(CF | OF, ALL & ~(CF | OF)); // SF, ZF, AF, PF undefined
}

const big = (v: bigint, bits: number) => BigInt.asUintN(bits, v);

/** Dividend (double width) and divisor for an unsigned/signed division whose quotient fits. */
function fittingDivision(ctx: GenContext, w: Width, signed: boolean): { dividend: bigint; divisor: bigint } {
  const r = ctx.rng;
  for (;;) {
    const d = r.value(w);
    if (d === 0n) continue;
    if (!signed) {
      const hi = r.value(w) % d; // high half below the divisor: quotient fits
      return { dividend: (hi << BigInt(w)) | r.value(w), divisor: d };
    }
    const ds = BigInt.asIntN(w, d);
    const q = BigInt.asIntN(w, r.value(w));
    const absD = ds < 0n ? -ds : ds;
    let rem = r.value(w) % absD; // remainder has the dividend's sign (truncating division)
    const prod = q * ds;
    if (prod < 0n || (prod === 0n && r.bool(0.5))) rem = -rem;
    const dividend = prod + rem;
    const lim = 1n << BigInt(2 * w - 1);
    if (dividend < -lim || dividend >= lim) continue;
    // Truncating division must give back q (it does unless rem flipped a zero product).
    const qq = dividend / ds;
    if (qq !== q || qq < -(1n << BigInt(w - 1)) || qq >= 1n << BigInt(w - 1)) continue;
    return { dividend: big(dividend, 2 * w), divisor: big(ds, w) };
  }
}

/** Emits the dividend into AX or rDX:rAX and returns the divisor operand (register or memory),
 *  already loaded with `divisor`. */
function divOperands(ctx: GenContext, w: Width, dividend: bigint, divisor: bigint): string {
  const r = ctx.rng;
  const hex = (v: bigint) => `0x${v.toString(16)}`;
  let src: string;
  // The divisor register must not be rAX/rDX (or AH for 8-bit, which holds dividend bits).
  if (r.bool(0.6)) {
    src = ctx.reg(w, [0, 2]);
    ctx.emit(`mov ${src}, ${hex(divisor)}`);
  } else {
    src = ctx.mem(w, [0, 2]);
    if (w === 64) {
      ctx.emit(`mov rax, ${hex(divisor)}`);
      ctx.emit(`mov ${src}, rax`);
    } else {
      ctx.emit(`mov ${src}, ${hex(divisor)}`);
    }
  }
  const mask = (1n << BigInt(w)) - 1n;
  if (w === 8) {
    ctx.emit(`mov ax, ${hex(dividend & 0xffffn)}`);
  } else {
    const a = w === 16 ? 'ax' : w === 32 ? 'eax' : 'rax';
    const d = w === 16 ? 'dx' : w === 32 ? 'edx' : 'rdx';
    ctx.emit(`mov ${a}, ${hex(dividend & mask)}`);
    ctx.emit(`mov ${d}, ${hex((dividend >> BigInt(w)) & mask)}`);
  }
  return src;
}

function div(ctx: GenContext): void {
  const w = ctx.width();
  const signed = ctx.rng.bool(0.5);
  const { dividend, divisor } = fittingDivision(ctx, w, signed);
  const src = divOperands(ctx, w, dividend, divisor);
  ctx.emit(`${signed ? 'idiv' : 'div'} ${src}`);
  ctx.flags(0, ALL); // all six status flags undefined
}

/** A division that raises #DE: divisor 0, or a quotient that does not fit. */
export function divideErrorCase(ctx: GenContext): void {
  const r = ctx.rng;
  const w = ctx.width();
  const W = BigInt(w);
  const mask = (1n << W) - 1n;
  const kind = r.int(4);
  const signed = kind === 1 || kind === 3 || (kind === 0 && r.bool(0.5));
  let dividend: bigint, divisor: bigint;
  if (kind === 0) {
    divisor = 0n;
    dividend = (r.value(w) << W) | r.value(w);
  } else if (kind === 1) {
    divisor = mask; // -1: MIN / -1 = 2^(w-1) does not fit
    dividend = big(-(1n << (W - 1n)), 2 * w);
  } else if (kind === 2) {
    divisor = r.value(w) | 1n;
    const hi = divisor + (r.value(w) % (mask - divisor + 1n)); // high half >= divisor
    dividend = (hi << W) | r.value(w);
  } else {
    divisor = r.bool(0.5) ? 1n : 2n;
    const hi = (r.value(w) & (mask >> 2n)) | (1n << (W - 2n)); // positive, >= 2^(2w-2)
    dividend = (hi << W) | r.value(w);
  }
  const src = divOperands(ctx, w, dividend, divisor);
  ctx.emit(`${signed ? 'idiv' : 'div'} ${src}`);
}

export const mulDivGroup: InstructionGroup = {
  name: 'muldiv',
  weight: 2,
  gen(ctx) {
    if (ctx.rng.bool(0.6)) mul(ctx);
    else div(ctx);
  },
};
