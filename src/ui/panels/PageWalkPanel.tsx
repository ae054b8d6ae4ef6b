import { useState } from 'react';
import { useMachine } from '../../store/machineStore.ts';
import { pageWalk } from '../../store/machineCommands.ts';
import { useMachineQuery } from '../../store/useMachineQuery.ts';
import { RIP } from '../../emu/cpu/state/layout.ts';
import { PTE_LO_BITS, PTE_PKEY_SHIFT_HI, PTE_XD_HI } from '../../emu/debug/regBits.ts';
import type { WalkLevel } from '../../worker/protocol.ts';
import { hex, hex64, parseAddress, u64 } from '../format.ts';

const MODE_NAMES = ['paging off', '32-bit paging', 'PAE paging', '4-level paging', '5-level paging'];
const LEVEL_NAMES: Record<number, string> = { 5: 'PML5E', 4: 'PML4E', 3: 'PDPTE', 2: 'PDE', 1: 'PTE' };
const PAGE_SIZES: Record<number, string> = { 12: '4 KiB', 21: '2 MiB', 22: '4 MiB', 30: '1 GiB' };

/** PFEC bits (SDM Vol. 3A 4.7). */
function pfecText(e: number): string {
  const parts = [e & 1 ? 'P' : 'not-present', e & 2 ? 'W' : 'R', e & 4 ? 'U' : 'S'];
  if (e & 8) parts.push('RSVD');
  if (e & 16) parts.push('I/D');
  if (e & 32) parts.push('PK');
  return parts.join(' ');
}

function entryBits(l: WalkLevel, isLeaf: boolean, mode: number): string[] {
  const out: string[] = [];
  for (const d of PTE_LO_BITS) {
    if (((l.entryLo >>> d.bit) & 1) === 0) continue;
    if (d.bit === 7) out.push(l.level === 1 ? 'PAT' : 'PS');
    else out.push(d.name);
  }
  // A large page's PAT bit is bit 12 of the leaf entry.
  if (isLeaf && l.level > 1 && (l.entryLo & (1 << 12)) !== 0) out.push('PAT');
  if (mode >= 2) {
    if (((l.entryHi >>> PTE_XD_HI) & 1) !== 0) out.push('XD');
    const pk = (l.entryHi >>> PTE_PKEY_SHIFT_HI) & 15;
    if (isLeaf && pk !== 0) out.push(`PK=${pk}`);
  }
  return out;
}

/**
 * The walk of a linear address (default: RIP) under the current CR3, CR4 and
 * EFER, level by level, as recorded by the MMU's own walker in the worker.
 */
export function PageWalkPanel() {
  const regs = useMachine((s) => s.regs);
  const [where, setWhere] = useState('');
  const rip = regs ? u64(regs[RIP], regs[RIP + 1]) : null;
  const fixed = parseAddress(where);
  const at = fixed ?? rip;
  const { data: w, error } = useMachineQuery(at === null ? null : () => pageWalk(at), [at]);

  return (
    <section className="panel pagewalk" data-testid="pagewalk">
      <h2>
        Page walk
        <span className="panel-tools">
          <input className="addr" placeholder="RIP" value={where} onChange={(e) => setWhere(e.target.value)}
            aria-label="linear address to walk" title="linear address (hex); empty walks RIP" />
        </span>
      </h2>
      {error && <p className="error">{error}</p>}
      {w && (
        <>
          <p className="muted">
            {hex(w.address, 16)} · {MODE_NAMES[w.mode] ?? `mode ${w.mode}`} · CR3 {hex64(w.cr3Lo, w.cr3Hi)} · {w.user ? 'user' : 'supervisor'} read
          </p>
          <table className="walk">
            <thead><tr><th>level</th><th>table</th><th>entry at</th><th>entry</th><th>bits</th></tr></thead>
            <tbody>
              {w.levels.map((l, i) => (
                <tr key={i} data-level={l.level}>
                  <th>{LEVEL_NAMES[l.level] ?? l.level}{l.fromRegister ? ' (reg)' : ''}</th>
                  <td>{hex(l.tableAddr, 8)}</td>
                  <td>{hex(l.entryAddr, 8)}</td>
                  <td>{hex64(l.entryLo, l.entryHi)}</td>
                  <td>{entryBits(l, i === w.levels.length - 1 && w.pageBits !== 0, w.mode).join(' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {w.ok ? (
            <p className="walk-result ok" data-testid="pagewalk-result">
              → physical <span data-testid="pagewalk-pa">{hex(w.pa, 8)}</span>, {PAGE_SIZES[w.pageBits] ?? `2^${w.pageBits}`} page
            </p>
          ) : (
            <p className="walk-result bad" data-testid="pagewalk-result">
              → #PF ({w.fault}), error code {hex(w.pfec, 2)} [{pfecText(w.pfec)}]
            </p>
          )}
        </>
      )}
    </section>
  );
}
