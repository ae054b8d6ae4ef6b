/**
 * The composition root: guest RAM, the port bus, the CPU, the PC platform
 * (platform.ts: clock, PIC, PIT, RTC, i8042, PCI, APICs), COM1 and the
 * isa-debug-exit device; loaders for Multiboot and Linux; a run loop in
 * slices sized to the next timer deadline, with idle skip (a halted CPU
 * jumps virtual time to the next deadline). No globals: every machine owns
 * its parts, and nothing here uses the host (bytes in, values out).
 */
import { PhysicalMemory } from './mem/physicalMemory.ts';
import { IoBus } from './devices/ioBus.ts';
import { Uart16550, COM1_PORT } from './devices/uart16550.ts';
import { DebugExit, DEBUG_EXIT_PORT } from './devices/debugExit.ts';
import { loadMultiboot, MULTIBOOT_HEADER_MAGIC, type MultibootLoad } from './boot/multiboot.ts';
import { loadLinux, type LinuxBoot, type LinuxLoadOptions } from './boot/linux.ts';
import { writeMpTable } from './boot/mptable.ts';
import { linux64State, pvhState } from './cpu/state/initialState.ts';
import { Cpu, RunExit } from './cpu/cpu.ts';
import { cpuSignature } from './cpu/models/cpuModel.ts';
import type { CpuModel } from './cpu/models/cpuModel.ts';
import { HALTED, RFLAGS } from './cpu/state/layout.ts';
import { IF } from './cpu/arch.ts';
import { COM1_IRQ, Platform } from './platform.ts';

/** RTC time at power-on in deterministic runs: 2026-01-01T00:00:00Z. */
export const DETERMINISTIC_EPOCH = 1767225600;

export interface MachineConfig {
  memMiB: number;
  /** Guest RAM in a SharedArrayBuffer (the browser worker shares it with the UI). */
  sharedMemory?: boolean;
  /** Number of vCPUs; only 1 is implemented. */
  smp?: number;
  /** Deterministic run (--icount): RTC starts at DETERMINISTIC_EPOCH instead of the host's time. */
  deterministic?: boolean;
  /** RTC wall-clock time at power-on (seconds since 1970); overrides the default. */
  rtcEpochSeconds?: number;
  cpuModel?: CpuModel;
  /** Receives every byte the guest sends on COM1. */
  onSerial?: (byte: number) => void;
}

/** A part of the machine whose state snapshots save (a device, the clock). */
export interface StatefulPart {
  saveState(): Uint8Array;
  /** Must accept what saveState returned; throws on a length it does not expect. */
  loadState(bytes: Uint8Array): void;
}

/** A file the guest was booted from; snapshots record its name, size and SHA-256. */
export interface BootFileRecord {
  role: string;
  name: string;
  size: number;
  /** The file itself (hashed when a snapshot is saved), or its hash when restored from a snapshot. */
  bytes?: Uint8Array;
  sha256?: string;
}

export type RunReason =
  | 'exit' | 'halted' | 'idle' | 'triple-fault' | 'unimplemented' | 'budget' | 'reset' | 'stopped';

export interface RunOptions {
  /** Stop after about this many instructions (checked between slices). */
  maxInstructions: number;
  /** Instructions per CPU slice; smaller slices react sooner to host events. Default 100000. */
  sliceSize?: number;
  /**
   * Return 'idle' when the CPU halts waiting for an interrupt (after moving
   * virtual time to the next deadline), so a host can wait for input or pace
   * to wall-clock time. Default false: idle time is skipped within the call.
   */
  returnOnIdle?: boolean;
}

export interface RunResult {
  reason: RunReason;
  /** For 'exit': the debug-exit status (v << 1) | 1, as QEMU's process exit status before truncation. */
  exitCode?: number;
  /** For 'triple-fault', 'unimplemented', 'halted': what and where. */
  message?: string;
  /** Instructions retired during this call. */
  instructions: number;
}

export class Machine {
  readonly mem: PhysicalMemory;
  readonly io: IoBus;
  readonly cpu: Cpu;
  readonly uart: Uart16550;
  readonly debugExit: DebugExit;
  readonly platform: Platform;
  /** Serial sink; may be replaced at any time. */
  onSerial: (byte: number) => void;
  readonly memMiB: number;
  readonly smp: number;
  readonly deterministic: boolean;
  /** What was booted; snapshots carry it along. */
  bootFiles: BootFileRecord[] = [];
  bootCmdline = '';
  private exitStatus: number | undefined = undefined;
  private resetRequested = false;
  private stopRequested = false;
  /** Host bytes waiting for room in the UART's receive FIFO. */
  private input: number[] = [];
  private inputHead = 0;

  constructor(cfg: MachineConfig) {
    if (!Number.isInteger(cfg.memMiB) || cfg.memMiB < 2 || cfg.memMiB > 3072) {
      throw new RangeError(`memory size must be a whole number of MiB from 2 to 3072, got ${cfg.memMiB}`);
    }
    this.memMiB = cfg.memMiB;
    const smp = cfg.smp ?? 1;
    this.smp = smp;
    this.deterministic = cfg.deterministic === true;
    if (smp !== 1) throw new RangeError(`--smp ${smp}: only 1 vCPU is implemented (application processors are not yet started by INIT/SIPI)`);
    this.onSerial = cfg.onSerial ?? (() => {});
    this.mem = new PhysicalMemory(cfg.memMiB * 1024 * 1024, cfg.sharedMemory === true);
    this.io = new IoBus();
    this.cpu = new Cpu(this.mem, this.io, cfg.cpuModel);
    const epoch = cfg.rtcEpochSeconds ?? (cfg.deterministic ? DETERMINISTIC_EPOCH : Math.floor(Date.now() / 1000));
    this.platform = new Platform({
      ramBytes: this.mem.size, rtcEpochSeconds: epoch,
      onReset: () => { this.resetRequested = true; this.cpu.requestStop(); },
      icount: () => this.cpu.icount,
    });
    this.platform.attach(this.io, this.mem);
    const plat = this.platform;
    this.uart = new Uart16550({ onTransmit: (b) => this.onSerial(b), onIrq: (level) => plat.isa.setIrq(COM1_IRQ, level ? 1 : 0) });
    this.uart.attach(this.io, COM1_PORT);
    this.debugExit = new DebugExit((status) => {
      this.exitStatus = status;
      this.cpu.requestStop();
    });
    this.debugExit.attach(this.io, DEBUG_EXIT_PORT);
    this.cpu.interruptController = plat.intc;
    this.cpu.timeSource = {
      tsc: () => { plat.sync(); return plat.clock.tsc(); },
      apicBaseWritten: (lo, hi) => { plat.lapic.writeApicBase(lo, hi); },
    };
  }

  /** Loads a Multiboot v1 image and puts the CPU in the Multiboot entry state. */
  loadMultiboot(image: Uint8Array, cmdline?: string, name = 'multiboot image'): MultibootLoad {
    const load = loadMultiboot(this.mem, image, { cmdline });
    this.bootFiles = [{ role: 'multiboot', name, size: image.length, bytes: image }];
    this.bootCmdline = cmdline ?? '';
    this.cpu.reset();
    this.platform.resetIcountBase();
    this.cpu.setMultibootEntryState(load.entry, load.eax, load.ebx);
    this.exitStatus = undefined;
    return load;
  }

  /** Loads a bzImage or vmlinux, writes the MP table and enters the kernel (64-bit or PVH entry). */
  loadLinux(kernel: Uint8Array, opts: LinuxLoadOptions, names: { kernel?: string; initrd?: string } = {}): LinuxBoot {
    const boot = loadLinux(this.mem, kernel, opts);
    this.bootFiles = [{ role: 'kernel', name: names.kernel ?? 'kernel', size: kernel.length, bytes: kernel }];
    if (opts.initrd) this.bootFiles.push({ role: 'initrd', name: names.initrd ?? 'initrd', size: opts.initrd.length, bytes: opts.initrd });
    this.bootCmdline = opts.cmdline;
    const model = this.cpu.model;
    writeMpTable(this.mem, { apicIds: [0], ioapicId: 1, cpuSignature: cpuSignature(model) });
    const cpu = this.cpu;
    cpu.reset();
    this.platform.resetIcountBase();
    if (boot.mode === 'linux64') {
      linux64State(cpu.s, boot.entry, boot.cr3, boot.gdt.base, boot.gdt.limit);
      cpu.setReg(6, 8, boot.bootParams, 0); // RSI
    } else {
      pvhState(cpu.s, boot.entry, boot.gdt.base, boot.gdt.limit);
      cpu.setReg(3, 4, boot.bootParams, 0); // EBX
    }
    cpu.s[HALTED] = 0;
    cpu.stateRestored();
    this.exitStatus = undefined;
    return boot;
  }

  /** Multiboot if the image has a Multiboot header in its first 8 KiB, else Linux. */
  loadKernel(kernel: Uint8Array, opts: LinuxLoadOptions, names: { kernel?: string; initrd?: string } = {}): { kind: 'multiboot' | 'linux'; summary: string } {
    if (hasMultibootHeader(kernel)) {
      const l = this.loadMultiboot(kernel, opts.cmdline, names.kernel);
      return { kind: 'multiboot', summary: `Multiboot image, entry 0x${l.entry.toString(16)}` };
    }
    return { kind: 'linux', summary: this.loadLinux(kernel, opts, names).summary };
  }

  /**
   * The configuration a snapshot records and a restoring machine must match.
   * Add every constructor option that changes behaviour (vCPUs, clock rates, ...).
   */
  snapshotConfig(): Record<string, number | string | boolean> {
    return { memMiB: this.memMiB, cpuModel: this.cpu.model.name };
  }

  /**
   * Every stateful part except the CPU and RAM, by a stable name (the snapshot
   * section name). A device added to the machine must be listed here, or
   * snapshots silently lose its state.
   */
  stateParts(): ReadonlyArray<readonly [string, StatefulPart]> {
    return [
      ['uart', this.uart],
      ['debugExit', this.debugExit],
      ...this.platform.stateParts(),
    ];
  }

  /** Called by snapshot restore once every part is loaded: a restored run starts fresh. */
  snapshotRestored(): void {
    this.exitStatus = undefined;
    this.resetRequested = false;
    this.stopRequested = false;
    this.platform.resetIcountBase();
  }

  /** Queues host bytes for the guest's COM1 receiver (delivered as its FIFO drains). */
  sendSerial(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.input.push(bytes[i] & 0xff);
  }

  /** Makes the current or next run() return 'stopped' (e.g. an --until pattern matched). */
  stop(): void {
    this.stopRequested = true;
    this.cpu.requestStop();
  }

  private feedInput(): void {
    while (this.inputHead < this.input.length && this.uart.rxCount < 16) {
      if (!this.uart.receive(this.input[this.inputHead])) break;
      this.inputHead++;
    }
    if (this.inputHead > 0 && this.inputHead === this.input.length) { this.input = []; this.inputHead = 0; }
  }

  run(opts: RunOptions): RunResult {
    const slice = Math.max(1, opts.sliceSize ?? 100_000);
    const cpu = this.cpu, plat = this.platform, clock = plat.clock;
    const start = cpu.icount;
    for (;;) {
      const done = cpu.icount - start;
      if (this.exitStatus !== undefined) return { reason: 'exit', exitCode: this.exitStatus, instructions: done };
      if (this.stopRequested) { this.stopRequested = false; return { reason: 'stopped', instructions: done }; }
      if (this.resetRequested) { this.resetRequested = false; return { reason: 'reset', message: 'the guest reset the machine', instructions: done }; }
      if (done >= opts.maxInstructions) return { reason: 'budget', instructions: done };
      plat.sync();
      this.feedInput();
      const n = Math.min(slice, opts.maxInstructions - done, clock.instructionsUntilDeadline());
      const exit = cpu.run(n);
      plat.sync();
      const ran = cpu.icount - start;
      if (this.exitStatus !== undefined) return { reason: 'exit', exitCode: this.exitStatus, instructions: ran };
      switch (exit) {
        case RunExit.TripleFault:
          return { reason: 'triple-fault', message: cpu.lastExitMessage, instructions: ran };
        case RunExit.Unimplemented:
          return { reason: 'unimplemented', message: cpu.lastExitMessage, instructions: ran };
        case RunExit.Halted: {
          if (plat.intc.hasInterrupt() && (cpu.s[RFLAGS] & IF) !== 0) continue;
          const deadline = clock.timers.nextDeadline();
          const waitsForInput = (cpu.s[RFLAGS] & IF) !== 0;
          if (!waitsForInput || (deadline === Infinity && !opts.returnOnIdle)) {
            return { reason: 'halted', message: `HLT with ${waitsForInput ? 'no timer armed' : 'interrupts disabled'} at ${cpu.where()}`, instructions: ran };
          }
          if (deadline !== Infinity) { clock.advanceTo(deadline); plat.sync(); }
          if (opts.returnOnIdle) return { reason: 'idle', instructions: ran };
          continue;
        }
        default:
          // Budget, or a stop request handled at the top of the loop. A slice that retired
          // nothing without halting is stuck: report it rather than spin.
          if (ran === done && !this.stopRequested && !this.resetRequested && exit === RunExit.Budget) {
            return { reason: 'budget', instructions: ran };
          }
      }
    }
  }
}

/** Multiboot spec 3.1.1: the magic, 4-byte aligned in the first 8192 bytes, with a zero checksum. */
export function hasMultibootHeader(image: Uint8Array): boolean {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  for (let o = 0; o + 12 <= Math.min(image.length, 8192); o += 4) {
    if (dv.getUint32(o, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    if (((dv.getUint32(o, true) + dv.getUint32(o + 4, true) + dv.getUint32(o + 8, true)) >>> 0) === 0) return true;
  }
  return false;
}

export function createMachine(cfg: MachineConfig): Machine {
  return new Machine(cfg);
}
