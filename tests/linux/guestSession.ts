// Drives the bundled Linux guest in a vmxlab Machine from tests: boot to a
// line, type a command, collect its answer. Deterministic (virtual time from
// instructions only), so a failure reproduces exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMachine, type Machine, type RunResult } from '../../src/emu/machine.ts';
import type { LinuxLoadOptions } from '../../src/emu/boot/linux.ts';
import { bundledGuest } from '../support/qemu.ts';
import { postMortem, loadBundledSymbols } from '../../cli/postMortem.ts';

export interface GuestSession {
  machine: Machine;
  /** Everything the guest printed so far (latin1). */
  output(): string;
  /** Runs until `pattern` appears after `from` (default: anywhere), or fails with a dump. */
  waitFor(pattern: RegExp | string, maxInstructions: number, from?: number): Promise<string>;
  /** Types a line and returns what the shell printed up to the next prompt. */
  command(line: string, maxInstructions?: number): Promise<string>;
}

export function bundledKernel(): Uint8Array {
  return new Uint8Array(readFileSync(bundledGuest().kernel));
}

export function startGuest(kernel: Uint8Array = bundledKernel(), opts: Partial<LinuxLoadOptions> = {}, memMiB = 128): GuestSession {
  const g = bundledGuest();
  let text = '';
  const machine = createMachine({ memMiB, deterministic: true, onSerial: (b) => { text += String.fromCharCode(b); } });
  machine.loadLinux(kernel, { cmdline: g.append, initrd: new Uint8Array(readFileSync(g.initrd)), ...opts });
  const fail = (why: string, r: RunResult): never => {
    throw new Error(`${why} (${r.reason}${r.message ? `: ${r.message}` : ''})\n--- serial ---\n${text.slice(-3000)}\n--- cpu ---\n${postMortem(machine, loadBundledSymbols())}`);
  };
  const waitFor = async (pattern: RegExp | string, maxInstructions: number, from = 0): Promise<string> => {
    let used = 0;
    const found = (): boolean => (typeof pattern === 'string' ? text.indexOf(pattern, from) >= 0 : pattern.test(text.slice(from)));
    while (!found()) {
      const r = machine.run({ maxInstructions: 5_000_000 });
      used += r.instructions;
      if (r.reason !== 'budget') fail(`guest stopped before ${pattern}`, r);
      if (used > maxInstructions && !found()) fail(`${pattern} did not appear within ${maxInstructions} instructions`, r);
      await new Promise((res) => setImmediate(res));
    }
    return text.slice(from);
  };
  return {
    machine,
    output: () => text,
    waitFor,
    async command(line: string, maxInstructions = 200_000_000): Promise<string> {
      const from = text.length;
      machine.sendSerial(Buffer.from(line + '\n', 'latin1'));
      const after = await waitFor(new RegExp(`${escape(line)}[\\s\\S]*\\n${escape(g.prompt)}`), maxInstructions, from);
      const start = after.indexOf(line) + line.length;
      return after.slice(start, after.lastIndexOf(g.prompt)).replace(/\r/g, '').trim();
    },
  };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
