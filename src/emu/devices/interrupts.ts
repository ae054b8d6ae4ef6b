/**
 * Interrupt routing for the PC platform; every wiring rule lives here:
 *  - ISA IRQ n goes to 8259A input n and to IOAPIC pin n, except IRQ0 (PIT)
 *    which lands on IOAPIC pin 2, as on PC chipsets and in our MP table.
 *  - The APIC bus: IOAPIC messages and IPIs reach local APICs by physical ID
 *    or logical destination (flat / cluster), with shorthands and
 *    lowest-priority arbitration; EOIs of level vectors go back to the IOAPIC.
 *  - What the CPU polls between instructions (`InterruptController`): NMI,
 *    then the 8259A through LINT0 in ExtINT mode (virtual wire), then the
 *    local APIC's highest deliverable vector. With the APIC disabled in
 *    IA32_APIC_BASE, the 8259A's INTR goes straight to the CPU.
 */
import type { Pic8259 } from './pic8259.ts';
import type { Ioapic, ApicMessageSink } from './ioapic.ts';
import type { ApicBusPort, Lapic } from './lapic.ts';
import { APIC_DFR, APIC_LDR, APIC_LVT_LINT0, DM_EXTINT, DM_INIT, DM_LOWEST } from './lapic.ts';
import type { StateLayout } from '../clock/stateCodec.ts';
import { loadFields, saveFields } from '../clock/stateCodec.ts';

/** Something with numbered interrupt input lines (ISA IRQs, IOAPIC pins). `level` is 0 or 1, 1 = asserted. */
export interface IrqSink {
  setIrq(line: number, level: number): void;
}

/** IOAPIC pin (global system interrupt) for ISA IRQ `irq`. */
export function isaIrqToGsi(irq: number): number {
  return irq === 0 ? 2 : irq;
}

/** Does `lapic` accept a message for `dest` (SDM 11.6.2)? */
export function apicMatchesDestination(lapic: Lapic, dest: number, logical: boolean): boolean {
  if (!logical) return dest === 0xff || lapic.id === dest;
  if (dest === 0xff) return true;
  const ldr = lapic.regs[APIC_LDR] >>> 24;
  if (lapic.regs[APIC_DFR] >>> 28 === 0xf) return (ldr & dest) !== 0; // flat model: bitmask
  return (dest >> 4) === (ldr >> 4) && (dest & ldr & 0xf) !== 0; // cluster model
}

export class ApicBus implements ApicBusPort, ApicMessageSink {
  constructor(readonly lapics: Lapic[], readonly ioapics: Ioapic[]) {
    for (const l of lapics) l.bus = this;
    for (const io of ioapics) io.bus = this;
  }

  private deliverTo(targets: Lapic[], mode: number, vector: number, level: boolean): void {
    if (targets.length === 0) return;
    if (mode === DM_LOWEST) {
      // Lowest priority: the APIC with the lowest processor priority wins; ties go to the lowest APIC ID.
      let best = targets[0];
      for (const l of targets) {
        if (l.ppr() < best.ppr() || (l.ppr() === best.ppr() && l.id < best.id)) best = l;
      }
      best.accept(mode, vector, level);
      return;
    }
    for (const l of targets) l.accept(mode, vector, level);
  }

  deliver(dest: number, logical: boolean, deliveryMode: number, vector: number, level: boolean): void {
    const targets = this.lapics.filter((l) => l.hardwareEnabled && apicMatchesDestination(l, dest, logical));
    this.deliverTo(targets, deliveryMode, vector, level);
  }

  sendIpi(source: Lapic, icrLo: number, icrHi: number): void {
    const mode = (icrLo >> 8) & 7;
    const levelAssert = (icrLo >> 14) & 1;
    const levelTrigger = (icrLo >> 15) & 1;
    // INIT level de-assert only resynchronises arbitration IDs (not on P4 and later): nothing to do.
    if (mode === DM_INIT && levelTrigger && !levelAssert) return;
    const shorthand = (icrLo >> 18) & 3;
    let targets: Lapic[];
    switch (shorthand) {
      case 1: targets = [source]; break; // self
      case 2: targets = this.lapics.filter((l) => l.hardwareEnabled); break; // all including self
      case 3: targets = this.lapics.filter((l) => l !== source && l.hardwareEnabled); break; // all excluding self
      default:
        targets = this.lapics.filter((l) => l.hardwareEnabled && apicMatchesDestination(l, icrHi >>> 24, ((icrLo >> 11) & 1) === 1));
    }
    this.deliverTo(targets, mode, icrLo & 0xff, levelTrigger === 1);
  }

  eoiBroadcast(vector: number): void {
    for (const io of this.ioapics) io.eoi(vector);
  }
}

/** ISA interrupt lines: each goes to both the 8259A pair and the IOAPIC. */
export class IsaIrqRouter implements IrqSink {
  constructor(private readonly pic: Pic8259, private readonly ioapic: Ioapic | null) {}

  setIrq(irq: number, level: number): void {
    this.pic.setIrq(irq, level);
    this.ioapic?.setIrq(isaIrqToGsi(irq), level);
  }
}

/** The CPU's view: `cpu.interruptController`. */
export class InterruptController {
  static readonly STATE: StateLayout = { name: 'InterruptController', scalars: ['nmiLine'], arrays: [] };

  /** NMI pin of a CPU without an enabled local APIC. */
  nmiLine = 0;

  constructor(readonly lapic: Lapic, readonly pic: Pic8259 | null) {}

  /** The 8259A reaches this CPU: APIC off (INTR pin), LINT0 unmasked in ExtINT mode, or an ExtINT message. */
  private picRouted(): boolean {
    const l = this.lapic;
    if (!l.hardwareEnabled) return true;
    const lint0 = l.regs[APIC_LVT_LINT0];
    return (!(lint0 & 0x10000) && ((lint0 >> 8) & 7) === DM_EXTINT) || l.extIntPending === 1;
  }

  /** A maskable interrupt is ready (the CPU still applies RFLAGS.IF and interrupt shadows). */
  hasInterrupt(): boolean {
    if (this.pic && this.picRouted() && this.pic.hasInterrupt()) return true;
    return this.lapic.hasInterrupt();
  }

  /** INTA: returns the vector. ExtINT is not subject to the APIC's priority, so the PIC goes first. */
  acknowledge(): number {
    if (this.pic && this.picRouted() && this.pic.hasInterrupt()) {
      this.lapic.extIntPending = 0;
      return this.pic.acknowledge();
    }
    return this.lapic.acknowledge();
  }

  hasNmi(): boolean {
    return this.lapic.nmiPending === 1 || this.nmiLine === 1;
  }

  /** The CPU took the NMI (it tracks NMI blocking itself). */
  acknowledgeNmi(): void {
    this.lapic.nmiPending = 0;
    this.nmiLine = 0;
  }

  /**
   * An external NMI source (IOCHK, SERR, watchdog) fires; `nmiDisabled` is
   * port 0x70 bit 7. It reaches LINT1 (normally programmed as NMI) or, with
   * the APIC disabled, the CPU's NMI pin.
   */
  externalNmi(nmiDisabled: number): void {
    if (nmiDisabled) return;
    const l = this.lapic;
    if (!l.hardwareEnabled) { this.nmiLine = 1; return; }
    l.setLint(1, 1);
    l.setLint(1, 0);
  }

  /** INIT received: the CPU resets (keeping the APIC ID) and, for an AP, waits for a SIPI. Returns true once. */
  takeInit(): boolean {
    if (!this.lapic.initPending) return false;
    this.lapic.initPending = 0;
    this.lapic.resetRegisters();
    return true;
  }

  /** Start-up IPI vector (the AP starts at vector << 12), or -1. */
  takeSipi(): number {
    if (!this.lapic.sipiPending) return -1;
    this.lapic.sipiPending = 0;
    return this.lapic.sipiVector;
  }

  saveState(): Uint8Array {
    return saveFields(this, InterruptController.STATE);
  }
  loadState(bytes: Uint8Array): void {
    loadFields(this, InterruptController.STATE, bytes);
  }
}
