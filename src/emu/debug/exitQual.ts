/**
 * Exit qualifications and interruption information decoded into words
 * (SDM Vol. 3C 28.2.1, Tables 28-1 .. 28-7; 25.9.2 for interruption info).
 * Pure functions of the numbers a VM exit stores; the exit log and the VMCS
 * view both use them.
 */
import { ENTRY_FAIL_QUAL, EXIT_REASON, exitReasonName } from '../cpu/vmx/exitReasons.ts';

/** One decoded item: a label and its value as text. */
export interface QualWord { readonly k: string; readonly v: string }

/** What a decoder may need besides the qualification (all from exit-information fields). */
export interface ExitInfo {
  reason: number;
  qualLo: number;
  qualHi: number;
  intrInfo: number;
  intrError: number;
  gla: bigint;
  gpa: bigint;
}

const R = EXIT_REASON;
const GPR_NAMES = ['RAX', 'RCX', 'RDX', 'RBX', 'RSP', 'RBP', 'RSI', 'RDI', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'];
const INTR_TYPES = ['external interrupt', 'reserved (1)', 'NMI', 'hardware exception', 'software interrupt',
  'privileged software exception', 'software exception', 'other event'];
const EXC_NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF', 10: '#TS', 11: '#NP',
  12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM', 20: '#VE', 21: '#CP',
};

/** APIC-access qualification bits 15:12 (Table 28-6). */
const APIC_ACCESS_TYPES: Record<number, string> = {
  0: 'linear read', 1: 'linear write', 2: 'linear fetch', 3: 'linear, during event delivery',
  10: 'guest-physical, during event delivery', 15: 'guest-physical, fetch or instruction execution',
};

export const hex = (v: number | bigint): string => `0x${v.toString(16)}`;
const q64 = (i: ExitInfo): bigint => (BigInt(i.qualHi >>> 0) << 32n) | BigInt(i.qualLo >>> 0);
const bit = (v: number, n: number): boolean => ((v >>> n) & 1) !== 0;

/** VM-exit / IDT-vectoring interruption information (SDM 25.9.2, Table 25-19). */
export function decodeIntrInfo(info: number, errorCode: number): QualWord[] {
  if (!bit(info, 31)) return [{ k: 'valid', v: 'no' }];
  const vec = info & 0xff, type = (info >>> 8) & 7;
  const out: QualWord[] = [
    { k: 'vector', v: `${vec}${type === 3 || type === 6 || type === 5 ? ` ${EXC_NAMES[vec] ?? ''}`.trimEnd() : ''}` },
    { k: 'type', v: INTR_TYPES[type] },
  ];
  if (bit(info, 11)) out.push({ k: 'error code', v: hex(errorCode >>> 0) });
  if (bit(info, 12)) out.push({ k: 'NMI unblocking due to IRET', v: 'yes' });
  return out;
}

/** I/O instruction qualification (Table 28-5). */
function ioQual(q: number): QualWord[] {
  const size = (q & 7) + 1;
  return [
    { k: 'port', v: hex((q >>> 16) & 0xffff) },
    { k: 'size', v: `${size} byte${size > 1 ? 's' : ''}` },
    { k: 'direction', v: bit(q, 3) ? 'IN' : 'OUT' },
    ...(bit(q, 4) ? [{ k: 'string', v: 'yes' }] : []),
    ...(bit(q, 5) ? [{ k: 'REP', v: 'yes' }] : []),
    { k: 'operand', v: bit(q, 6) ? 'immediate' : 'DX' },
  ];
}

/** Control-register access qualification (Table 28-3). */
function crQual(q: number): QualWord[] {
  const cr = q & 15, type = (q >>> 4) & 3;
  const out: QualWord[] = [
    { k: 'CR', v: `CR${cr}` },
    { k: 'access', v: ['MOV to CR', 'MOV from CR', 'CLTS', 'LMSW'][type] },
  ];
  if (type < 2) out.push({ k: 'GPR', v: GPR_NAMES[(q >>> 8) & 15] });
  if (type === 3) {
    out.push({ k: 'LMSW operand', v: bit(q, 6) ? 'memory' : 'register' });
    out.push({ k: 'LMSW source data', v: hex((q >>> 16) & 0xffff) });
  }
  return out;
}

/** MOV DR qualification (Table 28-4). */
function drQual(q: number): QualWord[] {
  return [
    { k: 'DR', v: `DR${q & 7}` },
    { k: 'direction', v: bit(q, 4) ? 'MOV from DR' : 'MOV to DR' },
    { k: 'GPR', v: GPR_NAMES[(q >>> 8) & 15] },
  ];
}

/** EPT-violation qualification (Table 28-7). */
function eptQual(i: ExitInfo): QualWord[] {
  const q = i.qualLo;
  const access = [bit(q, 0) ? 'read' : '', bit(q, 1) ? 'write' : '', bit(q, 2) ? 'fetch' : ''].filter((s) => s).join('+');
  const perms = `${bit(q, 3) ? 'R' : '-'}${bit(q, 4) ? 'W' : '-'}${bit(q, 5) ? 'X' : '-'}`;
  const out: QualWord[] = [
    { k: 'access', v: access || 'none' },
    { k: 'EPT permissions', v: perms },
    { k: 'guest-physical', v: hex(i.gpa) },
    { k: 'GLA valid', v: bit(q, 7) ? 'yes' : 'no' },
  ];
  if (bit(q, 7)) {
    out.push({ k: 'guest-linear', v: hex(i.gla) });
    out.push({ k: 'translation', v: bit(q, 8) ? 'final guest-physical address' : 'guest paging-structure entry' });
  }
  if (bit(q, 12)) out.push({ k: 'NMI unblocking due to IRET', v: 'yes' });
  return out;
}

/** Exception/NMI exit: interruption info plus the qualification for #DB and #PF (Table 28-1). */
function exceptionQual(i: ExitInfo): QualWord[] {
  const out = decodeIntrInfo(i.intrInfo, i.intrError);
  const vec = i.intrInfo & 0xff;
  if (vec === 14) out.push({ k: 'faulting linear address', v: hex(q64(i)) });
  if (vec === 1) {
    const q = i.qualLo;
    const b = [0, 1, 2, 3].filter((n) => bit(q, n)).map((n) => `B${n}`);
    if (bit(q, 13)) b.push('BD');
    if (bit(q, 14)) b.push('BS');
    if (bit(q, 16)) b.push('RTM');
    out.push({ k: 'debug conditions', v: b.join(' ') || 'none' });
  }
  return out;
}

/** Decodes the qualification of an exit with (possibly entry-failure-flagged) `reason` into words. */
export function decodeExitQualification(i: ExitInfo): QualWord[] {
  const basic = i.reason & 0xffff, q = i.qualLo;
  switch (basic) {
    case R.EXCEPTION_NMI: return exceptionQual(i);
    case R.EXTERNAL_INTERRUPT: return decodeIntrInfo(i.intrInfo, i.intrError);
    case R.TASK_SWITCH: return [
      { k: 'TSS selector', v: hex(q & 0xffff) },
      { k: 'source', v: ['CALL', 'IRET', 'JMP', 'task gate in IDT'][(q >>> 30) & 3] },
    ];
    case R.INVLPG: return [{ k: 'linear address', v: hex(q64(i)) }];
    case R.INVPCID: case R.INVEPT: case R.INVVPID: case R.VMCLEAR: case R.VMPTRLD: case R.VMPTRST:
    case R.VMREAD: case R.VMWRITE: case R.VMXON: case R.GDTR_IDTR: case R.LDTR_TR:
      return [{ k: 'displacement', v: hex(q64(i)) }];
    case R.CR_ACCESS: return crQual(q);
    case R.DR_ACCESS: return drQual(q);
    case R.IO_INSTRUCTION: return ioQual(q);
    case R.EPT_VIOLATION: return eptQual(i);
    case R.EPT_MISCONFIG: return [{ k: 'guest-physical', v: hex(i.gpa) }];
    case R.INVALID_GUEST_STATE: {
      const why: Record<number, string> = {
        [ENTRY_FAIL_QUAL.DEFAULT]: 'guest-state check', [ENTRY_FAIL_QUAL.PDPTE]: 'PDPTE loading',
        [ENTRY_FAIL_QUAL.NMI_BLOCKING]: 'NMI injection with blocking by NMI', [ENTRY_FAIL_QUAL.VMCS_LINK]: 'VMCS link pointer',
      };
      return [{ k: 'failure', v: why[q] ?? `qualification ${q}` }];
    }
    case R.MSR_LOADING: return [{ k: 'MSR-load entry', v: `${q}` }];
    case R.APIC_ACCESS: return [
      { k: 'offset', v: hex(q & 0xfff) },
      { k: 'access', v: APIC_ACCESS_TYPES[(q >>> 12) & 15] ?? `type ${(q >>> 12) & 15}` },
    ];
    default: return [];
  }
}

/** One line: the reason name, then the decoded words. */
export function formatExit(i: ExitInfo): string {
  const words = decodeExitQualification(i).map((w) => `${w.k}=${w.v}`).join(' ');
  const failed = (i.reason & 0x80000000) !== 0 ? 'VM-entry failure: ' : '';
  return `${failed}${exitReasonName(i.reason)}${words ? ` ${words}` : ''}`;
}
