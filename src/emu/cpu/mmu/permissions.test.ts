import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../../mem/physicalMemory.ts';
import { Access, Mmu, PagingMode } from './mmu.ts';
import { PageTableBuilder } from './pageTableBuilder.ts';
import { PTE_P, PTE_RW, PTE_US } from './pagingBits.ts';

const PE = 1, PG = 0x80000000, WP = 1 << 16;
const PSE = 1 << 4, PAE = 1 << 5, LA57 = 1 << 12, SMEP = 1 << 20, SMAP = 1 << 21, PKE = 1 << 22;
const LME = 1 << 8, LMA = 1 << 10, NXE = 1 << 11;
const XD = 0x80000000;
// PFEC bits, spelled out so each expectation reads like the SDM's Figure 4-12.
const P = 1, W = 2, U = 4, RSVD = 8, I = 16, PK = 32;
const { Read, Write, Fetch } = { Read: Access.Read, Write: Access.Write, Fetch: Access.Fetch };

function setup(opts: { cr0?: number; cr4?: number; efer?: number; maxPhysAddr?: number; page1gb?: boolean } = {}) {
  const mem = new PhysicalMemory(8 << 20);
  const b = new PageTableBuilder(mem, 'level4', 0x100000);
  const mmu = new Mmu(mem, { maxPhysAddr: opts.maxPhysAddr, page1gb: opts.page1gb });
  const cr0 = opts.cr0 ?? (PE | PG | WP), cr4 = opts.cr4 ?? PAE, efer = opts.efer ?? (LME | LMA | NXE);
  mmu.setControl(cr0, b.root, 0, cr4, efer);
  /** PFEC of the access, or 'ok' if it translates. */
  const pf = (la: number, access: Access, user: boolean, ac = false, laHi = 0): number | 'ok' => {
    const pa = mmu.translate(la, laHi, access, user, ac);
    return pa === -1 ? mmu.faultPfec : 'ok';
  };
  return { mem, b, mmu, pf };
}

describe('access rights (SDM 4.6) and the page-fault error code (SDM 4.7)', () => {
  it('not-present: P=0 with W/R, U/S and I/D describing the access', () => {
    const { pf } = setup();
    expect(pf(0x5000, Read, false)).toBe(0);
    expect(pf(0x5000, Write, false)).toBe(W);
    expect(pf(0x5000, Read, true)).toBe(U);
    expect(pf(0x5000, Fetch, true)).toBe(U | I);
  });

  it('read-only pages: user writes always fault, supervisor writes only with CR0.WP=1', () => {
    const wp1 = setup();
    wp1.b.map(0x1000, 0, 0x9000, PTE_US);
    expect(wp1.pf(0x1000, Write, true)).toBe(P | W | U);
    expect(wp1.pf(0x1000, Write, false)).toBe(P | W);
    expect(wp1.pf(0x1000, Read, true)).toBe('ok');
    const wp0 = setup({ cr0: PE | PG });
    wp0.b.map(0x1000, 0, 0x9000, PTE_US);
    expect(wp0.pf(0x1000, Write, true)).toBe(P | W | U);
    expect(wp0.pf(0x1000, Write, false)).toBe('ok');
  });

  it('combines R/W and U/S over every level: one 0 anywhere decides', () => {
    const { b, pf } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW | PTE_US, { upper: PTE_P | PTE_RW }); // tables supervisor-only
    expect(pf(0x1000, Read, true)).toBe(P | U);
    expect(pf(0x1000, Read, false)).toBe('ok');
    b.map(0x1000, 0x80, 0xa000, PTE_RW | PTE_US, { upper: PTE_P | PTE_US }); // PML4 index 1, tables read-only
    expect(pf(0x1000, Write, true, false, 0x80)).toBe(P | W | U);
    expect(pf(0x1000, Read, true, false, 0x80)).toBe('ok');
  });

  it('user accesses to supervisor pages fault; implicit supervisor accesses at CPL3 do not', () => {
    const { b, pf } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW);
    expect(pf(0x1000, Read, true)).toBe(P | U);
    expect(pf(0x1000, Fetch, true)).toBe(P | U | I);
    expect(pf(0x1000, Write, false)).toBe('ok');
  });

  it('XD: no fetch from a page with XD at any level; I/D set because PAE and NXE', () => {
    const { b, pf } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW | PTE_US, { leafHi: XD });
    expect(pf(0x1000, Fetch, false)).toBe(P | I);
    expect(pf(0x1000, Fetch, true)).toBe(P | U | I);
    expect(pf(0x1000, Read, true)).toBe('ok');
    b.map(0x40000000, 0, 0xa000, PTE_RW | PTE_US, { upperHi: XD });
    expect(pf(0x40000000, Fetch, false)).toBe(P | I);
  });

  it('without EFER.NXE, bit 63 is reserved and fetches do not report I/D', () => {
    const { b, pf } = setup({ efer: LME | LMA });
    b.map(0x1000, 0, 0x9000, PTE_RW | PTE_US, { leafHi: XD });
    b.map(0x2000, 0, 0xa000, PTE_US);
    expect(pf(0x1000, Read, false)).toBe(P | RSVD);
    expect(pf(0x5000, Fetch, false)).toBe(0);
    expect(pf(0x2000, Fetch, false)).toBe('ok');
  });

  it('SMEP: supervisor fetches from user pages fault (I/D set); user fetches do not', () => {
    const on = setup({ cr4: PAE | SMEP });
    on.b.map(0x1000, 0, 0x9000, PTE_US);
    on.b.map(0x2000, 0, 0xa000, 0);
    expect(on.pf(0x1000, Fetch, false)).toBe(P | I);
    expect(on.pf(0x1000, Fetch, true)).toBe('ok');
    expect(on.pf(0x2000, Fetch, false)).toBe('ok');
    expect(on.pf(0x1000, Read, false)).toBe('ok'); // SMEP is about fetches only
    const off = setup();
    off.b.map(0x1000, 0, 0x9000, PTE_US);
    expect(off.pf(0x1000, Fetch, false)).toBe('ok');
  });

  it('SMEP with 32-bit paging reports I/D even though there is no NX', () => {
    const mem = new PhysicalMemory(4 << 20);
    const b = new PageTableBuilder(mem, 'bits32', 0x100000);
    const mmu = new Mmu(mem);
    mmu.setControl(PE | PG, b.root, 0, SMEP, 0);
    b.map(0x1000, 0, 0x9000, PTE_US);
    expect(mmu.translate(0x1000, 0, Fetch, false, false)).toBe(-1);
    expect(mmu.faultPfec).toBe(P | I);
  });

  it('SMAP: supervisor data accesses to user pages fault unless EFLAGS.AC=1 on an explicit access', () => {
    const { b, pf } = setup({ cr4: PAE | SMAP });
    b.map(0x1000, 0, 0x9000, PTE_RW | PTE_US);
    b.map(0x2000, 0, 0xa000, PTE_US);
    expect(pf(0x1000, Read, false, false)).toBe(P);
    expect(pf(0x1000, Write, false, false)).toBe(P | W);
    expect(pf(0x1000, Read, false, true)).toBe('ok');
    expect(pf(0x1000, Write, false, true)).toBe('ok');
    // AC=1 waives SMAP, not CR0.WP.
    expect(pf(0x2000, Write, false, true)).toBe(P | W);
    // User accesses and fetches are not SMAP's business.
    expect(pf(0x1000, Write, true)).toBe('ok');
    expect(pf(0x1000, Fetch, false)).toBe('ok');
  });

  it('SMAP: an implicit supervisor access (passed with ac=false) is checked even after an AC=1 access cached the page', () => {
    const { b, pf } = setup({ cr4: PAE | SMAP });
    b.map(0x1000, 0, 0x9000, PTE_RW | PTE_US);
    expect(pf(0x1000, Read, false, true)).toBe('ok');
    expect(pf(0x1000, Read, false, false)).toBe(P);
  });

  it('PKU: AD and WD of the page key in PKRU, for data accesses to user pages only', () => {
    const { b, mmu, pf } = setup({ cr4: PAE | PKE });
    const key3 = 3 << 27; // bits 62:59 of the leaf
    b.map(0x1000, 0, 0x9000, PTE_RW | PTE_US, { leafHi: key3 });
    b.map(0x2000, 0, 0xa000, PTE_RW, { leafHi: key3 }); // supervisor page: keys do not apply
    b.map(0x3000, 0, 0xb000, PTE_US, { leafHi: key3 }); // read-only user page
    expect(pf(0x1000, Read, true)).toBe('ok');
    mmu.pkru = 1 << (2 * 3); // AD3
    expect(pf(0x1000, Read, true)).toBe(P | U | PK);
    expect(pf(0x1000, Read, false, true)).toBe(P | PK);
    expect(pf(0x1000, Fetch, true)).toBe('ok');
    expect(pf(0x2000, Read, false)).toBe('ok');
    mmu.pkru = 2 << (2 * 3); // WD3
    expect(pf(0x1000, Read, true)).toBe('ok');
    expect(pf(0x1000, Write, true)).toBe(P | W | U | PK);
    expect(pf(0x1000, Write, false, true)).toBe(P | W | PK); // supervisor write with CR0.WP=1
    expect(pf(0x3000, Write, true)).toBe(P | W | U | PK); // PK reported with another violation too
    mmu.pkru = 3 << (2 * 5); // another key: no effect
    expect(pf(0x1000, Write, true)).toBe('ok');
  });

  it('PKU: supervisor writes ignore WD when CR0.WP=0, and nothing is checked without CR4.PKE', () => {
    const wp0 = setup({ cr0: PE | PG, cr4: PAE | PKE });
    wp0.b.map(0x1000, 0, 0x9000, PTE_RW | PTE_US, { leafHi: 1 << 27 });
    wp0.mmu.pkru = 2 << 2;
    expect(wp0.pf(0x1000, Write, false, true)).toBe('ok');
    expect(wp0.pf(0x1000, Write, true)).toBe(P | W | U | PK);
    const off = setup();
    off.b.map(0x1000, 0, 0x9000, PTE_RW | PTE_US, { leafHi: 1 << 27 });
    off.mmu.pkru = 0xffffffff;
    expect(off.pf(0x1000, Write, true)).toBe('ok');
  });
});

describe('reserved bits (RSVD, P=1)', () => {
  it('physical-address bits at or above MAXPHYADDR', () => {
    const m39 = setup();
    m39.b.map(0x1000, 0, 0x80_0000_0000); // bit 39
    m39.b.map(0x2000, 0, 0x40_0000_0000); // bit 38: fine
    expect(m39.pf(0x1000, Read, false)).toBe(P | RSVD);
    expect(m39.pf(0x1000, Write, true)).toBe(P | RSVD | W | U);
    expect(m39.pf(0x2000, Read, false)).toBe('ok');
    const m46 = setup({ maxPhysAddr: 46 });
    m46.b.map(0x1000, 0, 0x80_0000_0000);
    expect(m46.mmu.translate(0x1000, 0, Read, false, false)).toBe(0x80_0000_0000);
  });

  it('bits 62:52 are ignored (not reserved) in 4-level paging', () => {
    const { b, pf } = setup();
    b.map(0x1000, 0, 0x9000, PTE_RW, { leafHi: 0x7ff00000 });
    expect(pf(0x1000, Read, false)).toBe('ok');
  });

  it('PS in a PML4E, and low address bits of 2-MByte and 1-GByte pages', () => {
    const { mem, b, pf } = setup();
    b.map(0x1000, 0, 0x9000);
    const pml4e = b.entry(0x1000, 0, 4);
    mem.write32(pml4e, mem.read32(pml4e) | 0x80);
    expect(pf(0x1000, Read, false)).toBe(P | RSVD);
    expect(setupBig(21, 1 << 13)).toBe(P | RSVD);
    expect(setupBig(21, 1 << 12)).toBe('ok'); // bit 12 is PAT
    expect(setupBig(30, 1 << 29)).toBe(P | RSVD);
    expect(setupBig(30, 1 << 12)).toBe('ok');
  });

  it('1-GByte pages are reserved when the CPU model lacks them', () => {
    const { b, pf } = setup({ page1gb: false });
    b.map(0x40000000, 0, 0x40000000, PTE_RW, { pageBits: 30 });
    expect(pf(0x40000000, Read, false)).toBe(P | RSVD);
  });

  it('a reserved bit at an upper level is reported even if a lower level is not present', () => {
    const { mem, b, pf } = setup();
    b.entry(0x1000, 0, 1); // creates the PDE and an empty page table
    const pde = b.entry(0x1000, 0, 2);
    mem.write32(pde + 4, 1 << 15); // bit 47 of the PDE; the page table below it is empty
    expect(pf(0x1000, Read, false)).toBe(P | RSVD);
  });

  it('32-bit paging 4-MByte pages: bits 21:(M-19) with M = min(MAXPHYADDR, 40)', () => {
    for (const [m, bit, want] of [[39, 20, P | RSVD], [40, 20, 'ok'], [40, 21, P | RSVD], [36, 17, P | RSVD], [36, 16, 'ok']] as const) {
      const mem = new PhysicalMemory(4 << 20);
      const b = new PageTableBuilder(mem, 'bits32', 0x100000);
      const mmu = new Mmu(mem, { maxPhysAddr: m });
      mmu.setControl(PE | PG, b.root, 0, PSE, 0);
      const pde = b.map(0x00400000, 0, 0x00400000, PTE_RW, { pageBits: 22 });
      mem.write32(pde, mem.read32(pde) | (1 << bit));
      const pa = mmu.translate(0x00400000, 0, Read, false, false);
      expect(pa === -1 ? mmu.faultPfec : 'ok', `M=${m} bit ${bit}`).toBe(want);
    }
  });
});

/** PFEC or 'ok' for a supervisor read of a large page whose leaf has `extra` low bits set. */
function setupBig(pageBits: 21 | 30, extra: number): number | 'ok' {
  const { b, pf } = setup();
  const pa = pageBits === 30 ? 0x40000000 : 0x00400000;
  b.map(pa, 0, pa | extra, PTE_RW, { pageBits });
  return pf(pa, Read, false);
}

describe('5-level paging (behind an option, not advertised)', () => {
  it('walks PML5 when CR4.LA57 is honoured, and ignores LA57 otherwise', () => {
    const mem = new PhysicalMemory(4 << 20);
    const b = new PageTableBuilder(mem, 'level5', 0x100000);
    const mmu = new Mmu(mem, { la57: true });
    mmu.setControl(PE | PG, b.root, 0, PAE | LA57, LME | LMA);
    b.map(0x1000, 0x00010000, 0x9000); // LA bit 48: PML5 index 1
    expect(mmu.mode).toBe(PagingMode.Level5);
    expect(mmu.translate(0x1008, 0x00010000, Read, false, false)).toBe(0x9008);
    const plain = new Mmu(mem);
    plain.setControl(PE | PG, b.root, 0, PAE | LA57, LME | LMA);
    expect(plain.mode).toBe(PagingMode.Level4);
  });
});
