import { describe, expect, it } from 'vitest';
import { PhysicalMemory } from '../mem/physicalMemory.ts';
import { loadMultiboot, MBI_CMDLINE, MBI_LOADER_NAME, MBI_MEMORY, MBI_MMAP, MULTIBOOT_BOOTLOADER_MAGIC } from './multiboot.ts';

const MiB = 1 << 20;

function mbHeader(flags: number, aout?: number[]): Uint8Array {
  const words = [0x1badb002, flags, (-(0x1badb002 + flags)) >>> 0, ...(aout ?? [])];
  const b = new Uint8Array(words.length * 4);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return b;
}

interface Seg { paddr: number; vaddr?: number; data: Uint8Array; memsz: number }

/** A minimal ELF32 or ELF64 executable: headers, then each segment's data; the Multiboot
 *  header is the first bytes of the first segment. */
function elf(is64: boolean, entry: number, segs: Seg[]): Uint8Array {
  const ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32;
  let off = ehsize + phsize * segs.length;
  const offsets = segs.map((s) => { const o = off; off += s.data.length; return o; });
  const b = new Uint8Array(off);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, 1, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, is64 ? 62 : 3, true);
  v.setUint32(20, 1, true);
  if (is64) {
    v.setUint32(24, entry, true); v.setUint32(32, ehsize, true);
    v.setUint16(52, ehsize, true); v.setUint16(54, phsize, true); v.setUint16(56, segs.length, true);
  } else {
    v.setUint32(24, entry, true); v.setUint32(28, ehsize, true);
    v.setUint16(40, ehsize, true); v.setUint16(42, phsize, true); v.setUint16(44, segs.length, true);
  }
  segs.forEach((s, i) => {
    const p = ehsize + i * phsize;
    v.setUint32(p, 1, true);
    if (is64) {
      v.setUint32(p + 8, offsets[i], true); v.setUint32(p + 16, s.vaddr ?? s.paddr, true);
      v.setUint32(p + 24, s.paddr, true); v.setUint32(p + 32, s.data.length, true); v.setUint32(p + 40, s.memsz, true);
    } else {
      v.setUint32(p + 4, offsets[i], true); v.setUint32(p + 8, s.vaddr ?? s.paddr, true);
      v.setUint32(p + 12, s.paddr, true); v.setUint32(p + 16, s.data.length, true); v.setUint32(p + 20, s.memsz, true);
    }
    b.set(s.data, offsets[i]);
  });
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function ram(mib = 4): PhysicalMemory {
  const m = new PhysicalMemory(mib * MiB);
  m.u8.fill(0xcc); // so zeroed bss is visible
  return m;
}

function cstr(m: PhysicalMemory, pa: number): string {
  let s = '';
  while (m.u8[pa] !== 0) s += String.fromCharCode(m.u8[pa++]);
  return s;
}

const code = concat(mbHeader(0x3), Uint8Array.from([0xf4, 0xeb, 0xfd]));

describe('loadMultiboot', () => {
  it('loads ELF32 PT_LOAD segments at their physical addresses and zeroes bss', () => {
    const m = ram();
    const data = Uint8Array.from([1, 2, 3, 4]);
    const r = loadMultiboot(m, elf(false, 0x10000c, [
      { paddr: 0x100000, data: code, memsz: code.length },
      { paddr: 0x200000, data, memsz: 0x100 },
    ]));
    expect(r.entry).toBe(0x10000c);
    expect(r.eax).toBe(MULTIBOOT_BOOTLOADER_MAGIC);
    expect(Array.from(m.u8.subarray(0x10000c, 0x10000f))).toEqual([0xf4, 0xeb, 0xfd]);
    expect(Array.from(m.u8.subarray(0x200000, 0x200004))).toEqual([1, 2, 3, 4]);
    expect(m.u8.subarray(0x200004, 0x200100).every((x) => x === 0)).toBe(true);
    expect(m.u8[0x200100]).toBe(0xcc); // nothing past p_memsz
    expect(r.segments).toEqual([{ start: 0x100000, end: 0x100000 + code.length }, { start: 0x200000, end: 0x200100 }]);
  });

  it('builds the boot information: memory sizes, e820-style map, cmdline, loader name', () => {
    const m = ram(8);
    const r = loadMultiboot(m, elf(false, 0x10000c, [{ paddr: 0x100000, data: code, memsz: 0x1000 }]), { cmdline: 'console=ttyS0 x=é' });
    const info = new DataView(m.buffer, r.ebx);
    const flags = info.getUint32(0, true);
    expect(flags & (MBI_MEMORY | MBI_MMAP | MBI_CMDLINE | MBI_LOADER_NAME)).toBe(MBI_MEMORY | MBI_MMAP | MBI_CMDLINE | MBI_LOADER_NAME);
    expect(info.getUint32(4, true)).toBe(639); // mem_lower, KiB
    expect(info.getUint32(8, true)).toBe(7 * 1024); // mem_upper, KiB above 1 MiB
    expect(cstr(m, info.getUint32(16, true))).toBe('console=ttyS0 x=\xc3\xa9'); // UTF-8 bytes
    expect(cstr(m, info.getUint32(64, true))).toBe('vmxlab');
    const len = info.getUint32(44, true), addr = info.getUint32(48, true);
    const mm = new DataView(m.buffer, addr, len);
    const entries: [number, number, number][] = [];
    for (let o = 0; o < len; o += mm.getUint32(o, true) + 4) {
      entries.push([mm.getUint32(o + 4, true), mm.getUint32(o + 12, true), mm.getUint32(o + 20, true)]);
    }
    expect(entries).toEqual([
      [0, 0x9fc00, 1], [0x9fc00, 0x400, 2], [0xf0000, 0x10000, 2], [0x100000, 7 * MiB, 1],
    ]);
  });

  it('leaves the cmdline flag clear when there is no command line', () => {
    const m = ram();
    const r = loadMultiboot(m, elf(false, 0x10000c, [{ paddr: 0x100000, data: code, memsz: code.length }]));
    expect(m.read32(r.ebx) & MBI_CMDLINE).toBe(0);
  });

  it('moves the info structure out of the way of an image that occupies low memory', () => {
    const m = ram();
    const r = loadMultiboot(m, elf(false, 0x800c, [{ paddr: 0x8000, data: code, memsz: 0x3000 }]));
    expect(r.ebx).toBeGreaterThanOrEqual(0xb000);
    expect(Array.from(m.u8.subarray(0x800c, 0x800f))).toEqual([0xf4, 0xeb, 0xfd]);
  });

  it('loads ELF64 images and translates a virtual entry point to the physical one', () => {
    const m = ram();
    const r = loadMultiboot(m, elf(true, 0x40000c, [{ paddr: 0x100000, vaddr: 0x400000, data: code, memsz: code.length }]));
    expect(r.entry).toBe(0x10000c);
    expect(m.u8[0x10000c]).toBe(0xf4);
  });

  it('loads a.out-kludge images from the header address fields (flag 16)', () => {
    // File: 16 bytes of padding, then the header at load_addr + 16, then code, then bss.
    const loadAddr = 0x100000;
    const prefix = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const hdrLen = 32;
    const body = Uint8Array.from([0x90, 0xf4]);
    const fileLen = 16 + hdrLen + body.length;
    const hdr = mbHeader(0x10003, [loadAddr + 16, loadAddr, loadAddr + fileLen, loadAddr + 0x1000, loadAddr + 16 + hdrLen]);
    const m = ram();
    const r = loadMultiboot(m, concat(prefix, hdr, body, Uint8Array.from([0xee, 0xee])));
    expect(r.entry).toBe(loadAddr + 48);
    expect(m.u8[loadAddr]).toBe(1);
    expect(m.u8[loadAddr + 48]).toBe(0x90);
    expect(m.u8[loadAddr + 49]).toBe(0xf4);
    expect(m.u8[loadAddr + 50]).toBe(0); // load_end_addr stops before the trailing bytes; bss is zero
    expect(m.u8[loadAddr + 0xfff]).toBe(0);
    expect(m.u8[loadAddr + 0x1000]).toBe(0xcc);
  });

  describe('rejects bad images with a message naming the problem', () => {
    const ok = () => elf(false, 0x10000c, [{ paddr: 0x100000, data: code, memsz: code.length }]);

    it('no header', () => {
      expect(() => loadMultiboot(ram(), new Uint8Array(64))).toThrow(/no Multiboot header/);
    });
    it('header beyond the first 8 KiB', () => {
      expect(() => loadMultiboot(ram(), concat(new Uint8Array(8192), mbHeader(0)))).toThrow(/no Multiboot header/);
    });
    it('bad checksum', () => {
      const img = ok();
      const v = new DataView(img.buffer);
      let at = 0;
      while (v.getUint32(at, true) !== 0x1badb002) at += 4;
      img[at + 8] ^= 1; // checksum field
      expect(() => loadMultiboot(ram(), img)).toThrow(/bad checksum/);
    });
    it('not ELF and no a.out kludge', () => {
      expect(() => loadMultiboot(ram(), concat(mbHeader(0), new Uint8Array(32)))).toThrow(/not an ELF file/);
    });
    it('truncated segment data', () => {
      const img = ok();
      expect(() => loadMultiboot(ram(), img.subarray(0, img.length - 2))).toThrow(/truncated/);
    });
    it('segment outside RAM', () => {
      const img = elf(false, 0x10000c, [{ paddr: 0x100000, data: code, memsz: code.length }, { paddr: 0x3ff000, data: new Uint8Array(4), memsz: 0x2000 }]);
      expect(() => loadMultiboot(ram(4), img)).toThrow(/segment 1 \[0x3ff000, 0x401000\) is outside guest RAM/);
    });
    it('required feature bits the loader does not know', () => {
      const img = elf(false, 0x10000c, [{ paddr: 0x100000, data: concat(mbHeader(0x10), Uint8Array.from([0xf4])), memsz: 13 }]);
      expect(() => loadMultiboot(ram(), img)).toThrow(/requires features.*0x10/);
    });
    it('wrong ELF machine', () => {
      const img = ok();
      img[18] = 40; // ARM
      expect(() => loadMultiboot(ram(), img)).toThrow(/machine 40/);
    });
    it('a.out kludge fields that point before the file', () => {
      const hdr = mbHeader(0x10000, [0x100000, 0x0f0000, 0, 0, 0x100000]);
      expect(() => loadMultiboot(ram(), hdr)).toThrow(/before the start of the file/);
    });
  });
});
