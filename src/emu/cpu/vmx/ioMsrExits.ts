/**
 * I/O instruction and RDMSR/WRMSR exits in non-root operation (SDM 26.1.3,
 * 25.6.4 I/O bitmaps, 25.6.9 MSR bitmaps), with the I/O exit qualification
 * of SDM Table 28-5 and the INS/OUTS instruction information (Table 28-8).
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { PROC } from './controls.ts';
import { EXIT_REASON as R } from './exitReasons.ts';
import { insnExit } from './intercepts.ts';
import * as F from './slots.ts';

/** True if RDMSR/WRMSR of ECX exits: without MSR bitmaps always; else by the bitmap bit (out of range: exits). */
export function msrExits(c: Cpu, proc: number, write: boolean): boolean {
  if ((proc & PROC.USE_MSR_BITMAPS) === 0) return true;
  const idx = c.getReg(1, 4) >>> 0;
  let off: number;
  if (idx <= 0x1fff) off = write ? 0x800 : 0;
  else if (idx >= 0xc0000000 && idx <= 0xc0001fff) off = write ? 0xc00 : 0x400;
  else return true;
  const bit = idx & 0x1fff;
  const pa = c.vmx.cache.lo(F.MSR_BITMAP) + off + (bit >>> 3);
  return ((c.mem.read8(pa) >>> (bit & 7)) & 1) !== 0;
}

/** True if an access of `size` bytes at `port` exits (unconditional I/O exiting or the I/O bitmaps). */
export function ioExits(c: Cpu, port: number, size: number): boolean {
  const v = c.vmx.cache;
  const proc = v.lo(F.CPU_BASED_VM_EXEC_CONTROL);
  if ((proc & PROC.USE_IO_BITMAPS) === 0) return (proc & PROC.UNCOND_IO_EXITING) !== 0;
  for (let p = port; p < port + size; p++) {
    if (p > 0xffff) return true; // wraps around the port space
    const base = p < 0x8000 ? v.lo(F.IO_BITMAP_A) : v.lo(F.IO_BITMAP_B);
    const bit = p & 0x7fff;
    if (((c.mem.read8(base + (bit >>> 3)) >>> (bit & 7)) & 1) !== 0) return true;
  }
  return false;
}

/**
 * Called by IN/OUT/INS/OUTS after their permission checks. `la`/`laHi` is
 * the linear address of the string operand (INS/OUTS). @faults (VM exit)
 */
export function ioIntercept(c: Cpu, i: DecodedInsn, port: number, size: number, input: boolean, str: boolean,
  laLo = 0, laHi = 0): void {
  if (!ioExits(c, port, size)) return;
  const imm = !str && (i.opc & 0xf8) === 0xe0; // E4-E7: port in an immediate
  const q = (size - 1) | (input ? 8 : 0) | (str ? 16 : 0) | (str && i.rep !== 0 ? 32 : 0) | (imm ? 64 : 0) | (port << 16);
  let info = 0;
  if (str) {
    c.vmx.cache.set(F.GUEST_LINEAR_ADDRESS, laLo, laHi);
    info = ((i.asz === 2 ? 0 : i.asz === 4 ? 1 : 2) << 7) | ((input ? 0 : i.seg & 7) << 15);
  }
  insnExit(c, i, R.IO_INSTRUCTION, q >>> 0, 0, info);
}
