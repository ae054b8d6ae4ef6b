import { describe, expect, it } from 'vitest';
import { TestMachine } from '../../../tests/cpu/testMachine.ts';

describe('RDMSR/WRMSR', () => {
  it('round-trips architectural MSRs and #GPs on unknown MSRs and reserved bits', () => {
    const m = new TestMachine('long64').load(`
      mov ecx, 0xc0000102     ; KERNEL_GS_BASE
      mov eax, 0x11112222
      mov edx, 0xffffffff
      wrmsr
      xor eax, eax
      xor edx, edx
      rdmsr
      mov [0x5000], eax
      mov [0x5004], edx
      mov ecx, 0x10           ; TSC
      rdmsr
      mov [0x5008], eax
      mov ecx, 0x12345        ; unknown
      rdmsr
      hlt`).runToHlt();
    expect(m.mem.read32(0x5000)).toBe(0x11112222);
    expect(m.mem.read32(0x5004)).toBe(0xffffffff);
    expect(m.mem.read32(0x5008)).toBeGreaterThan(0);
    expect(m.exception).toBe(13);
  });

  it('#GP on a non-canonical LSTAR and on reserved EFER bits', () => {
    for (const src of ['mov ecx, 0xc0000082\nxor eax, eax\nmov edx, 0x00008000\nwrmsr', 'mov ecx, 0xc0000080\nrdmsr\nor eax, 1 << 3\nwrmsr']) {
      const m = new TestMachine('long64').load(`${src}\nhlt`).runToHlt();
      expect(m.exception, src).toBe(13);
    }
  });

  it('WRMSR/RDMSR at CPL 3 is #GP', () => {
    const m = new TestMachine('long64').load(`
      push 0x2b
      push 0x7000
      push 0x2
      push 0x33
      lea rax, [rel user]
      push rax
      iretq
    user:
      rdmsr
      hlt`);
    m.mem.write32(4, 0x8800); // RSP0 in the reset TR (base 0), for the ring-3 -> ring-0 #GP
    m.runToHlt();
    expect(m.exception).toBe(13);
  });
});
