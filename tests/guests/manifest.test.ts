// public/guests/manifest.json describes the committed guest files exactly.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/qemu.ts';

const dir = join(repoRoot, 'public/guests');

interface Manifest {
  files: { name: string; size: number; sha256: string }[];
  cmdline: string;
  linux: { version: string; release: string; setupHeader: { protocol: string; relocatable: boolean; prefAddress: string } };
  reproducible: { checked: boolean; identical?: boolean };
}
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;

describe('public/guests/manifest.json', () => {
  it('lists the kernel, initramfs and symbol map', () => {
    expect(manifest.files.map((f) => f.name).sort()).toEqual(['System.map.gz', 'bzImage', 'initramfs.cpio.gz']);
  });

  it.each(manifest.files.map((f) => [f.name, f] as const))('%s: size and sha256 match the file', (name, entry) => {
    const bytes = readFileSync(join(dir, name));
    expect(bytes.length).toBe(entry.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
  });

  it('records the bzImage setup header as it is in the file', () => {
    const bz = readFileSync(join(dir, 'bzImage'));
    expect(bz.toString('latin1', 0x202, 0x206)).toBe('HdrS');
    const v = bz.readUInt16LE(0x206);
    expect(manifest.linux.setupHeader.protocol).toBe(`${v >> 8}.${String(v & 0xff).padStart(2, '0')}`);
    expect(manifest.linux.setupHeader.relocatable).toBe(bz[0x234] !== 0);
    expect(BigInt(manifest.linux.setupHeader.prefAddress)).toBe(bz.readBigUInt64LE(0x258));
  });

  it('System.map addresses are the runtime ones (no KASLR, linked at pref_address)', () => {
    // __START_KERNEL_map maps physical 0; a fixed kernel runs where it is linked.
    const map = gunzipSync(readFileSync(join(dir, 'System.map.gz'))).toString('latin1');
    const text = /^([0-9a-f]{16}) T _text$/m.exec(map);
    expect(text).not.toBeNull();
    expect(BigInt('0x' + text![1]) - 0xffffffff80000000n).toBe(BigInt(manifest.linux.setupHeader.prefAddress));
    expect(manifest.linux.setupHeader.relocatable).toBe(false);
  });

  it('names a serial console and Linux 6.1', () => {
    expect(manifest.cmdline).toMatch(/(^| )console=ttyS0\b/);
    expect(manifest.linux.version).toMatch(/^6\.1\.\d+$/);
    expect(manifest.linux.release.startsWith(manifest.linux.version)).toBe(true);
  });
});
