// The Linux loader against the bundled bzImage, its vmlinux payload, a PVH
// ELF made here, and damaged files: what lands in guest RAM and registers.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'fflate';
import { createMachine } from '../../src/emu/machine.ts';
import { parseSetupHeader, payloadCompression, payloadOf } from '../../src/emu/boot/bzImage.ts';
import { CMDLINE_ADDR, ZERO_PAGE_ADDR } from '../../src/emu/boot/zeroPage.ts';
import { HVM_START_MAGIC } from '../../src/emu/boot/pvh.ts';
import { CR0, CR3, CR4, EFER, GPR, RIP } from '../../src/emu/cpu/state/layout.ts';
import { repoRoot } from '../support/qemu.ts';

const guest = join(repoRoot, 'public/guests');
const bzImage = new Uint8Array(readFileSync(join(guest, 'bzImage')));
const initrd = new Uint8Array(readFileSync(join(guest, 'initramfs.cpio.gz')));
const u32 = (b: Uint8Array, o: number): number => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
/** Byte equality without vitest's element-by-element diffing (megabytes here). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('bzImage setup header', () => {
  it('reads the bundled kernel\'s header as its manifest describes it', () => {
    const h = parseSetupHeader(bzImage);
    expect(h.version).toBe(0x20f);
    expect(h.setupSects).toBe(31);
    expect(h.relocatable).toBe(false);
    expect(h.prefAddress).toBe(0x1000000);
    expect(h.initSize).toBe(0xddd000);
    expect(payloadCompression(payloadOf(bzImage, h))).toBe('gzip');
  });

  it('names what is wrong with files that are not bootable kernels', () => {
    const m = () => createMachine({ memMiB: 64 });
    const load = (f: Uint8Array) => () => m().loadLinux(f, { cmdline: '' });
    expect(load(new Uint8Array(0))).toThrow(/empty/);
    expect(load(new Uint8Array(4096).fill(0x90))).toThrow(/not a Linux kernel/);
    expect(load(bzImage.slice(0, 0x3000))).toThrow(/truncated bzImage/);
    const old = bzImage.slice();
    old[0x206] = 0x04; // protocol 2.04
    expect(load(old)).toThrow(/unsupported Linux boot protocol 2\.04/);
    const k32 = bzImage.slice();
    k32[0x236] &= ~1; // XLF_KERNEL_64
    expect(load(k32)).toThrow(/not a 64-bit kernel/);
    const bad = bzImage.slice();
    const h = parseSetupHeader(bzImage);
    bad.fill(0, h.kernelOffset + h.payloadOffset + 10, h.kernelOffset + h.payloadOffset + 4000);
    expect(load(bad)).toThrow(/does not inflate|damaged/);
  });

  it('refuses RAM too small for the kernel and an initrd that does not fit', () => {
    expect(() => createMachine({ memMiB: 16 }).loadLinux(bzImage, { cmdline: '' })).toThrow(/needs RAM up to .* give more --mem/);
    const big = new Uint8Array(40 << 20);
    expect(() => createMachine({ memMiB: 64 }).loadLinux(bzImage, { cmdline: '', initrd: big })).toThrow(/initrd of 40\.0 MiB does not fit/);
  });
});

describe('64-bit boot protocol entry', () => {
  it('fills boot_params (header, loader fields, e820, initrd, command line) and enters long mode with RSI at it', () => {
    const m = createMachine({ memMiB: 128 });
    const boot = m.loadLinux(bzImage, { cmdline: 'console=ttyS0 quiet', initrd, inflateInitrd: false });
    const ram = m.mem.u8, zp = ZERO_PAGE_ADDR;
    expect(boot.mode).toBe('linux64');
    expect(u32(ram, zp + 0x202)).toBe(0x53726448); // the header was copied
    expect(ram[zp + 0x210]).toBe(0xff); // type_of_loader
    expect(u32(ram, zp + 0x228)).toBe(CMDLINE_ADDR);
    expect(new TextDecoder().decode(ram.subarray(CMDLINE_ADDR, CMDLINE_ADDR + 19))).toBe('console=ttyS0 quiet');
    expect(ram[CMDLINE_ADDR + 19]).toBe(0);
    const rdAddr = u32(ram, zp + 0x218), rdSize = u32(ram, zp + 0x21c);
    expect(rdSize).toBe(initrd.length);
    expect(rdAddr % 4096).toBe(0);
    expect(rdAddr + rdSize).toBeLessThanOrEqual(128 << 20);
    expect(ram.subarray(rdAddr, rdAddr + 16)).toEqual(initrd.subarray(0, 16));
    expect(ram[zp + 0x1e8]).toBe(4); // e820 entries
    const e820 = [0, 1, 2, 3].map((i) => [u32(ram, zp + 0x2d0 + i * 20), u32(ram, zp + 0x2d0 + i * 20 + 8), u32(ram, zp + 0x2d0 + i * 20 + 16)]);
    expect(e820).toEqual([[0, 0x9fc00, 1], [0x9fc00, 0x400, 2], [0xf0000, 0x10000, 2], [0x100000, (128 << 20) - 0x100000, 1]]);
    const s = m.cpu.s;
    expect(s[RIP]).toBe(0x1000000); // startup_64 of the inflated vmlinux
    expect(s[GPR + 6 * 2]).toBe(zp); // RSI
    expect(s[CR0] >>> 31).toBe(1);
    expect(s[CR4] & 0x20).toBe(0x20);
    expect(s[EFER] & 0x500).toBe(0x500);
    expect(m.cpu.long64).toBe(true);
    // The identity map covers the kernel: PML4[0] -> PDPT[0] -> PD[8] maps 16 MiB as a 2 MiB page.
    const pd0 = u32(ram, u32(ram, s[CR3] & ~0xfff) & ~0xfff) & ~0xfff;
    expect(u32(ram, pd0 + 8 * 8)).toBe(0x1000000 | 0x83);
    // The MP table is in the BIOS area.
    expect(new TextDecoder().decode(ram.subarray(0xf0000, 0xf0004))).toBe('_MP_');
  });

  it('loads the same kernel given as vmlinux ELF (the bzImage payload, inflated): PVH note found, or the 64-bit entry', () => {
    const h = parseSetupHeader(bzImage);
    const vmlinux = gunzipSync(payloadOf(bzImage, h));
    expect(createMachine({ memMiB: 128 }).loadLinux(vmlinux, { cmdline: 'x' }).mode).toBe('pvh'); // CONFIG_PVH=y
    const a = createMachine({ memMiB: 128 }), b = createMachine({ memMiB: 128 });
    a.loadLinux(bzImage, { cmdline: 'x' });
    const boot = b.loadLinux(vmlinux, { cmdline: 'x', pvh: false });
    expect(boot.mode).toBe('linux64');
    expect(boot.entry).toBe(0x1000000);
    expect(same(b.mem.u8.subarray(0x1000000, 0x1000000 + 0x100000), a.mem.u8.subarray(0x1000000, 0x1000000 + 0x100000))).toBe(true);
  });

  it('leaves non-gzip payloads (and gzip when asked) to the kernel\'s own decompressor at load address + 0x200', () => {
    const m = createMachine({ memMiB: 128 });
    const boot = m.loadLinux(bzImage, { cmdline: '', decompress: 'guest' });
    expect(boot.entry).toBe(0x100200); // not relocatable: loaded at 1 MiB
    const h = parseSetupHeader(bzImage);
    expect(m.mem.u8.subarray(0x100000, 0x100000 + 64)).toEqual(bzImage.subarray(h.kernelOffset, h.kernelOffset + 64));
  });
});

/** A minimal ELF64 with one PT_LOAD (`code` at 1 MiB) and a PT_NOTE carrying Xen's PHYS32_ENTRY. */
function pvhElf(code: number[]): Uint8Array {
  const f = new Uint8Array(0x1000);
  const dv = new DataView(f.buffer);
  f.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  dv.setUint16(16, 2, true); dv.setUint16(18, 62, true); dv.setUint32(20, 1, true);
  dv.setBigUint64(24, 0x100000n, true); dv.setBigUint64(32, 64n, true);
  dv.setUint16(52, 64, true); dv.setUint16(54, 56, true); dv.setUint16(56, 2, true);
  const ph = (i: number, type: number, off: number, addr: number, size: number) => {
    const o = 64 + i * 56;
    dv.setUint32(o, type, true); dv.setUint32(o + 4, 5, true);
    dv.setBigUint64(o + 8, BigInt(off), true); dv.setBigUint64(o + 16, BigInt(addr), true); dv.setBigUint64(o + 24, BigInt(addr), true);
    dv.setBigUint64(o + 32, BigInt(size), true); dv.setBigUint64(o + 40, BigInt(size), true);
  };
  ph(0, 1, 0x400, 0x100000, code.length);
  ph(1, 4, 0x200, 0, 24);
  dv.setUint32(0x200, 4, true); dv.setUint32(0x204, 4, true); dv.setUint32(0x208, 18, true);
  f.set([0x58, 0x65, 0x6e, 0], 0x20c); // "Xen"
  dv.setUint32(0x210, 0x100000, true);
  f.set(code, 0x400);
  return f;
}

describe('initramfs', () => {
  it('is handed to the kernel inflated when it is one gzip member holding a newc cpio', () => {
    const m = createMachine({ memMiB: 128 });
    const boot = m.loadLinux(bzImage, { cmdline: '', initrd });
    const ram = m.mem.u8, zp = ZERO_PAGE_ADDR;
    const cpio = gunzipSync(initrd);
    const addr = u32(ram, zp + 0x218);
    expect(u32(ram, zp + 0x21c)).toBe(cpio.length);
    expect(new TextDecoder().decode(ram.subarray(addr, addr + 6))).toBe('070701');
    expect(same(ram.subarray(addr, addr + cpio.length), cpio)).toBe(true);
    expect(boot.summary).toMatch(/initramfs inflated on the host/);
  });

  it('passes anything else through untouched (two concatenated gzip members, plain bytes)', () => {
    const extra = gzipSync(new TextEncoder().encode('070701 a second archive'));
    const two = new Uint8Array(initrd.length + extra.length);
    two.set(initrd); two.set(extra, initrd.length);
    for (const rd of [two, new Uint8Array([1, 2, 3, 4])]) {
      const m = createMachine({ memMiB: 128 });
      m.loadLinux(bzImage, { cmdline: '', initrd: rd });
      const addr = u32(m.mem.u8, ZERO_PAGE_ADDR + 0x218);
      expect(u32(m.mem.u8, ZERO_PAGE_ADDR + 0x21c)).toBe(rd.length);
      expect(same(m.mem.u8.subarray(addr, addr + rd.length), rd)).toBe(true);
    }
  });
});

describe('PVH entry', () => {
  it('enters a vmlinux with XEN_ELFNOTE_PHYS32_ENTRY in 32-bit protected mode with EBX = hvm_start_info', () => {
    // mov eax, [ebx]; out 0xf4, eax  -> exits with the start_info magic
    const m = createMachine({ memMiB: 32 });
    const boot = m.loadLinux(pvhElf([0x8b, 0x03, 0xe7, 0xf4]), { cmdline: 'pvh', initrd: new Uint8Array([1, 2, 3]) });
    expect(boot.mode).toBe('pvh');
    expect(m.cpu.long64).toBe(false);
    const r = m.run({ maxInstructions: 10 });
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(((HVM_START_MAGIC << 1) | 1) >>> 0);
    const si = boot.bootParams, ram = m.mem.u8;
    expect(u32(ram, si + 12)).toBe(1); // one module: the initrd
    expect(u32(ram, u32(ram, si + 16) + 8)).toBe(3);
    expect(ram[u32(ram, si + 24)]).toBe(0x70); // 'p'
  });
});
