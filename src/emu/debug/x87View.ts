/**
 * The x87, MXCSR and XCR0 state as a debugger shows it: ST(0)-ST(7) with their tags and
 * values, the control/status words decoded, and the last-instruction pointers. A pure
 * function of the register file (no side effects, works on a snapshot copy).
 */
import { FPU, MXCSR, XCR0 } from '../cpu/state/layout.ts';
import {
  CLS_NORMAL, CLS_ZERO, F80, W_FCS, W_FCW, W_FDP_HI, W_FDP_LO, W_FDS, W_FIP_HI, W_FIP_LO, W_FOP, W_FSW, W_FTW, W_REGS,
  classify, toNumber,
} from '../cpu/fpu/index.ts';

export type X87Tag = 'valid' | 'zero' | 'special' | 'empty';

export interface X87Reg {
  /** Stack index i of ST(i) and the physical register R0-R7 behind it. */
  st: number;
  phys: number;
  tag: X87Tag;
  /** Sign/exponent word and the 64-bit significand as hex. */
  raw: string;
  /** Nearest JS number (for display; an 80-bit value may not fit exactly). */
  value: number;
}

export interface X87View {
  fcw: number;
  fsw: number;
  top: number;
  /** The full tag word as FSTENV stores it. */
  ftw: number;
  fop: number;
  fip: string;
  fdp: string;
  regs: X87Reg[];
  mxcsr: number;
  xcr0: string;
}

const hex = (v: number, n: number): string => (v >>> 0).toString(16).padStart(n, '0');
const RC = ['nearest', 'down', 'up', 'zero'];
const PC = ['24', 'reserved', '53', '64'];
const FLAGS = ['IE', 'DE', 'ZE', 'OE', 'UE', 'PE', 'SF'];

/** Reads the x87 part of register file `s` (Cpu.s or a snapshot of it). */
export function x87View(s: Uint32Array): X87View {
  const w = s.subarray(FPU, FPU + 34);
  const fsw = w[W_FSW]!, top = (fsw >>> 11) & 7, ftwA = w[W_FTW]!;
  const regs: X87Reg[] = [];
  let ftw = 0;
  const v = new F80();
  for (let i = 0; i < 8; i++) {
    const p = (top + i) & 7, o = W_REGS + 3 * p;
    const se = w[o + 2]!, hi = w[o + 1]!, lo = w[o]!;
    const c = classify(se, hi, lo);
    const tag: X87Tag = (ftwA & (1 << p)) === 0 ? 'empty' : c === CLS_ZERO ? 'zero' : c === CLS_NORMAL ? 'valid' : 'special';
    regs.push({ st: i, phys: p, tag, raw: `${hex(se, 4)}:${hex(hi, 8)}${hex(lo, 8)}`, value: toNumber(v.set(se, hi, lo)) });
  }
  for (let p = 0; p < 8; p++) {
    const r = regs.find((x) => x.phys === p)!;
    ftw |= ['valid', 'zero', 'special', 'empty'].indexOf(r.tag) << (2 * p);
  }
  return {
    fcw: w[W_FCW]!, fsw, top, ftw, fop: w[W_FOP]!,
    fip: `${hex(w[W_FCS]!, 4)}:${w[W_FIP_HI] ? hex(w[W_FIP_HI]!, 8) : ''}${hex(w[W_FIP_LO]!, 8)}`,
    fdp: `${hex(w[W_FDS]!, 4)}:${w[W_FDP_HI] ? hex(w[W_FDP_HI]!, 8) : ''}${hex(w[W_FDP_LO]!, 8)}`,
    regs, mxcsr: s[MXCSR]!, xcr0: `${s[XCR0 + 1] ? hex(s[XCR0 + 1]!, 8) : ''}${hex(s[XCR0]!, 8)}`,
  };
}

/** Text lines for a console or a failure report. */
export function formatX87(v: X87View): string {
  const masks = FLAGS.slice(0, 6).filter((_, b) => (v.fcw >>> b) & 1).map((n) => n[0] + 'M').join(' ');
  const raised = FLAGS.filter((_, b) => (v.fsw >>> b) & 1).join(' ');
  const cc = ['C0', 'C1', 'C2'].filter((_, k) => (v.fsw >>> (8 + k)) & 1).concat((v.fsw >>> 14) & 1 ? ['C3'] : []).join(' ');
  const out = [
    `fcw=${hex(v.fcw, 4)} [RC=${RC[(v.fcw >>> 10) & 3]} PC=${PC[(v.fcw >>> 8) & 3]} ${masks}]` +
    ` fsw=${hex(v.fsw, 4)} [TOP=${v.top}${cc ? ' ' + cc : ''}${raised ? ' ' + raised : ''}${v.fsw & 0x80 ? ' ES' : ''}${v.fsw & 0x8000 ? ' B' : ''}]` +
    ` ftw=${hex(v.ftw, 4)} fop=${hex(v.fop, 3)} fip=${v.fip} fdp=${v.fdp}`,
  ];
  for (const r of v.regs) {
    out.push(`st${r.st}=${r.raw} ${r.tag === 'empty' ? 'empty' : `${r.value} (${r.tag})`} R${r.phys}`);
  }
  out.push(`mxcsr=${hex(v.mxcsr, 8)} xcr0=${v.xcr0}`);
  return out.join('\n');
}
