/**
 * RIP-relative addressing (SDM Vol. 2 2.2.1.6): the displacement is added to
 * the RIP of the next instruction, so an immediate that follows the ModRM and
 * displacement counts. QEMU 7.2 TCG gets this wrong for SHLD/SHRD Ev,Gv,Ib
 * (one byte low), which is why the differential generator leaves that form out.
 */
import { describe, expect, it } from 'vitest';
import { TestMachine } from './testMachine.ts';

function run(body: string): TestMachine {
  return new TestMachine('long64').load(`
    mov rsi, 0x0e9c5f91e4ba9680
    mov dword [x - 4], 0xcb000000
    mov dword [x], 0x3bbf24cb
    mov dword [x + 4], 0x11111111
    ${body}
    mov eax, [x]
    mov ebx, [x - 4]
    hlt
    align 16
    dd 0
  x: dd 0
    dd 0`).runToHlt();
}

describe('RIP-relative operands followed by an immediate', () => {
  it('SHLD m32, r32, imm8 addresses the operand from the end of the instruction', () => {
    const m = run('shld dword [rel x], esi, 1');
    expect(m.reg('rax')).toBe(0x777e4997n); // 0x3bbf24cb << 1 | bit 31 of ESI
    expect(m.reg('rbx')).toBe(0xcb000000n); // the byte before is untouched
    expect(m.flags & 0x801).toBe(0); // CF = old bit 31 = 0, OF = sign unchanged
  });

  it('SHRD m16, r16, imm8 likewise', () => {
    const m = run('shrd word [rel x], si, 4');
    expect(m.reg('rax')).toBe(0x3bbf024cn); // low word 0x24cb >> 4, SI's low nibble 0 shifted in
    expect(m.reg('rbx')).toBe(0xcb000000n);
  });

  it('IMUL r, m, imm32 and ADD m, imm8 count their immediates too', () => {
    const m = new TestMachine('long64').load(`
      mov dword [x], 7
      imul ecx, dword [rel x], 1000
      add dword [rel x], byte 5
      mov eax, [x]
      hlt
      align 16
    x: dd 0
      dd 0x55555555`).runToHlt();
    expect(m.reg('rcx')).toBe(7000n);
    expect(m.reg('rax')).toBe(12n);
  });
});
