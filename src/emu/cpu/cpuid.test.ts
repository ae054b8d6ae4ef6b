import { describe, expect, it } from 'vitest';
import { CpuidTable, cpuidOut } from './cpuid.ts';
import { VMXLAB_CORE } from './models/cpuModel.ts';
import { HANDLERS, orphanHandlers, unimplementedRows } from './exec/handlers.ts';

describe('CPUID', () => {
  const t = new CpuidTable(VMXLAB_CORE);
  it('leaf 0 reports the vendor and the highest basic leaf', () => {
    t.query(0, 0);
    const vendor = [cpuidOut[1], cpuidOut[3], cpuidOut[2]].map((v) => String.fromCharCode(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24)).join('');
    expect(vendor).toBe('GenuineIntel');
    expect(cpuidOut[0]).toBe(0xd);
  });
  it('advertises what is implemented and nothing of the SSE it lacks', () => {
    t.query(1, 0);
    expect(cpuidOut[0]).toBe(0x000306a9);
    const edx = cpuidOut[3], ecx = cpuidOut[2];
    expect(edx & (1 << 0)).not.toBe(0); // FPU
    expect(edx & (1 << 24)).not.toBe(0); // FXSR
    expect(ecx & (1 << 26)).not.toBe(0); // XSAVE
    expect(ecx & (1 << 27)).toBe(0);     // OSXSAVE: only with CR4.OSXSAVE
    expect(edx & (1 << 25)).toBe(0);  // SSE
    expect(edx & (1 << 26)).toBe(0);  // SSE2
    expect(edx & (1 << 8)).not.toBe(0); // CX8
    expect(ecx & (1 << 13)).not.toBe(0); // CX16
    expect(ecx & (1 << 5)).not.toBe(0); // VMX (src/emu/cpu/vmx)
    t.query(0x80000001, 0);
    expect(cpuidOut[3] & (1 << 29)).not.toBe(0); // LM
    expect(cpuidOut[3] & (1 << 20)).not.toBe(0); // NX
    t.query(0x80000008, 0);
    expect(cpuidOut[0] & 0xffff).toBe(0x3027);
  });
  it('every advertised instruction has a handler', () => {
    for (const name of ['POPCNT_GvEv', 'LZCNT_GvEv', 'TZCNT_GvEv', 'MOVBE_GvMv', 'CMPXCHG8B_Mq', 'RDTSCP', 'SYSCALL', 'SYSENTER',
      'RDFSBASE_Ry', 'INVPCID_GyMdq', 'CLAC', 'STAC', 'CLFLUSH_Mb', 'CMOVZ_GvEv', 'LAHF',
      'FXSAVE_M', 'FXRSTOR_M', 'XSAVE_M', 'XSAVEOPT_M', 'XRSTOR_M', 'XGETBV', 'XSETBV']) {
      expect(HANDLERS[name], name).toBeTypeOf('function');
    }
  });
});

describe('opcode table consistency', () => {
  it('every handler is referenced by an opcode row', () => {
    expect(orphanHandlers()).toEqual([]);
  });
  it('unimplemented rows are SSE/x87/VMX and other features the model does not advertise', () => {
    const unimpl = unimplementedRows();
    for (const n of unimpl) expect(n, n).not.toMatch(/^(ADD|SUB|MOV|PUSH|POP|JMP|CALL|RET|CMP|TEST|LEA|INC|DEC)_/);
  });
  it('every x87 escape row (D8-DF) has a handler', () => {
    expect(unimplementedRows().filter((n) => /^F/.test(n))).toEqual([]);
  });
});
