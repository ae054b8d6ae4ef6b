/**
 * Behaviour where QEMU 7.2 TCG (the differential harness's reference) departs
 * from the Intel SDM, so the generator leaves it out (tests/diff/gen/groups/
 * faults.ts) and vmxlab is held to the SDM here instead.
 */
import { describe, expect, it } from 'vitest';
import { CODE, TestMachine } from './testMachine.ts';
import { GPR } from '../../src/emu/cpu/state/layout.ts';

/** Runs `src` (64-bit, after a 5-byte MOV EBX) to the exception stub; returns vector, saved RIP and error code. */
function fault(src: string, hasErr: boolean): { vec: number; rip: number; err: number } {
  const m = new TestMachine('long64').load(`mov rbx, 0x5000\n${src}\nhlt`).runToHlt();
  const sp = m.cpu.s[GPR + 8];
  return { vec: m.exception, err: hasErr ? m.mem.read32(sp) : -1, rip: m.mem.read32(sp + (hasErr ? 8 : 0)) };
}

describe('where QEMU 7.2 differs from the SDM', () => {
  // SDM Vol. 2 "LOCK": #UD when the instruction is not one of the lockable ones
  // (QEMU executes these as if there were no prefix).
  it.each([['LOCK MOV m32, r32', 'db 0xf0, 0x89, 0x03'], ['LOCK TEST m32, r32', 'db 0xf0, 0x85, 0x03'],
    ['LOCK BT m32, r32', 'db 0xf0, 0x0f, 0xa3, 0x03']])('%s raises #UD', (_, bytes) => {
    expect(fault(bytes, false)).toMatchObject({ vec: 6, rip: CODE + 5 });
  });

  // Opcode map group 11 (C6/C7) defines only /0 (and F8 XABORT); group 1A (8F) only /0.
  it.each([['C6 /1', 'db 0xc6, 0xc8, 0x00'], ['C7 /2 (memory)', 'db 0xc7, 0x13, 0, 0, 0, 0'],
    ['8F /1', 'db 0x8f, 0xc8'], ['8F /3 (memory)', 'db 0x8f, 0x1b']])('%s raises #UD', (_, bytes) => {
    expect(fault(bytes, false)).toMatchObject({ vec: 6, rip: CODE + 5 });
  });

  // SDM Vol. 3 6.15: a non-canonical address in a stack-segment reference is #SS(0); QEMU gives #GP(0).
  it('a non-canonical RBP-based operand raises #SS(0)', () => {
    expect(fault('mov rbp, 0x0000800000000000\nmov eax, [rbp+8]', true)).toMatchObject({ vec: 12, err: 0, rip: CODE + 15 });
  });

  // SDM Vol. 2 FCOMI/FUCOMI: "set the OF, SF and AF flags to zero"; QEMU keeps their old values.
  it('FCOMI and FUCOMIP clear OF, SF and AF', () => {
    for (const cmp of ['fcomi st0, st1', 'fucomip st0, st1']) {
      const m = new TestMachine('long64').load(`fninit\nfld1\nfldz\nmov eax, 0x7fffffff\nadd eax, 1\n${cmp}\nhlt`).runToHlt();
      expect(m.flags & 0x8d5, cmp).toBe(0x1); // 0 < 1: CF only; OF/SF/AF from the ADD are gone
    }
  });

  // SDM Vol. 1 8.1.5.2: precision control affects only FADD/FSUB/FMUL/FDIV (and forms) and FSQRT;
  // QEMU also rounds FLD m64 to it.
  it('FLD m64 and FILD m64 keep every bit under 24-bit precision control; FADD is rounded', () => {
    const m = new TestMachine('long64').load(`fninit
      mov ebx, 0x5000
      fldcw [rbx]
      fld qword [rbx+8]
      fstp qword [rbx+32]
      fild qword [rbx+16]
      fistp qword [rbx+40]
      fld qword [rbx+8]
      fadd qword [rbx+24]
      fstp qword [rbx+48]
      hlt`);
    const put = (off: number, v: bigint) => { m.mem.write32(0x5000 + off, Number(v & 0xffffffffn)); m.mem.write32(0x5004 + off, Number(v >> 32n)); };
    const get = (off: number) => (BigInt(m.mem.read32(0x5004 + off)) << 32n) | BigInt(m.mem.read32(0x5000 + off));
    put(0, 0x007fn); // FCW: PC = 00 (24 bits), RC = nearest, all masked
    put(8, 0x3ff123456789abcdn);
    put(16, 0x0123456789abcdefn);
    put(24, 0n);
    m.runToHlt();
    expect(get(32)).toBe(0x3ff123456789abcdn); // FLD/FSTP exact
    expect(get(40)).toBe(0x0123456789abcdefn); // FILD/FISTP exact
    expect(get(48)).toBe(0x3ff1234560000000n); // FADD rounded to a 24-bit significand (1 + 23 bits)
  });

  // SHLD/SHRD Ev,Gv,Ib with a RIP-relative operand: see ripRelative.test.ts (QEMU forgets the imm8).
});
