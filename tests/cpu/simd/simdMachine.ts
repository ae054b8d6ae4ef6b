/**
 * Test helpers for the SIMD instructions: a long-mode TestMachine with
 * CR4.OSFXSR/OSXMMEXCPT set, and XMM/MMX/MXCSR accessors.
 */
import { TestMachine, type Mode } from '../testMachine.ts';
import { CR4, FPU, MXCSR, XMM } from '../../../src/emu/cpu/state/layout.ts';

export const OSFXSR = 1 << 9, OSXMMEXCPT = 1 << 10;

export function simdMachine(src: string, opts: { mode?: Mode; mxcsr?: number; cr4Clear?: number } = {}): TestMachine {
  const m = new TestMachine(opts.mode ?? 'long64');
  const s = m.cpu.s;
  s[CR4] = (s[CR4] | OSFXSR | OSXMMEXCPT) & ~(opts.cr4Clear ?? 0);
  m.cpu.syncMmu();
  if (opts.mxcsr !== undefined) s[MXCSR] = opts.mxcsr;
  return m.load(src);
}

/** XMM register as 32 hex digits, most significant first. */
export function xmm(m: TestMachine, r: number): string {
  const s = m.cpu.s;
  let out = '';
  for (let k = 3; k >= 0; k--) out += s[XMM + 4 * r + k].toString(16).padStart(8, '0');
  return out;
}
/** XMM dwords, low first. */
export function xmmDwords(m: TestMachine, r: number): number[] {
  const s = m.cpu.s;
  return [0, 1, 2, 3].map((k) => s[XMM + 4 * r + k]);
}
export function setXmm(m: TestMachine, r: number, dwordsLowFirst: number[]): void {
  const s = m.cpu.s;
  dwordsLowFirst.forEach((v, k) => { s[XMM + 4 * r + k] = v >>> 0; });
}
/** MMi as 16 hex digits. */
export function mm(m: TestMachine, r: number): string {
  const s = m.cpu.s;
  return s[FPU + 3 * r + 1].toString(16).padStart(8, '0') + s[FPU + 3 * r].toString(16).padStart(8, '0');
}
export function mxcsr(m: TestMachine): number {
  return m.cpu.s[MXCSR];
}
