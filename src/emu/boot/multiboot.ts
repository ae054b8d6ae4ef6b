/**
 * Multiboot v1 loader (The Multiboot Specification, version 0.6.96).
 *
 * Finds the Multiboot header in the first 8 KiB of the image, loads the image
 * (ELF32/ELF64 PT_LOAD segments at their physical addresses, or the a.out-kludge
 * address fields when header flag 16 is set), and builds the boot information
 * structure in guest RAM (memory sizes, an e820-style memory map, the command
 * line, the boot loader name). The caller starts the CPU in 32-bit protected
 * mode at `entry` with EAX = 0x2BADB002 and EBX = `ebx` (spec section 3.2).
 */
import type { PhysicalMemory } from '../mem/physicalMemory.ts';

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
const HEADER_SEARCH_BYTES = 8192;

// Header flags (spec 3.1.2). Bits 0-15 are requirements the loader must honour.
const HF_PAGE_ALIGN = 1 << 0; // modules on 4 KiB boundaries: we load no modules
const HF_MEMORY_INFO = 1 << 1; // mem_* fields: always provided
const HF_VIDEO_MODE = 1 << 2; // a preference only; we stay in text mode and say so
const HF_AOUT_KLUDGE = 1 << 16;
const HF_UNDERSTOOD = HF_PAGE_ALIGN | HF_MEMORY_INFO | HF_VIDEO_MODE;

// Boot information flags (spec 3.3).
export const MBI_MEMORY = 1 << 0;
export const MBI_CMDLINE = 1 << 2;
export const MBI_MODS = 1 << 3;
export const MBI_MMAP = 1 << 6;
export const MBI_LOADER_NAME = 1 << 9;

export const MMAP_AVAILABLE = 1;
export const MMAP_RESERVED = 2;

/** Where the info structure goes unless the image occupies that memory. */
const INFO_BASE = 0x8000;
const INFO_STRUCT_BYTES = 88;
const LOADER_NAME = 'vmxlab';
/** Conventional PC holes: EBDA below 640 KiB and the BIOS area below 1 MiB. */
const LOW_RAM_END = 0x9fc00;
const BIOS_AREA = 0xf0000;

export interface MultibootLoad {
  /** Physical entry point (EIP). */
  entry: number;
  /** EAX at entry: always 0x2BADB002. */
  eax: number;
  /** EBX at entry: physical address of the multiboot_info structure. */
  ebx: number;
  /** Physical [start, end) ranges the image occupies (including bss). */
  segments: Array<{ start: number; end: number }>;
}

export interface MultibootOptions {
  cmdline?: string;
}

export interface MemoryRange {
  base: number;
  length: number;
  type: number;
}

/** The e820-style map we report for `ramBytes` of RAM. */
export function multibootMemoryMap(ramBytes: number): MemoryRange[] {
  const map: MemoryRange[] = [];
  const lowTop = Math.min(ramBytes, LOW_RAM_END);
  map.push({ base: 0, length: lowTop, type: MMAP_AVAILABLE });
  if (ramBytes > LOW_RAM_END) map.push({ base: LOW_RAM_END, length: 0xa0000 - LOW_RAM_END, type: MMAP_RESERVED });
  map.push({ base: BIOS_AREA, length: 0x100000 - BIOS_AREA, type: MMAP_RESERVED });
  if (ramBytes > 0x100000) map.push({ base: 0x100000, length: ramBytes - 0x100000, type: MMAP_AVAILABLE });
  return map;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(off: number, what: string): number {
    this.need(off, 2, what);
    return this.view.getUint16(off, true);
  }
  u32(off: number, what: string): number {
    this.need(off, 4, what);
    return this.view.getUint32(off, true);
  }
  /** A 64-bit field that must fit in 32 bits (physical addresses below 4 GiB). */
  u64(off: number, what: string): number {
    this.need(off, 8, what);
    const hi = this.view.getUint32(off + 4, true);
    if (hi !== 0) throw new Error(`multiboot: ${what} is above 4 GiB (${hex(hi)}${this.view.getUint32(off, true).toString(16).padStart(8, '0')})`);
    return this.view.getUint32(off, true);
  }
  need(off: number, len: number, what: string): void {
    if (off < 0 || off + len > this.bytes.length) {
      throw new Error(`multiboot: image truncated: ${what} at file offset ${hex(off)}+${len} is past the end (${this.bytes.length} bytes)`);
    }
  }
}

interface Header {
  offset: number;
  flags: number;
}

function findHeader(r: Reader): Header {
  const limit = Math.min(r.bytes.length, HEADER_SEARCH_BYTES) - 12;
  let badChecksumAt = -1;
  for (let off = 0; off <= limit; off += 4) {
    if (r.u32(off, 'header magic') !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = r.u32(off + 4, 'header flags');
    const checksum = r.u32(off + 8, 'header checksum');
    if (((MULTIBOOT_HEADER_MAGIC + flags + checksum) >>> 0) !== 0) {
      badChecksumAt = off;
      continue;
    }
    return { offset: off, flags };
  }
  if (badChecksumAt >= 0) {
    throw new Error(`multiboot: header at file offset ${hex(badChecksumAt)} has a bad checksum (magic + flags + checksum must be 0 mod 2^32)`);
  }
  throw new Error(`multiboot: no Multiboot header (magic ${hex(MULTIBOOT_HEADER_MAGIC)}) in the first 8 KiB of the image`);
}

function checkRam(mem: PhysicalMemory, start: number, len: number, what: string): void {
  if (start + len > mem.size) {
    throw new Error(`multiboot: ${what} [${hex(start)}, ${hex(start + len)}) is outside guest RAM (${mem.size / 1048576} MiB)`);
  }
}

function loadAout(mem: PhysicalMemory, r: Reader, h: Header): { entry: number; segments: MultibootLoad['segments'] } {
  const o = h.offset;
  const headerAddr = r.u32(o + 12, 'header_addr');
  const loadAddr = r.u32(o + 16, 'load_addr');
  const loadEndAddr = r.u32(o + 20, 'load_end_addr');
  const bssEndAddr = r.u32(o + 24, 'bss_end_addr');
  const entry = r.u32(o + 28, 'entry_addr');
  if (loadAddr > headerAddr) throw new Error(`multiboot: load_addr ${hex(loadAddr)} is above header_addr ${hex(headerAddr)}`);
  const fileStart = o - (headerAddr - loadAddr);
  if (fileStart < 0) throw new Error(`multiboot: header_addr - load_addr (${hex(headerAddr - loadAddr)}) reaches before the start of the file`);
  const loadLen = loadEndAddr === 0 ? r.bytes.length - fileStart : loadEndAddr - loadAddr;
  if (loadLen < 0) throw new Error(`multiboot: load_end_addr ${hex(loadEndAddr)} is below load_addr ${hex(loadAddr)}`);
  r.need(fileStart, loadLen, 'a.out kludge text+data');
  const end = bssEndAddr === 0 ? loadAddr + loadLen : bssEndAddr;
  if (end < loadAddr + loadLen) throw new Error(`multiboot: bss_end_addr ${hex(bssEndAddr)} is below the end of the loaded data`);
  checkRam(mem, loadAddr, end - loadAddr, 'a.out kludge image');
  mem.load(loadAddr, r.bytes.subarray(fileStart, fileStart + loadLen));
  mem.u8.fill(0, loadAddr + loadLen, end);
  return { entry, segments: [{ start: loadAddr, end }] };
}

function loadElf(mem: PhysicalMemory, r: Reader): { entry: number; segments: MultibootLoad['segments'] } {
  const b = r.bytes;
  if (b.length < 16 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
    throw new Error('multiboot: not an ELF file, and the header does not set flag 16 (a.out kludge)');
  }
  const is64 = b[4] === 2;
  if (b[4] !== 1 && !is64) throw new Error(`multiboot: unknown ELF class ${b[4]}`);
  if (b[5] !== 1) throw new Error('multiboot: ELF file is not little-endian');
  const machine = r.u16(18, 'e_machine');
  if (machine !== (is64 ? 62 : 3)) throw new Error(`multiboot: ELF machine ${machine} is not ${is64 ? 'x86-64 (62)' : 'i386 (3)'}`);
  const entryV = is64 ? r.u64(24, 'e_entry') : r.u32(24, 'e_entry');
  const phoff = is64 ? r.u64(32, 'e_phoff') : r.u32(28, 'e_phoff');
  const phentsize = r.u16(is64 ? 54 : 42, 'e_phentsize');
  const phnum = r.u16(is64 ? 56 : 44, 'e_phnum');
  if (phentsize < (is64 ? 56 : 32)) throw new Error(`multiboot: e_phentsize ${phentsize} is too small`);
  const segments: MultibootLoad['segments'] = [];
  let entry = entryV;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    const what = `program header ${i}`;
    r.need(ph, phentsize, what);
    if (r.u32(ph, what) !== 1 /* PT_LOAD */) continue;
    const offset = is64 ? r.u64(ph + 8, `${what} p_offset`) : r.u32(ph + 4, what);
    const vaddr = is64 ? r.u64(ph + 16, `${what} p_vaddr`) : r.u32(ph + 8, what);
    const paddr = is64 ? r.u64(ph + 24, `${what} p_paddr`) : r.u32(ph + 12, what);
    const filesz = is64 ? r.u64(ph + 32, `${what} p_filesz`) : r.u32(ph + 16, what);
    const memsz = is64 ? r.u64(ph + 40, `${what} p_memsz`) : r.u32(ph + 20, what);
    if (memsz === 0) continue;
    if (filesz > memsz) throw new Error(`multiboot: ${what} has p_filesz ${hex(filesz)} > p_memsz ${hex(memsz)}`);
    r.need(offset, filesz, `${what} data`);
    checkRam(mem, paddr, memsz, `segment ${i}`);
    mem.load(paddr, b.subarray(offset, offset + filesz));
    mem.u8.fill(0, paddr + filesz, paddr + memsz);
    segments.push({ start: paddr, end: paddr + memsz });
    // A linked-high kernel gives a virtual entry: translate it as the segment does.
    if (entryV >= vaddr && entryV < vaddr + memsz) entry = entryV - vaddr + paddr;
  }
  if (segments.length === 0) throw new Error('multiboot: ELF file has no PT_LOAD segments');
  return { entry, segments };
}

/** UTF-8 bytes of `s` plus a NUL terminator (no TextEncoder: the core is ES2022 only). */
function cString(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  out.push(0);
  return Uint8Array.from(out);
}

function overlaps(a: number, aEnd: number, segs: MultibootLoad['segments']): boolean {
  return segs.some((s) => a < s.end && s.start < aEnd);
}

/** Writes the boot information structure; returns its physical address. */
function writeInfo(mem: PhysicalMemory, segs: MultibootLoad['segments'], cmdline: string | undefined): number {
  const map = multibootMemoryMap(mem.size);
  const cmd = cmdline === undefined ? undefined : cString(cmdline);
  const name = cString(LOADER_NAME);
  const mmapBytes = map.length * 24;
  const total = INFO_STRUCT_BYTES + mmapBytes + name.length + (cmd?.length ?? 0);
  let base = INFO_BASE;
  if (overlaps(base, base + total, segs) || base + total > Math.min(mem.size, LOW_RAM_END)) {
    base = (Math.max(...segs.map((s) => s.end)) + 0xfff) & ~0xfff;
  }
  checkRam(mem, base, total, 'boot information');
  const info = new DataView(mem.buffer, base, total);
  new Uint8Array(mem.buffer, base, total).fill(0);
  const mmapAddr = base + INFO_STRUCT_BYTES;
  const nameAddr = mmapAddr + mmapBytes;
  const cmdAddr = nameAddr + name.length;
  let flags = MBI_MEMORY | MBI_MODS | MBI_MMAP | MBI_LOADER_NAME;
  // mem_lower: KiB from 0; mem_upper: KiB from 1 MiB up to the first hole (spec 3.3).
  info.setUint32(4, Math.min(mem.size, LOW_RAM_END) >>> 10, true);
  info.setUint32(8, Math.max(0, mem.size - 0x100000) >>> 10, true);
  info.setUint32(20, 0, true); // mods_count
  info.setUint32(24, mmapAddr, true); // mods_addr: valid pointer to an empty list
  info.setUint32(44, mmapBytes, true);
  info.setUint32(48, mmapAddr, true);
  info.setUint32(64, nameAddr, true);
  map.forEach((m, i) => {
    const e = INFO_STRUCT_BYTES + i * 24;
    info.setUint32(e, 20, true); // size of the entry, not counting this field
    info.setUint32(e + 4, m.base, true);
    info.setUint32(e + 12, m.length, true);
    info.setUint32(e + 20, m.type, true);
  });
  mem.u8.set(name, nameAddr);
  if (cmd) {
    mem.u8.set(cmd, cmdAddr);
    info.setUint32(16, cmdAddr, true);
    flags |= MBI_CMDLINE;
  }
  info.setUint32(0, flags, true);
  return base;
}

/** Loads a Multiboot v1 image into `mem`. Throws an Error naming the problem on bad input. */
export function loadMultiboot(mem: PhysicalMemory, image: Uint8Array, opts: MultibootOptions = {}): MultibootLoad {
  const r = new Reader(image);
  const h = findHeader(r);
  const unknown = h.flags & 0xffff & ~HF_UNDERSTOOD;
  if (unknown !== 0) {
    throw new Error(`multiboot: header requires features this loader does not provide (flags ${hex(unknown)})`);
  }
  const { entry, segments } = h.flags & HF_AOUT_KLUDGE ? loadAout(mem, r, h) : loadElf(mem, r);
  if (entry >= mem.size) throw new Error(`multiboot: entry point ${hex(entry)} is outside guest RAM`);
  const ebx = writeInfo(mem, segments, opts.cmdline);
  return { entry, eax: MULTIBOOT_BOOTLOADER_MAGIC, ebx, segments };
}
