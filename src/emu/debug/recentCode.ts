/**
 * The last instructions the CPU started (the recent-RIP ring), with their
 * bytes read through a side-effect-free page walk: what a post-mortem dump
 * (triple fault, timeout, unimplemented instruction) disassembles.
 * Addresses are linear (CS base 0 in 64-bit mode; protected-mode callers
 * see offsets in flat segments, which is what Linux and Multiboot use).
 */
import type { Cpu } from '../cpu/cpu.ts';
import { RECENT_RIPS } from '../cpu/cpu.ts';
import { Access } from '../cpu/mmu/mmu.ts';
import { WalkTrace } from '../cpu/mmu/walkTrace.ts';

export interface RecentInstruction {
  address: bigint;
  /** Up to 15 bytes from the address (fewer if a page is unmapped). */
  bytes: Uint8Array;
}

/** Reads up to `len` bytes at a linear address without faults, A/D updates or TLB fills. */
export function peekLinear(cpu: Cpu, la: bigint, len: number): Uint8Array {
  const out: number[] = [];
  const trace = new WalkTrace();
  for (let i = 0; i < len; i++) {
    const a = (la + BigInt(i)) & 0xffffffffffffffffn;
    const lo = Number(a & 0xffffffffn), hi = Number(a >> 32n);
    if (!cpu.mmu.walk(lo, hi, Access.Read, false, false, trace, false) || trace.pa < 0) break;
    const pa = trace.pa;
    if (pa >= cpu.mem.size) break;
    out.push(cpu.mem.u8[pa]);
  }
  return Uint8Array.from(out);
}

/** Oldest first; consecutive duplicates (a HLT or a loop on itself) collapsed. */
export function recentInstructions(cpu: Cpu): RecentInstruction[] {
  const ring = cpu.recentRips;
  const out: RecentInstruction[] = [];
  let last = -1n;
  for (let k = 0; k < RECENT_RIPS; k++) {
    const i = ((cpu.recentPos >> 1) + k) % RECENT_RIPS;
    const lo = ring[i * 2], hi = ring[i * 2 + 1];
    if (lo === 0 && hi === 0) continue;
    const address = (BigInt(hi) << 32n) | BigInt(lo);
    if (address === last) continue;
    last = address;
    out.push({ address, bytes: peekLinear(cpu, address, 15) });
  }
  return out;
}
