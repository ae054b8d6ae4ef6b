import { createHash } from 'node:crypto';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createMachine, type Machine } from '../machine.ts';
import { packSnapshot, unpackSnapshot } from './container.ts';
import { encodeManifest, parseManifest, SNAPSHOT_VERSION, SnapshotError } from './manifest.ts';
import { decompress } from './ramChunks.ts';
import { restoreSnapshot, decodeSnapshotFile } from './restore.ts';
import { captureSnapshot, saveSnapshot } from './save.ts';
import { decodeSections, encodeSections } from './sections.ts';
import { sha256Hex } from './sha256.ts';

/** Multiboot a.out-kludge image at 1 MiB: `code` at 0x100020, bss to 0x101000. */
function image(code: number[]): Uint8Array {
  const words = [0x1badb002, 0x10002, (-(0x1badb002 + 0x10002)) >>> 0, 0x100000, 0x100000, 0, 0x101000, 0x100020];
  const b = new Uint8Array(32 + code.length);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  b.set(code, 32);
  return b;
}

// mov dx, 0x3f8; again: inc eax; out dx, al; jmp again  (prints 01 02 03 ...)
const COUNTER = [0x66, 0xba, 0xf8, 0x03, 0x40, 0xee, 0xeb, 0xfc];

function running(out: number[] = [], steps = 301): Machine {
  const m = createMachine({ memMiB: 4, onSerial: (b) => out.push(b) });
  m.loadMultiboot(image(COUNTER), 'console=ttyS0', 'counter.bin');
  m.run({ maxInstructions: steps });
  // Some scattered non-zero RAM, so the snapshot has several chunks.
  for (const pa of [0x2000, 0x150000, 0x3ff000]) m.mem.u8[pa] = 0xa5;
  return m;
}

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

describe('sha256', () => {
  it('matches node:crypto on lengths around the padding boundaries', () => {
    const r = rng(7);
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_000]) {
      const d = Uint8Array.from({ length: n }, () => r() & 0xff);
      expect(sha256Hex(d)).toBe(createHash('sha256').update(d).digest('hex'));
    }
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('snapshot container and manifest', () => {
  it('round-trips: manifest fields, chunk set, and zero pages left out', () => {
    const m = running();
    const snap = captureSnapshot(m);
    expect(snap.manifest.machine).toEqual({ memMiB: 4, cpuModel: m.cpu.model.name });
    expect(snap.manifest.boot).toEqual({ cmdline: 'console=ttyS0', files: [{ role: 'multiboot', name: 'counter.bin', size: 40, sha256: sha256Hex(image(COUNTER)) }] });
    expect(snap.manifest.icount).toBe(301);
    // Pages 2 (0x2000), 0x100 (the program), 0x150 and 0x3ff are all that is stored, plus whatever
    // the Multiboot loader wrote (its info block).
    const stored = snap.manifest.ram.chunks.flatMap((c) => [...Array(32).keys()].filter((i) => (c.mask >>> i) & 1).map((i) => c.index * 32 + i));
    expect(stored).toEqual(expect.arrayContaining([0x2, 0x100, 0x150, 0x3ff]));
    expect(stored.length).toBeLessThan(8);
    const files = unpackSnapshot(packSnapshot(snap));
    expect(files.manifestHash).toBe(snap.manifestHash);
    expect([...files.chunks.keys()].sort()).toEqual([...snap.chunks.keys()].sort());
    expect(parseManifest(files.manifestBytes)).toEqual(snap.manifest);
  });

  it('continues the guest exactly where it stopped', () => {
    const out: number[] = [];
    const a = running(out);
    const b = createMachine({ memMiB: 4, onSerial: (x) => out.push(x) });
    restoreSnapshot(b, saveSnapshot(a));
    b.run({ maxInstructions: 300 });
    const ref: number[] = [];
    running(ref, 601);
    expect(out).toEqual(ref);
  });

  it('refuses every truncation of a snapshot file, leaving the machine unchanged', () => {
    const bytes = saveSnapshot(running());
    const victim = running([], 5);
    const before = saveSnapshot(victim);
    const r = rng(3);
    const cuts = [0, 1, 7, 8, 47, 48, 49, bytes.length - 1, ...Array.from({ length: 60 }, () => r() % bytes.length)];
    for (const n of cuts) {
      expect(() => restoreSnapshot(victim, bytes.subarray(0, n)), `cut at ${n}`).toThrow(SnapshotError);
    }
    expect(Buffer.compare(saveSnapshot(victim), before)).toBe(0);
  });

  it('refuses any single flipped bit (header, manifest, chunk table, chunk data), leaving the machine unchanged', () => {
    const bytes = saveSnapshot(running());
    const victim = running([], 5);
    const before = saveSnapshot(victim);
    const r = rng(11);
    const positions = [...Array(64 * 8).keys(), ...Array.from({ length: 400 }, () => r() % (bytes.length * 8))];
    for (const bit of positions) {
      const bad = bytes.slice();
      bad[bit >>> 3] ^= 1 << (bit & 7);
      expect(() => restoreSnapshot(victim, bad), `bit ${bit}`).toThrow(SnapshotError);
    }
    expect(Buffer.compare(saveSnapshot(victim), before)).toBe(0);
  });

  it('refuses a newer format with a message that says so, and a differently configured machine', () => {
    const snap = captureSnapshot(running());
    const newer = encodeManifest({ ...snap.manifest, version: SNAPSHOT_VERSION + 1 });
    const file = packSnapshot({ ...snap, manifestBytes: newer, manifestHash: sha256Hex(newer) });
    expect(() => restoreSnapshot(createMachine({ memMiB: 4 }), file)).toThrow(/version 2 is newer than this vmxlab understands \(1\)/);
    const other = createMachine({ memMiB: 8 });
    const before = saveSnapshot(other);
    expect(() => restoreSnapshot(other, packSnapshot(snap))).toThrow(/differently configured machine \(memMiB: snapshot 4, this machine 8\)/);
    expect(Buffer.compare(saveSnapshot(other), before)).toBe(0);
  });

  it('refuses a manifest whose chunks lie about their place or a state section that does not fit', () => {
    const snap = captureSnapshot(running());
    const withManifest = (edit: (m: typeof snap.manifest) => void): Uint8Array => {
      const copy = structuredClone(snap.manifest);
      edit(copy);
      const mb = encodeManifest(copy);
      return packSnapshot({ ...snap, manifestBytes: mb, manifestHash: sha256Hex(mb) });
    };
    expect(() => decodeSnapshotFile(withManifest((m) => { m.ram.chunks[0].mask = 0; }))).toThrow(/mask must be/);
    expect(() => decodeSnapshotFile(withManifest((m) => { m.ram.chunks.reverse(); }))).toThrow(/ascending order/);
    expect(() => decodeSnapshotFile(withManifest((m) => { m.ram.chunks.at(-1)!.index = 99; }))).toThrow(/index must be an integer/);
    // A chunk that names three pages but holds two.
    expect(() => decodeSnapshotFile(withManifest((m) => { m.ram.chunks[0].mask |= 0x40000000; }))).toThrow(/decompresses to/);
    expect(() => decodeSnapshotFile(withManifest((m) => { m.ram.chunks[1].hash = '0'.repeat(64); }))).toThrow(/is missing/);
  });

  it('refuses device state of the wrong length before loading anything', () => {
    const a = running();
    const snap = captureSnapshot(a);
    const file = packSnapshot(snap);
    const victim = running([], 5);
    const before = saveSnapshot(victim);
    const uart = victim.uart;
    const orig = uart.saveState.bind(uart);
    uart.saveState = () => new Uint8Array(orig().length + 1); // as if this build's UART grew a register
    expect(() => restoreSnapshot(victim, file)).toThrow(/state of 'uart' is 32 bytes; this build's is 33/);
    uart.saveState = orig;
    expect(Buffer.compare(saveSnapshot(victim), before)).toBe(0);
  });
});

describe('snapshot pieces', () => {
  it('sections: round trip, and refusal of truncation and repeats', () => {
    const enc = encodeSections([{ name: 'a', version: 1, data: new Uint8Array([1, 2]) }, { name: 'bb', version: 3, data: new Uint8Array(0) }]);
    const dec = decodeSections(enc);
    expect([...dec.keys()]).toEqual(['a', 'bb']);
    expect(dec.get('bb')!.version).toBe(3);
    for (let n = 0; n < enc.length; n++) expect(() => decodeSections(enc.subarray(0, n))).toThrow(SnapshotError);
    const twice = encodeSections([{ name: 'a', version: 1, data: new Uint8Array(1) }, { name: 'a', version: 1, data: new Uint8Array(1) }]);
    expect(() => decodeSections(twice)).toThrow(/appears twice/);
  });

  it('decompress: refuses a stream that would grow past the expected size (no memory bomb)', () => {
    const z = deflateSync(new Uint8Array(1 << 20));
    expect(() => decompress(z, 4096, 'chunk')).toThrow(/more than/);
    expect(decompress(z, 1 << 20, 'chunk').length).toBe(1 << 20);
    expect(() => decompress(new Uint8Array([1, 2, 3]), 10, 'chunk')).toThrow(SnapshotError);
  });
});
