/** dumpRegisters(): the register file formatted for a kernel developer. */
import type { Cpu } from './cpu.ts';
import { EFLAGS_NAMES, GPR_NAMES64, SEG_NAMES } from './state/names.ts';
import { readFlags } from './flags.ts';
import {
  CR0, CR2, CR3, CR4, CR8, DR, DR6, DR7, EFER, GDTR, GPR, IDTR, RIP, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT, SEG_SEL, segOff,
} from './state/layout.ts';
import { hex64 } from './u64.ts';

const h8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
const h4 = (v: number): string => (v & 0xffff).toString(16).padStart(4, '0');

export function formatRegisters(c: Cpu): string {
  const s = c.s;
  const out: string[] = [];
  for (let r = 0; r < 16; r += 4) {
    out.push([0, 1, 2, 3].map((k) => `${GPR_NAMES64[r + k].padStart(3)}=${hex64(s[GPR + (r + k) * 2], s[GPR + (r + k) * 2 + 1])}`).join(' '));
  }
  const f = readFlags(s);
  const names = EFLAGS_NAMES.map((n, b) => (n && (f >>> b) & 1 ? n : null)).filter(Boolean).join(' ');
  const mode = c.long64 ? '64-bit' : (s[EFER] & 0x400) !== 0 ? 'compatibility' : !(s[CR0] & 1) ? 'real' : (f & (1 << 17)) ? 'virtual-8086' : `protected ${c.codeSize * 8}-bit`;
  out.push(`rip=${hex64(s[RIP], s[RIP + 1])} rflags=${h8(f)} [${names} IOPL=${(f >>> 12) & 3}] cpl=${c.cpl} mode=${mode}`);
  for (let seg = 0; seg < 8; seg++) {
    const b = segOff(seg, 0);
    const ar = s[b + SEG_AR];
    const attr = ar & 0x10000 ? 'unusable' : `type=${(ar & 0xf).toString(16)} s=${(ar >> 4) & 1} dpl=${(ar >> 5) & 3} p=${(ar >> 7) & 1} l=${(ar >> 13) & 1} db=${(ar >> 14) & 1} g=${(ar >> 15) & 1}`;
    out.push(`${SEG_NAMES[seg].padEnd(4)} sel=${h4(s[b + SEG_SEL])} base=${hex64(s[b + SEG_BASE_LO], s[b + SEG_BASE_HI])} limit=${h8(s[b + SEG_LIMIT])} ar=${h8(ar).slice(3)} ${attr}`);
  }
  out.push(`gdtr base=${hex64(s[GDTR], s[GDTR + 1])} limit=${h4(s[GDTR + 2])}   idtr base=${hex64(s[IDTR], s[IDTR + 1])} limit=${h4(s[IDTR + 2])}`);
  out.push(`cr0=${h8(s[CR0])} cr2=${hex64(s[CR2], s[CR2 + 1])} cr3=${hex64(s[CR3], s[CR3 + 1])} cr4=${h8(s[CR4])} cr8=${s[CR8]} efer=${h8(s[EFER])}`);
  out.push(`dr0=${hex64(s[DR], s[DR + 1])} dr1=${hex64(s[DR + 2], s[DR + 3])} dr2=${hex64(s[DR + 4], s[DR + 5])} dr3=${hex64(s[DR + 6], s[DR + 7])} dr6=${h8(s[DR6])} dr7=${h8(s[DR7])}`);
  out.push(`icount=${c.icount}`);
  return out.join('\n');
}
