import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkInitrd, checkKernel, findMultibootHeader } from './imageKind.ts';

const guest = (f: string) => new Uint8Array(readFileSync(new URL(`../../../public/${f}`, import.meta.url)));

describe('checkKernel', () => {
  it('recognises the bundled bzImage and its boot protocol version', () => {
    const r = checkKernel(guest('guests/bzImage'));
    expect(r).toEqual({ ok: true, kind: 'bzImage', detail: 'Linux bzImage, boot protocol 2.15' });
  });

  it('recognises the demo as a Multiboot ELF', () => {
    const b = guest('demo/demo64.elf');
    expect(findMultibootHeader(b)).toBeGreaterThan(0);
    expect(checkKernel(b)).toMatchObject({ ok: true, kind: 'multiboot' });
  });

  it('takes an x86-64 ELF without a Multiboot header for a vmlinux', () => {
    const b = guest('demo/demo64.elf').slice();
    b.fill(0, findMultibootHeader(b), findMultibootHeader(b) + 4);
    expect(checkKernel(b)).toMatchObject({ ok: true, kind: 'vmlinux' });
  });

  it('a Multiboot magic with a wrong checksum is not a header', () => {
    const b = new Uint8Array(64);
    new DataView(b.buffer).setUint32(16, 0x1badb002, true);
    new DataView(b.buffer).setUint32(20, 3, true);
    expect(findMultibootHeader(b)).toBe(-1);
  });

  it('says what a random file starts with', () => {
    const r = checkKernel(new TextEncoder().encode('hello, this is not a kernel'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/not a kernel.*starts with 68 65 6c 6c 6f 2c 20 74/);
  });

  it('rejects empty, truncated and foreign ELF files', () => {
    expect(checkKernel(new Uint8Array(0))).toEqual({ ok: false, error: 'the file is empty' });
    expect(checkKernel(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2]))).toMatchObject({ ok: false, error: /truncated/ });
    const arm = guest('demo/demo64.elf').slice();
    arm[18] = 183; arm[19] = 0; // EM_AARCH64
    expect(checkKernel(arm)).toMatchObject({ ok: false, error: /machine 183/ });
  });
});

describe('checkInitrd', () => {
  it('recognises the bundled gzip initramfs and a plain cpio', () => {
    expect(checkInitrd(guest('guests/initramfs.cpio.gz'))).toEqual({ ok: true, format: 'gzip' });
    expect(checkInitrd(new TextEncoder().encode('070701000000'))).toEqual({ ok: true, format: 'cpio (newc)' });
  });

  it('rejects anything else with its first bytes', () => {
    expect(checkInitrd(guest('guests/bzImage'))).toMatchObject({ ok: false, error: /not an initramfs/ });
    expect(checkInitrd(new Uint8Array(0))).toMatchObject({ ok: false });
  });
});
