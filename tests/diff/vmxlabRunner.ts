// Runs a bare-metal Multiboot ELF in-process on vmxlab's core (src/emu/machine.ts)
// and returns the same shape as qemuRunner, so the two can be compared directly.
import { readFileSync } from 'node:fs';
import { createMachine, type RunReason } from '../../src/emu/machine.ts';
import { BAREMETAL_MEM_MIB } from './cpuModel.ts';
import type { RunResult } from './qemuRunner.ts';

export interface VmxlabRunResult extends RunResult {
  reason: RunReason;
  /** CPU message for a triple fault or an unimplemented instruction, plus a register dump. */
  message?: string;
  instructions: number;
}

export function runInVmxlab(elf: string, opts: { maxInstructions?: number; memMiB?: number } = {}): VmxlabRunResult {
  const bytes: number[] = [];
  const m = createMachine({ memMiB: opts.memMiB ?? BAREMETAL_MEM_MIB, onSerial: (b) => bytes.push(b) });
  m.loadMultiboot(new Uint8Array(readFileSync(elf)));
  const r = m.run({ maxInstructions: opts.maxInstructions ?? 200_000_000 });
  const serial = Buffer.from(bytes).toString('latin1');
  return {
    serial,
    // As a process exit status (what QEMU's runner sees): the low 8 bits.
    exitCode: r.reason === 'exit' ? r.exitCode! & 0xff : undefined,
    timedOut: r.reason === 'budget',
    stderr: '',
    reason: r.reason,
    message: r.reason === 'exit' ? undefined : `${r.message ?? r.reason}\n${m.cpu.dumpRegisters()}`,
    instructions: r.instructions,
  };
}
