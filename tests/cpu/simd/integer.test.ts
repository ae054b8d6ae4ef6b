/** MMX/SSE2/SSSE3/SSE4.1 integer instructions against the SDM: wrap-around, saturation, shifts, shuffles, packs. */
import { describe, expect, it } from 'vitest';
import { setXmm, simdMachine, xmm } from './simdMachine.ts';
import type { TestMachine } from '../testMachine.ts';

/** Runs `insn` with xmm0 = a, xmm1 = b (given as 32 hex digits, most significant first). */
function run(insn: string, a: string, b = '0'.repeat(32), extra: Record<number, string> = {}): TestMachine {
  const m = simdMachine(`${insn}\nhlt`);
  const words = (h: string) => [3, 2, 1, 0].map((k) => parseInt(h.slice(k * 8, k * 8 + 8), 16));
  setXmm(m, 0, words(a)); setXmm(m, 1, words(b));
  for (const [r, v] of Object.entries(extra)) setXmm(m, Number(r), words(v));
  m.runToHlt();
  return m;
}
const x0 = (insn: string, a: string, b?: string, extra?: Record<number, string>): string => xmm(run(insn, a, b, extra), 0);

describe('packed add/sub/mul', () => {
  it('PADDB wraps, PADDSB/PADDUSB saturate, PSUBUSW floors at zero', () => {
    const a = '7f80ff01' + '00000000' + '00000000' + '000000ff', b = '01ff0101' + '00000000' + '00000000' + '00000001';
    expect(x0('paddb xmm0, xmm1', a, b)).toBe('807f0002' + '00000000' + '00000000' + '00000000');
    expect(x0('paddsb xmm0, xmm1', a, b)).toBe('7f800002' + '00000000' + '00000000' + '00000000');
    expect(x0('paddusb xmm0, xmm1', a, b)).toBe('80ffff02' + '00000000' + '00000000' + '000000ff');
    expect(x0('psubusw xmm0, xmm1', '0001ffff' + '0'.repeat(24), '0002fffe' + '0'.repeat(24))).toBe('00000001' + '0'.repeat(24));
  });

  it('PMULHW/PMULHUW/PMULLW, PMULUDQ 32x32->64, PMADDWD (0x8000*0x8000*2 wraps), PMULDQ signed', () => {
    expect(x0('pmulhw xmm0, xmm1', '0'.repeat(28) + '8000', '0'.repeat(28) + '8000')).toBe('0'.repeat(28) + '4000');
    expect(x0('pmulhuw xmm0, xmm1', '0'.repeat(28) + 'ffff', '0'.repeat(28) + 'ffff')).toBe('0'.repeat(28) + 'fffe');
    expect(x0('pmullw xmm0, xmm1', '0'.repeat(28) + 'ffff', '0'.repeat(28) + '0003')).toBe('0'.repeat(28) + 'fffd');
    expect(x0('pmuludq xmm0, xmm1', '00000000ffffffff' + '00000000ffffffff', '00000000ffffffff' + '0000000012345678'))
      .toBe('fffffffe00000001' + '12345677edcba988');
    expect(x0('pmaddwd xmm0, xmm1', '0'.repeat(24) + '80008000', '0'.repeat(24) + '80008000')).toBe('0'.repeat(24) + '80000000');
    expect(x0('pmuldq xmm0, xmm1', '0'.repeat(24) + '80000000', '0'.repeat(24) + '7fffffff')).toBe('0'.repeat(16) + 'c000000080000000');
    expect(x0('pmulld xmm0, xmm1', '0'.repeat(24) + '80000001', '0'.repeat(24) + '00000003')).toBe('0'.repeat(24) + '80000003');
  });

  it('PSADBW sums absolute byte differences per quadword; PAVGB rounds up', () => {
    expect(x0('psadbw xmm0, xmm1', '00ff00ff00ff00ff' + '0102030405060708', 'ff00ff00ff00ff00' + '0807060504030201'))
      .toBe('00000000000007f8' + '0000000000000020');
    expect(x0('pavgb xmm0, xmm1', '0'.repeat(28) + '01ff', '0'.repeat(28) + '02fe')).toBe('0'.repeat(28) + '02ff');
  });
});

describe('shifts, packs, shuffles', () => {
  it('shift counts beyond the element width clear (logical) or fill with the sign (arithmetic)', () => {
    expect(x0('psrlw xmm0, xmm1', '0'.repeat(28) + '8000', '0'.repeat(30) + '10')).toBe('0'.repeat(32));
    expect(x0('psraw xmm0, xmm1', '0'.repeat(28) + '8000', '0'.repeat(30) + '40')).toBe('0'.repeat(28) + 'ffff');
    expect(x0('psllq xmm0, 36', '0'.repeat(24) + '0000000f')).toBe('0'.repeat(16) + '000000f000000000');
    expect(x0('psrad xmm0, 4', '0'.repeat(24) + '80000000')).toBe('0'.repeat(24) + 'f8000000');
    // A count whose high qword word is non-zero is huge.
    expect(x0('psrlq xmm0, xmm1', '0'.repeat(16) + 'ffffffffffffffff', '0'.repeat(16) + '0000000100000000')).toBe('0'.repeat(32));
    expect(x0('pslldq xmm0, 3', '00112233445566778899aabbccddeeff')).toBe('33445566778899aabbccddeeff000000');
    expect(x0('psrldq xmm0, 17', '00112233445566778899aabbccddeeff')).toBe('0'.repeat(32));
  });

  it('PACKSSWB/PACKUSWB/PACKSSDW/PACKUSDW saturate; unpacks interleave', () => {
    expect(x0('packsswb xmm0, xmm1', '0000000000000000' + '0000ff80007f0100', '0'.repeat(32))).toBe('0'.repeat(24) + '00807f7f');
    expect(x0('packuswb xmm0, xmm1', '0'.repeat(16) + '0000ff80007f0100', '0'.repeat(32))).toBe('0'.repeat(24) + '00007fff');
    expect(x0('packssdw xmm0, xmm1', '0'.repeat(16) + '0001000080000000', '0'.repeat(32))).toBe('0'.repeat(16) + '00000000' + '7fff8000');
    expect(x0('packusdw xmm0, xmm1', '0'.repeat(16) + '0001000080000000', '0'.repeat(32))).toBe('0'.repeat(16) + '00000000' + 'ffff0000');
    expect(x0('punpcklbw xmm0, xmm1', '0'.repeat(24) + '03020100', '0'.repeat(24) + '13121110')).toBe('0'.repeat(16) + '1303120211011000');
    expect(x0('punpckhqdq xmm0, xmm1', 'aaaaaaaaaaaaaaaa' + '0'.repeat(16), 'bbbbbbbbbbbbbbbb' + '0'.repeat(16))).toBe('bbbbbbbbbbbbbbbbaaaaaaaaaaaaaaaa');
  });

  it('PSHUFD/PSHUFLW/PSHUFB (bit 7 zeroes), PALIGNR', () => {
    expect(x0('pshufd xmm0, xmm1, 0x1b', '0'.repeat(32), '33333333222222221111111100000000')).toBe('00000000111111112222222233333333');
    expect(x0('pshuflw xmm0, xmm1, 0x00', '0'.repeat(32), 'ffffffffffffffff' + '4444333322221111')).toBe('ffffffffffffffff' + '1111111111111111');
    expect(x0('pshufb xmm0, xmm1', '0f0e0d0c0b0a09080706050403020100', '80000102030405060708090a0b0c0d8f')).toBe('00000102030405060708090a0b0c0d00');
    expect(x0('palignr xmm0, xmm1, 4', '1f1e1d1c1b1a19181716151413121110', '0f0e0d0c0b0a09080706050403020100')).toBe('131211100f0e0d0c0b0a090807060504');
  });

  it('PMINUB/PMAXSW/PMINSD/PMAXUD, PCMPGTB signed, PCMPEQQ/PCMPGTQ', () => {
    expect(x0('pminub xmm0, xmm1', '0'.repeat(28) + 'ff01', '0'.repeat(28) + '01ff')).toBe('0'.repeat(28) + '0101');
    expect(x0('pmaxsw xmm0, xmm1', '0'.repeat(28) + '8000', '0'.repeat(28) + '0001')).toBe('0'.repeat(28) + '0001');
    expect(x0('pmaxud xmm0, xmm1', '0'.repeat(24) + '80000000', '0'.repeat(24) + '7fffffff')).toBe('0'.repeat(24) + '80000000');
    expect(x0('pminsd xmm0, xmm1', '0'.repeat(24) + '80000000', '0'.repeat(24) + '7fffffff')).toBe('0'.repeat(24) + '80000000');
    expect(x0('pcmpgtb xmm0, xmm1', '0'.repeat(28) + '7f80', '0'.repeat(28) + '8000')).toBe('0'.repeat(28) + 'ff00');
    expect(x0('pcmpgtq xmm0, xmm1', '0000000000000001' + 'ffffffffffffffff', '0000000000000000' + '0000000000000000'))
      .toBe('ffffffffffffffff' + '0000000000000000');
  });

  it('SSSE3 horizontal adds, PSIGN, PABS (abs(-128) = 0x80), PMULHRSW, PMADDUBSW saturates', () => {
    expect(x0('phaddw xmm0, xmm1', '0'.repeat(24) + '00020001', '0'.repeat(24) + '7fff0001')).toBe('0'.repeat(12) + '8000' + '0'.repeat(12) + '0003');
    expect(x0('phaddsw xmm0, xmm1', '0'.repeat(32), '0'.repeat(24) + '7fff0001')).toBe('0'.repeat(12) + '7fff' + '0'.repeat(16));
    expect(x0('psignb xmm0, xmm1', '0'.repeat(26) + '050505', '0'.repeat(26) + 'ff0001')).toBe('0'.repeat(26) + 'fb0005');
    expect(x0('pabsb xmm0, xmm1', '0'.repeat(32), '0'.repeat(28) + '80ff')).toBe('0'.repeat(28) + '8001');
    expect(x0('pmulhrsw xmm0, xmm1', '0'.repeat(28) + '4000', '0'.repeat(28) + '4000')).toBe('0'.repeat(28) + '2000');
    expect(x0('pmaddubsw xmm0, xmm1', '0'.repeat(28) + 'ffff', '0'.repeat(28) + '7f7f')).toBe('0'.repeat(28) + '7fff');
  });

  it('SSE4.1: PMOVSXBW/PMOVZXBQ, PBLENDVB by XMM0 sign bits, PTEST sets ZF/CF, PHMINPOSUW, PEXTRB/PINSRD', () => {
    const m = simdMachine(`
      pmovsxbw xmm2, [bytes]
      pmovzxbq xmm3, [bytes]
      movdqa xmm0, [mask]
      movdqa xmm4, [ones]
      pblendvb xmm4, [twos]
      movdqa xmm5, [mask]
      ptest xmm5, [ones]
      pushfq
      pop r8
      phminposuw xmm6, [words]
      pextrb eax, xmm2, 1
      mov ecx, 0xdeadbeef
      pinsrd xmm7, ecx, 3
      hlt
      align 16
      bytes: db 0x80, 0x7f, 0xff, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
      mask: times 15 db 0
            db 0x80
      ones: times 16 db 1
      twos: times 16 db 2
      words: dw 9, 8, 3, 7, 3, 10, 11, 12`).runToHlt();
    expect(xmm(m, 2)).toBe('0000000000000000' + '0001ffff007fff80');
    expect(xmm(m, 3)).toBe('000000000000007f' + '0000000000000080');
    expect(xmm(m, 4)).toBe('02' + '01'.repeat(15));
    expect(Number(m.reg('r8')) & 0x41).toBe(0x40); // ZF: mask AND ones = 0; CF: (NOT mask) AND ones != 0
    expect(xmm(m, 6)).toBe('0'.repeat(24) + '00020003');
    expect(m.reg('rax')).toBe(0xffn);
    expect(xmm(m, 7).slice(0, 8)).toBe('deadbeef');
  });
});
