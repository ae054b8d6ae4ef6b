/**
 * CPU sections of a snapshot.
 *
 * 'cpu' holds the register file by field name (the FIELDS list of
 * state/layout.ts), so a field added to the layout later does not make older
 * snapshots unreadable: a field the snapshot lacks keeps its RESET value, and a
 * field this build does not know (a newer snapshot) is refused. Layout:
 *   u32 fieldCount, per field: u8 nameLength, name, u32 words, the words;
 *   then f64 icount, u8 pendingUD.
 * 'mmu' holds what lives outside the register file: PDPTE0-3 (lo/hi words;
 * loaded at MOV CR3 and not re-read from RAM, SDM 4.4.1), PKRU and the VPID tag.
 */
import type { Cpu } from '../cpu/cpu.ts';
import { CR0, CR3, CR4, EFER, FIELDS, OFFSETS } from '../cpu/state/layout.ts';
import { SnapshotError } from './manifest.ts';
import { utf8Decode, utf8Encode } from './utf8.ts';
import type { Section } from './sections.ts';

export const CPU_SECTION = 'cpu';
export const MMU_SECTION = 'mmu';
const MMU_BYTES = 8 * 4 + 4 + 4;

export function saveCpu(cpu: Cpu): Section[] {
    const names = FIELDS.map((f) => utf8Encode(f.name));
  let size = 4 + 8 + 1;
  FIELDS.forEach((f, i) => { size += 1 + names[i].length + 4 + f.count * f.words * 4; });
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, FIELDS.length, true);
  let off = 4;
  FIELDS.forEach((f, i) => {
    out[off++] = names[i].length;
    out.set(names[i], off);
    off += names[i].length;
    const words = f.count * f.words;
    dv.setUint32(off, words, true);
    off += 4;
    const base = OFFSETS[f.name];
    for (let w = 0; w < words; w++, off += 4) dv.setUint32(off, cpu.s[base + w], true);
  });
  dv.setFloat64(off, cpu.icount, true);
  out[off + 8] = cpu.pendingUD ? 1 : 0;

  const mmu = new Uint8Array(MMU_BYTES);
  const mv = new DataView(mmu.buffer);
  for (let i = 0; i < 8; i++) mv.setUint32(i * 4, cpu.mmu.ctl.pdpte[i], true);
  mv.setUint32(32, cpu.mmu.pkru >>> 0, true);
  mv.setUint32(36, cpu.mmu.currentVpid, true);
  return [{ name: CPU_SECTION, version: 1, data: out }, { name: MMU_SECTION, version: 1, data: mmu }];
}

/** The CPU sections decoded and checked, ready to apply. */
export interface CpuImage {
  /** Register-file words by word offset (fields absent from the snapshot are absent here). */
  fields: { offset: number; words: Uint32Array }[];
  icount: number;
  pendingUD: boolean;
  pdpte: Uint32Array;
  pkru: number;
  vpid: number;
}

/** Decodes the 'cpu' and 'mmu' sections; throws SnapshotError for anything this build cannot apply. */
export function decodeCpu(cpuSec: Section | undefined, mmuSec: Section | undefined): CpuImage {
  const bad = (msg: string): never => {
    throw new SnapshotError(`snapshot CPU state: ${msg}`);
  };
  if (!cpuSec || !mmuSec) return bad(`section '${!cpuSec ? CPU_SECTION : MMU_SECTION}' is missing`);
  if (cpuSec.version !== 1 || mmuSec.version !== 1) bad(`section version ${cpuSec.version}/${mmuSec.version} is not one this build reads (1)`);
  const b = cpuSec.data;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const known = new Map(FIELDS.map((f) => [f.name, f]));
    if (b.length < 4) bad('cut off');
  const count = dv.getUint32(0, true);
  let off = 4;
  const fields: CpuImage['fields'] = [];
  for (let i = 0; i < count; i++) {
    if (off + 1 > b.length) bad('cut off in the field list');
    const n = b[off++];
    if (off + n + 4 > b.length) bad('cut off in the field list');
    let name = '';
    try { name = utf8Decode(b.subarray(off, off + n)); } catch { bad('a field name is not text'); }
    off += n;
    const words = dv.getUint32(off, true);
    off += 4;
    const f = known.get(name);
    if (!f) bad(`register field '${name}' is unknown to this build (a snapshot from a newer vmxlab?)`);
    if (words !== f!.count * f!.words) bad(`register field '${name}' has ${words} words, this build has ${f!.count * f!.words}`);
    if (off + words * 4 > b.length) bad(`cut off in field '${name}'`);
    const w = new Uint32Array(words);
    for (let k = 0; k < words; k++) w[k] = dv.getUint32(off + k * 4, true);
    off += words * 4;
    fields.push({ offset: OFFSETS[name], words: w });
  }
  if (off + 9 !== b.length) bad(`${b.length - off} bytes where 9 (icount, pending #UD) were expected`);
  const icount = dv.getFloat64(off, true);
  if (!Number.isSafeInteger(icount) || icount < 0) bad(`icount ${icount} is not a count`);
  if (b[off + 8] > 1) bad('pending-#UD flag is not 0 or 1');
  if (mmuSec.data.length !== MMU_BYTES) bad(`section '${MMU_SECTION}' is ${mmuSec.data.length} bytes, expected ${MMU_BYTES}`);
  const mv = new DataView(mmuSec.data.buffer, mmuSec.data.byteOffset, MMU_BYTES);
  const pdpte = new Uint32Array(8);
  for (let i = 0; i < 8; i++) pdpte[i] = mv.getUint32(i * 4, true);
  return { fields, icount, pendingUD: b[off + 8] === 1, pdpte, pkru: mv.getUint32(32, true), vpid: mv.getUint32(36, true) };
}

/**
 * Writes the image into the CPU. Fields the snapshot lacks keep RESET values.
 * Call cpu.stateRestored() once RAM is in place (it re-derives the caches).
 */
export function applyCpu(cpu: Cpu, img: CpuImage): void {
  cpu.reset();
  for (const f of img.fields) cpu.s.set(f.words, f.offset);
  cpu.icount = img.icount;
  cpu.pendingUD = img.pendingUD;
  cpu.mmu.pkru = img.pkru;
  const s = cpu.s;
  cpu.mmu.restoreControl(s[CR0], s[CR3], s[CR3 + 1], s[CR4], s[EFER], img.pdpte, img.vpid);
}
