/**
 * Taking a snapshot: the CPU, every stateful part and RAM, cut into the
 * content-addressed pieces of manifest.ts. Call it between runs (the machine
 * stops only at instruction boundaries, so the state is consistent).
 */
import type { Machine } from '../machine.ts';
import { saveCpu } from './cpuState.ts';
import { packSnapshot, type SnapshotFiles } from './container.ts';
import {
  PAGE_SIZE, PAGES_PER_CHUNK, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, encodeManifest, type BootFile, type Manifest,
} from './manifest.ts';
import { captureRam, compress } from './ramChunks.ts';
import { encodeSections, type Section } from './sections.ts';
import { sha256Hex } from './sha256.ts';

export interface Snapshot extends SnapshotFiles {
  manifest: Manifest;
}

function bootFiles(machine: Machine): BootFile[] {
  return machine.bootFiles.map((f) => {
    // Hash a boot file once; the record keeps the hash for later snapshots.
    if (f.sha256 === undefined) f.sha256 = sha256Hex(f.bytes ?? new Uint8Array(0));
    return { role: f.role, name: f.name, size: f.size, sha256: f.sha256 };
  });
}

/** Every section of the state chunk: CPU, MMU, then the machine's parts in its order. */
export function stateSections(machine: Machine): Section[] {
  const out = saveCpu(machine.cpu);
  for (const [name, part] of machine.stateParts()) out.push({ name, version: 1, data: part.saveState() });
  return out;
}

export function captureSnapshot(machine: Machine): Snapshot {
  const raw = encodeSections(stateSections(machine));
  const state = compress(raw);
  const stateHash = sha256Hex(state);
  const ram = captureRam(machine.mem.u8);
  const manifest: Manifest = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    machine: machine.snapshotConfig(),
    boot: { cmdline: machine.bootCmdline, files: bootFiles(machine) },
    icount: machine.cpu.icount,
    state: { hash: stateHash, size: state.length, rawSize: raw.length },
    ram: { pageSize: PAGE_SIZE, pagesPerChunk: PAGES_PER_CHUNK, pages: machine.mem.size / PAGE_SIZE, chunks: ram.refs },
  };
  const chunks = new Map<string, Uint8Array>([[stateHash, state], ...ram.chunks]);
  const manifestBytes = encodeManifest(manifest);
  return { manifest, manifestBytes, manifestHash: sha256Hex(manifestBytes), chunks };
}

/** The machine as one snapshot file (container.ts). */
export function saveSnapshot(machine: Machine): Uint8Array {
  return packSnapshot(captureSnapshot(machine));
}
