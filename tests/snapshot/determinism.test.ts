// A run snapshotted and restored (into a fresh machine) at several points
// prints the same serial output, byte for byte, and exits the same way as the
// run that was never interrupted.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMachine, type Machine, type RunResult } from '../../src/emu/machine.ts';
import { restoreSnapshot, saveSnapshot } from '../../src/emu/snapshot/index.ts';
import { buildBareMetalFile, type Mode } from '../diff/build.ts';

const MEM_MIB = 8;

function machineWith(out: number[]): Machine {
  return createMachine({ memMiB: MEM_MIB, onSerial: (b) => out.push(b) });
}

/** Runs to the end from wherever the machine is. */
function finish(m: Machine): RunResult {
  return m.run({ maxInstructions: 50_000_000 });
}

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

    // A chain: run to a point, snapshot, restore into a new machine, go on; several times.
    // Odd cut points land inside loops, between a flag-setting CMP and its branch, in rt_puts, ...
    const cuts = [1, 17, 99_991, Math.floor(total / 3) + 7, Math.floor(total / 2) + 3, total - 5];
    const out: number[] = [];
    let m = machineWith(out);
    m.loadMultiboot(image, undefined, 'snapshotWalk.elf');
    let at = 0;
    for (const cut of cuts) {
      expect(m.run({ maxInstructions: cut - at, sliceSize: 777 })).toMatchObject({ reason: 'budget' });
      at = cut;
      const bytes = saveSnapshot(m);
      m = machineWith(out);
      restoreSnapshot(m, bytes);
      expect(m.cpu.icount).toBe(cut);
    }
    const end = finish(m);
    expect(end).toMatchObject({ reason: 'exit', exitCode: 0x55 });
    expect(at + end.instructions).toBe(total);
    expect(Buffer.from(out).toString('latin1')).toBe(Buffer.from(refOut).toString('latin1'));
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
