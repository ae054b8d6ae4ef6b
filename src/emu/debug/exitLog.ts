/**
 * VM-exit log: the recent N VM exits and failed VM entries in a ring buffer
 * of typed arrays (one fixed-size record each, no allocation per exit),
 * filled from the Vmx.onEvent hook once the exit-information fields are
 * final. Records read back as plain objects for the worker and the UI.
 */
import type { Cpu } from '../cpu/cpu.ts';
import { VmxEvent } from '../cpu/vmx/vmx.ts';
import * as F from '../cpu/vmx/slots.ts';
import type { ExitInfo } from './exitQual.ts';

/** Words per record. */
const W = 20;
const O_ICOUNT = 0, O_META = 2, O_REASON = 3, O_QUAL = 4, O_RIP = 6, O_GLA = 8, O_GPA = 10, O_LEN = 12, O_INSN_INFO = 13,
  O_INTR_INFO = 14, O_INTR_ERR = 15, O_IDT_VEC = 16, O_VM_ERR = 17, O_CHECK = 18, O_VMCS = 19;

export interface ExitRecord extends ExitInfo {
  /** Sequence number since the log was created (survives wrap-around). */
  seq: number;
  /** Instructions retired when the exit happened (the emulator's virtual time). */
  icount: number;
  vcpu: number;
  kind: VmxEvent;
  /** Guest RIP saved by the exit (for entry failures: the RIP of VMLAUNCH/VMRESUME in the host). */
  rip: bigint;
  insnLen: number;
  insnInfo: number;
  idtVectoring: number;
  /** VM-instruction error for VmxEvent.EntryVmFail (7 or 8), else 0. */
  vmError: number;
  /** Id of the entry check that failed (entryChecks.ts / guestChecks.ts), '' for exits. */
  check: string;
  /** Low 32 bits of the current-VMCS pointer. */
  vmcs: number;
}

const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

export class ExitLog {
  private readonly w: Uint32Array;
  /** Records written since creation; the newest is at (count - 1) % capacity. */
  count = 0;
  private readonly checks: string[] = [''];
  private readonly checkIds = new Map<string, number>([['', 0]]);

  constructor(readonly capacity = 4096, private readonly vcpu = 0) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`exit log capacity must be a positive integer, got ${capacity}`);
    this.w = new Uint32Array(capacity * W);
  }

  /** Installs the hook on `c`; returns a function that removes it. */
  attach(c: Cpu): () => void {
    c.vmx.onEvent = (kind, check) => this.record(c, kind, check);
    return () => { if (c.vmx.onEvent !== null) c.vmx.onEvent = null; };
  }

  clear(): void { this.count = 0; }

  /** Copies the exit-information fields of the current VMCS into the next record. */
  record(c: Cpu, kind: VmxEvent, check: string): void {
    const v = c.vmx.cache, w = this.w, b = (this.count % this.capacity) * W;
    const ic = c.icount;
    w[b + O_ICOUNT] = ic >>> 0; w[b + O_ICOUNT + 1] = Math.floor(ic / 0x100000000);
    w[b + O_META] = (this.vcpu & 0xff) | (kind << 8);
    const put = (o: number, slot: number): void => { w[b + o] = v.lo(slot); w[b + o + 1] = v.hi(slot); };
    if (kind === VmxEvent.EntryVmFail) {
      w.fill(0, b + O_REASON, b + W);
      w[b + O_RIP] = c.startLo; w[b + O_RIP + 1] = c.startHi;
      w[b + O_VM_ERR] = v.lo(F.VM_INSTRUCTION_ERROR);
    } else {
      w[b + O_REASON] = v.lo(F.VM_EXIT_REASON);
      put(O_QUAL, F.EXIT_QUALIFICATION);
      if (kind === VmxEvent.Exit) put(O_RIP, F.GUEST_RIP);
      else { w[b + O_RIP] = c.startLo; w[b + O_RIP + 1] = c.startHi; }
      put(O_GLA, F.GUEST_LINEAR_ADDRESS);
      put(O_GPA, F.GUEST_PHYSICAL_ADDRESS);
      w[b + O_LEN] = v.lo(F.VM_EXIT_INSTRUCTION_LEN);
      w[b + O_INSN_INFO] = v.lo(F.VMX_INSTRUCTION_INFO);
      w[b + O_INTR_INFO] = v.lo(F.VM_EXIT_INTR_INFO);
      w[b + O_INTR_ERR] = v.lo(F.VM_EXIT_INTR_ERROR_CODE);
      w[b + O_IDT_VEC] = v.lo(F.IDT_VECTORING_INFO_FIELD);
      w[b + O_VM_ERR] = 0;
    }
    w[b + O_CHECK] = this.checkIndex(check);
    w[b + O_VMCS] = c.vmx.currentPa;
    this.count++;
  }

  private checkIndex(id: string): number {
    let k = this.checkIds.get(id);
    if (k === undefined) { k = this.checks.length; this.checks.push(id); this.checkIds.set(id, k); }
    return k;
  }

  /** Number of records held (at most capacity). */
  get size(): number { return Math.min(this.count, this.capacity); }

  /** Record with sequence number `seq`, or null if it was overwritten or not yet written. */
  get(seq: number): ExitRecord | null {
    if (seq < this.count - this.capacity || seq < 0 || seq >= this.count) return null;
    const w = this.w, b = (seq % this.capacity) * W;
    return {
      seq,
      icount: w[b + O_ICOUNT] + w[b + O_ICOUNT + 1] * 0x100000000,
      vcpu: w[b + O_META] & 0xff,
      kind: (w[b + O_META] >>> 8) as VmxEvent,
      reason: w[b + O_REASON],
      qualLo: w[b + O_QUAL], qualHi: w[b + O_QUAL + 1],
      rip: u64(w[b + O_RIP], w[b + O_RIP + 1]),
      gla: u64(w[b + O_GLA], w[b + O_GLA + 1]),
      gpa: u64(w[b + O_GPA], w[b + O_GPA + 1]),
      insnLen: w[b + O_LEN], insnInfo: w[b + O_INSN_INFO],
      intrInfo: w[b + O_INTR_INFO], intrError: w[b + O_INTR_ERR], idtVectoring: w[b + O_IDT_VEC],
      vmError: w[b + O_VM_ERR],
      check: this.checks[w[b + O_CHECK]] ?? '',
      vmcs: w[b + O_VMCS],
    };
  }

  /** The newest `max` records (oldest first), optionally only those with basic reason in `reasons`. */
  recent(max = this.capacity, reasons?: ReadonlySet<number>): ExitRecord[] {
    const out: ExitRecord[] = [];
    for (let seq = this.count - 1; seq >= this.count - this.size && out.length < max; seq--) {
      const r = this.get(seq)!;
      if (reasons === undefined || reasons.has(r.reason & 0xffff)) out.push(r);
    }
    return out.reverse();
  }

  /** Count of held records per basic exit reason (entry VMfail under key -1). */
  histogram(): Map<number, number> {
    const h = new Map<number, number>();
    for (let seq = this.count - this.size; seq < this.count; seq++) {
      const b = (seq % this.capacity) * W;
      const key = (this.w[b + O_META] >>> 8) === VmxEvent.EntryVmFail ? -1 : this.w[b + O_REASON] & 0xffff;
      h.set(key, (h.get(key) ?? 0) + 1);
    }
    return h;
  }
}
