/** Exceptions: vectors, error codes, saved RIP, CR2, double and triple faults, unimplemented instructions. */
import { describe, expect, it } from 'vitest';
import { CODE, TestMachine, assemble } from './testMachine.ts';
import { RunExit } from '../../src/emu/cpu/cpu.ts';
import { CR2, GDTR, GPR, IDTR } from '../../src/emu/cpu/state/layout.ts';

/** The 64-bit interrupt frame at RSP after the stub halted: [error code,] RIP, CS, RFLAGS, RSP, SS. */
function frame64(m: TestMachine, hasErr: boolean): { err: number; rip: number; cs: number } {
  const sp = m.cpu.s[GPR + 8];
  const o = hasErr ? 8 : 0;
  return { err: hasErr ? m.mem.read32(sp) : -1, rip: m.mem.read32(sp + o), cs: m.mem.read32(sp + o + 8) };
}

describe('exceptions in 64-bit mode', () => {
  it('#UD on UD2 with RIP at the instruction', () => {
    const m = new TestMachine('long64').load('nop\nud2\nhlt').runToHlt();
    expect(m.exception).toBe(6);
    expect(frame64(m, false).rip).toBe(CODE + 1);
  });

  it('#DE on division by zero and on quotient overflow', () => {
    let m = new TestMachine('long64').load('xor ecx, ecx\ndiv ecx\nhlt').runToHlt();
    expect(m.exception).toBe(0);
    m = new TestMachine('long64').load('mov edx, 5\nmov eax, 0\nmov ecx, 5\ndiv ecx\nhlt').runToHlt();
    expect(m.exception).toBe(0);
    m = new TestMachine('long64').load('mov rax, 0x8000000000000000\ncqo\nmov rcx, -1\nidiv rcx\nhlt').runToHlt();
    expect(m.exception).toBe(0);
  });

  it('#GP(0) on a non-canonical address and #SS(0) through RSP', () => {
    let m = new TestMachine('long64').load('mov rax, 0x0000800000000000\nmov [rax], eax\nhlt').runToHlt();
    expect(m.exception).toBe(13);
    expect(frame64(m, true).err).toBe(0);
    m = new TestMachine('long64').load('mov rbp, 0x0000800000000000\nmov eax, [rbp]\nhlt').runToHlt();
    expect(m.exception).toBe(12);
  });

  it('#PF with CR2 and the error code of a not-present write', () => {
    const m = new TestMachine('long64').load('mov rax, 0x40001234\nmov byte [rax], 1\nhlt').runToHlt();
    expect(m.exception).toBe(14);
    expect(m.cpu.s[CR2]).toBe(0x40001234);
    expect(frame64(m, true).err).toBe(0x2); // W=1, P=0, U=0
  });

  it('#UD for LOCK on a register destination or a non-lockable instruction', () => {
    for (const src of ['db 0xf0\nadd eax, ebx', 'db 0xf0\nmov [rax], eax']) {
      const m = new TestMachine('long64').load(`mov rax, 0x5000\n${src}\nhlt`).runToHlt();
      expect(m.exception, src).toBe(6);
    }
    const ok = new TestMachine('long64').load('mov rax, 0x5000\nlock add [rax], eax\nhlt').runToHlt();
    expect(ok.exception).toBe(-1);
  });

  it('#GP(0) for an instruction longer than 15 bytes', () => {
    const m = new TestMachine('long64').load('times 14 db 0x66\nadd eax, 1\nhlt').runToHlt();
    expect(m.exception).toBe(13);
  });

  it('INT3 is a trap: the saved RIP follows the instruction', () => {
    const m = new TestMachine('long64').load('nop\nint3\nhlt').runToHlt();
    expect(m.exception).toBe(3);
    expect(frame64(m, false).rip).toBe(CODE + 2);
  });

  it('TF single-steps with #DB after the instruction', () => {
    const m = new TestMachine('long64').load('pushfq\nor qword [rsp], 0x100\npopfq\nnop\nhlt').runToHlt();
    expect(m.exception).toBe(1);
    // POPF set TF: the trap comes after the following instruction (the NOP).
    expect(frame64(m, false).rip).toBe(CODE + 1 + 8 + 1 + 1);
  });

  it('a fault while delivering #GP becomes #DF; a fault delivering #DF is a triple fault', () => {
    // IDT limit covers vectors 0-8 only: #GP (13) cannot be delivered -> #DF (8) is.
    let m = new TestMachine('long64').load('mov rax, 0x0000800000000000\nmov [rax], eax\nhlt');
    m.cpu.s[IDTR + 2] = 9 * 16 - 1;
    m.runToHlt();
    expect(m.exception).toBe(8);
    m = new TestMachine('long64').load('mov rax, 0x0000800000000000\nmov [rax], eax\nhlt');
    m.cpu.s[IDTR + 2] = 0;
    expect(m.run()).toBe(RunExit.TripleFault);
    expect(m.cpu.lastExitMessage).toMatch(/triple fault/);
  });

  it('stops with Unimplemented and a clear message, and delivers #UD when resumed', () => {
    const m = new TestMachine('long64').load('nop\npclmulqdq xmm0, xmm1, 0\nhlt');
    expect(m.run()).toBe(RunExit.Unimplemented);
    expect(m.cpu.lastExitMessage).toMatch(/unimplemented instruction PCLMULQDQ \(66 0F 3A 44.*\) at 0008:0000000000010001/);
    expect(m.rip()).toBe(BigInt(CODE + 1));
    m.runToHlt();
    expect(m.exception).toBe(6);
  });
});

describe('exceptions in real and protected mode', () => {
  it('real mode: INT n through the IVT pushes FLAGS, CS, IP', () => {
    const m = new TestMachine('real').load('mov sp, 0x9000\nint 0x05\nhlt').runToHlt();
    expect(m.exception).toBe(5);
    const sp = m.cpu.s[GPR + 8] & 0xffff;
    expect(m.mem.read16(sp)).toBe(3 + 2); // IP after INT (mov sp is 3 bytes)
    expect(m.mem.read16(sp + 2)).toBe(0x1000);
  });

  it('protected mode: #GP(selector) when loading a selector beyond the GDT limit', () => {
    const m = new TestMachine('prot32').load('mov ax, 0x80\nmov ds, ax\nhlt').runToHlt();
    expect(m.exception).toBe(13);
    const sp = m.cpu.s[GPR + 8];
    expect(m.mem.read32(sp)).toBe(0x80);
  });

  it('protected mode: #NP(selector) for a not-present data segment', () => {
    const m = new TestMachine('prot32');
    m.mem.write32(0x3000 + 7 * 8, 0x0000ffff); m.mem.write32(0x3000 + 7 * 8 + 4, 0x00cf1200);
    m.mem.load(CODE, assemble('mov ax, 0x38\nmov es, ax\nhlt', 32, CODE));
    // Extend the GDT limit to include entry 7.
    m.cpu.s[GDTR + 2] = 8 * 8 - 1;
    m.runToHlt();
    expect(m.exception).toBe(11);
    expect(m.mem.read32(m.cpu.s[GPR + 8])).toBe(0x38);
  });
});

