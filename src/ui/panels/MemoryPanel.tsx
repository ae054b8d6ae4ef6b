import { useState } from 'react';
import { useMachine } from '../../store/machineStore.ts';
import { translate } from '../../store/machineCommands.ts';
import { useMachineQuery } from '../../store/useMachineQuery.ts';
import { GPR, RIP } from '../../emu/cpu/state/layout.ts';
import { GPR_NAMES64 } from '../../emu/cpu/state/names.ts';
import { hex, parseAddress, u64 } from '../format.ts';

const ROWS = 16;
const BYTES = ROWS * 16;

/** A register name or a hex number; null if neither. */
function resolve(expr: string, regs: Uint32Array | null): bigint | null {
  const t = expr.trim().toLowerCase();
  if (regs) {
    if (t === 'rip') return u64(regs[RIP], regs[RIP + 1]);
    const r = (GPR_NAMES64 as readonly string[]).indexOf(t);
    if (r >= 0) return u64(regs[GPR + r * 2], regs[GPR + r * 2 + 1]);
  }
  return parseAddress(t);
}

/**
 * Hex and ASCII of guest memory, read straight from the shared RAM buffer.
 * A virtual address is translated by the worker through the current page
 * tables (a side-effect-free walk), page by page.
 */
export function MemoryPanel() {
  const regs = useMachine((s) => s.regs);
  const ram = useMachine((s) => s.ram);
  const [expr, setExpr] = useState('rsp');
  const [space, setSpace] = useState<'virt' | 'phys'>('virt');
  const start = regs ? resolve(expr, regs) : null;
  const base = start;
  const { data: tr, error } = useMachineQuery(
    base !== null && space === 'virt' ? () => translate(base, BYTES) : null,
    [base, space],
  );
  const bytes = new Int16Array(BYTES).fill(-1);
  let firstPa: number | null = null;
  if (ram && base !== null) {
    const u8 = new Uint8Array(ram);
    for (let i = 0; i < BYTES; i++) {
      let pa: number;
      if (space === 'phys') pa = Number(base) + i;
      else {
        const page = tr?.pages.find((p) => p.la === ((base + BigInt(i)) & ~0xfffn));
        if (!page || page.pa < 0) continue;
        pa = page.pa + Number((base + BigInt(i)) & 0xfffn);
      }
      if (i === 0) firstPa = pa;
      if (pa < u8.length) bytes[i] = u8[pa];
    }
  }

  return (
    <section className="panel memory" data-testid="memory">
      <h2>
        Memory
        <span className="panel-tools">
          <input className="addr" value={expr} onChange={(e) => setExpr(e.target.value)} aria-label="memory address"
            title="hex address or a register (rsp, rip, rax...)" data-testid="memory-address" />
          <select value={space} onChange={(e) => setSpace(e.target.value as 'virt' | 'phys')} aria-label="address space" data-testid="memory-space">
            <option value="virt">virtual</option>
            <option value="phys">physical</option>
          </select>
        </span>
      </h2>
      {!regs && <p className="muted">No machine.</p>}
      {regs && start === null && <p className="error">Not an address or register: {expr}</p>}
      {error && <p className="error">{error}</p>}
      {regs && !ram && <p className="muted">Guest RAM is not shared with the page (needs cross-origin isolation).</p>}
      {base !== null && (
        <p className="muted" data-testid="memory-pa">
          {space === 'virt' ? `${hex(base, 16)} → ` : ''}
          {firstPa === null ? 'not mapped' : `phys ${hex(firstPa, 8)}`}
        </p>
      )}
      <pre className="hexdump">
        {base !== null && Array.from({ length: ROWS }, (_, r) => {
          const row = Array.from(bytes.subarray(r * 16, r * 16 + 16));
          const hx = row.map((b) => (b < 0 ? '??' : hex(b, 2))).join(' ');
          const asc = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
          return `${hex(base + BigInt(r * 16), 16)}  ${hx}  ${asc}\n`;
        }).join('')}
      </pre>
    </section>
  );
}
