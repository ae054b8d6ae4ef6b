import { describe, expect, it } from 'vitest';
import { IoBus, type IoSize } from './ioBus.ts';

describe('IoBus', () => {
  it('routes ports to their device and floats unclaimed ports high', () => {
    const bus = new IoBus();
    const writes: [number, IoSize, number][] = [];
    bus.register(0x3f8, 8, { portRead: (p) => p & 0xff, portWrite: (p, s, v) => writes.push([p, s, v]) });
    expect(bus.read(0x3fd, 1)).toBe(0xfd);
    bus.write(0x3f8, 1, 0x41);
    expect(writes).toEqual([[0x3f8, 1, 0x41]]);
    expect(bus.read(0x60, 1)).toBe(0xff);
    expect(bus.read(0x60, 2)).toBe(0xffff);
    expect(bus.read(0x60, 4)).toBe(0xffffffff);
  });

  it('refuses two devices on one port', () => {
    const bus = new IoBus();
    const dev = { portRead: () => 0, portWrite: () => {} };
    bus.register(0x70, 2, dev);
    expect(() => bus.register(0x71, 1, dev)).toThrow(/0x71 is already claimed/);
  });
});
