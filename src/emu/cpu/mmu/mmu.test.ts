import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../../mem/physicalMemory.ts';
import { Access, Mmu, PagingMode, WalkFault, WalkTrace } from './mmu.ts';
import { PageTableBuilder } from './pageTableBuilder.ts';
import { PTE_A, PTE_D, PTE_RW, PTE_US } from './pagingBits.ts';

const PE = 1, PG = 0x80000000, WP = 1 << 16;
const PSE = 1 << 4, PAE = 1 << 5;
const LME = 1 << 8, LMA = 1 << 10, NXE = 1 << 11;
const MiB = 1 << 20;

/** Index of the first differing byte, or -1 (toEqual on megabytes is too slow). */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function longMode(memMiB = 16) {
  const mem = new PhysicalMemory(memMiB * MiB);
  const b = new PageTableBuilder(mem, 'level4', 0x100000);
  const mmu = new Mmu(mem);
  expect(mmu.setControl(PE | PG | WP, b.root, 0, PAE, LME | LMA | NXE)).toBe(true);
  return { mem, b, mmu };
}

describe('Mmu: paging off', () => {
  it('returns the linear address itself (low 32 bits) and never faults', () => {
    const mmu = new Mmu(new PhysicalMemory(4096));
    mmu.setControl(PE, 0, 0, 0, 0);
    expect(mmu.mode).toBe(PagingMode.None);
    expect(mmu.translate(0xfee00030, 0, Access.Write, true, false)).toBe(0xfee00030);
    expect(mmu.translate(0x1234, 0, Access.Fetch, false, false)).toBe(0x1234);
  });
});

describe('Mmu: 4-level paging', () => {
  it('maps 4-KByte, 2-MByte and 1-GByte pages to the right physical addresses', () => {
    const { b, mmu } = longMode();
    b.map(0x00401000, 0, 0x00203000);
    b.map(0x00600000, 0, 0x00800000, PTE_RW | PTE_US, { pageBits: 21 });
    b.map(0x40000000, 0x7f, 0x80000000, PTE_RW | PTE_US, { pageBits: 30 }); // LA 0x7f40000000
    // A kernel-half address: 0xffff800000000000 + 0x5000 (PML4 index 256).
    b.map(0x00005000, 0xffff8000, 0x00007000);
    expect(mmu.translate(0x00401abc, 0, Access.Read, false, false)).toBe(0x00203abc);
    expect(mmu.translate(0x006fffff, 0, Access.Read, false, false)).toBe(0x008fffff);
    expect(mmu.translate(0x40000000 + 0x12345678, 0x7f, Access.Read, false, false)).toBe(0x80000000 + 0x12345678);
    expect(mmu.translate(0x00005010, 0xffff8000, Access.Read, false, false)).toBe(0x7010);
    expect(mmu.mode).toBe(PagingMode.Level4);
  });

  it('translates to physical addresses above 4 GiB below MAXPHYADDR', () => {
    const { b, mmu } = longMode();
    b.map(0x1000, 0, 0x7f_1234_5000);
    expect(mmu.translate(0x1ffc, 0, Access.Read, false, false)).toBe(0x7f_1234_5ffc);
  });

  it('reports a not-present fault with P=0 and the access bits', () => {
    const { mmu } = longMode();
    expect(mmu.translate(0x12345000, 0, Access.Write, true, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(0b110); // W/R=1, U/S=1, P=0
    expect(mmu.translate(0x12345000, 0, Access.Fetch, false, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(0b10000); // I/D (NXE=1), supervisor read-type
  });

  it('sets A on every level and D on the leaf only for writes, and only when the access succeeds', () => {
    const { mem, b, mmu } = longMode();
    const pte = b.map(0x2000, 0, 0x9000, PTE_US); // read-only user page
    const pml4e = b.entry(0x2000, 0, 4), pdpte = b.entry(0x2000, 0, 3), pde = b.entry(0x2000, 0, 2);
    // A user write to a read-only page faults: no A, no D anywhere.
    expect(mmu.translate(0x2000, 0, Access.Write, true, false)).toBe(-1);
    for (const ea of [pml4e, pdpte, pde, pte]) expect(mem.read32(ea) & (PTE_A | PTE_D)).toBe(0);
    // A read succeeds: A everywhere, no D.
    expect(mmu.translate(0x2000, 0, Access.Read, true, false)).toBe(0x9000);
    for (const ea of [pml4e, pdpte, pde, pte]) expect(mem.read32(ea) & (PTE_A | PTE_D)).toBe(PTE_A);
    // A supervisor write (CR0.WP=1 forbids it) still leaves D clear.
    expect(mmu.translate(0x2000, 0, Access.Write, false, true)).toBe(-1);
    expect(mem.read32(pte) & PTE_D).toBe(0);
    // Make it writable; a write through the cached read-only translation re-walks and sets D on the PTE only.
    mem.write32(pte, mem.read32(pte) | PTE_RW);
    expect(mmu.translate(0x2004, 0, Access.Write, true, false)).toBe(0x9004);
    expect(mem.read32(pte) & PTE_D).toBe(PTE_D);
    for (const ea of [pml4e, pdpte, pde]) expect(mem.read32(ea) & PTE_D).toBe(0);
  });

  it('sets D on a large-page leaf', () => {
    const { mem, b, mmu } = longMode();
    const pde = b.map(0x00200000, 0, 0x00400000, PTE_RW, { pageBits: 21 });
    expect(mmu.translate(0x00212345, 0, Access.Write, false, false)).toBe(0x00412345);
    expect(mem.read32(pde) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
  });
});

describe('Mmu: 32-bit paging', () => {
  function bits32(cr4: number) {
    const mem = new PhysicalMemory(16 * MiB);
    const b = new PageTableBuilder(mem, 'bits32', 0x100000);
    const mmu = new Mmu(mem);
    mmu.setControl(PE | PG, b.root, 0, cr4, 0);
    return { mem, b, mmu };
  }

  it('maps 4-KByte pages through a PDE and a PTE', () => {
    const { b, mmu } = bits32(0);
    b.map(0xc0001000, 0, 0x00005000);
    expect(mmu.mode).toBe(PagingMode.Bits32);
    expect(mmu.translate(0xc0001234, 0, Access.Read, false, false)).toBe(0x5234);
    expect(mmu.translate(0xc0001234 | 0, 0, Access.Read, false, false)).toBe(0x5234); // int32 form of the same LA
  });

  it('maps 4-MByte pages with CR4.PSE, including PSE-36 bits above 4 GiB', () => {
    const { b, mmu } = bits32(PSE);
    b.map(0x00400000, 0, 0x00c00000, PTE_RW, { pageBits: 22 });
    b.map(0x80000000, 0, 0x12_0040_0000, PTE_RW, { pageBits: 22 });
    expect(mmu.translate(0x00512345, 0, Access.Read, false, false)).toBe(0x00d12345);
    expect(mmu.translate(0x80000010, 0, Access.Read, false, false)).toBe(0x12_0040_0010);
  });

  it('ignores PDE.PS without CR4.PSE (the PDE points to a page table)', () => {
    const { mem, b, mmu } = bits32(0);
    const pde = b.entry(0x00400000, 0, 2);
    const pt = b.alloc();
    mem.write32(pde, pt | 0x87); // P RW US PS
    mem.write32(pt + 4, 0x00777000 | 0x3);
    expect(mmu.translate(0x00401008, 0, Access.Read, false, false)).toBe(0x00777008);
  });

  it('reports I/D for fetches only with CR4.SMEP (no NX in 32-bit paging)', () => {
    const { mmu } = bits32(0);
    mmu.translate(0x1000, 0, Access.Fetch, false, false);
    expect(mmu.faultPfec).toBe(0);
  });
});

describe('Mmu: PAE paging', () => {
  function pae(efer = NXE) {
    const mem = new PhysicalMemory(16 * MiB);
    const b = new PageTableBuilder(mem, 'pae', 0x100000);
    const mmu = new Mmu(mem);
    return { mem, b, mmu, enable: () => mmu.setControl(PE | PG | WP, b.root, 0, PAE, efer) };
  }

  it('maps 4-KByte and 2-MByte pages through the PDPTE registers', () => {
    const { b, mmu, enable } = pae();
    b.map(0xc0001000, 0, 0x00005000);
    b.map(0x40200000, 0, 0x00a00000, PTE_RW, { pageBits: 21 });
    expect(enable()).toBe(true);
    expect(mmu.mode).toBe(PagingMode.Pae);
    expect(mmu.translate(0xc0001abc, 0, Access.Read, true, false)).toBe(0x5abc);
    expect(mmu.translate(0x40300000, 0, Access.Read, false, false)).toBe(0x00b00000);
  });

  it('walks with the cached PDPTEs, not memory, until CR3 is written again', () => {
    const { mem, b, mmu, enable } = pae();
    b.map(0x1000, 0, 0x5000);
    enable();
    mem.write32(b.root, 0); // PDPTE0 not present in memory
    expect(mmu.translate(0x1000, 0, Access.Read, false, false)).toBe(0x5000);
    mmu.flushAll();
    expect(mmu.translate(0x1000, 0, Access.Read, false, false)).toBe(0x5000); // still the register
    expect(mmu.writeCr3(b.root, 0)).toBe(true);
    expect(mmu.translate(0x1000, 0, Access.Read, false, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(0);
  });

  it('reloads the PDPTEs on MOV to CR4 changing PGE (SDM 4.4.1) but not on a CR0.WP change', () => {
    const { mem, b, mmu, enable } = pae();
    b.map(0x1000, 0, 0x5000);
    enable();
    mem.write32(b.root, 0);
    mmu.setControl(PE | PG, b.root, 0, PAE, NXE); // WP off: PDPTE registers kept
    mmu.flushAll();
    expect(mmu.translate(0x1000, 0, Access.Read, false, false)).toBe(0x5000);
    mmu.setControl(PE | PG, b.root, 0, PAE | (1 << 7), NXE); // PGE on: reloaded from memory
    expect(mmu.translate(0x1000, 0, Access.Read, false, false)).toBe(-1);
  });

  it('refuses invalid PDPTEs on MOV to CR3 and when entering PAE paging, changing nothing', () => {
    const { mem, b, mmu, enable } = pae();
    b.map(0x1000, 0, 0x5000);
    const good = b.root;
    const bad = b.alloc();
    mem.u8.copyWithin(bad, good, good + 32);
    mem.write32(bad + 8, 0x00200000 | 1 | 2); // PDPTE1 present with R/W: a reserved bit in PAE
    expect(mmu.setControl(PE | PG, bad, 0, PAE, 0)).toBe(false);
    expect(mmu.mode).toBe(PagingMode.None);
    expect(enable()).toBe(true);
    expect(mmu.writeCr3(bad, 0)).toBe(false);
    expect(mmu.ctl.cr3Lo).toBe(good);
    mem.write32(bad + 8, 0); mem.write32(bad + 28, 0x80); // PDPTE3 not present: its reserved bits don't matter
    mem.write32(bad + 24, 0x00300000 | 1); // now present with bit 39 set, above MAXPHYADDR (39)
    expect(mmu.writeCr3(bad, 0)).toBe(false);
    mem.write32(bad + 28, 0x40); // bit 38: a valid address bit
    expect(mmu.writeCr3(bad, 0)).toBe(true);
    expect(mmu.translate(0x1000, 0, Access.Read, false, false)).toBe(0x5000);
  });

  it('treats XD as reserved without EFER.NXE and bits 62:52 as reserved', () => {
    const { b, mmu, enable } = pae(0);
    b.map(0x1000, 0, 0x5000, PTE_RW, { leafHi: 0x80000000 });
    b.map(0x2000, 0, 0x6000, PTE_RW, { leafHi: 0x00100000 }); // bit 52
    enable();
    expect(mmu.translate(0x1000, 0, Access.Read, false, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(0b1001);
    expect(mmu.translate(0x2000, 0, Access.Write, false, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(0b1011);
  });
});

describe('Mmu.walk (debugger)', () => {
  it('records every level, returns what translate returns, and changes nothing', () => {
    const { mem, b, mmu } = longMode();
    const pte = b.map(0x00401000, 0, 0x00203000, PTE_RW);
    const before = mem.u8.slice();
    const stats = { ...mmu.stats };
    const t = new WalkTrace();
    expect(mmu.walk(0x00401abc, 0, Access.Write, false, false, t, false)).toBe(true);
    expect(firstDiff(mem.u8, before)).toBe(-1);
    expect(mmu.stats).toEqual(stats);
    expect(mmu.tlb.countValid()).toBe(0);
    expect(t.pa).toBe(0x00203abc);
    expect(t.pageBits).toBe(12);
    const recs = t.records();
    expect(recs.map((r) => r.level)).toEqual([4, 3, 2, 1]);
    expect(recs[0].tableAddr).toBe(b.root);
    expect(recs[0].entryAddr).toBe(b.entry(0x00401abc, 0, 4));
    expect(recs[3].entryAddr).toBe(pte);
    expect(recs[3].entryLo).toBe(0x00203000 | PTE_RW | 1);
    expect(recs[2].entryLo & 0xfffff000).toBe(recs[3].tableAddr);
    // translate gives the same answer, and only then are A/D set.
    expect(mmu.translate(0x00401abc, 0, Access.Write, false, false)).toBe(t.pa);
    expect(mem.read32(pte) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
  });

  it('explains a fault with the level where it stopped and the same PFEC as translate', () => {
    const { mem, b, mmu } = longMode();
    b.map(0x00401000, 0, 0x00203000, PTE_RW | PTE_US, { leafHi: 0x00008000 }); // bit 47: above MAXPHYADDR
    const before = mem.u8.slice();
    const t = new WalkTrace();
    expect(mmu.walk(0x00401000, 0, Access.Read, true, false, t, false)).toBe(false);
    expect(t.fault).toBe(WalkFault.Reserved);
    expect(t.count).toBe(4);
    expect(t.entryHi[3]).toBe(0x00008000);
    expect(firstDiff(mem.u8, before)).toBe(-1);
    expect(mmu.translate(0x00401000, 0, Access.Read, true, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(t.pfec);
    expect(t.pfec).toBe(0b1101);
  });

  it('walks another address space by CR3 without disturbing the current one (PAE and 4-level)', () => {
    const { mem, b, mmu } = longMode();
    const other = new PageTableBuilder(mem, 'level4', 0x400000);
    b.map(0x1000, 0, 0x9000);
    other.map(0x1000, 0, 0xa000);
    expect(mmu.translate(0x1000, 0, Access.Read, false, false)).toBe(0x9000);
    const valid = mmu.tlb.countValid();
    const before = mem.u8.slice();
    const t = new WalkTrace();
    expect(mmu.walkWithCr3(other.root, 0, 0x1000, 0, Access.Read, false, false, t)).toBe(true);
    expect(t.pa).toBe(0xa000);
    expect(t.tableAddr[0]).toBe(other.root);
    expect(firstDiff(mem.u8, before)).toBe(-1);
    expect(mmu.tlb.countValid()).toBe(valid);
    expect(mmu.ctl.cr3Lo).toBe(b.root);
    expect(mmu.translate(0x1000, 0, Access.Read, false, false)).toBe(0x9000);

    const pmem = new PhysicalMemory(8 * MiB);
    const p1 = new PageTableBuilder(pmem, 'pae', 0x100000);
    const p2 = new PageTableBuilder(pmem, 'pae', 0x200000);
    p1.map(0x1000, 0, 0x5000);
    p2.map(0x1000, 0, 0x6000);
    const pm = new Mmu(pmem);
    pm.setControl(PE | PG, p1.root, 0, PAE, 0);
    expect(pm.walkWithCr3(p2.root, 0, 0x1000, 0, Access.Read, false, false, t)).toBe(true);
    expect(t.pa).toBe(0x6000);
    expect(pm.translate(0x1000, 0, Access.Read, false, false)).toBe(0x5000);
  });
});
