/**
 * What the worker answers for the debugger panels, computed from the live
 * machine without side effects: disassembly around an address, the page walk
 * of a linear address through the MMU's own walker (Mmu.walk with
 * sideEffects=false: no A/D writes, no TLB fill), and linear-to-physical
 * translations for the memory panel. Plain functions over a Machine.
 */
import type { Machine } from '../emu/machine.ts';
import type { Disassembler, Bitness } from '../emu/debug/disasm.ts';
import type { SymbolTable } from '../emu/debug/symbols.ts';
import { Access, WalkFault, WalkTrace } from '../emu/cpu/mmu/mmu.ts';
import { CR0, EFER, RFLAGS, SEG_AR, SEG_BASE_HI, SEG_BASE_LO, segOff } from '../emu/cpu/state/layout.ts';
import type { AsmSyntax, CpuModeName, DisasmRow, PageWalkResult, Translation } from './protocol.ts';

const CS = 1;
const MASK64 = (1n << 64n) - 1n;

export function cpuMode(m: Machine): { mode: CpuModeName; bits: 16 | 32 | 64 } {
  const c = m.cpu;
  const s = c.s;
  const bits = (c.codeSize * 8) as 16 | 32 | 64;
  if ((s[CR0] & 1) === 0) return { mode: 'real', bits };
  if ((s[RFLAGS] & (1 << 17)) !== 0) return { mode: 'virtual-8086', bits };
  if ((s[EFER] & (1 << 10)) !== 0) return { mode: c.long64 ? 'long' : 'compatibility', bits };
  return { mode: 'protected', bits };
}

/** Linear address of a code offset (RIP value): CS.base + offset outside 64-bit mode. */
export function codeLinear(m: Machine, rip: bigint): bigint {
  if (m.cpu.long64) return rip & MASK64;
  const s = m.cpu.s;
  const base = BigInt(s[segOff(CS, SEG_BASE_LO)]) | (BigInt(s[segOff(CS, SEG_BASE_HI)]) << 32n);
  return (base + rip) & 0xffffffffn;
}

/** Physical address of a linear address by a side-effect-free walk, or -1. */
export function peekTranslate(m: Machine, la: bigint, trace = new WalkTrace()): number {
  const lo = Number(la & 0xffffffffn);
  const hi = Number((la >> 32n) & 0xffffffffn);
  return m.cpu.mmu.walk(lo, hi, Access.Read, false, false, trace, false) ? trace.pa : -1;
}

/** Reads up to `len` bytes of RAM at a linear address; stops at the first unmapped or non-RAM byte. */
export function peekLinear(m: Machine, la: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const trace = new WalkTrace();
  let n = 0;
  while (n < len) {
    const pa = peekTranslate(m, (la + BigInt(n)) & MASK64, trace);
    if (pa < 0) break;
    const chunk = Math.min(len - n, 4096 - (pa & 0xfff), m.mem.size - pa);
    if (chunk <= 0) break;
    out.set(m.mem.u8.subarray(pa, pa + chunk), n);
    n += chunk;
  }
  return out.subarray(0, n);
}

export interface DisasmContext {
  dis: Disassembler;
  symbols: SymbolTable | null;
}

/**
 * `count` instructions starting `before` instructions ahead of `address` (a
 * RIP value). x86 cannot be decoded backwards, so the start is the earliest
 * offset within 15 bytes per instruction whose decoding lands on `address`.
 */
export function disassembleAround(m: Machine, ctx: DisasmContext, address: bigint, before: number, count: number,
  syntax: AsmSyntax): DisasmRow[] {
  const bits = (m.cpu.codeSize * 8) as Bitness;
  const opts = { syntax, symbols: ctx.symbols };
  const mask = bits === 64 ? MASK64 : bits === 32 ? 0xffffffffn : 0xffffn;
  const read = (start: bigint, len: number) => peekLinear(m, codeLinear(m, start), len);
  let prefix: DisasmRow[] = [];
  if (before > 0) {
    const span = BigInt(Math.min(before * 8, 120));
    for (let back = span; back > 0n && prefix.length === 0; back--) {
      const start = (address - back) & mask;
      const code = read(start, Number(back));
      if (code.length < Number(back)) continue;
      const lines = ctx.dis.disassemble(code, start, bits, 200, opts);
      let at = start;
      for (const l of lines) at += BigInt(l.length);
      if (at === address && lines.every((l) => !l.invalid) && lines.length >= Math.min(before, 1)) {
        prefix = lines.slice(-before).map(toRow);
      }
    }
  }
  const code = read(address, count * 15);
  const rest = ctx.dis.disassemble(code, address, bits, count - prefix.length, opts).map(toRow);
  return [...prefix, ...rest];
}

function toRow(l: { address: bigint; bytes: string; text: string; symbol: string | null; invalid: boolean }): DisasmRow {
  return { address: l.address, bytes: l.bytes, text: l.text, symbol: l.symbol, invalid: l.invalid };
}

const FAULT_NAMES: Record<number, string | null> = {
  [WalkFault.None]: null,
  [WalkFault.NotPresent]: 'not-present',
  [WalkFault.Reserved]: 'reserved',
  [WalkFault.Protection]: 'protection',
};

/** The walk of a linear address as a read at the current CPL, by the MMU's own walker. */
export function pageWalk(m: Machine, address: bigint): PageWalkResult {
  const c = m.cpu;
  const trace = new WalkTrace();
  const lo = Number(address & 0xffffffffn);
  const hi = Number((address >> 32n) & 0xffffffffn);
  const user = c.cpl === 3;
  const ok = c.mmu.walk(lo, hi, Access.Read, user, false, trace, false);
  return {
    address,
    mode: c.mmu.mode,
    user,
    levels: trace.records(),
    ok,
    pa: ok ? trace.pa : -1,
    pageBits: trace.pageBits,
    fault: FAULT_NAMES[trace.fault] ?? 'unknown',
    pfec: trace.pfec,
    cr3Lo: c.mmu.ctl.cr3Lo,
    cr3Hi: c.mmu.ctl.cr3Hi,
  };
}

/** Physical address of each 4 KiB page under [address, address + length). */
export function translateRange(m: Machine, address: bigint, length: number): Translation {
  const pages: Translation['pages'] = [];
  const trace = new WalkTrace();
  const first = address & ~0xfffn;
  const last = (address + BigInt(Math.max(length, 1) - 1)) & ~0xfffn;
  for (let la = first; la <= last && pages.length < 64; la += 0x1000n) {
    pages.push({ la, pa: peekTranslate(m, la & MASK64, trace) });
  }
  return { address, pages };
}
