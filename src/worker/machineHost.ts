/**
 * The machine's host in the worker: owns one Machine, runs it in short slices
 * (about 12 ms, then yields so commands are handled and the UI never waits),
 * stops it on breakpoints and exits, steps, and publishes state at most at the
 * display rate while running. Serial output goes to a lock-free ring in a
 * SharedArrayBuffer; serial input goes to the machine's queue, which feeds the
 * UART as its FIFO drains. When the guest idles (HLT waiting for an interrupt)
 * the host sleeps briefly instead of spinning. Independent of the worker global, so Node tests drive it directly.
 */
import type { Machine, RunResult } from '../emu/machine.ts';
import { HALTED, RFLAGS, RIP, STATE_WORDS, VMX } from '../emu/cpu/state/layout.ts';
import { Disassembler, type IcedModule } from '../emu/debug/disasm.ts';
import { SymbolTable } from '../emu/debug/symbols.ts';
import { ByteRing } from './byteRing.ts';
import { Breakpoints } from './breakpoints.ts';
import { bootMachine } from './bootImage.ts';
import { codeLinear, cpuMode, disassembleAround, pageWalk, peekLinear, translateRange } from './debugViews.ts';
import { ExitLog } from '../emu/debug/exitLog.ts';
import { buildVmcsView, vmcsValues } from '../emu/debug/vmcsView.ts';
import { exitLogRows } from './vmxViews.ts';
import { eptWalkView } from '../emu/debug/eptWalkView.ts';
import { VmxEvent } from '../emu/cpu/vmx/vmx.ts';
import { VM_EXIT_REASON } from '../emu/cpu/vmx/slots.ts';
import { exitReasonName } from '../emu/cpu/vmx/exitReasons.ts';
import type { BootSpec, RunState, StopReason, WorkerEvent, WorkerReply, WorkerRequest } from './protocol.ts';

export interface HostEnv {
  post(msg: WorkerEvent | WorkerReply): void;
  /** Runs fn soon, after pending messages (MessageChannel in the worker). */
  schedule(fn: () => void, delayMs?: number): void;
  now(): number;
  /** iced-x86, for disassembly and step over; null if it failed to load. */
  iced: IcedModule | null;
  /** Page isolation as the worker sees it, and what this build cannot do, for hello. */
  crossOriginIsolated: boolean;
  missing: string[];
}

/** Time the guest runs before the worker yields to its message queue. */
const SLICE_MS = 12;
/** Minimum interval between state events while running (about 30 Hz). */
const PUBLISH_MS = 33;
/** Wall-clock pause after the guest went idle (HLT, virtual time moved to its next timer). */
const IDLE_SLEEP_MS = 2;

export class MachineHost {
  readonly ring = ByteRing.create(1 << 16);
  private machine: Machine | null = null;
  private spec: BootSpec | null = null;
  private symbols: SymbolTable | null = null;
  private readonly dis: Disassembler | null;
  private state: RunState = 'off';
  private readonly bps = new Breakpoints();
  /** One-shot stop address for step over / run to. */
  private tempBp: bigint | null = null;
  private chunk = 50_000;
  private lastPublish = 0;
  private ipsIcount = 0;
  private ipsTime = 0;
  private ips = 0;
  private scheduled = false;
  /** VM exits of the booted machine, and the VMCS values at the exit before the newest (changed marks). */
  private exitLog = new ExitLog(4096);
  private vmcsAtPrevExit: Uint32Array | null = null;
  private vmcsAtLastExit: Uint32Array | null = null;
  /** Break on VM exits with these basic reasons / on failed VM entries; the hook sets vmxHit and stops the CPU. */
  private vmxBreak = { reasons: new Set<number>(), entryFailure: false };
  private vmxHit: string | null = null;

  constructor(private readonly env: HostEnv) {
    this.dis = env.iced ? new Disassembler(env.iced) : null;
  }

  get runState(): RunState {
    return this.state;
  }

  get current(): Machine | null {
    return this.machine;
  }

  /** Handles one request; every request gets exactly one reply. */
  handle(req: WorkerRequest): void {
    try {
      this.env.post(this.dispatch(req));
    } catch (e) {
      this.env.post({ id: req.id, kind: 'error', message: (e as Error).message ?? String(e) });
    }
  }

  private dispatch(req: WorkerRequest): WorkerReply {
    const ok: WorkerReply = { id: req.id, kind: 'ok' };
    switch (req.kind) {
      case 'hello':
        return {
          id: req.id, kind: 'hello',
          hello: { sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined', crossOriginIsolated: this.env.crossOriginIsolated, missing: this.env.missing },
        };
      case 'boot': {
        const err = this.boot(req.spec);
        return err === null ? ok : { id: req.id, kind: 'error', message: err };
      }
      case 'reset': {
        if (!this.spec) return { id: req.id, kind: 'error', message: 'nothing to reset: no machine was booted' };
        const err = this.boot({ ...this.spec, run: false }, 'reset');
        return err === null ? ok : { id: req.id, kind: 'error', message: err };
      }
      case 'setBreakpoint': this.bps.add(req.address); this.publish(true); return ok;
      case 'clearBreakpoint': this.bps.delete(req.address); this.publish(true); return ok;
      case 'setVmxBreak':
        if (!req.reasons.every((r) => Number.isInteger(r) && r >= 0 && r <= 0xffff)) throw new Error('exit reasons are integers from 0 to 65535');
        this.vmxBreak = { reasons: new Set(req.reasons), entryFailure: req.entryFailure };
        this.publish(true);
        return ok;
      case 'serialIn': this.requireMachine().sendSerial(req.bytes); return ok;
      default: break;
    }
    const m = this.requireMachine();
    switch (req.kind) {
      case 'run': this.resume(null); return ok;
      case 'pause': if (this.state === 'running') this.stop('pause', 'paused'); return ok;
      case 'step': this.step(req.count); return ok;
      case 'stepOver': this.stepOver(); return ok;
      case 'runTo': this.resume(req.address); return ok;
      case 'disasm':
        if (!this.dis) throw new Error('the disassembler (iced-x86) failed to load');
        return { id: req.id, kind: 'disasm', rows: disassembleAround(m, { dis: this.dis, symbols: this.symbols }, req.address, req.before, req.count, req.syntax) };
      case 'pageWalk': return { id: req.id, kind: 'pageWalk', walk: pageWalk(m, req.address) };
      case 'translate': return { id: req.id, kind: 'translate', translation: translateRange(m, req.address, req.length) };
      case 'vmcs': return { id: req.id, kind: 'vmcs', view: buildVmcsView(m.cpu, req.pa === null ? { baseline: this.vmcsAtPrevExit ?? undefined } : { pa: req.pa }) };
      case 'eptWalk': return { id: req.id, kind: 'eptWalk', walk: eptWalkView(m.cpu, req.gpa, req.access) };
      case 'exitLog': {
        const ctx = this.dis ? { dis: this.dis, symbols: this.symbols } : null;
        return { id: req.id, kind: 'exitLog', log: exitLogRows(m, this.exitLog, ctx, req.max, req.reasons) };
      }
      default: throw new Error(`unknown request ${(req as { kind: string }).kind}`);
    }
  }

  private requireMachine(): Machine {
    if (!this.machine) throw new Error('no machine: boot a kernel first');
    return this.machine;
  }

  /** Builds a machine from the spec; returns an error message, or null. */
  private boot(spec: BootSpec, reason: StopReason = 'boot'): string | null {
    this.state = 'booting';
    this.env.post({ kind: 'progress', stage: `checking ${spec.kernelName}`, fraction: null });
    if (spec.systemMap) {
      try {
        this.symbols = SymbolTable.parseSystemMap(spec.systemMap).table;
      } catch {
        this.symbols = null;
      }
    } else this.symbols = null;
    this.env.post({ kind: 'progress', stage: `loading ${spec.kernelName}${spec.initrd ? ` and ${spec.initrdName ?? 'the initramfs'}` : ''} (a gzip payload is unpacked here)`, fraction: null });
    const out = bootMachine(spec, (b) => { this.ring.writeByte(b); });
    if (!out.ok) {
      this.machine = null;
      this.state = 'off';
      this.env.post({ kind: 'stopped', reason: out.unimplemented ? 'unimplemented' : 'error', message: out.error });
      this.publish();
      return out.error;
    }
    this.spec = spec;
    this.machine = out.machine;
    this.attachExitLog(out.machine);
    this.tempBp = null;
    const shared = out.machine.mem.buffer instanceof SharedArrayBuffer;
    this.env.post({
      kind: 'booted', kernelDetail: out.detail,
      ram: shared ? out.machine.mem.buffer as SharedArrayBuffer : null,
      regs: shared ? out.machine.cpu.buffer as SharedArrayBuffer : null,
    });
    this.env.post({ kind: 'progress', stage: `loaded ${spec.kernelName}: ${out.detail}`, fraction: 1 });
    if (spec.run) this.resume(null);
    else this.stop(reason, reason === 'reset' ? 'reset: the machine is at its entry point again' : 'loaded; paused at the entry point');
    return null;
  }

  private attachExitLog(m: Machine): void {
    const log = new ExitLog(4096);
    this.exitLog = log;
    this.vmcsAtPrevExit = this.vmcsAtLastExit = null;
    const cpu = m.cpu;
    cpu.vmx.onEvent = (kind, check) => {
      log.record(cpu, kind, check);
      const hit = vmxBreakHit(this.vmxBreak, kind, cpu.vmx.cache.lo(VM_EXIT_REASON), check);
      if (hit !== null) { this.vmxHit = hit; m.stop(); }
      // Two buffers, swapped: no allocation per exit once both exist.
      const spare = this.vmcsAtPrevExit;
      this.vmcsAtPrevExit = this.vmcsAtLastExit;
      if (spare === null) this.vmcsAtLastExit = vmcsValues(cpu);
      else { spare.set(cpu.vmx.cache.w); this.vmcsAtLastExit = spare; }
    };
  }

  private resume(until: bigint | null): void {
    const m = this.requireMachine();
    this.tempBp = until;
    this.state = 'running';
    this.ipsIcount = m.cpu.icount;
    this.ipsTime = this.env.now();
    this.publish(true);
    this.runSlice(true);
  }

  private step(count: number): void {
    const m = this.requireMachine();
    if (!Number.isInteger(count) || count < 1 || count > 1e7) throw new Error(`step count must be from 1 to 10^7, got ${count}`);
    if (this.state === 'running') this.stop('pause', 'paused');
    const r = m.run({ maxInstructions: count, sliceSize: count, returnOnIdle: true });
    if (this.takeVmxHit()) return;
    if (!this.stopOnResult(r)) this.stop('step', `stepped ${r.instructions} instruction${r.instructions === 1 ? '' : 's'}`);
  }

  /** Steps one instruction, or runs until the instruction after a CALL (or REP string) returns. */
  private stepOver(): void {
    const m = this.requireMachine();
    const iced = this.env.iced;
    const s = m.cpu.s;
    const rip = (BigInt(s[RIP + 1]) << 32n) | BigInt(s[RIP]);
    if (!iced) return this.step(1);
    const code = peekLinear(m, codeLinear(m, rip), 15);
    const d = new iced.Decoder(m.cpu.codeSize * 8, code, iced.DecoderOptions.None);
    d.ip = rip;
    const insn = d.decode();
    const over = !insn.isInvalid && (insn.flowControl === iced.FlowControl.Call || insn.flowControl === iced.FlowControl.IndirectCall
      || insn.hasRepPrefix || insn.hasRepePrefix || insn.hasRepnePrefix);
    const next = rip + BigInt(insn.length);
    insn.free();
    d.free();
    if (over) this.resume(next);
    else this.step(1);
  }

  /** A VT-x breakpoint fired during the last run: stop with its message. */
  private takeVmxHit(): boolean {
    const hit = this.vmxHit;
    if (hit === null) return false;
    this.vmxHit = null;
    this.stop('breakpoint', hit);
    return true;
  }

  private stop(reason: StopReason, message: string): void {
    this.state = 'paused';
    this.tempBp = null;
    this.ips = 0;
    this.env.post({ kind: 'stopped', reason, message });
    this.publish(true);
  }

  /** Stops for exits, faults and the rest; returns false when the guest may go on. */
  private stopOnResult(r: RunResult): boolean {
    switch (r.reason) {
      case 'exit': {
        const code = r.exitCode ?? 0;
        this.stop('exit', `the guest wrote ${code >>> 1} to the debug-exit port 0xf4 (exit status ${code})`);
        return true;
      }
      case 'triple-fault': this.stop('triple-fault', r.message ?? 'triple fault'); return true;
      case 'unimplemented': this.stop('unimplemented', r.message ?? 'unimplemented'); return true;
      case 'halted': this.stop('halted', r.message ?? 'HLT that nothing can wake'); return true;
      case 'reset': this.stop('reset', r.message ?? 'the guest reset the machine'); return true;
      default: return false;
    }
  }

  private runSlice(first: boolean): void {
    this.scheduled = false;
    const m = this.machine;
    if (!m || this.state !== 'running') return;
    const t0 = this.env.now();
    let firstInsn = first;
    for (;;) {
      const r = this.bps.size > 0 || this.tempBp !== null ? this.runChecked(m, 20_000, firstInsn) : this.runFree(m);
      firstInsn = false;
      if (this.takeVmxHit()) return;
      if (r === 'breakpoint') {
        const hitTemp = this.tempBp !== null && this.atTemp(m);
        this.stop(hitTemp ? 'step' : 'breakpoint', hitTemp ? 'reached the target address' : `breakpoint at ${ripText(m)}`);
        return;
      }
      if (this.stopOnResult(r)) return;
      if (r.reason === 'idle') {
        // Waiting for an interrupt (a key, a timer): let wall-clock time pass.
        this.publish();
        this.scheduleSlice(IDLE_SLEEP_MS);
        return;
      }
      if (this.env.now() - t0 >= SLICE_MS) break;
    }
    this.publish();
    this.scheduleSlice(0);
  }

  private scheduleSlice(delayMs: number): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.env.schedule(() => this.runSlice(false), delayMs);
  }

  /** Runs a chunk sized to take about a quarter of a slice. */
  private runFree(m: Machine): RunResult {
    const t = this.env.now();
    const r = m.run({ maxInstructions: this.chunk, sliceSize: this.chunk, returnOnIdle: true });
    const dt = this.env.now() - t;
    if (r.reason === 'budget') {
      if (dt < SLICE_MS / 8) this.chunk = Math.min(this.chunk * 2, 4_000_000);
      else if (dt > SLICE_MS / 2) this.chunk = Math.max(this.chunk >> 1, 1000);
    }
    return r;
  }

  private atTemp(m: Machine): boolean {
    const s = m.cpu.s;
    const t = this.tempBp!;
    return s[RIP] === Number(t & 0xffffffffn) && s[RIP + 1] === Number((t >> 32n) & 0xffffffffn);
  }

  /** One instruction at a time, checking breakpoints before each (not on the first after a resume). */
  private runChecked(m: Machine, budget: number, skipFirst: boolean): RunResult | 'breakpoint' {
    const s = m.cpu.s;
    let n = 0;
    while (n < budget) {
      if (!(skipFirst && n === 0) && (this.bps.has(s[RIP], s[RIP + 1]) || (this.tempBp !== null && this.atTemp(m)))) {
        return 'breakpoint';
      }
      const r = m.run({ maxInstructions: 1, sliceSize: 1, returnOnIdle: true });
      if (r.reason !== 'budget') return { ...r, instructions: n + r.instructions };
      if (r.instructions === 0) return { reason: 'budget', instructions: n };
      n += r.instructions;
      if (this.vmxHit !== null) break; // a VT-x breakpoint: runSlice stops on it
    }
    return { reason: 'budget', instructions: n };
  }

  /** Posts a state event; while running, at most every PUBLISH_MS unless forced. */
  publish(force = false): void {
    const now = this.env.now();
    if (!force && now - this.lastPublish < PUBLISH_MS) return;
    this.lastPublish = now;
    const m = this.machine;
    if (this.state === 'running' && m && now - this.ipsTime >= 250) {
      this.ips = ((m.cpu.icount - this.ipsIcount) * 1000) / (now - this.ipsTime);
      this.ipsIcount = m.cpu.icount;
      this.ipsTime = now;
    }
    const regs = new Uint32Array(STATE_WORDS);
    let mode: ReturnType<typeof cpuMode> = { mode: 'real', bits: 16 };
    if (m) {
      regs.set(m.cpu.s);
      regs[RFLAGS] = m.cpu.getFlags();
      mode = cpuMode(m);
    }
    this.env.post({
      kind: 'state',
      runState: this.state,
      icount: m?.cpu.icount ?? 0,
      ips: this.state === 'running' ? this.ips : 0,
      virtualNs: m ? m.platform.clock.nowNs : null,
      regs,
      mode: mode.mode,
      bits: mode.bits,
      cpl: m?.cpu.cpl ?? 0,
      vmx: vmxOperation(m),
      halted: m ? m.cpu.s[HALTED] !== 0 : false,
      breakpoints: this.bps.list(),
      vmxBreak: { reasons: [...this.vmxBreak.reasons], entryFailure: this.vmxBreak.entryFailure },
    });
  }
}

/** The message of a VT-x breakpoint that `kind` / `reason` hits, or null. */
function vmxBreakHit(b: { reasons: Set<number>; entryFailure: boolean }, kind: VmxEvent, reason: number, check: string): string | null {
  if (kind !== VmxEvent.Exit) return b.entryFailure ? `VM entry failed (check ${check})` : null;
  return b.reasons.has(reason & 0xffff) ? `VM exit: ${exitReasonName(reason)}` : null;
}

/** VMX operation from the register file's vmx flags word (bit 0 in VMX operation, bit 1 non-root). */
function vmxOperation(m: Machine | null): 'root' | 'non-root' | null {
  if (!m) return null;
  const f = m.cpu.s[VMX];
  return (f & 1) === 0 ? null : (f & 2) !== 0 ? 'non-root' : 'root';
}

function ripText(m: Machine): string {
  const s = m.cpu.s;
  return `0x${s[RIP + 1] !== 0 ? s[RIP + 1].toString(16) + s[RIP].toString(16).padStart(8, '0') : s[RIP].toString(16)}`;
}
