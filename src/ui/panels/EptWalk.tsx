import { useState } from 'react';
import { eptWalk } from '../../store/machineCommands.ts';
import { useMachineQuery } from '../../store/useMachineQuery.ts';
import { hex, parseAddress } from '../format.ts';

type Access = 'read' | 'write' | 'fetch';

/** The EPT walk of a guest-physical address through the current VMCS's EPTP (part of the VMCS panel). */
export function EptWalk() {
  const [at, setAt] = useState('');
  const [access, setAccess] = useState<Access>('read');
  const gpa = parseAddress(at);
  const { data: w, error } = useMachineQuery(gpa === null ? null : () => eptWalk(gpa, access), [gpa, access]);
  return (
    <details open={gpa !== null} data-testid="ept-walk">
      <summary>EPT walk</summary>
      <input className="addr" placeholder="guest-physical address" value={at} onChange={(e) => setAt(e.target.value)}
        aria-label="guest-physical address to walk through EPT" />
      <select value={access} onChange={(e) => setAccess(e.target.value as Access)} aria-label="access type">
        <option value="read">read</option><option value="write">write</option><option value="fetch">fetch</option>
      </select>
      {error && <p className="error">{error}</p>}
      {w && gpa !== null && (
        <>
          <p className="muted">EPTP {w.eptp} · {w.access} of {hex(w.gpa, 8)}</p>
          <table>
            <thead><tr><th>level</th><th>entry at</th><th>entry</th><th>rights</th><th>type</th></tr></thead>
            <tbody>
              {w.levels.map((l) => (
                <tr key={l.level} data-level={l.level}>
                  <td>{l.name}</td><td>{hex(l.entryAddr, 8)}</td><td>{l.entry}</td><td>{l.rights}</td>
                  <td>{l.leaf ? `${l.memType}${l.ignorePat ? ' IPAT' : ''} ${l.level > 1 ? 'large' : ''}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className={w.result === 'ok' ? 'walk-result ok' : 'walk-result bad'} data-testid="ept-walk-result">
            {w.result === 'ok' ? `host-physical ${hex(w.hpa, 8)} (${1 << (w.pageBits - 10)} KiB page)` : w.result}
            {w.exitWords.map((x) => ` ${x.k}=${x.v}`).join('')}
          </p>
        </>
      )}
    </details>
  );
}
