import { describe, expect, it } from 'vitest';
import { EXIT_REASON as R } from '../cpu/vmx/exitReasons.ts';
import { decodeExitQualification, decodeIntrInfo, formatExit, type ExitInfo } from './exitQual.ts';

const info = (reason: number, qualLo: number, extra: Partial<ExitInfo> = {}): ExitInfo =>
  ({ reason, qualLo, qualHi: 0, intrInfo: 0, intrError: 0, gla: 0n, gpa: 0n, ...extra });
const words = (i: ExitInfo): Record<string, string> =>
  Object.fromEntries(decodeExitQualification(i).map((w) => [w.k, w.v]));

describe('exit qualification decoder (SDM 28.2.1)', () => {
  it('I/O: OUT imm8 of one byte to port 80h (Table 28-5)', () => {
    // port in 31:16, size-1 in 2:0, bit 6 = immediate operand
    expect(words(info(R.IO_INSTRUCTION, 0x00800040))).toEqual({ port: '0x80', size: '1 byte', direction: 'OUT', operand: 'immediate' });
  });
  it('I/O: REP INSD through DX (string, rep, 4 bytes, IN)', () => {
    expect(words(info(R.IO_INSTRUCTION, (0x3f8 << 16) | 0x3b))).toEqual(
      { port: '0x3f8', size: '4 bytes', direction: 'IN', string: 'yes', REP: 'yes', operand: 'DX' });
  });
  it('CR access: MOV CR3 <- RBX, MOV RSI <- CR8, CLTS, LMSW from memory (Table 28-3)', () => {
    expect(words(info(R.CR_ACCESS, 0x303))).toEqual({ CR: 'CR3', access: 'MOV to CR', GPR: 'RBX' });
    expect(words(info(R.CR_ACCESS, 0x618))).toEqual({ CR: 'CR8', access: 'MOV from CR', GPR: 'RSI' });
    expect(words(info(R.CR_ACCESS, 0x20))).toEqual({ CR: 'CR0', access: 'CLTS' });
    expect(words(info(R.CR_ACCESS, (0x000b << 16) | 0x70))).toEqual(
      { CR: 'CR0', access: 'LMSW', 'LMSW operand': 'memory', 'LMSW source data': '0xb' });
  });
  it('MOV DR: MOV R12 <- DR7 (Table 28-4)', () => {
    expect(words(info(R.DR_ACCESS, 0xc17))).toEqual({ DR: 'DR7', direction: 'MOV from DR', GPR: 'R12' });
  });
  it('EPT violation: write to a read-only page with a valid guest-linear address (Table 28-7)', () => {
    const w = words(info(R.EPT_VIOLATION, 0x1aa, { gpa: 0x600000n, gla: 0x600000n }));
    expect(w).toEqual({
      access: 'write', 'EPT permissions': 'R-X', 'guest-physical': '0x600000', 'GLA valid': 'yes',
      'guest-linear': '0x600000', translation: 'final guest-physical address',
    });
    expect(words(info(R.EPT_VIOLATION, 0x81, { gpa: 0x1000n }))).toMatchObject(
      { access: 'read', 'EPT permissions': '---', translation: 'guest paging-structure entry' });
    expect(words(info(R.EPT_VIOLATION, 0x04))['GLA valid']).toBe('no');
  });
  it('exceptions: #PF with error code and faulting address; #UD; external interrupt (25.9.2)', () => {
    const pf = info(R.EXCEPTION_NMI, 0xdead000, { qualHi: 0xffff8000, intrInfo: 0x80000b0e, intrError: 2 });
    expect(words(pf)).toEqual({
      vector: '14 #PF', type: 'hardware exception', 'error code': '0x2', 'faulting linear address': '0xffff80000dead000',
    });
    expect(words(info(R.EXCEPTION_NMI, 0, { intrInfo: 0x80000306 }))).toEqual({ vector: '6 #UD', type: 'hardware exception' });
    expect(words(info(R.EXCEPTION_NMI, 0x4001, { intrInfo: 0x80000301 }))['debug conditions']).toBe('B0 BS');
    expect(decodeIntrInfo(0x80000020, 0)).toEqual([{ k: 'vector', v: '32' }, { k: 'type', v: 'external interrupt' }]);
    expect(decodeIntrInfo(0x20, 0)).toEqual([{ k: 'valid', v: 'no' }]);
  });
  it('INVLPG address, task switch source, entry failures', () => {
    expect(words(info(R.INVLPG, 0x1000, { qualHi: 1 }))).toEqual({ 'linear address': '0x100001000' });
    expect(words(info(R.TASK_SWITCH, (3 << 30) | 0x28))).toEqual({ 'TSS selector': '0x28', source: 'task gate in IDT' });
    expect(words(info((R.INVALID_GUEST_STATE | 0x80000000) >>> 0, 4))).toEqual({ failure: 'VMCS link pointer' });
    expect(words(info(R.CPUID, 0))).toEqual({});
  });
  it('formats one line', () => {
    expect(formatExit(info(R.IO_INSTRUCTION, 0x00710008))).toBe('IO_INSTRUCTION port=0x71 size=1 byte direction=IN operand=DX');
    expect(formatExit(info((R.INVALID_GUEST_STATE | 0x80000000) >>> 0, 0))).toBe('VM-entry failure: INVALID_GUEST_STATE failure=guest-state check');
  });
});
