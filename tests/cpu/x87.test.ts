/**
 * The x87 wired into the CPU: instructions executed from nasm snippets, checked against the
 * SDM (values, condition codes, EFLAGS from FCOMI, stack faults, C2 of the transcendentals).
 */
import { describe, expect, it } from 'vitest';
import { TestMachine } from './testMachine.ts';
import { CR0 } from '../../src/emu/cpu/state/layout.ts';
import { Vec } from '../../src/emu/cpu/arch.ts';
import { DATA, f64, putF64 } from './x87Helpers.ts';

describe('x87 arithmetic and transfers', () => {
  it('FLD/FADD/FMUL/FDIV/FSQRT and FSTP m64 give correctly rounded doubles', () => {
    const m = new TestMachine('prot32');
    putF64(m, DATA, 2.5); putF64(m, DATA + 8, 3);
    m.load(`fninit
      fld qword [${DATA}]
      fmul qword [${DATA + 8}]     ; 7.5
      fld1
      faddp                        ; 8.5
      fstp qword [${DATA + 16}]
      fld qword [${DATA + 8}]
      fsqrt
      fstp qword [${DATA + 24}]
      fld1
      fdiv qword [${DATA + 8}]
      fstp qword [${DATA + 32}]
      fldpi
      fstp qword [${DATA + 40}]
      hlt`).runToHlt();
    expect(f64(m, DATA + 16)).toBe(8.5);
    expect(f64(m, DATA + 24)).toBe(Math.sqrt(3));
    expect(f64(m, DATA + 32)).toBe(1 / 3);
    expect(f64(m, DATA + 40)).toBe(Math.PI);
    expect(m.cpu.fpu.top).toBe(0);
    expect(m.cpu.fpu.fullTagWord()).toBe(0xffff);
  });

  it('FILD/FISTP/FIST with rounding control, FBSTP packed BCD, FSUBR and FDIVR reversed operands', () => {
    const m = new TestMachine('prot32');
    m.load(`fninit
      mov dword [${DATA}], -7
      fild dword [${DATA}]
      mov dword [${DATA}], 2
      fidivr dword [${DATA}]        ; 2 / -7
      fistp dword [${DATA + 4}]     ; round to nearest: 0 (-0.2857)
      fild dword [${DATA}]          ; 2
      mov word [${DATA}], 7
      fisubr word [${DATA}]         ; 7 - 2 = 5
      fist word [${DATA + 8}]
      fbstp [${DATA + 16}]
      fldcw [cw]
      mov dword [${DATA}], 5
      fild dword [${DATA}]
      mov dword [${DATA}], 2
      fidiv dword [${DATA}]         ; 2.5, rounded down (RC=01) -> 2
      fistp dword [${DATA + 12}]
      hlt
      cw: dw 0x077f`).runToHlt();
    expect(m.mem.read32(DATA + 4)).toBe(0);
    expect(m.mem.read16(DATA + 8)).toBe(5);
    expect(m.mem.read8(DATA + 16)).toBe(0x05);
    expect(m.mem.read8(DATA + 25)).toBe(0);
    expect(m.mem.read32(DATA + 12)).toBe(2);
  });

  it('FCOM sets C0/C2/C3 read by FNSTSW AX; FCOMI sets ZF/PF/CF; FUCOMI with a NaN is unordered without IE', () => {
    const m = new TestMachine('prot32');
    m.load(`fninit
      fld1
      fldz
      fcom st1            ; 0 < 1: C0 = 1
      fnstsw ax
      mov ebx, eax
      fcomi st0, st1      ; CF = 1
      pushfd
      pop esi
      fxch
      fcomip st0, st1     ; 1 > 0: ZF = PF = CF = 0, pops
      pushfd
      pop edi
      fstp st0
      fldz
      fldz
      fdivp               ; 0/0: masked IE, QNaN indefinite
      fnstsw ax
      mov ecx, eax
      fnclex
      fld1
      fucomi st0, st1     ; unordered: ZF = PF = CF = 1, QNaN: no IE
      pushfd
      pop edx
      fnstsw ax
      hlt`).runToHlt();
    const C0 = 0x100, C2 = 0x400, C3 = 0x4000;
    expect(Number(m.reg('rbx')) & (C0 | C2 | C3)).toBe(C0);
    expect(Number(m.reg('rsi')) & 0x45).toBe(0x01);
    expect(Number(m.reg('rdi')) & 0x45).toBe(0);
    expect(Number(m.reg('rcx')) & 0x3f).toBe(0x01); // IE
    expect(Number(m.reg('rdx')) & 0x45).toBe(0x45);
    expect(Number(m.reg('rax')) & 0x3f).toBe(0);
  });

  it('stack overflow and underflow: IE + SF, C1 = 1 on overflow, the indefinite is pushed when masked', () => {
    const m = new TestMachine('prot32');
    m.load(`fninit
      ${'fld1\n'.repeat(8)}
      fld1                ; ninth push: overflow
      fnstsw ax
      mov ebx, eax
      fninit
      fadd st0, st1       ; both empty: underflow
      fnstsw ax
      hlt`).runToHlt();
    expect(Number(m.reg('rbx')) & 0x2c1).toBe(0x241); // SF | C1 | IE
    expect(Number(m.reg('rax')) & 0x2c1).toBe(0x041); // SF | IE, C1 = 0
    const f = m.cpu.fpu;
    expect(f.isEmpty(0)).toBe(false);
    expect(f.w[3 * f.phys(0) + 2]).toBe(0xffff); // indefinite: sign 1, exponent all ones
  });

  it('FSINCOS, FPTAN (pushes 1.0), FPREM quotient bits, FXTRACT, FSCALE', () => {
    const m = new TestMachine('prot32');
    putF64(m, DATA, 0.5); putF64(m, DATA + 8, 7); putF64(m, DATA + 16, 2);
    m.load(`fninit
      fld qword [${DATA}]
      fsincos                      ; ST0 = cos, ST1 = sin
      fstp qword [${DATA + 32}]
      fstp qword [${DATA + 40}]
      fld qword [${DATA}]
      fptan
      fstp qword [${DATA + 48}]    ; 1.0
      fstp qword [${DATA + 56}]    ; tan
      fld qword [${DATA + 16}]
      fld qword [${DATA + 8}]
      fprem                        ; 7 rem 2 = 1, quotient 3 (011): C0=0 C3=1 C1=1
      fnstsw ax
      fstp qword [${DATA + 64}]
      fstp st0
      fld qword [${DATA + 8}]
      fxtract                      ; ST0 = 1.75, ST1 = 2
      fstp qword [${DATA + 72}]
      fstp qword [${DATA + 80}]
      fld qword [${DATA + 16}]
      fld qword [${DATA + 8}]
      fscale                       ; 7 * 2^2
      fstp qword [${DATA + 88}]
      hlt`).runToHlt();
    expect(f64(m, DATA + 32)).toBe(Math.cos(0.5));
    expect(f64(m, DATA + 40)).toBe(Math.sin(0.5));
    expect(f64(m, DATA + 48)).toBe(1);
    expect(f64(m, DATA + 56)).toBe(Math.tan(0.5));
    expect(Number(m.reg('rax')) & 0x4700).toBe(0x4200);
    expect(f64(m, DATA + 64)).toBe(1);
    expect(f64(m, DATA + 72)).toBe(1.75);
    expect(f64(m, DATA + 80)).toBe(2);
    expect(f64(m, DATA + 88)).toBe(28);
  });

  it('FSIN and FPTAN with |x| >= 2^63: C2 = 1, ST(0) unchanged, nothing pushed', () => {
    const m = new TestMachine('prot32');
    putF64(m, DATA, 2 ** 64);
    m.load(`fninit
      fld qword [${DATA}]
      fsin
      fnstsw ax
      mov ebx, eax
      fptan
      fnstsw ax
      mov edx, eax
      fstp qword [${DATA + 8}]
      fldz
      fsin                  ; in range: C2 = 0
      fnstsw ax
      mov ecx, eax
      hlt`).runToHlt();
    expect(Number(m.reg('rbx')) & 0x400).toBe(0x400);
    expect(Number(m.reg('rdx')) & 0x3c00).toBe(0x3c00); // C2 and TOP = 7 (one value)
    expect(f64(m, DATA + 8)).toBe(2 ** 64);
    expect(Number(m.reg('rcx')) & 0x400).toBe(0);
  });

  it('FXAM classes: empty, zero, normal, infinity, NaN, denormal, and C1 = sign', () => {
    const m = new TestMachine('prot32');
    m.mem.write32(DATA, 1); m.mem.write32(DATA + 4, 0); m.mem.write16(DATA + 8, 0x8000); // -denormal (m80)
    m.load(`fninit
      fxam
      fnstsw ax
      mov [${DATA + 16}], ax
      fld tword [${DATA}]
      fxam
      fnstsw ax
      mov [${DATA + 18}], ax
      hlt`).runToHlt();
    expect(m.mem.read16(DATA + 16) & 0x4700).toBe(0x4100);      // empty: C3 C0 (C1 = sign of the stale R7: +0)
    expect(m.mem.read16(DATA + 18) & 0x4700).toBe(0x4600);      // denormal: C3 C2, C1 = 1
  });

  it('FXCH, FST ST(i) and FCOMI on empty registers: masked underflow gives the indefinite / unordered', () => {
    const m = new TestMachine('prot32');
    m.load(`fninit
      fld1
      fxch st3              ; ST(3) empty: both end up valid, ST(0) = indefinite
      fnstsw ax
      mov ebx, eax
      fnclex
      fcomi st0, st5        ; empty: ZF PF CF = 1
      pushfd
      pop ecx
      hlt`).runToHlt();
    expect(Number(m.reg('rbx')) & 0x41).toBe(0x41);
    const f = m.cpu.fpu;
    expect(f.isEmpty(3)).toBe(false);
    expect(f.w[3 * f.phys(0) + 2]).toBe(0xffff);
    expect(f.w[3 * f.phys(3) + 1]).toBe(0x80000000);               // 1.0 moved to ST(3)
    expect(Number(m.reg('rcx')) & 0x45).toBe(0x45);
  });

  it('an unmasked IE from FCOM of a NaN leaves C0-C3 and the stack alone and raises #MF at the next waiting instruction', () => {
    const m = new TestMachine('prot32');
    m.cpu.s[CR0] |= 0x20;
    putF64(m, DATA, NaN);
    m.load(`fninit
      fldcw [cw]
      fld qword [${DATA}]
      fld1
      fcomp st1             ; QNaN with FCOM: IE (unmasked): no pop
      fnstsw ax
      fld1
      hlt
      cw: dw 0x037e`).runToHlt();
    expect(Number(m.reg('rax')) & 0xb881).toBe(0xb081);   // B ES IE, TOP = 6
    expect(m.exception).toBe(Vec.MF);
  });

  it('FCMOVcc moves on the EFLAGS condition', () => {
    const m = new TestMachine('long64');
    m.load(`fninit
      fld1
      fldz
      stc
      fcmovnb st0, st1    ; CF = 1: no move
      fist dword [${DATA}]
      fcmovb st0, st1     ; moves 1.0
      fistp dword [${DATA + 4}]
      hlt`).runToHlt();
    expect(m.mem.read32(DATA)).toBe(0);
    expect(m.mem.read32(DATA + 4)).toBe(1);
  });
});

describe('where QEMU TCG departs from the SDM (checked here, not in the differential program)', () => {
  it('FPREM1 reports the low bits of the rounded quotient (-7.5 / 2 -> -4: C0 = 1), as remquo() relies on', () => {
    const m = new TestMachine('prot32');
    putF64(m, DATA, -7.5); putF64(m, DATA + 8, 2);
    m.load(`fninit
      fld qword [${DATA + 8}]
      fld qword [${DATA}]
      fprem1
      fnstsw ax
      fstp qword [${DATA + 16}]
      hlt`).runToHlt();
    expect(Number(m.reg('rax')) & 0x4700).toBe(0x0100);
    expect(f64(m, DATA + 16)).toBe(0.5);
  });

  it('FLD m32fp of a denormal raises DE; an unmasked ZE leaves operands and TOP alone (no pop); C1 on round-up', () => {
    const m = new TestMachine('prot32');
    m.mem.write32(DATA, 3);
    m.load(`fninit
      fld dword [${DATA}]
      fnstsw ax
      mov ebx, eax
      fninit
      fldcw [cw]
      fld1
      fldz
      fdivp st1, st0
      fnstsw ax
      mov ecx, eax
      fnclex
      fninit
      fldcw [up]
      fld1
      fld qword [seven]
      fdivp st1, st0         ; 1/7 rounded up
      fnstsw ax
      hlt
      cw: dw 0x037b
      up: dw 0x0b7f
      seven: dq 7.0`).runToHlt();
    expect(Number(m.reg('rbx')) & 0x3f).toBe(0x02);
    expect((Number(m.reg('rcx')) >>> 11) & 7).toBe(6);   // still two values on the stack
    expect(Number(m.reg('rax')) & 0x0200).toBe(0x0200);  // C1
  });
});
