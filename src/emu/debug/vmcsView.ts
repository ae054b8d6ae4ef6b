/**
 * The VMCS as a debugger shows it: every field of fields.ts in the SDM's
 * groups (25.3-25.9), values read through VMREAD's own code (readFieldValue)
 * for the current VMCS or from the region in memory for any other; control
 * words decoded bit by bit with the allowed-0/allowed-1 settings of the
 * capability MSRs (read through readVmxMsr, as RDMSR does); CR0/CR4 guest
 * value, read shadow and guest/host mask side by side; the exit decoded.
 * A pure function of the machine state (no side effects).
 */
import type { Cpu } from '../cpu/cpu.ts';
import { r64 } from '../cpu/u64.ts';
import { fieldGroup, FieldGroup, fieldWidth, FieldWidth, VMCS_FIELDS } from '../cpu/vmx/fields.ts';
import { fieldOut, readFieldValue, supportedSlot } from '../cpu/vmx/vmx.ts';
import { VMCS_OFF_FIELDS, VMCS_OFF_LAUNCH } from '../cpu/vmx/vmcs.ts';
import { readVmxMsr } from '../cpu/vmx/msrs.ts';
import { VMX_MSR } from '../cpu/vmx/capabilities.ts';
import {
  ENTRY_BITS, EXIT_BITS, PIN_BASED_BITS, PROC_BASED2_BITS, PROC_BASED_BITS, type ControlBit,
} from '../cpu/vmx/controls.ts';
import { exitReasonName } from '../cpu/vmx/exitReasons.ts';
import { decodeExitQualification, type QualWord } from './exitQual.ts';

/** The SDM's VMCS areas (25.3 guest state, 25.4 host state, 25.6-25.8 controls, 25.9 exit information). */
export type VmcsGroup = 'Guest state' | 'Host state' | 'VM-execution controls' | 'VM-exit controls'
  | 'VM-entry controls' | 'VM-exit information';
export const VMCS_GROUPS: readonly VmcsGroup[] = ['Guest state', 'Host state', 'VM-execution controls',
  'VM-exit controls', 'VM-entry controls', 'VM-exit information'];

export interface VmcsFieldView {
  name: string;
  enc: number;
  /** 16, 32, 64 or 'natural'. */
  width: 16 | 32 | 64 | 'natural';
  /** Value as hex (no 0x), '' for fields of features vmxlab does not implement (VMREAD fails with error 12). */
  value: string;
  supported: boolean;
  /** Differs from the baseline (the VMCS at the previous VM exit), when a baseline is given. */
  changed: boolean;
}

export interface ControlBitView { bit: number; name: string; set: boolean; /** must be 1 (allowed-0 setting) */ fixed1: boolean; /** may be 1 (allowed-1 setting) */ allowed1: boolean }
export interface ControlView { field: string; msr: string; value: string; bits: ControlBitView[]; /** set bits that have no name here */ unnamed: number[] }
export interface CrShadowView { cr: 'CR0' | 'CR4'; guest: string; readShadow: string; mask: string; /** what a guest MOV from CR reads */ guestSees: string }

export interface VmcsView {
  /** Physical address of the VMCS shown. */
  pointer: string;
  current: boolean;
  launched: boolean;
  groups: { name: VmcsGroup; fields: VmcsFieldView[] }[];
  controls: ControlView[];
  crs: CrShadowView[];
  exit: { reason: number; name: string; entryFailure: boolean; words: QualWord[] };
}

const WIDTH: Record<FieldWidth, VmcsFieldView['width']> = {
  [FieldWidth.W16]: 16, [FieldWidth.W32]: 32, [FieldWidth.W64]: 64, [FieldWidth.Natural]: 'natural',
};

/** Which SDM area a field belongs to: the encoding's type, with control fields split by their role. */
export function vmcsGroupOf(name: string, enc: number): VmcsGroup {
  switch (fieldGroup(enc)) {
    case FieldGroup.Guest: return 'Guest state';
    case FieldGroup.Host: return 'Host state';
    case FieldGroup.ExitInfo: return 'VM-exit information';
    default:
      if (name.startsWith('VM_EXIT_') || name === 'SECONDARY_VM_EXIT_CONTROLS') return 'VM-exit controls';
      if (name.startsWith('VM_ENTRY_')) return 'VM-entry controls';
      return 'VM-execution controls';
  }
}

/** Reads fields of one VMCS as 64-bit values: (lo, hi) by slot. */
type Reader = (enc: number, k: number) => [number, number];

function currentReader(c: Cpu): Reader {
  return (enc, k) => { readFieldValue(c, enc, k); return [fieldOut[0], fieldOut[1]]; };
}

/** A non-current VMCS: its region in memory, truncated to the field width as VMREAD would. */
function memoryReader(c: Cpu, pa: number): Reader {
  return (enc, k) => {
    const lo = c.mem.read32(pa + VMCS_OFF_FIELDS + k * 8), hi = c.mem.read32(pa + VMCS_OFF_FIELDS + k * 8 + 4);
    switch (fieldWidth(enc)) {
      case FieldWidth.W16: return [lo & 0xffff, 0];
      case FieldWidth.W32: return [lo >>> 0, 0];
      default: return [lo >>> 0, hi >>> 0];
    }
  };
}

const hex64 = (lo: number, hi: number): string =>
  hi !== 0 ? `${(hi >>> 0).toString(16)}${(lo >>> 0).toString(16).padStart(8, '0')}` : (lo >>> 0).toString(16);

/**
 * Copy of the field values of the current VMCS (two words per slot), to use
 * later as the baseline of buildVmcsView (the exit log keeps one per exit).
 */
export function vmcsValues(c: Cpu): Uint32Array { return c.vmx.cache.w.slice(); }

const CONTROL_DEFS: { field: string; msr: number; msrName: string; bits: readonly ControlBit[] }[] = [
  { field: 'PIN_BASED_VM_EXEC_CONTROL', msr: VMX_MSR.TRUE_PINBASED_CTLS, msrName: 'IA32_VMX_TRUE_PINBASED_CTLS', bits: PIN_BASED_BITS },
  { field: 'CPU_BASED_VM_EXEC_CONTROL', msr: VMX_MSR.TRUE_PROCBASED_CTLS, msrName: 'IA32_VMX_TRUE_PROCBASED_CTLS', bits: PROC_BASED_BITS },
  { field: 'SECONDARY_VM_EXEC_CONTROL', msr: VMX_MSR.PROCBASED_CTLS2, msrName: 'IA32_VMX_PROCBASED_CTLS2', bits: PROC_BASED2_BITS },
  { field: 'VM_EXIT_CONTROLS', msr: VMX_MSR.TRUE_EXIT_CTLS, msrName: 'IA32_VMX_TRUE_EXIT_CTLS', bits: EXIT_BITS },
  { field: 'VM_ENTRY_CONTROLS', msr: VMX_MSR.TRUE_ENTRY_CTLS, msrName: 'IA32_VMX_TRUE_ENTRY_CTLS', bits: ENTRY_BITS },
];

/** A control word decoded against its capability MSR (SDM A.3-A.5: bits 31:0 allowed-0, 63:32 allowed-1). */
export function decodeControl(c: Cpu, field: string, value: number): ControlView {
  const def = CONTROL_DEFS.find((d) => d.field === field);
  if (def === undefined) throw new Error(`${field} is not a VMX control field`);
  const ok = readVmxMsr(c, def.msr, 0);
  const must1 = ok ? r64[0] : 0, may1 = ok ? r64[1] : 0;
  const bits = def.bits.map((b) => ({
    bit: b.bit, name: b.name, set: ((value >>> b.bit) & 1) !== 0,
    fixed1: ((must1 >>> b.bit) & 1) !== 0, allowed1: ((may1 >>> b.bit) & 1) !== 0,
  }));
  const named = new Set(def.bits.map((b) => b.bit));
  const unnamed: number[] = [];
  for (let i = 0; i < 32; i++) if (((value >>> i) & 1) !== 0 && !named.has(i)) unnamed.push(i);
  return { field, msr: def.msrName, value: (value >>> 0).toString(16), bits, unnamed };
}

/**
 * Builds the view of the current VMCS, or of the VMCS region at `pa` when it
 * is not the current one. `baseline` (from vmcsValues) marks changed fields.
 */
export function buildVmcsView(c: Cpu, opts: { pa?: number; baseline?: Uint32Array } = {}): VmcsView {
  const vmx = c.vmx;
  const current = opts.pa === undefined || (vmx.hasCurrent && opts.pa === vmx.currentPa);
  if (!current && (opts.pa! < 0 || opts.pa! % 4096 !== 0 || opts.pa! + 4096 > c.mem.size)) {
    throw new Error(`VMCS address ${opts.pa!.toString(16)} is not a 4-KByte-aligned address inside guest memory`);
  }
  if (current && !vmx.hasCurrent) throw new Error('no current VMCS (VMPTRLD has not loaded one)');
  const pa = current ? vmx.currentPa : opts.pa!;
  const read = current ? currentReader(c) : memoryReader(c, pa);
  const base = current ? opts.baseline : undefined;
  const groups = VMCS_GROUPS.map((name) => ({ name, fields: [] as VmcsFieldView[] }));
  const byName = new Map<string, [number, number]>();
  VMCS_FIELDS.forEach((f, k) => {
    const supported = supportedSlot(f.enc, 0) >= 0;
    const [lo, hi] = supported ? read(f.enc, k) : [0, 0];
    if (supported) byName.set(f.name, [lo, hi]);
    const changed = supported && base !== undefined && (base[k * 2] !== lo || base[k * 2 + 1] !== hi);
    groups[VMCS_GROUPS.indexOf(vmcsGroupOf(f.name, f.enc))].fields.push({
      name: f.name, enc: f.enc, width: WIDTH[fieldWidth(f.enc)], value: supported ? hex64(lo, hi) : '', supported, changed,
    });
  });
  const lo = (n: string): number => byName.get(n)?.[0] ?? 0;
  const val = (n: string): string => { const v = byName.get(n) ?? [0, 0]; return hex64(v[0], v[1]); };
  const crs = (['CR0', 'CR4'] as const).map((cr) => {
    const g = lo(`GUEST_${cr}`), sh = lo(`${cr}_READ_SHADOW`), m = lo(`${cr}_GUEST_HOST_MASK`);
    // SDM 26.3: host-owned bits (mask 1) read from the shadow, the others from the guest register.
    return { cr, guest: val(`GUEST_${cr}`), readShadow: val(`${cr}_READ_SHADOW`), mask: val(`${cr}_GUEST_HOST_MASK`),
      guestSees: (((sh & m) | (g & ~m)) >>> 0).toString(16) };
  });
  const reason = lo('VM_EXIT_REASON');
  const c64 = (n: string): bigint => { const v = byName.get(n) ?? [0, 0]; return (BigInt(v[1]) << 32n) | BigInt(v[0]); };
  const words = decodeExitQualification({
    reason, qualLo: lo('EXIT_QUALIFICATION'), qualHi: byName.get('EXIT_QUALIFICATION')?.[1] ?? 0,
    intrInfo: lo('VM_EXIT_INTR_INFO'), intrError: lo('VM_EXIT_INTR_ERROR_CODE'),
    gla: c64('GUEST_LINEAR_ADDRESS'), gpa: c64('GUEST_PHYSICAL_ADDRESS'),
  });
  return {
    pointer: pa.toString(16),
    current,
    launched: current ? vmx.cache.launched : (c.mem.read32(pa + VMCS_OFF_LAUNCH) & 1) === 1,
    groups,
    controls: CONTROL_DEFS.map((d) => decodeControl(c, d.field, lo(d.field))),
    crs,
    exit: { reason, name: exitReasonName(reason), entryFailure: (reason & 0x80000000) !== 0, words },
  };
}
