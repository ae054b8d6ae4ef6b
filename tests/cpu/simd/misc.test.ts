/**
 * Conversions (integer indefinite, truncation, RC), PCMPxSTRx aggregation modes,
 * CRC32C, and MMX registers aliasing the x87 register file (SDM Vol. 1 9.5).
 */
import { describe, expect, it } from 'vitest';
import { CR0, CR4, FPU } from '../../../src/emu/cpu/state/layout.ts';
import { OSFXSR, mm, mxcsr, setXmm, simdMachine, xmm } from './simdMachine.ts';

const f32 = (v: number): number => { const b = new Float32Array([v]); return new Uint32Array(b.buffer)[0]; };

describe('conversions', () => {
  it('CVTTSS2SI truncates; CVTSS2SI rounds per RC; NaN and out-of-range give the integer indefinite with IE', () => {
    const m = simdMachine(`
      cvttss2si eax, xmm0
      cvtss2si ecx, xmm0
      cvtss2si edx, xmm1
      cvttsd2si rsi, xmm2
      cvtsd2si edi, xmm3
      hlt`, { mxcsr: 0x1f80 | (1 << 13) });
    setXmm(m, 0, [f32(-2.5)]); setXmm(m, 1, [0x7fc00000]);
    setXmm(m, 2, [0, 0x43e00000]); // 2^63: out of int64 range
    setXmm(m, 3, [0, 0xc1e00000]); // -2^31 exactly: in range
    m.runToHlt();
    expect(m.reg('rax')).toBe(0xfffffffen);      // -2 (truncated)
    expect(m.reg('rcx')).toBe(0xfffffffdn);      // -3 (rounded down)
    expect(m.reg('rdx')).toBe(0x80000000n);
    expect(m.reg('rsi')).toBe(0x8000000000000000n);
    expect(m.reg('rdi')).toBe(0x80000000n);
    expect(mxcsr(m) & 0x3f).toBe(0x21);          // IE | PE
  });

  it('CVTSI2SS of a 64-bit integer rounds once (no double rounding through a double)', () => {
    // 2^60 + 2^36 + 1: nearest float32 is 2^60 + 2^37 (above the midpoint by 1), not 2^60.
    const m = simdMachine(`
      mov rax, 0x1000001000000001
      cvtsi2ss xmm0, rax
      hlt`).runToHlt();
    expect(xmm(m, 0).slice(24)).toBe(f32(2 ** 60 + 2 ** 37).toString(16));
  });

  it('CVTPD2PS narrows with rounding and overflow; CVTPS2PD widens NaN payloads (quieted)', () => {
    const m = simdMachine(`
      cvtpd2ps xmm0, xmm1
      cvtps2pd xmm2, xmm3
      hlt`);
    setXmm(m, 1, [0, 0x47f00000, 0x55555555, 0x3fd55555]); // 2^128 (overflow), 1/3
    setXmm(m, 3, [0x7f800001, 0]);                          // SNaN
    m.runToHlt();
    expect(xmm(m, 0)).toBe('0000000000000000' + '3eaaaaab' + '7f800000');
    expect(xmm(m, 2).slice(16)).toBe('7ff8000020000000');
    expect(mxcsr(m) & 0x3f).toBe(0x29); // IE OE PE
  });
});

describe('PCMPxSTRx', () => {
  const str = (s: string): number[] => {
    const b = new Uint8Array(16); for (let k = 0; k < s.length; k++) b[k] = s.charCodeAt(k);
    return [...new Uint32Array(b.buffer)];
  };
  function istri(imm: number, s1: string, s2: string): [number, number] {
    const m = simdMachine(`pcmpistri xmm1, xmm2, ${imm}\nhlt`);
    setXmm(m, 1, str(s1)); setXmm(m, 2, str(s2));
    m.runToHlt();
    return [Number(m.reg('rcx')), m.flags & 0x8d5];
  }
  it('equal any (strpbrk), ranges (character classes), equal each (strcmp), equal ordered (strstr)', () => {
    expect(istri(0x00, 'aeiou', 'xyz hello')).toEqual([5, 0x1 | 0x40 | 0x80]);      // first vowel at 5; CF ZF SF
    expect(istri(0x04, 'az', 'ABCdef')).toEqual([3, 0x1 | 0x40 | 0x80]);            // first lower-case at 3
    expect(istri(0x18, 'hello', 'help!')).toEqual([3, 0x1 | 0x40 | 0x80]);          // negated equal each: first difference
    expect(istri(0x0c, 'lo', 'hello world')).toEqual([3, 0x1 | 0x40 | 0x80]);       // substring at 3
    expect(istri(0x0c, 'zz', 'hello world')).toEqual([16, 0x40 | 0x80]);            // not found: 16, CF=0
    expect(istri(0x4c, 'l', 'hello world')).toEqual([9, 0x1 | 0x40 | 0x80]);        // most significant match
  });
  it('explicit lengths come from EAX/EDX (absolute value, saturated); PCMPESTRM writes the mask to XMM0', () => {
    const m = simdMachine(`
      mov eax, -3
      mov edx, 100
      pcmpestrm xmm1, xmm2, 0x40
      hlt`);
    setXmm(m, 1, str('abc')); setXmm(m, 2, str('aXbYcZaaaaaaaaaa'));
    m.runToHlt();
    expect(xmm(m, 0)).toBe('ffffffffffffffffffff00ff00ff00ff');
    expect(m.flags & 0x8d5).toBe(0x1 | 0x80 | 0x800); // CF, SF (len1 < 16), OF (bit 0); ZF=0 (len2 = 16)
  });
});

describe('CRC32 (CRC32C, SSE4.2)', () => {
  it('computes the Castagnoli check value of "123456789" (E3069283H) byte by byte and by dword', () => {
    const m = simdMachine(`
      mov ecx, 0xffffffff
      mov rsi, data
      mov r8, 9
    .next:
      crc32 ecx, byte [rsi]
      inc rsi
      dec r8
      jnz .next
      not ecx
      mov edx, 0xffffffff
      crc32 edx, dword [data]
      crc32 edx, dword [data + 4]
      crc32 edx, byte [data + 8]
      not edx
      hlt
      data: db "123456789"`).runToHlt();
    expect(m.reg('rcx')).toBe(0xe3069283n);
    expect(m.reg('rdx')).toBe(0xe3069283n);
  });
});

describe('MMX registers alias the x87 registers', () => {
  it('a write to MMi sets Ri mantissa, bits 79:64 to all ones, TOP=0 and every tag valid; EMMS empties the tags', () => {
    const m = simdMachine(`
      fld1
      fld1
      mov rax, 0x0123456789abcdef
      movq mm3, rax
      paddb mm3, mm3
      fnstsw ax
      mov [0x5000], ax
      fnstenv [0x5010]
      emms
      fnstenv [0x5030]
      hlt`).runToHlt();
    expect(mm(m, 3)).toBe('02468ace12569ade'); // bytes doubled with wrap-around
    expect(m.cpu.s[FPU + 3 * 3 + 2] & 0xffff).toBe(0xffff);
    expect((m.mem.read16(0x5000) >> 11) & 7).toBe(0);           // TOP
    expect(m.mem.read16(0x5010 + 8) & 0xc0).toBe(0x80);         // R3 tag: special (exponent all ones)
    expect(m.mem.read16(0x5030 + 8)).toBe(0xffff);              // all empty after EMMS
  });
  it('MMX instructions fault #NM with CR0.TS and #UD with CR0.EM (CR4.OSFXSR does not matter)', () => {
    const ts = simdMachine('paddb mm0, mm1\nhlt', { cr4Clear: OSFXSR });
    ts.cpu.s[CR0] |= 1 << 3;
    ts.run(10);
    expect(ts.exception).toBe(7);
    const em = simdMachine('paddb mm0, mm1\nhlt');
    em.cpu.s[CR0] |= 1 << 2;
    em.run(10);
    expect(em.exception).toBe(6);
    const ok = simdMachine('paddb mm0, mm1\nhlt', { cr4Clear: OSFXSR }).runToHlt();
    expect(ok.exception).toBe(-1);
  });
});

describe('CPUID gates', () => {
  it('an instruction of an extension the CPU model does not advertise is #UD (SDM: CPUID feature flag = 0)', async () => {
    const { VMXLAB_CORE } = await import('../../../src/emu/cpu/models/cpuModel.ts');
    const { TestMachine } = await import('../testMachine.ts');
    const without = (drop: string[]) => ({ ...VMXLAB_CORE, features: VMXLAB_CORE.features.filter((f) => !drop.includes(f)) });
    const run = (src: string, drop: string[]): number => {
      const m = new TestMachine('long64', without(drop));
      const s = m.cpu.s;
      s[CR4] |= OSFXSR;
      m.load(`${src}\nhlt`);
      m.run(10);
      return m.exception;
    };
    expect(run('pcmpistri xmm0, xmm1, 0', ['SSE42'])).toBe(6);
    expect(run('crc32 eax, cl', ['SSE42'])).toBe(6);
    expect(run('pshufb xmm0, xmm1', ['SSSE3'])).toBe(6);
    expect(run('ptest xmm0, xmm1', ['SSE41'])).toBe(6);
    expect(run('haddps xmm0, xmm1', ['SSE3'])).toBe(6);
    expect(run('addpd xmm0, xmm1', ['SSE2'])).toBe(6);
    expect(run('pavgb mm0, mm1', ['SSE'])).toBe(6);
    expect(run('paddb mm0, mm1', ['MMX'])).toBe(6);
    expect(run('pshufb xmm0, xmm1', ['SSE42'])).toBe(-1);
    expect(run('paddb mm0, mm1', ['SSE', 'SSE2'])).toBe(-1);
  });
});
