/**
 * Linux boot for x86-64 (Documentation/arch/x86/boot.rst): bzImage through the
 * 64-bit boot protocol, vmlinux ELF through its 64-bit entry or PVH.
 *
 * bzImage: a gzip payload is inflated on the host (fflate) and its vmlinux
 * segments placed at their physical addresses, then the CPU enters the
 * kernel's own startup_64 - what the in-kernel decompressor would do, minus
 * some 10^8 emulated instructions of inflate. Any other compression (xz, zstd,
 * lz4, ...) boots through the kernel's decompressor instead: the protected-mode
 * kernel goes at its load address and the CPU enters at +0x200 (startup_64 of
 * the decompressor), which needs no host library. Both are the protocol's
 * 64-bit entry: identity-mapped 0-4 GiB, __BOOT_CS/__BOOT_DS, RSI = boot_params.
 */
import { gunzipSync } from 'fflate';
import type { PhysicalMemory } from '../mem/physicalMemory.ts';
import {
  isBzImage, kernelLoadAddress, KernelImageError, parseSetupHeader, payloadCompression, payloadOf, type SetupHeader,
} from './bzImage.ts';
import { isElf, parseVmlinux, type VmlinuxElf } from './vmlinuxElf.ts';
import {
  CMDLINE_MAX, HIGH_RAM_START, writeBiosDataArea, writeBootGdt, writeCmdline, writeIdentityPageTables, writeZeroPage,
} from './zeroPage.ts';
import { writePvhStartInfo } from './pvh.ts';
import { prepareInitrd } from './initrd.ts';

export type LinuxDecompress = 'auto' | 'guest';

export interface LinuxLoadOptions {
  cmdline: string;
  initrd?: Uint8Array | null;
  /** 'auto': inflate gzip payloads on the host, others in the guest; 'guest': always the kernel's decompressor. */
  decompress?: LinuxDecompress;
  /** vmlinux with a PVH note: use it (default) or take the 64-bit entry anyway. */
  pvh?: boolean;
  /** Hand a single-member gzip cpio initrd to the kernel inflated (default true; initrd.ts). */
  inflateInitrd?: boolean;
}

export interface LinuxBoot {
  /** 'linux64': 64-bit entry with RSI = boot params; 'pvh': 32-bit entry with EBX = hvm_start_info. */
  mode: 'linux64' | 'pvh';
  entry: number;
  /** RSI (linux64) or EBX (pvh). */
  bootParams: number;
  cr3: number;
  gdt: { base: number; limit: number };
  /** One line for people: what was loaded and how. */
  summary: string;
}

/** Default when the kernel states nothing (boot.rst: initrd_addr_max before 2.03). */
const DEFAULT_INITRD_MAX = 0x37ffffff;

/** Recognises bzImage and ELF vmlinux; anything else is not a Linux kernel. */
export function isLinuxKernel(file: Uint8Array): boolean {
  return isBzImage(file) || isElf(file);
}

function loadSegments(mem: PhysicalMemory, elf: VmlinuxElf, image: Uint8Array, what: string): number {
  let end = 0;
  for (const s of elf.segments) {
    if (s.paddr < HIGH_RAM_START || s.paddr + s.memSize > mem.size) {
      throw new RangeError(`${what}: segment at 0x${s.paddr.toString(16)}-0x${(s.paddr + s.memSize).toString(16)} does not fit in ${mem.size >>> 20} MiB of RAM`);
    }
    mem.u8.set(image.subarray(s.fileOffset, s.fileOffset + s.fileSize), s.paddr);
    mem.u8.fill(0, s.paddr + s.fileSize, s.paddr + s.memSize);
    end = Math.max(end, s.paddr + s.memSize);
  }
  return end;
}

/** Highest 4 KiB-aligned address below min(RAM, initrd_addr_max) that does not overlap the kernel. */
function placeInitrd(mem: PhysicalMemory, initrd: Uint8Array, kernelEnd: number, addrMax: number): number {
  const top = Math.min(mem.size, addrMax + 1);
  const addr = Math.floor((top - initrd.length) / 4096) * 4096;
  if (addr < kernelEnd) {
    throw new RangeError(`initrd of ${(initrd.length / 2 ** 20).toFixed(1)} MiB does not fit: RAM has ${mem.size >>> 20} MiB and the kernel needs up to 0x${kernelEnd.toString(16)}; give more --mem`);
  }
  mem.u8.set(initrd, addr);
  return addr;
}

function checkRam(mem: PhysicalMemory, need: number, what: string): void {
  if (need > mem.size) {
    throw new RangeError(`${what} needs RAM up to 0x${need.toString(16)} (${Math.ceil(need / 2 ** 20)} MiB) but the machine has ${mem.size >>> 20} MiB; give more --mem`);
  }
}

function loadBzImage(mem: PhysicalMemory, file: Uint8Array, opts: LinuxLoadOptions): LinuxBoot {
  const hdr = parseSetupHeader(file);
  const payload = payloadOf(file, hdr);
  const comp = payloadCompression(payload);
  const loadAddr = kernelLoadAddress(hdr);
  let entry: number, kernelEnd: number, how: string;
  if (comp === 'gzip' && opts.decompress !== 'guest') {
    let vmlinux: Uint8Array;
    try {
      vmlinux = gunzipSync(payload);
    } catch (e) {
      throw new KernelImageError(`bzImage: the gzip payload does not inflate (${(e as Error).message}); the file is damaged or truncated`);
    }
    const elf = parseVmlinux(vmlinux, 'bzImage payload');
    checkRam(mem, hdr.prefAddress + hdr.initSize, 'this kernel');
    loadSegments(mem, elf, vmlinux, 'bzImage payload');
    entry = elf.entry;
    // The kernel's brk and early page tables live up to load address + init_size.
    kernelEnd = Math.max(...elf.segments.map((s) => s.paddr + s.memSize), hdr.prefAddress + hdr.initSize);
    how = `gzip payload inflated on the host (${(vmlinux.length / 2 ** 20).toFixed(1)} MiB vmlinux), entry startup_64 at 0x${entry.toString(16)}`;
  } else {
    if (comp === 'unknown') throw new KernelImageError('bzImage: the payload\'s compression is not one Linux uses (damaged file?)');
    const pm = file.subarray(hdr.kernelOffset);
    // The decompressor extracts to the kernel's own address: both ranges must be RAM.
    checkRam(mem, Math.max(loadAddr + pm.length, hdr.prefAddress + hdr.initSize, loadAddr + hdr.initSize), 'this kernel');
    mem.u8.set(pm, loadAddr);
    entry = loadAddr + 0x200;
    kernelEnd = Math.max(loadAddr + pm.length, hdr.prefAddress + hdr.initSize);
    how = `${comp} payload left to the kernel's decompressor, entry at 0x${entry.toString(16)}`;
  }
  return finishLinux64(mem, file, hdr, opts, entry, kernelEnd, `bzImage protocol ${hdr.version >> 8}.${(hdr.version & 0xff).toString().padStart(2, '0')}: ${how}`);
}

function finishLinux64(mem: PhysicalMemory, file: Uint8Array, hdr: SetupHeader, opts: LinuxLoadOptions,
  entry: number, kernelEnd: number, summary: string): LinuxBoot {
  const cmdlinePtr = writeCmdline(mem, opts.cmdline, hdr.cmdlineSize + 1);
  let initrd: { addr: number; size: number } | null = null;
  if (opts.initrd && opts.initrd.length > 0) {
    const max = hdr.initrdAddrMax || DEFAULT_INITRD_MAX;
    initrd = { addr: placeInitrd(mem, opts.initrd, kernelEnd, max), size: opts.initrd.length };
  }
  writeBiosDataArea(mem);
  const bootParams = writeZeroPage(mem, { file, hdr, ramBytes: mem.size, cmdlinePtr, initrd });
  const gdt = writeBootGdt(mem);
  const cr3 = writeIdentityPageTables(mem);
  return { mode: 'linux64', entry, bootParams, cr3, gdt, summary };
}

/** A minimal setup header for a bare vmlinux: protocol 2.15 fields a 64-bit kernel reads from boot_params. */
function syntheticHeader(file: Uint8Array, elf: VmlinuxElf): { file: Uint8Array; hdr: SetupHeader } {
  const fake = new Uint8Array(0x280);
  const dv = new DataView(fake.buffer);
  fake[0x201] = 0x6a; // header ends at 0x26c (through kernel_info_offset)
  dv.setUint32(0x202, 0x53726448, true);
  dv.setUint16(0x206, 0x20f, true);
  fake[0x211] = 1;
  dv.setUint32(0x22c, 0x7fffffff, true);
  dv.setUint16(0x236, 1, true);
  dv.setUint32(0x238, CMDLINE_MAX - 1, true);
  const start = Math.min(...elf.segments.map((s) => s.paddr));
  const end = Math.max(...elf.segments.map((s) => s.paddr + s.memSize));
  const hdr: SetupHeader = {
    version: 0x20f, setupSects: 0, loadflags: 1, xloadflags: 1, code32Start: start, initrdAddrMax: 0x7fffffff,
    kernelAlignment: 0x200000, relocatable: false, cmdlineSize: CMDLINE_MAX - 1, payloadOffset: 0, payloadLength: 0,
    prefAddress: start, initSize: end - start, kernelOffset: 0, headerEnd: 0x26c,
  };
  void file;
  return { file: fake, hdr };
}

function loadVmlinux(mem: PhysicalMemory, file: Uint8Array, opts: LinuxLoadOptions): LinuxBoot {
  const elf = parseVmlinux(file);
  const end = Math.max(...elf.segments.map((s) => s.paddr + s.memSize));
  checkRam(mem, end, 'this vmlinux');
  const kernelEnd = loadSegments(mem, elf, file, 'vmlinux');
  if (elf.pvhEntry !== null && opts.pvh !== false) {
    const cmdlinePtr = writeCmdline(mem, opts.cmdline, CMDLINE_MAX);
    let initrd: { addr: number; size: number } | null = null;
    if (opts.initrd && opts.initrd.length > 0) initrd = { addr: placeInitrd(mem, opts.initrd, kernelEnd, 0x7fffffff), size: opts.initrd.length };
    writeBiosDataArea(mem);
    const startInfo = writePvhStartInfo(mem, { cmdlinePtr, initrd });
    const gdt = writeBootGdt(mem);
    return { mode: 'pvh', entry: elf.pvhEntry, bootParams: startInfo, cr3: 0, gdt,
      summary: `vmlinux ELF: PVH entry at 0x${elf.pvhEntry.toString(16)} (XEN_ELFNOTE_PHYS32_ENTRY)` };
  }
  const syn = syntheticHeader(file, elf);
  return finishLinux64(mem, syn.file, syn.hdr, opts, elf.entry, kernelEnd,
    `vmlinux ELF: 64-bit entry startup_64 at 0x${elf.entry.toString(16)}`);
}

/** Loads a bzImage or vmlinux into RAM with boot parameters; the caller sets the CPU's entry state. */
export function loadLinux(mem: PhysicalMemory, file: Uint8Array, options: LinuxLoadOptions): LinuxBoot {
  if (file.length === 0) throw new KernelImageError('the kernel file is empty');
  let opts = options;
  let note = '';
  if (opts.initrd && opts.inflateInitrd !== false) {
    const p = prepareInitrd(opts.initrd);
    if (p.inflated) {
      opts = { ...opts, initrd: p.data };
      note = `; initramfs inflated on the host (${(p.data.length / 2 ** 20).toFixed(1)} MiB cpio)`;
    }
  }
  const withNote = (b: LinuxBoot): LinuxBoot => ({ ...b, summary: b.summary + note });
  if (isBzImage(file)) return withNote(loadBzImage(mem, file, opts));
  if (isElf(file)) return withNote(loadVmlinux(mem, file, opts));
  if (file.length >= 0x202 && file[0x1fe] === 0x55 && file[0x1ff] === 0xaa) {
    throw new KernelImageError('a boot sector without a Linux setup header (pre-2.00 zImage or another OS): not supported');
  }
  throw new KernelImageError('not a Linux kernel: neither a bzImage ("HdrS" at 0x202) nor an ELF vmlinux');
}
