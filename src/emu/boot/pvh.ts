/**
 * PVH boot information (Xen public header arch-x86/hvm/start_info.h, version 1):
 * hvm_start_info with the command line, the initrd as module 0 and the
 * memory map (the e820 types), for kernels entered at their PVH note.
 */
import type { PhysicalMemory } from '../mem/physicalMemory.ts';
import { e820Map, PVH_START_INFO_ADDR } from './zeroPage.ts';

export const HVM_START_MAGIC = 0x336ec578;
const MODLIST_OFF = 0x100, MEMMAP_OFF = 0x200;

function put64(mem: PhysicalMemory, pa: number, v: number): void {
  mem.write32(pa, v >>> 0);
  mem.write32(pa + 4, Math.floor(v / 2 ** 32));
}

export function writePvhStartInfo(mem: PhysicalMemory, o: { cmdlinePtr: number; initrd: { addr: number; size: number } | null }): number {
  const si = PVH_START_INFO_ADDR;
  mem.u8.fill(0, si, si + 0x1000);
  mem.write32(si, HVM_START_MAGIC);
  mem.write32(si + 4, 1);
  if (o.initrd) {
    mem.write32(si + 12, 1);
    put64(mem, si + 16, si + MODLIST_OFF);
    put64(mem, si + MODLIST_OFF, o.initrd.addr);
    put64(mem, si + MODLIST_OFF + 8, o.initrd.size);
  }
  put64(mem, si + 24, o.cmdlinePtr);
  const map = e820Map(mem.size);
  put64(mem, si + 40, si + MEMMAP_OFF);
  mem.write32(si + 48, map.length);
  map.forEach((e, i) => {
    const pa = si + MEMMAP_OFF + i * 24;
    put64(mem, pa, e.base);
    put64(mem, pa + 8, e.length);
    mem.write32(pa + 16, e.type);
  });
  return si;
}
