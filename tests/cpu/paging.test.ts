/** The CPU side of paging: page-crossing accesses, faults on the second page, fetch faults, NX, user/supervisor, CR0.WP. */
import { describe, expect, it } from 'vitest';
import { TestMachine } from './testMachine.ts';
import { PageTableBuilder } from '../../src/emu/cpu/mmu/pageTableBuilder.ts';
import { CR0, CR2, CR3, EFER, GPR } from '../../src/emu/cpu/state/layout.ts';

/** Long mode with 4 KiB pages: 0-2 MiB identity (supervisor, RW) plus extra mappings; returns the builder. */
function paged(src: string, extra: (pt: PageTableBuilder) => void): TestMachine {
  const m = new TestMachine('long64');
  const pt = new PageTableBuilder(m.mem, 'level4', 0x300000);
  for (let a = 0; a < 0x200000; a += 0x1000) pt.map(a, 0, a, 0x2);
  extra(pt);
  // The page tables themselves (the builder allocates upwards from 0x300000), for tests that edit them.
  for (let a = 0x300000; a < 0x320000; a += 0x1000) pt.map(a, 0, a, 0x2);
  const s = m.cpu.s;
  s[CR3] = pt.root;
  s[EFER] |= 1 << 11; // NXE
  m.cpu.stateRestored();
  m.load(src);
  return m;
}

describe('paging from the CPU side', () => {
  it('an 8-byte write crossing into a not-present page faults with CR2 on the second page and writes nothing', () => {
    const m = paged('mov rax, -1\nmov [0x400ffc], rax\nhlt', (pt) => pt.map(0x400000, 0, 0x3c0000, 0x2));
    m.runToHlt();
    expect(m.exception).toBe(14);
    expect(m.cpu.s[CR2]).toBe(0x401000);
    expect(m.mem.read32(0x3c0ffc)).toBe(0);
  });

  it('reads crossing a page boundary assemble bytes from two different frames', () => {
    const m = paged('mov rax, [0x500ffe]\nhlt', (pt) => { pt.map(0x500000, 0, 0x3c1000, 0x2); pt.map(0x501000, 0, 0x3c3000, 0x2); });
    m.mem.write16(0x3c1ffe, 0x2211);
    m.mem.write16(0x3c3000, 0x4433);
    m.runToHlt();
    expect(m.reg('rax') & 0xffffffffn).toBe(0x44332211n);
  });

  it('an instruction spanning into a not-present page faults with CR2 = the second page', () => {
    // mov eax, imm32 placed so that its immediate crosses into an unmapped page.
    const m = paged('mov rax, 0x401ffe\nmov byte [rax], 0xb8\njmp rax\nhlt', (pt) => pt.map(0x401000, 0, 0x3c4000, 0x2));
    m.runToHlt();
    expect(m.exception).toBe(14);
    expect(m.cpu.s[CR2]).toBe(0x402000);
    expect(m.mem.read32(m.cpu.s[GPR + 8]) & 0x10).toBe(0x10); // I/D: an instruction fetch
  });

  it('fetching from an NX page is #PF with I/D set', () => {
    const m = paged('mov rax, 0x403000\nmov byte [rax], 0x90\njmp rax\nhlt', (pt) => pt.map(0x403000, 0, 0x3c5000, 0x2, { leafHi: 0x80000000 }));
    m.runToHlt();
    expect(m.exception).toBe(14);
    expect(m.mem.read32(m.cpu.s[GPR + 8])).toBe(0x11); // P=1, I/D=1
  });

  it('CR0.WP=1 makes a supervisor write to a read-only page fault; WP=0 allows it', () => {
    let m = paged('mov rax, cr0\nor eax, 1 << 16\nmov cr0, rax\nmov byte [0x404000], 1\nhlt', (pt) => pt.map(0x404000, 0, 0x3c6000, 0));
    m.runToHlt();
    expect(m.exception).toBe(14);
    expect(m.mem.read32(m.cpu.s[GPR + 8])).toBe(0x3);
    m = paged('mov rax, cr0\nand eax, ~(1 << 16)\nmov cr0, rax\nmov byte [0x404000], 1\nhlt', (pt) => pt.map(0x404000, 0, 0x3c6000, 0));
    m.runToHlt();
    expect(m.exception).toBe(-1);
    expect(m.mem.read8(0x3c6000)).toBe(1);
    expect(m.cpu.s[CR0] & (1 << 16)).toBe(0);
  });

  it('INVLPG drops a stale translation after the page tables change', () => {
    const m = paged(`
      mov al, [0x405000]
      mov [0x5000], al
      mov qword [rbx], rcx     ; remap 0x405000 to another frame
      invlpg [0x405000]
      mov al, [0x405000]
      mov [0x5001], al
      hlt`, (pt) => {
      const pte = pt.map(0x405000, 0, 0x3c7000, 0x2);
      m2.pte = pte;
    });
    m.mem.write8(0x3c7000, 0xaa); m.mem.write8(0x3c8000, 0xbb);
    m.setReg('rbx', BigInt(m2.pte));
    m.setReg('rcx', BigInt(0x3c8000 | 0x3));
    m.runToHlt();
    expect(m.exception).toBe(-1);
    expect(m.mem.read8(0x5000)).toBe(0xaa);
    expect(m.mem.read8(0x5001)).toBe(0xbb);
  });
});

const m2 = { pte: 0 };
