import { useMachine } from '../../store/machineStore.ts';
import { GPR_NAMES64, SEG_NAMES } from '../../emu/cpu/state/names.ts';
import {
  APIC_BASE, CR0, CR2, CR3, CR4, CR8, CSTAR, EFER, FMASK, GDTR, GPR, IDTR, KERNEL_GS_BASE, LSTAR, MISC_ENABLE, PAT, RFLAGS,
  RIP, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT, SEG_SEL, STAR, SYSENTER_CS, SYSENTER_EIP, SYSENTER_ESP, TSC_AUX, segOff,
} from '../../emu/cpu/state/layout.ts';
import { CR0_BITS, CR4_BITS, EFER_BITS, RFLAGS_BITS, type BitDef } from '../../emu/debug/regBits.ts';
import { hex, hex64 } from '../format.ts';

type Regs = Uint32Array;

/** True when any of the words [at, at + n) differ from the previous state. */
function changed(regs: Regs, prev: Regs | null, at: number, n = 1): boolean {
  if (!prev) return false;
  for (let i = at; i < at + n; i++) if (regs[i] !== prev[i]) return true;
  return false;
}

function Reg({ name, value, hot, title }: { name: string; value: string; hot: boolean; title?: string }) {
  return (
    <div className={`reg${hot ? ' changed' : ''}`} title={title} data-reg={name}>
      <span className="reg-name">{name}</span>
      <span className="reg-value">{value}</span>
    </div>
  );
}

function Bits({ value, table, prev }: { value: number; table: readonly BitDef[]; prev: number | null }) {
  return (
    <span className="bits">
      {table.map((d) => {
        const on = ((value >>> d.bit) & 1) !== 0;
        const flip = prev !== null && ((prev >>> d.bit) & 1) !== (on ? 1 : 0);
        return (
          <span key={d.bit} className={`bit${on ? ' on' : ''}${flip ? ' changed' : ''}`} title={`bit ${d.bit}: ${d.title}`}>
            {d.name}
          </span>
        );
      })}
    </span>
  );
}

function ControlReg({ name, regs, prev, at, table, wide }: {
  name: string; regs: Regs; prev: Regs | null; at: number; table?: readonly BitDef[]; wide?: boolean;
}) {
  const value = wide ? hex64(regs[at], regs[at + 1]) : hex(regs[at], 8);
  return (
    <div className={`ctl${changed(regs, prev, at, wide ? 2 : 1) ? ' changed' : ''}`} data-reg={name}>
      <span className="reg-name">{name}</span>
      <span className="reg-value">{value}</span>
      {table && <Bits value={regs[at]} table={table} prev={prev ? prev[at] : null} />}
    </div>
  );
}

/** Access rights in the VMX format (SDM Vol. 3C 25.4.1): type, S, DPL, P, AVL, L, D/B, G, unusable. */
function arText(ar: number): string {
  if (ar & 0x10000) return 'unusable';
  const type = ar & 0xf;
  const s = (ar >> 4) & 1;
  const kind = s ? (type & 8 ? `code${type & 4 ? ' C' : ''}${type & 2 ? ' R' : ''}` : `data${type & 4 ? ' E' : ''}${type & 2 ? ' W' : ''}`)
    : `sys type ${type}`;
  const flags = [(ar >> 13) & 1 ? 'L' : '', (ar >> 14) & 1 ? 'D/B' : '', (ar >> 15) & 1 ? 'G' : '', (ar >> 7) & 1 ? 'P' : 'NP']
    .filter(Boolean).join(' ');
  return `${kind}${type & 1 && s ? ' A' : ''} DPL${(ar >> 5) & 3} ${flags}`;
}

const MSRS: { name: string; at: number; wide: boolean }[] = [
  { name: 'KERNEL_GS_BASE', at: KERNEL_GS_BASE, wide: true },
  { name: 'STAR', at: STAR, wide: true }, { name: 'LSTAR', at: LSTAR, wide: true },
  { name: 'CSTAR', at: CSTAR, wide: true }, { name: 'FMASK', at: FMASK, wide: true },
  { name: 'SYSENTER_CS', at: SYSENTER_CS, wide: false }, { name: 'SYSENTER_ESP', at: SYSENTER_ESP, wide: true },
  { name: 'SYSENTER_EIP', at: SYSENTER_EIP, wide: true }, { name: 'APIC_BASE', at: APIC_BASE, wide: true },
  { name: 'PAT', at: PAT, wide: true }, { name: 'TSC_AUX', at: TSC_AUX, wide: false },
  { name: 'MISC_ENABLE', at: MISC_ENABLE, wide: true },
];

/** GPRs, RIP, RFLAGS, segment caches, control registers, descriptor tables and MSRs; what changed is highlighted. */
export function RegistersPanel() {
  const regs = useMachine((s) => s.regs);
  const prev = useMachine((s) => s.prevRegs);
  if (!regs) return <section className="panel registers" data-testid="registers"><h2>Registers</h2><p className="muted">No machine.</p></section>;
  const flags = regs[RFLAGS];
  return (
    <section className="panel registers" data-testid="registers">
      <h2>Registers</h2>
      <div className="gprs">
        {GPR_NAMES64.map((n, r) => (
          <Reg key={n} name={n} value={hex64(regs[GPR + r * 2], regs[GPR + r * 2 + 1])} hot={changed(regs, prev, GPR + r * 2, 2)} />
        ))}
        <Reg name="rip" value={hex64(regs[RIP], regs[RIP + 1])} hot={changed(regs, prev, RIP, 2)} />
      </div>
      <div className={`ctl${changed(regs, prev, RFLAGS) ? ' changed' : ''}`} data-reg="rflags">
        <span className="reg-name">rflags</span>
        <span className="reg-value">{hex(flags, 8)}</span>
        <Bits value={flags} table={RFLAGS_BITS} prev={prev ? prev[RFLAGS] : null} />
        <span className="bit on" title="I/O privilege level, bits 13:12">IOPL={(flags >>> 12) & 3}</span>
      </div>
      <table className="segs">
        <thead><tr><th /><th>sel</th><th>base</th><th>limit</th><th>attributes</th></tr></thead>
        <tbody>
          {SEG_NAMES.map((n, i) => {
            const o = segOff(i, 0);
            return (
              <tr key={n} className={changed(regs, prev, o, 5) ? 'changed' : ''} data-reg={n}>
                <th>{n}</th>
                <td>{hex(regs[o + SEG_SEL], 4)}</td>
                <td>{hex64(regs[o + SEG_BASE_LO], regs[o + SEG_BASE_HI])}</td>
                <td>{hex(regs[o + SEG_LIMIT], 8)}</td>
                <td title={`access rights ${hex(regs[o + SEG_AR], 5)}`}>{arText(regs[o + SEG_AR])}</td>
              </tr>
            );
          })}
          <tr className={changed(regs, prev, GDTR, 3) ? 'changed' : ''}><th>gdtr</th><td /><td>{hex64(regs[GDTR], regs[GDTR + 1])}</td><td>{hex(regs[GDTR + 2], 4)}</td><td /></tr>
          <tr className={changed(regs, prev, IDTR, 3) ? 'changed' : ''}><th>idtr</th><td /><td>{hex64(regs[IDTR], regs[IDTR + 1])}</td><td>{hex(regs[IDTR + 2], 4)}</td><td /></tr>
        </tbody>
      </table>
      <ControlReg name="cr0" regs={regs} prev={prev} at={CR0} table={CR0_BITS} />
      <ControlReg name="cr2" regs={regs} prev={prev} at={CR2} wide />
      <ControlReg name="cr3" regs={regs} prev={prev} at={CR3} wide />
      <ControlReg name="cr4" regs={regs} prev={prev} at={CR4} table={CR4_BITS} />
      <ControlReg name="cr8" regs={regs} prev={prev} at={CR8} />
      <ControlReg name="efer" regs={regs} prev={prev} at={EFER} table={EFER_BITS} />
      <div className="msrs">
        {MSRS.map((m) => (
          <Reg key={m.name} name={m.name} value={m.wide ? hex64(regs[m.at], regs[m.at + 1]) : hex(regs[m.at], 8)}
            hot={changed(regs, prev, m.at, m.wide ? 2 : 1)} title={`IA32_${m.name}`} />
        ))}
      </div>
    </section>
  );
}
