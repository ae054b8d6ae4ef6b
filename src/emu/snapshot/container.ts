/**
 * The single-file form of a snapshot (export, import, `vmxlab snapshot -o`):
 *
 *   "VMXLSNAP"  magic, 8 bytes
 *   u32         container version (1)
 *   u32         manifest length
 *   32 bytes    SHA-256 of the manifest (its name, and the share id's source)
 *   manifest    JSON (manifest.ts)
 *   u32         chunk count, then per chunk: 32-byte SHA-256, u32 length, bytes
 *
 * All integers little-endian. Chunks are the same bytes the share server
 * stores. The manifest hash covers every number in it; each chunk is checked
 * against the manifest when the snapshot is decoded.
 */
import { MAX_CHUNK_BYTES, MAX_MANIFEST_BYTES, SnapshotError } from './manifest.ts';
import { sha256, sha256Hex, toHex } from './sha256.ts';

const MAGIC = [0x56, 0x4d, 0x58, 0x4c, 0x53, 0x4e, 0x41, 0x50]; // "VMXLSNAP"
export const CONTAINER_VERSION = 1;
const HEADER = 8 + 4 + 4 + 32;

export interface SnapshotFiles {
  manifestBytes: Uint8Array;
  /** Lower-case hex SHA-256 of manifestBytes. */
  manifestHash: string;
  chunks: Map<string, Uint8Array>;
}

export function packSnapshot(files: SnapshotFiles): Uint8Array {
  let size = HEADER + files.manifestBytes.length + 4;
  for (const c of files.chunks.values()) size += 32 + 4 + c.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(8, CONTAINER_VERSION, true);
  dv.setUint32(12, files.manifestBytes.length, true);
  out.set(sha256(files.manifestBytes), 16);
  out.set(files.manifestBytes, HEADER);
  let off = HEADER + files.manifestBytes.length;
  dv.setUint32(off, files.chunks.size, true);
  off += 4;
  for (const [hash, data] of files.chunks) {
    for (let i = 0; i < 32; i++) out[off + i] = parseInt(hash.slice(i * 2, i * 2 + 2), 16);
    dv.setUint32(off + 32, data.length, true);
    out.set(data, off + 36);
    off += 36 + data.length;
  }
  return out;
}

/** Splits a snapshot file into manifest and chunks; refuses anything but an intact file of a known version. */
export function unpackSnapshot(bytes: Uint8Array): SnapshotFiles {
  const bad = (msg: string): never => {
    throw new SnapshotError(`not a usable vmxlab snapshot file: ${msg}`);
  };
  if (bytes.length < HEADER) bad(`only ${bytes.length} bytes (truncated?)`);
  if (MAGIC.some((b, i) => bytes[i] !== b)) bad('it does not start with the VMXLSNAP signature');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version > CONTAINER_VERSION) {
    throw new SnapshotError(`snapshot file version ${version} is newer than this vmxlab understands (${CONTAINER_VERSION}): update vmxlab to restore it`);
  }
  if (version === 0) bad('container version 0');
  const mlen = dv.getUint32(12, true);
  if (mlen > MAX_MANIFEST_BYTES || HEADER + mlen + 4 > bytes.length) bad(`manifest length ${mlen} does not fit in ${bytes.length} bytes (truncated?)`);
  const manifestBytes = bytes.subarray(HEADER, HEADER + mlen);
  const manifestHash = sha256Hex(manifestBytes);
  if (manifestHash !== toHex(bytes.subarray(16, 48))) bad('the manifest does not match its SHA-256 (corrupted)');
  let off = HEADER + mlen;
  const count = dv.getUint32(off, true);
  off += 4;
  const chunks = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (off + 36 > bytes.length) bad(`chunk ${i} of ${count} is cut off (truncated?)`);
    const hash = toHex(bytes.subarray(off, off + 32));
    const len = dv.getUint32(off + 32, true);
    if (len > MAX_CHUNK_BYTES || off + 36 + len > bytes.length) bad(`chunk ${i} of ${count} is cut off (truncated?)`);
    chunks.set(hash, bytes.subarray(off + 36, off + 36 + len));
    off += 36 + len;
  }
  if (off !== bytes.length) bad(`${bytes.length - off} unexpected bytes after the last chunk`);
  return { manifestBytes, manifestHash, chunks };
}
