/**
 * Motorola MC146818 RTC and the PC/AT CMOS RAM behind index 0x70 / data 0x71.
 * Bit 7 of a write to 0x70 disables NMI (kept here; the NMI source reads it).
 *
 * The clock runs on virtual time from an initial wall-clock value that the
 * machine passes in (the only host-time input in the core). Update cycles
 * happen at baseNs + k seconds; the periodic divider is phased from baseNs.
 * Interrupt flags (PF, AF, UF) are computed lazily whenever the chip is
 * touched, and a timer runs only while an enabled interrupt needs one.
 */
import type { IoDevice, IoSize } from './ioBus.ts';
import type { IrqSink } from './interrupts.ts';
import type { VirtualClock } from '../clock/virtualClock.ts';
import type { StateLayout } from '../clock/stateCodec.ts';
import { loadFields, saveFields } from '../clock/stateCodec.ts';

export const RTC_SECONDS = 0x00, RTC_SECONDS_ALARM = 0x01, RTC_MINUTES = 0x02, RTC_MINUTES_ALARM = 0x03,
  RTC_HOURS = 0x04, RTC_HOURS_ALARM = 0x05, RTC_DAY_OF_WEEK = 0x06, RTC_DAY_OF_MONTH = 0x07,
  RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0a, RTC_REG_B = 0x0b, RTC_REG_C = 0x0c, RTC_REG_D = 0x0d;
export const CMOS_EQUIPMENT = 0x14, CMOS_CENTURY = 0x32;

const REG_A_UIP = 0x80;
const REG_B_SET = 0x80, REG_B_PIE = 0x40, REG_B_AIE = 0x20, REG_B_UIE = 0x10, REG_B_DM = 0x04, REG_B_24H = 0x02;
const REG_C_IRQF = 0x80, REG_C_PF = 0x40, REG_C_AF = 0x20, REG_C_UF = 0x10;
const SECOND = 1e9;
/** UIP rises 244 us before the update cycle, which lasts 1984 us (32.768 kHz time base). */
const UIP_WINDOW_NS = 244_000 + 1_984_000;

export interface CmosRtcConfig {
  /** Wall-clock time at virtual time 0, in seconds since 1970-01-01 UTC. */
  initialEpochSeconds: number;
  /** Guest RAM below 4 GiB and above 4 GiB, in bytes (for the BIOS memory-size bytes). */
  ramBelow4G: number;
  ramAbove4G?: number;
  /** CMOS 0x14 equipment byte; default: math coprocessor present, EGA/VGA display. */
  equipment?: number;
  irqLine?: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month 1-12, day 1-31] of a day number since 1970-01-01. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export class CmosRtc implements IoDevice {
  static readonly STATE: StateLayout = {
    name: 'CmosRtc',
    scalars: ['index', 'nmiDisabled', 'baseNs', 'baseSeconds', 'shownSecond', 'lastEventNs', 'irqLevel'],
    arrays: ['cmos'],
    config: ['irqLine', 'timerId'],
  };

  readonly cmos = new Uint8Array(128);
  index = 0;
  /** Port 0x70 bit 7: NMI disabled. */
  nmiDisabled = 0;
  /** Update cycles complete at baseNs + k * 1 s; at baseNs the time was baseSeconds. */
  baseNs = 0;
  baseSeconds = 0;
  /** Epoch second currently held in the time registers. */
  shownSecond = -1;
  /** Flags are up to date for events at or before this time. */
  lastEventNs = 0;
  irqLevel = 0;
  private readonly irqLine: number;
  private readonly timerId: number;

  constructor(private readonly clock: VirtualClock, private readonly irq: IrqSink, config: CmosRtcConfig) {
    this.irqLine = config.irqLine ?? 8;
    this.timerId = clock.timers.register('rtc', () => this.onTimer());
    this.baseNs = clock.nowNs;
    this.lastEventNs = clock.nowNs;
    this.baseSeconds = Math.floor(config.initialEpochSeconds);
    const c = this.cmos;
    c[RTC_REG_A] = 0x26; // 32.768 kHz divider, 1024 Hz periodic rate
    c[RTC_REG_B] = REG_B_24H; // BCD, 24-hour
    c[RTC_REG_D] = 0x80; // valid RAM and time
    c[CMOS_EQUIPMENT] = config.equipment ?? 0x02;
    this.setMemorySize(config.ramBelow4G, config.ramAbove4G ?? 0);
    this.formatTime(this.baseSeconds);
  }

  /** BIOS memory-size bytes, as SeaBIOS and Linux's boot code read them. */
  private setMemorySize(below4G: number, above4G: number): void {
    const c = this.cmos;
    const put16 = (at: number, v: number) => { c[at] = v & 0xff; c[at + 1] = (v >> 8) & 0xff; };
    put16(0x15, 640); // base memory, KiB
    const extKb = Math.min(0xffff, Math.max(0, Math.floor(below4G / 1024) - 1024));
    put16(0x17, extKb); // extended memory above 1 MiB, KiB
    put16(0x30, extKb);
    const above16M = Math.min(0xffff, Math.max(0, Math.floor((below4G - 16 * 1024 * 1024) / 65536)));
    put16(0x34, above16M); // above 16 MiB, 64 KiB units
    const high = Math.floor(above4G / 65536);
    c[0x5b] = high & 0xff; c[0x5c] = (high >> 8) & 0xff; c[0x5d] = (high >> 16) & 0xff;
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += c[i];
    c[0x2e] = (sum >> 8) & 0xff; c[0x2f] = sum & 0xff; // standard checksum, big-endian
  }

  private bcd(): boolean {
    return (this.cmos[RTC_REG_B] & REG_B_DM) === 0;
  }
  private enc(v: number): number {
    return this.bcd() ? ((Math.floor(v / 10) % 10) << 4) | (v % 10) : v;
  }
  private dec(v: number): number {
    return this.bcd() ? (v >> 4) * 10 + (v & 15) : v;
  }

  /** Divider chain running (DV2:DV1 != 11). */
  private dividerRunning(): boolean {
    return (this.cmos[RTC_REG_A] & 0x60) !== 0x60;
  }
  private updating(): boolean {
    return this.dividerRunning() && !(this.cmos[RTC_REG_B] & REG_B_SET);
  }

  private formatTime(t: number): void {
    const c = this.cmos;
    const days = Math.floor(t / 86400);
    const sod = t - days * 86400;
    const h = Math.floor(sod / 3600), m = Math.floor(sod / 60) % 60, s = sod % 60;
    const [year, month, day] = civilFromDays(days);
    c[RTC_SECONDS] = this.enc(s);
    c[RTC_MINUTES] = this.enc(m);
    if (c[RTC_REG_B] & REG_B_24H) c[RTC_HOURS] = this.enc(h);
    else c[RTC_HOURS] = this.enc(h % 12 === 0 ? 12 : h % 12) | (h >= 12 ? 0x80 : 0);
    c[RTC_DAY_OF_WEEK] = ((days + 4) % 7 + 7) % 7 + 1; // 1970-01-01 was a Thursday; Sunday = 1
    c[RTC_DAY_OF_MONTH] = this.enc(day);
    c[RTC_MONTH] = this.enc(month);
    c[RTC_YEAR] = this.enc(year % 100);
    c[CMOS_CENTURY] = this.enc(Math.floor(year / 100));
    this.shownSecond = t;
  }

  private hours24(v: number): number {
    if (this.cmos[RTC_REG_B] & REG_B_24H) return this.dec(v);
    const h = this.dec(v & 0x7f) % 12;
    return v & 0x80 ? h + 12 : h;
  }

  /** Seconds since the epoch that the time registers hold. */
  private parseTime(): number {
    const c = this.cmos;
    const year = this.dec(c[CMOS_CENTURY]) * 100 + this.dec(c[RTC_YEAR]);
    const days = daysFromCivil(year, this.dec(c[RTC_MONTH]), this.dec(c[RTC_DAY_OF_MONTH]));
    return days * 86400 + this.hours24(c[RTC_HOURS]) * 3600 + this.dec(c[RTC_MINUTES]) * 60 + this.dec(c[RTC_SECONDS]);
  }

  /** Periodic interrupt period in ns for RS3:0, or 0 for none. */
  periodNs(): number {
    let rs = this.cmos[RTC_REG_A] & 15;
    if (rs === 0) return 0;
    if (rs < 3) rs += 7; // RS 1, 2 repeat the 256 Hz and 128 Hz rates
    return (SECOND * 2 ** (rs - 1)) / 32768;
  }

  private alarmMatches(t: number): boolean {
    const c = this.cmos;
    const sod = ((t % 86400) + 86400) % 86400;
    const dc = (v: number) => (v & 0xc0) === 0xc0; // "don't care" code
    if (!dc(c[RTC_SECONDS_ALARM]) && this.dec(c[RTC_SECONDS_ALARM]) !== sod % 60) return false;
    if (!dc(c[RTC_MINUTES_ALARM]) && this.dec(c[RTC_MINUTES_ALARM]) !== Math.floor(sod / 60) % 60) return false;
    if (!dc(c[RTC_HOURS_ALARM]) && this.hours24(c[RTC_HOURS_ALARM]) !== Math.floor(sod / 3600)) return false;
    return true;
  }

  /** Brings registers and flags up to the current virtual time. */
  private sync(): void {
    const now = this.clock.nowNs;
    const c = this.cmos;
    const last = this.lastEventNs;
    if (now <= last) return;
    if (this.updating()) {
      const k0 = Math.floor((last - this.baseNs) / SECOND), k1 = Math.floor((now - this.baseNs) / SECOND);
      if (k1 > k0) {
        c[RTC_REG_C] |= REG_C_UF;
        const first = this.baseSeconds + k0 + 1, lastSec = this.baseSeconds + k1;
        if (lastSec - first >= 86400) c[RTC_REG_C] |= REG_C_AF;
        else for (let t = first; t <= lastSec; t++) if (this.alarmMatches(t)) { c[RTC_REG_C] |= REG_C_AF; break; }
      }
      const t = this.baseSeconds + k1;
      if (t !== this.shownSecond) this.formatTime(t);
    }
    const p = this.periodNs();
    if (p && this.dividerRunning() && Math.floor((now - this.baseNs) / p) > Math.floor((last - this.baseNs) / p)) {
      c[RTC_REG_C] |= REG_C_PF;
    }
    this.lastEventNs = now;
    this.updateIrq();
  }

  private updateIrq(): void {
    const c = this.cmos;
    // IRQF = PF.PIE + AF.AIE + UF.UIE; the IRQ pin follows it.
    if (c[RTC_REG_C] & c[RTC_REG_B] & (REG_C_PF | REG_C_AF | REG_C_UF)) c[RTC_REG_C] |= REG_C_IRQF;
    else c[RTC_REG_C] &= ~REG_C_IRQF;
    const level = c[RTC_REG_C] & REG_C_IRQF ? 1 : 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.setIrq(this.irqLine, level);
    }
  }

  /** Re-arms the timer for the next event an enabled interrupt needs. */
  private schedule(): void {
    const now = this.clock.nowNs;
    const b = this.cmos[RTC_REG_B];
    let at = Infinity;
    const p = this.periodNs();
    if (b & REG_B_PIE && p && this.dividerRunning()) {
      at = this.baseNs + (Math.floor((now - this.baseNs) / p) + 1) * p;
    }
    if (b & (REG_B_UIE | REG_B_AIE) && this.updating()) {
      at = Math.min(at, this.baseNs + (Math.floor((now - this.baseNs) / SECOND) + 1) * SECOND);
    }
    if (at === Infinity) this.clock.timers.cancel(this.timerId);
    else this.clock.timers.schedule(this.timerId, Math.ceil(at));
  }

  private onTimer(): void {
    this.sync();
    this.schedule();
  }

  /** Restarts the update chain from the time registers, keeping the sub-second phase. */
  private rebase(phaseNs: number): void {
    this.baseSeconds = this.parseTime();
    this.baseNs = this.clock.nowNs - phaseNs;
    this.shownSecond = this.baseSeconds;
  }

  private phase(): number {
    const now = this.clock.nowNs;
    return ((now - this.baseNs) % SECOND + SECOND) % SECOND;
  }

  readRegister(i: number): number {
    this.sync();
    const c = this.cmos;
    switch (i) {
      case RTC_REG_A: {
        const uip = this.updating() && this.phase() >= SECOND - UIP_WINDOW_NS;
        return c[RTC_REG_A] | (uip ? REG_A_UIP : 0);
      }
      case RTC_REG_C: {
        const v = c[RTC_REG_C];
        c[RTC_REG_C] = 0; // reading clears all flags and releases IRQ8
        this.updateIrq();
        return v;
      }
      case RTC_REG_D: return 0x80;
      default: return c[i];
    }
  }

  writeRegister(i: number, v: number): void {
    this.sync();
    const c = this.cmos;
    switch (i) {
      case RTC_REG_A: {
        const wasRunning = this.dividerRunning();
        c[RTC_REG_A] = v & 0x7f;
        // Leaving divider reset: the first update comes 500 ms later.
        if (!wasRunning && this.dividerRunning()) { this.rebase(SECOND / 2); this.lastEventNs = this.clock.nowNs; }
        break;
      }
      case RTC_REG_B: {
        const old = c[RTC_REG_B];
        if (v & REG_B_SET) v &= ~REG_B_UIE; // SET clears UIE
        c[RTC_REG_B] = v;
        if (old & REG_B_SET && !(v & REG_B_SET)) this.rebase(0);
        else if ((old ^ v) & (REG_B_DM | REG_B_24H) && this.updating()) this.formatTime(this.shownSecond);
        this.updateIrq();
        break;
      }
      case RTC_REG_C: case RTC_REG_D: break; // read-only
      case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_DAY_OF_WEEK:
      case RTC_DAY_OF_MONTH: case RTC_MONTH: case RTC_YEAR: case CMOS_CENTURY:
        c[i] = v;
        if (this.updating()) this.rebase(this.phase());
        break;
      default: c[i] = v;
    }
    this.schedule();
  }

  portRead(port: number, size: IoSize): number {
    const v = port === 0x71 ? this.readRegister(this.index) : 0xff;
    if (size === 1) return v;
    return size === 2 ? v | 0xff00 : (v | 0xffffff00) >>> 0;
  }

  portWrite(port: number, _size: IoSize, value: number): void {
    if (port === 0x70) {
      this.index = value & 0x7f;
      this.nmiDisabled = (value >> 7) & 1;
    } else if (port === 0x71) {
      this.writeRegister(this.index, value & 0xff);
    }
  }

  saveState(): Uint8Array {
    return saveFields(this, CmosRtc.STATE);
  }
  loadState(bytes: Uint8Array): void {
    loadFields(this, CmosRtc.STATE, bytes);
  }
}
