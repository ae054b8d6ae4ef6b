/**
 * vmlinux as an ELF64 executable (System V gABI + x86-64 psABI): the PT_LOAD
 * segments with their physical addresses, the entry point, and the
 * XEN_ELFNOTE_PHYS32_ENTRY note that marks a PVH entry point.
 */
import { KernelImageError } from './bzImage.ts';

const PT_LOAD = 1, PT_NOTE = 4;
const EM_X86_64 = 62;
/** include/xen/interface/elfnote.h: the 32-bit physical PVH entry point. */
export const XEN_ELFNOTE_PHYS32_ENTRY = 18;

export interface ElfSegment {
  fileOffset: number;
  fileSize: number;
  paddr: number;
  memSize: number;
}

export interface VmlinuxElf {
  /** e_entry: for vmlinux, the physical address of startup_64 (the linker script's phys_startup_64). */
  entry: number;
  segments: ElfSegment[];
  /** PVH 32-bit entry (physical), when the Xen note is present. */
  pvhEntry: number | null;
}

export function isElf(file: Uint8Array): boolean {
  return file.length >= 4 && file[0] === 0x7f && file[1] === 0x45 && file[2] === 0x4c && file[3] === 0x46;
}

export function parseVmlinux(file: Uint8Array, what = 'vmlinux'): VmlinuxElf {
  if (!isElf(file)) throw new KernelImageError(`${what}: not an ELF file`);
  if (file.length < 64) throw new KernelImageError(`${what}: truncated ELF header`);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file[4] !== 2 || file[5] !== 1) throw new KernelImageError(`${what}: not a little-endian ELF64 file (a 32-bit kernel cannot boot here)`);
  if (dv.getUint16(18, true) !== EM_X86_64) throw new KernelImageError(`${what}: ELF machine ${dv.getUint16(18, true)} is not x86-64`);
  const u64 = (o: number): number => Number(dv.getBigUint64(o, true));
  const entry = u64(24);
  const phoff = u64(32);
  const phentsize = dv.getUint16(54, true), phnum = dv.getUint16(56, true);
  if (phnum === 0 || phentsize < 56 || phoff + phnum * phentsize > file.length) {
    throw new KernelImageError(`${what}: truncated or missing ELF program headers`);
  }
  const segments: ElfSegment[] = [];
  let pvhEntry: number | null = null;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    const type = dv.getUint32(ph, true);
    const fileOffset = u64(ph + 8), paddr = u64(ph + 24), fileSize = u64(ph + 32), memSize = u64(ph + 40);
    if (type !== PT_LOAD && type !== PT_NOTE) continue;
    if (fileOffset + fileSize > file.length) throw new KernelImageError(`${what}: truncated: segment ${i} ends at byte ${fileOffset + fileSize} of ${file.length}`);
    if (type === PT_LOAD) {
      if (memSize < fileSize) throw new KernelImageError(`${what}: segment ${i} has p_memsz < p_filesz`);
      segments.push({ fileOffset, fileSize, paddr, memSize });
    } else {
      pvhEntry ??= findPvhNote(dv, fileOffset, fileSize);
    }
  }
  if (segments.length === 0) throw new KernelImageError(`${what}: no PT_LOAD segments`);
  return { entry, segments, pvhEntry };
}

/** Walks ELF notes (namesz, descsz, type, name, desc; 4-byte aligned) for Xen's PHYS32_ENTRY. */
function findPvhNote(dv: DataView, off: number, size: number): number | null {
  const end = off + size;
  while (off + 12 <= end) {
    const namesz = dv.getUint32(off, true), descsz = dv.getUint32(off + 4, true), type = dv.getUint32(off + 8, true);
    const name = off + 12, desc = name + ((namesz + 3) & ~3);
    if (desc + descsz > end) return null;
    const isXen = namesz === 4 && dv.getUint32(name, true) === 0x006e6558; // "Xen\0"
    if (isXen && type === XEN_ELFNOTE_PHYS32_ENTRY && descsz >= 4) return dv.getUint32(desc, true);
    off = desc + ((descsz + 3) & ~3);
  }
  return null;
}
