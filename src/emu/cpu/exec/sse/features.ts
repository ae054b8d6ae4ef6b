/**
 * Which CPUID feature each SIMD handler belongs to (SDM Vol. 2, each
 * instruction's "CPUID Feature Flag" column): an instruction whose extension
 * the CPU model does not advertise is #UD, before any other check.
 */
import type { HandlerTable } from '../handlerTypes.ts';
import type { DecodedInsn } from '../../decoder/decodedInsn.ts';
import { SIMD_FEATURES } from '../../cpuid.ts';

export type SimdFeature = (typeof SIMD_FEATURES)[number];
const bit = (f: SimdFeature): number => 1 << SIMD_FEATURES.indexOf(f);

/** MMX-register forms that SSE (and SSE2) added to the MMX set. */
const SSE_MMX = /^(PAVGB|PAVGW|PMINUB|PMAXUB|PMINSW|PMAXSW|PSADBW|PMULHUW|PSHUFW|PINSRW|PEXTRW|PMOVMSKB|MASKMOVQ|MOVNTQ)_/;
const SSE2_MMX = /^(PADDQ|PSUBQ|PMULUDQ)_/;
const SSE_FP = /^([A-Z]+(PS|SS)|MOVHLPS|MOVLHPS|CVTPI2PS|CVTT?PS2PI|CVTSI2SS|CVTT?SS2SI|U?COMISS)_/;
const SSE3 = /^(HADD|HSUB|ADDSUB|MOVDDUP|MOVSLDUP|MOVSHDUP|LDDQU)/;

/** The feature of a handler registered by module `group` ('base' = MMX/SSE/SSE2 by name). */
export function featureOf(name: string, group: 'base' | 'ssse3' | 'sse41' | 'sse42'): SimdFeature {
  if (group === 'ssse3') return 'SSSE3';
  if (group === 'sse42' || /^(PCMPGTQ|CRC32)_/.test(name)) return 'SSE42';
  if (group === 'sse41' || name === 'MOVNTDQA_VxMx') return 'SSE41';
  if (SSE3.test(name)) return 'SSE3';
  // An MM operand (P, N, Q letters) marks the MMX-register forms.
  if (/P[qd]|Nq|Qq/.test(name.split('_')[1] ?? '') || name === 'EMMS') {
    if (SSE2_MMX.test(name) || /^(MOVQ2DQ|MOVDQ2Q|CVTT?PD2PI|CVTPI2PD)_/.test(name)) return 'SSE2';
    if (SSE_MMX.test(name) || /^CVT/.test(name)) return 'SSE';
    return 'MMX';
  }
  if (SSE_FP.test(name) || /^(MOVUPS|MOVAPS|MOVLPS|MOVHPS|MOVNTPS|MOVMSKPS)_/.test(name)) return 'SSE';
  return 'SSE2';
}

/** Every SIMD extension present: the gate's fast path. */
export const SIMD_ALL = (1 << SIMD_FEATURES.length) - 1;
/** Feature bit by handler name, filled at registration. */
const BIT_OF = new Map<string, number>();

/** The feature bit of the instruction being executed (slow path: models without some extension). */
export function featureBit(i: DecodedInsn): number {
  return BIT_OF.get(i.entry!.name) ?? 0;
}

/** Copies `from` into `h`, recording each handler's feature for the gate in regs.ts. */
export function gated(h: HandlerTable, from: HandlerTable, group: 'base' | 'ssse3' | 'sse41' | 'sse42'): void {
  for (const [name, f] of Object.entries(from)) {
    BIT_OF.set(name, bit(featureOf(name, group)));
    h[name] = f;
  }
}
