/**
 * `vmxlab boot`'s run: a Machine driven in slices on the Node event loop.
 * Serial output to stdout, stdin to the UART (raw mode on a TTY; Ctrl-A X
 * quits, Ctrl-A Ctrl-A sends Ctrl-A, as in QEMU), diagnostics to stderr.
 * Without --icount, idle guest time is paced to the wall clock; with it,
 * idle time is skipped and the run is deterministic.
 */
import { createMachine, type Machine } from '../src/emu/machine.ts';
import { KernelImageError } from '../src/emu/boot/bzImage.ts';
import type { BootRequest } from './commands/boot.ts';
import { loadBundledSymbols, postMortem } from './postMortem.ts';

export const EXIT_TIMEOUT = 124;
const SLICE_INSTRUCTIONS = 2_000_000;
/** Serial text kept for --until matching (a pattern longer than this cannot match). */
const UNTIL_WINDOW = 16384;

export interface BootStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const yieldToHost = (): Promise<void> => new Promise((r) => setImmediate(r));

/** `prepared`: a machine already set up (restored from a snapshot); req's boot files are then unused. */
export async function runBoot(req: BootRequest, io: BootStreams, bundled: boolean, prepared?: Machine): Promise<number> {
  let out: number[] = [];
  let window = '';
  let quit = false;
  let m: Machine;
  if (prepared) {
    m = prepared;
    m.onSerial = (b) => out.push(b);
  } else try {
    m = createMachine({ memMiB: req.memMiB, smp: req.smp, deterministic: req.icount, onSerial: (b) => out.push(b) });
    const load = m.loadKernel(req.kernel, { cmdline: req.append, initrd: req.initrd });
    io.stderr.write(`vmxlab: ${req.kernelName}: ${load.summary}\n`);
  } catch (err) {
    if (err instanceof KernelImageError || err instanceof RangeError) {
      io.stderr.write(`vmxlab boot: ${req.kernelName}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const machine = m;
  const flush = (): boolean => {
    if (out.length === 0) return false;
    const bytes = Uint8Array.from(out);
    out = [];
    io.stdout.write(bytes);
    if (req.until) {
      window = (window + Buffer.from(bytes).toString('latin1')).slice(-UNTIL_WINDOW);
      if (req.until.test(window)) return true;
    }
    return false;
  };

  // Host input: Ctrl-A X quits, Ctrl-A Ctrl-A sends one Ctrl-A; everything else goes to COM1.
  let escape = false;
  const raw = io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
  const onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    const pass: number[] = [];
    for (const b of bytes) {
      if (raw && escape) {
        escape = false;
        if (b === 0x78 || b === 0x58) { quit = true; continue; }
        if (b === 0x01) { pass.push(1); continue; }
        continue;
      }
      if (raw && b === 0x01) { escape = true; continue; }
      pass.push(b);
    }
    if (pass.length) machine.sendSerial(pass);
  };
  if (raw) io.stdin.setRawMode!(true);
  io.stdin.on('data', onData);
  io.stdin.on('error', () => {});
  const cleanup = (): void => {
    io.stdin.off('data', onData);
    if (raw) io.stdin.setRawMode!(false);
    io.stdin.pause();
  };

  const symbols = bundled ? loadBundledSymbols() : null;
  const fail = (what: string, code: number): number => {
    flush();
    io.stderr.write(`\nvmxlab: ${what}\n${postMortem(machine, symbols)}`);
    return code;
  };
  const startMs = Date.now();
  const startNs = machine.platform.clock.nowNs;
  try {
    for (;;) {
      const r = machine.run({ maxInstructions: SLICE_INSTRUCTIONS, returnOnIdle: true });
      if (flush()) return 0;
      if (quit) { io.stderr.write('\nvmxlab: quit (Ctrl-A X)\n'); return 0; }
      if (req.timeoutS > 0 && Date.now() - startMs > req.timeoutS * 1000) {
        return fail(`timeout: ${req.timeoutS} s of wall time passed${req.until ? ` without ${req.until} on the serial console` : ''}`, EXIT_TIMEOUT);
      }
      switch (r.reason) {
        case 'exit': return r.exitCode! & 0xff;
        case 'triple-fault': return fail(r.message ?? 'triple fault', 3);
        case 'unimplemented': return fail(r.message ?? 'unimplemented instruction', 4);
        case 'reset':
        case 'halted':
          io.stderr.write(`\nvmxlab: ${r.message ?? r.reason}\n`);
          return req.until ? fail(`the guest stopped before ${req.until} appeared`, 1) : 0;
        case 'idle': {
          if (machine.platform.clock.timers.nextDeadline() === Infinity) { await sleep(10); break; } // waits for input only
          if (req.icount) { await yieldToHost(); break; }
          // Pace idle time to the wall clock: do not let virtual time run ahead of the host.
          const aheadMs = (machine.platform.clock.nowNs - startNs) / 1e6 - (Date.now() - startMs);
          if (aheadMs > 1) await sleep(Math.min(aheadMs, 20)); else await yieldToHost();
          break;
        }
        default:
          await yieldToHost();
      }
    }
  } finally {
    flush();
    cleanup();
  }
}
