/**
 * The decoded-block cache (src/emu/cpu/decoder/blockCache.ts) must be
 * invisible: self-modifying code, page-crossing instructions, CR3 writes,
 * interrupts raised mid-block, faults mid-block and run budgets all behave
 * exactly as when every instruction goes through the per-instruction path
 * (Cpu.stepOnly).
 */
import { describe, expect, it } from 'vitest';
import { assemble, CODE, EXC_MARK, TestMachine, type Mode } from './testMachine.ts';
import { RunExit } from '../../src/emu/cpu/cpu.ts';
import { PageTableBuilder } from '../../src/emu/cpu/mmu/pageTableBuilder.ts';
import { CR3, GPR, RIP } from '../../src/emu/cpu/state/layout.ts';

class FakePic {
  pending: number[] = [];
  hasInterrupt(): boolean { return this.pending.length > 0; }
  acknowledge(): number { return this.pending.shift()!; }
}

/** Runs the same program with blocks and with stepOnly; returns both machines after `budget` instructions. */
function both(mode: Mode, code: Uint8Array, budget: number, setup?: (m: TestMachine) => void): [TestMachine, TestMachine] {
  const out: TestMachine[] = [];
  for (const stepOnly of [false, true]) {
    const m = new TestMachine(mode);
    m.mem.load(CODE, code);
    m.cpu.notifyPhysWrite(CODE, code.length);
    m.cpu.stepOnly = stepOnly;
    setup?.(m);
    m.cpu.run(budget);
    out.push(m);
  }
  return out as [TestMachine, TestMachine];
}

function expectSame(a: TestMachine, b: TestMachine): void {
  expect(a.cpu.icount).toBe(b.cpu.icount);
  expect(Array.from(a.cpu.s)).toEqual(Array.from(b.cpu.s));
  expect(Buffer.from(a.mem.u8).equals(Buffer.from(b.mem.u8))).toBe(true);
}

describe('decoded blocks', () => {
  it('run straight-line code as blocks (the cache is in use)', () => {
    const m = new TestMachine('long64').load('mov eax, 1\nadd eax, 2\nxor ebx, ebx\nadd ebx, eax\nhlt');
    m.runToHlt();
    expect(m.reg('rbx')).toBe(3n);
    expect(m.cpu.blocks.builds).toBeGreaterThan(0);
    expect(m.cpu.icount).toBe(5);
  });

  for (const mode of ['long64', 'prot32'] as const) {
    it(`self-modifying code inside the running block takes effect at once (${mode})`, () => {
      // The store patches the immediate of the very next instruction, already decoded in the same block.
      const m = new TestMachine(mode).load(`
        mov eax, 0
        mov byte [patch + 1], 42
      patch:
        mov ebx, 1
        add ebx, eax
        hlt`);
      m.runToHlt();
      expect(m.reg('rbx')).toBe(42n);
    });

    it(`a write to the second page of a page-crossing instruction is seen (${mode})`, () => {
      // "mov eax, imm32" starts 2 bytes before a page end; its last 3 immediate bytes are on the next page.
      const m = new TestMachine(mode).load(`
        call cross
        mov ebx, eax
        mov word [cross + 2], 0x2222
        call cross
        hlt
        times 0xffe - ($ - $$) nop
      cross:
        mov eax, 0x11111111
        ret`);
      m.runToHlt();
      expect(m.reg('rbx')).toBe(0x11111111n);
      expect(m.reg('rax')).toBe(0x11222211n);
    });
  }

  it('a CR3 write ends the block: the next instruction is fetched through the new tables', () => {
    // Two address spaces that differ only in where linear page 0x10000 (the code) lives.
    const m = new TestMachine('long64');
    const src = (v: number): string => `mov cr3, rax\nmov ebx, ${v}\nhlt`;
    const a = assemble(src(1), 64, CODE), b = assemble(src(2), 64, CODE);
    m.mem.load(CODE, a);
    m.mem.load(0x30000, b);
    const pt = new PageTableBuilder(m.mem, 'level4', 0x200000);
    for (let la = 0; la < 0x200000; la += 0x1000) pt.map(la, 0, la === CODE ? 0x30000 : la, 0x2 | 0x4, { pageBits: 12 });
    m.cpu.notifyPhysWrite(CODE, a.length);
    m.setReg('rax', BigInt(pt.root));
    m.runToHlt();
    expect(m.cpu.s[CR3]).toBe(pt.root);
    expect(m.reg('rbx')).toBe(2n);
  });

  it('an interrupt raised by an MMIO write mid-block is taken right after that write', () => {
    const run = (stepOnly: boolean): TestMachine => {
      const m = new TestMachine('prot32');
      const pic = new FakePic();
      m.cpu.interruptController = pic;
      m.cpu.stepOnly = stepOnly;
      m.mem.mapMmio(0xfee00000, 0x1000, { read: () => 0, write: () => { pic.pending.push(0x13); } });
      m.setReg('rax', 0n);
      m.load('sti\nnop\nmov ecx, 3\nmov dword [0xfee00000], 1\nmov eax, 5\nmov ebx, 6\nhlt');
      m.runToHlt();
      return m;
    };
    const blocks = run(false), steps = run(true);
    expect(blocks.exception).toBe(0x13);
    expect(blocks.reg('rcx')).toBe(3n);
    expect(blocks.reg('rax')).toBe(0n); // interrupted before "mov eax, 5"
    expectSame(blocks, steps);
  });

  it('a fault mid-block reports the faulting instruction and keeps what retired before it', () => {
    const m = new TestMachine('prot32').load('mov eax, 1\nxor ecx, ecx\ndiv ecx\nmov ebx, 7\nhlt');
    m.runToHlt();
    expect(m.exception).toBe(0); // #DE
    expect(m.reg('rbx')).toBe(0n);
    const sp = Number(m.reg('rsp'));
    expect(m.mem.read32(sp)).toBe(CODE + 7); // EIP of the DIV: after mov (5) and xor (2)
  });

  it('budgets are honoured exactly inside a block, and state matches stepping at every boundary', () => {
    const code = assemble(`
        mov ecx, 5
        lea rsi, [rel src]
        lea rdi, [rel dst]
      l:
        mov eax, [rsi]
        add eax, ecx
        imul eax, eax, 3
        mov [rdi], eax
        push rax
        pop rdx
        add rsi, 4
        add rdi, 4
        call f
        dec ecx
        jnz l
        mov ecx, 8
        lea rsi, [rel src]
        lea rdi, [rel dst]
        rep movsb
        hlt
      f:
        xor edx, 0x55
        ret
      src: dd 1, 2, 3, 4, 5, 6, 7, 8
      dst: dd 0, 0, 0, 0, 0, 0, 0, 0`, 64, CODE);
    // 73 instructions up to and including the HLT.
    for (let budget = 1; budget <= 75; budget++) {
      const [a, b] = both('long64', code, budget);
      expect(a.cpu.icount).toBe(Math.min(budget, 73));
      expectSame(a, b);
    }
  });

  it('run(n) inside a long block stops with RIP on instruction n+1', () => {
    const m = new TestMachine('long64').load('mov eax, 1\nmov ebx, 2\nmov ecx, 3\nmov edx, 4\nhlt');
    m.setReg('rcx', 0n);
    expect(m.run(2)).toBe(RunExit.Budget);
    expect(m.cpu.icount).toBe(2);
    expect(m.cpu.s[RIP]).toBe(CODE + 10);
    expect(m.reg('rcx')).toBe(0n); // the third instruction did not run
    expect(m.cpu.s[GPR]).toBe(1);
  });

  it('requestStop from an MMIO write ends the run after that instruction', () => {
    const m = new TestMachine('prot32');
    m.mem.mapMmio(0xfee00000, 0x1000, { read: () => 0, write: () => m.cpu.requestStop() });
    m.load('mov dword [0xfee00000], 1\nmov ebx, 9\nhlt');
    expect(m.run()).toBe(RunExit.StopRequested);
    expect(m.reg('rbx')).toBe(0n);
    expect(m.mem.read32(EXC_MARK)).toBe(0);
  });
});
