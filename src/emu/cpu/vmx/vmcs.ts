/**
 * VMCS storage: the current-VMCS cache (typed array, two words per field slot)
 * and the 4 KiB VMCS region in guest-physical memory.
 *
 * In-memory format (the SDM leaves it to the implementation, 25.2):
 *   +0  revision identifier (bits 30:0), shadow-VMCS indicator (bit 31)
 *   +4  VMX-abort indicator
 *   +8  launch state: 0 clear, 1 launched (vmxlab's choice: kept in the region,
 *       so VMCLEAR of a non-current VMCS can clear it, as the SDM requires)
 *   +16 field slot k (VMCS_FIELDS order) at 16 + 8k, 64 bits little-endian.
 * While a VMCS is current its fields live in the cache; memory may be stale
 * until VMCLEAR (or VMPTRLD of another VMCS) writes the cache back, as on
 * hardware. Software that reads the region directly sees our layout.
 */
import type { PhysicalMemory } from '../../mem/physicalMemory.ts';
import { VMCS_FIELDS } from './fields.ts';

export const VMCS_REGION_SIZE = 4096;
export const VMCS_OFF_REVISION = 0;
export const VMCS_OFF_ABORT = 4;
export const VMCS_OFF_LAUNCH = 8;
export const VMCS_OFF_FIELDS = 16;
export const FIELD_COUNT = VMCS_FIELDS.length;
/** Cache words: two per field, then the launch state (the `vmcs` field of the register file). */
const CACHE_LAUNCH = FIELD_COUNT * 2;
export const VMCS_CACHE_WORDS = CACHE_LAUNCH + 1;

/** Slot of a field by SDM name; throws at module load on a typo. */
export function slot(name: string): number {
  const k = VMCS_FIELDS.findIndex((f) => f.name === name);
  if (k < 0) throw new Error(`no VMCS field ${name}`);
  return k;
}

/** A view over the register file's `vmcs` words (layout.ts), so snapshots and the UI see the cache. */
export class VmcsCache {
  constructor(readonly w: Uint32Array) {
    if (w.length !== VMCS_CACHE_WORDS) throw new Error('VMCS cache view has the wrong size');
  }

  lo(k: number): number { return this.w[k * 2]; }
  hi(k: number): number { return this.w[k * 2 + 1]; }
  set(k: number, lo: number, hi = 0): void { this.w[k * 2] = lo >>> 0; this.w[k * 2 + 1] = hi >>> 0; }

  get launched(): boolean { return this.w[CACHE_LAUNCH] === 1; }
  set launched(v: boolean) { this.w[CACHE_LAUNCH] = v ? 1 : 0; }

  /** VMPTRLD: fills the cache from the region at `pa`. */
  load(mem: PhysicalMemory, pa: number): void {
    for (let k = 0; k < FIELD_COUNT; k++) {
      this.w[k * 2] = mem.read32(pa + VMCS_OFF_FIELDS + k * 8);
      this.w[k * 2 + 1] = mem.read32(pa + VMCS_OFF_FIELDS + k * 8 + 4);
    }
    this.w[CACHE_LAUNCH] = mem.read32(pa + VMCS_OFF_LAUNCH) & 1;
  }

  /** Writes the cache back to the region at `pa` (VMCLEAR, switching VMCS, VMXOFF). */
  store(mem: PhysicalMemory, pa: number): void {
    for (let k = 0; k < FIELD_COUNT; k++) {
      mem.write32(pa + VMCS_OFF_FIELDS + k * 8, this.w[k * 2]);
      mem.write32(pa + VMCS_OFF_FIELDS + k * 8 + 4, this.w[k * 2 + 1]);
    }
    mem.write32(pa + VMCS_OFF_LAUNCH, this.w[CACHE_LAUNCH]);
  }
}
