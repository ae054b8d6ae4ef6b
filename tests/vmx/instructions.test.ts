// VMX instruction checks in the SDM's order (Vol. 3C chapter 31): #UD before
// #GP, fixed CR0/CR4 bits, IA32_FEATURE_CONTROL, VMfailInvalid vs VMfailValid.
import { describe, expect, it } from 'vitest';
import { TestMachine } from '../cpu/testMachine.ts';
import { CR0, CR4, FEATURE_CONTROL } from '../../src/emu/cpu/state/layout.ts';
import { VMCS_REVISION } from '../../src/emu/cpu/vmx/capabilities.ts';

const VMXON_PA = 0x20000, VMCS_PA = 0x21000, PTRS = 0x22000;

/** A 64-bit machine ready for VMXON: CR0.NE, CR4.VMXE, IA32_FEATURE_CONTROL locked+enabled (each optional). */
function machine(opts: { vmxe?: boolean; ne?: boolean; lockFc?: boolean } = {}): TestMachine {
  const m = new TestMachine('long64');
  const s = m.cpu.s;
  if (opts.ne !== false) s[CR0] |= 1 << 5;
  if (opts.vmxe !== false) s[CR4] |= 1 << 13;
  if (opts.lockFc !== false) s[FEATURE_CONTROL] = 5;
  m.cpu.syncMmu();
  m.mem.write32(VMXON_PA, VMCS_REVISION);
  m.mem.write32(VMCS_PA, VMCS_REVISION);
  m.mem.write32(PTRS, VMXON_PA); m.mem.write32(PTRS + 8, VMCS_PA);
  m.mem.write32(PTRS + 16, VMCS_PA + 8); m.mem.write32(PTRS + 24, 0); // unaligned
  m.mem.write32(PTRS + 32, 0); m.mem.write32(PTRS + 36, 0x100); // beyond the 39-bit physical-address width
  return m;
}
const ON = `vmxon [${PTRS}]\n`;
const CF = 1, ZF = 0x40;
const arith = (m: TestMachine): number => m.flags & 0x8d5;

describe('VMX instruction checks', () => {
  it('VMXON: #UD with CR4.VMXE=0; #GP with IA32_FEATURE_CONTROL unlocked or CR0.NE=0', () => {
    expect(machine({ vmxe: false }).load(`${ON}hlt`).runToHlt().exception).toBe(6);
    expect(machine({ lockFc: false }).load(`${ON}hlt`).runToHlt().exception).toBe(13);
    expect(machine({ ne: false }).load(`${ON}hlt`).runToHlt().exception).toBe(13);
    const m = machine().load(`${ON}hlt`).runToHlt();
    expect(m.exception).toBe(-1);
    expect(arith(m)).toBe(0);
  });
  it('outside VMX operation VMREAD, VMCALL, VMLAUNCH, INVEPT and INVVPID are #UD', () => {
    for (const insn of ['vmread rax, rbx', 'vmcall', 'vmlaunch', `invept rax, [${PTRS}]`, `invvpid rax, [${PTRS}]`, 'vmxoff']) {
      expect(machine().load(`${insn}\nhlt`).runToHlt().exception, insn).toBe(6);
    }
  });
  it('in VMX operation CR4.VMXE and CR0.NE cannot be cleared (#GP)', () => {
    expect(machine().load(`${ON}mov rax, cr4\nbtr rax, 13\nmov cr4, rax\nhlt`).runToHlt().exception).toBe(13);
    expect(machine().load(`${ON}mov rax, cr0\nbtr rax, 5\nmov cr0, rax\nhlt`).runToHlt().exception).toBe(13);
  });
  it('VMCALL in VMX root without a current VMCS is VMfailInvalid; with one, VMfailValid(1)', () => {
    expect(arith(machine().load(`${ON}vmcall\nhlt`).runToHlt())).toBe(CF);
    const m = machine().load(`${ON}vmptrld [${PTRS + 8}]\nvmcall\nmov ebx, 0x4400\nvmread rax, rbx\nhlt`).runToHlt();
    expect(m.reg('rax')).toBe(1n);
  });
  it('VMCLEAR and VMPTRLD of an unaligned or too-wide address fail with errors 2 and 9', () => {
    const m = machine().load(`${ON}vmptrld [${PTRS + 8}]\nvmclear [${PTRS + 16}]\nmov ebx, 0x4400\nvmread rcx, rbx
      vmptrld [${PTRS + 32}]\nvmread rdx, rbx\nhlt`).runToHlt();
    expect(m.reg('rcx')).toBe(2n);
    expect(m.reg('rdx')).toBe(9n);
  });
  it('VMPTRLD of a region with another revision fails with error 11; the current VMCS stays', () => {
    const m = machine();
    m.mem.write32(0x24000, 0x1234);
    m.mem.write32(PTRS + 40, 0x24000);
    m.load(`${ON}vmptrld [${PTRS + 8}]\nvmptrld [${PTRS + 40}]\nmov ebx, 0x4400\nvmread rcx, rbx\nvmptrst [${PTRS + 48}]\nhlt`).runToHlt();
    expect(m.reg('rcx')).toBe(11n);
    expect(m.mem.read32(PTRS + 48)).toBe(VMCS_PA);
  });
  it('VMWRITE truncates to the field width; VMREAD zero-extends; 64-bit fields have a high access type', () => {
    const m = machine().load(`${ON}vmptrld [${PTRS + 8}]
      mov rbx, 0x0802            ; GUEST_CS_SELECTOR (16-bit)
      mov rax, 0x123456789
      vmwrite rbx, rax
      vmread rcx, rbx
      mov rbx, 0x2800            ; VMCS link pointer (64-bit)
      mov rax, 0x1122334455667788
      vmwrite rbx, rax
      mov rbx, 0x2801            ; its high 32 bits
      vmread rdx, rbx
      mov rbx, 0x4002            ; primary controls (32-bit)
      mov rax, -1
      vmwrite rbx, rax
      vmread rsi, rbx
      hlt`).runToHlt();
    expect(m.reg('rcx')).toBe(0x6789n);
    expect(m.reg('rdx')).toBe(0x11223344n);
    expect(m.reg('rsi')).toBe(0xffffffffn);
  });
  it('the VMCS region in memory has the revision, and VMCLEAR writes back launch state and fields', () => {
    const m = machine().load(`${ON}vmptrld [${PTRS + 8}]\nmov rbx, 0x681e\nmov rax, 0xabcdef\nvmwrite rbx, rax\nvmclear [${PTRS + 8}]\nhlt`).runToHlt();
    expect(m.mem.read32(VMCS_PA)).toBe(VMCS_REVISION);
    expect(m.mem.read32(VMCS_PA + 8)).toBe(0);
    // The field is somewhere in the region after VMCLEAR (vmcs.ts layout: 16 + 8 * slot).
    let found = false;
    for (let off = 16; off < 4096; off += 8) if (m.mem.read32(VMCS_PA + off) === 0xabcdef) found = true;
    expect(found).toBe(true);
  });
});
