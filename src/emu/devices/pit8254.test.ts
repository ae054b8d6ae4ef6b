import { describe, expect, it } from 'vitest';
import { Pit8254, PitChannel, PIT_HZ, nsAtPitTick, pitTicksAt } from './pit8254.ts';
import { IoBus } from './ioBus.ts';
import { VirtualClock } from '../clock/virtualClock.ts';
import { uncoveredFields } from '../clock/stateCodec.ts';

function setup() {
  const clock = new VirtualClock();
  const edges: { ns: number; level: number }[] = [];
  const pit = new Pit8254(clock, { setIrq: (line, level) => { expect(line).toBe(0); edges.push({ ns: clock.nowNs, level }); } });
  const bus = new IoBus();
  bus.register(0x40, 4, pit);
  bus.register(0x61, 1, pit);
  /** Advances virtual time in slices of at most `step` ns, ending each at the next deadline as the run loop does. */
  const run = (ns: number, step = 10_000) => {
    const end = clock.nowNs + ns;
    while (clock.nowNs < end) {
      clock.advanceTo(Math.min(end, clock.nowNs + step, clock.timers.nextDeadline()));
      clock.runDue();
    }
  };
  return { clock, pit, bus, edges, run, rises: () => edges.filter((e) => e.level === 1) };
}

/** Tick of `ns`, i.e. counts elapsed since time 0. */
const ticks = (ns: number) => pitTicksAt(ns);

describe('8254 PIT', () => {
  it('counts at 1.193182 MHz of virtual time', () => {
    expect(pitTicksAt(1e9)).toBe(PIT_HZ);
    expect(pitTicksAt(nsAtPitTick(12345))).toBe(12345);
    expect(pitTicksAt(nsAtPitTick(12345) - 1)).toBe(12344);
  });

  it('mode 2 (rate generator) reloads every N ticks and raises IRQ0 once per period', () => {
    const { bus, clock, rises, run } = setup();
    const N = 1193; // ~1 ms, as Linux's HZ=1000 LATCH
    bus.write(0x43, 1, 0x34);
    bus.write(0x40, 1, N & 0xff);
    bus.write(0x40, 1, N >> 8);
    const t0 = ticks(clock.nowNs);
    const initial = rises().length; // OUT goes high on the control word (from mode 0's low)
    run(10_000_000 + 5000);
    const periodic = rises().slice(initial);
    expect(periodic.length).toBe(10);
    periodic.forEach((e, k) => expect(ticks(e.ns)).toBe(t0 + (k + 1) * N));
    // Counter counts N..1 and reloads.
    bus.write(0x43, 1, 0x00); // latch counter 0
    const lo = bus.read(0x40, 1), hi = bus.read(0x40, 1);
    const d = ticks(clock.nowNs) - t0;
    expect(lo | (hi << 8)).toBe(N - (d % N));
  });

  it('still delivers one edge per period when slices are longer than the low pulse', () => {
    const { bus, rises, clock } = setup();
    bus.write(0x43, 1, 0x34);
    bus.write(0x40, 1, 100);
    bus.write(0x40, 1, 0);
    const before = rises().length;
    // 5 periods of ~84 us in 30 us slices that ignore deadlines: each 838 ns low pulse falls inside a slice.
    const end = nsAtPitTick(ticks(0) + 500);
    while (clock.nowNs < end) { clock.advanceTo(Math.min(end, clock.nowNs + 30_000)); clock.runDue(); }
    expect(rises().length - before).toBe(5);
  });

  it('counter latch freezes the value until both bytes are read; a second latch is ignored', () => {
    const { bus, clock } = setup();
    bus.write(0x43, 1, 0x30); // mode 0, LSB/MSB
    bus.write(0x40, 1, 0x00);
    bus.write(0x40, 1, 0x80); // 0x8000
    const t0 = ticks(clock.nowNs);
    clock.advanceTo(nsAtPitTick(t0 + 100));
    bus.write(0x43, 1, 0x00);
    clock.advanceTo(nsAtPitTick(t0 + 300));
    bus.write(0x43, 1, 0x00); // ignored: previous latch unread
    expect(bus.read(0x40, 1) | (bus.read(0x40, 1) << 8)).toBe(0x8000 - 100);
    // Unlatched reads follow the live count.
    expect(bus.read(0x40, 1) | (bus.read(0x40, 1) << 8)).toBe(0x8000 - 300);
  });

  it('read-back command latches status (OUT, null count, RW, mode, BCD) before the count', () => {
    const { bus, clock } = setup();
    bus.write(0x43, 1, 0xb5); // counter 2, LSB/MSB, mode 2, BCD
    bus.write(0x43, 1, 0xe8); // read-back status only, counter 2
    expect(bus.read(0x42, 1)).toBe(0x80 | 0x40 | 0x30 | (2 << 1) | 1); // null count: no count yet, OUT high in mode 2
    bus.write(0x61, 1, 0x01); // GATE2 high
    bus.write(0x42, 1, 0x00);
    bus.write(0x42, 1, 0x50); // BCD 5000
    const t0 = ticks(clock.nowNs);
    clock.advanceTo(nsAtPitTick(t0 + 1234));
    bus.write(0x43, 1, 0xc8); // read-back count and status, counter 2
    expect(bus.read(0x42, 1)).toBe(0x80 | 0x30 | (2 << 1) | 1); // status first; count loaded so null count clear
    expect(bus.read(0x42, 1)).toBe(0x66); // 5000 - 1234 = 3766 in BCD
    expect(bus.read(0x42, 1)).toBe(0x37);
  });

  it('LSB-only and MSB-only access', () => {
    const { bus, clock } = setup();
    bus.write(0x43, 1, 0x10); // counter 0, LSB only, mode 0
    bus.write(0x40, 1, 200);
    const t0 = ticks(clock.nowNs);
    clock.advanceTo(nsAtPitTick(t0 + 50));
    expect(bus.read(0x40, 1)).toBe(150);
    bus.write(0x43, 1, 0x60); // counter 1, MSB only, mode 0
    bus.write(0x41, 1, 0x12); // count 0x1200
    const t1 = ticks(clock.nowNs);
    clock.advanceTo(nsAtPitTick(t1 + 0x100));
    expect(bus.read(0x41, 1)).toBe(0x11);
  });

  it('drives OUT2 on port 0x61 the way Linux pit_calibrate_tsc polls it (mode 0, gate via bit 0)', () => {
    const { bus, clock } = setup();
    const latch = Math.floor(PIT_HZ / (1000 / 50)); // 50 ms, CAL_LATCH
    bus.write(0x61, 1, (bus.read(0x61, 1) & ~0x02) | 0x01);
    bus.write(0x43, 1, 0xb0);
    bus.write(0x42, 1, latch & 0xff);
    bus.write(0x42, 1, latch >> 8);
    const start = clock.nowNs;
    let polls = 0;
    while ((bus.read(0x61, 1) & 0x20) === 0) { clock.advanceInstructions(1000); polls++; }
    const elapsed = clock.nowNs - start;
    expect(polls).toBeGreaterThan(10);
    expect(Math.abs(elapsed - 50e6)).toBeLessThan(2000);
  });

  it('supports quick_pit_calibrate: the MSB steps down once per 256 ticks', () => {
    const { bus, clock } = setup();
    bus.write(0x61, 1, 0x01);
    bus.write(0x43, 1, 0xb0);
    bus.write(0x42, 1, 0xff);
    bus.write(0x42, 1, 0xff);
    const t0 = ticks(clock.nowNs);
    const msbAt = (k: number) => { clock.advanceTo(nsAtPitTick(t0 + k)); bus.read(0x42, 1); return bus.read(0x42, 1); };
    expect(msbAt(1)).toBe(0xff);
    expect(msbAt(255)).toBe(0xff);
    expect(msbAt(256)).toBe(0xfe);
    expect(msbAt(256 * 10 + 5)).toBe(0xf5);
  });

  it('GATE low suspends a mode 0 count; mode 3 gives a square wave on OUT2', () => {
    const { bus, clock, pit } = setup();
    bus.write(0x61, 1, 0x01);
    bus.write(0x43, 1, 0xb0);
    bus.write(0x42, 1, 100);
    bus.write(0x42, 1, 0);
    const t0 = ticks(clock.nowNs);
    clock.advanceTo(nsAtPitTick(t0 + 40));
    bus.write(0x61, 1, 0x00);
    clock.advanceTo(nsAtPitTick(t0 + 500));
    expect(pit.channels[2].counter(ticks(clock.nowNs))).toBe(60);
    expect(bus.read(0x61, 1) & 0x20).toBe(0);
    bus.write(0x61, 1, 0x01);
    const t1 = ticks(clock.nowNs);
    clock.advanceTo(nsAtPitTick(t1 + 60));
    expect(bus.read(0x61, 1) & 0x20).toBe(0x20);

    bus.write(0x43, 1, 0xb6); // counter 2 mode 3, as the PC speaker beep
    bus.write(0x42, 1, 10);
    bus.write(0x42, 1, 0);
    const t2 = ticks(clock.nowNs);
    const out2 = (k: number) => { clock.advanceTo(nsAtPitTick(t2 + k)); return (bus.read(0x61, 1) >> 5) & 1; };
    expect([0, 4, 5, 9, 10, 14, 15].map(out2)).toEqual([1, 1, 0, 0, 1, 1, 0]);
    bus.write(0x61, 1, 0x00); // GATE low forces OUT high in mode 3
    expect((bus.read(0x61, 1) >> 5) & 1).toBe(1);
  });

  it('mode 4 strobes OUT low for one tick at terminal count; mode 1 starts on a GATE edge', () => {
    const { bus, clock } = setup();
    bus.write(0x61, 1, 0x01);
    bus.write(0x43, 1, 0xb8); // counter 2 mode 4
    bus.write(0x42, 1, 20);
    bus.write(0x42, 1, 0);
    const t0 = ticks(clock.nowNs);
    const out2 = (t: number, k: number) => { clock.advanceTo(nsAtPitTick(t + k)); return (bus.read(0x61, 1) >> 5) & 1; };
    expect([19, 20, 21].map((k) => out2(t0, k))).toEqual([1, 0, 1]);

    bus.write(0x43, 1, 0xb2); // counter 2 mode 1
    bus.write(0x42, 1, 30);
    bus.write(0x42, 1, 0);
    expect((bus.read(0x61, 1) >> 5) & 1).toBe(1); // waiting for a trigger
    bus.write(0x61, 1, 0x00);
    bus.write(0x61, 1, 0x01); // rising GATE: one-shot starts, OUT low
    const t1 = ticks(clock.nowNs);
    expect(out2(t1, 29)).toBe(0);
    expect(out2(t1, 30)).toBe(1);
  });

  it('a new mode 2 count takes effect at the end of the current period', () => {
    const { bus, clock, pit } = setup();
    bus.write(0x43, 1, 0x34);
    bus.write(0x40, 1, 100);
    bus.write(0x40, 1, 0);
    const t0 = ticks(clock.nowNs);
    clock.advanceTo(nsAtPitTick(t0 + 30));
    bus.write(0x40, 1, 50);
    bus.write(0x40, 1, 0);
    const ch = pit.channels[0];
    expect(ch.counter(t0 + 99)).toBe(1);
    expect(ch.counter(t0 + 100)).toBe(50);
    expect(ch.counter(t0 + 149)).toBe(1);
    expect(ch.counter(t0 + 150)).toBe(50);
  });

  it('saves and restores its state', () => {
    const a = setup();
    a.bus.write(0x43, 1, 0x34);
    a.bus.write(0x40, 1, 0x9c);
    a.bus.write(0x40, 1, 0x2e);
    a.clock.advanceTo(5_000_000);
    const b = setup();
    b.clock.nowNs = a.clock.nowNs;
    b.pit.loadState(a.pit.saveState());
    for (const s of [a, b]) s.bus.write(0x43, 1, 0);
    expect(b.bus.read(0x40, 1)).toBe(a.bus.read(0x40, 1));
    expect(b.bus.read(0x40, 1)).toBe(a.bus.read(0x40, 1));
    expect(uncoveredFields(a.pit.channels[0], PitChannel.STATE)).toEqual([]);
    expect(uncoveredFields(a.pit, Pit8254.STATE)).toEqual([]);
  });
});
