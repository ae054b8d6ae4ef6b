/**
 * What a file handed to the boot dialog (or the CLI) is, from its bytes:
 * which loader takes a kernel, and whether an initramfs is in a format the
 * kernel can unpack. A file that is neither gets a message saying what was
 * looked for and what was found, for the person who picked it.
 */

export type KernelKind =
  /** Linux bzImage: "HdrS" setup-header magic at 0x202 (Documentation/arch/x86/boot.rst). */
  | 'bzImage'
  /** ELF with a Multiboot v1 header (magic 0x1BADB002) in its first 8 KiB. */
  | 'multiboot'
  /** ELF without a Multiboot header: a Linux vmlinux (PVH or 64-bit entry). */
  | 'vmlinux';

export type KernelCheck = { ok: true; kind: KernelKind; detail: string } | { ok: false; error: string };

const MULTIBOOT_MAGIC = 0x1badb002;
const MULTIBOOT_SEARCH = 8192;

function u16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** Offset of a valid Multiboot v1 header (magic + flags + checksum = 0 mod 2^32, 4-aligned), or -1. */
export function findMultibootHeader(b: Uint8Array): number {
  const end = Math.min(b.length, MULTIBOOT_SEARCH) - 12;
  for (let o = 0; o <= end; o += 4) {
    if (u32(b, o) !== MULTIBOOT_MAGIC) continue;
    if (((u32(b, o) + u32(b, o + 4) + u32(b, o + 8)) >>> 0) === 0) return o;
  }
  return -1;
}

function hexHead(b: Uint8Array, n: number): string {
  return Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Classifies a kernel image. Never throws. */
export function checkKernel(b: Uint8Array): KernelCheck {
  if (b.length === 0) return { ok: false, error: 'the file is empty' };
  if (b.length >= 0x206 && u32(b, 0x202) === 0x53726448) {
    const version = u16(b, 0x206);
    const v = `${version >> 8}.${(version & 0xff).toString().padStart(2, '0')}`;
    return { ok: true, kind: 'bzImage', detail: `Linux bzImage, boot protocol ${v}` };
  }
  if (b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) {
    if (b.length < 52) return { ok: false, error: `an ELF file of ${b.length} bytes is truncated (the ELF header alone is 52 or 64 bytes)` };
    const cls = b[4] === 1 ? 'ELF32' : b[4] === 2 ? 'ELF64' : null;
    if (cls === null) return { ok: false, error: `ELF class ${b[4]} is neither 32-bit (1) nor 64-bit (2)` };
    const machine = u16(b, 18);
    if (machine !== 3 && machine !== 62) {
      return { ok: false, error: `an ${cls} file for machine ${machine}, not x86 (3) or x86-64 (62)` };
    }
    if (findMultibootHeader(b) >= 0) return { ok: true, kind: 'multiboot', detail: `${cls} Multiboot kernel` };
    return { ok: true, kind: 'vmlinux', detail: `${cls} kernel without a Multiboot header (vmlinux)` };
  }
  return {
    ok: false,
    error: 'not a kernel: no Linux setup header ("HdrS" at offset 0x202), no ELF magic (7f 45 4c 46); '
      + `the file starts with ${hexHead(b, 8)}`,
  };
}

export type InitrdCheck = { ok: true; format: string } | { ok: false; error: string };

/** The compressions Linux can unpack an initramfs from (CONFIG_RD_*), by magic. */
const INITRD_MAGICS: { format: string; magic: number[] }[] = [
  { format: 'cpio (newc)', magic: [0x30, 0x37, 0x30, 0x37, 0x30, 0x31] },
  { format: 'cpio (crc)', magic: [0x30, 0x37, 0x30, 0x37, 0x30, 0x32] },
  { format: 'gzip', magic: [0x1f, 0x8b] },
  { format: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { format: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { format: 'bzip2', magic: [0x42, 0x5a, 0x68] },
  { format: 'lz4', magic: [0x02, 0x21, 0x4c, 0x18] },
  { format: 'lzma', magic: [0x5d, 0x00, 0x00] },
  { format: 'lzo', magic: [0x89, 0x4c, 0x5a, 0x4f] },
];

/** Checks that an initramfs starts like a cpio archive or a compressed one. Never throws. */
export function checkInitrd(b: Uint8Array): InitrdCheck {
  if (b.length === 0) return { ok: false, error: 'the initramfs file is empty' };
  for (const m of INITRD_MAGICS) {
    if (b.length >= m.magic.length && m.magic.every((x, i) => b[i] === x)) return { ok: true, format: m.format };
  }
  return {
    ok: false,
    error: `not an initramfs: neither a cpio archive ("070701") nor gzip/xz/zstd/bzip2/lz4/lzma/lzo data; the file starts with ${hexHead(b, 8)}`,
  };
}
