import { describe, expect, it } from 'vitest';
import {
  APIC_EOI, APIC_ESR, APIC_ICR_HI, APIC_ICR_LO, APIC_ID, APIC_ISR, APIC_LVT_ERROR, APIC_LVT_LINT0, APIC_LVT_LINT1,
  APIC_LVT_TIMER, APIC_PPR, APIC_SVR, APIC_TIMER_CCR, APIC_TIMER_DCR, APIC_TIMER_ICR, APIC_TMR, APIC_TPR,
  APIC_VERSION, DM_FIXED, DM_NMI, ESR_ILLEGAL_REGISTER, ESR_RECEIVE_ILLEGAL_VECTOR, ESR_SEND_ILLEGAL_VECTOR,
  Lapic, LapicMmio,
} from './lapic.ts';
import { VirtualClock } from '../clock/virtualClock.ts';
import { uncoveredFields } from '../clock/stateCodec.ts';

function setup(opts: { tscDeadline?: boolean; tscHz?: number } = {}) {
  const clock = new VirtualClock({ tscHz: opts.tscHz });
  const lapic = new Lapic(clock, { apicId: 0, bsp: true, tscDeadline: opts.tscDeadline });
  const sent: [number, number][] = [];
  const eois: number[] = [];
  lapic.bus = { sendIpi: (_s, lo, hi) => sent.push([lo, hi]), eoiBroadcast: (v) => eois.push(v) };
  const mmio = new LapicMmio(lapic);
  const rd = (reg: number) => mmio.read(reg << 4, 4);
  const wr = (reg: number, v: number) => mmio.write(reg << 4, 4, v);
  wr(APIC_SVR, 0x1ff); // software enable, spurious vector 0xff
  /** Runs the clock to `ns`, firing timers at their deadlines. */
  const runTo = (ns: number) => {
    while (clock.timers.nextDeadline() <= ns) { clock.advanceTo(clock.timers.nextDeadline()); clock.runDue(); }
    clock.advanceTo(ns);
  };
  /** Takes every deliverable interrupt and EOIs it; returns the vectors. */
  const drain = () => {
    const got: number[] = [];
    while (lapic.hasInterrupt()) { got.push(lapic.acknowledge()); wr(APIC_EOI, 0); }
    return got;
  };
  return { clock, lapic, rd, wr, sent, eois, runTo, drain, mmio };
}

describe('local APIC registers', () => {
  it('reset values: version 0x14 with max LVT 5, DFR all ones, LVTs masked on an AP, virtual wire on the BSP', () => {
    const clock = new VirtualClock();
    const ap = new Lapic(clock, { apicId: 3, bsp: false });
    const m = new LapicMmio(ap);
    expect(m.read(0x030, 4)).toBe(0x00050014);
    expect(m.read(0x020, 4)).toBe(0x03000000);
    expect(m.read(0x0e0, 4)).toBe(0xffffffff);
    expect(m.read(0x0f0, 4)).toBe(0xff);
    for (const off of [0x320, 0x330, 0x340, 0x350, 0x360, 0x370]) expect(m.read(off, 4)).toBe(0x10000);
    const bsp = new LapicMmio(new Lapic(clock, { apicId: 0, bsp: true }));
    expect(bsp.read(0x350, 4)).toBe(0x700); // LINT0 ExtINT
    expect(bsp.read(0x360, 4)).toBe(0x400); // LINT1 NMI
  });

  it('writable bits, read-only registers, and illegal register accesses set ESR bit 7', () => {
    const { rd, wr, mmio } = setup();
    wr(APIC_VERSION, 0);
    expect(rd(APIC_VERSION)).toBe(0x00050014);
    wr(APIC_TPR, 0x1234);
    expect(rd(APIC_TPR)).toBe(0x34);
    wr(APIC_ID, 0xffffffff);
    expect(rd(APIC_ID)).toBe(0xff000000);
    wr(APIC_TIMER_DCR, 0xff);
    expect(rd(APIC_TIMER_DCR)).toBe(0x0b);
    expect(mmio.read(0x2f0, 4)).toBe(0); // LVT CMCI is not implemented (max LVT 5)
    wr(APIC_ESR, 0);
    expect(rd(APIC_ESR)).toBe(ESR_ILLEGAL_REGISTER);
    wr(APIC_ESR, 0);
    expect(rd(APIC_ESR)).toBe(0);
    expect(mmio.read(0x034, 4)).toBe(0); // inside a 16-byte slot but not the register
  });

  it('priority: highest IRR above PPR is delivered; TPR and in-service vectors hold lower classes back', () => {
    const { lapic, rd, wr } = setup();
    lapic.accept(DM_FIXED, 0x51, false);
    lapic.accept(DM_FIXED, 0x93, false);
    expect(lapic.acknowledge()).toBe(0x93);
    expect(rd(APIC_PPR)).toBe(0x90);
    expect(lapic.hasInterrupt()).toBe(false);
    lapic.accept(DM_FIXED, 0x9f, false); // same class as in service: waits
    expect(lapic.hasInterrupt()).toBe(false);
    lapic.accept(DM_FIXED, 0xa0, false);
    expect(lapic.acknowledge()).toBe(0xa0); // nests
    wr(APIC_EOI, 0);
    wr(APIC_EOI, 0);
    expect(rd(APIC_ISR + 4)).toBe(0);
    wr(APIC_TPR, 0x60);
    expect(lapic.acknowledge()).toBe(0x9f);
    wr(APIC_EOI, 0);
    expect(lapic.hasInterrupt()).toBe(false); // 0x51 is below TPR class 6
    expect(rd(APIC_PPR)).toBe(0x60);
    expect(lapic.acknowledge()).toBe(0xff); // INTA with nothing deliverable: spurious vector, ISR untouched
    expect(rd(APIC_ISR + 2)).toBe(0);
    wr(APIC_TPR, 0);
    expect(lapic.acknowledge()).toBe(0x51);
  });

  it('EOI of a level-triggered vector (TMR set) is broadcast; edge vectors are not', () => {
    const { lapic, rd, wr, eois } = setup();
    lapic.accept(DM_FIXED, 0x41, true);
    lapic.accept(DM_FIXED, 0x42, false);
    expect(rd(APIC_TMR + 2)).toBe(1 << 1);
    expect(lapic.acknowledge()).toBe(0x42);
    wr(APIC_EOI, 0);
    expect(lapic.acknowledge()).toBe(0x41);
    wr(APIC_EOI, 0);
    expect(eois).toEqual([0x41]);
  });

  it('illegal vectors: received 0-15 never reach IRR; sent ones are refused', () => {
    const { lapic, rd, wr, sent } = setup();
    wr(APIC_LVT_ERROR, 0xee);
    lapic.accept(DM_FIXED, 0x05, false);
    expect(lapic.highestIrr()).toBe(0xee); // the error LVT fired instead
    wr(APIC_ICR_LO, 0x00004003);
    expect(sent).toEqual([]);
    wr(APIC_ESR, 0);
    expect(rd(APIC_ESR)).toBe(ESR_RECEIVE_ILLEGAL_VECTOR | ESR_SEND_ILLEGAL_VECTOR);
  });

  it('software disable masks every LVT and keeps them masked; interrupts are held', () => {
    const { lapic, rd, wr } = setup();
    wr(APIC_LVT_TIMER, 0x30);
    lapic.accept(DM_FIXED, 0x80, false);
    wr(APIC_SVR, 0xff);
    expect(rd(APIC_LVT_TIMER) & 0x10000).toBe(0x10000);
    wr(APIC_LVT_TIMER, 0x30);
    expect(rd(APIC_LVT_TIMER)).toBe(0x10030);
    expect(lapic.hasInterrupt()).toBe(false);
    wr(APIC_SVR, 0x1ff);
    expect(lapic.acknowledge()).toBe(0x80);
  });

  it('ICR: writing the low word sends; delivery status reads idle', () => {
    const { rd, wr, sent } = setup();
    wr(APIC_ICR_HI, 0x03000000);
    wr(APIC_ICR_LO, 0x000c4500 | 0x1000); // INIT, level assert, all-excluding-self, with bit 12 written
    expect(sent).toEqual([[0x000c4500, 0x03000000]]);
    expect(rd(APIC_ICR_LO) & 0x1000).toBe(0);
  });

  it('IA32_APIC_BASE: disabling resets the APIC; x2APIC enable is refused', () => {
    const { lapic, rd, wr } = setup();
    wr(APIC_TPR, 0x20);
    expect(lapic.writeApicBase(0xfee00000 | 0x400 | 0x800, 0)).toBe(false);
    expect(lapic.writeApicBase(0xfee00000, 0)).toBe(true);
    expect(lapic.hardwareEnabled).toBe(false);
    expect(lapic.apicBase).toBe(0xfee00100); // BSP flag is read-only
    expect(lapic.writeApicBase(0xfee00800, 0)).toBe(true);
    expect(rd(APIC_TPR)).toBe(0);
    expect(rd(APIC_SVR)).toBe(0xff);
  });

  it('LINT1 in NMI mode raises an NMI on a rising edge; a level fixed LINT0 uses remote IRR', () => {
    const { lapic, rd, wr } = setup();
    lapic.setLint(1, 1);
    expect(lapic.nmiPending).toBe(1);
    lapic.nmiPending = 0;
    lapic.setLint(1, 1);
    expect(lapic.nmiPending).toBe(0);
    wr(APIC_LVT_LINT0, 0x8000 | 0x61); // fixed, level
    lapic.setLint(0, 1);
    expect(rd(APIC_LVT_LINT0) & 0x4000).toBe(0x4000);
    expect(lapic.acknowledge()).toBe(0x61);
    wr(APIC_EOI, 0);
    expect(lapic.hasInterrupt()).toBe(true); // still asserted: again
    expect(lapic.acknowledge()).toBe(0x61);
    lapic.setLint(0, 0);
    wr(APIC_EOI, 0);
    expect(lapic.hasInterrupt()).toBe(false);
    expect(rd(APIC_LVT_LINT1)).toBe(DM_NMI << 8);
  });
});

describe('local APIC timer', () => {
  it('periodic mode fires N times in N periods of virtual time and reloads', () => {
    const { rd, wr, runTo, drain, clock } = setup();
    wr(APIC_TIMER_DCR, 0x3); // divide by 16
    wr(APIC_LVT_TIMER, 0x20000 | 0xec);
    wr(APIC_TIMER_ICR, 1000); // 16 us period
    const got: number[] = [];
    for (let k = 1; k <= 50; k++) {
      runTo(k * 16_000 - 1);
      expect(drain()).toEqual([]);
      runTo(k * 16_000);
      got.push(...drain());
    }
    expect(got.length).toBe(50);
    expect(new Set(got)).toEqual(new Set([0xec]));
    clock.advanceTo(50 * 16_000 + 16 * 250);
    expect(rd(APIC_TIMER_CCR)).toBe(750);
  });

  it('one-shot mode fires once and the current count stops at 0', () => {
    const { rd, wr, runTo, drain } = setup();
    wr(APIC_TIMER_DCR, 0xb); // divide by 1
    wr(APIC_LVT_TIMER, 0x31);
    wr(APIC_TIMER_ICR, 5000);
    runTo(2000);
    expect(rd(APIC_TIMER_CCR)).toBe(3000);
    runTo(5000);
    expect(drain()).toEqual([0x31]);
    runTo(50_000);
    expect(drain()).toEqual([]);
    expect(rd(APIC_TIMER_CCR)).toBe(0);
    wr(APIC_TIMER_ICR, 10); // a new initial count restarts it
    runTo(50_010);
    expect(drain()).toEqual([0x31]);
  });

  it('masked timer counts without interrupting; changing the divider keeps the current count', () => {
    const { rd, wr, runTo, drain } = setup();
    wr(APIC_TIMER_DCR, 0x0); // divide by 2
    wr(APIC_LVT_TIMER, 0x10040);
    wr(APIC_TIMER_ICR, 1000);
    runTo(400);
    expect(rd(APIC_TIMER_CCR)).toBe(800);
    wr(APIC_TIMER_DCR, 0x1); // divide by 4
    runTo(800);
    expect(rd(APIC_TIMER_CCR)).toBe(700);
    runTo(10_000);
    expect(drain()).toEqual([]);
    expect(rd(APIC_TIMER_CCR)).toBe(0);
  });

  it('TSC-deadline mode: fires when the TSC reaches the deadline, then disarms; ignored when not advertised', () => {
    const { lapic, wr, runTo, drain, clock } = setup({ tscDeadline: true, tscHz: 2_000_000_000 });
    wr(APIC_LVT_TIMER, 0x40000 | 0xef);
    wr(APIC_TIMER_ICR, 1234); // ignored in this mode
    lapic.writeTscDeadline(20_000, 0); // 10 us at 2 GHz
    runTo(9_999);
    expect(drain()).toEqual([]);
    runTo(10_000);
    expect(drain()).toEqual([0xef]);
    expect(lapic.readTscDeadline()).toBe(0);
    expect(clock.timers.nextDeadline()).toBe(Infinity);
    const plain = setup();
    plain.wr(APIC_LVT_TIMER, 0x40000 | 0xef);
    expect(plain.rd(APIC_LVT_TIMER) & 0x60000).toBe(0); // mode bit 18 is reserved without the feature
  });

  it('saves every field', () => {
    const a = setup();
    a.wr(APIC_LVT_TIMER, 0x20000 | 0x30);
    a.wr(APIC_TIMER_ICR, 100);
    const b = setup();
    b.lapic.loadState(a.lapic.saveState());
    expect(b.rd(APIC_TIMER_ICR)).toBe(100);
    expect(uncoveredFields(a.lapic, Lapic.STATE)).toEqual([]);
  });
});
