/**
 * Client of the snapshot-share API (server/share/api.ts), for the browser UI
 * and the CLI: upload only the chunks the server lacks, then the manifest;
 * download a shared snapshot by link. Progress is reported per chunk.
 */
import { parseManifest, manifestChunks, SnapshotError } from '../emu/snapshot/manifest.ts';
import { sha256Hex } from '../emu/snapshot/sha256.ts';
import type { SnapshotFiles } from '../emu/snapshot/container.ts';

export interface ShareProgress {
  phase: 'upload' | 'download';
  /** Chunks done / to do in this phase. */
  done: number;
  total: number;
  /** Bytes moved so far. */
  bytes: number;
}

export interface ShareOptions {
  onProgress?: (p: ShareProgress) => void;
  /** Requests in flight at once (default 6). */
  concurrency?: number;
}

export interface ShareResult {
  id: string;
  /** Absolute share link. */
  url: string;
  /** Bytes of chunks and manifest sent (chunks the server had are not sent). */
  uploadedBytes: number;
  uploadedChunks: number;
  totalChunks: number;
}

/** A share link `<origin>/s/<id>` (or a bare id with a base) split into server and id. */
export function parseShareLink(link: string, base?: string): { base: string; id: string } {
  if (/^[0-9a-f]{12}$/.test(link)) {
    if (!base) throw new Error(`snapshot id ${link} needs a server address`);
    return { base: base.replace(/\/+$/, ''), id: link };
  }
  let u: URL;
  try {
    u = new URL(link);
  } catch {
    throw new Error(`not a share link: ${link}`);
  }
  const m = /^\/s\/([0-9a-f]{12})\/?$/.exec(u.pathname);
  if (!m) throw new Error(`not a share link (expected <server>/s/<12 hex digits>): ${link}`);
  return { base: u.origin, id: m[1] };
}

async function check(res: Response, what: string): Promise<Response> {
  if (res.ok) return res;
  let msg = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: string };
    if (body.error) msg = `${res.status}: ${body.error}`;
  } catch { /* not JSON */ }
  throw new Error(`${what} failed: ${msg}`);
}

async function pool<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/** Uploads a snapshot (only what the server lacks) and returns its share link. */
export async function shareSnapshot(base: string, snap: SnapshotFiles, opts: ShareOptions = {}): Promise<ShareResult> {
  base = base.replace(/\/+$/, '');
  const refs = manifestChunks(parseManifest(snap.manifestBytes));
  const q = await check(await fetch(`${base}/api/chunks/missing`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hashes: refs.map((r) => r.hash) }),
  }), 'asking the server which chunks it lacks');
  const missing = ((await q.json()) as { missing: string[] }).missing;
  let bytes = 0, done = 0;
  opts.onProgress?.({ phase: 'upload', done, total: missing.length, bytes });
  await pool(missing, opts.concurrency ?? 6, async (hash) => {
    const data = snap.chunks.get(hash);
    if (!data) throw new Error(`the server asked for chunk ${hash}, which this snapshot does not have`);
    await check(await fetch(`${base}/api/chunks/${hash}`, {
      method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: data as Uint8Array<ArrayBuffer>,
    }), `uploading chunk ${hash}`);
    bytes += data.length;
    opts.onProgress?.({ phase: 'upload', done: ++done, total: missing.length, bytes });
  });
  const r = await check(await fetch(`${base}/api/snapshots`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: snap.manifestBytes as Uint8Array<ArrayBuffer>,
  }), 'posting the snapshot manifest');
  const { id } = (await r.json()) as { id: string };
  return { id, url: `${base}/s/${id}`, uploadedBytes: bytes + snap.manifestBytes.length, uploadedChunks: missing.length, totalChunks: refs.length };
}

/** Downloads a shared snapshot: the manifest (checked against its id) and every chunk (checked against its name). */
export async function fetchSharedSnapshot(link: string, opts: ShareOptions & { base?: string } = {}): Promise<SnapshotFiles> {
  const { base, id } = parseShareLink(link, opts.base);
  const res = await check(await fetch(`${base}/api/snapshots/${id}`), `fetching snapshot ${id}`);
  const manifestBytes = new Uint8Array(await res.arrayBuffer());
  const manifestHash = sha256Hex(manifestBytes);
  if (!manifestHash.startsWith(id)) throw new SnapshotError(`the server sent a manifest that is not snapshot ${id}`);
  const refs = manifestChunks(parseManifest(manifestBytes));
  const chunks = new Map<string, Uint8Array>();
  let bytes = 0, done = 0;
  opts.onProgress?.({ phase: 'download', done, total: refs.length, bytes });
  await pool(refs, opts.concurrency ?? 6, async (ref) => {
    const r = await check(await fetch(`${base}/api/chunks/${ref.hash}`), `fetching chunk ${ref.hash}`);
    const data = new Uint8Array(await r.arrayBuffer());
    if (sha256Hex(data) !== ref.hash) throw new SnapshotError(`chunk ${ref.hash} arrived corrupted`);
    chunks.set(ref.hash, data);
    bytes += data.length;
    opts.onProgress?.({ phase: 'download', done: ++done, total: refs.length, bytes });
  });
  return { manifestBytes, manifestHash, chunks };
}
