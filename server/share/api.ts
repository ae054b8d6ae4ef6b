/**
 * The snapshot-share API (DESIGN.md contracts; issue 9). Content-addressed:
 *
 *   POST /api/chunks/missing   {"hashes": [...]}  -> {"missing": [...]}
 *   PUT  /api/chunks/<sha256>  raw chunk bytes    -> 201 stored | 200 already stored
 *   GET  /api/chunks/<sha256>                     -> the bytes (immutable)
 *   POST /api/snapshots        manifest JSON      -> 201 {"id", "hash", "url": "/s/<id>"} | 200 same one exists
 *   GET  /api/snapshots/<id>                      -> the manifest bytes
 *
 * A chunk is stored only if its SHA-256 is its name; a manifest only if it
 * parses (the core's own validator), fits the size limit and every chunk it
 * names is stored with the size it says. The share id is the first 12 hex
 * digits of the manifest's SHA-256. Errors are {"error": "..."} with a status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_CHUNK_BYTES, MAX_MANIFEST_BYTES, SnapshotError, manifestChunks, parseManifest, storedSize } from '../../src/emu/snapshot/manifest.ts';
import { sha256Hex } from '../../src/emu/snapshot/sha256.ts';
import { HttpError, readBody, sendBytes, sendJson } from './http.ts';
import { CHUNK_NAME, SHARE_ID, SHARE_ID_LENGTH, type ShareStorage } from './storage.ts';

export interface ShareLimits {
  /** Largest chunk accepted (bytes). */
  maxChunkBytes: number;
  /** Largest snapshot accepted: manifest plus every distinct chunk (bytes). */
  maxSnapshotBytes: number;
  /** Most hashes in one missing-chunks query. */
  maxQueryHashes: number;
}

export const DEFAULT_LIMITS: ShareLimits = {
  maxChunkBytes: MAX_CHUNK_BYTES,
  maxSnapshotBytes: 512 << 20,
  maxQueryHashes: 100_000,
};

/** Runs `fn` over `items` with at most `n` in flight (storage round trips). */
async function mapLimit<T, R>(items: readonly T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

export class ShareApi {
  readonly limits: ShareLimits;

  constructor(readonly storage: ShareStorage, limits: Partial<ShareLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Handles /api/... requests; returns false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    if (p !== '/api' && !p.startsWith('/api/')) return false;
    try {
      await this.route(req, res, p);
    } catch (err) {
      if (!(err instanceof HttpError) && (res.socket?.destroyed ?? true)) {
        // The client went away mid-request (an upload cut off): nothing was stored, nobody to answer.
        res.destroy();
      } else if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message, ...err.extra });
      } else {
        console.error('share api:', err);
        sendJson(res, 500, { error: 'internal error in the snapshot store' });
      }
    }
    return true;
  }

  private async route(req: IncomingMessage, res: ServerResponse, p: string): Promise<void> {
    const m = req.method ?? 'GET';
    const allow = (methods: string[]): void => {
      if (!methods.includes(m)) throw new HttpError(405, `${m} is not allowed on ${p}`, { allow: methods });
    };
    if (p === '/api/chunks/missing') {
      allow(['POST']);
      return this.missing(req, res);
    }
    if (p === '/api/snapshots') {
      allow(['POST']);
      return this.postManifest(req, res);
    }
    let hit = /^\/api\/chunks\/([^/]*)$/.exec(p);
    if (hit) {
      allow(['GET', 'HEAD', 'PUT']);
      const hash = hit[1];
      if (!CHUNK_NAME.test(hash)) throw new HttpError(400, 'a chunk name is 64 lower-case hex digits (its SHA-256)');
      if (m === 'PUT') return this.putChunk(req, res, hash);
      const data = await this.storage.getChunk(hash);
      if (!data) throw new HttpError(404, `no chunk ${hash}`);
      return sendBytes(res, data, 'application/octet-stream', m === 'HEAD');
    }
    hit = /^\/api\/snapshots\/([^/]*)$/.exec(p);
    if (hit) {
      allow(['GET', 'HEAD']);
      const id = hit[1];
      if (!SHARE_ID.test(id)) throw new HttpError(400, `a snapshot id is ${SHARE_ID_LENGTH} lower-case hex digits`);
      const data = await this.storage.getManifest(id);
      if (!data) throw new HttpError(404, `no snapshot ${id}`);
      return sendBytes(res, data, 'application/json', m === 'HEAD');
    }
    throw new HttpError(404, `no API endpoint ${p}`);
  }

  private async missing(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.limits.maxQueryHashes * 70 + 1024);
    let hashes: unknown;
    try {
      hashes = (JSON.parse(new TextDecoder().decode(body)) as { hashes?: unknown }).hashes;
    } catch {
      throw new HttpError(400, 'body must be JSON: {"hashes": ["<sha256>", ...]}');
    }
    if (!Array.isArray(hashes) || hashes.some((h) => typeof h !== 'string' || !CHUNK_NAME.test(h))) {
      throw new HttpError(400, 'hashes must be an array of 64-digit lower-case hex SHA-256 names');
    }
    if (hashes.length > this.limits.maxQueryHashes) throw new HttpError(413, `at most ${this.limits.maxQueryHashes} hashes per query`);
    const unique = [...new Set(hashes as string[])];
    const sizes = await mapLimit(unique, 32, (h) => this.storage.chunkSize(h));
    sendJson(res, 200, { missing: unique.filter((_, i) => sizes[i] === null) });
  }

  private async putChunk(req: IncomingMessage, res: ServerResponse, hash: string): Promise<void> {
    const data = await readBody(req, this.limits.maxChunkBytes);
    if (data.length === 0) throw new HttpError(400, 'empty chunk');
    const actual = sha256Hex(data);
    if (actual !== hash) throw new HttpError(422, `chunk body has SHA-256 ${actual}, not ${hash}: refused`);
    if ((await this.storage.chunkSize(hash)) === data.length) return sendJson(res, 200, { hash, stored: false });
    await this.storage.putChunk(hash, data);
    sendJson(res, 201, { hash, stored: true });
  }

  private async postManifest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bytes = await readBody(req, MAX_MANIFEST_BYTES);
    let chunks;
    try {
      const manifest = parseManifest(bytes);
      chunks = manifestChunks(manifest);
      const total = storedSize(manifest, bytes.length);
      if (total > this.limits.maxSnapshotBytes) {
        throw new HttpError(413, `snapshot is ${total} bytes; the limit is ${this.limits.maxSnapshotBytes}`);
      }
    } catch (err) {
      if (err instanceof SnapshotError) throw new HttpError(400, err.message);
      throw err;
    }
    const sizes = await mapLimit(chunks, 32, (c) => this.storage.chunkSize(c.hash));
    const missing = chunks.filter((_, i) => sizes[i] === null).map((c) => c.hash);
    if (missing.length > 0) {
      throw new HttpError(409, `${missing.length} chunk(s) of this snapshot are not uploaded yet`, { missing });
    }
    const wrong = chunks.find((c, i) => sizes[i] !== c.size);
    if (wrong) throw new HttpError(409, `chunk ${wrong.hash} is stored with ${sizes[chunks.indexOf(wrong)]} bytes, the manifest says ${wrong.size}`);
    const hash = sha256Hex(bytes);
    const id = hash.slice(0, SHARE_ID_LENGTH);
    const created = await this.storage.createManifest(id, bytes);
    if (created === 'exists') {
      const have = await this.storage.getManifest(id);
      // Another manifest with the same 48-bit prefix: practically never, but never overwrite it.
      if (!have || sha256Hex(have) !== hash) throw new HttpError(409, `snapshot id ${id} is taken by a different snapshot`);
    }
    sendJson(res, created === 'created' ? 201 : 200, { id, hash, url: `/s/${id}` });
  }
}
