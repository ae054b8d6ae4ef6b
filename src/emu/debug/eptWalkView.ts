/**
 * A plain EPT walk of a guest-physical address as a debugger shows it: each
 * EPT entry decoded (R/W/X, memory type, large page), the host-physical
 * result, and for a violation or misconfiguration what the CPU would report
 * (the qualification of SDM Table 28-7, decoded). Uses eptWalk, the walker
 * the EPT MMU uses, with the EPTP of the current VMCS; no side effects.
 */
import type { Cpu } from '../cpu/cpu.ts';
import { EptAccess, EptResult, EptTrace, eptWalk, violationQualification } from '../cpu/vmx/ept.ts';
import { EXIT_REASON } from '../cpu/vmx/exitReasons.ts';
import { EPT_POINTER } from '../cpu/vmx/slots.ts';
import { decodeExitQualification, type QualWord } from './exitQual.ts';

const LEVEL_NAMES = ['', 'EPT PTE', 'EPT PDE', 'EPT PDPTE', 'EPT PML4E'];
const MEMTYPES: Record<number, string> = { 0: 'UC', 1: 'WC', 4: 'WT', 5: 'WP', 6: 'WB' };

export interface EptLevelView {
  level: number;
  name: string;
  entryAddr: number;
  entry: string;
  /** 'RWX' with '-' for a missing right. */
  rights: string;
  leaf: boolean;
  /** Leaf only: EPT memory type (bits 5:3) and ignore-PAT (bit 6). */
  memType: string;
  ignorePat: boolean;
}

export interface EptWalkView {
  gpa: bigint;
  access: 'read' | 'write' | 'fetch';
  eptp: string;
  levels: EptLevelView[];
  result: 'ok' | 'EPT violation' | 'EPT misconfiguration';
  /** Host-physical address when ok, else -1. */
  hpa: number;
  pageBits: number;
  /** What the exit would say (violation: Table 28-7 with GLA not valid; misconfiguration: the GPA). */
  exitWords: QualWord[];
}

const ACCESS = { read: EptAccess.Read, write: EptAccess.Write, fetch: EptAccess.Fetch } as const;

/** Walks `gpa` for `access` through the EPT of the current VMCS. */
export function eptWalkView(c: Cpu, gpa: bigint, access: 'read' | 'write' | 'fetch' = 'read'): EptWalkView {
  if (!c.vmx.hasCurrent) throw new Error('no current VMCS, so no EPT pointer');
  if (!c.vmx.eptOn) throw new Error('the current VMCS does not enable EPT (secondary control "enable EPT" is 0)');
  if (gpa < 0n || gpa >= 1n << 52n) throw new Error(`guest-physical address ${gpa.toString(16)} is outside 52 bits`);
  const v = c.vmx.cache;
  const eptpLo = v.lo(EPT_POINTER), eptpHi = v.hi(EPT_POINTER);
  const tr = new EptTrace();
  const gLo = Number(gpa & 0xffffffffn), gHi = Number(gpa >> 32n);
  const r = eptWalk(c.mem, eptpLo, eptpHi, gLo, gHi, ACCESS[access], c.model.maxPhysAddr,
    c.model.features.includes('PAGE1GB'), tr);
  const levels: EptLevelView[] = [];
  for (let k = 0; k < tr.count; k++) {
    const lo = tr.entryLo[k], hi = tr.entryHi[k], level = tr.level[k];
    const leaf = level === 1 || ((level === 2 || level === 3) && (lo & 0x80) !== 0);
    levels.push({
      level, name: LEVEL_NAMES[level], entryAddr: tr.entryAddr[k],
      entry: ((BigInt(hi) << 32n) | BigInt(lo)).toString(16).padStart(16, '0'),
      rights: `${lo & 1 ? 'R' : '-'}${lo & 2 ? 'W' : '-'}${lo & 4 ? 'X' : '-'}`,
      leaf, memType: leaf ? MEMTYPES[(lo >>> 3) & 7] ?? `reserved (${(lo >>> 3) & 7})` : '', ignorePat: leaf && (lo & 0x40) !== 0,
    });
  }
  const base = { reason: 0, qualHi: 0, intrInfo: 0, intrError: 0, gla: 0n, gpa };
  const exitWords = r === EptResult.Violation
    ? decodeExitQualification({ ...base, reason: EXIT_REASON.EPT_VIOLATION, qualLo: violationQualification(ACCESS[access], tr.rights, false, false) })
    : r === EptResult.Misconfig ? decodeExitQualification({ ...base, reason: EXIT_REASON.EPT_MISCONFIG, qualLo: 0 }) : [];
  return {
    gpa, access, eptp: ((BigInt(eptpHi) << 32n) | BigInt(eptpLo)).toString(16), levels,
    result: r === EptResult.Ok ? 'ok' : r === EptResult.Violation ? 'EPT violation' : 'EPT misconfiguration',
    hpa: r === EptResult.Ok ? tr.hpa : -1, pageBits: r === EptResult.Ok ? tr.pageBits : 0, exitWords,
  };
}
