// SSE/SSE2 on XMM0-7: integer moves and arithmetic, and floating point (packed
// and scalar single/double arithmetic, MIN/MAX/SQRT, compares to masks and to
// EFLAGS, conversions between int and float and between widths, moves and
// shuffles). Programs using it are built with -DWANT_SSE (the runtime sets
// CR4.OSFXSR) and dump XMM0-7 after the general registers; MXCSR stays at its
// reset value and is not dumped (QEMU 7.2 does not set DE).
import { type GenContext, SCRATCH_BYTES } from '../context.ts';
import type { InstructionGroup } from '../group.ts';

const BINARY = ['paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubd', 'psubq', 'pand', 'pandn', 'por', 'pxor',
  'pcmpeqb', 'pcmpeqd', 'pcmpgtw', 'pmullw', 'pmuludq', 'punpcklbw', 'punpckhdq', 'paddusb', 'psubsw'];

function xmm(ctx: GenContext): string {
  return `xmm${ctx.rng.int(8)}`;
}

const FLOAT_OPS = ['add', 'sub', 'mul', 'div', 'min', 'max', 'sqrt'];

/** An XMM register or an aligned 16-byte scratch operand (legacy SSE needs alignment). */
function xmmOrMem(ctx: GenContext, size: number): string {
  const r = ctx.rng;
  if (r.bool(0.7)) return xmm(ctx);
  return size === 16 ? ctx.addr(r.int(SCRATCH_BYTES / 16) * 16) : `${size === 8 ? 'qword' : 'dword'} ${ctx.addr(r.int(SCRATCH_BYTES / size) * size)}`;
}

function float(ctx: GenContext): void {
  const r = ctx.rng;
  const k = r.int(7);
  if (k < 3) {
    const op = r.pick(FLOAT_OPS);
    const form = r.pick(['ps', 'pd', 'ss', 'sd']);
    const size = form[0] === 'p' ? 16 : form === 'ss' ? 4 : 8;
    // The destination is made an ordinary number first (its bits converted as integers), so at
    // most one operand is a NaN: with two, the SDM returns the first and QEMU 7.2 the second.
    const dst = xmm(ctx);
    ctx.emit(`${form[1] === 's' ? 'cvtdq2ps' : 'cvtdq2pd'} ${dst}, ${dst}`);
    ctx.emit(`${op}${form} ${dst}, ${xmmOrMem(ctx, size)}`);
  } else if (k === 3) {
    // Int -> float keeps most lanes ordinary numbers (random bits are NaN 1 time in 256).
    const op = r.pick(['cvtdq2ps', 'cvtdq2pd', 'cvtps2pd', 'cvtpd2ps', 'cvtss2sd', 'cvtsd2ss', 'cvttps2dq', 'cvtps2dq', 'cvttpd2dq']);
    ctx.emit(`${op} ${xmm(ctx)}, ${xmm(ctx)}`);
  } else if (k === 4) {
    const long = ctx.mode === 64 && r.bool(0.5);
    const gpr = ctx.reg(long ? 64 : 32);
    if (r.bool(0.5)) ctx.emit(`${r.pick(['cvtsi2ss', 'cvtsi2sd'])} ${xmm(ctx)}, ${gpr}`);
    else ctx.emit(`${r.pick(['cvttss2si', 'cvttsd2si', 'cvtss2si', 'cvtsd2si'])} ${gpr}, ${xmm(ctx)}`);
  } else if (k === 5) {
    if (r.bool(0.5)) {
      ctx.emit(`cmp${r.pick(['ps', 'pd', 'ss', 'sd'])} ${xmm(ctx)}, ${xmm(ctx)}, ${r.int(8)}`);
    } else {
      // ZF, PF, CF from the compare; OF, SF, AF cleared.
      ctx.emit(`${r.pick(['comiss', 'ucomiss', 'comisd', 'ucomisd'])} ${xmm(ctx)}, ${xmm(ctx)}`);
      ctx.flags(0x8d5);
    }
  } else {
    const mov = r.pick(['movaps', 'movapd', 'movss', 'movsd', 'movhlps', 'movlhps', 'unpcklps', 'unpckhpd', 'shufps', 'shufpd']);
    const imm = mov.startsWith('shuf') ? `, ${r.int(mov === 'shufpd' ? 4 : 256)}` : '';
    ctx.emit(`${mov} ${xmm(ctx)}, ${xmm(ctx)}${imm}`);
  }
}

function sse(ctx: GenContext): void {
  const r = ctx.rng;
  if (r.bool(0.5)) { float(ctx); return; }
  const k = r.int(5);
  if (k === 0) {
    ctx.emit(`movdqu ${xmm(ctx)}, ${ctx.addr(r.int(SCRATCH_BYTES - 15))}`);
  } else if (k === 1) {
    ctx.emit(`movdqu ${ctx.addr(r.int(SCRATCH_BYTES - 15))}, ${xmm(ctx)}`);
  } else if (k === 2) {
    ctx.emit(`pshufd ${xmm(ctx)}, ${xmm(ctx)}, ${r.int(256)}`);
  } else if (k === 3) {
    ctx.emit(`${r.pick(['psllq', 'psrld', 'psraw', 'psrldq', 'pslldq'])} ${xmm(ctx)}, ${r.int(40)}`);
  } else {
    const src = r.bool(0.7) ? xmm(ctx) : ctx.addr(r.int(SCRATCH_BYTES / 16) * 16); // aligned for legacy SSE
    ctx.emit(`${r.pick(BINARY)} ${xmm(ctx)}, ${src}`);
  }
}

export const sseGroup: InstructionGroup = {
  name: 'sse',
  weight: 3,
  needs: 'WANT_SSE',
  gen: sse,
};
