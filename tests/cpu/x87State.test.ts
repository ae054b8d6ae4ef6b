/**
 * x87 state the CPU keeps around the arithmetic, against the SDM: FNSTENV/FNSAVE images in
 * each layout, the FIP/FDP/FOP rules, and the #NM / #MF / FERR# conditions.
 */
import { describe, expect, it } from 'vitest';
import { TestMachine, CODE } from './testMachine.ts';
import { CR0, MISC_ENABLE } from '../../src/emu/cpu/state/layout.ts';
import { Vec } from '../../src/emu/cpu/arch.ts';
import { DATA, f64, putF64 } from './x87Helpers.ts';

describe('x87 images and pointers', () => {
  it('FNSAVE (32-bit protected mode): environment, FIP/FOP of the last non-control instruction, registers; then FNINIT state', () => {
    const m = new TestMachine('prot32');
    m.cpu.s[MISC_ENABLE] |= 1 << 2; // FOP compatibility mode: every instruction records FOP
    m.load(`fninit
      fld1
      fldl2t
      fld qword [${DATA + 0x100}]
      fldcw [${DATA + 0x300}]
      fnsave [${DATA}]
      fnstcw [${DATA + 0x200}]
      hlt`);
    putF64(m, DATA + 0x100, -2);
    m.mem.write16(DATA + 0x300, 0x037f);
    m.runToHlt();
    const r = (o: number): number => m.mem.read32(DATA + o);
    expect(r(0) & 0xffff).toBe(0x037f);
    expect((r(4) >>> 11) & 7).toBe(5);              // TOP = 5 after three pushes
    expect(r(8) & 0xffff).toBe(0x03ff);             // R5 R6 R7 valid (00), R0-R4 empty (11)
    // FIP = offset of "fld qword [m]" (the last non-control instruction; FLDCW is a control one).
    const fldAt = CODE + 2 + 2 + 2;                 // fninit (DB E3), fld1 (D9 E8), fldl2t (D9 E9)
    expect(r(12)).toBe(fldAt);
    expect(r(16) & 0xffff).toBe(0x18);              // FCS
    expect((r(16) >>> 16) & 0x7ff).toBe(0x505);     // FOP: DD /0 with ModRM 05
    expect(r(20)).toBe(DATA + 0x100);               // FDP
    expect(r(24) & 0xffff).toBe(0x10);              // FDS
    // ST(0) = -2.0 at offset 28: significand 8000000000000000, exponent 4000 | sign.
    expect(r(28)).toBe(0); expect(r(32)).toBe(0x80000000); expect(m.mem.read16(DATA + 36)).toBe(0xc000);
    expect(m.mem.read16(DATA + 0x200)).toBe(0x037f);
    expect(m.cpu.fpu.fullTagWord()).toBe(0xffff);
  });

  it('FNSTENV in real mode uses the 16-bit real-mode layout with a 20-bit linear FIP', () => {
    const m = new TestMachine('real');
    m.load(`fninit
      fld1
      fnstenv [0x600]
      hlt`);
    m.runToHlt();
    const ip = 0x10000 + 2;                          // CS = 1000h, fld1 at offset 2
    expect(m.mem.read16(0x606)).toBe(ip & 0xffff);
    expect(m.mem.read16(0x608)).toBe((ip >>> 4) & 0xf000);  // FIP 19:16; FOP 0 (no unmasked exception)
    expect(m.cpu.fpu.fcw & 0x3f).toBe(0x3f);
  });

  it('FNSAVE in real mode with a 32-bit operand size: the 32-bit real-mode layout (FIP 31:16 beside FOP); FRSTOR reads it back', () => {
    const m = new TestMachine('real');
    m.cpu.s[MISC_ENABLE] |= 1 << 2;
    m.load(`fninit
      fldpi
      o32 fnsave [0x600]
      o32 frstor [0x600]
      o32 fnstenv [0x700]
      hlt`).runToHlt();
    const ip = 0x10000 + 2;                          // linear address of fldpi
    expect(m.mem.read32(0x600 + 12)).toBe((0xffff0000 | (ip & 0xffff)) >>> 0);
    expect(m.mem.read32(0x600 + 16)).toBe((((ip >>> 4) & 0x0ffff000) | 0x1eb) >>> 0); // D9 EB
    expect(m.mem.read16(0x600 + 28 + 8)).toBe(0x4000); // ST(0) = pi: exponent 4000
    expect(m.mem.read32(0x700 + 16)).toBe(m.mem.read32(0x600 + 16));
    expect(m.mem.read32(0x700 + 12)).toBe(m.mem.read32(0x600 + 12));
  });

  it('FRSTOR restores what FNSAVE stored (16-bit operand size)', () => {
    const m = new TestMachine('prot32');
    putF64(m, DATA + 0x100, 1.25);
    m.load(`fninit
      fld qword [${DATA + 0x100}]
      fld1
      o16 fnsave [${DATA}]
      o16 frstor [${DATA}]
      faddp
      fstp qword [${DATA + 0x108}]
      hlt`).runToHlt();
    expect(f64(m, DATA + 0x108)).toBe(2.25);
  });
});

describe('FIP (SDM Vol. 1 8.1.8)', () => {
  it('FNOP, FFREE, FINCSTP record FIP; the control instructions (FNCLEX, FLDCW, FNSTSW, WAIT) do not', () => {
    const m = new TestMachine('prot32');
    m.load(`fninit
      fld1
      fnop
      fnstenv [${DATA}]
      ffree st0
      fnstenv [${DATA + 32}]
      fincstp
      fnclex
      fldcw [${DATA + 64}]
      fnstsw ax
      fwait
      fnstenv [${DATA + 96}]
      hlt`);
    m.mem.write16(DATA + 64, 0x037f);
    m.runToHlt();
    // fninit 2, fld1 2, fnop 2, fnstenv [abs] 6 (D9 35 disp32), ffree 2, fnstenv 6, fincstp 2
    expect(m.mem.read32(DATA + 12)).toBe(CODE + 4);
    expect(m.mem.read32(DATA + 32 + 12)).toBe(CODE + 12);
    expect(m.mem.read32(DATA + 96 + 12)).toBe(CODE + 20);
  });
});

describe('FOP (SDM Vol. 1 8.1.9.1)', () => {
  it('by default only an instruction with an unmasked exception leaves its opcode; IA32_MISC_ENABLE[2] keeps every one', () => {
    for (const compat of [false, true]) {
      const m = new TestMachine('prot32');
      if (compat) m.cpu.s[MISC_ENABLE] |= 1 << 2;
      m.load(`fninit
        fld1
        fnstenv [${DATA}]
        fldcw [cw]
        fldz
        fdiv st1, st0         ; ZE unmasked: DC F9
        fnstenv [${DATA + 32}]
        hlt
        cw: dw 0x037b`).runToHlt();
      expect(m.mem.read16(DATA + 18) & 0x7ff).toBe(compat ? 0x1e8 : 0);
      expect(m.mem.read16(DATA + 32 + 18) & 0x7ff).toBe(0x4f9);
    }
  });
});

describe('#NM and #MF', () => {
  it('CR0.TS or CR0.EM: x87 instructions raise #NM; WAIT only with MP and TS', () => {
    for (const [cr0bits, src, vec] of [
      [0x8, 'fld1', Vec.NM], [0x4, 'fld1', Vec.NM], [0x8, 'fwait', -1], [0xa, 'fwait', Vec.NM], [0x6, 'fwait', -1],
      [0x8, 'fnstsw ax', Vec.NM],
    ] as const) {
      const m = new TestMachine('prot32');
      m.cpu.s[CR0] |= cr0bits;
      m.load(`${src}\nhlt`).runToHlt();
      expect(m.exception, `${src} with CR0 bits ${cr0bits}`).toBe(vec);
    }
  });

  it('a pending unmasked exception: #MF at the next waiting instruction (CR0.NE = 1); no-wait instructions pass', () => {
    const m = new TestMachine('prot32');
    m.cpu.s[CR0] |= 0x20;
    m.load(`fninit
      fldcw [cw]
      fld1
      fldz
      fdivp               ; ZE unmasked: ES set, ST(0) unchanged
      fnstsw ax           ; no-wait
      mov ebx, eax
      there: fld1         ; waits: #MF
      hlt
      cw: dw 0x037b`).runToHlt();
    expect(m.exception).toBe(Vec.MF);
    expect(Number(m.reg('rbx')) & 0x8084).toBe(0x8084); // B, ES, ZE
  });

  it('CR0.NE = 0: FERR# is signalled through onFerr and the instruction runs', () => {
    const m = new TestMachine('prot32');
    let ferr = 0;
    m.cpu.onFerr = () => { ferr++; };
    m.load(`fninit
      fldcw [cw]
      fld1
      fldz
      fdivp
      fwait
      fnclex
      fwait
      hlt
      cw: dw 0x037b`).runToHlt();
    expect(m.exception).toBe(-1);
    expect(ferr).toBe(1);
  });
});
