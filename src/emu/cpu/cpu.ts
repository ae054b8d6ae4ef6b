/**
 * The x86-64 CPU core: register file, mode bookkeeping, the fetch-decode-
 * execute loop and the public API (DESIGN.md contracts). Instruction
 * semantics live in exec/, memory accesses in memory.ts, events in
 * interrupts.ts, segment loads in segments.ts.
 */
import type { PhysicalMemory } from '../mem/physicalMemory.ts';
import type { IoBus } from '../devices/ioBus.ts';
import {
  AR_DB, AR_L, CR0_EM, CR0_PE, CR0_TS, EFER_LMA, IF, RF, SegReg, TF, VM, Vec,
} from './arch.ts';
import { DecodedInsn } from './decoder/decodedInsn.ts';
import { ICache } from './decoder/icache.ts';
import { BlockCache, type Block } from './decoder/blockCache.ts';
import { specialize } from './exec/fastPaths.ts';
import { multibootState, resetState } from './state/initialState.ts';
import { DecodeStatus, decode, type CodeFetcher } from './decoder/decode.ts';
import { Attr } from './decoder/table.ts';
import { FAULT, NO_ERR } from './fault.ts';
import { readFlags } from './flags.ts';
import { Access, Mmu } from './mmu/mmu.ts';
import { VMXLAB_CORE, type CpuModel } from './models/cpuModel.ts';
import { CpuidTable } from './cpuid.ts';
import {
  CPL, CR0, CR3, CR4, DR6, DR7, EFER, FPU, GPR, HALTED, RFLAGS, RIP, SEG_AR, SEG_BASE_LO, SEG_LIMIT, SEG_SEL, SHADOW, STATE_WORDS, segOff,
} from './state/layout.ts';
import { checkInsnBreakpoints, DR7_ENABLES, DR7_GD } from './debugRegs.ts';
import './exec/handlers.ts'; // binds the instruction handlers to the opcode table
import { deliverEvent, EventKind } from './interrupts.ts';
import { computeEa } from './exec/operands.ts';
import { formatRegisters } from './dump.ts';
import { translate } from './memory.ts';
import { FPU_WORDS, FpuState } from './fpu/index.ts';
import { CcOp } from './flags.ts';
import { CC_OP } from './state/layout.ts';
import { Vmx } from './vmx/vmx.ts';
import { VMEXIT_VEC } from './vmx/exit.ts';
import { interceptInsn } from './vmx/intercepts.ts';
import { nonRootEvents, exceptionExit, tripleFaultExit } from './vmx/events.ts';
import { afterGuestInstruction } from './vmx/timers.ts';

export const enum RunExit { Budget = 0, Halted = 1, TripleFault = 2, StopRequested = 3, Unimplemented = 4 }

/** What the platform provides to the CPU besides interrupts: the TSC's time base and the local APIC's base MSR. */
export interface CpuPlatformPort {
  /** Current time-stamp count (virtual time, synced to the instruction being executed). */
  tsc(): number;
  /** IA32_APIC_BASE was written (already validated and stored). */
  apicBaseWritten(lo: number, hi: number): void;
}

export interface InterruptController {
  hasInterrupt(): boolean;
  /** Returns the vector of the highest-priority pending interrupt and marks it in service. */
  acknowledge(): number;
}

/** Size of the recent-RIP ring (a power of two). */
export const RECENT_RIPS = 32;

/** Thrown (as FAULT with this flag) when an unimplemented instruction is reached. */
const enum Stop { None = 0, Unimplemented = 1, TripleFault = 2 }

export class Cpu implements CodeFetcher {
  /** The register file (layout.ts); shared when guest RAM is, so the UI can read registers directly. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly s: Uint32Array;
  readonly mmu: Mmu;
  readonly model: CpuModel;
  readonly cpuid: CpuidTable;
  /** VMX operation: mode words in the register file plus the current-VMCS cache (vmx/). */
  readonly vmx: Vmx;
  /** VMX non-root operation (mirror of the flag in the register file, for the hot path). */
  nonRoot = false;
  /** Blocking (1 STI, 2 MOV SS) that the shadow branch of the run loop consumed at icount shadowIcount. */
  shadowKind = 0;
  shadowIcount = -1;
  /** CR2 before the last page fault in non-root operation (a #PF that exits leaves CR2 unchanged). */
  savedCr2Lo = 0;
  savedCr2Hi = 0;
  icount = 0;
  lastExitMessage = '';
  interruptController: InterruptController | null = null;
  /** The x87 FPU; its words are the `fpu` field of the register file. */
  readonly fpu: FpuState;
  /**
   * FERR#: called when a waiting x87 instruction meets a pending unmasked exception with
   * CR0.NE = 0 (x87Common.ts pendingX87). The machine may raise IRQ13; null = ignored.
   */
  onFerr: (() => void) | null = null;
  /** Set by the machine; without it the TSC counts instructions retired. */
  timeSource: CpuPlatformPort | null = null;
  /**
   * RIPs of recently started instructions (lo/hi pairs), a ring for post-mortem dumps: every
   * instruction executed one at a time, and the first instruction of each straight-line block.
   */
  readonly recentRips = new Uint32Array(RECENT_RIPS * 2);
  recentPos = 0;

  // Derived from the register file by updateMode(); never the source of truth.
  /** CR0.PE=1 and EFLAGS.VM=0: segment checks apply. */
  protectedMode = false;
  /** IA-32e 64-bit sub-mode (EFER.LMA=1, CS.L=1). */
  long64 = false;
  /** Default operand size of the code segment: 2, 4, or 8 in 64-bit mode. */
  codeSize = 2;
  cpl = 0;

  // Scratch written by helpers (hot path: no allocation).
  /** High word of the last 64-bit read. */
  hi = 0;
  /** High word of the last linear address. */
  laHi = 0;
  /** Effective address of the current instruction's memory operand (lo/hi). */
  eaLo = 0;
  eaHi = 0;
  /** Set while the CPU makes implicit supervisor accesses (GDT, IDT, TSS). */
  implicitSupervisor = false;
  /** Vector and error code of the exception being raised. */
  excVec = 0;
  excErr = NO_ERR;
  /** RIP of the instruction being executed. */
  startLo = 0;
  startHi = 0;
  /** Physical pages holding decoded code (for the instruction cache); 1 = watched. */
  readonly codePages: Uint8Array;

  private stopRequested = false;
  /**
   * Set by anything that must end the running block after the current
   * instruction: a write to a page holding decoded code, an MMIO access (a
   * device may raise an interrupt), requestStop().
   */
  blockBreak = false;
  /**
   * Run every instruction through the exact per-instruction path (no blocks):
   * for a debugger, or for hooks that must see each instruction boundary.
   */
  stepOnly = false;
  /** The fault being raised is an instruction-breakpoint #DB: its saved RFLAGS keeps RF (SDM 18.3.1.1). */
  faultKeepsRf = false;
  /** DR6.B0-B3 of data breakpoints hit by the current instruction (debugRegs.ts); #DB traps after it. */
  dataBpHits = 0;
  private stop = Stop.None;
  /** An unimplemented instruction stopped the last run; deliver its #UD when resumed. Saved in snapshots. */
  pendingUD = false;
  /** Decode target for instructions that cannot be cached (page-crossing, MMIO). */
  private readonly insn = new DecodedInsn();
  readonly icache: ICache;
  readonly blocks: BlockCache;
  // Fetch translation memo for the current instruction.
  private fetchPageLa = -1;
  private fetchPagePa = 0;
  /**
   * Translation of the current code page kept across instructions. Valid while
   * the MMU's flush count, fetchEpoch (bumped on CR0/CR3/CR4/EFER writes) and CPL
   * are unchanged: a cached translation is what the TLB would hold.
   */
  private memoLaPage = -1;
  private memoLaHi = 0;
  private memoPaPage = 0;
  private memoFlushes = -1;
  private memoEpoch = -1;
  private memoCpl = -1;
  fetchEpoch = 0;

  constructor(readonly mem: PhysicalMemory, readonly io: IoBus, model: CpuModel = VMXLAB_CORE) {
    this.model = model;
    this.cpuid = new CpuidTable(model);
    const shared = typeof SharedArrayBuffer !== 'undefined' && mem.buffer instanceof SharedArrayBuffer;
    this.buffer = shared ? new SharedArrayBuffer(STATE_WORDS * 4) : new ArrayBuffer(STATE_WORDS * 4);
    this.s = new Uint32Array(this.buffer);
    this.fpu = new FpuState(new Uint32Array(this.buffer, FPU * 4, FPU_WORDS));
    this.mmu = new Mmu(mem, { maxPhysAddr: model.maxPhysAddr, page1gb: model.features.includes('PAGE1GB') });
    this.codePages = new Uint8Array((mem.size >>> 12) + 1);
    this.icache = new ICache(this.codePages);
    this.vmx = new Vmx(this);
    this.blocks = new BlockCache(this.icache, mem.u8, specialize);
    this.reset();
  }

  /** Power-on / RESET state (SDM Vol. 3 Table 10-1). */
  reset(): void {
    const s = this.s;
    resetState(s, this.model);
    this.vmx.reset();
    this.vmx.lastFailedCheck = '';
    this.nonRoot = false;
    this.icount = 0;
    this.stop = Stop.None;
    this.pendingUD = false;
    this.stopRequested = false;
    this.lastExitMessage = '';
    this.syncMmu();
    this.mmu.flushAll();
    // Loaders write RAM directly before reset/entry: start with no decoded code.
    this.icache.flush();
    this.updateMode();
  }

  /** Multiboot v1 OS entry state (Multiboot spec 3.2). */
  setMultibootEntryState(entry: number, eax: number, ebx: number): void {
    const s = this.s;
    multibootState(s, entry);
    this.setReg(0, 4, eax, 0);
    this.setReg(3, 4, ebx, 0);
    s[HALTED] = 0;
    this.syncMmu();
    this.icache.flush();
    this.updateMode();
  }

  /**
   * Call after the register file was written from outside (snapshot restore,
   * VMX guest-state load): re-derives the mode fields, mirrors paging control
   * into the MMU (flushing it) and drops decoded code.
   */
  stateRestored(): void {
    this.nonRoot = this.vmx.nonRoot;
    this.vmx.syncEpt();
    this.mmu.flushAll();
    this.syncMmu();
    this.icache.flush();
    this.updateMode();
  }

  requestStop(): void {
    this.stopRequested = true;
    this.blockBreak = true;
  }

  dumpRegisters(): string {
    return formatRegisters(this);
  }

  /** Recomputes the derived mode fields after CR0, EFER, CS or EFLAGS.VM change. */
  updateMode(): void {
    const s = this.s;
    const pe = (s[CR0] & CR0_PE) !== 0;
    const vm = (s[RFLAGS] & VM) !== 0;
    const csAr = s[segOff(SegReg.CS, SEG_AR)];
    this.protectedMode = pe && !vm;
    this.long64 = (s[EFER] & EFER_LMA) !== 0 && (csAr & AR_L) !== 0;
    this.codeSize = this.long64 ? 8 : (csAr & AR_DB) !== 0 && pe && !vm ? 4 : 2;
    // CPL lives in SS.DPL (as the VMCS guest-state rules assume): it only changes when SS is
    // loaded together with a new CS, so setting CR0.PE does not change it, whatever CS.RPL is.
    this.cpl = !pe ? 0 : vm ? 3 : (s[segOff(SegReg.SS, SEG_AR)] >>> 5) & 3;
    s[CPL] = this.cpl;
  }

  /** Mirrors CR0/CR3/CR4/EFER into the MMU; false if PAE PDPTEs are invalid. */
  syncMmu(): boolean {
    const s = this.s;
    this.fetchEpoch++;
    return this.mmu.setControl(s[CR0], s[CR3], s[CR3 + 1], s[CR4], s[EFER]);
  }

  /** Raises exception `vec` (error code `err`, or NO_ERR). @faults always */
  fault(vec: number, err: number = NO_ERR): never {
    this.excVec = vec;
    this.excErr = err;
    throw FAULT;
  }

  /** Stops the run with RunExit.Unimplemented; #UD is delivered if execution resumes. @faults always */
  unimplemented(what: string): never {
    this.lastExitMessage = `unimplemented ${what} at ${this.where()}`;
    this.stop = Stop.Unimplemented;
    this.excVec = Vec.UD;
    this.excErr = NO_ERR;
    throw FAULT;
  }

  /** CS:RIP of the current instruction, e.g. 0010:ffffffff81000123. */
  where(): string {
    const s = this.s;
    const sel = s[segOff(SegReg.CS, SEG_SEL)].toString(16).padStart(4, '0');
    const rip = this.long64 || this.startHi !== 0
      ? this.startHi.toString(16).padStart(8, '0') + this.startLo.toString(16).padStart(8, '0')
      : this.startLo.toString(16).padStart(8, '0');
    return `${sel}:${rip}`;
  }

  // ---- registers --------------------------------------------------------

  /** Reads general register `r` at `size` bytes (8-bit uses the REX rule). For 8 bytes the hi word is in this.hi. */
  getReg(r: number, size: number, rex = 0): number {
    const s = this.s;
    switch (size) {
      case 1:
        if (rex === 0 && r >= 4 && r < 8) return (s[GPR + (r - 4) * 2] >>> 8) & 0xff;
        return s[GPR + r * 2] & 0xff;
      case 2: return s[GPR + r * 2] & 0xffff;
      case 4: return s[GPR + r * 2];
      default: this.hi = s[GPR + r * 2 + 1]; return s[GPR + r * 2];
    }
  }

  /** Writes general register `r`: 32-bit writes zero the high half, 8/16-bit writes merge. */
  setReg(r: number, size: number, lo: number, hi: number, rex = 0): void {
    const s = this.s;
    switch (size) {
      case 1:
        if (rex === 0 && r >= 4 && r < 8) { const k = GPR + (r - 4) * 2; s[k] = (s[k] & 0xffff00ff) | ((lo & 0xff) << 8); }
        else { const k = GPR + r * 2; s[k] = (s[k] & 0xffffff00) | (lo & 0xff); }
        return;
      case 2: { const k = GPR + r * 2; s[k] = (s[k] & 0xffff0000) | (lo & 0xffff); return; }
      case 4: s[GPR + r * 2] = lo; s[GPR + r * 2 + 1] = 0; return;
      default: s[GPR + r * 2] = lo; s[GPR + r * 2 + 1] = hi;
    }
  }

  /** RFLAGS with lazy flags materialised. */
  getFlags(): number {
    return readFlags(this.s);
  }

  // ---- fetch ------------------------------------------------------------

  /** CodeFetcher: byte `k` of the current instruction. @faults #GP (CS limit), #PF */
  fetch(k: number): number {
    const s = this.s;
    const offLo = (this.startLo + k) >>> 0;
    let laHi = 0;
    let la: number;
    if (this.long64) {
      laHi = this.startHi + ((this.startLo + k) > 0xffffffff ? 1 : 0);
      la = offLo;
      if (((laHi >> 15) !== 0 && (laHi >> 15) !== -1)) this.fault(Vec.GP, 0);
    } else {
      if (offLo > s[segOff(SegReg.CS, SEG_LIMIT)]) this.fault(Vec.GP, 0);
      la = (s[segOff(SegReg.CS, SEG_BASE_LO)] + offLo) >>> 0;
    }
    const page = (la >>> 12) ^ (laHi << 20);
    let pa: number;
    if (page === this.fetchPageLa) pa = this.fetchPagePa + (la & 0xfff);
    else {
      pa = translate(this, la, laHi, Access.Fetch);
      this.fetchPageLa = page;
      this.fetchPagePa = pa - (la & 0xfff);
    }
    return this.mem.read8(pa);
  }

  /** Called by guest memory writes to pages holding decoded code. */
  invalidateCode(pa: number, size: number): void {
    this.blockBreak = true;
    this.icache.invalidatePage(pa >>> 12);
    if (((pa + size - 1) >>> 12) !== pa >>> 12) this.icache.invalidatePage((pa + size - 1) >>> 12);
  }

  /** Host-side writes to guest RAM (loaders, DMA) must report them so cached code is re-decoded. */
  notifyPhysWrite(pa: number, len: number): void {
    for (let p = pa >>> 12; p <= (pa + Math.max(len, 1) - 1) >>> 12; p++) {
      if (this.codePages[p] === 1) this.icache.invalidatePage(p);
    }
  }

  flushDecodeCache(): void {
    this.icache.flush();
    this.fetchEpoch++;
  }

  // ---- run loop ---------------------------------------------------------

  /**
   * Runs at most `budget` instructions. Events (stop requests, interrupts, the
   * STI/MOV SS shadow, HLT) are looked at before each block; a block holds only
   * instructions that cannot change them (blockRules.ts), and anything that
   * could make an interrupt pending mid-block sets blockBreak, so interrupts
   * are taken at the same instruction boundary as when stepping one by one.
   */
  run(budget: number): RunExit {
    const s = this.s;
    const end = this.icount + budget;
    for (;;) {
      try {
        if (this.pendingUD) { this.pendingUD = false; this.raiseCurrent(Vec.UD, NO_ERR); }
        while (this.icount < end) {
          if (this.stopRequested) { this.stopRequested = false; return RunExit.StopRequested; }
          // VMX non-root operation checks intercepts and events at every instruction: no blocks there.
          let exact = this.stepOnly || this.nonRoot;
          if (s[SHADOW] !== 0) { this.shadowKind = s[SHADOW]; this.shadowIcount = this.icount; s[SHADOW] = 0; exact = true; }
          else if (this.nonRoot && nonRootEvents(this)) continue;
          else if ((s[RFLAGS] & IF) !== 0 && this.interruptController !== null && this.interruptController.hasInterrupt()) {
            s[HALTED] = 0;
            const vec = this.interruptController.acknowledge();
            this.startLo = s[RIP]; this.startHi = s[RIP + 1];
            this.deliverWithNesting(vec, NO_ERR, EventKind.External);
            if (this.stop !== Stop.None) return this.takeStop();
            continue;
          }
          if (s[HALTED] !== 0) return RunExit.Halted;
          // The shadowed instruction, single-stepped ones (TF), the one after RF was set (it must
          // clear RF) and all while a DR7 breakpoint is enabled go one at a time.
          if (exact || (s[RFLAGS] & (TF | RF)) !== 0 || (s[DR7] & DR7_ENABLES) !== 0) this.step();
          else this.runBlocks(end);
        }
        return RunExit.Budget;
      } catch (e) {
        if (e !== FAULT) throw e;
        this.implicitSupervisor = false;
        if (this.excVec === VMEXIT_VEC) continue; // a VM entry or exit switched context
        if (this.stop === Stop.Unimplemented) {
          const s = this.s;
          s[RIP] = this.startLo; s[RIP + 1] = this.startHi;
          this.pendingUD = true;
          return this.takeStop();
        }
        this.raiseCurrent(this.excVec, this.excErr);
        if (this.stop !== Stop.None) return this.takeStop();
      }
    }
  }

  private takeStop(): RunExit {
    const st = this.stop;
    this.stop = Stop.None;
    return st === Stop.TripleFault ? RunExit.TripleFault : RunExit.Unimplemented;
  }

  /** Sets RFLAGS from a full value (VMX state loads): flags become eager. */
  setFlagsRaw(v: number): void {
    this.s[RFLAGS] = v;
    this.s[CC_OP] = CcOp.Eager;
  }

  /** Re-derives mode and paging after VM entry or exit loaded control registers; false if PAE PDPTEs are invalid. */
  vmxModeChanged(): boolean {
    const ok = this.syncMmu();
    this.updateMode();
    return ok;
  }

  /** VMX abort (SDM 28.7): the processor enters shutdown; reported like a triple fault. @faults always */
  vmxAbort(msg: string): never {
    this.lastExitMessage = `${msg} at ${this.where()}`;
    this.stop = Stop.TripleFault;
    this.excVec = Vec.DF;
    throw FAULT;
  }

  /** Delivers an event injected by VM entry (not subject to the exception bitmap; nested faults are). */
  deliverInjected(vec: number, err: number, kind: EventKind): void {
    this.deliverWithNesting(vec, err, kind, true);
  }

  /** Delivers a fault raised by the current instruction: RIP back to its start. */
  private raiseCurrent(vec: number, err: number): void {
    const s = this.s;
    s[RIP] = this.startLo; s[RIP + 1] = this.startHi;
    // Faults save RF=1 so the restarted instruction skips its instruction breakpoint;
    // an instruction-breakpoint #DB saves RF as it is (SDM 18.3.1.1).
    if (this.faultKeepsRf) this.faultKeepsRf = false;
    else s[RFLAGS] |= RF;
    this.deliverWithNesting(vec, err, EventKind.Exception);
    if (this.nonRoot) afterGuestInstruction(this); // MTF: pending after a fault is delivered in the guest
  }

  /**
   * Delivers an event, applying the double-fault rules (SDM Vol. 3 Table 6-5)
   * when delivery itself faults; a fault while delivering #DF is a triple fault.
   */
  deliverWithNesting(vec: number, err: number, kind: EventKind, injected = false): void {
    // In non-root operation an exception may exit (exception bitmap); an event injected by VM entry does not.
    let vectoring = -1, vectoringKind = 0, vectoringErr = 0;
    for (;;) {
      try {
        if (this.nonRoot && !injected) exceptionExit(this, vec, err, kind, vectoring, vectoringKind, vectoringErr);
        injected = false;
        deliverEvent(this, vec, err, kind);
        // DR7.GD is cleared on entry to the #DB handler (SDM 18.2.4).
        if (vec === Vec.DB && kind === EventKind.Exception) this.s[DR7] &= ~DR7_GD;
        return;
      } catch (e) {
        if (e !== FAULT) throw e;
        this.implicitSupervisor = false;
        if (this.excVec === VMEXIT_VEC) return;
        if (this.stop !== Stop.None) return;
        const v2 = this.excVec;
        vectoring = vec; vectoringKind = kind; vectoringErr = err;
        if (vec === Vec.DF && this.nonRoot) { tripleFaultExit(this); return; }
        if (vec === Vec.DF) {
          this.stop = Stop.TripleFault;
          this.lastExitMessage = `triple fault: ${excName(v2)} while delivering #DF at ${this.where()}`;
          return;
        }
        const c1 = vec === Vec.PF ? 2 : isContrib(vec) ? 1 : 0;
        const c2 = v2 === Vec.PF ? 2 : isContrib(v2) ? 1 : 0;
        if ((c1 === 1 && c2 === 1) || (c1 === 2 && c2 !== 0)) {
          vec = Vec.DF; err = 0;
        } else {
          vec = v2; err = this.excErr;
        }
        kind = EventKind.Exception;
      }
    }
  }

  /** Physical address of the first byte at CS:RIP (fetch translation memoised across instructions). @faults */
  private codeAddress(startLo: number, startHi: number): number {
    const s = this.s;
    let la: number, laHi = 0;
    if (this.long64) { la = startLo; laHi = startHi; }
    else {
      if (startLo > s[segOff(SegReg.CS, SEG_LIMIT)]) this.fault(Vec.GP, 0);
      la = (s[segOff(SegReg.CS, SEG_BASE_LO)] + startLo) >>> 0;
    }
    if ((s[CR0] & 0x80000000) === 0) return la;
    const page = la >>> 12;
    if (page === this.memoLaPage && laHi === this.memoLaHi && this.memoEpoch === this.fetchEpoch
      && this.memoFlushes === this.mmu.stats.flushes && this.memoCpl === this.cpl) {
      return this.memoPaPage + (la & 0xfff);
    }
    const pa = translate(this, la, laHi, Access.Fetch);
    this.memoLaPage = page; this.memoLaHi = laHi; this.memoPaPage = pa - (la & 0xfff);
    this.memoEpoch = this.fetchEpoch; this.memoFlushes = this.mmu.stats.flushes; this.memoCpl = this.cpl;
    return pa;
  }

  /**
   * Runs decoded blocks from CS:RIP until icount reaches `end`, a blockBreak,
   * or an instruction that cannot be in a block (that one runs through step()).
   * Going from one block to the next needs no event checks: no instruction in
   * a block can change what run() checks (blockRules.ts), and anything else
   * that could (MMIO, self-modifying code, requestStop) sets blockBreak. @faults
   */
  private runBlocks(end: number): void {
    const s = this.s;
    const codeSize = this.codeSize, long64 = this.long64;
    this.blockBreak = false;
    for (;;) {
      const startLo = s[RIP], startHi = s[RIP + 1];
      this.startLo = startLo; this.startHi = startHi;
      const pa = this.codeAddress(startLo, startHi);
      if (pa >= this.mem.size) { this.step(); return; }
      const b: Block = this.blocks.get(pa, codeSize);
      if (b.count === 0 || (!long64 && (startLo + b.bytes - 1 > s[segOff(SegReg.CS, SEG_LIMIT)]
        || (codeSize === 2 && startLo + b.bytes >= 0x10000)))) {
        this.step();
        return;
      }
      const left = end - this.icount;
      const n = b.count < left ? b.count : left;
      // The recent-RIP ring gets the block's first instruction only (one store per block).
      const rp = this.recentPos;
      this.recentRips[rp] = startLo; this.recentRips[rp + 1] = startHi;
      this.recentPos = (rp + 2) & (RECENT_RIPS * 2 - 1);
      const insns = b.insns, fns = b.fns, lens = b.lens, mem = b.mem;
      let lo = startLo;
      for (let k = 0; k < n; k++) {
        const i = insns[k];
        this.startLo = lo;
        const next = lo + lens[k];
        // The block never crosses a page, so only its last instruction can carry into RIP's high word.
        s[RIP] = next;
        if (long64 && next > 0xffffffff) s[RIP + 1] = startHi + 1;
        if (mem[k] !== 0) computeEa(this, i);
        fns[k](this, i);
        this.icount++;
        if (this.blockBreak) { this.blockBreak = false; return; }
        lo = next;
      }
      if (this.icount >= end) return;
    }
  }

  /** Executes one instruction. @faults */
  private step(): void {
    const s = this.s;
    const startLo = s[RIP], startHi = s[RIP + 1];
    this.startLo = startLo; this.startHi = startHi;
    const rp = this.recentPos;
    this.recentRips[rp] = startLo; this.recentRips[rp + 1] = startHi;
    this.recentPos = (rp + 2) & (RECENT_RIPS * 2 - 1);
    const tf = s[RFLAGS] & TF;
    this.dataBpHits = 0;
    if ((s[RFLAGS] & RF) === 0) {
      // Instruction breakpoints, except on the instruction after MOV SS/POP SS (SDM 18.3.1.1).
      if ((s[DR7] & DR7_ENABLES) !== 0 && !(this.shadowIcount === this.icount && this.shadowKind === 2)) {
        checkInsnBreakpoints(this, this.long64 ? startLo : (s[segOff(SegReg.CS, SEG_BASE_LO)] + startLo) >>> 0, startHi, this.long64);
      }
    } else s[RFLAGS] &= ~RF; // RF is cleared at the start of each instruction after the breakpoint check
    const codeSize = this.codeSize;
    const pa = this.codeAddress(startLo, startHi);
    let i = this.icache.lookup(pa, codeSize);
    if (i !== null) {
      if (!this.long64 && startLo + i.len - 1 > s[segOff(SegReg.CS, SEG_LIMIT)]) this.fault(Vec.GP, 0);
    } else {
      const cacheable = pa < this.mem.size && (pa & 0xfff) <= 0x1000 - 15;
      const k = ICache.slot(pa);
      i = cacheable ? this.icache.slots[k] : this.insn;
      if (cacheable) this.icache.tag[k] = -1;
      this.fetchPageLa = -1;
      const st = decode(this, codeSize, i);
      if (st !== DecodeStatus.Ok) {
        if (st === DecodeStatus.GP) this.fault(Vec.GP, 0);
        this.fault(Vec.UD);
      }
      if (cacheable) this.icache.fill(pa, codeSize);
    }
    const e = i.entry!;
    const attrs = e.attrs;
    if ((attrs & (Attr.Prot | Attr.Cpl0)) !== 0) {
      if ((attrs & Attr.Prot) !== 0 && !this.protectedMode) this.fault(Vec.UD);
      if ((attrs & Attr.Cpl0) !== 0 && this.cpl !== 0) {
        if (e.handler === null) this.unimplemented(`instruction ${e.mnemonic} (${this.opcodeText(i)})`);
        this.fault(Vec.GP, 0);
      }
    }
    const h = e.handler;
    if (h === null) this.noHandler(i);
    // Next RIP: 64-bit in 64-bit mode, else wraps at 32 bits (16 for 16-bit code).
    const next = startLo + i.len;
    if (this.long64) { s[RIP] = next; s[RIP + 1] = next > 0xffffffff ? startHi + 1 : startHi; }
    else { s[RIP] = codeSize === 2 ? next & 0xffff : next; }
    if (i.modrm >= 0 && i.mod !== 3) computeEa(this, i);
    if (this.nonRoot) interceptInsn(this, i); // VM exits (vmx/intercepts.ts); guest RIP is startLo/startHi
    h!(this, i);
    this.icount++;
    if (this.nonRoot) afterGuestInstruction(this); // monitor trap flag
    if ((tf | this.dataBpHits) !== 0) {
      // Single-step and data-breakpoint traps after the instruction, reported by one #DB (SDM 18.3.1.2, 18.3.1.4).
      if (this.dataBpHits !== 0) s[DR6] = (s[DR6] & ~0xf) | this.dataBpHits;
      if (tf !== 0) s[DR6] |= 1 << 14;
      this.startLo = s[RIP]; this.startHi = s[RIP + 1];
      this.deliverWithNesting(Vec.DB, NO_ERR, EventKind.Exception);
    }
  }

  /**
   * A valid encoding without a handler. x87 escapes honour CR0.EM/TS first
   * (#NM), as on a processor whose FPU is absent or lazily switched.
   */
  private noHandler(i: DecodedInsn): never {
    const cr0 = this.s[CR0];
    if (i.map === 0 && i.opc >= 0xd8 && i.opc <= 0xdf && (cr0 & (CR0_EM | CR0_TS)) !== 0) this.fault(Vec.NM);
    this.unimplemented(`instruction ${i.entry!.mnemonic} (${this.opcodeText(i)})`);
  }

  /** e.g. "0F AE /0" for messages. */
  private opcodeText(i: DecodedInsn): string {
    const h = (v: number): string => v.toString(16).toUpperCase().padStart(2, '0');
    const map = i.map === 0 ? '' : i.map === 1 ? '0F ' : i.map === 2 ? '0F 38 ' : '0F 3A ';
    const pfx = i.map !== 0 && i.entry && i.p66 ? '66 ' : '';
    return `${pfx}${map}${h(i.opc)}${i.modrm >= 0 ? ` /${(i.modrm >> 3) & 7}` : ''}`;
  }
}

function isContrib(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13);
}

function excName(v: number): string {
  const names = ['#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', '9', '#TS', '#NP', '#SS', '#GP', '#PF'];
  return names[v] ?? `vector ${v}`;
}

export { setSegCache } from './state/initialState.ts';
