/**
 * Restoring a snapshot in three steps, so a bad one never half-loads:
 *   decode  everything that can be checked without a machine (manifest,
 *           chunk hashes and sizes, decompression, section structure);
 *   check   that it fits this machine (configuration, one section per part,
 *           each the length the part writes);
 *   apply   which cannot fail on input that passed the checks; if a part
 *           still throws, the parts already loaded are put back.
 */
import type { Machine } from '../machine.ts';
import { applyCpu, CPU_SECTION, decodeCpu, MMU_SECTION, type CpuImage } from './cpuState.ts';
import { unpackSnapshot } from './container.ts';
import { SnapshotError, parseManifest, type Manifest } from './manifest.ts';
import { applyRam, decodeRam, decompress, verifiedChunk, type RamGroup } from './ramChunks.ts';
import { decodeSections, type Section } from './sections.ts';
import { sha256Hex } from './sha256.ts';

export interface DecodedSnapshot {
  manifest: Manifest;
  manifestHash: string;
  cpu: CpuImage;
  /** Sections of the machine's parts, by name (CPU sections removed). */
  parts: Map<string, Section>;
  ram: RamGroup[];
}

/** Checks a manifest and its chunks completely; `getChunk` returns a chunk's bytes by hash. */
export function decodeSnapshot(manifestBytes: Uint8Array, getChunk: (hash: string) => Uint8Array | undefined): DecodedSnapshot {
  const manifest = parseManifest(manifestBytes);
  const stateZ = verifiedChunk(manifest.state, getChunk, 'the state chunk');
  const sections = decodeSections(decompress(stateZ, manifest.state.rawSize, 'the state chunk'));
  const cpu = decodeCpu(sections.get(CPU_SECTION), sections.get(MMU_SECTION));
  sections.delete(CPU_SECTION);
  sections.delete(MMU_SECTION);
  const ram = decodeRam(manifest.ram.chunks, getChunk);
  return { manifest, manifestHash: sha256Hex(manifestBytes), cpu, parts: sections, ram };
}

/** Decodes a snapshot file (container.ts). */
export function decodeSnapshotFile(bytes: Uint8Array): DecodedSnapshot {
  const files = unpackSnapshot(bytes);
  return decodeSnapshot(files.manifestBytes, (h) => files.chunks.get(h));
}

/** Throws SnapshotError, saying what differs, unless the snapshot fits `machine` exactly. */
export function checkFits(machine: Machine, snap: DecodedSnapshot): void {
  const want = snap.manifest.machine;
  const have = machine.snapshotConfig();
  const keys = new Set([...Object.keys(want), ...Object.keys(have)]);
  const diffs = [...keys].filter((k) => want[k] !== have[k]).map((k) => `${k}: snapshot ${JSON.stringify(want[k])}, this machine ${JSON.stringify(have[k])}`);
  if (diffs.length > 0) throw new SnapshotError(`snapshot was taken on a differently configured machine (${diffs.join('; ')})`);
  const parts = machine.stateParts();
  for (const [name, part] of parts) {
    const sec = snap.parts.get(name);
    if (!sec) throw new SnapshotError(`snapshot has no state for '${name}' (taken by an older vmxlab without that device?)`);
    if (sec.version !== 1) throw new SnapshotError(`snapshot state of '${name}' is version ${sec.version}; this build reads version 1`);
    const len = part.saveState().length;
    if (sec.data.length !== len) throw new SnapshotError(`snapshot state of '${name}' is ${sec.data.length} bytes; this build's is ${len}`);
  }
  const known = new Set(parts.map(([n]) => n));
  for (const name of snap.parts.keys()) {
    if (!known.has(name)) throw new SnapshotError(`snapshot has state for '${name}', which this machine does not have`);
  }
}

/** Checks, then replaces the machine's whole state with the snapshot's. */
export function applySnapshot(machine: Machine, snap: DecodedSnapshot): void {
  checkFits(machine, snap);
  const parts = machine.stateParts();
  const backup = parts.map(([, part]) => part.saveState());
  let loaded = 0;
  try {
    for (const [name, part] of parts) {
      part.loadState(snap.parts.get(name)!.data);
      loaded++;
    }
  } catch (err) {
    for (let i = 0; i < loaded; i++) parts[i][1].loadState(backup[i]);
    throw new SnapshotError(`snapshot state of '${parts[loaded][0]}' was refused (${(err as Error).message}); the machine is unchanged`);
  }
  applyCpu(machine.cpu, snap.cpu);
  applyRam(machine.mem.u8, snap.ram);
  machine.cpu.stateRestored();
  machine.bootFiles = snap.manifest.boot.files.map((f) => ({ ...f }));
  machine.bootCmdline = snap.manifest.boot.cmdline;
  machine.snapshotRestored();
}

/** Restores a snapshot file into `machine`; on any problem throws SnapshotError and leaves the machine as it was. */
export function restoreSnapshot(machine: Machine, bytes: Uint8Array): DecodedSnapshot {
  const snap = decodeSnapshotFile(bytes);
  applySnapshot(machine, snap);
  return snap;
}
