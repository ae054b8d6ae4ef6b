import { describe, expect, it } from 'vitest';
import { IoBus } from './ioBus.ts';
import { DebugExit, DEBUG_EXIT_PORT } from './debugExit.ts';

describe('DebugExit (isa-debug-exit)', () => {
  it('turns a 32-bit write of v into exit status (v << 1) | 1', () => {
    const io = new IoBus();
    const seen: number[] = [];
    new DebugExit((s) => seen.push(s)).attach(io);
    io.write(DEBUG_EXIT_PORT, 4, 0);
    io.write(DEBUG_EXIT_PORT, 4, 0x21);
    io.write(DEBUG_EXIT_PORT, 4, 0x7fffffff);
    expect(seen).toEqual([1, 0x43, 0xffffffff]);
  });

  it('claims ports 0xf4..0xf7, reads 0, and zero-extends narrow writes', () => {
    const io = new IoBus();
    const dev = new DebugExit(() => {});
    dev.attach(io);
    expect(io.read(0xf4, 4)).toBe(0);
    expect(io.read(0xf8, 1)).toBe(0xff); // not ours
    io.write(0xf5, 1, 0x1ff);
    expect(dev.status).toBe(0x1ff);
    expect(() => io.register(0xf7, 1, dev)).toThrow(/already claimed/);
  });

  it('saves and restores the last exit status (or its absence)', () => {
    const io = new IoBus();
    const dev = new DebugExit(() => {});
    dev.attach(io);
    const fresh = dev.saveState();
    io.write(DEBUG_EXIT_PORT, 4, 0x80000001);
    const other = new DebugExit(() => {});
    other.loadState(dev.saveState());
    expect(other.status).toBe(3); // (0x80000001 << 1) | 1 in 32 bits
    other.loadState(fresh);
    expect(other.status).toBeUndefined();
    expect(() => other.loadState(new Uint8Array(4))).toThrow(/5-byte/);
  });
});
