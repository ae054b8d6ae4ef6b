// A run snapshotted and restored (into a fresh machine) at several points
// prints the same serial output, byte for byte, and exits the same way as the
// run that was never interrupted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMachine, type Machine, type RunResult } from '../../src/emu/machine.ts';
import { restoreSnapshot, saveSnapshot } from '../../src/emu/snapshot/index.ts';
import { VMX } from '../../src/emu/cpu/state/layout.ts';
import { baremetalDir, buildBareMetal, buildBareMetalFile, type Mode } from '../diff/build.ts';

const MEM_MIB = 8;

function machineWith(out: number[]): Machine {
  return createMachine({ memMiB: MEM_MIB, deterministic: true, onSerial: (b) => out.push(b) });
}

/** Runs to the end from wherever the machine is. */
function finish(m: Machine): RunResult {
  return m.run({ maxInstructions: 50_000_000 });
}

/**
 * Runs `image` uninterrupted, then again as a chain of save/restore into fresh
 * machines at each cut; the serial output and exit must be the same.
 */
function expectSameWithCuts(image: Uint8Array, cuts: number[], refOut: number[], total: number, exitCode: number,
  stepUntil?: (m: Machine) => boolean): Machine[] {
  const out: number[] = [];
  const saved: Machine[] = [];
  let m = machineWith(out);
  m.loadMultiboot(image);
  let at = 0;
  for (const cut of cuts) {
    // (A budget may end one instruction late around VM entry: cut where the machine stopped.)
    expect(m.run({ maxInstructions: cut - at, sliceSize: 777 })).toMatchObject({ reason: 'budget' });
    // Then single-step to where the test wants the snapshot (e.g. inside a VM guest).
    for (let i = 0; stepUntil && !stepUntil(m) && i < 1000; i++) m.run({ maxInstructions: 1 });
    at = m.cpu.icount;
    saved.push(m);
    const bytes = saveSnapshot(m);
    m = machineWith(out);
    restoreSnapshot(m, bytes);
    expect(m.cpu.icount).toBe(at);
  }
  const end = finish(m);
  expect(end).toMatchObject({ reason: 'exit', exitCode });
  expect(at + end.instructions).toBe(total);
  expect(Buffer.from(out).toString('latin1')).toBe(Buffer.from(refOut).toString('latin1'));
  return saved;
}

describe('snapshot determinism (bare-metal VMX hypervisor test)', () => {
  it('restoring in VMX root and non-root operation gives the same PASS lines and exit', () => {
    const image = new Uint8Array(readFileSync(buildBareMetal({ name: 'vmx', mode: 64, source: readFileSync(join(baremetalDir, 'vmx.asm'), 'utf8') })));
    // Find instruction counts where the guest runs in VMX non-root operation (flags bit 1).
    const refOut: number[] = [];
    const ref = machineWith(refOut);
    ref.loadMultiboot(image);
    const nonRoot: number[] = [];
    let r;
    do {
      r = ref.run({ maxInstructions: 1 });
      if ((ref.cpu.s[VMX] & 2) !== 0) nonRoot.push(ref.cpu.icount);
    } while (r.reason === 'budget' && ref.cpu.icount < 5_000_000);
    expect(r).toMatchObject({ reason: 'exit', exitCode: 1 });
    expect(nonRoot.length).toBeGreaterThanOrEqual(3);
    const total = ref.cpu.icount;
    const cuts = [nonRoot[0] - 10, nonRoot[Math.floor(nonRoot.length / 2)] - 10, nonRoot.at(-1)! - 10];
    const saved = expectSameWithCuts(image, cuts, refOut, total, 1, (m) => (m.cpu.s[VMX] & 2) !== 0);
    expect(saved.filter((m) => (m.cpu.s[VMX] & 2) !== 0).length, 'snapshots taken in non-root operation').toBe(3);
  });
});

describe('snapshot determinism with timer interrupts (PIT through the 8259A, local APIC timer, HLT)', () => {
  it('restoring at several points gives the same interrupt-stamped output and exit', () => {
    const image = new Uint8Array(readFileSync(buildBareMetalFile('snapshotTimers.asm', 32)));
    const refOut: number[] = [];
    const ref = machineWith(refOut);
    ref.loadMultiboot(image);
    const end = finish(ref);
    expect(end).toMatchObject({ reason: 'exit', exitCode: 0x57 });
    const text = Buffer.from(refOut).toString('latin1');
    // Both timers really interrupted the loop (counts on the last line).
    const last = /pit ([0-9a-f]{8}) apic ([0-9a-f]{8})/.exec(text.trim().split('\n').at(-1)!)!;
    expect(parseInt(last[1], 16)).toBeGreaterThan(30);
    expect(parseInt(last[2], 16)).toBeGreaterThan(30);
    const total = ref.cpu.icount;
    expectSameWithCuts(image, [997, 12_345, 50_001, Math.floor(total / 3), Math.floor(total / 2) + 1, total - 50], refOut, total, 0x57);
  });
});

describe.each([32, 64] as Mode[])('snapshot determinism (%i-bit bare-metal program)', (mode) => {
  const image = new Uint8Array(readFileSync(buildBareMetalFile('snapshotWalk.asm', mode)));

  it('restoring at several points gives the uninterrupted run\'s output and exit, byte for byte', () => {
    const refOut: number[] = [];
    const ref = machineWith(refOut);
    ref.loadMultiboot(image);
    const refEnd = finish(ref);
    expect(refEnd).toMatchObject({ reason: 'exit', exitCode: 0x55 });
    const total = refEnd.instructions;
    expect(total).toBeGreaterThan(300_000);

    // Odd cut points land inside loops, between a flag-setting CMP and its branch, in rt_puts, ...
    expectSameWithCuts(image, [1, 17, 99_991, Math.floor(total / 3) + 7, Math.floor(total / 2) + 3, total - 5], refOut, total, 0x55);
  });

  it('a restored machine equals the saved one: registers, RAM, and a second snapshot byte for byte', () => {
    const a = machineWith([]);
    a.loadMultiboot(image, 'cmd line', 'snapshotWalk.elf');
    a.run({ maxInstructions: 123_457 });
    const first = saveSnapshot(a);
    const b = machineWith([]);
    restoreSnapshot(b, first);
    expect(b.cpu.s).toEqual(a.cpu.s);
    expect(Buffer.compare(b.mem.u8, a.mem.u8)).toBe(0);
    expect(b.bootFiles.map((f) => f.name)).toEqual(['snapshotWalk.elf']);
    expect(b.bootCmdline).toBe('cmd line');
    expect(Buffer.compare(saveSnapshot(b), first)).toBe(0);
  });
});
