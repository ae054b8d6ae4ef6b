/**
 * What the worker answers for the VT-x panels: the VM-exit log as table rows
 * (reason, decoded qualification, guest RIP with its instruction) and its
 * histogram, and the VMCS view (src/emu/debug/vmcsView.ts).
 */
import type { Machine } from '../emu/machine.ts';
import type { ExitLog } from '../emu/debug/exitLog.ts';
import { decodeExitQualification } from '../emu/debug/exitQual.ts';
import { exitReasonName } from '../emu/cpu/vmx/exitReasons.ts';
import { VmxEvent } from '../emu/cpu/vmx/vmx.ts';
import type { DisasmContext } from './debugViews.ts';
import { peekLinear } from './debugViews.ts';
import type { ExitLogReply, ExitLogRow } from './protocol.ts';

/** Text of the instruction at a guest RIP: bytes read through the paging in effect now (the guest's, if non-root). */
function insnAt(m: Machine, ctx: DisasmContext | null, rip: bigint, len: number): string {
  if (!ctx) return '';
  const code = peekLinear(m, rip, 15);
  if (code.length === 0) return '(not mapped now)';
  const [l] = ctx.dis.disassemble(code, rip, 64, 1, { syntax: 'intel', symbols: ctx.symbols });
  if (!l || l.invalid) return '(invalid)';
  return len !== 0 && l.length !== len ? `${l.text} (now; exit said ${len} bytes)` : l.text;
}

/** The newest `max` log records, optionally only the basic reasons in `reasons`, with the histogram. */
export function exitLogRows(m: Machine, log: ExitLog, ctx: DisasmContext | null, max: number, reasons: number[] | null): ExitLogReply {
  if (!Number.isInteger(max) || max < 1 || max > log.capacity) throw new Error(`exit log: ask for 1 to ${log.capacity} rows, got ${max}`);
  const recs = log.recent(max, reasons === null ? undefined : new Set(reasons));
  const rows: ExitLogRow[] = recs.map((r) => {
    const vmfail = r.kind === VmxEvent.EntryVmFail;
    return {
      seq: r.seq,
      icount: r.icount,
      vcpu: r.vcpu,
      reason: vmfail ? -1 : r.reason & 0xffff,
      name: vmfail ? `VM entry VMfailValid(${r.vmError})` : exitReasonName(r.reason),
      entryFailure: r.kind !== VmxEvent.Exit,
      qualification: `0x${((BigInt(r.qualHi) << 32n) | BigInt(r.qualLo)).toString(16)}`,
      words: vmfail ? [] : decodeExitQualification(r),
      rip: r.rip,
      insn: r.kind === VmxEvent.Exit ? insnAt(m, ctx, r.rip, r.insnLen) : '',
      check: r.check,
      vmcs: r.vmcs,
    };
  });
  return { rows, histogram: [...log.histogram().entries()].sort((a, b) => b[1] - a[1]), total: log.count };
}
