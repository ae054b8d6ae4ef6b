/** Snapshots: versioned save/restore of the whole machine, cut into content-addressed chunks for sharing. */
export { SnapshotError, parseManifest, manifestChunks, storedSize, SNAPSHOT_VERSION, type Manifest, type ChunkRef } from './manifest.ts';
export { captureSnapshot, saveSnapshot, type Snapshot } from './save.ts';
export { applySnapshot, checkFits, decodeSnapshot, decodeSnapshotFile, restoreSnapshot, type DecodedSnapshot } from './restore.ts';
export { packSnapshot, unpackSnapshot, type SnapshotFiles } from './container.ts';
export { sha256Hex, isSha256Hex } from './sha256.ts';
