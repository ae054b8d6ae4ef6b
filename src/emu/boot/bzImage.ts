/**
 * The bzImage setup header (Linux Documentation/arch/x86/boot.rst, "The real-mode
 * kernel header"): parse and validate what a 64-bit boot loader needs.
 * Offsets are from the start of the file (the boot sector is sector 0).
 */

export const HDRS_MAGIC = 0x53726448; // "HdrS"
/** We need cmdline_size (2.06) and payload_offset/length (2.08); the 64-bit entry needs 2.12 (xloadflags). */
export const MIN_PROTOCOL = 0x20c;

// loadflags
export const LOADED_HIGH = 1 << 0;
export const CAN_USE_HEAP = 1 << 7;
// xloadflags
export const XLF_KERNEL_64 = 1 << 0;
export const XLF_CAN_BE_LOADED_ABOVE_4G = 1 << 1;

/** Offsets of setup header fields in the file and in boot_params (the header is copied at the same offset). */
export const HDR = {
  setup_sects: 0x1f1, boot_flag: 0x1fe, jump: 0x200, header: 0x202, version: 0x206,
  type_of_loader: 0x210, loadflags: 0x211, code32_start: 0x214, ramdisk_image: 0x218, ramdisk_size: 0x21c,
  heap_end_ptr: 0x224, ext_loader_ver: 0x226, ext_loader_type: 0x227, cmd_line_ptr: 0x228, initrd_addr_max: 0x22c,
  kernel_alignment: 0x230, relocatable_kernel: 0x234, min_alignment: 0x235, xloadflags: 0x236, cmdline_size: 0x238,
  hardware_subarch: 0x23c, payload_offset: 0x248, payload_length: 0x24c, setup_data: 0x250, pref_address: 0x258,
  init_size: 0x260, handover_offset: 0x264,
} as const;

export interface SetupHeader {
  /** e.g. 0x20f for 2.15. */
  version: number;
  setupSects: number;
  loadflags: number;
  xloadflags: number;
  code32Start: number;
  initrdAddrMax: number;
  kernelAlignment: number;
  relocatable: boolean;
  cmdlineSize: number;
  payloadOffset: number;
  payloadLength: number;
  prefAddress: number;
  initSize: number;
  /** File offset of the protected-mode kernel: (setup_sects + 1) * 512. */
  kernelOffset: number;
  /** Bytes of setup header to copy into boot_params: 0x202 + the byte at 0x201, minus 0x1f1. */
  headerEnd: number;
}

export class KernelImageError extends Error {
  override name = 'KernelImageError';
}

function u16(b: Uint8Array, o: number): number { return b[o] | (b[o + 1] << 8); }
function u32(b: Uint8Array, o: number): number { return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0; }
function u64(b: Uint8Array, o: number): number { return u32(b, o) + u32(b, o + 4) * 2 ** 32; }

/** True when the bytes carry the "HdrS" signature of a Linux x86 boot image. */
export function isBzImage(file: Uint8Array): boolean {
  return file.length >= 0x264 && u32(file, HDR.header) === HDRS_MAGIC;
}

export function versionText(v: number): string {
  return `${v >> 8}.${(v & 0xff).toString().padStart(2, '0')}`;
}

/** Parses and validates the setup header; throws KernelImageError naming the problem. */
export function parseSetupHeader(file: Uint8Array): SetupHeader {
  if (file.length < 0x264 || u32(file, HDR.header) !== HDRS_MAGIC) {
    throw new KernelImageError('not a Linux bzImage: no "HdrS" setup header signature at offset 0x202');
  }
  const version = u16(file, HDR.version);
  if (version < MIN_PROTOCOL) {
    throw new KernelImageError(`unsupported Linux boot protocol ${versionText(version)}: vmxlab needs ${versionText(MIN_PROTOCOL)} or later (Linux 3.8+) for the 64-bit entry`);
  }
  if (u16(file, HDR.boot_flag) !== 0xaa55) throw new KernelImageError('bzImage boot sector lacks the 0xAA55 boot_flag');
  const setupSects = file[HDR.setup_sects] || 4;
  const kernelOffset = (setupSects + 1) * 512;
  const loadflags = file[HDR.loadflags];
  const xloadflags = u16(file, HDR.xloadflags);
  if (!(loadflags & LOADED_HIGH)) throw new KernelImageError('zImage (loaded low) kernels are not supported: loadflags.LOADED_HIGH is clear');
  if (!(xloadflags & XLF_KERNEL_64)) throw new KernelImageError('not a 64-bit kernel: xloadflags.XLF_KERNEL_64 is clear (a 32-bit kernel cannot use the 64-bit entry)');
  const h: SetupHeader = {
    version, setupSects, loadflags, xloadflags,
    code32Start: u32(file, HDR.code32_start),
    initrdAddrMax: u32(file, HDR.initrd_addr_max),
    kernelAlignment: u32(file, HDR.kernel_alignment),
    relocatable: file[HDR.relocatable_kernel] !== 0,
    cmdlineSize: u32(file, HDR.cmdline_size),
    payloadOffset: u32(file, HDR.payload_offset),
    payloadLength: u32(file, HDR.payload_length),
    prefAddress: u64(file, HDR.pref_address),
    initSize: u32(file, HDR.init_size),
    kernelOffset,
    headerEnd: 0x202 + file[0x201],
  };
  if (kernelOffset >= file.length) throw new KernelImageError(`truncated bzImage: ${file.length} bytes, but the setup code alone takes ${kernelOffset}`);
  const payloadEnd = kernelOffset + h.payloadOffset + h.payloadLength;
  if (h.payloadLength === 0 || payloadEnd > file.length) {
    throw new KernelImageError(`truncated bzImage: the compressed kernel ends at byte ${payloadEnd} but the file has ${file.length}`);
  }
  if (h.initSize === 0) throw new KernelImageError('bzImage setup header has init_size 0');
  if (h.version >= 0x20a && (h.prefAddress % 4096 !== 0 || h.prefAddress >= 2 ** 32)) {
    throw new KernelImageError(`bzImage pref_address 0x${h.prefAddress.toString(16)} is not a 4 KiB-aligned address below 4 GiB`);
  }
  return h;
}

/** Physical address the protected-mode kernel is loaded at (boot.rst: pref_address for relocatable kernels, else 0x100000). */
export function kernelLoadAddress(h: SetupHeader): number {
  return h.relocatable && h.version >= 0x20a ? h.prefAddress : 0x100000;
}

/** The compressed payload (the vmlinux ELF, compressed) inside the protected-mode kernel. */
export function payloadOf(file: Uint8Array, h: SetupHeader): Uint8Array {
  const start = h.kernelOffset + h.payloadOffset;
  return file.subarray(start, start + h.payloadLength);
}

/** Names the payload's compression from its magic bytes (as the kernel's Makefile writes them). */
export function payloadCompression(p: Uint8Array): string {
  const m = (...bytes: number[]): boolean => bytes.every((b, i) => p[i] === b);
  if (m(0x1f, 0x8b)) return 'gzip';
  if (m(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (m(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (m(0x02, 0x21, 0x4c, 0x18)) return 'lz4';
  if (m(0x42, 0x5a, 0x68)) return 'bzip2';
  if (m(0x89, 0x4c, 0x5a, 0x4f)) return 'lzo';
  if (m(0x5d, 0x00, 0x00)) return 'lzma';
  if (m(0x7f, 0x45, 0x4c, 0x46)) return 'none';
  return 'unknown';
}
