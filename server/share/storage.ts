/**
 * Where the share server keeps snapshots: content-addressed chunks (named by
 * their SHA-256) and manifests (named by the share id). Implementations must
 * make every object appear whole or not at all, and must never replace a
 * manifest once it exists (snapshots are immutable).
 */
export interface ShareStorage {
  /** Length of a stored chunk, or null when it is not stored. */
  chunkSize(hash: string): Promise<number | null>;
  /** Stores a chunk whose hash the caller has verified; storing it again is harmless. */
  putChunk(hash: string, data: Uint8Array): Promise<void>;
  getChunk(hash: string): Promise<Uint8Array | null>;
  /** Creates a manifest unless one with this id exists; tells which happened. */
  createManifest(id: string, data: Uint8Array): Promise<'created' | 'exists'>;
  getManifest(id: string): Promise<Uint8Array | null>;
  /** Short description for the log (never credentials). */
  describe(): string;
}

/** Chunk names and share ids: fixed-length lower-case hex, never a path. */
export const CHUNK_NAME = /^[0-9a-f]{64}$/;
export const SHARE_ID = /^[0-9a-f]{12}$/;
/** Hex digits of the manifest hash that form a share id (48 bits). */
export const SHARE_ID_LENGTH = 12;

export function checkName(kind: 'chunk' | 'manifest', name: string): void {
  if (!(kind === 'chunk' ? CHUNK_NAME : SHARE_ID).test(name)) throw new Error(`invalid ${kind} name ${JSON.stringify(name)}`);
}
