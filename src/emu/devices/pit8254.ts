/**
 * Intel 8254 programmable interval timer at 0x40-0x43, plus the speaker
 * channel's bits of system control port B (0x61): bit 0 GATE2, bit 1 speaker
 * data, bit 4 refresh toggle, bit 5 OUT2 (Linux calibrates the TSC by polling
 * it). Counter 0's OUT drives IRQ0.
 *
 * Counting is computed from virtual time: a channel remembers the PIT clock
 * tick at which its count was loaded, and the counter value and OUT are
 * closed-form functions of the ticks since then. Only counter 0 schedules a
 * timer, for its next OUT transition.
 */
import type { IoDevice, IoSize } from './ioBus.ts';
import type { IrqSink } from './interrupts.ts';
import type { VirtualClock } from '../clock/virtualClock.ts';
import { mulDivCeil, mulDivFloor, reducedRatio, NS_PER_SECOND } from '../clock/virtualClock.ts';
import type { StateLayout } from '../clock/stateCodec.ts';
import { loadFields, saveFields } from '../clock/stateCodec.ts';

export const PIT_HZ = 1_193_182;
const [TICK_NUM, TICK_DEN] = reducedRatio(PIT_HZ, NS_PER_SECOND);

/** PIT clock ticks elapsed at virtual time `ns`. */
export function pitTicksAt(ns: number): number {
  return mulDivFloor(ns, TICK_NUM, TICK_DEN);
}
/** Earliest virtual ns at which tick `tick` has happened. */
export function nsAtPitTick(tick: number): number {
  return mulDivCeil(tick, TICK_DEN, TICK_NUM);
}

function fromBcd(v: number): number {
  return (v >> 12 & 15) * 1000 + (v >> 8 & 15) * 100 + (v >> 4 & 15) * 10 + (v & 15);
}
function toBcd(v: number): number {
  return (Math.floor(v / 1000) % 10) << 12 | (Math.floor(v / 100) % 10) << 8 | (Math.floor(v / 10) % 10) << 4 | v % 10;
}

export class PitChannel {
  static readonly STATE: StateLayout = {
    name: 'PitChannel',
    scalars: ['mode', 'rwMode', 'bcd', 'countReg', 'activeN', 'pendingN', 'pendingTick', 'loadTick', 'armed',
      'gate', 'frozenD', 'nullCount', 'writeLsbDone', 'readMsbNext', 'latchBytes', 'latchValue',
      'statusLatched', 'statusValue', 'lowByte', 'countWritten'],
    arrays: [],
  };

  mode = 0;
  /** RW field: 1 LSB, 2 MSB, 3 LSB then MSB. */
  rwMode = 3;
  bcd = 0;
  /** Count register as written (16 bits, BCD digits if bcd). */
  countReg = 0;
  /** Count in use, 1..0x10000 (10000 in BCD). */
  activeN = 0x10000;
  /** Mode 2/3: a count written while counting, loaded at the end of the period (0 = none). */
  pendingN = 0;
  pendingTick = 0;
  /** PIT tick at which the counting element was loaded (d = 0). */
  loadTick = 0;
  /** Counting has started (count written; for modes 1/5, triggered). */
  armed = 0;
  gate = 1;
  /** Ticks elapsed when counting was suspended by GATE low, or -1. */
  frozenD = -1;
  nullCount = 1;
  /** A complete count has been written since the last control word. */
  countWritten = 0;
  writeLsbDone = 0;
  readMsbNext = 0;
  lowByte = 0;
  /** Bytes of a latched count still to read (0 = not latched). */
  latchBytes = 0;
  latchValue = 0;
  statusLatched = 0;
  statusValue = 0;

  private modulus(): number {
    return this.bcd ? 10000 : 0x10000;
  }

  /** Ticks since load at PIT tick `t`, or -1 while not counting. */
  elapsed(t: number): number {
    this.applyPending(t);
    if (!this.armed) return -1;
    if (this.frozenD >= 0) return this.frozenD;
    return Math.max(0, t - this.loadTick);
  }

  private applyPending(t: number): void {
    if (this.pendingN && t >= this.pendingTick) {
      this.activeN = this.pendingN;
      this.loadTick = this.pendingTick;
      this.pendingN = 0;
      this.nullCount = 0;
    }
  }

  out(t: number): number {
    const d = this.elapsed(t);
    const n = this.activeN;
    if (d < 0) return this.mode === 0 ? 0 : 1;
    switch (this.mode) {
      case 0: case 1: return d >= n ? 1 : 0;
      case 2: if (!this.gate) return 1; return n > 1 && d % n === n - 1 ? 0 : 1;
      case 3: if (!this.gate) return 1; return d % n < Math.ceil(n / 2) ? 1 : 0;
      default: return d === n ? 0 : 1; // 4, 5: one-tick strobe at terminal count
    }
  }

  /** Counter value at tick `t` (binary; the caller converts to BCD). */
  counter(t: number): number {
    const d = this.elapsed(t);
    const n = this.activeN, m = this.modulus();
    if (d < 0) return this.countReg ? (this.bcd ? fromBcd(this.countReg) : this.countReg) : 0;
    switch (this.mode) {
      case 2: return (n - (d % n)) % m;
      case 3: return (n - ((2 * d) % n)) % m;
      default: return (((n - d) % m) + m) % m;
    }
  }

  /** Ticks since load of the next OUT change after d, or -1 if none. */
  nextTransition(d: number): number {
    const n = this.activeN;
    if (d < 0) return -1;
    switch (this.mode) {
      case 0: case 1: return d < n ? n : -1;
      case 2: { if (n < 2 || !this.gate) return -1; const p = d % n; return p < n - 1 ? d + (n - 1 - p) : d + 1; }
      case 3: { if (n < 2 || !this.gate) return -1; const h = Math.ceil(n / 2), p = d % n; return p < h ? d + (h - p) : d + (n - p); }
      default: return d < n ? n : d === n ? n + 1 : -1;
    }
  }

  /** Whether OUT had a rising edge for some elapsed count in (a, b]. */
  roseBetween(a: number, b: number): boolean {
    const n = this.activeN;
    if (b < 0) return false;
    switch (this.mode) {
      case 0: case 1: return a < n && n <= b;
      case 2: case 3: return n >= 2 && this.gate === 1 && Math.floor(b / n) > Math.floor(Math.max(a, 0) / n);
      default: return a < n + 1 && n + 1 <= b;
    }
  }

  writeControl(v: number, t: number): void {
    this.rwMode = (v >> 4) & 3;
    const mode = (v >> 1) & 7;
    this.mode = mode > 5 ? mode - 4 : mode; // 6 and 7 are aliases of 2 and 3
    this.bcd = v & 1;
    this.armed = 0;
    this.frozenD = -1;
    this.pendingN = 0;
    this.nullCount = 1;
    this.countWritten = 0;
    this.writeLsbDone = 0;
    this.readMsbNext = 0;
    this.latchBytes = 0;
    this.statusLatched = 0;
    this.loadTick = t;
  }

  writeCount(v: number, t: number): void {
    switch (this.rwMode) {
      case 1: this.countReg = v; break;
      case 2: this.countReg = v << 8; break;
      default:
        if (!this.writeLsbDone) {
          this.lowByte = v;
          this.writeLsbDone = 1;
          if (this.mode === 0) this.suspend(t); // datasheet: the first byte stops a mode 0 count
          return;
        }
        this.writeLsbDone = 0;
        this.countReg = this.lowByte | (v << 8);
    }
    this.nullCount = 1;
    this.load(t);
  }

  private suspend(t: number): void {
    this.elapsed(t); // settle any pending reload first
    this.armed = 0;
  }

  private load(t: number): void {
    const raw = this.bcd ? fromBcd(this.countReg) : this.countReg;
    const n = raw === 0 ? this.modulus() : raw;
    switch (this.mode) {
      case 1: case 5: // waits for a GATE trigger; a running count is not disturbed
        if (!this.armed) this.activeN = n;
        this.countWritten = 1;
        return;
      case 2: case 3:
        if (this.armed && this.frozenD < 0) {
          const d = this.elapsed(t);
          this.pendingN = n;
          this.pendingTick = this.loadTick + (Math.floor(d / this.activeN) + 1) * this.activeN;
          return;
        }
        break;
      default: break;
    }
    this.countWritten = 1;
    this.activeN = n;
    this.startCounting(t);
  }

  private startCounting(t: number): void {
    this.armed = 1;
    this.loadTick = t;
    this.nullCount = 0;
    // Modes 0 and 4 hold while GATE is low; 2 and 3 wait for GATE to rise.
    this.frozenD = this.gate ? -1 : 0;
  }

  setGate(level: number, t: number): void {
    const was = this.gate;
    if (level === was) return;
    const d = this.elapsed(t);
    this.gate = level;
    switch (this.mode) {
      case 0: case 4:
        if (!this.armed) return;
        if (!level) this.frozenD = d;
        else { this.loadTick = t - this.frozenD; this.frozenD = -1; }
        return;
      case 2: case 3:
        if (!this.armed) return;
        if (!level) this.frozenD = d;
        else this.startCounting(t); // rising GATE reloads
        return;
      default: // 1, 5: rising GATE triggers (reloads the count register)
        if (level && this.countWritten) {
          const raw = this.bcd ? fromBcd(this.countReg) : this.countReg;
          this.activeN = raw === 0 ? this.modulus() : raw;
          this.startCounting(t);
        }
    }
  }

  latchCount(t: number): void {
    if (this.latchBytes) return; // a second latch before reading is ignored
    const c = this.counter(t);
    this.latchValue = this.bcd ? toBcd(c) : c & 0xffff;
    this.latchBytes = this.rwMode === 3 ? 2 : 1;
  }

  latchStatus(t: number): void {
    if (this.statusLatched) return;
    this.statusValue = (this.out(t) << 7) | (this.nullCount << 6) | (this.rwMode << 4) | (this.mode << 1) | this.bcd;
    this.statusLatched = 1;
  }

  read(t: number): number {
    if (this.statusLatched) { this.statusLatched = 0; return this.statusValue; }
    let value: number;
    if (this.latchBytes) {
      value = this.latchValue;
      this.latchBytes--;
    } else {
      const c = this.counter(t);
      value = this.bcd ? toBcd(c) : c & 0xffff;
    }
    switch (this.rwMode) {
      case 1: return value & 0xff;
      case 2: return value >> 8;
      default: {
        const msb = this.readMsbNext;
        this.readMsbNext ^= 1;
        return msb ? value >> 8 : value & 0xff;
      }
    }
  }
}

export class Pit8254 implements IoDevice {
  readonly channels = [new PitChannel(), new PitChannel(), new PitChannel()];
  /** Port 0x61 bits 3:0 as written (GATE2, speaker data, parity/IOCHK check disables). */
  portB = 0;
  /** Level last driven on IRQ0, and the tick at which it was evaluated. */
  irqLevel = 0;
  irqTick = 0;
  private readonly timerId: number;

  static readonly STATE: StateLayout = { name: 'Pit8254', scalars: ['portB', 'irqLevel', 'irqTick'], arrays: [],
    config: ['irqLine', 'timerId'] };

  constructor(private readonly clock: VirtualClock, private readonly irq: IrqSink, private readonly irqLine = 0) {
    this.timerId = clock.timers.register('pit0', () => this.updateIrq0());
    this.channels[2].gate = 0;
  }

  private tick(): number {
    return pitTicksAt(this.clock.nowNs);
  }

  /** Drives IRQ0 from counter 0's OUT and schedules the next transition. */
  updateIrq0(): void {
    const ch = this.channels[0];
    const t = this.tick();
    const dNow = ch.elapsed(t);
    const dLast = this.irqTick - ch.loadTick;
    const out = ch.out(t);
    if (dNow >= 0 && ch.roseBetween(dLast, dNow)) {
      // Late by more than a low phase (a slice ran past it): still deliver the edge.
      if (this.irqLevel) this.irq.setIrq(this.irqLine, 0);
      this.irq.setIrq(this.irqLine, 1);
      this.irqLevel = 1;
    }
    if (out !== this.irqLevel) this.irq.setIrq(this.irqLine, out);
    this.irqLevel = out;
    this.irqTick = t;
    const next = ch.nextTransition(dNow);
    let at = next < 0 ? Infinity : nsAtPitTick(ch.loadTick + next);
    if (ch.pendingN) at = Math.min(at, nsAtPitTick(ch.pendingTick));
    if (at === Infinity) this.clock.timers.cancel(this.timerId);
    else this.clock.timers.schedule(this.timerId, Math.max(at, this.clock.nowNs + 1));
  }

  portRead(port: number, size: IoSize): number {
    let v = 0xff;
    const t = this.tick();
    if (port >= 0x40 && port <= 0x42) v = this.channels[port - 0x40].read(t);
    else if (port === 0x61) {
      // Refresh request toggles every 15.085 us (DRAM refresh on counter 1 of a real PC).
      const refresh = Math.floor(this.clock.nowNs / 15_085) & 1;
      v = this.portB | (refresh << 4) | (this.channels[2].out(t) << 5);
    }
    if (size === 1) return v;
    return size === 2 ? v | 0xff00 : (v | 0xffffff00) >>> 0;
  }

  portWrite(port: number, _size: IoSize, value: number): void {
    const v = value & 0xff;
    const t = this.tick();
    if (port === 0x43) this.writeControl(v, t);
    else if (port >= 0x40 && port <= 0x42) this.channels[port - 0x40].writeCount(v, t);
    else if (port === 0x61) {
      this.portB = v & 0x0f;
      this.channels[2].setGate(v & 1, t);
    } else return;
    if (port !== 0x61) this.updateIrq0();
  }

  private writeControl(v: number, t: number): void {
    const sc = v >> 6;
    if (sc === 3) {
      // Read-back: bit 5 = 0 latches counts, bit 4 = 0 latches status, bits 3:1 select counters 2..0.
      for (let i = 0; i < 3; i++) {
        if (!(v & (2 << i))) continue;
        const ch = this.channels[i];
        if (!(v & 0x20)) ch.latchCount(t);
        if (!(v & 0x10)) ch.latchStatus(t);
      }
      return;
    }
    const ch = this.channels[sc];
    if ((v & 0x30) === 0) ch.latchCount(t); // counter latch command
    else ch.writeControl(v, t);
  }

  saveState(): Uint8Array {
    const parts = [saveFields(this, Pit8254.STATE), ...this.channels.map((c) => saveFields(c, PitChannel.STATE))];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out;
  }

  loadState(bytes: Uint8Array): void {
    const own = PitChannel.STATE.scalars.length * 8;
    const head = Pit8254.STATE.scalars.length * 8;
    loadFields(this, Pit8254.STATE, bytes.subarray(0, head));
    this.channels.forEach((c, i) => loadFields(c, PitChannel.STATE, bytes.subarray(head + i * own, head + (i + 1) * own)));
  }
}
