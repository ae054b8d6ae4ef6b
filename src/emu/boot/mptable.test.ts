import { describe, expect, it } from 'vitest';
import { MP_EXTINT, MP_INT, MP_NMI, writeMpTable } from './mptable.ts';
import { PhysicalMemory } from '../mem/physicalMemory.ts';

const sum8 = (b: Uint8Array, from: number, len: number) => {
  let s = 0;
  for (let i = 0; i < len; i++) s += b[from + i];
  return s & 0xff;
};
const str = (b: Uint8Array, at: number, len: number) => String.fromCharCode(...b.subarray(at, at + len));

/** Linux's smp_scan_config over the BIOS area followed by smp_check_mpc/smp_read_mpc, as plain parsing. */
function parseMp(mem: PhysicalMemory) {
  const b = mem.u8;
  const dv = new DataView(b.buffer);
  let fp = -1;
  for (let a = 0xf0000; a < 0x100000; a += 16) {
    if (str(b, a, 4) === '_MP_' && b[a + 8] === 1 && sum8(b, a, 16) === 0 && (b[a + 9] === 1 || b[a + 9] === 4)) { fp = a; break; }
  }
  if (fp < 0) throw new Error('no floating pointer');
  const mpc = dv.getUint32(fp + 4, true);
  const len = dv.getUint16(mpc + 4, true);
  const header = {
    fp, mpc, featureByte2: b[fp + 12], signature: str(b, mpc, 4), spec: b[mpc + 6], checksumOk: sum8(b, mpc, len) === 0,
    oem: str(b, mpc + 8, 8), lapic: dv.getUint32(mpc + 36, true), count: dv.getUint16(mpc + 34, true), extLen: dv.getUint16(mpc + 40, true),
  };
  const cpus: { id: number; ver: number; flags: number }[] = [];
  const buses: { id: number; type: string }[] = [];
  const ioapics: { id: number; ver: number; flags: number; addr: number }[] = [];
  const irqs: { type: number; flags: number; bus: number; irq: number; apic: number; pin: number }[] = [];
  const lints: typeof irqs = [];
  const types: number[] = [];
  let p = mpc + 44;
  for (let i = 0; i < header.count; i++) {
    const t = b[p];
    types.push(t);
    if (t === 0) { cpus.push({ id: b[p + 1], ver: b[p + 2], flags: b[p + 3] }); p += 20; continue; }
    if (t === 1) buses.push({ id: b[p + 1], type: str(b, p + 2, 6).trim() });
    else if (t === 2) ioapics.push({ id: b[p + 1], ver: b[p + 2], flags: b[p + 3], addr: dv.getUint32(p + 4, true) });
    else if (t === 3 || t === 4) {
      (t === 3 ? irqs : lints).push({ type: b[p + 1], flags: dv.getUint16(p + 2, true), bus: b[p + 4], irq: b[p + 5], apic: b[p + 6], pin: b[p + 7] });
    } else throw new Error(`bad entry type ${t}`);
    p += 8;
  }
  return { header, cpus, buses, ioapics, irqs, lints, types, end: p, len };
}

describe('MP table (MPS 1.4)', () => {
  it('is found by a BIOS-area scan and both checksums hold', () => {
    const mem = new PhysicalMemory(2 * 1024 * 1024);
    const at = writeMpTable(mem, { apicIds: [0], ioapicId: 1 }, 0xf5a00);
    const mp = parseMp(mem);
    expect(mp.header.fp).toBe(0xf5a00);
    expect(mp.header.mpc).toBe(at.table);
    expect(mp.header.signature).toBe('PCMP');
    expect(mp.header.spec).toBe(4);
    expect(mp.header.checksumOk).toBe(true);
    expect(mp.header.lapic).toBe(0xfee00000);
    expect(mp.header.extLen).toBe(0);
    expect(mp.header.featureByte2 & 0x80).toBe(0); // virtual wire, no IMCR
    expect(mp.end).toBe(at.end);
    expect(mp.end - mp.header.mpc).toBe(mp.len);
  });

  it('describes every CPU, the buses, the IOAPIC and the PC interrupt wiring', () => {
    const mem = new PhysicalMemory(2 * 1024 * 1024);
    writeMpTable(mem, { apicIds: [0, 1, 2, 3], ioapicId: 4 });
    const mp = parseMp(mem);
    expect(mp.cpus).toEqual([
      { id: 0, ver: 0x14, flags: 3 }, { id: 1, ver: 0x14, flags: 1 }, { id: 2, ver: 0x14, flags: 1 }, { id: 3, ver: 0x14, flags: 1 },
    ]);
    expect(mp.buses).toEqual([{ id: 0, type: 'PCI' }, { id: 1, type: 'ISA' }]);
    expect(mp.ioapics).toEqual([{ id: 4, ver: 0x11, flags: 1, addr: 0xfec00000 }]);
    const isa = mp.irqs.filter((e) => e.bus === 1);
    expect(isa.map((e) => e.irq)).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(isa.find((e) => e.irq === 0)!.pin).toBe(2);
    for (const e of isa) {
      expect(e.type).toBe(MP_INT);
      expect(e.apic).toBe(4);
      if (e.irq) expect(e.pin).toBe(e.irq);
    }
    expect(mp.lints).toEqual([
      { type: MP_EXTINT, flags: 0, bus: 1, irq: 0, apic: 0xff, pin: 0 },
      { type: MP_NMI, flags: 0, bus: 1, irq: 0, apic: 0xff, pin: 1 },
    ]);
    // Entries are sorted by type, as MPS requires.
    expect([...mp.types].sort((a, b) => a - b)).toEqual(mp.types);
  });

  it('adds PCI INTx routes as level, active-low entries on the PCI bus', () => {
    const mem = new PhysicalMemory(2 * 1024 * 1024);
    writeMpTable(mem, { apicIds: [0], ioapicId: 1, pciInterrupts: [{ device: 3, pin: 0, ioapicPin: 16 }] });
    const mp = parseMp(mem);
    expect(mp.header.checksumOk).toBe(true);
    expect(mp.irqs.filter((e) => e.bus === 0)).toEqual([{ type: MP_INT, flags: 0x0f, bus: 0, irq: 3 << 2, apic: 1, pin: 16 }]);
  });

  it('refuses placements Linux would not find', () => {
    const mem = new PhysicalMemory(2 * 1024 * 1024);
    expect(() => writeMpTable(mem, { apicIds: [0], ioapicId: 1 }, 0xe0000)).toThrow(/0xF0000-0xFFFFF/);
    expect(() => writeMpTable(mem, { apicIds: [0], ioapicId: 1 }, 0xf0008)).toThrow(/aligned/);
    expect(() => writeMpTable(mem, { apicIds: [], ioapicId: 1 })).toThrow(/CPUs/);
  });
});
