/**
 * Privilege transitions: IRETQ to ring 3, interrupts back to ring 0 through
 * the TSS (RSP0 and IST), SYSCALL/SYSRET, SYSENTER/SYSEXIT, and the 32-bit
 * inter-privilege interrupt with the stack switch; I/O permission via IOPL
 * and the TSS I/O bitmap.
 */
import { describe, expect, it } from 'vitest';
import { CODE, TestMachine } from './testMachine.ts';
import { GPR, SEG_SEL, segOff } from '../../src/emu/cpu/state/layout.ts';

const TSS = 0x6000;

/** 64-bit TSS descriptor at GDT slot 7 (0x38), IDT vector 0x80 as a DPL-3 gate to a stub. */
function setup64(m: TestMachine): void {
  const mem = m.mem;
  mem.write32(0x3000 + 7 * 8, (TSS << 16) | 0x2068); // limit covers the I/O bitmap
  mem.write32(0x3000 + 7 * 8 + 4, 0x00008900 | ((TSS >>> 16) & 0xff));
  mem.write32(0x3000 + 8 * 8, 0); mem.write32(0x3000 + 8 * 8 + 4, 0);
  mem.write32(TSS + 4, 0x8800);      // RSP0
  mem.write32(TSS + 0x24, 0x8400);   // IST1
  mem.write16(TSS + 0x66, 0x68);     // I/O map base
  for (let k = 0; k < 0x2000; k++) mem.write8(TSS + 0x68 + k, 0xff);
  mem.write8(TSS + 0x68 + (0x80 >> 3), 0xfe); // port 0x80 allowed
}

describe('privilege transitions in IA-32e mode', () => {
  it('IRETQ to ring 3, INT 0x80 back to ring 0 on RSP0, exception on IST1', () => {
    const m = new TestMachine('long64');
    setup64(m);
    const s = m.cpu.s;
    s[layoutGdtLimit()] = 9 * 8 - 1;
    m.load(`
      mov ax, 0x38
      ltr ax
      ; IDT vector 0x80: DPL 3 interrupt gate to int80
      lea rax, [rel int80]
      mov word [0x1000 + 0x80*16], ax
      mov word [0x1000 + 0x80*16 + 2], 0x08
      mov word [0x1000 + 0x80*16 + 4], 0xee00
      shr rax, 16
      mov word [0x1000 + 0x80*16 + 6], ax
      mov dword [0x1000 + 0x80*16 + 8], 0
      ; vector 13 uses IST1
      mov byte [0x1000 + 13*16 + 4], 1
      lidt [idtr]
      ; iretq frame: SS=0x2b (data DPL3), RSP, RFLAGS, CS=0x33 (64-bit code DPL3), RIP
      push 0x2b
      push 0x7000
      push 0x202
      push 0x33
      lea rax, [rel user]
      push rax
      iretq
    user:
      mov dword [0x5000], 3
      mov ax, cs
      mov [0x5004], ax
      in al, 0x80            ; allowed by the bitmap
      int 0x80
    back:
      out 0x81, al           ; denied by the I/O bitmap: #GP(0), delivered on IST1
      hlt
    int80:
      mov [0x5008], rsp
      mov ax, cs
      mov [0x5010], ax
      mov ax, ss
      mov [0x5012], ax
      iretq
    idtr: dw 32*16*8 - 1
          dq 0x1000
    `);
    m.runToHlt();
    if (m.mem.read32(0x5008) === 0) throw new Error(`exception ${m.exception}\n${m.cpu.dumpRegisters()}`);
    expect(m.mem.read32(0x5000)).toBe(3);
    expect(m.mem.read16(0x5004)).toBe(0x33);
    expect(m.mem.read32(0x5008)).toBe(0x8800 - 5 * 8); // RSP0 minus the frame
    expect(m.mem.read16(0x5010)).toBe(0x08);
    expect(m.mem.read16(0x5012)).toBe(0); // SS = NULL selector with RPL 0
    expect(m.exception).toBe(13);
    expect(s[GPR + 8]).toBe(0x8400 - 6 * 8); // IST1 stack, frame with error code
    expect(m.mem.read32(0x8400 - 8)).toBe(0x2b); // old SS
    expect(s[segOff(1, SEG_SEL)]).toBe(0x08);
  });

  it('SYSCALL and SYSRET switch CS/SS from STAR and keep RCX/R11', () => {
    const m = new TestMachine('long64').load(`
      mov ecx, 0xc0000080
      rdmsr
      or eax, 1
      wrmsr
      mov ecx, 0xc0000081    ; STAR: SYSRET base 0x20 (CS=0x33, SS=0x2b), SYSCALL CS=0x08
      mov edx, 0x00200008
      xor eax, eax
      wrmsr
      mov ecx, 0xc0000082    ; LSTAR
      lea rax, [rel entry]
      mov rdx, rax
      shr rdx, 32
      wrmsr
      mov ecx, 0xc0000084    ; FMASK: clear IF
      mov eax, 0x200
      xor edx, edx
      wrmsr
      lea rcx, [rel user]
      mov r11, 0x202
      o64 sysret
    user:
      mov ax, cs
      mov [0x5000], ax
      syscall
    after:
      hlt
    entry:
      mov [0x5008], rcx
      mov [0x5010], r11
      mov ax, cs
      mov [0x5018], ax
      hlt
    `).runToHlt();
    expect(m.mem.read16(0x5000)).toBe(0x33);
    expect(m.mem.read16(0x5018)).toBe(0x08);
    expect(m.mem.read32(0x5010) & 0x200).toBe(0x200);
    expect(m.cpu.getFlags() & 0x200).toBe(0);
    expect(m.mem.read32(0x5008)).toBeGreaterThan(CODE);
  });
});

describe('privilege transitions in protected mode', () => {
  it('INT from ring 3 switches to the ring-0 stack from the 32-bit TSS', () => {
    const m = new TestMachine('prot32');
    const mem = m.mem;
    // TSS descriptor (32-bit available) in slot 7.
    mem.write32(0x3000 + 7 * 8, (TSS << 16) | 0x67);
    mem.write32(0x3000 + 7 * 8 + 4, 0x00008900);
    mem.write32(TSS + 4, 0x8800); mem.write32(TSS + 8, 0x10); // ESP0, SS0
    m.cpu.s[layoutGdtLimit()] = 8 * 8 - 1;
    m.load(`
      mov ax, 0x38
      ltr ax
      mov eax, int80
      mov word [0x1000 + 0x80*8], ax
      mov word [0x1000 + 0x80*8 + 2], 0x18
      mov word [0x1000 + 0x80*8 + 4], 0xee00
      shr eax, 16
      mov word [0x1000 + 0x80*8 + 6], ax
      mov word [0x1000 + 6], 0xffff   ; keep IDT limit covering 0x80
      lidt [idtr]
      mov ax, 0x2b          ; DPL-3 data, or IRET to ring 3 would null DS/ES
      mov ds, ax
      mov es, ax
      push 0x2b             ; SS (data DPL 3)
      push 0x7000
      push 0x002
      push 0x23             ; CS: 32-bit code DPL 3 (slot 4)
      push user
      iretd
    user:
      mov [0x5000], esp
      int 0x80
      hlt
    int80:
      mov [0x5004], esp
      mov eax, [esp + 12]   ; old ESP
      mov [0x5008], eax
      mov eax, [esp + 16]   ; old SS
      mov [0x500c], eax
      mov ax, ss
      mov [0x5010], ax
      hlt
    idtr: dw 0x80*8 + 7
          dd 0x1000
    `);
    m.mem.write32(0x3000 + 4 * 8, 0x0000ffff); m.mem.write32(0x3000 + 4 * 8 + 4, 0x00cffa00);
    m.mem.write32(0x3000 + 5 * 8, 0x0000ffff); m.mem.write32(0x3000 + 5 * 8 + 4, 0x00cff200);
    m.runToHlt();
    expect(m.mem.read32(0x5000)).toBe(0x7000);
    expect(m.mem.read32(0x5004)).toBe(0x8800 - 20);
    expect(m.mem.read32(0x5008)).toBe(0x7000);
    expect(m.mem.read32(0x500c)).toBe(0x2b);
    expect(m.mem.read16(0x5010)).toBe(0x10);
  });

  it('IN and OUT at CPL 0 reach the device on the I/O bus', () => {
    const m = new TestMachine('prot32');
    let got = -1;
    m.io.register(0x70, 2, { portRead: () => 0x42, portWrite: (_p, _s, v) => { got = v; } });
    m.load('in al, 0x70\nmov [0x5000], al\nmov al, 7\nout 0x71, al\nhlt').runToHlt();
    expect(m.mem.read8(0x5000)).toBe(0x42);
    expect(got).toBe(7);
  });
});

import { GDTR } from '../../src/emu/cpu/state/layout.ts';
function layoutGdtLimit(): number { return GDTR + 2; }

describe('SYSENTER/SYSEXIT and CPUID', () => {
  it('SYSENTER enters ring 0 from SYSENTER_CS/EIP/ESP and SYSEXIT returns to ring 3 at EDX/ECX', () => {
    const m = new TestMachine('prot32').load(`
      mov ecx, 0x174          ; SYSENTER_CS = 0x08 -> CS 0x08, SS 0x10; SYSEXIT -> CS 0x1b, SS 0x23
      mov eax, 0x08
      xor edx, edx
      wrmsr
      mov ecx, 0x175
      mov eax, 0x8800
      wrmsr
      mov ecx, 0x176
      mov eax, kernel
      wrmsr
      mov edx, user
      mov ecx, 0x7000
      sysexit
    user:
      mov [0x5000], esp
      mov ax, cs
      mov [0x5004], ax
      sysenter
    kernel:
      mov [0x5008], esp
      mov ax, cs
      mov [0x500c], ax
      mov ax, ss
      mov [0x500e], ax
      hlt`);
    // Flat 32-bit segments at the SYSENTER layout: 0x08 code0, 0x10 data0, 0x18 code3, 0x20 data3.
    const d = [[0x0000ffff, 0x00cf9a00], [0x0000ffff, 0x00cf9200], [0x0000ffff, 0x00cffa00], [0x0000ffff, 0x00cff200]];
    d.forEach(([lo, hi], k) => { m.mem.write32(0x3000 + (k + 1) * 8, lo); m.mem.write32(0x3000 + (k + 1) * 8 + 4, hi); });
    m.runToHlt();
    expect(m.mem.read32(0x5000)).toBe(0x7000);
    expect(m.mem.read16(0x5004)).toBe(0x1b);
    expect(m.mem.read32(0x5008)).toBe(0x8800);
    expect(m.mem.read16(0x500c)).toBe(0x08);
    expect(m.mem.read16(0x500e)).toBe(0x10);
  });

  it('CPUID returns the model signature and the vendor string', () => {
    const m = new TestMachine('long64').load('xor eax, eax\ncpuid\nmov [0x5000], ebx\nmov [0x5004], edx\nmov [0x5008], ecx\nmov eax, 1\ncpuid\nhlt').runToHlt();
    expect(String.fromCharCode(...Array.from({ length: 12 }, (_, k) => m.mem.read8(0x5000 + k)))).toBe('GenuineIntel');
    expect(Number(m.reg('rax'))).toBe(0x306a9);
  });
});
