/**
 * Decoded-block cache. A block is a run of instructions decoded once from one
 * physical 4 KiB page: up to MAX_INSNS instructions whose role (blockRules.ts)
 * is Inner, optionally closed by one Last (a near branch or a REP string op).
 * It starts at the physical address of its first byte and never crosses the
 * page, so one fetch translation (done by the CPU before it looks the block up)
 * covers every instruction, and a page-crossing instruction is never part of a
 * block (it runs through the per-instruction path, which re-translates).
 *
 * Validity: a block records its page's generation from the ICache it shares
 * (ICache.pageGen / watched). A guest write to a watched page bumps the
 * generation (and the CPU ends the running block after that instruction), so a
 * stale block is never entered again. The key includes the code size (2, 4, 8):
 * the same bytes decode differently in another mode. Everything the key does not
 * capture (CS limit, TF, interrupt shadow) the CPU checks at block entry.
 *
 * Blocks are built from physical memory without faults: if the next
 * instruction would run past the page end or does not decode, the block stops
 * before it, and that instruction later runs (and faults) on the exact path.
 */
import { decode, DecodeStatus, type CodeFetcher } from './decode.ts';
import { DecodedInsn } from './decodedInsn.ts';
import type { ICache } from './icache.ts';
import { BlockRole, blockRole } from './blockRules.ts';
import type { InsnHandler } from '../exec/handlerTypes.ts';

const BITS = 12;
const SIZE = 1 << BITS;
const MASK = SIZE - 1;
/** Longest block; longer straight-line code is simply several blocks. */
export const MAX_INSNS = 32;

export class Block {
  /** Physical address of the first byte, or -1 when the slot is empty. */
  pa = -1;
  codeSize = 0;
  /** ICache.pageGen of the page when the block was built. */
  gen = 0;
  /** Instructions in the block (0: the first one cannot be blocked; run it exactly). */
  count = 0;
  /** Bytes covered by the block (for the CS limit check at entry). */
  bytes = 0;
  readonly insns: DecodedInsn[] = [];
  /** Handler per instruction (a fast-path specialisation or the table's handler). */
  readonly fns: InsnHandler[] = [];
  /** Instruction length per instruction. */
  readonly lens = new Uint8Array(MAX_INSNS);
  /** 1 when the instruction has a memory operand (the CPU computes its effective address first). */
  readonly mem = new Uint8Array(MAX_INSNS);
}

/** Signals that decoding reached the end of the page. */
const PAGE_END = { pageEnd: true };

/** Reads code bytes straight from RAM within one page; never faults. */
class PageFetcher implements CodeFetcher {
  u8: Uint8Array = new Uint8Array(0);
  /** Physical address of the instruction being decoded. */
  pa = 0;
  /** Bytes left in the page from `pa`. */
  room = 0;
  fetch(k: number): number {
    if (k >= this.room) throw PAGE_END;
    return this.u8[this.pa + k];
  }
}

/** Optional specialisation of a handler for one decoded form (exec/fastPaths.ts). */
export type Specializer = (i: DecodedInsn) => InsnHandler | null;

export class BlockCache {
  readonly slots: Block[] = [];
  builds = 0;
  private readonly fetcher = new PageFetcher();

  constructor(private readonly icache: ICache, private readonly ram: Uint8Array, private readonly specialize: Specializer) {
    for (let k = 0; k < SIZE; k++) this.slots.push(new Block());
  }

  /** The block starting at physical address `pa` for `codeSize`, building it if needed. `pa` must be RAM. */
  get(pa: number, codeSize: number): Block {
    const b = this.slots[(pa ^ (pa >>> BITS)) & MASK];
    if (b.pa === pa && b.codeSize === codeSize && b.gen === this.icache.pageGen[pa >>> 12]) return b;
    this.build(b, pa, codeSize);
    return b;
  }

  private build(b: Block, pa: number, codeSize: number): void {
    this.builds++;
    const page = pa >>> 12;
    const f = this.fetcher;
    f.u8 = this.ram;
    b.pa = pa; b.codeSize = codeSize; b.gen = this.icache.pageGen[page];
    let n = 0, off = pa & 0xfff, bytes = 0;
    while (n < MAX_INSNS) {
      if (b.insns.length === n) b.insns.push(new DecodedInsn());
      const i = b.insns[n];
      f.pa = (pa & ~0xfff) + off; f.room = 0x1000 - off;
      let st: DecodeStatus;
      try { st = decode(f, codeSize, i); } catch (e) { if (e !== PAGE_END) throw e; break; }
      if (st !== DecodeStatus.Ok) break;
      const role = blockRole(i);
      if (role === BlockRole.Never) break;
      b.fns[n] = this.specialize(i) ?? (i.entry!.handler as InsnHandler);
      b.lens[n] = i.len;
      b.mem[n] = i.modrm >= 0 && i.mod !== 3 ? 1 : 0;
      n++; off += i.len; bytes += i.len;
      if (role === BlockRole.Last || off >= 0x1000) break;
    }
    b.count = n; b.bytes = bytes;
    // Watch the page even for an empty block, so that its generation moves on a write.
    this.icache.watched[page] = 1;
  }

  flush(): void {
    for (const b of this.slots) b.pa = -1;
  }
}
