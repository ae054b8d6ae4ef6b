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
    expect(cpuidOut[0]).toBe(0x15);
  });
  it('leaf 15H: a 1 GHz crystal with TSC ratio 1:1, the virtual clock the TSC and APIC timer count', () => {
    t.query(0x15, 0);
    expect([cpuidOut[0], cpuidOut[1], cpuidOut[2]]).toEqual([1, 1, 1_000_000_000]);
    t.query(0xe, 0); // unused leaves below the maximum are all zero
    expect([...cpuidOut]).toEqual([0, 0, 0, 0]);
  });
  it('advertises what is implemented: x87, FXSR, XSAVE, MMX, SSE-SSE4.2; no PCLMULQDQ, AES or AVX', () => {
    t.query(1, 0);
    expect(cpuidOut[0]).toBe(0x000306a9);
    const edx = cpuidOut[3], ecx = cpuidOut[2];
    expect(edx & (1 << 0)).not.toBe(0); // FPU
    expect(edx & (1 << 24)).not.toBe(0); // FXSR
    expect(ecx & (1 << 26)).not.toBe(0); // XSAVE
    expect(ecx & (1 << 27)).toBe(0);     // OSXSAVE: only with CR4.OSXSAVE
    expect(edx & (1 << 23)).not.toBe(0); // MMX
    expect(edx & (1 << 25)).not.toBe(0); // SSE
    expect(edx & (1 << 26)).not.toBe(0); // SSE2
    for (const b of [0, 9, 19, 20, 23]) expect(ecx & (1 << b), `ECX bit ${b}`).not.toBe(0); // SSE3 SSSE3 SSE4.1 SSE4.2 POPCNT
    for (const b of [1, 25, 28]) expect(ecx & (1 << b), `ECX bit ${b}`).toBe(0); // PCLMULQDQ AES AVX
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
  it('every MMX/SSE-SSE4.2 row of the opcode maps has a handler', () => {
    const simd = /^(P[A-Z0-9]+|MOV[A-Z0-9]*|CVTT?[A-Z0-9]+|(ADD|SUB|MUL|DIV|SQRT|MIN|MAX|AND|ANDN|OR|XOR|CMP|RCP|RSQRT|SHUF|UNPCKL|UNPCKH|HADD|HSUB|ADDSUB|ROUND|BLEND|BLENDV|DP)(PS|PD|SS|SD)|U?COMIS[SD]|EMMS|LDDQU|MASKMOV[A-Z]*|INSERTPS|EXTRACTPS|MPSADBW|CRC32)_?/;
    const missing = unimplementedRows().filter((n) => simd.test(n) && !/^PCLMULQDQ|^PREFETCH/.test(n));
    expect(missing).toEqual([]);
    for (const name of ['ADDPS_VxWx', 'PCMPISTRI_VxWxIb', 'CRC32_GdEv', 'PSHUFB_VxWx', 'PTEST_VxWx', 'EMMS', 'MOVQ_PqQq']) {
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
