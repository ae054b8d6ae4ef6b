/** SSE moves, MOVD/MOVQ, and the legacy SSE exception checks (SDM Vol. 2 2.5, Table 2-18/2-21). */
import { describe, expect, it } from 'vitest';
import { CR0, CR2 } from '../../../src/emu/cpu/state/layout.ts';
import { OSFXSR, simdMachine, xmm } from './simdMachine.ts';

const DATA = `
align 16
d16: dd 0x11111111, 0x22222222, 0x33333333, 0x44444444
     dd 0x55555555, 0x66666666, 0x77777777, 0x88888888`;

describe('SSE data movement', () => {
  it('MOVAPS/MOVUPS load and store 128 bits; MOVAPS on a misaligned address is #GP(0), MOVUPS is not', () => {
    const m = simdMachine(`
      movaps xmm0, [d16]
      movups xmm1, [d16 + 4]
      movups [0x5001], xmm0
      movdqu xmm2, [0x5001]
      hlt
      ${DATA}`).runToHlt();
    expect(xmm(m, 0)).toBe('44444444333333332222222211111111');
    expect(xmm(m, 1)).toBe('55555555444444443333333322222222');
    expect(xmm(m, 2)).toBe(xmm(m, 0));
    const f = simdMachine(`movaps xmm0, [d16 + 8]\nhlt\n${DATA}`);
    f.run(10);
    expect(f.exception).toBe(13);
  });

  it('MOVSS/MOVSD: memory loads zero the rest, register moves merge', () => {
    const m = simdMachine(`
      movaps xmm0, [d16]
      movaps xmm1, [d16 + 16]
      movss xmm0, xmm1
      movaps xmm2, [d16]
      movsd xmm2, [d16 + 16]
      movaps xmm3, [d16]
      movss xmm3, [d16 + 28]
      hlt
      ${DATA}`).runToHlt();
    expect(xmm(m, 0)).toBe('44444444333333332222222255555555');
    expect(xmm(m, 2)).toBe('00000000000000006666666655555555');
    expect(xmm(m, 3)).toBe('00000000000000000000000088888888');
  });

  it('MOVHLPS/MOVLHPS/MOVHPS/MOVLPD/MOVDDUP/MOVSHDUP/MOVQ', () => {
    const m = simdMachine(`
      movaps xmm0, [d16]
      movaps xmm1, [d16 + 16]
      movhlps xmm0, xmm1
      movaps xmm2, [d16]
      movlhps xmm2, xmm1
      movaps xmm3, [d16]
      movhps xmm3, [d16 + 16]
      movddup xmm4, [d16 + 8]
      movshdup xmm5, [d16]
      movq xmm6, [d16 + 4]
      hlt
      ${DATA}`).runToHlt();
    expect(xmm(m, 0)).toBe('44444444333333338888888877777777');
    expect(xmm(m, 2)).toBe('66666666555555552222222211111111');
    expect(xmm(m, 3)).toBe('66666666555555552222222211111111');
    expect(xmm(m, 4)).toBe('44444444333333334444444433333333');
    expect(xmm(m, 5)).toBe('44444444444444442222222222222222');
    expect(xmm(m, 6)).toBe('00000000000000003333333322222222');
  });

  it('MOVD/MOVQ with general registers zero-extend; PEXTRW/PINSRW/MOVMSKPS/PMOVMSKB', () => {
    const m = simdMachine(`
      mov rax, 0x8877665544332211
      movq xmm0, rax
      movd xmm1, eax
      movd ecx, xmm0
      mov rdx, -1
      movq rdx, xmm1
      pinsrw xmm1, eax, 7
      pextrw esi, xmm0, 3
      movaps xmm2, [signs]
      movmskps edi, xmm2
      pmovmskb r8d, xmm2
      hlt
      align 16
      signs: dd 0x80000000, 1, 0xffffffff, 0x7fffffff`).runToHlt();
    expect(xmm(m, 0)).toBe('00000000000000008877665544332211');
    expect(xmm(m, 1)).toBe('22110000000000000000000044332211');
    expect(m.reg('rcx')).toBe(0x44332211n);
    expect(m.reg('rdx')).toBe(0x44332211n);
    expect(m.reg('rsi')).toBe(0x8877n);
    expect(m.reg('rdi')).toBe(0b0101n);
    expect(m.reg('r8')).toBe(0b0111_1111_0000_1000n);
  });

  it('CR0.EM=1 or CR4.OSFXSR=0 makes SSE instructions #UD; CR0.TS=1 makes them #NM', () => {
    const em = simdMachine('addps xmm0, xmm1\nhlt');
    em.cpu.s[CR0] |= 1 << 2;
    em.run(10);
    expect(em.exception).toBe(6);
    const nofx = simdMachine('movaps xmm0, xmm1\nhlt', { cr4Clear: OSFXSR });
    nofx.run(10);
    expect(nofx.exception).toBe(6);
    const ts = simdMachine('pxor xmm0, xmm0\nhlt');
    ts.cpu.s[CR0] |= 1 << 3;
    ts.run(10);
    expect(ts.exception).toBe(7);
  });

  it('MASKMOVDQU stores only the bytes whose mask byte has bit 7 set, at DS:RDI', () => {
    const m = simdMachine(`
      mov dword [0x5000], 0xaaaaaaaa
      mov dword [0x5004], 0xaaaaaaaa
      mov rdi, 0x5000
      movaps xmm0, [d16]
      movaps xmm1, [mask]
      maskmovdqu xmm0, xmm1
      hlt
      align 16
      mask: db 0x80, 0, 0xff, 0x7f, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0
      ${DATA}`).runToHlt();
    expect(m.mem.read32(0x5000)).toBe(0xaa11aa11);
    expect(m.mem.read32(0x5004)).toBe(0x22aaaaaa);
  });
});

describe('alignment and faults of 16-byte memory operands', () => {
  const fault = (src: string): number => { const m = simdMachine(`${src}\nhlt\n${DATA}`); m.run(20); return m.exception; };
  it('legacy SSE arithmetic with m128 needs 16-byte alignment; scalar, unaligned-load and string forms do not', () => {
    expect(fault('addps xmm0, [d16 + 4]')).toBe(13);
    expect(fault('pshufb xmm0, [d16 + 4]')).toBe(13);
    expect(fault('movdqa [d16 + 8], xmm0')).toBe(13);
    expect(fault('movntps [d16 + 8], xmm0')).toBe(13);
    expect(fault('addss xmm0, [d16 + 4]')).toBe(-1);
    expect(fault('lddqu xmm0, [d16 + 4]')).toBe(-1);
    expect(fault('pcmpistri xmm0, [d16 + 4], 0')).toBe(-1);
    expect(fault('pmovzxbw xmm0, [d16 + 3]')).toBe(-1);
  });

  it('a 16-byte store crossing into a not-present page is #PF with CR2 there, and writes nothing', () => {
    // The test machine maps the first 4 MiB.
    const m = simdMachine(`
      mov rax, 0x1111111111111111
      mov [0x3ffff8], rax
      movaps xmm0, [d16]
      movups [0x3ffff8], xmm0
      hlt
      ${DATA}`);
    m.run(50);
    expect(m.exception).toBe(14);
    expect(m.mem.read32(0x3ffff8)).toBe(0x11111111);
    expect(m.cpu.s[CR2]).toBe(0x400000);
  });
});
