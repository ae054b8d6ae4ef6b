import { describe, expect, it } from 'vitest';
import { IOAPIC_PINS, Ioapic } from './ioapic.ts';
import { uncoveredFields } from '../clock/stateCodec.ts';

type Msg = { dest: number; logical: boolean; mode: number; vector: number; level: boolean };

function setup() {
  const io = new Ioapic(2);
  const msgs: Msg[] = [];
  io.bus = { deliver: (dest, logical, mode, vector, level) => msgs.push({ dest, logical, mode, vector, level }) };
  const rd = (reg: number) => { io.write(0x00, 4, reg); return io.read(0x10, 4); };
  const wr = (reg: number, v: number) => { io.write(0x00, 4, reg); io.write(0x10, 4, v); };
  const route = (pin: number, lo: number, hi = 0) => { wr(0x11 + 2 * pin, hi); wr(0x10 + 2 * pin, lo); };
  return { io, msgs, rd, wr, route };
}

describe('IOAPIC', () => {
  it('identification: ID, version 0x11 with 24 entries, arbitration ID; all entries masked at reset', () => {
    const { rd, wr } = setup();
    expect(rd(0x00)).toBe(0x02000000);
    expect(rd(0x01)).toBe(0x00170011);
    expect(rd(0x02)).toBe(0x02000000);
    wr(0x00, 0x0f000000);
    expect(rd(0x00)).toBe(0x0f000000);
    wr(0x01, 0);
    expect(rd(0x01)).toBe(0x00170011);
    for (let pin = 0; pin < IOAPIC_PINS; pin++) expect(rd(0x10 + 2 * pin)).toBe(0x10000);
  });

  it('redirection entry fields; delivery status and remote IRR are read-only', () => {
    const { rd, route } = setup();
    route(5, 0xffffffff, 0xffffffff);
    expect(rd(0x1a)).toBe(0x0001afff & ~0x4000 | 0x8000); // all writable bits (level), no remote IRR
    expect(rd(0x1b)).toBe(0xff000000);
  });

  it('edge-triggered: one message per rising edge while unmasked; masked edges are lost', () => {
    const { io, msgs, route } = setup();
    route(4, 0x31, 0x01000000); // fixed, physical, edge, vector 0x31 -> APIC 1
    io.setIrq(4, 1);
    io.setIrq(4, 1);
    io.setIrq(4, 0);
    io.setIrq(4, 1);
    expect(msgs).toEqual([
      { dest: 1, logical: false, mode: 0, vector: 0x31, level: false },
      { dest: 1, logical: false, mode: 0, vector: 0x31, level: false },
    ]);
    route(4, 0x10031, 0x01000000);
    io.setIrq(4, 0);
    io.setIrq(4, 1);
    route(4, 0x31, 0x01000000);
    expect(msgs.length).toBe(2);
  });

  it('level-triggered: remote IRR holds further delivery until EOI, then re-delivers while asserted', () => {
    const { io, msgs, rd, route } = setup();
    route(10, 0x8000 | 0x800 | 0x100 | 0x45, 0x03000000); // lowest priority, logical, level
    io.setIrq(10, 1);
    expect(msgs).toEqual([{ dest: 3, logical: true, mode: 1, vector: 0x45, level: true }]);
    expect(rd(0x24) & 0x4000).toBe(0x4000);
    io.setIrq(10, 1);
    expect(msgs.length).toBe(1);
    io.eoi(0x46); // another vector: nothing
    expect(rd(0x24) & 0x4000).toBe(0x4000);
    io.eoi(0x45);
    expect(msgs.length).toBe(2); // still asserted: again
    io.setIrq(10, 0);
    io.eoi(0x45);
    expect(rd(0x24) & 0x4000).toBe(0);
    expect(msgs.length).toBe(2);
  });

  it('unmasking an asserted level pin delivers', () => {
    const { io, msgs, route } = setup();
    route(16, 0x18000 | 0x50);
    io.setIrq(16, 1);
    expect(msgs.length).toBe(0);
    route(16, 0x8000 | 0x50);
    expect(msgs.map((m) => m.vector)).toEqual([0x50]);
  });

  it('NMI and ExtINT entries do not wait for EOI', () => {
    const { io, msgs, rd, route } = setup();
    route(0, 0x8000 | 0x700);
    io.setIrq(0, 1);
    expect(msgs[0].mode).toBe(7);
    expect(rd(0x10) & 0x4000).toBe(0);
  });

  it('saves and restores', () => {
    const a = setup();
    a.route(3, 0x8000 | 0x33);
    a.io.setIrq(3, 1);
    const b = setup();
    b.io.loadState(a.io.saveState());
    expect(b.rd(0x16)).toBe(a.rd(0x16));
    expect(b.io.pinLevels).toBe(1 << 3);
    expect(uncoveredFields(a.io, Ioapic.STATE)).toEqual([]);
  });
});
