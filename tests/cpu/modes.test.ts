/**
 * Mode transitions the way a boot loader does them: real mode -> protected
 * mode -> IA-32e mode with 4-level paging (through the MMU), then back out
 * through compatibility mode to non-paged protected mode and real mode.
 */
import { describe, expect, it } from 'vitest';
import { TestMachine, assemble } from './testMachine.ts';
import { RunExit } from '../../src/emu/cpu/cpu.ts';
import { CR0, EFER, SEG_SEL, segOff } from '../../src/emu/cpu/state/layout.ts';

const BOOT = `
bits 16
start:
  cli
  mov ax, 0x1000
  mov ds, ax
  lgdt [gdtr - 0x10000]
  mov eax, cr0
  or eax, 1
  mov cr0, eax
  jmp dword 0x18:pm32
bits 32
pm32:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, 0x9000
  mov dword [0x5020], 0x32
  ; identity-map 0-4 MiB with 2 MiB pages at 0x200000
  mov edi, 0x200000
  xor eax, eax
  mov ecx, 3*1024
  rep stosd
  mov dword [0x200000], 0x201003
  mov dword [0x201000], 0x202003
  mov dword [0x202000], 0x000083
  mov dword [0x202008], 0x200083
  mov eax, 0x200000
  mov cr3, eax
  mov eax, cr4
  or eax, 1 << 5
  mov cr4, eax
  mov ecx, 0xc0000080
  rdmsr
  or eax, 1 << 8
  wrmsr
  mov eax, cr0
  or eax, 1 << 31
  mov cr0, eax
  jmp 0x08:lm64
bits 64
lm64:
  mov rax, 0x123456789abcdef0
  mov [0x5000], rax
  mov ecx, 0xc0000080
  rdmsr
  mov [0x5008], eax
  lea rbx, [rel lm64]
  mov [0x5010], rbx
  ; back to compatibility mode through a far return
  push 0x18
  lea rax, [rel compat]
  push rax
  retfq
bits 32
compat:
  mov dword [0x5018], 0xc0
  mov eax, cr0
  and eax, 0x7fffffff
  mov cr0, eax
  mov ecx, 0xc0000080
  rdmsr
  and eax, ~(1 << 8)
  wrmsr
  mov dword [0x501c], 0x9e
  ; to real mode: 16-bit code segment, clear PE, far jump
  jmp 0x38:pm16 - 0x10000
bits 16
pm16:
  mov ax, 0x40
  mov ds, ax
  mov eax, cr0
  and eax, ~1
  mov cr0, eax
  jmp 0x1000:real - 0x10000
real:
  mov ax, 0
  mov ds, ax
  mov word [0x5024], 0x16
  hlt
align 8
gdtr: dw gdt_end - gdt - 1
      dd gdt
gdt: dq 0, 0x00af9a000000ffff, 0x00cf92000000ffff, 0x00cf9a000000ffff
     dq 0, 0, 0
     dq 0x00009a010000ffff ; 0x38: 16-bit code, base 0x10000
     dq 0x000092000000ffff ; 0x40: 16-bit data
gdt_end:
`;

describe('mode transitions', () => {
  it('real -> protected -> long mode with paging -> compatibility -> protected -> real', () => {
    const m = new TestMachine('real');
    m.mem.load(0x10000, assemble(BOOT, 16, 0x10000));
    const exit = m.run(100_000);
    expect(exit, m.cpu.lastExitMessage + '\n' + m.cpu.dumpRegisters()).toBe(RunExit.Halted);
    expect(m.mem.read32(0x5000)).toBe(0x9abcdef0);
    expect(m.mem.read32(0x5004)).toBe(0x12345678);
    expect(m.mem.read32(0x5008) & 0x500).toBe(0x500); // EFER.LME and LMA while in 64-bit mode
    expect(m.mem.read32(0x5010)).toBeGreaterThan(0x10000); // RIP-relative LEA
    expect(m.mem.read32(0x5018)).toBe(0xc0);
    expect(m.mem.read32(0x501c)).toBe(0x9e);
    expect(m.mem.read16(0x5024)).toBe(0x16);
    const s = m.cpu.s;
    expect(s[CR0] & 0x80000001).toBe(0);
    expect(s[EFER] & 0x500).toBe(0);
    expect(s[segOff(1, SEG_SEL)]).toBe(0x1000);
    expect(m.cpu.long64).toBe(false);
    expect(m.cpu.protectedMode).toBe(false);
  });

  it('refuses to enable paging in IA-32e mode without CR4.PAE (#GP)', () => {
    const m = new TestMachine('prot32').load(`
      mov ecx, 0xc0000080
      rdmsr
      or eax, 1 << 8
      wrmsr
      mov eax, cr0
      or eax, 1 << 31
      mov cr0, eax
      hlt`);
    m.runToHlt();
    expect(m.exception).toBe(13);
    expect(m.cpu.s[CR0] >>> 31).toBe(0);
  });
});

