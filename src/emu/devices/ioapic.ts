/**
 * I/O APIC (Intel 82093AA): IOREGSEL at +0x00, IOWIN at +0x10 of its MMIO
 * window (0xFEC00000 on a PC). Version 0x11, 24 redirection entries.
 *
 * `setIrq(pin, level)` takes the asserted/deasserted state of a pin (as
 * QEMU's model does: the polarity bit is kept for software but the callers
 * already speak in "asserted"). Edge-triggered pins deliver on a rising edge
 * while unmasked; level-triggered pins deliver while asserted with Remote IRR
 * clear, and the EOI broadcast for their vector clears Remote IRR so a pin
 * still asserted delivers again.
 */
import type { MmioHandler } from '../mem/physicalMemory.ts';
import type { StateLayout } from '../clock/stateCodec.ts';
import { loadFields, saveFields } from '../clock/stateCodec.ts';

export const IOAPIC_DEFAULT_BASE = 0xfec00000;
export const IOAPIC_PINS = 24;
export const IOAPIC_VERSION_VALUE = ((IOAPIC_PINS - 1) << 16) | 0x11;

export const IOREDTBL_MASKED = 1 << 16, IOREDTBL_LEVEL = 1 << 15, IOREDTBL_REMOTE_IRR = 1 << 14,
  IOREDTBL_POLARITY_LOW = 1 << 13, IOREDTBL_DELIVERY_STATUS = 1 << 12, IOREDTBL_LOGICAL = 1 << 11;

/** An interrupt message on the APIC bus. */
export interface ApicMessageSink {
  /**
   * Delivers to the local APICs that `dest` selects (physical APIC ID, or a
   * logical MDA when `logical`); `level` marks a level-triggered interrupt.
   */
  deliver(dest: number, logical: boolean, deliveryMode: number, vector: number, level: boolean): void;
}

export class Ioapic implements MmioHandler {
  static readonly STATE: StateLayout = { name: 'Ioapic', scalars: ['ioregsel', 'id', 'pinLevels'], arrays: ['redirLo', 'redirHi'] };

  ioregsel = 0;
  /** IOAPICID bits 27:24. */
  id = 0;
  /** Asserted pins (bit n = pin n). */
  pinLevels = 0;
  readonly redirLo = new Uint32Array(IOAPIC_PINS);
  readonly redirHi = new Uint32Array(IOAPIC_PINS);
  /** Set by the machine. */
  bus: ApicMessageSink | null = null;

  constructor(id = 0) {
    this.id = id & 0xf;
    this.redirLo.fill(IOREDTBL_MASKED);
  }

  setIrq(pin: number, level: number): void {
    if (pin < 0 || pin >= IOAPIC_PINS) return;
    const bit = 1 << pin;
    const was = (this.pinLevels & bit) !== 0;
    if (level) this.pinLevels |= bit; else this.pinLevels &= ~bit;
    const lo = this.redirLo[pin];
    if (lo & IOREDTBL_LEVEL) {
      if (level) this.service(pin);
    } else if (level && !was && !(lo & IOREDTBL_MASKED)) {
      this.send(pin); // edges on a masked pin are lost (82093AA datasheet)
    }
  }

  /** Level-triggered pin: deliver if asserted, unmasked and not awaiting EOI. */
  private service(pin: number): void {
    const lo = this.redirLo[pin];
    if (!(this.pinLevels & (1 << pin)) || lo & (IOREDTBL_MASKED | IOREDTBL_REMOTE_IRR)) return;
    const mode = (lo >> 8) & 7;
    if (mode === 0 || mode === 1) this.redirLo[pin] |= IOREDTBL_REMOTE_IRR; // only fixed/lowest wait for EOI
    this.send(pin);
  }

  private send(pin: number): void {
    const lo = this.redirLo[pin];
    this.bus?.deliver(this.redirHi[pin] >>> 24, (lo & IOREDTBL_LOGICAL) !== 0, (lo >> 8) & 7, lo & 0xff,
      (lo & IOREDTBL_LEVEL) !== 0);
  }

  /** EOI broadcast from a local APIC for `vector`. */
  eoi(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const lo = this.redirLo[pin];
      if ((lo & 0xff) === vector && lo & IOREDTBL_REMOTE_IRR) {
        this.redirLo[pin] = lo & ~IOREDTBL_REMOTE_IRR;
        this.service(pin); // still asserted: interrupt again
      }
    }
  }

  readRegister(index: number): number {
    if (index === 0x00) return this.id << 24;
    if (index === 0x01) return IOAPIC_VERSION_VALUE;
    if (index === 0x02) return this.id << 24; // arbitration ID = APIC ID after reset
    if (index >= 0x10 && index < 0x10 + 2 * IOAPIC_PINS) {
      const pin = (index - 0x10) >> 1;
      return index & 1 ? this.redirHi[pin] : this.redirLo[pin];
    }
    return 0;
  }

  writeRegister(index: number, v: number): void {
    if (index === 0x00) { this.id = (v >>> 24) & 0xf; return; }
    if (index < 0x10 || index >= 0x10 + 2 * IOAPIC_PINS) return; // version, arbitration: read-only
    const pin = (index - 0x10) >> 1;
    if (index & 1) { this.redirHi[pin] = v & 0xff000000; return; }
    // Delivery status and Remote IRR are read-only.
    const keep = this.redirLo[pin] & (IOREDTBL_REMOTE_IRR | IOREDTBL_DELIVERY_STATUS);
    let lo = (v & 0x1afff) | keep;
    if (!(lo & IOREDTBL_LEVEL)) lo &= ~IOREDTBL_REMOTE_IRR; // Remote IRR is undefined for edge; keep it clear
    this.redirLo[pin] = lo >>> 0;
    if (lo & IOREDTBL_LEVEL) this.service(pin); // unmasking an asserted level pin delivers
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    if ((offset & 0xfc) === 0x00) v = this.ioregsel;
    else if ((offset & 0xfc) === 0x10) v = this.readRegister(this.ioregsel);
    else return 0;
    v >>>= (offset & 3) * 8;
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    if (offset === 0x00) this.ioregsel = value & 0xff;
    else if (offset === 0x10) this.writeRegister(this.ioregsel, value >>> 0);
  }

  saveState(): Uint8Array {
    return saveFields(this, Ioapic.STATE);
  }
  loadState(bytes: Uint8Array): void {
    loadFields(this, Ioapic.STATE, bytes);
  }
}
