import { useState } from 'react';
import { useMachine } from '../../store/machineStore.ts';
import { exitLog, setVmxBreak } from '../../store/machineCommands.ts';
import { useMachineQuery } from '../../store/useMachineQuery.ts';
import { EXIT_REASON, exitReasonName } from '../../emu/cpu/vmx/exitReasons.ts';
import { hex } from '../format.ts';

/** Rows fetched from the worker's ring (which keeps the newest 4096). */
const ROWS = 200;

const reasonLabel = (r: number) => (r === -1 ? 'VMfail entry' : exitReasonName(r));

/**
 * VM exits and failed VM entries, newest last: virtual time (instructions),
 * vCPU, reason, the qualification decoded per SDM 28.2.1, the guest RIP and
 * its instruction; a histogram of reasons over the whole ring that also
 * filters the table (click a reason; click again to show all).
 */
export function ExitLogPanel() {
  const vmx = useMachine((s) => s.vmx);
  const [filter, setFilter] = useState<number | null>(null);
  const { data, error } = useMachineQuery(() => exitLog(ROWS, filter === null ? null : [filter]), [filter]);
  const brk = useMachine((s) => s.vmxBreak);
  const toggleReason = (r: number) => {
    const on = brk.reasons.includes(r);
    void setVmxBreak(on ? brk.reasons.filter((x) => x !== r) : [...brk.reasons, r], brk.entryFailure).catch(() => {});
  };
  const max = data ? Math.max(1, ...data.histogram.map(([, n]) => n)) : 1;
  return (
    <section className="panel exit-log" data-testid="exit-log">
      <h2>
        VM-exit log
        <span className="panel-tools">
          <select aria-label="break on exit reason" data-testid="vmx-break-reason" value=""
            onChange={(e) => { if (e.target.value !== '') toggleReason(Number(e.target.value)); }}>
            <option value="">break on exit reason…</option>
            {Object.entries(EXIT_REASON).map(([n, r]) => (
              <option key={r} value={r}>{brk.reasons.includes(r) ? '✓ ' : ''}{n} ({r})</option>
            ))}
          </select>
          <label title="stop after any VM entry that fails (VMfailValid or an entry-failure exit)">
            <input type="checkbox" data-testid="vmx-break-entry" checked={brk.entryFailure}
              onChange={(e) => void setVmxBreak(brk.reasons, e.target.checked).catch(() => {})} /> entry failures
          </label>
          <span className="muted">{data ? `${data.total.toLocaleString('en-US')} since boot` : ''}</span>
        </span>
      </h2>
      {error && <p className="error">{error}</p>}
      {brk.reasons.length > 0 && (
        <p className="muted" data-testid="vmx-breaks">
          breaks on: {brk.reasons.map((r) => (
            <button type="button" key={r} onClick={() => toggleReason(r)} title="remove">{reasonLabel(r)} ✕</button>
          ))}
        </p>
      )}
      {data && data.total === 0 && <p className="muted">{vmx === null ? 'No VM exits: the CPU is not in VMX operation.' : 'No VM exits yet.'}</p>}
      {data && data.histogram.length > 0 && (
        <div className="histogram" data-testid="exit-histogram">
          {data.histogram.map(([r, n]) => (
            <button type="button" key={r} data-reason={r} aria-pressed={filter === r}
              onClick={() => setFilter(filter === r ? null : r)} title={`show only ${reasonLabel(r)} (click again for all)`}>
              {reasonLabel(r)} {n}
              <span className="bar" style={{ width: `${Math.max(2, (40 * n) / max)}px` }} />
            </button>
          ))}
        </div>
      )}
      {data && data.rows.length > 0 && (
        <table>
          <thead><tr><th>#</th><th>insns</th><th>vCPU</th><th>reason</th><th>qualification</th><th>guest RIP</th><th>instruction</th></tr></thead>
          <tbody>
            {data.rows.map((r) => (
              <tr key={r.seq} data-reason={r.reason} className={r.entryFailure ? 'failed' : undefined}>
                <td>{r.seq}</td>
                <td>{r.icount.toLocaleString('en-US')}</td>
                <td>{r.vcpu}</td>
                <td>{r.name}{r.check ? ` (check ${r.check})` : ''}</td>
                <td title={r.qualification}>{r.words.map((w) => `${w.k}=${w.v}`).join(' ') || r.qualification}</td>
                <td>{hex(r.rip, 16)}</td>
                <td>{r.insn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
