/**
 * Read-modify-write instructions whose write faults: a fault leaves the
 * architectural state as it was before the instruction (SDM Vol. 3 6.5,
 * "faults ... the state ... is restored"), so neither RFLAGS nor the register
 * operand of XADD/CMPXCHG may change, and the page is checked for writing
 * before the read (error code W=1 even when the page is not present).
 */
import { describe, expect, it } from 'vitest';
import { TestMachine } from './testMachine.ts';
import { PageTableBuilder } from '../../src/emu/cpu/mmu/pageTableBuilder.ts';
import { CR0, CR2, CR3, GPR } from '../../src/emu/cpu/state/layout.ts';
import { readFlags } from '../../src/emu/cpu/flags.ts';

const RO = 0x400000, NP = 0x402000;

/** Long mode with 4 KiB pages: 0-2 MiB identity RW, RO read-only (CR0.WP=1), NP not mapped. */
function machine(src: string): TestMachine {
  const m = new TestMachine('long64');
  const pt = new PageTableBuilder(m.mem, 'level4', 0x300000);
  for (let a = 0; a < 0x200000; a += 0x1000) pt.map(a, 0, a, 0x2);
  pt.map(RO, 0, 0x3c0000, 0);
  const s = m.cpu.s;
  s[CR3] = pt.root;
  s[CR0] |= 1 << 16;
  m.cpu.stateRestored();
  m.mem.write32(0x3c0000, 0x80000001);
  // The flags and registers before the faulting instruction are set by the snippet.
  return m.load(`mov ecx, 0x7f\nmov eax, 0x11\nmov rdx, ${RO}\nmov rbx, ${NP}\nmov esi, 1\nadd esi, 0x7fffffff\n${src}\nhlt`);
}

/** Runs to the exception stub; returns the error code it was given. */
function pfec(m: TestMachine): number {
  m.runToHlt();
  expect(m.exception).toBe(14);
  return m.mem.read32(m.cpu.s[GPR + 8]);
}

// After `add esi, 0x7fffffff` (1 + 0x7fffffff): OF, SF, AF, PF set; CF, ZF clear.
const BEFORE = 0x800 | 0x80 | 0x10 | 0x4;
const STATUS = 0x8d5;

describe('a read-modify-write whose write faults changes nothing', () => {
  for (const insn of ['add dword [rdx], ecx', 'lock sub byte [rdx], cl', 'inc qword [rdx]', 'neg word [rdx]',
    'shl dword [rdx], 3', 'rcr dword [rdx], cl', 'shld dword [rdx], ecx, 4', 'bts dword [rdx], 5', 'lock btc dword [rdx], ecx',
    'cmpxchg dword [rdx], ecx', 'adc dword [rdx], 7']) {
    it(`${insn}: #PF W=1 P=1, RFLAGS unchanged, memory unchanged`, () => {
      const m = machine(insn);
      expect(pfec(m)).toBe(0x3);
      expect(m.cpu.s[CR2]).toBe(insn.includes('btc') ? RO + 15 : RO); // bit string: ECX = 0x7f selects byte 15
      expect(readFlags(m.cpu.s) & STATUS).toBe(BEFORE);
      expect(m.mem.read32(0x3c0000)).toBe(0x80000001);
      expect(m.reg('rax')).toBe(0x11n); // CMPXCHG's accumulator too
    });
  }

  it('XADD leaves its register operand unchanged', () => {
    const m = machine('lock xadd dword [rdx], ecx');
    expect(pfec(m)).toBe(0x3);
    expect(m.reg('rcx')).toBe(0x7fn);
    expect(readFlags(m.cpu.s) & STATUS).toBe(BEFORE);
  });

  it('a read-modify-write of a not-present page is reported as a write (W=1)', () => {
    const m = machine('add dword [rbx], ecx');
    expect(pfec(m)).toBe(0x2);
    expect(m.cpu.s[CR2]).toBe(NP);
  });

  it('a plain read of the read-only page and CMP/BT against it do not fault', () => {
    const m = machine('mov edi, [rdx]\ncmp dword [rdx], ecx\nbt dword [rdx], 0');
    m.runToHlt();
    expect(m.exception).toBe(-1);
    expect(m.reg('rdi')).toBe(0x80000001n);
  });
});
