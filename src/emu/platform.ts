/**
 * The PC platform around one CPU: the virtual clock and the chipset devices
 * with their wiring (ports, MMIO windows, interrupt lines), as a 440FX-class
 * PC without ACPI describes itself through the MP table:
 *   8259A pair 0x20/0xa0 (+ ELCR 0x4d0), 8254 PIT 0x40-0x43 and port B 0x61,
 *   i8042 0x60/0x64, MC146818 RTC 0x70/0x71, PCI config mechanism #1
 *   0xcf8-0xcff, port 0x80, 16550A COM1 0x3f8 on ISA IRQ 4, IOAPIC at
 *   0xfec00000, local APIC at 0xfee00000.
 * Device time is virtual: `sync()` brings the clock up to the instructions the
 * CPU has retired, and every device access syncs first so that a guest polling
 * the PIT or reading the TSC sees time move within a run slice.
 */
import type { PhysicalMemory, MmioHandler } from './mem/physicalMemory.ts';
import type { IoBus, IoDevice, IoSize } from './devices/ioBus.ts';
import { VirtualClock } from './clock/virtualClock.ts';
import { Pic8259 } from './devices/pic8259.ts';
import { Pit8254 } from './devices/pit8254.ts';
import { CmosRtc } from './devices/cmosRtc.ts';
import { I8042 } from './devices/i8042.ts';
import { PciHost } from './devices/pciHost.ts';
import { Port80 } from './devices/port80.ts';
import { APIC_DEFAULT_BASE, Lapic, LapicMmio } from './devices/lapic.ts';
import { Ioapic, IOAPIC_DEFAULT_BASE } from './devices/ioapic.ts';
import { ApicBus, InterruptController, IsaIrqRouter } from './devices/interrupts.ts';

export const COM1_IRQ = 4;

export interface PlatformConfig {
  ramBytes: number;
  /** RTC wall-clock time at power-on, seconds since the Unix epoch. */
  rtcEpochSeconds: number;
  /** Called when the guest pulses the reset line (i8042 command 0xFE, output port bit 0). */
  onReset: () => void;
  /** Instructions retired so far (the CPU's icount), for sync(). */
  icount: () => number;
}

/** Wraps an MMIO handler so the clock is current before the device sees the access. */
class SyncedMmio implements MmioHandler {
  constructor(private readonly inner: MmioHandler, private readonly sync: () => void) {}
  read(offset: number, size: 1 | 2 | 4): number { this.sync(); return this.inner.read(offset, size); }
  write(offset: number, size: 1 | 2 | 4, value: number): void { this.sync(); this.inner.write(offset, size, value); }
}

/** The same for port devices whose registers depend on the time (PIT counters, RTC). */
class SyncedIo implements IoDevice {
  constructor(private readonly inner: IoDevice, private readonly sync: () => void) {}
  portRead(port: number, size: IoSize): number { this.sync(); return this.inner.portRead(port, size); }
  portWrite(port: number, size: IoSize, value: number): void { this.sync(); this.inner.portWrite(port, size, value); }
}

export class Platform {
  readonly clock = new VirtualClock();
  readonly pic = new Pic8259();
  readonly ioapic: Ioapic;
  readonly isa: IsaIrqRouter;
  readonly pit: Pit8254;
  readonly rtc: CmosRtc;
  readonly i8042: I8042;
  readonly pci = new PciHost();
  readonly port80 = new Port80();
  readonly lapic: Lapic;
  readonly apicBus: ApicBus;
  readonly intc: InterruptController;
  /** CPU icount up to which the clock has been advanced. */
  private syncedIcount = 0;

  constructor(private readonly cfg: PlatformConfig) {
    const clock = this.clock;
    this.lapic = new Lapic(clock, { apicId: 0, bsp: true });
    this.ioapic = new Ioapic(1);
    this.apicBus = new ApicBus([this.lapic], [this.ioapic]);
    this.isa = new IsaIrqRouter(this.pic, this.ioapic);
    this.intc = new InterruptController(this.lapic, this.pic);
    this.pit = new Pit8254(clock, this.isa);
    this.rtc = new CmosRtc(clock, this.isa, { initialEpochSeconds: cfg.rtcEpochSeconds, ramBelow4G: cfg.ramBytes });
    this.i8042 = new I8042(this.isa, { reset: () => cfg.onReset(), setA20: () => {} });
  }

  /** Claims ports and MMIO windows. */
  attach(io: IoBus, mem: PhysicalMemory): void {
    const sync = (): void => this.sync();
    const pit = new SyncedIo(this.pit, sync), rtc = new SyncedIo(this.rtc, sync);
    io.register(0x20, 2, this.pic);
    io.register(0xa0, 2, this.pic);
    io.register(0x4d0, 2, this.pic);
    io.register(0x40, 4, pit);
    io.register(0x61, 1, pit);
    io.register(0x60, 1, this.i8042);
    io.register(0x64, 1, this.i8042);
    io.register(0x70, 2, rtc);
    io.register(0xcf8, 8, this.pci);
    io.register(0x80, 1, this.port80);
    mem.mapMmio(IOAPIC_DEFAULT_BASE, 0x1000, new SyncedMmio(this.ioapic, sync));
    mem.mapMmio(APIC_DEFAULT_BASE, 0x1000, new SyncedMmio(new LapicMmio(this.lapic), sync));
  }

  /** Advances virtual time to the CPU's retired-instruction count and fires due timers. */
  sync(): void {
    const n = this.cfg.icount();
    if (n !== this.syncedIcount) {
      this.clock.advanceInstructions(n - this.syncedIcount);
      this.syncedIcount = n;
    }
    this.clock.runDue();
  }

  /** After a CPU reset (icount back to 0), keep time monotonic. */
  resetIcountBase(): void {
    this.syncedIcount = this.cfg.icount();
  }

  /** Each stateful part by a stable name (snapshot section names); the clock first, so timers reload before devices. */
  stateParts(): ReadonlyArray<readonly [string, { saveState(): Uint8Array; loadState(b: Uint8Array): void }]> {
    return [
      ['clock', this.clock], ['pic', this.pic], ['pit', this.pit], ['rtc', this.rtc], ['i8042', this.i8042],
      ['pci', this.pci], ['port80', this.port80], ['lapic', this.lapic], ['ioapic', this.ioapic], ['intc', this.intc],
    ];
  }
}
