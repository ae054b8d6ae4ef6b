import { Fragment, useState } from 'react';
import { useMachine } from '../../store/machineStore.ts';
import { disasm, runTo, toggleBreakpoint } from '../../store/machineCommands.ts';
import { useMachineQuery } from '../../store/useMachineQuery.ts';
import { RIP } from '../../emu/cpu/state/layout.ts';
import type { AsmSyntax } from '../../worker/protocol.ts';
import { hex, parseAddress, u64 } from '../format.ts';

const BEFORE = 6;
const COUNT = 30;

/**
 * Instructions around RIP (or an address typed in), by iced-x86 in the
 * worker, Intel or AT&T syntax, with System.map symbols. Click a line to set
 * or clear a breakpoint; double-click to run to it.
 */
export function DisasmPanel() {
  const regs = useMachine((s) => s.regs);
  const breakpoints = useMachine((s) => s.breakpoints);
  const [syntax, setSyntax] = useState<AsmSyntax>('intel');
  const [where, setWhere] = useState('');
  const rip = regs ? u64(regs[RIP], regs[RIP + 1]) : null;
  const fixed = parseAddress(where);
  const at = fixed ?? rip;
  const { data: rows, error } = useMachineQuery(
    at === null ? null : () => disasm(at, fixed === null ? BEFORE : 0, COUNT, syntax),
    [at, syntax, fixed === null],
  );

  return (
    <section className="panel disasm" data-testid="disasm">
      <h2>
        Disassembly
        <span className="panel-tools">
          <input className="addr" placeholder="follow RIP" value={where} onChange={(e) => setWhere(e.target.value)}
            title="address to show (hex); empty follows RIP" aria-label="disassembly address" />
          <select value={syntax} onChange={(e) => setSyntax(e.target.value as AsmSyntax)} aria-label="syntax" data-testid="syntax">
            <option value="intel">Intel</option>
            <option value="att">AT&amp;T</option>
          </select>
        </span>
      </h2>
      {error && <p className="error">{error}</p>}
      <div className="disasm-rows">
        {rows?.map((r, i) => {
          const current = r.address === rip;
          const bp = breakpoints.includes(r.address);
          // A label line where a function starts or the window enters a new one, as objdump prints them.
          const name = r.symbol?.replace(/^<|(\+0x[0-9a-f]+)?>$/g, '') ?? null;
          const prevName = i > 0 ? rows[i - 1].symbol?.replace(/^<|(\+0x[0-9a-f]+)?>$/g, '') ?? null : null;
          const label = name !== null && (i === 0 || name !== prevName) ? r.symbol : null;
          return (
            <Fragment key={r.address.toString()}>
              {label && <div className="label" data-testid="disasm-label">{label}:</div>}
              <div className={`row${current ? ' current' : ''}${bp ? ' bp' : ''}${r.invalid ? ' invalid' : ''}`}
                data-current={current ? 'true' : undefined} data-bp={bp ? 'true' : undefined} data-address={hex(r.address)}
                title={`${r.symbol ? `${r.symbol}\n` : ''}click: breakpoint on/off; double-click: run to here`}
                onClick={() => void toggleBreakpoint(r.address)} onDoubleClick={() => void runTo(r.address)}>
                <span className="gutter">{bp ? '●' : current ? '▶' : ''}</span>
                <span className="address">{hex(r.address, 16)}</span>
                <span className="bytes">{r.bytes}</span>
                <span className="text">{r.text}</span>
              </div>
            </Fragment>
          );
        })}
      </div>
    </section>
  );
}
