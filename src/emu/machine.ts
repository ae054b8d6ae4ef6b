/**
 * The composition root: guest RAM, the port bus, the CPU and the devices that
 * bare-metal programs use (16550 UART at 0x3f8, isa-debug-exit at 0xf4), with
 * a Multiboot loader and a run loop in slices. No globals: every machine owns
 * its parts. The platform work (PIC, PIT, APIC, Linux boot) adds to this file.
 */
import { PhysicalMemory } from './mem/physicalMemory.ts';
import { IoBus } from './devices/ioBus.ts';
import { Uart16550, COM1_PORT } from './devices/uart16550.ts';
import { DebugExit, DEBUG_EXIT_PORT } from './devices/debugExit.ts';
import { loadMultiboot, type MultibootLoad } from './boot/multiboot.ts';
import { Cpu, RunExit } from './cpu/cpu.ts';

export interface MachineConfig {
  memMiB: number;
  /** Guest RAM in a SharedArrayBuffer (the browser worker shares it with the UI). */
  sharedMemory?: boolean;
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

export type RunReason = 'exit' | 'halted' | 'triple-fault' | 'unimplemented' | 'budget';

export interface RunOptions {
  /** Stop after about this many instructions (checked between slices). */
  maxInstructions: number;
  /** Instructions per CPU slice; smaller slices react sooner to host events. Default 100000. */
  sliceSize?: number;
}

export interface RunResult {
  reason: RunReason;
  /** For 'exit': the debug-exit status (v << 1) | 1, as QEMU's process exit status before truncation. */
  exitCode?: number;
  /** For 'triple-fault' and 'unimplemented': what and where, from the CPU. */
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
  /** Serial sink; may be replaced at any time. */
  onSerial: (byte: number) => void;
  readonly memMiB: number;
  /** What was booted; snapshots carry it along. */
  bootFiles: BootFileRecord[] = [];
  bootCmdline = '';
  private exitStatus: number | undefined = undefined;

  constructor(cfg: MachineConfig) {
    if (!Number.isInteger(cfg.memMiB) || cfg.memMiB < 2 || cfg.memMiB > 3072) {
      throw new RangeError(`memory size must be a whole number of MiB from 2 to 3072, got ${cfg.memMiB}`);
    }
    this.memMiB = cfg.memMiB;
    this.onSerial = cfg.onSerial ?? (() => {});
    this.mem = new PhysicalMemory(cfg.memMiB * 1024 * 1024, cfg.sharedMemory === true);
    this.io = new IoBus();
    this.uart = new Uart16550({ onTransmit: (b) => this.onSerial(b) });
    this.uart.attach(this.io, COM1_PORT);
    this.debugExit = new DebugExit((status) => {
      this.exitStatus = status;
      this.cpu.requestStop();
    });
    this.debugExit.attach(this.io, DEBUG_EXIT_PORT);
    this.cpu = new Cpu(this.mem, this.io);
  }

  /** Loads a Multiboot v1 image and puts the CPU in the Multiboot entry state. */
  loadMultiboot(image: Uint8Array, cmdline?: string, name = 'multiboot image'): MultibootLoad {
    const load = loadMultiboot(this.mem, image, { cmdline });
    this.bootFiles = [{ role: 'multiboot', name, size: image.length, bytes: image }];
    this.bootCmdline = cmdline ?? '';
    this.cpu.reset();
    this.cpu.setMultibootEntryState(load.entry, load.eax, load.ebx);
    this.exitStatus = undefined;
    return load;
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
    ];
  }

  /** Called by snapshot restore once every part is loaded: a restored run starts fresh. */
  snapshotRestored(): void {
    this.exitStatus = undefined;
  }

  run(opts: RunOptions): RunResult {
    const slice = Math.max(1, opts.sliceSize ?? 100_000);
    const cpu = this.cpu;
    const start = cpu.icount;
    for (;;) {
      const done = cpu.icount - start;
      if (this.exitStatus !== undefined) return { reason: 'exit', exitCode: this.exitStatus, instructions: done };
      if (done >= opts.maxInstructions) return { reason: 'budget', instructions: done };
      const exit = cpu.run(Math.min(slice, opts.maxInstructions - done));
      const ran = cpu.icount - start;
      if (this.exitStatus !== undefined) return { reason: 'exit', exitCode: this.exitStatus, instructions: ran };
      switch (exit) {
        case RunExit.Halted:
          return { reason: 'halted', instructions: ran };
        case RunExit.TripleFault:
          return { reason: 'triple-fault', message: cpu.lastExitMessage, instructions: ran };
        case RunExit.Unimplemented:
          return { reason: 'unimplemented', message: cpu.lastExitMessage, instructions: ran };
        default:
          // Budget or a stop request without an exit: keep going, unless nothing retired
          // (so a CPU stuck without retiring cannot spin this loop forever).
          if (ran === done) return { reason: 'budget', instructions: ran };
      }
    }
  }
}

export function createMachine(cfg: MachineConfig): Machine {
  return new Machine(cfg);
}
