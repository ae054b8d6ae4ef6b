/**
 * VMX operation state of one logical processor: the mode words in the
 * register file (layout.ts `vmx`: flags, VMXON pointer, current-VMCS pointer)
 * and the current-VMCS cache. Also the VMsucceed/VMfail conventions (SDM 31.2)
 * and VMREAD/VMWRITE field access (SDM 25.11.2).
 */
import type { Cpu } from '../cpu.ts';
import { AF, CF, OF, PF, SF, ZF } from '../arch.ts';
import { flushFlags, CcOp } from '../flags.ts';
import { CC_OP, RFLAGS, VMCS, VMX, VMX_EVENTS } from '../state/layout.ts';
import { fieldSlot, fieldWidth, FieldWidth, VMCS_FIELDS } from './fields.ts';
import { SUPPORTED_FEATURES } from './capabilities.ts';
import { VMCS_CACHE_WORDS, VmcsCache } from './vmcs.ts';
import { CPU_BASED_VM_EXEC_CONTROL, EPT_POINTER, SECONDARY_VM_EXEC_CONTROL, VM_INSTRUCTION_ERROR } from './slots.ts';
import { EptTranslator } from './eptMmu.ts';
import { PROC, PROC2 } from './controls.ts';

/** Word offsets in the register file. */
export const VMX_FLAGS = VMX, VMXON_PTR = VMX + 1, CURRENT_VMCS = VMX + 3;
export const enum VmxFlag { On = 1, NonRoot = 2 }
/** What the debug hook reports: a VM exit, a VM-entry failure exit (reason bit 31), or VMfailValid 7/8 from VM entry. */
export const enum VmxEvent { Exit = 0, EntryFailure = 1, EntryVmFail = 2 }

const ARITH6 = CF | PF | AF | ZF | SF | OF;

export class Vmx {
  readonly cache: VmcsCache;
  /** EPT translation the MMU uses while a guest runs with "enable EPT". */
  readonly ept: EptTranslator;
  /** VM exits taken since reset (for the UI and bench). */
  exits = 0;
  /** Id of the most recent failed entry check (entryChecks.ts) since RESET, '' if none. */
  lastFailedCheck = '';
  /** Debug hook (src/emu/debug/exitLog.ts): called once the exit-information fields are final. */
  onEvent: ((kind: VmxEvent, checkId: string) => void) | null = null;

  constructor(private readonly c: Cpu) {
    this.cache = new VmcsCache(c.s.subarray(VMCS, VMCS + VMCS_CACHE_WORDS));
    this.ept = new EptTranslator(c);
  }

  reset(): void {
    const s = this.c.s;
    s[VMX_FLAGS] = 0;
    s[VMXON_PTR] = 0xffffffff; s[VMXON_PTR + 1] = 0xffffffff;
    s[CURRENT_VMCS] = 0xffffffff; s[CURRENT_VMCS + 1] = 0xffffffff;
    this.cache.w.fill(0);
    s[VMX_EVENTS] = 0; s[VMX_EVENTS + 1] = 0xffffffff; s[VMX_EVENTS + 2] = 0xffffffff; // no MTF exit, timer off
  }

  get on(): boolean { return (this.c.s[VMX_FLAGS] & VmxFlag.On) !== 0; }
  get nonRoot(): boolean { return (this.c.s[VMX_FLAGS] & VmxFlag.NonRoot) !== 0; }
  /** A current VMCS is loaded (pointer not FFFFFFFF_FFFFFFFFH). */
  get hasCurrent(): boolean {
    const s = this.c.s;
    return !(s[CURRENT_VMCS] === 0xffffffff && s[CURRENT_VMCS + 1] === 0xffffffff);
  }
  get currentPa(): number { return this.c.s[CURRENT_VMCS]; }
  get vmxonPa(): number { return this.c.s[VMXON_PTR]; }

  /** "enable EPT" is in effect for the current VMCS. */
  get eptOn(): boolean {
    const v = this.cache;
    return (v.lo(CPU_BASED_VM_EXEC_CONTROL) & PROC.ACTIVATE_SECONDARY) !== 0 && (v.lo(SECONDARY_VM_EXEC_CONTROL) & PROC2.ENABLE_EPT) !== 0;
  }

  /** Points the MMU at EPT while in non-root operation with "enable EPT" (entry, exit, snapshot restore). */
  syncEpt(): void {
    const on = this.nonRoot && this.eptOn;
    if (on) { this.ept.eptpLo = this.cache.lo(EPT_POINTER); this.ept.eptpHi = this.cache.hi(EPT_POINTER); }
    this.c.mmu.gpa = on ? this.ept : null;
  }

  setNonRoot(v: boolean): void {
    const s = this.c.s;
    s[VMX_FLAGS] = v ? s[VMX_FLAGS] | VmxFlag.NonRoot : s[VMX_FLAGS] & ~VmxFlag.NonRoot;
    this.c.nonRoot = v;
  }
}

function setArith(c: Cpu, bits: number): void {
  const s = c.s;
  flushFlags(s);
  s[RFLAGS] = (s[RFLAGS] & ~ARITH6) | bits;
  s[CC_OP] = CcOp.Eager;
}

/** VMsucceed: CF, PF, AF, ZF, SF, OF cleared. */
export function vmSucceed(c: Cpu): void { setArith(c, 0); }
/** VMfailInvalid: CF set, the others cleared. */
export function vmFailInvalid(c: Cpu): void { setArith(c, CF); }
/** VMfailValid(err): ZF set, the others cleared, err in the VM-instruction error field. */
export function vmFailValid(c: Cpu, err: number): void {
  setArith(c, ZF);
  c.vmx.cache.set(VM_INSTRUCTION_ERROR, err);
}
/** VMfail(err): VMfailValid if there is a current VMCS, else VMfailInvalid. */
export function vmFail(c: Cpu, err: number): void {
  if (c.vmx.hasCurrent) vmFailValid(c, err); else vmFailInvalid(c);
}

/** Slot of a field that exists in this implementation, or -1 (VMREAD/VMWRITE fail with error 12). */
export function supportedSlot(encLo: number, encHi: number): number {
  if (encHi !== 0) return -1;
  const k = fieldSlot(encLo);
  if (k < 0) return -1;
  const req = VMCS_FIELDS[k].requires;
  return req === undefined || SUPPORTED_FEATURES.has(req) ? k : -1;
}

/** Scratch result of readFieldValue (lo, hi). */
export const fieldOut = new Uint32Array(2);

/** VMREAD value of encoding `enc` at slot `k`: width-truncated, high access gives bits 63:32. */
export function readFieldValue(c: Cpu, enc: number, k: number): void {
  const cache = c.vmx.cache;
  if ((enc & 1) !== 0) { fieldOut[0] = cache.hi(k); fieldOut[1] = 0; return; }
  switch (fieldWidth(enc)) {
    case FieldWidth.W16: fieldOut[0] = cache.lo(k) & 0xffff; fieldOut[1] = 0; return;
    case FieldWidth.W32: fieldOut[0] = cache.lo(k); fieldOut[1] = 0; return;
    default: fieldOut[0] = cache.lo(k); fieldOut[1] = cache.hi(k);
  }
}

/**
 * VMWRITE of (lo, hi) to encoding `enc` at slot `k`. A full-access write
 * outside 64-bit mode supplies 32 bits and clears bits 63:32; a high-access
 * write replaces bits 63:32 only.
 */
export function writeFieldValue(c: Cpu, enc: number, k: number, lo: number, hi: number): void {
  const cache = c.vmx.cache;
  if ((enc & 1) !== 0) { cache.set(k, cache.lo(k), lo); return; }
  switch (fieldWidth(enc)) {
    case FieldWidth.W16: cache.set(k, lo & 0xffff, 0); return;
    case FieldWidth.W32: cache.set(k, lo, 0); return;
    default: cache.set(k, lo, c.long64 ? hi : 0);
  }
}

/** Highest field index (encoding bits 9:1) among supported fields, for IA32_VMX_VMCS_ENUM. */
export function highestFieldIndex(): number {
  let m = 0;
  for (const f of VMCS_FIELDS) {
    if (f.requires !== undefined && !SUPPORTED_FEATURES.has(f.requires)) continue;
    m = Math.max(m, (f.enc >>> 1) & 0x1ff);
  }
  return m;
}
