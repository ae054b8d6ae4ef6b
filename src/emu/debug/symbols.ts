/**
 * Kernel symbols from a System.map ("ffffffff81000000 T _text" per line), for
 * naming addresses in the disassembly ("<do_syscall_64+0x2a>").
 * Addresses are kept as two uint32 halves in sorted typed arrays: lookups are
 * a binary search with no BigInt.
 */

export interface SymbolHit {
  name: string;
  /** Bytes past the symbol's start. */
  offset: number;
}

/** Symbol types that name code or data a person would want to see (not absolute or debugging ones). */
const USEFUL_TYPES = /^[TtWwDdBbRrVv]$/;

export class SymbolTable {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly names: string[];

  private constructor(hi: Uint32Array, lo: Uint32Array, names: string[]) {
    this.hi = hi;
    this.lo = lo;
    this.names = names;
  }

  get size(): number {
    return this.names.length;
  }

  /**
   * Parses System.map text. Malformed lines are skipped and counted, so one
   * bad line cannot hide the rest; a file with no usable line is an error.
   */
  static parseSystemMap(text: string): { table: SymbolTable; skipped: number } {
    const rows: { hi: number; lo: number; name: string }[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const m = /^([0-9a-fA-F]{1,16})\s+(\S)\s+(\S+)\s*$/.exec(line);
      if (!m) {
        skipped++;
        continue;
      }
      if (!USEFUL_TYPES.test(m[2])) continue;
      const hex = m[1].padStart(16, '0');
      rows.push({ hi: parseInt(hex.slice(0, 8), 16), lo: parseInt(hex.slice(8), 16), name: m[3] });
    }
    if (rows.length === 0) throw new Error('not a System.map: no "address type name" lines found');
    rows.sort((a, b) => a.hi - b.hi || a.lo - b.lo);
    const hi = new Uint32Array(rows.length);
    const lo = new Uint32Array(rows.length);
    rows.forEach((r, i) => {
      hi[i] = r.hi;
      lo[i] = r.lo;
    });
    return { table: new SymbolTable(hi, lo, rows.map((r) => r.name)), skipped };
  }

  /**
   * The nearest symbol at or below the address, if within `maxOffset` bytes
   * (past the last symbol of a region, an address is probably not in it).
   */
  lookup(addrHi: number, addrLo: number, maxOffset = 0x10000): SymbolHit | null {
    let lo = 0;
    let hi = this.names.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const below = this.hi[mid] < addrHi || (this.hi[mid] === addrHi && this.lo[mid] <= addrLo);
      if (below) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || this.hi[found] !== addrHi) return null;
    const offset = addrLo - this.lo[found];
    return offset <= maxOffset ? { name: this.names[found], offset } : null;
  }

  /** The address of a symbol by name (first match), as [hi, lo]. */
  addressOf(name: string): [number, number] | null {
    const i = this.names.indexOf(name);
    return i < 0 ? null : [this.hi[i], this.lo[i]];
  }
}

export function formatSymbol(hit: SymbolHit): string {
  return hit.offset === 0 ? `<${hit.name}>` : `<${hit.name}+0x${hit.offset.toString(16)}>`;
}
