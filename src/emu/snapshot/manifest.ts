/**
 * The snapshot manifest: a JSON document naming everything else by SHA-256.
 * It is the unit of sharing (its hash is the share id) and the one thing the
 * server must understand, so the parser here is the single validator used by
 * the core, the CLI and the server.
 *
 *   { format: 'vmxlab-snapshot', version,
 *     machine: { memMiB, ... }           configuration a restoring machine must match
 *     boot: { cmdline, files: [...] }    what was booted (name, size, SHA-256)
 *     icount                             instructions retired when saved
 *     state: { hash, size, rawSize }     one chunk of named binary sections (CPU, MMU, devices, clock)
 *     ram: { pageSize: 4096, pagesPerChunk, pages, chunks: [{ index, mask, hash, size }] } }
 *
 * RAM chunk `index` covers pages index*pagesPerChunk .. +pagesPerChunk-1;
 * bit i of `mask` says page i of that group is stored (a non-zero page).
 * Groups that are entirely zero are not listed. A chunk is the raw-DEFLATE
 * compression of its stored pages in ascending order; `hash` is the SHA-256
 * of the compressed bytes (what is uploaded), `size` their length.
 */
import { isSha256Hex } from './sha256.ts';
import { utf8Decode, utf8Encode } from './utf8.ts';

export const SNAPSHOT_FORMAT = 'vmxlab-snapshot';
/** Bump when the meaning of any field or section changes; older readers then refuse it. */
export const SNAPSHOT_VERSION = 1;
export const PAGE_SIZE = 4096;
/** 32 pages = 128 KiB of guest-physical space per chunk: small enough that a second snapshot re-uploads little. */
export const PAGES_PER_CHUNK = 32;
/** Largest compressed chunk (a 128 KiB group that DEFLATE cannot shrink stays far below). */
export const MAX_CHUNK_BYTES = 1 << 20;
/** Largest decompressed state chunk. */
export const MAX_STATE_BYTES = 4 << 20;
export const MAX_MANIFEST_BYTES = 4 << 20;
/** Largest RAM a snapshot may describe (the machine's own limit: 3 GiB). */
export const MAX_RAM_PAGES = (3072 * 1024 * 1024) / PAGE_SIZE;
const MAX_BOOT_FILES = 16;
const MAX_TEXT = 4096;

/** A snapshot that cannot be used, with a message for people. Nothing was changed when it is thrown. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export interface ChunkRef {
  hash: string;
  /** Compressed length in bytes. */
  size: number;
}

export interface RamChunkRef extends ChunkRef {
  /** Group number: covers pages index*pagesPerChunk onwards. */
  index: number;
  /** Bit i set: page i of the group is stored. Never 0. */
  mask: number;
}

export interface BootFile {
  /** 'kernel', 'initrd', 'multiboot', ... */
  role: string;
  name: string;
  size: number;
  sha256: string;
}

export type ConfigValue = number | string | boolean;

export interface Manifest {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  machine: Record<string, ConfigValue>;
  boot: { cmdline: string; files: BootFile[] };
  icount: number;
  state: ChunkRef & { rawSize: number };
  ram: { pageSize: number; pagesPerChunk: number; pages: number; chunks: RamChunkRef[] };
}

const fail = (msg: string): never => {
  throw new SnapshotError(`corrupt snapshot manifest: ${msg}`);
};

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(`${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v as number;
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length > MAX_TEXT) fail(`${what} must be a string of at most ${MAX_TEXT} characters`);
  return v as string;
}

function hash(v: unknown, what: string): string {
  if (!isSha256Hex(v)) fail(`${what} must be a lower-case hex SHA-256`);
  return v as string;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Pages stored in a RAM chunk. */
export function pagesInMask(mask: number): number {
  return popcount(mask >>> 0);
}

/**
 * Parses and checks a manifest completely: types, ranges, chunk positions and
 * sizes. A manifest of a newer format version is refused with a message that
 * says so; nothing about the machine is checked here (see restore).
 */
export function parseManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) fail(`it is ${bytes.length} bytes, the limit is ${MAX_MANIFEST_BYTES}`);
  let doc: unknown;
  try {
    doc = JSON.parse(utf8Decode(bytes));
  } catch (err) {
    fail(`not UTF-8 JSON (${(err as Error).message})`);
  }
  if (!isObj(doc)) return fail('not a JSON object');
  if (doc.format !== SNAPSHOT_FORMAT) fail(`format is ${JSON.stringify(doc.format)}, expected "${SNAPSHOT_FORMAT}"`);
  const version = int(doc.version, 'version', 1, Number.MAX_SAFE_INTEGER);
  if (version > SNAPSHOT_VERSION) {
    throw new SnapshotError(
      `snapshot format version ${version} is newer than this vmxlab understands (${SNAPSHOT_VERSION}): update vmxlab to restore it`,
    );
  }

  if (!isObj(doc.machine)) return fail('machine must be an object');
  const machine: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(doc.machine)) {
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') fail(`machine.${k} must be a number, string or boolean`);
    machine[k] = v as ConfigValue;
  }
  const memMiB = int(machine.memMiB, 'machine.memMiB', 1, 3072);

  if (!isObj(doc.boot) || !Array.isArray(doc.boot.files)) return fail('boot must be { cmdline, files: [] }');
  if (doc.boot.files.length > MAX_BOOT_FILES) fail(`more than ${MAX_BOOT_FILES} boot files`);
  const files = doc.boot.files.map((f: unknown, i: number): BootFile => {
    if (!isObj(f)) return fail(`boot.files[${i}] must be an object`);
    return {
      role: text(f.role, `boot.files[${i}].role`),
      name: text(f.name, `boot.files[${i}].name`),
      size: int(f.size, `boot.files[${i}].size`, 0, 2 ** 32),
      sha256: hash(f.sha256, `boot.files[${i}].sha256`),
    };
  });
  const boot = { cmdline: text(doc.boot.cmdline, 'boot.cmdline'), files };
  const icount = int(doc.icount, 'icount', 0, Number.MAX_SAFE_INTEGER);

  if (!isObj(doc.state)) return fail('state must be an object');
  const state = {
    hash: hash(doc.state.hash, 'state.hash'),
    size: int(doc.state.size, 'state.size', 1, MAX_CHUNK_BYTES),
    rawSize: int(doc.state.rawSize, 'state.rawSize', 1, MAX_STATE_BYTES),
  };

  const r = doc.ram;
  if (!isObj(r) || !Array.isArray(r.chunks)) return fail('ram must be { pageSize, pagesPerChunk, pages, chunks: [] }');
  if (r.pageSize !== PAGE_SIZE) fail(`ram.pageSize must be ${PAGE_SIZE}`);
  if (r.pagesPerChunk !== PAGES_PER_CHUNK) fail(`ram.pagesPerChunk must be ${PAGES_PER_CHUNK}`);
  const pages = int(r.pages, 'ram.pages', 1, MAX_RAM_PAGES);
  if (pages !== memMiB * 256) fail(`ram.pages (${pages}) does not match machine.memMiB (${memMiB})`);
  const groups = Math.ceil(pages / PAGES_PER_CHUNK);
  let prev = -1;
  const chunks = r.chunks.map((c: unknown, i: number): RamChunkRef => {
    if (!isObj(c)) return fail(`ram.chunks[${i}] must be an object`);
    const index = int(c.index, `ram.chunks[${i}].index`, 0, groups - 1);
    if (index <= prev) fail(`ram.chunks must be in ascending order of index without repeats (at ${i})`);
    prev = index;
    const mask = int(c.mask, `ram.chunks[${i}].mask`, 1, 0xffffffff);
    const lastPage = index * PAGES_PER_CHUNK + 31 - Math.clz32(mask);
    if (lastPage >= pages) fail(`ram.chunks[${i}] stores page ${lastPage}, past the end of RAM`);
    return {
      index, mask,
      hash: hash(c.hash, `ram.chunks[${i}].hash`),
      size: int(c.size, `ram.chunks[${i}].size`, 1, MAX_CHUNK_BYTES),
    };
  });

  return { format: SNAPSHOT_FORMAT, version, machine, boot, icount, state, ram: { pageSize: PAGE_SIZE, pagesPerChunk: PAGES_PER_CHUNK, pages, chunks } };
}

/** Every distinct chunk a manifest needs, with its size (what a server stores). */
export function manifestChunks(m: Manifest): ChunkRef[] {
  const seen = new Map<string, number>();
  seen.set(m.state.hash, m.state.size);
  for (const c of m.ram.chunks) {
    const had = seen.get(c.hash);
    if (had !== undefined && had !== c.size) fail(`chunk ${c.hash} is listed with two different sizes`);
    seen.set(c.hash, c.size);
  }
  return [...seen].map(([h, size]) => ({ hash: h, size }));
}

/** Bytes a snapshot stores: the manifest plus every distinct chunk once. */
export function storedSize(m: Manifest, manifestBytes: number): number {
  return manifestChunks(m).reduce((n, c) => n + c.size, manifestBytes);
}

export function encodeManifest(m: Manifest): Uint8Array {
  return utf8Encode(JSON.stringify(m));
}
