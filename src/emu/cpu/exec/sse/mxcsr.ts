/**
 * MXCSR (SDM Vol. 1 10.2.3) and the SIMD floating-point exception protocol
 * (11.5): flags from every element are gathered per instruction; an unmasked
 * pre-computation exception (IE, DE, ZE) or post-computation exception (OE,
 * UE, PE) raises #XM (CR4.OSXMMEXCPT=1) or #UD (=0) and leaves the destination
 * unchanged; otherwise the flags are ORed into MXCSR and the result stored.
 */
import type { Cpu } from '../../cpu.ts';
import { CR4_OSXMMEXCPT, Vec } from '../../arch.ts';
import { CR4, MXCSR } from '../../state/layout.ts';

export const IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20;
export const MXCSR_DAZ = 0x40, MXCSR_FTZ = 0x8000;
export const MASK_SHIFT = 7;
/** Rounding control (MXCSR bits 14:13, same encoding as x87 RC and ROUNDxx imm8[1:0]). */
export const RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

/** The environment of the instruction in flight (module state: one instruction at a time). */
export const env = {
  rc: 0,
  daz: false,
  /** FTZ applies only while underflow is masked. */
  ftz: false,
  /** UE unmasked: tiny results flag UE even when exact. */
  ueUnmasked: false,
  pre: 0,
  post: 0,
};

/** Reads MXCSR into env and clears the gathered flags. */
export function fpBegin(c: Cpu): void {
  const m = c.s[MXCSR];
  env.rc = (m >>> 13) & 3;
  env.daz = (m & MXCSR_DAZ) !== 0;
  env.ueUnmasked = (m & (UE << MASK_SHIFT)) === 0;
  env.ftz = (m & MXCSR_FTZ) !== 0 && !env.ueUnmasked;
  env.pre = 0;
  env.post = 0;
}

/**
 * Commits the gathered flags. Raises #XM/#UD if any is unmasked (a pre-computation
 * exception suppresses the post-computation flags). Returns normally only when
 * the result may be stored. @faults
 */
export function fpEnd(c: Cpu): void {
  const s = c.s;
  const m = s[MXCSR];
  const unmasked = ~(m >>> MASK_SHIFT) & 0x3f;
  if ((env.pre & unmasked) !== 0) { s[MXCSR] = m | env.pre; simdFault(c); }
  const all = env.pre | env.post;
  s[MXCSR] = m | all;
  if ((all & unmasked) !== 0) simdFault(c);
}

/** @faults always */
export function simdFault(c: Cpu): never {
  c.fault((c.s[CR4] & CR4_OSXMMEXCPT) !== 0 ? Vec.XM : Vec.UD);
}
