// SSE/SSE2 integer moves and arithmetic on XMM0-7 (off by default until the
// core implements SSE). Programs using it are built with -DWANT_SSE (the runtime
// sets CR4.OSFXSR) and dump XMM0-7 after the general registers.
import { type GenContext, SCRATCH_BYTES } from '../context.ts';
import type { InstructionGroup } from '../group.ts';

const BINARY = ['paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubd', 'psubq', 'pand', 'pandn', 'por', 'pxor',
  'pcmpeqb', 'pcmpeqd', 'pcmpgtw', 'pmullw', 'pmuludq', 'punpcklbw', 'punpckhdq', 'paddusb', 'psubsw'];

function xmm(ctx: GenContext): string {
  return `xmm${ctx.rng.int(8)}`;
}

function sse(ctx: GenContext): void {
  const r = ctx.rng;
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
