/**
 * FXSAVE/FXRSTOR, XSAVE/XRSTOR, LDMXCSR/STMXCSR, XGETBV/XSETBV and CPUID leaf 0DH against
 * the SDM: image offsets (FXSAVE Table 3-53/3-56, XSAVE header 13.4.2), alignment #GP,
 * CR4.OSFXSR/OSXSAVE gating, reserved-bit #GP rules.
 */
import { describe, expect, it } from 'vitest';
import { TestMachine, CR4, CR0 } from './testMachine.ts';
import { Vec } from '../../src/emu/cpu/arch.ts';
import { MISC_ENABLE, MXCSR, XMM, XCR0 } from '../../src/emu/cpu/state/layout.ts';
import { VMXLAB_CORE } from '../../src/emu/cpu/models/cpuModel.ts';

const AREA = 0x6000; // 64-byte aligned
const OSFXSR = 1 << 9, OSXSAVE = 1 << 18;
const WITH_SSE = VMXLAB_CORE.features.includes('SSE') ? VMXLAB_CORE : { ...VMXLAB_CORE, features: [...VMXLAB_CORE.features, 'SSE'] };
/** A model without the SIMD extensions, for the CPUID.SSE = 0 rule. */
const NO_SSE = { ...VMXLAB_CORE, features: VMXLAB_CORE.features.filter((f) => !/^(SSE|SSSE3|MMX)/.test(f)) };

describe('FXSAVE / FXRSTOR', () => {
  it('64-bit FXSAVE64 image: FCW, FSW, abridged FTW, FOP, 64-bit FIP/FDP, MXCSR, MXCSR_MASK, ST(i), XMM0-15', () => {
    const m = new TestMachine('long64');
    const s = m.cpu.s;
    s[CR4] |= OSFXSR;
    s[MISC_ENABLE] |= 1 << 2; // FOP compatibility mode
    s[MXCSR] = 0x1f80 | 0x20;
    for (let k = 0; k < 64; k++) s[XMM + k] = (0x01010101 * (k + 1)) >>> 0;
    m.load(`fninit
      fld1
      fldz
      fxsave64 [${AREA}]
      mov dword [${AREA + 0x300}], 0x11223344
      fxsave [${AREA + 0x400}]
      hlt`).runToHlt();
    const r32 = (o: number): number => m.mem.read32(AREA + o);
    expect(m.mem.read16(AREA)).toBe(0x037f);
    expect((m.mem.read16(AREA + 2) >>> 11) & 7).toBe(6);
    expect(m.mem.read8(AREA + 4)).toBe(0xc0);                 // R6, R7 in use
    expect(m.mem.read16(AREA + 6)).toBe(0x1ee);              // FOP of FLDZ (D9 EE)
    expect(r32(8)).toBe(0x10000 + 4); expect(r32(12)).toBe(0); // 64-bit FIP
    expect(r32(24)).toBe(0x1fa0);
    expect(r32(28)).toBe(0xffff);                             // MXCSR_MASK (DAZ supported)
    expect(r32(32)).toBe(0); expect(r32(36)).toBe(0); expect(m.mem.read16(AREA + 40)).toBe(0); // ST0 = +0
    expect(r32(48)).toBe(0); expect(r32(52)).toBe(0x80000000); expect(m.mem.read16(AREA + 56)).toBe(0x3fff); // ST1 = 1
    expect(m.mem.read16(AREA + 58)).toBe(0);                  // reserved bytes of the slot zero
    expect(r32(160)).toBe(0x01010101);
    expect(r32(160 + 16 * 15 + 12)).toBe((0x01010101 * 64) >>> 0);
    // Without REX.W: 32-bit FIP with FCS at byte 12.
    expect(m.mem.read32(AREA + 0x400 + 8)).toBe(0x10000 + 4);
    expect(m.mem.read16(AREA + 0x400 + 12)).toBe(0x08);
  });

  it('CR4.OSFXSR = 0: MXCSR and XMM are neither saved nor restored', () => {
    const m = new TestMachine('prot32');
    m.mem.write32(AREA + 24, 0xdeadbeef);
    m.mem.write32(AREA + 160, 0xcafef00d);
    m.cpu.s[XMM] = 0x1234;
    m.load(`fninit\nfxsave [${AREA}]\nfxrstor [${AREA}]\nhlt`).runToHlt();
    expect(m.exception).toBe(-1);
    expect(m.mem.read32(AREA + 24)).toBe(0xdeadbeef);
    expect(m.mem.read32(AREA + 160)).toBe(0xcafef00d);
    expect(m.cpu.s[XMM]).toBe(0x1234);
  });

  it('FXRSTOR round trip, and #GP(0) for a misaligned operand or reserved MXCSR bits', () => {
    const m = new TestMachine('prot32');
    m.cpu.s[CR4] |= OSFXSR;
    m.load(`fninit
      fldpi
      fxsave [${AREA}]
      fninit
      fxrstor [${AREA}]
      fstp qword [${AREA + 0x300}]
      hlt`).runToHlt();
    expect(m.mem.read32(AREA + 0x304)).toBe(0x400921fb);
    for (const src of [`fxsave [${AREA + 8}]`, `fxrstor [${AREA + 4}]`,
      `mov dword [${AREA + 24}], 0x10000\nfxrstor [${AREA}]`]) {
      const g = new TestMachine('prot32');
      g.cpu.s[CR4] |= OSFXSR;
      g.load(`${src}\nhlt`).runToHlt();
      expect(g.exception, src).toBe(Vec.GP);
    }
  });

  it('#NM with CR0.TS, #UD with CR0.EM (which wins over TS)', () => {
    for (const [bits, vec] of [[0x8, Vec.NM], [0x4, Vec.UD], [0xc, Vec.UD]] as const) {
      for (const insn of ['fxsave', 'fxrstor']) {
        const m = new TestMachine('prot32');
        m.cpu.s[CR0] |= bits;
        m.load(`${insn} [${AREA}]\nhlt`).runToHlt();
        expect(m.exception, `${insn} CR0 bits ${bits}`).toBe(vec);
      }
    }
  });
});

describe('LDMXCSR / STMXCSR', () => {
  it('#UD without SSE in CPUID or with CR4.OSFXSR = 0; #GP(0) on bits 16-31; otherwise loads', () => {
    const plain = new TestMachine('prot32', NO_SSE);
    plain.cpu.s[CR4] |= OSFXSR;
    plain.load(`stmxcsr [${AREA}]\nhlt`).runToHlt();
    expect(plain.exception).toBe(Vec.UD);
    const noOs = new TestMachine('prot32', WITH_SSE);
    noOs.load(`stmxcsr [${AREA}]\nhlt`).runToHlt();
    expect(noOs.exception).toBe(Vec.UD);
    const m = new TestMachine('prot32', WITH_SSE);
    m.cpu.s[CR4] |= OSFXSR;
    m.load(`mov dword [${AREA}], 0x9fc0
      ldmxcsr [${AREA}]
      stmxcsr [${AREA + 4}]
      mov dword [${AREA}], 0x11f80
      ldmxcsr [${AREA}]
      hlt`).runToHlt();
    expect(m.mem.read32(AREA + 4)).toBe(0x9fc0);
    expect(m.cpu.s[MXCSR]).toBe(0x9fc0);
    expect(m.exception).toBe(Vec.GP);
  });
});

describe('XSAVE, XCR0 and CPUID leaf 0DH', () => {
  it('CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE; leaf 0DH reports x87|SSE and 576 bytes; XSAVEOPT in sub-leaf 1', () => {
    const m = new TestMachine('long64');
    m.load(`mov eax, 1
      cpuid
      mov r8d, ecx
      mov rax, cr4
      bts eax, 18
      mov cr4, rax
      mov eax, 1
      cpuid
      mov r9d, ecx
      mov eax, 0xd
      xor ecx, ecx
      cpuid
      mov r10d, eax
      mov r11d, ebx
      mov r12d, ecx
      mov eax, 0xd
      mov ecx, 1
      cpuid
      mov r13d, eax
      hlt`).runToHlt();
    expect(Number(m.reg('r8')) & (1 << 27)).toBe(0);
    expect(Number(m.reg('r8')) & (1 << 26)).not.toBe(0); // XSAVE
    expect(Number(m.reg('r9')) & (1 << 27)).not.toBe(0);
    expect(m.reg('r10')).toBe(3n);
    expect(m.reg('r11')).toBe(576n);
    expect(m.reg('r12')).toBe(576n);
    expect(m.reg('r13')).toBe(1n);
  });

  it('XGETBV/XSETBV: #UD with CR4.OSXSAVE = 0; #GP for bit 0 clear, unsupported bits, EDX != 0, ECX != 0', () => {
    const noOs = new TestMachine('prot32');
    noOs.load('xor ecx, ecx\nxgetbv\nhlt').runToHlt();
    expect(noOs.exception).toBe(Vec.UD);
    const cases: [string, number][] = [
      ['mov eax, 3\nxor edx, edx\nxor ecx, ecx\nxsetbv', -1],
      ['mov eax, 2\nxor edx, edx\nxor ecx, ecx\nxsetbv', Vec.GP],
      ['mov eax, 7\nxor edx, edx\nxor ecx, ecx\nxsetbv', Vec.GP],
      ['mov eax, 1\nmov edx, 1\nxor ecx, ecx\nxsetbv', Vec.GP],
      ['mov eax, 1\nxor edx, edx\nmov ecx, 1\nxsetbv', Vec.GP],
      ['mov ecx, 1\nxgetbv', Vec.GP],
    ];
    for (const [src, vec] of cases) {
      const m = new TestMachine('prot32');
      m.cpu.s[CR4] |= OSXSAVE;
      m.load(`${src}\nxor ecx, ecx\nxgetbv\nhlt`).runToHlt();
      expect(m.exception, src).toBe(vec);
      if (vec === -1) expect(m.cpu.s[XCR0]).toBe(3);
    }
  });

  it('XSAVE writes the requested components and XSTATE_BV only; XRSTOR loads them or their init state', () => {
    const m = new TestMachine('long64');
    const s = m.cpu.s;
    s[CR4] |= OSXSAVE | OSFXSR;
    s[XCR0] = 3;
    s[XMM + 4] = 0xaaaa5555;
    m.mem.write32(AREA + 512, 0x80);                         // a foreign XSTATE_BV bit is kept
    m.mem.write32(AREA + 416, 0x77777777);                   // outside any component: untouched
    m.load(`fninit
      fld1
      mov eax, 3
      xor edx, edx
      xsave [${AREA}]
      fninit
      mov dword [${AREA + 512}], 1    ; XSTATE_BV: x87 from memory, SSE to its init state
      mov eax, 3
      xrstor [${AREA}]
      fstp qword [${AREA + 0x300}]
      mov dword [${AREA + 520}], 1    ; XCOMP_BV != 0: #GP
      xrstor [${AREA}]
      hlt`).runToHlt();
    expect(m.mem.read32(AREA + 416)).toBe(0x77777777);
    expect(m.mem.read32(AREA + 160 + 16)).toBe(0xaaaa5555);
    expect(m.mem.read32(AREA + 0x304)).toBe(0x3ff00000);     // 1.0 came back
    expect(s[XMM + 4]).toBe(0);                               // SSE initialised
    expect(m.exception).toBe(Vec.GP);
  });

  it('32-bit mode: XMM0-7 only; XRSTOR loads MXCSR even with XSTATE_BV[1] = 0; RFBM = 0 writes nothing', () => {
    const m = new TestMachine('prot32');
    const s = m.cpu.s;
    s[CR4] |= OSXSAVE | OSFXSR;
    s[XCR0] = 3;
    for (let k = 0; k < 64; k++) s[XMM + k] = 0x11111111;
    m.mem.write32(AREA + 288, 0x5a5a5a5a);                   // XMM8's slot: not written outside 64-bit mode
    m.mem.write32(AREA + 0x200 + 0x300, 0x12345678);
    m.load(`mov eax, 3
      xor edx, edx
      xsave [${AREA}]
      xor eax, eax
      xsave [${AREA + 0x300}]            ; RFBM = 0: nothing but XSTATE_BV (unchanged)
      mov dword [${AREA + 512}], 0       ; both components to their initial state
      mov dword [${AREA + 24}], 0x3f80   ; ...but MXCSR still comes from memory
      mov eax, 3
      xrstor [${AREA}]
      hlt`).runToHlt();
    expect(m.exception).toBe(-1);
    expect(m.mem.read32(AREA + 160 + 16 * 7)).toBe(0x11111111);
    expect(m.mem.read32(AREA + 288)).toBe(0x5a5a5a5a);
    expect(m.mem.read32(AREA + 0x300)).toBe(0);
    expect(m.mem.read32(AREA + 0x300 + 512)).toBe(0x12345678);
    expect(s[MXCSR]).toBe(0x3f80);
    expect(s[XMM]).toBe(0);
    expect(m.cpu.fpu.fcw).toBe(0x037f);
    expect(m.cpu.fpu.ftwAbridged).toBe(0);
  });

  it('XSAVE/XRSTOR: #UD with CR4.OSXSAVE = 0, #NM with CR0.TS, #GP(0) unless 64-byte aligned or for a component outside XCR0', () => {
    const cases: [string, number, number, number][] = [
      // source, CR4 bits, CR0 bits, vector
      [`xsave [${AREA}]`, OSFXSR, 0, Vec.UD],
      [`xrstor [${AREA}]`, OSFXSR, 0, Vec.UD],
      [`xsave [${AREA}]`, OSXSAVE, 0x8, Vec.NM],
      [`xsave [${AREA}]`, OSXSAVE, 0x4, -1],            // CR0.EM does not matter
      [`xsave [${AREA + 32}]`, OSXSAVE, 0, Vec.GP],
      [`xrstor [${AREA + 16}]`, OSXSAVE, 0, Vec.GP],
      [`mov dword [${AREA + 512}], 2\nxrstor [${AREA}]`, OSXSAVE, 0, Vec.GP], // XCR0 = 1: SSE not enabled
      [`mov dword [${AREA + 516}], 1\nxrstor [${AREA}]`, OSXSAVE, 0, Vec.GP],
    ];
    for (const [src, cr4, cr0, vec] of cases) {
      const m = new TestMachine('prot32');
      m.cpu.s[CR4] |= cr4;
      m.cpu.s[CR0] |= cr0;
      m.load(`mov eax, 3\nxor edx, edx\n${src}\nhlt`).runToHlt();
      expect(m.exception, src).toBe(vec);
    }
  });
});
