/**
 * Low-memory structures a Linux loader writes (Documentation/arch/x86/zero-page.rst,
 * boot.rst): the e820 map, boot_params, the loader's GDT and the identity page
 * tables the 64-bit entry needs. Fixed addresses in conventional memory, below
 * the EBDA; the kernel copies boot_params and the command line early and then
 * builds its own GDT and page tables.
 */
import type { PhysicalMemory } from '../mem/physicalMemory.ts';
import { HDR, type SetupHeader } from './bzImage.ts';

export const E820_RAM = 1, E820_RESERVED = 2;
export interface E820Entry { base: number; length: number; type: number }

export const GDT_ADDR = 0x5000;
export const PVH_START_INFO_ADDR = 0x6000;
export const ZERO_PAGE_ADDR = 0x7000;
/** PML4 at 0x9000, PDPT at 0xa000, four page directories at 0xb000-0xe000: 0-4 GiB in 2 MiB pages. */
export const PML4_ADDR = 0x9000;
export const CMDLINE_ADDR = 0x20000;
export const CMDLINE_MAX = 0x10000;
/** Conventional RAM ends at the EBDA (639 KiB); the BIOS area 0xF0000-0xFFFFF holds the MP table. */
export const LOW_RAM_END = 0x9fc00;
export const BIOS_AREA = 0xf0000;
export const HIGH_RAM_START = 0x100000;

// boot_params offsets (zero-page.rst)
const BP_EXT_RAMDISK_IMAGE = 0x0c0, BP_EXT_RAMDISK_SIZE = 0x0c4, BP_EXT_CMD_LINE_PTR = 0x0c8;
const BP_E820_ENTRIES = 0x1e8, BP_E820_TABLE = 0x2d0, E820_MAX = 128;

/** The PC memory map vmxlab presents: low RAM, EBDA and BIOS area reserved, RAM from 1 MiB. */
export function e820Map(ramBytes: number): E820Entry[] {
  return [
    { base: 0, length: LOW_RAM_END, type: E820_RAM },
    { base: LOW_RAM_END, length: 0xa0000 - LOW_RAM_END, type: E820_RESERVED },
    { base: BIOS_AREA, length: 0x10000, type: E820_RESERVED },
    { base: HIGH_RAM_START, length: ramBytes - HIGH_RAM_START, type: E820_RAM },
  ];
}

function put64(mem: PhysicalMemory, pa: number, v: number): void {
  mem.write32(pa, v >>> 0);
  mem.write32(pa + 4, Math.floor(v / 2 ** 32));
}

/** Writes `text` NUL-terminated at CMDLINE_ADDR; `max` counts the NUL (cmdline_size + 1). */
export function writeCmdline(mem: PhysicalMemory, text: string, max: number): number {
  // Linux reads the command line as bytes; non-ASCII characters are passed as UTF-8.
  const bytes = utf8(text);
  if (bytes.length + 1 > Math.min(max, CMDLINE_MAX)) {
    throw new RangeError(`kernel command line is ${bytes.length} bytes; this kernel accepts at most ${Math.min(max, CMDLINE_MAX) - 1}`);
  }
  mem.u8.set(bytes, CMDLINE_ADDR);
  mem.u8[CMDLINE_ADDR + bytes.length] = 0;
  return CMDLINE_ADDR;
}

export interface ZeroPageInput {
  file: Uint8Array;
  hdr: SetupHeader;
  ramBytes: number;
  cmdlinePtr: number;
  initrd: { addr: number; size: number } | null;
}

/** boot_params at ZERO_PAGE_ADDR: zeroed (so screen_info is empty), the file's setup header, loader fields, e820. */
export function writeZeroPage(mem: PhysicalMemory, z: ZeroPageInput): number {
  const zp = ZERO_PAGE_ADDR;
  mem.u8.fill(0, zp, zp + 4096);
  mem.u8.set(z.file.subarray(HDR.setup_sects, z.hdr.headerEnd), zp + HDR.setup_sects);
  const b = (off: number, v: number): void => { mem.u8[zp + off] = v; };
  b(HDR.type_of_loader, 0xff); // "undefined" loader id: no registered id for vmxlab
  b(HDR.loadflags, (z.hdr.loadflags & ~0x60) | 0x80); // clear QUIET/KEEP_SEGMENTS, set CAN_USE_HEAP
  mem.write16(zp + HDR.heap_end_ptr, 0xfe00);
  mem.write32(zp + HDR.cmd_line_ptr, z.cmdlinePtr);
  mem.write32(zp + BP_EXT_CMD_LINE_PTR, 0);
  mem.write32(zp + HDR.ramdisk_image, z.initrd?.addr ?? 0);
  mem.write32(zp + HDR.ramdisk_size, z.initrd?.size ?? 0);
  mem.write32(zp + BP_EXT_RAMDISK_IMAGE, 0);
  mem.write32(zp + BP_EXT_RAMDISK_SIZE, 0);
  const map = e820Map(z.ramBytes);
  if (map.length > E820_MAX) throw new Error('e820 map too long');
  b(BP_E820_ENTRIES, map.length);
  map.forEach((e, i) => {
    const pa = zp + BP_E820_TABLE + i * 20;
    put64(mem, pa, e.base);
    put64(mem, pa + 8, e.length);
    mem.write32(pa + 16, e.type);
  });
  return zp;
}

/** BIOS data area word 0x413: base memory in KiB (Linux uses it to find the EBDA's start). */
export function writeBiosDataArea(mem: PhysicalMemory): void {
  mem.write16(0x413, LOW_RAM_END >>> 10);
}

/** GDT with null, null, __BOOT_CS (64-bit flat code) and __BOOT_DS (flat data), plus a flat 32-bit code at 08H for PVH. */
export function writeBootGdt(mem: PhysicalMemory): { base: number; limit: number } {
  const d = [
    [0, 0],
    [0x0000ffff, 0x00cf9a00], // 08H: 32-bit flat code (PVH entry)
    [0x0000ffff, 0x00af9a00], // 10H: __BOOT_CS, L=1
    [0x0000ffff, 0x00cf9200], // 18H: __BOOT_DS
  ];
  d.forEach(([lo, hi], i) => { mem.write32(GDT_ADDR + i * 8, lo); mem.write32(GDT_ADDR + i * 8 + 4, hi); });
  return { base: GDT_ADDR, limit: d.length * 8 - 1 };
}

/** Identity map of 0-4 GiB with 2 MiB pages (present, writable); returns CR3. */
export function writeIdentityPageTables(mem: PhysicalMemory): number {
  const pml4 = PML4_ADDR, pdpt = PML4_ADDR + 0x1000, pd0 = PML4_ADDR + 0x2000;
  mem.u8.fill(0, pml4, pd0 + 4 * 0x1000);
  mem.write32(pml4, pdpt | 3);
  for (let g = 0; g < 4; g++) {
    mem.write32(pdpt + g * 8, (pd0 + g * 0x1000) | 3);
    for (let i = 0; i < 512; i++) {
      const pa = g * 2 ** 30 + i * 2 ** 21;
      mem.write32(pd0 + g * 0x1000 + i * 8, (pa | 0x83) >>> 0); // P, RW, PS
    }
  }
  return pml4;
}

function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}
