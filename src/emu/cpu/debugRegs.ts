/**
 * Debug-register breakpoints (SDM Vol. 3B 18.2 and 18.3.1): instruction
 * breakpoints (fault-class #DB before the instruction) and DR7.GD general
 * detect. MOV to/from DRn itself is in exec/system.ts.
 */
import type { Cpu } from './cpu.ts';
import { CR4_DE, Vec } from './arch.ts';
import { CR4, DR, DR6, DR7 } from './state/layout.ts';

/** DR7 L0-L3 and G0-G3: some breakpoint is enabled (the run loop keeps blocks off then). */
export const DR7_ENABLES = 0xff;
/** DR7.GD (bit 13): general-detect enable. */
export const DR7_GD = 1 << 13;
/** DR6.BD (bit 13): the #DB is a general-detect condition. */
export const DR6_BD = 1 << 13;

/** DR7.R/Wn for breakpoint n: 00 execute, 01 write, 10 I/O, 11 read/write. */
function rw(dr7: number, n: number): number {
  return (dr7 >>> (16 + n * 4)) & 3;
}

/**
 * Instruction-breakpoint check for the instruction at linear address la
 * (SDM 18.3.1.1), called before it runs while RFLAGS.RF = 0. LEN is not
 * looked at: the SDM makes LEN != 00 with R/W = 00 undefined; we match the
 * first byte only. Outside 64-bit mode only the low 32 bits of DRn compare.
 * On a hit of an enabled breakpoint, DR6.B0-B3 are replaced by the set of
 * matching instruction breakpoints, enabled or not (the SDM allows B bits of
 * disabled ones; hardware does set them), and #DB is raised as a fault
 * whose saved RFLAGS keeps RF as it is (0). @faults
 */
export function checkInsnBreakpoints(c: Cpu, laLo: number, laHi: number, wide: boolean): void {
  const s = c.s;
  const dr7 = s[DR7];
  let hit = 0, enabled = false;
  for (let n = 0; n < 4; n++) {
    if (rw(dr7, n) !== 0 || s[DR + n * 2] !== laLo || (wide && s[DR + n * 2 + 1] !== laHi)) continue;
    hit |= 1 << n;
    if (((dr7 >>> (n * 2)) & 3) !== 0) enabled = true;
  }
  if (!enabled) return;
  s[DR6] = (s[DR6] & ~0xf) | hit;
  c.faultKeepsRf = true;
  c.fault(Vec.DB);
}

/**
 * DR7.GD (SDM 18.2.4): MOV to or from any DRn raises a fault-class #DB with
 * DR6.BD set, before the access (after the CPL check and any MOV-DR VM exit,
 * before the #UD for DR4/DR5 with CR4.DE). @faults
 */
export function checkGeneralDetect(c: Cpu): void {
  const s = c.s;
  if ((s[DR7] & DR7_GD) === 0) return;
  s[DR6] |= DR6_BD;
  c.fault(Vec.DB);
}

/** DR7.LENn encodings to byte counts: 00 1, 01 2, 10 8, 11 4 (SDM 18.2.5). */
const LEN_BYTES = [1, 2, 8, 4];

/**
 * Data-breakpoint check for an access of `size` bytes at linear address la
 * (SDM 18.3.1.2), called only while DR7 enables some breakpoint. R/W=01
 * matches writes, 11 reads and writes (not fetches); the breakpoint covers
 * LEN bytes at DRn with its low bits masked (the SDM's alignment rule), and
 * any overlap counts. Hits are collected in c.dataBpHits; the trap-class #DB
 * follows the instruction (Cpu.step). Only enabled breakpoints are recorded.
 */
export function checkDataBreakpoints(c: Cpu, laLo: number, laHi: number, size: number, write: boolean): void {
  const s = c.s;
  const dr7 = s[DR7];
  for (let n = 0; n < 4; n++) {
    if (((dr7 >>> (n * 2)) & 3) === 0) continue;
    const t = rw(dr7, n);
    if (t === 0 || t === 2 || (t === 1 && !write)) continue;
    if (c.long64 && s[DR + n * 2 + 1] !== laHi) continue;
    const len = LEN_BYTES[(dr7 >>> (18 + n * 4)) & 3];
    const start = (s[DR + n * 2] & ~(len - 1)) >>> 0;
    const la = laLo >>> 0;
    if (la < start + len && start < la + size) c.dataBpHits |= 1 << n;
  }
}

/**
 * I/O breakpoints (R/W=10, only while CR4.DE = 1; SDM 18.2.4): an IN, OUT,
 * INS or OUTS of `size` bytes at `port` overlapping the LEN-masked DRn port.
 * Hits join c.dataBpHits: a trap-class #DB after the instruction. Called
 * only while DR7 enables some breakpoint.
 */
export function checkIoBreakpoints(c: Cpu, port: number, size: number): void {
  const s = c.s;
  if ((s[CR4] & CR4_DE) === 0) return;
  const dr7 = s[DR7];
  for (let n = 0; n < 4; n++) {
    if (((dr7 >>> (n * 2)) & 3) === 0 || rw(dr7, n) !== 2) continue;
    const len = LEN_BYTES[(dr7 >>> (18 + n * 4)) & 3];
    const start = s[DR + n * 2] & 0xffff & ~(len - 1);
    if (port < start + len && start < port + size) c.dataBpHits |= 1 << n;
  }
}
