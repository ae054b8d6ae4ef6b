import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../../mem/physicalMemory.ts';
import { Access, Mmu } from './mmu.ts';
import { PageTableBuilder } from './pageTableBuilder.ts';
import { PTE_G, PTE_RW, PTE_US } from './pagingBits.ts';

const PE = 1, PG = 0x80000000, WP = 1 << 16;
const PAE = 1 << 5, PGE = 1 << 7, PCIDE = 1 << 17, SMEP = 1 << 20, SMAP = 1 << 21;
const LME = 1 << 8, LMA = 1 << 10, NXE = 1 << 11;
const NOFLUSH = 0x80000000; // CR3 bit 63, in the high word
const { Read, Write, Fetch } = { Read: Access.Read, Write: Access.Write, Fetch: Access.Fetch };

function setup(cr4 = PAE | PGE) {
  const mem = new PhysicalMemory(8 << 20);
  const b = new PageTableBuilder(mem, 'level4', 0x100000);
  const mmu = new Mmu(mem);
  const ctl = { cr0: PE | PG | WP, cr4, efer: LME | LMA | NXE };
  mmu.setControl(ctl.cr0, b.root, 0, ctl.cr4, ctl.efer);
  const rd = (la: number, laHi = 0) => mmu.translate(la, laHi, Read, false, false);
  /** Points the leaf for la at a new frame, as an OS editing its page tables would. */
  const remap = (la: number, pa: number, flags = PTE_RW, laHi = 0) => {
    const ea = b.entry(la, laHi, 1);
    mem.write32(ea, pa | flags | 1);
  };
  return { mem, b, mmu, ctl, rd, remap };
}

describe('soft TLB: stale translations until the architectural flush', () => {
  it('keeps using a translation after the PTE changes, until INVLPG of that page', () => {
    const { b, mmu, rd, remap } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW);
    b.map(0x2000, 0, 0xa000, PTE_RW);
    expect(rd(0x1000)).toBe(0x9000);
    expect(rd(0x2000)).toBe(0xa000);
    remap(0x1000, 0x5000);
    remap(0x2000, 0x6000);
    expect(rd(0x1004)).toBe(0x9004);
    mmu.invlpg(0x1fff, 0);
    expect(rd(0x1004)).toBe(0x5004);
    expect(rd(0x2000)).toBe(0xa000); // other pages untouched
  });

  it('counts hits and misses', () => {
    const { b, mmu, rd } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW);
    rd(0x1000); rd(0x1008); rd(0x1010);
    expect(mmu.stats.misses).toBe(1);
    expect(mmu.stats.hits).toBe(2);
  });

  it('MOV to CR3 drops non-global entries and keeps global ones (CR4.PGE=1); INVLPG drops global ones', () => {
    const { b, mmu, rd, remap } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW | PTE_G);
    b.map(0x2000, 0, 0xa000, PTE_RW);
    rd(0x1000); rd(0x2000);
    remap(0x1000, 0x5000, PTE_RW | PTE_G);
    remap(0x2000, 0x6000);
    expect(mmu.writeCr3(b.root, 0)).toBe(true);
    expect(rd(0x1000)).toBe(0x9000);
    expect(rd(0x2000)).toBe(0x6000);
    mmu.invlpg(0x1000, 0);
    expect(rd(0x1000)).toBe(0x5000);
  });

  it('G is ignored without CR4.PGE, and toggling CR4.PGE flushes global entries', () => {
    const noPge = setup(PAE);
    noPge.b.map(0x1000, 0, 0x9000, PTE_RW | PTE_G);
    noPge.rd(0x1000);
    noPge.remap(0x1000, 0x5000, PTE_RW | PTE_G);
    noPge.mmu.writeCr3(noPge.b.root, 0);
    expect(noPge.rd(0x1000)).toBe(0x5000);

    const { b, mmu, ctl, rd, remap } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW | PTE_G);
    rd(0x1000);
    remap(0x1000, 0x5000, PTE_RW | PTE_G);
    mmu.setControl(ctl.cr0, b.root, 0, PAE, ctl.efer);
    expect(rd(0x1000)).toBe(0x5000);
  });

  it('INVLPG of any address in a 2-MByte page drops every cached piece of it', () => {
    const { mem, b, mmu, rd } = setup();
    const pde = b.map(0x00200000, 0, 0x00400000, PTE_RW, { pageBits: 21 });
    expect(rd(0x00201000)).toBe(0x00401000);
    expect(rd(0x003ff000)).toBe(0x005ff000);
    mem.write32(pde, 0x00600000 | 0x83);
    expect(rd(0x00201000)).toBe(0x00401000);
    mmu.invlpg(0x00300000, 0);
    expect(rd(0x00201000)).toBe(0x00601000);
    expect(rd(0x003ff000)).toBe(0x007ff000);
  });

  it('a page fault invalidates the faulting address, so a fixed PTE is seen without INVLPG', () => {
    const { mem, b, mmu } = setup();
    const pte = b.map(0x1000, 0, 0x9000, PTE_US);
    expect(mmu.translate(0x1000, 0, Read, true, false)).toBe(0x9000);
    expect(mmu.translate(0x1000, 0, Write, true, false)).toBe(-1);
    mem.write32(pte, mem.read32(pte) | PTE_RW);
    expect(mmu.translate(0x1000, 0, Write, true, false)).toBe(0x9000);
  });

  it('a page fault drops the cached translation for its address', () => {
    const { mmu, b, remap } = setup();
    b.map(0x1000, 0, 0x9000, PTE_US);
    expect(mmu.translate(0x1000, 0, Read, true, false)).toBe(0x9000);
    remap(0x1000, 0x5000, PTE_US); // still read-only; the cached entry is now stale
    expect(mmu.translate(0x1000, 0, Read, true, false)).toBe(0x9000);
    expect(mmu.translate(0x1000, 0, Write, true, false)).toBe(-1);
    expect(mmu.translate(0x1000, 0, Read, true, false)).toBe(0x5000);
  });

  it('a write through an entry cached by a read of a clean page walks again and sets D', () => {
    const { mem, b, mmu } = setup();
    const pte = b.map(0x1000, 0, 0x9000, PTE_RW);
    expect(mmu.translate(0x1000, 0, Read, false, false)).toBe(0x9000);
    expect(mem.read32(pte) & 0x40).toBe(0);
    expect(mmu.translate(0x1000, 0, Write, false, false)).toBe(0x9000);
    expect(mem.read32(pte) & 0x40).toBe(0x40);
    expect(mmu.stats.misses).toBe(2);
    expect(mmu.translate(0x1008, 0, Write, false, false)).toBe(0x9008);
    expect(mmu.stats.hits).toBe(1);
  });

  it('an entry filled by a supervisor access does not satisfy a user access a walk would refuse', () => {
    const { b, mmu } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW);
    expect(mmu.translate(0x1000, 0, Write, false, false)).toBe(0x9000);
    expect(mmu.translate(0x1000, 0, Read, true, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(0b101);
  });

  it('CR0.WP, CR4.SMAP and PKRU take effect on cached entries at once; CR0.WP alone flushes nothing', () => {
    const { b, mmu, ctl, remap } = setup();
    b.map(0x1000, 0, 0x9000, PTE_US); // read-only user page
    expect(mmu.translate(0x1000, 0, Read, false, false)).toBe(0x9000);
    remap(0x1000, 0x5000, PTE_US); // stale from here on: shows whether the entry survived
    mmu.setControl(PE | PG, b.root, 0, ctl.cr4, ctl.efer); // WP=0
    expect(mmu.translate(0x1000, 0, Read, false, false)).toBe(0x9000);
    mmu.setControl(PE | PG | WP, b.root, 0, ctl.cr4, ctl.efer);
    expect(mmu.translate(0x1000, 0, Read, false, false)).toBe(0x9000);
    mmu.setControl(PE | PG | WP, b.root, 0, ctl.cr4 | SMAP, ctl.efer);
    expect(mmu.translate(0x1000, 0, Read, false, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(1);
  });

  it('CR4.SMEP 0->1 flushes, so a supervisor fetch from a user page faults at once', () => {
    const { b, mmu, ctl } = setup();
    b.map(0x1000, 0, 0x9000, PTE_US);
    b.map(0x2000, 0, 0xa000, PTE_US | PTE_G);
    expect(mmu.translate(0x1000, 0, Fetch, false, false)).toBe(0x9000);
    expect(mmu.translate(0x2000, 0, Read, false, false)).toBe(0xa000);
    b.map(0x2000, 0, 0xb000, PTE_US | PTE_G); // stale global entry: shows whether it was flushed
    mmu.setControl(ctl.cr0, b.root, 0, ctl.cr4 | SMEP, ctl.efer);
    expect(mmu.translate(0x1000, 0, Fetch, false, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(0b10001);
    expect(mmu.translate(0x2000, 0, Read, false, false)).toBe(0xb000);
  });

  it('clearing CR0.PG flushes everything, global entries included', () => {
    const { b, mmu, ctl, rd, remap } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW | PTE_G);
    rd(0x1000);
    remap(0x1000, 0x5000, PTE_RW | PTE_G);
    mmu.setControl(PE, b.root, 0, ctl.cr4, LME); // leave long mode paging
    expect(mmu.tlb.countValid()).toBe(0);
    mmu.setControl(ctl.cr0, b.root, 0, ctl.cr4, ctl.efer);
    expect(rd(0x1000)).toBe(0x5000);
  });
});

describe('soft TLB: PCIDs (CR4.PCIDE)', () => {
  /** Two address spaces (PCID 1 and 2) mapping LA 0x1000 to different frames. */
  function pcids() {
    const s = setup(PAE | PGE | PCIDE);
    const b2 = new PageTableBuilder(s.mem, 'level4', 0x300000);
    s.b.map(0x1000, 0, 0x9000, PTE_RW);
    b2.map(0x1000, 0, 0xa000, PTE_RW);
    const cr3 = (b: PageTableBuilder, pcid: number, noFlush = false) => s.mmu.writeCr3(b.root | pcid, noFlush ? NOFLUSH : 0);
    return { ...s, b2, cr3 };
  }

  it('tags entries with the PCID: each address space sees its own translation', () => {
    const { b, b2, rd, cr3, mmu } = pcids();
    cr3(b, 1);
    expect(rd(0x1000)).toBe(0x9000);
    cr3(b2, 2);
    expect(rd(0x1000)).toBe(0xa000);
    cr3(b, 1, true);
    expect(rd(0x1000)).toBe(0x9000);
    expect(mmu.ctl.cr3Hi).toBe(0); // bit 63 is not stored
  });

  it('CR3[63]=1 keeps the new PCID\'s entries; CR3[63]=0 flushes them', () => {
    const { b, rd, cr3, remap } = pcids();
    cr3(b, 1);
    rd(0x1000);
    remap(0x1000, 0x5000);
    cr3(b, 1, true);
    expect(rd(0x1000)).toBe(0x9000);
    cr3(b, 1, false);
    expect(rd(0x1000)).toBe(0x5000);
  });

  it('MOV to CR3 flushes only the PCID being loaded', () => {
    const { b, b2, rd, cr3, remap } = pcids();
    cr3(b, 1);
    rd(0x1000);
    remap(0x1000, 0x5000);
    cr3(b2, 2); // flushes PCID 2 only
    cr3(b, 1, true);
    expect(rd(0x1000)).toBe(0x9000);
  });

  it('global entries are shared by all PCIDs', () => {
    const { mem, b, b2, rd, cr3 } = pcids();
    b.map(0x7000, 0, 0xc000, PTE_RW | PTE_G);
    cr3(b, 1);
    expect(rd(0x7000)).toBe(0xc000);
    cr3(b2, 2); // b2 has no mapping for 0x7000, but the global entry serves it
    expect(rd(0x7000)).toBe(0xc000);
    expect(mem.read32(b2.root)).not.toBe(0); // (b2 is a real, different hierarchy)
  });

  it('INVPCID: individual address, single context, all with and without globals', () => {
    const { b, b2, mmu, rd, cr3, remap } = pcids();
    b.map(0x7000, 0, 0xc000, PTE_RW | PTE_G);
    cr3(b2, 2); rd(0x1000);
    cr3(b, 1); rd(0x1000); rd(0x7000);
    remap(0x1000, 0x5000);
    remap(0x7000, 0xd000, PTE_RW | PTE_G);
    const stale = () => [rd(0x1000), rd(0x7000)];

    mmu.invpcid(0, 2, 0x1000, 0); // another PCID: nothing visible changes here
    expect(stale()).toEqual([0x9000, 0xc000]);
    mmu.invpcid(0, 1, 0x7000, 0); // individual address does not touch global entries
    expect(stale()).toEqual([0x9000, 0xc000]);
    mmu.invpcid(1, 1, 0, 0); // single context: PCID 1's non-global entries
    expect(stale()).toEqual([0x5000, 0xc000]);
    remap(0x1000, 0x6000);
    mmu.invpcid(3, 0, 0, 0); // all contexts except global
    expect(stale()).toEqual([0x6000, 0xc000]);
    mmu.invpcid(2, 0, 0, 0); // all contexts including global
    expect(stale()).toEqual([0x6000, 0xd000]);
    remap(0x1000, 0x4000);
    mmu.invpcid(0, 1, 0x1000, 0);
    expect(rd(0x1000)).toBe(0x4000);
  });

  it('CR4.SMEP 0->1 flushes the current PCID only, yet SMEP applies to what other PCIDs cached', () => {
    const { b, b2, mmu, ctl, cr3 } = pcids();
    b2.map(0x3000, 0, 0xe000, PTE_US);
    cr3(b2, 2);
    expect(mmu.translate(0x3000, 0, Fetch, false, false)).toBe(0xe000);
    cr3(b, 1);
    mmu.setControl(ctl.cr0, b.root | 1, 0, ctl.cr4 | SMEP, ctl.efer);
    mmu.writeCr3(b2.root | 2, NOFLUSH);
    expect(mmu.translate(0x3000, 0, Fetch, false, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(0b10001);
  });

  it('clearing CR4.PCIDE flushes all PCIDs', () => {
    const { b, mmu, ctl, rd, cr3, remap } = pcids();
    cr3(b, 1);
    rd(0x1000);
    remap(0x1000, 0x5000);
    mmu.writeCr3(b.root | 1, NOFLUSH);
    mmu.setControl(ctl.cr0, b.root, 0, PAE | PGE, ctl.efer);
    expect(rd(0x1000)).toBe(0x5000);
  });

  it('VPID tags: a translation cached under one VPID is not used under another', () => {
    const { b, mmu, rd, remap } = pcids();
    mmu.writeCr3(b.root | 1, 0);
    expect(rd(0x1000)).toBe(0x9000);
    remap(0x1000, 0x5000); // VPID 0's entry is now stale
    expect(rd(0x1000)).toBe(0x9000);
    mmu.setVpid(5);
    expect(mmu.tlb.countValid()).toBe(1); // switching VPID flushes nothing
    expect(rd(0x1000)).toBe(0x5000); // same PCID and LA, other VPID: walks
    expect(mmu.currentVpid).toBe(5);
  });
});
