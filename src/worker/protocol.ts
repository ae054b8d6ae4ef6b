/**
 * The typed message protocol between the UI (main thread) and the machine's
 * Web Worker. Every request carries an id and gets exactly one reply; the
 * worker also sends events (no id) on its own: state updates (throttled to the
 * display rate while running), stops, boot progress.
 *
 * Addresses are bigint (structured clone carries them): they are RIP values or
 * guest-physical addresses, for display and debugging only.
 */

import type { QualWord } from '../emu/debug/exitQual.ts';
import type { VmcsView } from '../emu/debug/vmcsView.ts';
import type { EptWalkView } from '../emu/debug/eptWalkView.ts';

export type AsmSyntax = 'intel' | 'att';

export interface BootSpec {
  /** What the files are called, for messages ("bzImage", "my-kernel.elf"). */
  kernelName: string;
  kernel: ArrayBuffer;
  initrdName?: string;
  initrd?: ArrayBuffer;
  /** System.map text, for symbols in the disassembly. */
  systemMap?: string;
  cmdline: string;
  memMiB: number;
  vcpus: number;
  /** Start running as soon as the image is loaded. */
  run: boolean;
}

export type WorkerRequest = { id: number } & (
  | { kind: 'hello' }
  | { kind: 'boot'; spec: BootSpec }
  | { kind: 'run' }
  | { kind: 'pause' }
  | { kind: 'step'; count: number }
  | { kind: 'stepOver' }
  | { kind: 'runTo'; address: bigint }
  | { kind: 'reset' }
  | { kind: 'setBreakpoint'; address: bigint }
  | { kind: 'clearBreakpoint'; address: bigint }
  | { kind: 'serialIn'; bytes: Uint8Array }
  | { kind: 'disasm'; address: bigint; before: number; count: number; syntax: AsmSyntax }
  | { kind: 'pageWalk'; address: bigint }
  | { kind: 'translate'; address: bigint; length: number }
  /** The VMCS view: the current VMCS, or the VMCS region at `pa`. */
  | { kind: 'vmcs'; pa: number | null }
  /** The newest `max` VM-exit log rows, only the basic reasons in `reasons` if given (-1: VMfail entries). */
  | { kind: 'exitLog'; max: number; reasons: number[] | null }
  /** Plain EPT walk of a guest-physical address through the current VMCS's EPTP. */
  | { kind: 'eptWalk'; gpa: bigint; access: 'read' | 'write' | 'fetch' }
  /** Stop after VM exits with these basic reasons, and/or after any failed VM entry (replaces the previous setting). */
  | { kind: 'setVmxBreak'; reasons: number[]; entryFailure: boolean }
);

export type RequestKind = WorkerRequest['kind'];

export interface DisasmRow {
  address: bigint;
  bytes: string;
  text: string;
  symbol: string | null;
  invalid: boolean;
}

/** One level of a page walk, as the MMU's walker recorded it (WalkTrace). */
export interface WalkLevel {
  /** SDM level: 5 PML5E, 4 PML4E, 3 PDPTE, 2 PDE, 1 PTE. */
  level: number;
  tableAddr: number;
  entryAddr: number;
  entryLo: number;
  entryHi: number;
  /** PAE PDPTEs come from the PDPTE registers, not memory. */
  fromRegister: boolean;
}

export interface PageWalkResult {
  address: bigint;
  /** PagingMode: 0 none, 1 32-bit, 2 PAE, 3 4-level, 4 5-level. */
  mode: number;
  /** The walk was made as a user access (CPL 3) or a supervisor one. */
  user: boolean;
  levels: WalkLevel[];
  ok: boolean;
  /** Physical address (ok), else -1. */
  pa: number;
  /** log2 of the page size (12, 21, 22, 30), 0 if no leaf was reached. */
  pageBits: number;
  /** 'not-present' | 'reserved' | 'protection' when !ok. */
  fault: string | null;
  /** Page-fault error code the access would raise. */
  pfec: number;
  cr3Lo: number;
  cr3Hi: number;
}

/** Physical pages under a linear range (one entry per 4 KiB page touched). */
export interface Translation {
  address: bigint;
  pages: { la: bigint; pa: number }[];
}

/** One VM exit or failed VM entry of the exit log (src/emu/debug/exitLog.ts). */
export interface ExitLogRow {
  seq: number;
  icount: number;
  vcpu: number;
  /** Basic exit reason; -1 for a VM entry that failed with VMfailValid (no exit). */
  reason: number;
  name: string;
  entryFailure: boolean;
  qualification: string;
  words: QualWord[];
  rip: bigint;
  /** The instruction at the guest RIP, read through the paging in effect when asked. */
  insn: string;
  /** Id of the failed VM-entry check, '' for exits. */
  check: string;
  vmcs: number;
}

export interface ExitLogReply {
  rows: ExitLogRow[];
  /** [basic reason, count] over the whole ring, most frequent first. */
  histogram: [number, number][];
  /** Exits and failed entries since boot (the ring keeps the newest). */
  total: number;
}

export interface HelloReply {
  sharedArrayBuffer: boolean;
  crossOriginIsolated: boolean;
  /** Parts of the machine this build cannot run yet, in words for the page. */
  missing: string[];
}

export type WorkerReply =
  | { id: number; kind: 'hello'; hello: HelloReply }
  | { id: number; kind: 'ok' }
  | { id: number; kind: 'error'; message: string }
  | { id: number; kind: 'disasm'; rows: DisasmRow[] }
  | { id: number; kind: 'pageWalk'; walk: PageWalkResult }
  | { id: number; kind: 'translate'; translation: Translation }
  | { id: number; kind: 'vmcs'; view: VmcsView }
  | { id: number; kind: 'exitLog'; log: ExitLogReply }
  | { id: number; kind: 'eptWalk'; walk: EptWalkView };

export type RunState = 'off' | 'booting' | 'running' | 'paused';

export type StopReason =
  | 'pause' | 'step' | 'breakpoint' | 'exit' | 'halted' | 'triple-fault' | 'unimplemented' | 'error' | 'reset' | 'boot';

export type CpuModeName = 'real' | 'protected' | 'virtual-8086' | 'long' | 'compatibility';

export interface MachineStateEvent {
  kind: 'state';
  runState: RunState;
  /** Instructions retired since boot. */
  icount: number;
  /** Guest instructions per second over the last interval (0 when not running). */
  ips: number;
  /** Virtual time in ns, when the machine has a virtual clock. */
  virtualNs: number | null;
  /** Copy of the register file (layout.ts), RFLAGS materialised. */
  regs: Uint32Array;
  mode: CpuModeName;
  /** Code size in bits: 16, 32, 64. */
  bits: 16 | 32 | 64;
  cpl: number;
  /** VMX operation, once VMX exists: null outside VMX operation. */
  vmx: 'root' | 'non-root' | null;
  /** The CPU is in HLT, waiting for an interrupt. */
  halted: boolean;
  breakpoints: bigint[];
  /** VT-x breakpoints: basic exit reasons, and whether failed VM entries stop. */
  vmxBreak?: { reasons: number[]; entryFailure: boolean };
}

export interface StoppedEvent {
  kind: 'stopped';
  reason: StopReason;
  /** What happened, in words (e.g. the unimplemented instruction and where). */
  message: string;
}

export interface BootedEvent {
  kind: 'booted';
  kernelDetail: string;
  /** Guest RAM and the register file, shared: the UI reads them directly. */
  ram: SharedArrayBuffer | null;
  regs: SharedArrayBuffer | null;
}

export interface ProgressEvent {
  kind: 'progress';
  /** Stage in words ("loading bzImage", "unpacking the kernel"). */
  stage: string;
  /** 0..1, or null when unknown. */
  fraction: number | null;
}

/** Created once by the worker at hello: the serial ring (guest -> console). */
export interface ConsoleEvent {
  kind: 'console';
  ring: SharedArrayBuffer;
}

export type WorkerEvent = MachineStateEvent | StoppedEvent | BootedEvent | ProgressEvent | ConsoleEvent;

export type WorkerMessage = WorkerReply | WorkerEvent;

export function isReply(m: WorkerMessage): m is WorkerReply {
  return 'id' in m;
}
