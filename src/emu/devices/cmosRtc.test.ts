import { describe, expect, it } from 'vitest';
import { CmosRtc, civilFromDays, daysFromCivil } from './cmosRtc.ts';
import { IoBus } from './ioBus.ts';
import { VirtualClock } from '../clock/virtualClock.ts';
import { uncoveredFields } from '../clock/stateCodec.ts';

const MiB = 1024 * 1024;
/** 2024-02-29 23:59:58 UTC, a Thursday. */
const LEAP_EVE = Date.UTC(2024, 1, 29, 23, 59, 58) / 1000;

function setup(epoch = LEAP_EVE, ramBelow4G = 128 * MiB, ramAbove4G = 0) {
  const clock = new VirtualClock();
  const irqs: { ns: number; level: number }[] = [];
  const rtc = new CmosRtc(clock, { setIrq: (line, level) => { expect(line).toBe(8); irqs.push({ ns: clock.nowNs, level }); } },
    { initialEpochSeconds: epoch, ramBelow4G, ramAbove4G });
  const bus = new IoBus();
  bus.register(0x70, 2, rtc);
  const rd = (i: number) => { bus.write(0x70, 1, i); return bus.read(0x71, 1); };
  const wr = (i: number, v: number) => { bus.write(0x70, 1, i); bus.write(0x71, 1, v); };
  const run = (ns: number) => {
    const end = clock.nowNs + ns;
    while (clock.nowNs < end) { clock.advanceTo(Math.min(end, clock.timers.nextDeadline())); clock.runDue(); }
  };
  return { clock, rtc, bus, rd, wr, irqs, run };
}

describe('MC146818 RTC / CMOS', () => {
  it('civil date conversion round-trips', () => {
    for (const [y, m, d] of [[1970, 1, 1], [2000, 2, 29], [2024, 3, 1], [2100, 12, 31], [1999, 12, 31]] as const) {
      expect(civilFromDays(daysFromCivil(y, m, d))).toEqual([y, m, d]);
      expect(daysFromCivil(y, m, d)).toBe(Date.UTC(y, m - 1, d) / 86400000);
    }
  });

  it('keeps BCD 24-hour time from the initial wall clock and advances with virtual time', () => {
    const { rd, clock } = setup();
    expect([rd(0x09), rd(0x08), rd(0x07), rd(0x04), rd(0x02), rd(0x00), rd(0x32)]).toEqual([0x24, 0x02, 0x29, 0x23, 0x59, 0x58, 0x20]);
    expect(rd(0x06)).toBe(5); // Thursday (Sunday = 1)
    clock.advanceTo(2e9);
    expect([rd(0x08), rd(0x07), rd(0x04), rd(0x02), rd(0x00), rd(0x06)]).toEqual([0x03, 0x01, 0x00, 0x00, 0x00, 6]);
    expect(rd(0x0d)).toBe(0x80); // VRT
  });

  it('binary and 12-hour formats', () => {
    const { rd, wr, clock } = setup(Date.UTC(2023, 6, 4, 15, 7, 9) / 1000);
    wr(0x0b, 0x04); // DM binary, 12-hour
    expect([rd(0x04), rd(0x02), rd(0x00), rd(0x09)]).toEqual([0x80 | 3, 7, 9, 23]);
    wr(0x0b, 0x00); // BCD 12-hour
    clock.advanceTo(9 * 3600e9); // 00:07:09 next day -> 12 AM
    expect(rd(0x04)).toBe(0x12);
  });

  it('SET freezes updates; time written under SET runs from there when SET clears', () => {
    const { rd, wr, clock } = setup();
    wr(0x0b, 0x82); // SET, 24h, BCD
    wr(0x09, 0x99); wr(0x08, 0x12); wr(0x07, 0x31); wr(0x04, 0x23); wr(0x02, 0x59); wr(0x00, 0x59); wr(0x32, 0x19);
    clock.advanceTo(5e9);
    expect(rd(0x00)).toBe(0x59); // frozen
    wr(0x0b, 0x02);
    clock.advanceTo(6e9);
    expect([rd(0x32), rd(0x09), rd(0x08), rd(0x07), rd(0x04), rd(0x02), rd(0x00)]).toEqual([0x20, 0x00, 0x01, 0x01, 0, 0, 0]);
  });

  it('register C: flags accumulate regardless of enables, reading clears them and releases IRQ8', () => {
    const { rd, wr, irqs, run } = setup();
    run(1.5e9);
    expect(rd(0x0c)).toBe(0x10 | 0x40); // UF and PF (default 1024 Hz rate), no IRQF: nothing enabled
    expect(rd(0x0c)).toBe(0);
    expect(irqs).toEqual([]);
    wr(0x0b, 0x12); // UIE
    run(1e9);
    expect(irqs.map((e) => e.level)).toEqual([1]);
    expect(irqs[0].ns).toBe(2e9); // at the update-ended boundary
    expect(rd(0x0c) & 0x90).toBe(0x90);
    expect(irqs.map((e) => e.level)).toEqual([1, 0]);
  });

  it('periodic interrupt: 1024 Hz gives 1024 interrupts per virtual second when C is read each time', () => {
    const t = setup();
    let n = 0;
    t.wr(0x0a, 0x26);
    t.wr(0x0b, 0x42); // PIE
    const start = t.clock.nowNs;
    while (t.clock.nowNs < start + 1e9) {
      t.clock.advanceTo(t.clock.timers.nextDeadline());
      t.clock.runDue();
      if (t.rtc.irqLevel) { n++; expect(t.rd(0x0c) & 0xc0).toBe(0xc0); }
    }
    expect(n).toBe(1024);
  });

  it('rate select: RS=15 is 2 Hz, RS=3 is 8192 Hz, RS=1 repeats 256 Hz', () => {
    const { rtc, wr } = setup();
    wr(0x0a, 0x2f);
    expect(rtc.periodNs()).toBe(500e6);
    wr(0x0a, 0x23);
    expect(rtc.periodNs()).toBeCloseTo(122070.3125, 6);
    wr(0x0a, 0x21);
    expect(rtc.periodNs()).toBe(3906250);
    wr(0x0a, 0x20);
    expect(rtc.periodNs()).toBe(0);
  });

  it('alarm interrupt at the matching second, with do-not-care codes', () => {
    const { rd, wr, irqs, run, clock } = setup(Date.UTC(2024, 0, 1, 10, 0, 0) / 1000);
    wr(0x01, 0x05); wr(0x03, 0xc0); wr(0x05, 0xff); // hh:mm:05 any hour/minute
    wr(0x0b, 0x22); // AIE
    run(4.5e9);
    expect(irqs).toEqual([]);
    run(1e9);
    expect(irqs[0]).toEqual({ ns: 5e9, level: 1 });
    expect(rd(0x0c) & 0xa0).toBe(0xa0);
    run(59e9);
    expect(irqs.filter((e) => e.level).length).toBe(1);
    run(1e9); // 10:01:05
    expect(irqs.filter((e) => e.level).length).toBe(2);
    expect(clock.nowNs).toBe(65.5e9);
  });

  it('UIP is set just before each update cycle', () => {
    const { rd, clock } = setup();
    clock.advanceTo(0.5e9);
    expect(rd(0x0a) & 0x80).toBe(0);
    clock.advanceTo(1e9 - 1000);
    expect(rd(0x0a)).toBe(0x80 | 0x26);
    clock.advanceTo(1e9);
    expect(rd(0x0a) & 0x80).toBe(0);
  });

  it('divider reset holds the time; releasing it gives the first update 500 ms later', () => {
    const { rd, wr, clock } = setup();
    wr(0x0a, 0x66);
    clock.advanceTo(3e9);
    expect(rd(0x00)).toBe(0x58);
    wr(0x0a, 0x26);
    clock.advanceTo(3.4e9);
    expect(rd(0x00)).toBe(0x58);
    clock.advanceTo(3.5e9);
    expect(rd(0x00)).toBe(0x59);
  });

  it('memory-size, equipment and checksum bytes', () => {
    const { rd } = setup(LEAP_EVE, 3 * 1024 * MiB, 5 * 1024 * MiB);
    expect(rd(0x15) | (rd(0x16) << 8)).toBe(640);
    expect(rd(0x17) | (rd(0x18) << 8)).toBe(0xffff);
    expect(rd(0x30) | (rd(0x31) << 8)).toBe(0xffff);
    expect(rd(0x34) | (rd(0x35) << 8)).toBe((3 * 1024 - 16) * 16);
    expect(rd(0x5b) | (rd(0x5c) << 8) | (rd(0x5d) << 16)).toBe(5 * 1024 * 16);
    expect(rd(0x14)).toBe(0x02);
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += rd(i);
    expect((rd(0x2e) << 8) | rd(0x2f)).toBe(sum);
    const small = setup(LEAP_EVE, 32 * MiB);
    expect(small.rd(0x17) | (small.rd(0x18) << 8)).toBe(31 * 1024);
    expect(small.rd(0x34) | (small.rd(0x35) << 8)).toBe(256);
  });

  it('bit 7 of the index port is the NMI mask; plain CMOS bytes are RAM', () => {
    const { bus, rtc, rd, wr } = setup();
    bus.write(0x70, 1, 0x8f);
    expect(rtc.nmiDisabled).toBe(1);
    expect(rtc.index).toBe(0x0f);
    wr(0x40, 0xa5);
    expect(rd(0x40)).toBe(0xa5);
    expect(rtc.nmiDisabled).toBe(0);
  });

  it('saves and restores', () => {
    const a = setup();
    a.wr(0x0b, 0x06);
    a.clock.advanceTo(3e9);
    const b = setup(0);
    b.clock.nowNs = a.clock.nowNs;
    b.rtc.loadState(a.rtc.saveState());
    expect(b.rd(0x00)).toBe(a.rd(0x00));
    expect(b.rd(0x07)).toBe(1);
    expect(uncoveredFields(a.rtc, CmosRtc.STATE)).toEqual([]);
  });
});
