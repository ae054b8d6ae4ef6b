/**
 * Guest-physical address space: RAM in one (optionally shared) buffer, plus
 * MMIO windows claimed by devices (LAPIC, IOAPIC, ...).
 *
 * Guest-physical addresses are plain numbers below 2^32 (see STYLE.md §8).
 * Accesses that hit no RAM and no MMIO window read as all-ones and discard
 * writes, as an unclaimed bus cycle does on a PC.
 */

export interface MmioHandler {
  /** Reads `size` bytes (1, 2, 4 or 8 -> low 32 bits only) at `offset` into the window. */
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

interface MmioWindow {
  base: number;
  size: number;
  handler: MmioHandler;
}

export class PhysicalMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  /** Bytes of RAM, a multiple of 4 KiB. */
  readonly size: number;
  private readonly mmio: MmioWindow[] = [];
  /** Lowest MMIO base: a fast "is it RAM" test is `pa < ramTop`. */
  private mmioLow = 0xffffffff;

  constructor(sizeBytes: number, shared = false) {
    if (!Number.isInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % 4096 !== 0 || sizeBytes > 0xf000_0000) {
      throw new RangeError(`RAM size must be a positive multiple of 4 KiB below 3.75 GiB, got ${sizeBytes}`);
    }
    this.size = sizeBytes;
    this.buffer = shared ? new SharedArrayBuffer(sizeBytes) : new ArrayBuffer(sizeBytes);
    this.u8 = new Uint8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
  }

  mapMmio(base: number, size: number, handler: MmioHandler): void {
    if (base < this.size) throw new RangeError(`MMIO window at 0x${base.toString(16)} overlaps RAM`);
    this.mmio.push({ base, size, handler });
    this.mmioLow = Math.min(this.mmioLow, base);
  }

  private window(pa: number): MmioWindow | undefined {
    for (const w of this.mmio) if (pa >= w.base && pa < w.base + w.size) return w;
    return undefined;
  }

  read8(pa: number): number {
    if (pa < this.size) return this.u8[pa];
    const w = this.window(pa);
    return w ? w.handler.read(pa - w.base, 1) & 0xff : 0xff;
  }

  read16(pa: number): number {
    if (pa + 1 < this.size) return (pa & 1) === 0 ? this.u16[pa >>> 1] : this.u8[pa] | (this.u8[pa + 1] << 8);
    const w = this.window(pa);
    if (w) return w.handler.read(pa - w.base, 2) & 0xffff;
    return this.read8(pa) | (this.read8(pa + 1) << 8);
  }

  /** Returns the value as an unsigned 32-bit number. */
  read32(pa: number): number {
    if (pa + 3 < this.size) {
      if ((pa & 3) === 0) return this.u32[pa >>> 2];
      const u8 = this.u8;
      return (u8[pa] | (u8[pa + 1] << 8) | (u8[pa + 2] << 16) | (u8[pa + 3] << 24)) >>> 0;
    }
    const w = this.window(pa);
    if (w) return w.handler.read(pa - w.base, 4) >>> 0;
    return (this.read16(pa) | (this.read16(pa + 2) << 16)) >>> 0;
  }

  write8(pa: number, v: number): void {
    if (pa < this.size) { this.u8[pa] = v; return; }
    const w = this.window(pa);
    if (w) w.handler.write(pa - w.base, 1, v & 0xff);
  }

  write16(pa: number, v: number): void {
    if (pa + 1 < this.size) {
      if ((pa & 1) === 0) this.u16[pa >>> 1] = v;
      else { this.u8[pa] = v; this.u8[pa + 1] = v >>> 8; }
      return;
    }
    const w = this.window(pa);
    if (w) { w.handler.write(pa - w.base, 2, v & 0xffff); return; }
    this.write8(pa, v); this.write8(pa + 1, v >>> 8);
  }

  write32(pa: number, v: number): void {
    if (pa + 3 < this.size) {
      if ((pa & 3) === 0) this.u32[pa >>> 2] = v;
      else { const u8 = this.u8; u8[pa] = v; u8[pa + 1] = v >>> 8; u8[pa + 2] = v >>> 16; u8[pa + 3] = v >>> 24; }
      return;
    }
    const w = this.window(pa);
    if (w) { w.handler.write(pa - w.base, 4, v >>> 0); return; }
    this.write16(pa, v); this.write16(pa + 2, v >>> 16);
  }

  /** Debug read: never touches MMIO (no side effects). Unbacked bytes read as 0xff. */
  peek8(pa: number): number {
    return pa >= 0 && pa < this.size ? this.u8[pa] : 0xff;
  }

  /** Copies host bytes into RAM (loaders). Throws if the range is not RAM. */
  load(pa: number, bytes: Uint8Array): void {
    if (pa < 0 || pa + bytes.length > this.size) {
      throw new RangeError(`cannot load ${bytes.length} bytes at 0x${pa.toString(16)}: RAM is ${this.size} bytes`);
    }
    this.u8.set(bytes, pa);
  }
}
