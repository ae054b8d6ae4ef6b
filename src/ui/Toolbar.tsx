import { useState } from 'react';
import { useMachine } from '../store/machineStore.ts';
import { pause, reset, run, step, stepOver } from '../store/machineCommands.ts';
import { IpsPlot } from './components/IpsPlot.tsx';
import { duration, hex64, siRate } from './format.ts';
import { VMX } from '../emu/cpu/state/layout.ts';

/** Register-file words of the current-VMCS pointer (vmx.ts CURRENT_VMCS). */
const CURRENT_VMCS = VMX + 3;

const MODE_TEXT: Record<string, string> = {
  real: 'real mode', protected: 'protected mode', 'virtual-8086': 'virtual-8086', long: '64-bit long mode', compatibility: 'compatibility mode',
};

/** Run control (F5 / F10 / F11) and live figures: IPS with a small plot, virtual time, CPU mode. */
export function Toolbar({ onBoot }: { onBoot: () => void }) {
  const m = useMachine();
  const [count, setCount] = useState(1);
  const off = m.runState === 'off' || m.runState === 'booting';
  const running = m.runState === 'running';
  const act = (f: () => Promise<unknown>) => () => void f().catch(() => {});
  return (
    <div className="toolbar" role="toolbar">
      <button type="button" onClick={onBoot} data-testid="boot" title="Boot a kernel: the bundled guest, the demo, or your own files">Boot…</button>
      <button type="button" onClick={act(run)} disabled={off || running} data-testid="run" title="Run (F5)">▶ Run</button>
      <button type="button" onClick={act(pause)} disabled={!running} data-testid="pause" title="Pause (F5)">❚❚ Pause</button>
      <button type="button" onClick={act(() => step(count))} disabled={off} data-testid="step" title="Step this many instructions (F11: one)">Step</button>
      <input type="number" className="step-count" min={1} max={10_000_000} value={count} aria-label="instructions per step"
        data-testid="step-count" onChange={(e) => setCount(Math.min(10_000_000, Math.max(1, Math.trunc(Number(e.target.value)) || 1)))} />
      <button type="button" onClick={act(stepOver)} disabled={off} data-testid="step-over" title="Step over calls and REP strings (F10)">Step over</button>
      <button type="button" onClick={act(reset)} disabled={off} data-testid="reset" title="Reset: load the same kernel again, paused at its entry">Reset</button>
      <span className={`runstate ${m.runState}`} data-testid="runstate">{m.halted && running ? 'halted (waiting)' : m.runState}</span>
      <span className="stat" title="guest instructions per second">
        <span data-testid="ips">{siRate(m.ips)}IPS</span>
        <IpsPlot samples={m.ipsHistory} />
      </span>
      <span className="stat" title="instructions retired since boot" data-testid="icount" data-icount={m.icount}>{m.icount.toLocaleString('en-US')} insns</span>
      <span className="stat" title="virtual time (from instructions retired)">{m.virtualNs === null ? 'no virtual clock' : duration(m.virtualNs)}</span>
      <span className="stat" data-testid="cpu-mode" title="CPU mode, code size, privilege level, VMX operation">
        {MODE_TEXT[m.mode] ?? m.mode} · {m.bits}-bit · CPL{m.cpl} · {m.vmx === null ? 'not in VMX operation' : `VMX ${m.vmx}`}
      </span>
      {m.vmx !== null && m.regs && (
        <span className="stat" data-testid="vmcs-pointer" title="current-VMCS pointer (VMPTRST)">
          VMCS {m.regs[CURRENT_VMCS] === 0xffffffff && m.regs[CURRENT_VMCS + 1] === 0xffffffff ? 'none' : hex64(m.regs[CURRENT_VMCS], m.regs[CURRENT_VMCS + 1])}
        </span>
      )}
    </div>
  );
}
