// The share API end to end over HTTP, against both storage backends: the
// directory backend and the S3 backend talking to a local S3-compatible
// server (s3rver) started here.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServer } from '../app.ts';
import { createMachine, type Machine } from '../../src/emu/machine.ts';
import { captureSnapshot, type Snapshot } from '../../src/emu/snapshot/save.ts';
import { applySnapshot, decodeSnapshot } from '../../src/emu/snapshot/restore.ts';
import { encodeManifest, SNAPSHOT_VERSION } from '../../src/emu/snapshot/manifest.ts';
import { sha256Hex } from '../../src/emu/snapshot/sha256.ts';
import { fetchSharedSnapshot, shareSnapshot } from '../../src/share/client.ts';
import { ShareApi } from './api.ts';
import { DirStorage } from './dirStorage.ts';
import { S3Storage } from './s3Storage.ts';
import type { ShareStorage } from './storage.ts';

process.env.AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING = '1';

/** Multiboot image: mov dx, 0x3f8; again: inc eax; out dx, al; jmp again. */
function counterImage(): Uint8Array {
  const words = [0x1badb002, 0x10002, (-(0x1badb002 + 0x10002)) >>> 0, 0x100000, 0x100000, 0, 0x101000, 0x100020];
  const b = new Uint8Array(40);
  words.forEach((w, i) => new DataView(b.buffer).setUint32(i * 4, w, true));
  b.set([0x66, 0xba, 0xf8, 0x03, 0x40, 0xee, 0xeb, 0xfc], 32);
  return b;
}

/** A machine with `seed`-dependent RAM spread over many chunks. */
function machine(seed: number, pages = 40): Machine {
  const m = createMachine({ memMiB: 4 });
  m.loadMultiboot(counterImage());
  m.run({ maxInstructions: 100 + seed });
  for (let p = 0; p < pages; p++) {
    // Pages at shared positions with shared content (same chunks in every snapshot) ...
    m.mem.u32[((0x200 + p * 8) * 4096) >>> 2] = p + 1;
  }
  m.mem.u32[((0x380 + (seed % 64)) * 4096) >>> 2] = seed + 0x1000; // ... and one of its own.
  return m;
}

const MAX_SNAPSHOT = 64 << 10;

function raw(port: number, method: string, p: string, body?: Uint8Array | string, headers: Record<string, string | number> = {}):
Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, method, headers }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Backend {
  name: string;
  setup(): Promise<ShareStorage>;
  teardown(): Promise<void>;
}

const backends: Backend[] = [
  (() => {
    let dir = '';
    return {
      name: 'directory',
      async setup() {
        dir = mkdtempSync(path.join(tmpdir(), 'vmxlab-share-'));
        return new DirStorage(dir);
      },
      async teardown() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  })(),
  (() => {
    let dir = '';
    let srv: S3rver | null = null;
    return {
      name: 'S3 (local s3rver)',
      async setup() {
        dir = mkdtempSync(path.join(tmpdir(), 'vmxlab-s3-'));
        srv = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'vmxlab-test', configs: [] }] });
        const { port } = await srv.run();
        const client = new S3Client({
          endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        });
        return new S3Storage({ bucket: 'vmxlab-test', prefix: 'share/', client });
      },
      async teardown() {
        await srv?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  })(),
];

describe.each(backends)('share API with $name storage', (backend) => {
  const dist = mkdtempSync(path.join(tmpdir(), 'vmxlab-dist-'));
  let server: ReturnType<typeof createAppServer>;
  let port = 0;
  let base = '';

  beforeAll(async () => {
    const storage = await backend.setup();
    server = createAppServer({ distDir: dist, share: new ShareApi(storage, { maxSnapshotBytes: MAX_SNAPSHOT }) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await backend.teardown();
    rmSync(dist, { recursive: true, force: true });
  });

  it('shares a snapshot and restores it from the link; a second snapshot uploads only what changed', async () => {
    const m = machine(1);
    const snap = captureSnapshot(m);
    const first = await shareSnapshot(base, snap);
    expect(first.id).toBe(snap.manifestHash.slice(0, 12));
    expect(first.url).toBe(`${base}/s/${first.id}`);
    expect(first.uploadedChunks).toBe(first.totalChunks);

    const files = await fetchSharedSnapshot(first.url);
    const restored = createMachine({ memMiB: 4 });
    applySnapshot(restored, decodeSnapshot(files.manifestBytes, (h) => files.chunks.get(h)));
    expect(restored.cpu.s).toEqual(m.cpu.s);
    expect(Buffer.compare(restored.mem.u8, m.mem.u8)).toBe(0);

    m.mem.u8[0x3f0000] = 7; // one page changes
    m.run({ maxInstructions: 10 });
    const second = await shareSnapshot(base, captureSnapshot(m));
    expect(second.id).not.toBe(first.id);
    expect(second.uploadedChunks).toBe(2); // that page's chunk and the state chunk
    expect(second.uploadedBytes).toBeLessThan(first.uploadedBytes);

    const again = await shareSnapshot(base, snap); // posting the same snapshot again: same id, nothing sent
    expect(again).toMatchObject({ id: first.id, uploadedChunks: 0 });
  });

  it('stores a chunk only when its SHA-256 is its name, and only up to the size limit', async () => {
    const data = new Uint8Array([1, 2, 3, 4]);
    const wrong = sha256Hex(new Uint8Array([9]));
    const r = await raw(port, 'PUT', `/api/chunks/${wrong}`, data);
    expect(r.status).toBe(422);
    expect(JSON.parse(r.body).error).toMatch(/SHA-256/);
    expect((await raw(port, 'GET', `/api/chunks/${wrong}`)).status).toBe(404);
    const good = sha256Hex(data);
    expect((await raw(port, 'PUT', `/api/chunks/${good}`, data)).status).toBe(201);
    expect((await raw(port, 'PUT', `/api/chunks/${good}`, data)).status).toBe(200);
    expect((await raw(port, 'GET', `/api/chunks/${good}`)).body).toBe('\x01\x02\x03\x04');
    const big = new Uint8Array((1 << 20) + 1);
    const tooBig = await raw(port, 'PUT', `/api/chunks/${sha256Hex(big)}`, big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.type).toMatch(/application\/json/);
  });

  it('refuses bad names and path traversal with JSON errors, never a file', async () => {
    for (const p of [
      '/api/chunks/..%2F..%2F..%2Fetc%2Fpasswd', '/api/snapshots/..%2fmanifests',
      '/api/chunks/ABCDEF', `/api/chunks/${'a'.repeat(63)}`, '/api/snapshots/%2e%2e', '/api/snapshots/0123456789AB',
    ]) {
      const r = await raw(port, 'GET', p);
      expect([400, 404], p).toContain(r.status);
      expect(r.type, p).toMatch(/application\/json/);
      expect(r.body, p).not.toMatch(/root:/);
    }
    // Dot segments leave /api/ before routing: the static server refuses them.
    const dots = await raw(port, 'GET', '/api/chunks/../../../etc/passwd');
    expect([400, 404]).toContain(dots.status);
    expect(dots.body).not.toMatch(/root:/);
    expect((await raw(port, 'DELETE', `/api/snapshots/${'0'.repeat(12)}`)).status).toBe(405);
    expect((await raw(port, 'PUT', `/api/snapshots/${'0'.repeat(12)}`, '{}')).status).toBe(405);
    expect((await raw(port, 'GET', '/api/nothing')).status).toBe(404);
    expect((await raw(port, 'POST', '/api/chunks/missing', 'not json')).status).toBe(400);
    expect((await raw(port, 'POST', '/api/chunks/missing', JSON.stringify({ hashes: ['../x'] }))).status).toBe(400);
  });

  it('posts a manifest only when every chunk is stored, valid, of the stated size and within the limit', async () => {
    const snap = captureSnapshot(machine(2));
    const r = await raw(port, 'POST', '/api/snapshots', snap.manifestBytes);
    expect(r.status).toBe(409);
    const missing = JSON.parse(r.body).missing as string[];
    expect(missing).toContain(snap.manifest.state.hash);
    expect((await raw(port, 'GET', `/api/snapshots/${snap.manifestHash.slice(0, 12)}`)).status).toBe(404);

    const corrupt = await raw(port, 'POST', '/api/snapshots', '{"format":"vmxlab-snapshot","version":1}');
    expect(corrupt.status).toBe(400);
    expect(JSON.parse(corrupt.body).error).toMatch(/corrupt snapshot manifest/);
    const newer = encodeManifest({ ...snap.manifest, version: SNAPSHOT_VERSION + 1 });
    expect(JSON.parse((await raw(port, 'POST', '/api/snapshots', newer)).body).error).toMatch(/newer/);

    // Over the per-snapshot limit: refused before anything is looked up.
    const huge = structuredClone(snap.manifest);
    huge.ram.chunks[0].size = MAX_SNAPSHOT;
    expect((await raw(port, 'POST', '/api/snapshots', encodeManifest(huge))).status).toBe(413);
  });

  it('an upload cut off mid-chunk stores nothing, so its manifest cannot be posted', async () => {
    const snap = captureSnapshot(machine(3));
    // The chunk holding this snapshot's own page (group 28): no other test uploads it.
    const hash = snap.manifest.ram.chunks.find((c) => c.index === 28)!.hash;
    const data = snap.chunks.get(hash)!;
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: `/api/chunks/${hash}`, method: 'PUT', headers: { 'Content-Length': data.length } });
      req.on('error', () => resolve());
      req.write(data.subarray(0, data.length >> 1), () => setTimeout(() => { req.destroy(); resolve(); }, 50));
    });
    await new Promise((r) => setTimeout(r, 100));
    expect((await raw(port, 'GET', `/api/chunks/${hash}`)).status).toBe(404);
    for (const [h, d] of snap.chunks) if (h !== hash) await raw(port, 'PUT', `/api/chunks/${h}`, d);
    const r = await raw(port, 'POST', '/api/snapshots', snap.manifestBytes);
    expect(r.status).toBe(409);
    expect(JSON.parse(r.body).missing).toEqual([hash]);
  });

  it('loses nothing under many concurrent uploads sharing chunks', async () => {
    const N = 24;
    const snaps: Snapshot[] = Array.from({ length: N }, (_, i) => captureSnapshot(machine(100 + i)));
    const results = await Promise.all(snaps.map((s) => shareSnapshot(base, s, { concurrency: 4 })));
    expect(new Set(results.map((r) => r.id)).size).toBe(N);
    const back = await Promise.all(results.map((r) => fetchSharedSnapshot(r.url)));
    back.forEach((files, i) => {
      expect(files.manifestHash).toBe(snaps[i].manifestHash);
      for (const [h, d] of snaps[i].chunks) expect(Buffer.compare(files.chunks.get(h)!, d)).toBe(0);
    });
  });
});

describe('directory storage', () => {
  it('never shows a half-written file: temp files stay in tmp/ and a manifest is created once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vmxlab-share-'));
    try {
      const s = new DirStorage(dir);
      const a = new TextEncoder().encode('{"a":1}');
      const b = new TextEncoder().encode('{"b":2}');
      const results = await Promise.all([s.createManifest('0123456789ab', a), s.createManifest('0123456789ab', b)]);
      expect(results.sort()).toEqual(['created', 'exists']);
      const kept = new TextDecoder().decode((await s.getManifest('0123456789ab'))!);
      expect(['{"a":1}', '{"b":2}']).toContain(kept);
      expect(await s.createManifest('0123456789ab', a)).toBe('exists');
      expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
      await expect(s.getChunk('../../etc/passwd')).rejects.toThrow(/invalid chunk name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
