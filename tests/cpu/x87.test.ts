/**
 * The x87 wired into the CPU: instructions executed from nasm snippets, checked against the
 * SDM (values, condition codes, EFLAGS from FCOMI, FNSAVE image layout and pointers, #NM and
 * #MF conditions).
 */
import { describe, expect, it } from 'vitest';
import { TestMachine, CODE } from './testMachine.ts';
import { CR0, MISC_ENABLE } from '../../src/emu/cpu/state/layout.ts';
import { Vec } from '../../src/emu/cpu/arch.ts';

const DATA = 0x5000;
const f64 = (m: TestMachine, a: number): number => {
  const b = new DataView(new ArrayBuffer(8));
  b.setUint32(0, m.mem.read32(a), true); b.setUint32(4, m.mem.read32(a + 4), true);
  return b.getFloat64(0, true);
};
const putF64 = (m: TestMachine, a: number, v: number): void => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v, true);
  m.mem.write32(a, b.getUint32(0, true)); m.mem.write32(a + 4, b.getUint32(4, true));
};

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
