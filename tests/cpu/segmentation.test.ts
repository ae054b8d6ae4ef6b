/** Segmentation in protected mode: limits, expand-down, call gates with parameter copy, RETF to an outer level, LAR/LSL/VERR/VERW, LTR. */
import { describe, expect, it } from 'vitest';
import { TestMachine } from './testMachine.ts';
import { GDTR, GPR } from '../../src/emu/cpu/state/layout.ts';

/** Writes GDT slot `k` (the test GDT lives at 0x3000) and extends GDTR. */
function desc(m: TestMachine, k: number, lo: number, hi: number): void {
  m.mem.write32(0x3000 + k * 8, lo);
  m.mem.write32(0x3000 + k * 8 + 4, hi);
  const s = m.cpu.s;
  s[GDTR + 2] = Math.max(s[GDTR + 2], k * 8 + 7);
}

describe('segment limits', () => {
  it('#GP(0) past a data segment limit, #SS(0) past the stack limit, expand-down', () => {
    let m = new TestMachine('prot32');
    desc(m, 7, 0x00000fff, 0x00409200); // data, base 0, limit 0xfff, byte granular
    m.load('mov ax, 0x38\nmov ds, ax\nmov eax, [0xffc]\nmov eax, [0xffd]\nhlt').runToHlt();
    expect(m.exception).toBe(13);
    m = new TestMachine('prot32');
    desc(m, 7, 0x00000fff, 0x00409200);
    m.load('mov ax, 0x38\nmov ss, ax\nmov esp, 0x1002\npush eax\nhlt').runToHlt();
    expect(m.exception).toBe(12);
    // Expand-down, B=1: valid offsets are limit+1 .. 0xffffffff.
    m = new TestMachine('prot32');
    desc(m, 7, 0x00000fff, 0x00409600);
    m.load('mov ax, 0x38\nmov es, ax\nmov dword [es:0x1000], 1\nmov [0x5000], eax\nmov dword [es:0xff0], 1\nhlt').runToHlt();
    expect(m.exception).toBe(13);
  });

  it('a write to a read-only data segment is #GP(0)', () => {
    const m = new TestMachine('prot32');
    desc(m, 7, 0x0000ffff, 0x00cf9000);
    m.load('mov ax, 0x38\nmov es, ax\nmov eax, [es:0x5000]\nmov [es:0x5000], eax\nhlt').runToHlt();
    expect(m.exception).toBe(13);
  });
});

describe('call gates', () => {
  it('CALL FAR through a call gate from ring 3 to ring 0 copies parameters; RETF n returns to ring 3', () => {
    const m = new TestMachine('prot32');
    const TSS = 0x6000;
    desc(m, 4, 0x0000ffff, 0x00cffa00); // 0x20: code DPL 3 (32-bit)
    desc(m, 5, 0x0000ffff, 0x00cff200); // 0x28: data DPL 3
    desc(m, 7, (TSS << 16) | 0x67, 0x00008900); // 0x38: TSS
    m.mem.write32(TSS + 4, 0x8800); m.mem.write32(TSS + 8, 0x10);
    m.load(`
      mov ax, 0x38
      ltr ax
      ; call gate at slot 8 (0x40): DPL 3, 32-bit, 2 parameters, target 0x18:gate_target
      mov eax, gate_target
      mov word [0x3000 + 8*8], ax
      mov word [0x3000 + 8*8 + 2], 0x18
      mov word [0x3000 + 8*8 + 4], 0xec02
      shr eax, 16
      mov word [0x3000 + 8*8 + 6], ax
      mov word [gdtr], 9*8 - 1
      mov dword [gdtr + 2], 0x3000
      lgdt [gdtr]
      mov ax, 0x2b
      mov ds, ax
      mov es, ax
      push 0x2b
      push 0x7000
      push 0x2
      push 0x23
      push user
      iretd
    user:
      push 0x1111
      push 0x2222
      call 0x43:0
      mov [0x5010], esp
      mov ax, cs
      mov [0x5014], ax
      hlt
    gate_target:
      mov eax, [esp + 8]      ; parameter 1 (pushed last: 0x2222)
      mov [0x5000], eax
      mov eax, [esp + 12]     ; parameter 0 (0x1111)
      mov [0x5004], eax
      mov [0x5008], esp
      mov ax, cs
      mov [0x500c], ax
      retf 8
    gdtr: dw 0
          dd 0
    `);
    // Ring-3 user code must not be stopped by the final HLT: it is privileged, so expect #GP there.
    m.runToHlt();
    expect(m.mem.read32(0x5000)).toBe(0x2222);
    expect(m.mem.read32(0x5004)).toBe(0x1111);
    expect(m.mem.read32(0x5008)).toBe(0x8800 - 4 * 4 - 2 * 4); // SS, ESP, 2 params, CS, EIP
    expect(m.mem.read16(0x500c)).toBe(0x18);
    expect(m.mem.read32(0x5010)).toBe(0x7000);
    expect(m.mem.read16(0x5014)).toBe(0x23);
    expect(m.exception).toBe(13); // HLT at CPL 3
  });
});

describe('descriptor probes and task register', () => {
  it('LAR/LSL/VERR/VERW set ZF and return rights and limit', () => {
    const m = new TestMachine('prot32').load(`
      mov ax, 0x10
      lar ebx, ax
      setz [0x5000]
      lsl ecx, ax
      mov ax, 0x18
      verw ax
      setz [0x5001]
      verr ax
      setz [0x5002]
      mov ax, 0x400
      lar ebx, ax
      setz [0x5003]
      hlt`).runToHlt();
    expect(m.mem.read8(0x5000)).toBe(1);
    expect(Number(m.reg('rbx') & 0x00f0ff00n)).toBe(0x00c09200); // bits 19:16 are undefined; LAR does not set the accessed bit
    expect(Number(m.reg('rcx') & 0xffffffffn)).toBe(0xffffffff);
    expect(m.mem.read8(0x5001)).toBe(0); // code segments are not writable
    expect(m.mem.read8(0x5002)).toBe(1); // readable code
    expect(m.mem.read8(0x5003)).toBe(0); // beyond the GDT limit
  });

  it('LTR marks the TSS busy; loading a busy TSS is #GP(selector)', () => {
    const m = new TestMachine('prot32');
    desc(m, 7, (0x6000 << 16) | 0x67, 0x00008900);
    m.load('mov ax, 0x38\nltr ax\nstr bx\nltr ax\nhlt').runToHlt();
    expect(m.mem.read32(0x3000 + 7 * 8 + 4) & 0xf00).toBe(0xb00);
    expect(Number(m.reg('rbx') & 0xffffn)).toBe(0x38);
    expect(m.exception).toBe(13);
    expect(m.mem.read32(m.cpu.s[GPR + 8])).toBe(0x38);
  });
});

describe('16-bit operand size in 32-bit code', () => {
  it('66-prefixed PUSH/POP use 16-bit stack slots; a 16-bit near CALL truncates EIP to 16 bits', () => {
    const m = new TestMachine('prot32').load(`
      mov esp, 0x8000
      push word 0x1234
      mov [0x5000], esp
      pop ax
      mov [0x5004], esp
      o16 call 0x2040          ; IP = (EIP + rel16) AND 0FFFFH = 0x2040: the vector-4 stub (the code is above 64 KiB)
      hlt`);
    m.runToHlt();
    expect(m.mem.read32(0x5000)).toBe(0x7ffe);
    expect(m.mem.read32(0x5004)).toBe(0x8000);
    expect(m.exception).toBe(4); // the 16-bit call landed at 0x2040
    expect(m.mem.read16(0x7ffe)).toBe(27); // 16-bit return address: offset of the HLT, truncated

  });
});
