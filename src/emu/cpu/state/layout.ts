/**
 * The CPU register file as a declarative list of fields (STYLE.md §8). Each
 * field is a run of 32-bit words in one ArrayBuffer; 64-bit registers are
 * lo/hi word pairs. The same list drives the hot-path offsets below, the
 * register panel and snapshots, so a field added here is saved everywhere.
 */

import { VMCS_CACHE_WORDS } from '../vmx/vmcs.ts';

export type FieldKind = 'u32' | 'u64' | 'seg' | 'dtr' | 'internal';

export interface FieldDef {
  readonly name: string;
  /** Number of elements (registers) in the field. */
  readonly count: number;
  readonly kind: FieldKind;
  /** Words per element. */
  readonly words: number;
  readonly doc: string;
}

const f = (name: string, kind: FieldKind, count: number, words: number, doc: string): FieldDef =>
  ({ name, kind, count, words, doc });

/** Segment register cache: selector, base lo/hi, limit (byte-granular), access rights (VMX format). */
export const SEG_WORDS = 5;
export const SEG_SEL = 0, SEG_BASE_LO = 1, SEG_BASE_HI = 2, SEG_LIMIT = 3, SEG_AR = 4;

export const FIELDS: readonly FieldDef[] = [
  f('gpr', 'u64', 16, 2, 'RAX RCX RDX RBX RSP RBP RSI RDI R8-R15'),
  f('rip', 'u64', 1, 2, 'instruction pointer'),
  f('rflags', 'u32', 1, 1, 'RFLAGS; arithmetic bits are stale while ccOp != Eager'),
  // Lazy flags (QEMU cc_op style): the last flag-setting operation.
  f('ccOp', 'internal', 1, 1, 'CcOp of the last flag-setting operation'),
  f('ccSize', 'internal', 1, 1, 'operand size in bytes of that operation'),
  f('ccRes', 'internal', 1, 2, 'result lo/hi'),
  f('ccA', 'internal', 1, 2, 'first source lo/hi'),
  f('ccB', 'internal', 1, 2, 'second source lo/hi'),
  f('ccAux', 'internal', 1, 1, 'carry-in (ADC/SBB), preserved CF (INC/DEC), CF/OF (shift, mul)'),
  f('seg', 'seg', 8, SEG_WORDS, 'ES CS SS DS FS GS LDTR TR: selector, base, limit, access rights'),
  f('gdtr', 'dtr', 1, 3, 'base lo/hi, limit'),
  f('idtr', 'dtr', 1, 3, 'base lo/hi, limit'),
  f('cr0', 'u32', 1, 1, ''),
  f('cr2', 'u64', 1, 2, 'page-fault linear address'),
  f('cr3', 'u64', 1, 2, ''),
  f('cr4', 'u32', 1, 1, ''),
  f('cr8', 'u32', 1, 1, 'task-priority register (TPR[7:4])'),
  f('dr', 'u64', 4, 2, 'DR0-DR3 breakpoint addresses'),
  f('dr6', 'u32', 1, 1, ''),
  f('dr7', 'u32', 1, 1, ''),
  f('efer', 'u32', 1, 1, 'IA32_EFER'),
  f('xcr0', 'u64', 1, 2, 'XCR0'),
  // Reserved for the x87/SSE work: fpu/state.ts FpuState words, XMM0-15 (4 words each), MXCSR.
  f('fpu', 'internal', 1, 34, 'x87 FPU (FpuState layout: R0-R7, FCW, FSW, tags, pointers)'),
  f('xmm', 'internal', 16, 4, 'XMM0-XMM15, 128 bits each, low word first'),
  f('mxcsr', 'u32', 1, 1, 'MXCSR'),
  f('cpl', 'internal', 1, 1, 'current privilege level'),
  f('shadow', 'internal', 1, 1, 'interrupt shadow (STI / MOV SS) for the next instruction'),
  f('halted', 'internal', 1, 1, 'in HLT'),
  // MSRs.
  f('star', 'u64', 1, 2, 'IA32_STAR'),
  f('lstar', 'u64', 1, 2, 'IA32_LSTAR'),
  f('cstar', 'u64', 1, 2, 'IA32_CSTAR'),
  f('fmask', 'u64', 1, 2, 'IA32_FMASK'),
  f('kernelGsBase', 'u64', 1, 2, 'IA32_KERNEL_GS_BASE'),
  f('tscOffset', 'u64', 1, 2, 'TSC = icount + offset (set by WRMSR TSC)'),
  f('tscAux', 'u32', 1, 1, 'IA32_TSC_AUX'),
  f('apicBase', 'u64', 1, 2, 'IA32_APIC_BASE'),
  f('pat', 'u64', 1, 2, 'IA32_PAT'),
  f('mtrrDefType', 'u64', 1, 2, 'IA32_MTRR_DEF_TYPE'),
  f('mtrrFix', 'u64', 11, 2, 'IA32_MTRR_FIX64K_00000 .. FIX4K_F8000'),
  f('mtrrVar', 'u64', 16, 2, 'IA32_MTRR_PHYSBASE0/PHYSMASK0 .. 7'),
  f('miscEnable', 'u64', 1, 2, 'IA32_MISC_ENABLE'),
  f('sysenterCs', 'u32', 1, 1, 'IA32_SYSENTER_CS'),
  f('sysenterEsp', 'u64', 1, 2, 'IA32_SYSENTER_ESP'),
  f('sysenterEip', 'u64', 1, 2, 'IA32_SYSENTER_EIP'),
  f('featureControl', 'u64', 1, 2, 'IA32_FEATURE_CONTROL'),
  f('spec', 'u64', 1, 2, 'IA32_SPEC_CTRL'),
  // VMX (vmx/vmx.ts): mode flags, VMXON pointer, current-VMCS pointer, and the current-VMCS cache.
  f('vmx', 'internal', 1, 5, 'VMX: flags (bit 0 VMX operation, bit 1 non-root), VMXON ptr lo/hi, current-VMCS ptr lo/hi'),
  f('vmxEvents', 'internal', 1, 3, 'VMX: pending MTF VM exit (bit 0); VMX-preemption timer deadline (icount lo/hi, all-ones: off)'),
  f('vmcs', 'internal', 1, VMCS_CACHE_WORDS, 'current-VMCS cache (vmx/vmcs.ts): lo/hi per VMCS_FIELDS slot, then launch state'),
];

function computeOffsets(): Record<string, number> {
  const out: Record<string, number> = {};
  let w = 0;
  for (const d of FIELDS) { out[d.name] = w; w += d.count * d.words; }
  out.$total = w;
  return out;
}

/** Word offset of each field in the state buffer. */
export const OFFSETS: Readonly<Record<string, number>> = computeOffsets();
export const STATE_WORDS = OFFSETS.$total;

const o = (name: string): number => {
  const v = OFFSETS[name];
  if (v === undefined) throw new Error(`no state field ${name}`);
  return v;
};

// Hot-path word offsets.
export const GPR = o('gpr');
export const RIP = o('rip');
export const RFLAGS = o('rflags');
export const CC_OP = o('ccOp');
export const CC_SIZE = o('ccSize');
export const CC_RES = o('ccRes');
export const CC_A = o('ccA');
export const CC_B = o('ccB');
export const CC_AUX = o('ccAux');
export const SEGS = o('seg');
export const GDTR = o('gdtr');
export const IDTR = o('idtr');
export const CR0 = o('cr0');
export const CR2 = o('cr2');
export const CR3 = o('cr3');
export const CR4 = o('cr4');
export const CR8 = o('cr8');
export const DR = o('dr');
export const DR6 = o('dr6');
export const DR7 = o('dr7');
export const EFER = o('efer');
export const XCR0 = o('xcr0');
export const FPU = o('fpu');
export const XMM = o('xmm');
export const MXCSR = o('mxcsr');
export const CPL = o('cpl');
export const SHADOW = o('shadow');
export const HALTED = o('halted');
export const STAR = o('star');
export const LSTAR = o('lstar');
export const CSTAR = o('cstar');
export const FMASK = o('fmask');
export const KERNEL_GS_BASE = o('kernelGsBase');
export const TSC_OFFSET = o('tscOffset');
export const TSC_AUX = o('tscAux');
export const APIC_BASE = o('apicBase');
export const PAT = o('pat');
export const MTRR_DEF_TYPE = o('mtrrDefType');
export const MTRR_FIX = o('mtrrFix');
export const MTRR_VAR = o('mtrrVar');
export const MISC_ENABLE = o('miscEnable');
export const SYSENTER_CS = o('sysenterCs');
export const SYSENTER_ESP = o('sysenterEsp');
export const SYSENTER_EIP = o('sysenterEip');
export const FEATURE_CONTROL = o('featureControl');
export const SPEC_CTRL = o('spec');
export const VMX = o('vmx');
export const VMCS = o('vmcs');
export const VMX_EVENTS = o('vmxEvents');

/** Word offset of segment register `s` (SegReg) field `k` (SEG_SEL...). */
export function segOff(s: number, k: number): number {
  return SEGS + s * SEG_WORDS + k;
}
