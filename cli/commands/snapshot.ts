/**
 * `vmxlab snapshot`: boot, run to a point (an instruction count or a serial
 * output pattern), save the whole machine to a file and/or share it.
 * `vmxlab boot --snapshot FILE|URL`: restore such a snapshot and run on.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createMachine, type Machine } from '../../src/emu/machine.ts';
import { applySnapshot, captureSnapshot, decodeSnapshot, packSnapshot, SnapshotError, storedSize, unpackSnapshot } from '../../src/emu/snapshot/index.ts';
import type { SnapshotFiles } from '../../src/emu/snapshot/container.ts';
import { fetchSharedSnapshot, shareSnapshot } from '../../src/share/client.ts';
import { intFlag, type ParsedFlags, UsageError } from '../parse.ts';
import { readUserFile } from '../guestFiles.ts';
import { runBoot } from '../bootRun.ts';
import { parseBootRequest, type BootRequest } from './boot.ts';

const MAX_SNAPSHOT_FILE = 4 * 1024 ** 3;
const SLICE = 100_000;
const yieldToHost = (): Promise<void> => new Promise((r) => setImmediate(r));

function regexFlag(flags: ParsedFlags, name: string): RegExp | null {
  if (typeof flags[name] !== 'string') return null;
  try {
    return new RegExp(flags[name] as string);
  } catch (err) {
    throw new UsageError(`--${name}: not a valid regular expression: ${(err as Error).message}`);
  }
}

interface RunGoal {
  atIcount?: number;
  until?: RegExp | null;
  timeoutS: number;
}

type RunEnd = { kind: 'reached' } | { kind: 'stopped'; reason: string; exitCode?: number; message?: string } | { kind: 'timeout' };

/** Runs until the goal, the guest stops, or the wall-clock timeout; serial output goes to stdout. */
async function runTo(m: Machine, serial: number[], goal: RunGoal): Promise<RunEnd> {
  const start = Date.now();
  let window = '';
  for (;;) {
    if (goal.atIcount !== undefined && m.cpu.icount >= goal.atIcount) return { kind: 'reached' };
    const budget = goal.atIcount !== undefined ? Math.min(SLICE, goal.atIcount - m.cpu.icount) : SLICE;
    const r = m.run({ maxInstructions: budget });
    if (serial.length > 0) {
      const bytes = Buffer.from(serial.splice(0));
      process.stdout.write(bytes);
      if (goal.until) {
        window = (window + bytes.toString('latin1')).slice(-16384);
        if (goal.until.test(window)) return { kind: 'reached' };
      }
    }
    if (r.reason !== 'budget') return { kind: 'stopped', reason: r.reason, exitCode: r.exitCode, message: r.message };
    if (goal.timeoutS > 0 && Date.now() - start > goal.timeoutS * 1000) return { kind: 'timeout' };
    await yieldToHost();
  }
}

export async function snapshotCommand(flags: ParsedFlags): Promise<number> {
  const atIcount = flags['at-icount'] === undefined ? undefined : intFlag(flags, 'at-icount', 0, 0, Number.MAX_SAFE_INTEGER);
  const atOutput = regexFlag(flags, 'at-output');
  if ((atIcount === undefined) === (atOutput === null)) throw new UsageError('give exactly one of --at-icount N and --at-output REGEX');
  const output = typeof flags.output === 'string' ? flags.output : null;
  const shareTo = typeof flags.share === 'string' ? flags.share : null;
  if (!output && !shareTo) throw new UsageError('say where the snapshot goes: -o FILE, --share SERVER, or both');
  if (shareTo && !/^https?:\/\//.test(shareTo)) throw new UsageError(`--share ${shareTo}: expected a server address such as http://127.0.0.1:8080`);
  // The same boot files, defaults and checks as vmxlab boot (the bundled guest without --kernel).
  const req = parseBootRequest(flags);
  const timeoutS = req.timeoutS;
  const serial: number[] = [];
  // Deterministic: virtual time from instructions retired, so a snapshot point is reproducible.
  const m = createMachine({ memMiB: req.memMiB, deterministic: true, onSerial: (b) => serial.push(b) });
  try {
    const load = m.loadKernel(req.kernel, { cmdline: req.append, initrd: req.initrd }, { kernel: path.basename(req.kernelName) });
    process.stderr.write(`vmxlab: ${req.kernelName}: ${load.summary}\n`);
  } catch (err) {
    process.stderr.write(`vmxlab snapshot: ${req.kernelName}: ${(err as Error).message}\n`);
    return 1;
  }
  const end = await runTo(m, serial, { atIcount, until: atOutput, timeoutS });
  if (end.kind !== 'reached') {
    const what = atOutput ? `${atOutput} appeared on the serial console` : `instruction ${atIcount}`;
    const why = end.kind === 'timeout' ? `${timeoutS} s of wall time passed` : `the guest stopped (${end.reason}${end.message ? `: ${end.message}` : ''})`;
    process.stderr.write(`\nvmxlab snapshot: ${why} before ${what}; nothing saved\n`);
    return 1;
  }
  const t0 = performance.now();
  const snap = captureSnapshot(m);
  const ms = performance.now() - t0;
  process.stderr.write(`\nvmxlab snapshot: saved at instruction ${m.cpu.icount} in ${ms.toFixed(0)} ms: ` +
    `${snap.chunks.size} chunks, ${storedSize(snap.manifest, snap.manifestBytes.length)} bytes\n`);
  if (output) {
    writeFileSync(output, packSnapshot(snap));
    process.stderr.write(`vmxlab snapshot: wrote ${output}\n`);
  }
  if (shareTo) {
    const r = await shareSnapshot(shareTo, snap);
    process.stderr.write(`vmxlab snapshot: uploaded ${r.uploadedChunks} of ${r.totalChunks} chunks, ${r.uploadedBytes} bytes\n`);
    process.stdout.write(`\n${r.url}\n`); // on a line of its own after the guest's output
  }
  return 0;
}

/** Reads a snapshot from a file or a share link (<server>/s/<id>). */
export async function readSnapshotArg(spec: string): Promise<SnapshotFiles> {
  if (/^https?:\/\//.test(spec)) return fetchSharedSnapshot(spec);
  const bytes = readUserFile('snapshot', spec, MAX_SNAPSHOT_FILE);
  return unpackSnapshot(bytes);
}

/** `vmxlab boot --snapshot FILE|URL`: a machine built for the snapshot, restored, then run as boot runs. */
export async function bootFromSnapshot(flags: ParsedFlags): Promise<number> {
  const spec = flags.snapshot as string;
  for (const f of ['kernel', 'initrd', 'append', 'mem']) {
    if (flags[f] !== undefined) throw new UsageError(`--${f} cannot be combined with --snapshot (the snapshot holds the whole machine)`);
  }
  const serial: number[] = [];
  let m: Machine;
  try {
    const files = await readSnapshotArg(spec);
    const t0 = performance.now();
    const snap = decodeSnapshot(files.manifestBytes, (h) => files.chunks.get(h));
    m = createMachine({ memMiB: snap.manifest.machine.memMiB as number, deterministic: flags.icount === true, onSerial: (b) => serial.push(b) });
    applySnapshot(m, snap);
    process.stderr.write(`vmxlab: restored ${spec} (instruction ${m.cpu.icount}) in ${(performance.now() - t0).toFixed(0)} ms\n`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const msg = err instanceof SnapshotError ? err.message : `cannot read the snapshot: ${(err as Error).message}`;
    process.stderr.write(`vmxlab boot: ${spec}: ${msg}\n`);
    return 1;
  }
  // From here on it runs as vmxlab boot does (stdin, --until, --timeout, post-mortem).
  const req: BootRequest = {
    kernel: new Uint8Array(0), kernelName: spec, initrd: null, append: '', memMiB: m.memMiB, smp: 1,
    until: regexFlag(flags, 'until'), timeoutS: intFlag(flags, 'timeout', 0, 0, 86_400), icount: flags.icount === true,
  };
  return runBoot(req, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, false, m);
}
