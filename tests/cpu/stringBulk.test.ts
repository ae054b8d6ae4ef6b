/**
 * REP MOVS / REP STOS a page at a time (src/emu/cpu/exec/stringBulk.ts) must
 * leave exactly the state the element-by-element path leaves: overlapping
 * copies, page faults and segment-limit faults part-way, self-modifying
 * stores, address-size wrap, unaligned elements and the 4096-element chunks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TestMachine, type Mode } from './testMachine.ts';
import { bulkStrings } from '../../src/emu/cpu/exec/stringBulk.ts';
import { SEG_LIMIT, segOff } from '../../src/emu/cpu/state/layout.ts';

afterEach(() => { bulkStrings.enabled = true; });

/** Runs `src` with and without bulk strings for `budget` instructions; expects identical machines. */
function same(mode: Mode, src: string, budget = 100_000, setup?: (m: TestMachine) => void): TestMachine {
  const ms: TestMachine[] = [];
  for (const bulk of [true, false]) {
    bulkStrings.enabled = bulk;
    const m = new TestMachine(mode);
    setup?.(m);
    m.load(src);
    m.run(budget);
    ms.push(m);
  }
  const [a, b] = ms;
  expect(a.cpu.icount).toBe(b.cpu.icount);
  expect(Array.from(a.cpu.s)).toEqual(Array.from(b.cpu.s));
  expect(Buffer.from(a.mem.u8).equals(Buffer.from(b.mem.u8))).toBe(true);
  return a;
}

describe('bulk REP MOVS / REP STOS', () => {
  it('copies and fills like the element loop (aligned, unaligned, every size)', () => {
    const m = same('long64', `
      mov rsi, 0x200000
      mov rdi, 0x201003
      mov ecx, 3000
      rep movsb
      mov rdi, 0x203001
      mov rax, 0x1122334455667788
      mov ecx, 700
      rep stosq
      mov rdi, 0x206000
      mov ecx, 900
      rep stosd
      mov rdi, 0x208002
      mov ecx, 900
      rep stosw
      mov rsi, 0x203001
      mov rdi, 0x20a004
      mov ecx, 600
      rep movsq
      hlt`, 100_000, (m) => { for (let k = 0; k < 3000; k++) m.mem.u8[0x200000 + k] = (k * 7) & 0xff; });
    expect(m.mem.u8[0x201003 + 2999]).toBe((2999 * 7) & 0xff);
    expect(m.mem.read32(0x20a004 + 8 * 599)).toBe(0x55667788);
  });

  it('an overlapping forward MOVSB replicates the pattern, as element-by-element copying does', () => {
    const m = same('long64', 'mov rsi, 0x200000\nmov rdi, 0x200001\nmov ecx, 5000\nrep movsb\nhlt', 100_000,
      (m) => { m.mem.u8[0x200000] = 0xab; });
    expect(m.mem.u8[0x200000 + 5000]).toBe(0xab);
  });

  it('a #PF on the next page leaves RCX/RSI/RDI at the faulting element', () => {
    // 0x400000 and up is not mapped in the long64 test machine.
    const m = same('long64', 'mov rsi, 0x200000\nmov rdi, 0x3fff00\nmov ecx, 100\nrep movsq\nhlt');
    expect(m.exception).toBe(14);
    expect(m.reg('rcx')).toBe(100n - 32n);
    expect(m.reg('rdi')).toBe(0x400000n);
  });

  it('a segment-limit #GP part-way leaves the elements before it written', () => {
    const m = same('prot32', 'mov edi, 0x20f00\nmov eax, 0x5a5a5a5a\nmov ecx, 0x100\nrep stosd\nhlt', 100_000,
      (m) => { m.cpu.s[segOff(0, SEG_LIMIT)] = 0x20fff; });
    expect(m.exception).toBe(13);
    expect(m.reg('rcx')).toBe(0x100n - 0x40n);
  });

  it('a store over the code that follows is executed as stored (self-modifying code)', () => {
    const m = same('long64', 'xor ebx, ebx\nlea rdi, [rel t]\nmov al, 0x90\nmov ecx, 5\nrep stosb\nt: mov ebx, 7\nhlt');
    expect(m.reg('rbx')).toBe(0n);
  });

  it('16-bit address size wraps DI at 64 KiB', () => {
    const m = same('real', 'mov di, 0xfff0\nmov ax, 0x1234\nmov cx, 0x20\nrep stosw\nhlt');
    expect(m.reg('rdi') & 0xffffn).toBe(0x30n);
  });

  it('chunks of 4096 elements retire one at a time at every budget', () => {
    for (let budget = 1; budget <= 6; budget++) {
      same('long64', 'mov rsi, 0x200000\nmov rdi, 0x280000\nmov ecx, 10000\nrep movsd\nhlt', budget);
    }
  });
});
