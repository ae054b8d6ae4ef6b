// The 'sse4' group: SSE3/SSSE3/SSE4.1/SSE4.2 (integer, PCMPxSTRx, ROUNDPS, DPPS, HADD)
// and SSE/SSE2 float arithmetic and conversions on XMM0-7, off by default. Float sources are first converted from the integer bits
// they hold (CVTDQ2PS/CVTDQ2PD), so no operand is a NaN whose payload QEMU would pick
// by the x87 rule instead of the SSE one (see tests/baremetal/simd.asm); NaNs that
// arise are the default NaN on both sides. MXCSR is not dumped: results only.
import { type GenContext, SCRATCH_BYTES } from '../context.ts';
import type { InstructionGroup } from '../group.ts';

const PS = ['addps', 'subps', 'mulps', 'divps', 'minps', 'maxps', 'sqrtps', 'haddps', 'hsubps', 'addsubps',
  'addss', 'subss', 'mulss', 'divss', 'sqrtss', 'minss', 'maxss', 'unpcklps', 'andnps'];
const PD = ['addpd', 'subpd', 'mulpd', 'divpd', 'minpd', 'maxpd', 'sqrtpd', 'haddpd', 'addsubpd',
  'addsd', 'mulsd', 'divsd', 'sqrtsd', 'unpckhpd'];
const CONV = ['cvtps2dq', 'cvttps2dq', 'cvtps2pd', 'cvtpd2ps', 'cvtpd2dq', 'cvttpd2dq', 'cvtss2sd', 'cvtsd2ss'];
const INT = ['pshufb', 'phaddw', 'phaddsw', 'phsubd', 'pmaddubsw', 'psignw', 'pmulhrsw', 'pabsb', 'pabsd',
  'pmovsxbw', 'pmovzxwd', 'pmovsxdq', 'pmuldq', 'pmulld', 'pcmpeqq', 'pcmpgtq', 'packusdw', 'pminsb', 'pmaxsd',
  'pminuw', 'pmaxud', 'phminposuw', 'pmaddwd', 'psadbw', 'pavgw', 'pmulhuw', 'packsswb', 'packuswb',
  'punpckhbw', 'punpcklqdq', 'pminub', 'pmaxsw', 'pcmpgtb', 'psubusw', 'paddsb'];

const xmm = (ctx: GenContext): string => `xmm${ctx.rng.int(8)}`;

function sseFloat(ctx: GenContext): void {
  const r = ctx.rng;
  const k = r.int(8);
  if (k <= 2) {
    const double = k === 2;
    const d = xmm(ctx), s = xmm(ctx);
    const cv = double ? 'cvtdq2pd' : 'cvtdq2ps';
    ctx.emit(`${cv} ${d}, ${d}`, `${cv} ${s}, ${s}`, `${r.pick(double ? PD : PS)} ${d}, ${s}`);
  } else if (k === 3) {
    const d = xmm(ctx), s = xmm(ctx), kind = r.int(4);
    ctx.emit(`cvtdq2ps ${s}, ${s}`);
    if (kind === 0) ctx.emit(`roundps ${d}, ${s}, ${r.int(16)}`);
    else if (kind === 1) ctx.emit(`cmpps ${d}, ${s}, ${r.int(8)}`);
    else if (kind === 2) ctx.emit(`cvtdq2ps ${d}, ${d}`, `dpps ${d}, ${s}, ${r.int(256)}`);
    else ctx.emit(`${r.pick(CONV)} ${d}, ${s}`);
  } else if (k === 4) {
    // PCMPxSTRI/M: index in ECX, mask in XMM0, flags all defined (AF = PF = 0).
    const op = r.pick(['pcmpistri', 'pcmpistrm', 'pcmpestri', 'pcmpestrm']);
    if (op.startsWith('pcmpe') || op.endsWith('i')) {
      // Explicit forms read EAX/EDX; index forms write ECX: all fine as random GPR state.
    }
    ctx.emit(`${op} ${xmm(ctx)}, ${xmm(ctx)}, ${r.int(128)}`);
    ctx.flags(0x8d5);
  } else if (k === 5) {
    const src = r.bool(0.7) ? xmm(ctx) : ctx.addr(r.int(SCRATCH_BYTES / 16) * 16);
    ctx.emit(`palignr ${xmm(ctx)}, ${src}, ${r.int(32)}`);
  } else {
    const src = r.bool(0.7) ? xmm(ctx) : ctx.addr(r.int(SCRATCH_BYTES / 16) * 16);
    ctx.emit(`${r.pick(INT)} ${xmm(ctx)}, ${src}`);
  }
}

export const sseFloatGroup: InstructionGroup = {
  name: 'sse4',
  weight: 3,
  needs: 'WANT_SSE',
  gen: sseFloat,
};
