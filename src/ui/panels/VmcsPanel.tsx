import { useState } from 'react';
import { useMachine } from '../../store/machineStore.ts';
import { vmcs } from '../../store/machineCommands.ts';
import { useMachineQuery } from '../../store/useMachineQuery.ts';
import type { ControlView, VmcsFieldView } from '../../emu/debug/vmcsView.ts';
import { hex, parseAddress } from '../format.ts';
import { EptWalk } from './EptWalk.tsx';

function matches(f: VmcsFieldView, q: string): boolean {
  if (q === '') return true;
  const s = q.toLowerCase().replace(/^0x/, '');
  return f.name.toLowerCase().includes(s) || f.enc.toString(16).padStart(4, '0').startsWith(s);
}

function Control({ c }: { c: ControlView }) {
  return (
    <details open data-control={c.field}>
      <summary>{c.field} = {c.value} <span className="muted">(allowed settings: {c.msr})</span></summary>
      <table>
        <tbody>
          {c.bits.map((b) => (
            <tr key={b.bit} className={b.set ? (b.fixed1 ? 'bit-fixed' : undefined) : 'bit-off'} data-bit={b.bit}>
              <td>{b.set ? '■' : '□'}</td><td>{b.bit}</td><td>{b.name}</td>
              <td className="muted">{b.fixed1 ? 'must be 1' : b.allowed1 ? 'may be 0 or 1' : 'must be 0 (not supported)'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {c.unnamed.length > 0 && <p className="muted">also set (reserved, default1): bits {c.unnamed.join(', ')}</p>}
    </details>
  );
}

/**
 * The VMCS read through VMREAD's own code: the current one, or any VMCS by
 * address; fields in the SDM's areas with encoding, width and value (changed
 * since the previous VM exit highlighted), search by name or encoding,
 * decoded controls, CR0/CR4 shadows and the last exit decoded.
 */
export function VmcsPanel() {
  const vmx = useMachine((s) => s.vmx);
  const [q, setQ] = useState('');
  const [at, setAt] = useState('');
  const pa = parseAddress(at);
  const { data: v, error } = useMachineQuery(vmx === null && pa === null ? null : () => vmcs(pa === null ? null : Number(pa)), [vmx, pa]);
  return (
    <section className="panel vmcs" data-testid="vmcs">
      <h2>
        VMCS
        <span className="panel-tools">
          <input placeholder="search name / encoding" value={q} onChange={(e) => setQ(e.target.value)} aria-label="search VMCS fields" />
          <input className="addr" placeholder="current" value={at} onChange={(e) => setAt(e.target.value)}
            aria-label="VMCS address" title="physical address of a VMCS (hex); empty shows the current VMCS" />
        </span>
      </h2>
      {vmx === null && pa === null && <p className="muted">Not in VMX operation: no current VMCS.</p>}
      {error && <p className="error">{error}</p>}
      {v && (vmx !== null || pa !== null) && (
        <>
          <p className="muted" data-testid="vmcs-summary">
            {v.current ? 'current' : 'not current'} VMCS at {hex(v.pointer.length ? parseInt(v.pointer, 16) : 0, 8)} · {v.launched ? 'launched' : 'clear'}
          </p>
          <p data-testid="vmcs-exit">
            last exit: {v.exit.entryFailure ? 'VM-entry failure, ' : ''}{v.exit.name}
            {v.exit.words.map((w) => ` ${w.k}=${w.v}`).join('')}
          </p>
          <table>
            <thead><tr><th /><th>guest value</th><th>read shadow</th><th>guest/host mask</th><th>guest reads</th></tr></thead>
            <tbody>
              {v.crs.map((c) => <tr key={c.cr}><th>{c.cr}</th><td>{c.guest}</td><td>{c.readShadow}</td><td>{c.mask}</td><td>{c.guestSees}</td></tr>)}
            </tbody>
          </table>
          {v.current && <EptWalk />}
          <details open>
            <summary>Controls, bit by bit</summary>
            {v.controls.map((c) => <Control key={c.field} c={c} />)}
          </details>
          {v.groups.map((g) => {
            const rows = g.fields.filter((f) => matches(f, q));
            if (rows.length === 0) return null;
            return (
              <details key={g.name} open={q !== ''} data-group={g.name}>
                <summary>{g.name} ({rows.length})</summary>
                <table>
                  <tbody>
                    {rows.map((f) => (
                      <tr key={f.enc} data-field={f.name} className={!f.supported ? 'unsupported' : f.changed ? 'changed' : undefined}
                        title={f.changed ? 'changed since the previous VM exit' : undefined}>
                        <td>{f.name}</td><td>{f.enc.toString(16).padStart(4, '0')}</td>
                        <td>{f.width === 'natural' ? 'nat' : f.width}</td>
                        <td>{f.supported ? f.value : 'not supported'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            );
          })}
        </>
      )}
    </section>
  );
}
