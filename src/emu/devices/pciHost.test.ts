import { describe, expect, it } from 'vitest';
import { PciConfigSpace, PciHost } from './pciHost.ts';
import { IoBus } from './ioBus.ts';
import { uncoveredFields } from '../clock/stateCodec.ts';

function setup() {
  const pci = new PciHost();
  const bus = new IoBus();
  bus.register(0xcf8, 8, pci);
  const addr = (b: number, d: number, f: number, reg: number) => (0x80000000 | (b << 16) | (d << 11) | (f << 8) | (reg & 0xfc)) >>> 0;
  const read = (b: number, d: number, f: number, reg: number, size: 1 | 2 | 4 = 4) => {
    bus.write(0xcf8, 4, addr(b, d, f, reg));
    return bus.read(0xcfc + (reg & 3), size);
  };
  const write = (b: number, d: number, f: number, reg: number, size: 1 | 2 | 4, v: number) => {
    bus.write(0xcf8, 4, addr(b, d, f, reg));
    bus.write(0xcfc + (reg & 3), size, v);
  };
  return { pci, bus, read, write };
}

describe('PCI host (configuration mechanism #1)', () => {
  it('passes Linux pci_check_type1: byte write to 0xCFB leaves CONFIG_ADDRESS, which reads back', () => {
    const { bus } = setup();
    bus.write(0xcfb, 1, 0x01);
    const saved = bus.read(0xcf8, 4);
    bus.write(0xcf8, 4, 0x80000000);
    expect(bus.read(0xcf8, 4)).toBe(0x80000000);
    bus.write(0xcf8, 4, saved);
    expect(bus.read(0xcf8, 4)).toBe(saved);
    bus.write(0xcf8, 4, 0xffffffff);
    expect(bus.read(0xcf8, 4)).toBe(0x80fffffc); // reserved bits read 0
  });

  it('00:00.0 is an Intel 440FX host bridge with read-only identity', () => {
    const { read, write } = setup();
    expect(read(0, 0, 0, 0x00)).toBe(0x12378086);
    expect(read(0, 0, 0, 0x08)).toBe(0x06000002); // class 06/00/00, revision 02
    expect(read(0, 0, 0, 0x0e, 1)).toBe(0x00); // header type 0, single function
    expect(read(0, 0, 0, 0x02, 2)).toBe(0x1237);
    expect(read(0, 0, 0, 0x0b, 1)).toBe(0x06);
    write(0, 0, 0, 0x00, 4, 0);
    write(0, 0, 0, 0x08, 4, 0);
    expect(read(0, 0, 0, 0x00)).toBe(0x12378086);
    expect(read(0, 0, 0, 0x08)).toBe(0x06000002);
    write(0, 0, 0, 0x59, 1, 0x30); // PAM0 is a plain register
    expect(read(0, 0, 0, 0x59, 1)).toBe(0x30);
  });

  it('absent functions, other buses and a disabled address read all-ones; writes vanish', () => {
    const { read, write, bus } = setup();
    for (let dev = 1; dev < 32; dev++) expect(read(0, dev, 0, 0)).toBe(0xffffffff);
    expect(read(0, 0, 1, 0)).toBe(0xffffffff);
    expect(read(1, 0, 0, 0)).toBe(0xffffffff);
    expect(read(0, 3, 0, 0x3c, 1)).toBe(0xff);
    write(0, 5, 0, 0x10, 4, 0x12345678);
    bus.write(0xcf8, 4, 0x00000000);
    expect(bus.read(0xcfc, 4)).toBe(0xffffffff);
  });

  it('registers further functions with write masks and write-one-to-clear status bits', () => {
    const { pci, read, write } = setup();
    const f = new PciConfigSpace({ vendor: 0x1af4, device: 0x1041, classCode: 0x020000, revision: 1 });
    f.setWritable(0x04, 2, 0xff);
    f.config[0x07] = 0x80; // detected parity error
    pci.register(0, 3, 0, f);
    expect(read(0, 3, 0, 0)).toBe(0x10411af4);
    write(0, 3, 0, 0x04, 2, 0x0007);
    expect(read(0, 3, 0, 0x04, 2)).toBe(0x0007);
    write(0, 3, 0, 0x06, 2, 0x8000);
    expect(read(0, 3, 0, 0x06, 2)).toBe(0);
    expect(() => pci.register(0, 3, 0, f)).toThrow(/already present/);
  });

  it('byte and word accesses land at the right offset inside the dword', () => {
    const { read } = setup();
    expect(read(0, 0, 0, 0x01, 1)).toBe(0x80);
    expect(read(0, 0, 0, 0x03, 1)).toBe(0x12);
    expect(read(0, 0, 0, 0x06, 2)).toBe(0x0280);
  });

  it('saves and restores the address register and bridge registers', () => {
    const a = setup();
    a.write(0, 0, 0, 0x5a, 1, 0x11);
    const b = setup();
    b.pci.loadState(a.pci.saveState());
    expect(b.bus.read(0xcf8, 4)).toBe(a.bus.read(0xcf8, 4));
    expect(b.read(0, 0, 0, 0x5a, 1)).toBe(0x11);
    expect(uncoveredFields(a.pci, PciHost.STATE)).toEqual([]);
  });
});
