/**
 * Control-register and debug-register accesses in non-root operation
 * (SDM 26.1.3): guest/host masks and read shadows for CR0/CR4, the CR3-target
 * list, CR8 load/store exiting, CLTS and LMSW, MOV DR; with the exit
 * qualifications of SDM Table 28-3 (CR) and 28-4 (DR).
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CR4_DE, Vec } from '../arch.ts';
import { CR4 } from '../state/layout.ts';
import { operandLinear, readE } from '../exec/operands.ts';
import { PROC } from './controls.ts';
import { EXIT_REASON as R } from './exitReasons.ts';
import { insnExit } from './intercepts.ts';
import * as F from './slots.ts';

const enum Access { MovTo = 0, MovFrom = 1, Clts = 2, Lmsw = 3 }
const CR3_TARGETS = [F.CR3_TARGET_VALUE0, F.CR3_TARGET_VALUE1, F.CR3_TARGET_VALUE2, F.CR3_TARGET_VALUE3];

function qual(cr: number, access: Access, gpr: number): number {
  return cr | (access << 4) | (gpr << 8);
}

/** @faults (VM exit) */
export function crAccessExit(c: Cpu, i: DecodedInsn, proc: number): void {
  const v = c.vmx.cache;
  const name = i.entry!.name;
  if (name === 'CLTS') {
    if ((v.lo(F.CR0_GUEST_HOST_MASK) & 8) !== 0 && (v.lo(F.CR0_READ_SHADOW) & 8) !== 0) insnExit(c, i, R.CR_ACCESS, qual(0, Access.Clts, 0));
    return;
  }
  if (name === 'LMSW_Ew') {
    const src = readE(c, i, 2);
    const mask = v.lo(F.CR0_GUEST_HOST_MASK), shadow = v.lo(F.CR0_READ_SHADOW);
    const diff = (mask & 0xe & (src ^ shadow)) !== 0 || ((mask & 1) !== 0 && (shadow & 1) === 0 && (src & 1) !== 0);
    if (!diff) return;
    const mem = i.mod !== 3;
    if (mem) setLinear(c, i);
    insnExit(c, i, R.CR_ACCESS, qual(0, Access.Lmsw, 0) | (mem ? 1 << 6 : 0) | (src << 16));
  }
  const cr = i.reg, gpr = i.rm;
  if (name === 'MOV_RdCd') {
    if ((cr === 3 && (proc & PROC.CR3_STORE_EXITING) !== 0) || (cr === 8 && (proc & PROC.CR8_STORE_EXITING) !== 0)) {
      insnExit(c, i, R.CR_ACCESS, qual(cr, Access.MovFrom, gpr));
    }
    return;
  }
  const size = c.long64 ? 8 : 4;
  const lo = c.getReg(gpr, size), hi = size === 8 ? c.hi : 0;
  let exits = false;
  switch (cr) {
    case 0: case 4: {
      const m = cr === 0 ? F.CR0_GUEST_HOST_MASK : F.CR4_GUEST_HOST_MASK;
      const sh = cr === 0 ? F.CR0_READ_SHADOW : F.CR4_READ_SHADOW;
      exits = ((lo ^ v.lo(sh)) & v.lo(m)) !== 0 || ((hi ^ v.hi(sh)) & v.hi(m)) !== 0;
      break;
    }
    case 3:
      if ((proc & PROC.CR3_LOAD_EXITING) !== 0) {
        exits = true;
        const n = Math.min(v.lo(F.CR3_TARGET_COUNT), 4);
        for (let k = 0; k < n; k++) if (v.lo(CR3_TARGETS[k]) === lo >>> 0 && v.hi(CR3_TARGETS[k]) === hi >>> 0) exits = false;
      }
      break;
    case 8: exits = (proc & PROC.CR8_LOAD_EXITING) !== 0; break;
    default:
  }
  if (exits) insnExit(c, i, R.CR_ACCESS, qual(cr, Access.MovTo, gpr));
}

function setLinear(c: Cpu, i: DecodedInsn): void {
  const lo = operandLinear(c, i);
  c.vmx.cache.set(F.GUEST_LINEAR_ADDRESS, lo, c.laHi);
}

/** MOV DR with "MOV-DR exiting": CR4.DE #UD for DR4/DR5 takes priority. @faults */
export function movDrExit(c: Cpu, i: DecodedInsn): void {
  if ((i.reg === 4 || i.reg === 5) && (c.s[CR4] & CR4_DE) !== 0) c.fault(Vec.UD);
  const from = i.entry!.name === 'MOV_RdDd';
  insnExit(c, i, R.DR_ACCESS, (i.reg & 7) | (from ? 1 << 4 : 0) | (i.rm << 8));
}
