/**
 * Intel MultiProcessor Specification 1.4 tables, so a kernel without ACPI
 * (Linux with CONFIG_X86_MPPARSE) finds the local APICs, the IOAPIC and the
 * ISA interrupt wiring. The floating pointer goes in the BIOS area
 * (0xF0000-0xFFFFF, 16-byte aligned, which Linux scans) and the
 * configuration table right after it.
 *
 * The wiring described here is the one src/emu/devices/interrupts.ts
 * implements: ISA IRQ n -> IOAPIC pin n except IRQ0 -> pin 2, IRQ2 (the
 * cascade) absent, 8259A on LINT0 as ExtINT, NMI on LINT1, virtual wire mode
 * (no IMCR).
 */
import type { PhysicalMemory } from '../mem/physicalMemory.ts';
import { APIC_DEFAULT_BASE, APIC_VERSION_VALUE } from '../devices/lapic.ts';
import { IOAPIC_DEFAULT_BASE, IOAPIC_VERSION_VALUE } from '../devices/ioapic.ts';
import { isaIrqToGsi } from '../devices/interrupts.ts';

export const MP_FLOATING_SIGNATURE = '_MP_';
export const MP_CONFIG_SIGNATURE = 'PCMP';
export const MP_SPEC_REV = 4; // 1.4

/** Entry types and interrupt types (MPS 1.4 section 4.3). */
export const MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_IOINTR = 3, MP_LINTR = 4;
export const MP_INT = 0, MP_NMI = 1, MP_SMI = 2, MP_EXTINT = 3;
/** I/O interrupt flags: polarity bits 1:0, trigger bits 3:2 (0 = conforms to the bus). */
export const MP_IRQ_CONFORMS = 0, MP_IRQ_ACTIVE_LOW_LEVEL = 0x0f;

export interface MpPciInterrupt {
  /** PCI device number on bus 0 and interrupt pin (0 = INTA# .. 3 = INTD#). */
  device: number;
  pin: number;
  /** IOAPIC input it is wired to. */
  ioapicPin: number;
}

export interface MpTableConfig {
  /** Local APIC IDs, BSP first. */
  apicIds: number[];
  ioapicId: number;
  ioapicBase?: number;
  lapicBase?: number;
  /** CPUID.01H:EAX and EDX for the processor entries. */
  cpuSignature?: number;
  cpuFeatures?: number;
  /** Level-triggered, active-low PCI INTx routes (none until a PCI device has an interrupt). */
  pciInterrupts?: MpPciInterrupt[];
}

const PCI_BUS_ID = 0, ISA_BUS_ID = 1;

class ByteWriter {
  readonly bytes: number[] = [];
  u8(v: number): this { this.bytes.push(v & 0xff); return this; }
  u16(v: number): this { return this.u8(v).u8(v >> 8); }
  u32(v: number): this { return this.u16(v).u16(v >>> 16); }
  str(s: string, len: number): this {
    for (let i = 0; i < len; i++) this.u8(i < s.length ? s.charCodeAt(i) : 0x20);
    return this;
  }
}

function checksum(bytes: Uint8Array | number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += bytes[i];
  return (-s) & 0xff;
}

/** Builds the configuration table (header + base entries) for a table placed at any address. */
export function buildMpConfigTable(cfg: MpTableConfig): Uint8Array {
  const e = new ByteWriter();
  let count = 0;
  const sig = cfg.cpuSignature ?? 0x00000600;
  const features = cfg.cpuFeatures ?? ((1 << 0) | (1 << 9)); // FPU, on-chip APIC
  cfg.apicIds.forEach((id, i) => {
    e.u8(MP_PROCESSOR).u8(id).u8(APIC_VERSION_VALUE & 0xff).u8(1 | (i === 0 ? 2 : 0)) // EN, BP
      .u32(sig).u32(features).u32(0).u32(0);
    count++;
  });
  e.u8(MP_BUS).u8(PCI_BUS_ID).str('PCI', 6); count++;
  e.u8(MP_BUS).u8(ISA_BUS_ID).str('ISA', 6); count++;
  e.u8(MP_IOAPIC).u8(cfg.ioapicId).u8(IOAPIC_VERSION_VALUE & 0xff).u8(1).u32(cfg.ioapicBase ?? IOAPIC_DEFAULT_BASE); count++;
  for (let irq = 0; irq < 16; irq++) {
    if (irq === 2) continue; // the 8259A cascade has no IOAPIC input
    e.u8(MP_IOINTR).u8(MP_INT).u16(MP_IRQ_CONFORMS).u8(ISA_BUS_ID).u8(irq).u8(cfg.ioapicId).u8(isaIrqToGsi(irq));
    count++;
  }
  for (const p of cfg.pciInterrupts ?? []) {
    e.u8(MP_IOINTR).u8(MP_INT).u16(MP_IRQ_ACTIVE_LOW_LEVEL).u8(PCI_BUS_ID).u8((p.device << 2) | (p.pin & 3))
      .u8(cfg.ioapicId).u8(p.ioapicPin);
    count++;
  }
  // Local interrupts to every local APIC (destination 0xFF).
  e.u8(MP_LINTR).u8(MP_EXTINT).u16(MP_IRQ_CONFORMS).u8(ISA_BUS_ID).u8(0).u8(0xff).u8(0); count++;
  e.u8(MP_LINTR).u8(MP_NMI).u16(MP_IRQ_CONFORMS).u8(ISA_BUS_ID).u8(0).u8(0xff).u8(1); count++;

  const h = new ByteWriter();
  const length = 44 + e.bytes.length;
  h.str(MP_CONFIG_SIGNATURE, 4).u16(length).u8(MP_SPEC_REV).u8(0).str('VMXLAB', 8).str('PC', 12)
    .u32(0).u16(0).u16(count).u32(cfg.lapicBase ?? APIC_DEFAULT_BASE).u16(0).u8(0).u8(0);
  const table = new Uint8Array([...h.bytes, ...e.bytes]);
  table[7] = checksum(table, 0, table.length);
  return table;
}

/** The 16-byte floating pointer structure for a configuration table at `tableAddress`. */
export function buildMpFloatingPointer(tableAddress: number): Uint8Array {
  const f = new ByteWriter();
  // Feature byte 1 = 0: a configuration table is present; byte 2 bit 7 (IMCRP) = 0: virtual wire mode.
  f.str(MP_FLOATING_SIGNATURE, 4).u32(tableAddress).u8(1).u8(MP_SPEC_REV).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0);
  const fp = new Uint8Array(f.bytes);
  fp[10] = checksum(fp, 0, 16);
  return fp;
}

/**
 * Writes the floating pointer at `at` (16-byte aligned, inside 0xF0000-0xFFFFF)
 * and the configuration table after it. Returns the addresses used.
 */
export function writeMpTable(mem: PhysicalMemory, cfg: MpTableConfig, at = 0xf0000): { floatingPointer: number; table: number; end: number } {
  if (at % 16 !== 0 || at < 0xf0000 || at > 0xfffff - 16) {
    throw new RangeError(`MP floating pointer must be 16-byte aligned in 0xF0000-0xFFFFF, got 0x${at.toString(16)}`);
  }
  if (cfg.apicIds.length === 0 || cfg.apicIds.length > 255) throw new RangeError(`need 1..255 CPUs, got ${cfg.apicIds.length}`);
  const tableAt = at + 16;
  const table = buildMpConfigTable(cfg);
  if (tableAt + table.length > 0x100000) throw new RangeError('MP configuration table does not fit below 1 MiB');
  mem.load(at, buildMpFloatingPointer(tableAt));
  mem.load(tableAt, table);
  return { floatingPointer: at, table: tableAt, end: tableAt + table.length };
}
