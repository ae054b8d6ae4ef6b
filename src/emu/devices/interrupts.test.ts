import { describe, expect, it } from 'vitest';
import { ApicBus, InterruptController, IsaIrqRouter, apicMatchesDestination } from './interrupts.ts';
import { APIC_DFR, APIC_EOI, APIC_ICR_HI, APIC_ICR_LO, APIC_LDR, APIC_LVT_LINT0, APIC_SVR, APIC_TPR, Lapic } from './lapic.ts';
import { Ioapic } from './ioapic.ts';
import { Pic8259 } from './pic8259.ts';
import { VirtualClock } from '../clock/virtualClock.ts';

function machine(cpus = 1) {
  const clock = new VirtualClock();
  const lapics = Array.from({ length: cpus }, (_, i) => new Lapic(clock, { apicId: i, bsp: i === 0 }));
  const ioapic = new Ioapic(cpus);
  const apicBus = new ApicBus(lapics, [ioapic]);
  const pic = new Pic8259();
  const isa = new IsaIrqRouter(pic, ioapic);
  const ctl = lapics.map((l, i) => new InterruptController(l, i === 0 ? pic : null));
  // Linux-style 8259A init: vectors 0x30/0x38, all unmasked
  for (const [port, v] of [[0x20, 0x11], [0x21, 0x30], [0x21, 0x04], [0x21, 0x01], [0xa0, 0x11], [0xa1, 0x38], [0xa1, 0x02], [0xa1, 0x01], [0x21, 0], [0xa1, 0]]) {
    pic.portWrite(port, 1, v);
  }
  const wr = (cpu: number, reg: number, v: number) => lapics[cpu].writeRegister(reg, v);
  const ioRoute = (pin: number, lo: number, hi = 0) => { ioapic.writeRegister(0x11 + 2 * pin, hi); ioapic.writeRegister(0x10 + 2 * pin, lo); };
  return { clock, lapics, ioapic, apicBus, pic, isa, ctl, wr, ioRoute };
}

describe('interrupt routing', () => {
  it('virtual wire: the 8259A reaches the BSP through LINT0 ExtINT even with the APIC software-disabled', () => {
    const { isa, ctl } = machine();
    isa.setIrq(1, 1);
    expect(ctl[0].hasInterrupt()).toBe(true);
    expect(ctl[0].acknowledge()).toBe(0x31);
  });

  it('LINT0 masked cuts the 8259A off; the APIC disabled in IA32_APIC_BASE restores the INTR pin', () => {
    const { isa, ctl, wr, lapics } = machine();
    wr(0, APIC_SVR, 0x1ff);
    wr(0, APIC_LVT_LINT0, 0x10700);
    isa.setIrq(3, 1);
    expect(ctl[0].hasInterrupt()).toBe(false);
    lapics[0].writeApicBase(0xfee00000, 0);
    expect(ctl[0].hasInterrupt()).toBe(true);
    expect(ctl[0].acknowledge()).toBe(0x33);
  });

  it('IOAPIC mode: ISA IRQ0 arrives on pin 2, IRQ4 on pin 4, and are delivered as programmed', () => {
    const { isa, ctl, wr, ioRoute, lapics } = machine(2);
    for (const c of [0, 1]) wr(c, APIC_SVR, 0x1ff);
    wr(0, APIC_LVT_LINT0, 0x10700); // PIC off, as Linux does in IOAPIC mode
    ioRoute(2, 0xec, 0x01000000); // timer -> CPU 1
    ioRoute(4, 0x24, 0x00000000); // serial -> CPU 0
    isa.setIrq(0, 1);
    isa.setIrq(4, 1);
    expect(ctl[1].acknowledge()).toBe(0xec);
    expect(ctl[0].acknowledge()).toBe(0x24);
    expect(lapics[0].hasInterrupt()).toBe(false);
  });

  it('level-triggered IOAPIC line: EOI from the LAPIC clears remote IRR and re-delivers while asserted', () => {
    const { ioapic, ctl, wr, ioRoute } = machine();
    wr(0, APIC_SVR, 0x1ff);
    ioRoute(11, 0x8000 | 0x61, 0);
    ioapic.setIrq(11, 1);
    expect(ctl[0].acknowledge()).toBe(0x61);
    expect(ctl[0].hasInterrupt()).toBe(false);
    wr(0, APIC_EOI, 0);
    expect(ctl[0].acknowledge()).toBe(0x61);
    ioapic.setIrq(11, 0);
    wr(0, APIC_EOI, 0);
    expect(ctl[0].hasInterrupt()).toBe(false);
    expect(ioapic.readRegister(0x10 + 22) & 0x4000).toBe(0);
  });

  it('IPIs: physical, logical flat and cluster destinations, shorthands, INIT and SIPI', () => {
    const { lapics, wr, ctl } = machine(4);
    for (let c = 0; c < 4; c++) { wr(c, APIC_SVR, 0x1ff); wr(c, APIC_LDR, (1 << c) << 24); }
    wr(0, APIC_ICR_HI, 2 << 24);
    wr(0, APIC_ICR_LO, 0x4000 | 0x40);
    expect(lapics.map((l) => l.highestIrr())).toEqual([-1, -1, 0x40, -1]);
    wr(0, APIC_ICR_HI, 0x0a << 24); // logical flat: CPUs 1 and 3
    wr(0, APIC_ICR_LO, 0x4800 | 0x41);
    expect(lapics.map((l) => l.highestIrr())).toEqual([-1, 0x41, 0x40, 0x41]);
    wr(0, APIC_ICR_LO, 0xc4000 | 0x50); // all excluding self
    expect(lapics.map((l) => l.highestIrr())).toEqual([-1, 0x50, 0x50, 0x50]);
    wr(0, APIC_ICR_LO, 0x44000 | 0x60); // self
    expect(lapics[0].highestIrr()).toBe(0x60);
    wr(0, APIC_ICR_HI, 3 << 24);
    wr(0, APIC_ICR_LO, 0x4500); // INIT assert
    wr(0, APIC_ICR_LO, 0x8500); // INIT level de-assert: no effect
    expect(ctl[3].takeInit()).toBe(true);
    expect(ctl[3].takeInit()).toBe(false);
    wr(0, APIC_ICR_LO, 0x4600 | 0x9a); // SIPI: start at 0x9a000
    expect(ctl[3].takeSipi()).toBe(0x9a);
    wr(0, APIC_ICR_LO, 0x4400); // NMI
    expect(ctl[3].hasNmi()).toBe(true);
    ctl[3].acknowledgeNmi();
    expect(ctl[3].hasNmi()).toBe(false);

    // cluster model: cluster 1, members 0 and 2
    const l = lapics[1];
    wr(1, APIC_DFR, 0x0fffffff);
    wr(1, APIC_LDR, 0x14000000);
    expect(apicMatchesDestination(l, 0x15, true)).toBe(true);
    expect(apicMatchesDestination(l, 0x25, true)).toBe(false);
    expect(apicMatchesDestination(l, 0x1b, true)).toBe(false);
  });

  it('lowest priority goes to the APIC with the lowest processor priority', () => {
    const { lapics, wr, apicBus } = machine(3);
    for (let c = 0; c < 3; c++) { wr(c, APIC_SVR, 0x1ff); wr(c, APIC_LDR, 0x01000000); }
    wr(0, APIC_TPR, 0x40);
    wr(1, APIC_TPR, 0x20);
    wr(2, APIC_TPR, 0x30);
    apicBus.deliver(0x01, true, 1, 0x77, false);
    expect(lapics.map((l) => l.highestIrr())).toEqual([-1, 0x77, -1]);
  });

  it('external NMI honours the port-0x70 mask and arrives through LINT1', () => {
    const { ctl } = machine();
    ctl[0].externalNmi(1);
    expect(ctl[0].hasNmi()).toBe(false);
    ctl[0].externalNmi(0);
    expect(ctl[0].hasNmi()).toBe(true);
  });

  it('ExtINT message from the IOAPIC takes the vector from the 8259A', () => {
    const { isa, ctl, wr, ioRoute, lapics } = machine();
    wr(0, APIC_SVR, 0x1ff);
    wr(0, APIC_LVT_LINT0, 0x10700);
    ioRoute(3, 0x700, 0);
    isa.setIrq(3, 1);
    expect(lapics[0].extIntPending).toBe(1);
    expect(ctl[0].acknowledge()).toBe(0x33);
    expect(lapics[0].extIntPending).toBe(0);
  });
});

describe('PC platform wired as the machine will wire it', () => {
  it('PIT ticks reach the CPU through the 8259A in virtual wire mode, then through the IOAPIC and LAPIC', async () => {
    const { IoBus } = await import('./ioBus.ts');
    const { PhysicalMemory } = await import('../mem/physicalMemory.ts');
    const { Pit8254 } = await import('./pit8254.ts');
    const { CmosRtc } = await import('./cmosRtc.ts');
    const { LapicMmio } = await import('./lapic.ts');
    const clock = new VirtualClock();
    const io = new IoBus();
    const mem = new PhysicalMemory(16 * 1024 * 1024);
    const lapic = new Lapic(clock, { apicId: 0, bsp: true });
    const ioapic = new Ioapic(1);
    new ApicBus([lapic], [ioapic]);
    const pic = new Pic8259();
    const isa = new IsaIrqRouter(pic, ioapic);
    const pit = new Pit8254(clock, isa);
    const rtc = new CmosRtc(clock, isa, { initialEpochSeconds: 1.7e9, ramBelow4G: mem.size });
    const cpu = new InterruptController(lapic, pic);
    io.register(0x20, 2, pic); io.register(0xa0, 2, pic); io.register(0x4d0, 2, pic);
    io.register(0x40, 4, pit); io.register(0x61, 1, pit);
    io.register(0x70, 2, rtc);
    mem.mapMmio(0xfee00000, 0x1000, new LapicMmio(lapic));
    mem.mapMmio(0xfec00000, 0x20, ioapic);

    /** Runs `ms` of virtual time; the "CPU" takes every interrupt at once and EOIs it with `eoi`. */
    const run = (ms: number, eoi: (v: number) => void) => {
      const taken: number[] = [];
      const end = clock.nowNs + ms * 1e6;
      while (clock.nowNs < end) {
        clock.advanceTo(Math.min(end, clock.timers.nextDeadline()));
        clock.runDue();
        while (cpu.hasInterrupt()) { const v = cpu.acknowledge(); taken.push(v); eoi(v); }
      }
      return taken;
    };

    for (const [port, v] of [[0x20, 0x11], [0x21, 0x30], [0x21, 0x04], [0x21, 0x01], [0xa0, 0x11], [0xa1, 0x38], [0xa1, 0x02], [0xa1, 0x01], [0x21, 0xfe], [0xa1, 0xff]]) {
      io.write(port, 1, v);
    }
    io.write(0x43, 1, 0x34);
    io.write(0x40, 1, 1193 & 0xff); // LATCH for HZ=1000
    io.write(0x40, 1, 1193 >> 8);
    run(0.5, () => io.write(0x20, 1, 0x20)); // the edge from programming mode 2
    expect(run(10, () => io.write(0x20, 1, 0x20))).toEqual(new Array(10).fill(0x30));

    // Switch to APIC mode as Linux does: mask the 8259A, mask LINT0, route pin 2, enable the APIC.
    io.write(0x21, 1, 0xff);
    mem.write32(0xfee000f0, 0x1ff);
    mem.write32(0xfee00350, 0x10700);
    mem.write32(0xfec00000, 0x10 + 2 * 2 + 1); mem.write32(0xfec00010, 0x00000000);
    mem.write32(0xfec00000, 0x10 + 2 * 2); mem.write32(0xfec00010, 0xec);
    mem.write32(0xfec00000, 0x10 + 2 * 8); mem.write32(0xfec00010, 0xe8); // RTC
    const eoiApic = (v: number) => { if (v === 0xe8) { io.write(0x70, 1, 0x0c); io.read(0x71, 1); } mem.write32(0xfee000b0, 0); };
    expect(run(5, eoiApic)).toEqual(new Array(5).fill(0xec));

    io.write(0x70, 1, 0x0a); io.write(0x71, 1, 0x26); // 1024 Hz
    io.write(0x70, 1, 0x0b); io.write(0x71, 1, 0x42); // PIE
    const both = run(1000, eoiApic);
    expect(both.filter((v) => v === 0xec).length).toBe(1000);
    expect(both.filter((v) => v === 0xe8).length).toBe(1024);
    expect(mem.read32(0xfee00030)).toBe(0x00050014);
    mem.write32(0xfec00000, 0x01);
    expect(mem.read32(0xfec00010)).toBe(0x00170011);
  });
});
