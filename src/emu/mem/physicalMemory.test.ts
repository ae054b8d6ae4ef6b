import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from './physicalMemory.ts';

describe('PhysicalMemory', () => {
  it('is little-endian at any alignment, including across 32-bit words', () => {
    const m = new PhysicalMemory(4096);
    m.write32(0x101, 0x11223344);
    expect(m.read8(0x101)).toBe(0x44);
    expect(m.read8(0x104)).toBe(0x11);
    expect(m.read16(0x102)).toBe(0x2233);
    expect(m.read32(0x101)).toBe(0x11223344);
    m.write32(0x200, 0xdeadbeef);
    expect(m.read32(0x200)).toBe(0xdeadbeef); // unsigned, not negative
  });

  it('reads all-ones and drops writes where nothing is mapped', () => {
    const m = new PhysicalMemory(4096);
    m.write32(0x10000, 5);
    expect(m.read32(0x10000)).toBe(0xffffffff);
    expect(m.read8(0xfff)).toBe(0);
    expect(m.read16(0xfff)).toBe(0xff00); // straddles the end of RAM
  });

  it('routes MMIO windows to their device with offsets and sizes, and debug peeks never reach MMIO', () => {
    const m = new PhysicalMemory(4096);
    const log: string[] = [];
    m.mapMmio(0xfee00000, 0x1000, {
      read: (off, size) => { log.push(`r${size}@${off.toString(16)}`); return 0x12345678; },
      write: (off, size, v) => { log.push(`w${size}@${off.toString(16)}=${v.toString(16)}`); },
    });
    expect(m.read32(0xfee00030)).toBe(0x12345678);
    m.write32(0xfee000b0, 0);
    m.write8(0xfee00010, 0x1ff);
    expect(log).toEqual(['r4@30', 'w4@b0=0', 'w1@10=ff']);
    expect(m.peek8(0xfee00030)).toBe(0xff);
    expect(log).toHaveLength(3);
  });

  it('rejects bad sizes, overlapping MMIO and loads outside RAM with clear errors', () => {
    expect(() => new PhysicalMemory(1000)).toThrow(/multiple of 4 KiB/);
    const m = new PhysicalMemory(8192);
    expect(() => m.mapMmio(0x1000, 0x1000, { read: () => 0, write: () => {} })).toThrow(/overlaps RAM/);
    expect(() => m.load(8000, new Uint8Array(500))).toThrow(/cannot load 500 bytes at 0x1f40/);
  });
});
