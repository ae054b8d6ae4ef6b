/**
 * Local APIC (xAPIC, SDM Vol. 3A ch. 11 "Advanced Programmable Interrupt
 * Controller"). Registers live in one Uint32Array indexed by MMIO offset >> 4,
 * which is also the x2APIC MSR number minus 0x800, so x2APIC MSR access can
 * map onto the same readRegister/writeRegister later.
 *
 * IPIs and EOI broadcasts leave through an ApicBusPort; the routing rules
 * (destinations, shorthands, lowest priority) live in interrupts.ts. The
 * timer counts on the virtual clock: one bus tick per ns at divide-by-1.
 */
import type { MmioHandler } from '../mem/physicalMemory.ts';
import type { VirtualClock } from '../clock/virtualClock.ts';
import type { StateLayout } from '../clock/stateCodec.ts';
import { loadFields, saveFields } from '../clock/stateCodec.ts';

/** Register indices (xAPIC offset >> 4 = x2APIC MSR - 0x800). */
export const APIC_ID = 0x02, APIC_VERSION = 0x03, APIC_TPR = 0x08, APIC_APR = 0x09, APIC_PPR = 0x0a,
  APIC_EOI = 0x0b, APIC_RRD = 0x0c, APIC_LDR = 0x0d, APIC_DFR = 0x0e, APIC_SVR = 0x0f, APIC_ISR = 0x10,
  APIC_TMR = 0x18, APIC_IRR = 0x20, APIC_ESR = 0x28, APIC_ICR_LO = 0x30, APIC_ICR_HI = 0x31,
  APIC_LVT_TIMER = 0x32, APIC_LVT_THERMAL = 0x33, APIC_LVT_PERF = 0x34, APIC_LVT_LINT0 = 0x35,
  APIC_LVT_LINT1 = 0x36, APIC_LVT_ERROR = 0x37, APIC_TIMER_ICR = 0x38, APIC_TIMER_CCR = 0x39,
  APIC_TIMER_DCR = 0x3e;

export const APIC_DEFAULT_BASE = 0xfee00000;
/** IA32_APIC_BASE bits. */
export const APIC_BASE_BSP = 1 << 8, APIC_BASE_EXTD = 1 << 10, APIC_BASE_EN = 1 << 11;
/** Delivery modes (ICR, LVT, IOAPIC redirection entries). */
export const DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_NMI = 4, DM_INIT = 5, DM_STARTUP = 6, DM_EXTINT = 7;
const LVT_MASKED = 1 << 16, LVT_REMOTE_IRR = 1 << 14, LVT_LEVEL = 1 << 15, LVT_POLARITY_LOW = 1 << 13;
const SVR_ENABLE = 1 << 8;
/** ESR bits. */
export const ESR_SEND_ILLEGAL_VECTOR = 1 << 5, ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6, ESR_ILLEGAL_REGISTER = 1 << 7;
/** Version register: version 0x14 (integrated APIC), max LVT entry 5 (timer, thermal, perf, LINT0/1, error). */
export const APIC_VERSION_VALUE = 0x00050014;

const TIMER_PERIODIC = 1 << 17, TIMER_TSC_DEADLINE = 1 << 18, TIMER_MODE_MASK = 3 << 17;

/** What a local APIC sends to the rest of the system. */
export interface ApicBusPort {
  sendIpi(source: Lapic, icrLo: number, icrHi: number): void;
  /** EOI of a level-triggered vector (the IOAPIC clears Remote IRR). */
  eoiBroadcast(vector: number): void;
}

export interface LapicConfig {
  /** Initial APIC ID (bits 31:24 of the ID register). */
  apicId: number;
  bsp: boolean;
  /** Advertise TSC-deadline timer mode (CPUID.01H:ECX[24]). */
  tscDeadline?: boolean;
}

/** Highest set bit among the eight 32-bit words regs[base..base+7] as a vector, or -1. */
function highestVector(regs: Uint32Array, base: number): number {
  for (let i = 7; i >= 0; i--) {
    const w = regs[base + i];
    if (w) return i * 32 + 31 - Math.clz32(w);
  }
  return -1;
}

export class Lapic {
  static readonly STATE: StateLayout = {
    name: 'Lapic',
    scalars: ['apicBase', 'esrPending', 'timerLoadNs', 'timerRunning', 'tscDeadline', 'nmiPending', 'initPending',
      'sipiPending', 'sipiVector', 'smiPending', 'extIntPending', 'lintLevels'],
    arrays: ['regs'],
    config: ['timerId', 'supportsTscDeadline'],
  };

  readonly regs = new Uint32Array(64);
  /** IA32_APIC_BASE, low 32 bits (the high bits are 0: the base is below 4 GiB). */
  apicBase = 0;
  /** Errors detected since the last ESR write. */
  esrPending = 0;
  /** Virtual ns at which the current count was (re)loaded. */
  timerLoadNs = 0;
  timerRunning = 0;
  /** IA32_TSC_DEADLINE (as a number; 0 = disarmed). */
  tscDeadline = 0;
  nmiPending = 0;
  initPending = 0;
  sipiPending = 0;
  sipiVector = 0;
  smiPending = 0;
  /** An ExtINT message arrived (from the IOAPIC): the vector comes from the 8259A. */
  extIntPending = 0;
  /** Input levels of LINT0 (bit 0) and LINT1 (bit 1). */
  lintLevels = 0;
  readonly supportsTscDeadline: number;
  private readonly timerId: number;
  /** Set by the machine: where IPIs and EOI broadcasts go. */
  bus: ApicBusPort | null = null;

  constructor(private readonly clock: VirtualClock, config: LapicConfig) {
    this.supportsTscDeadline = config.tscDeadline ? 1 : 0;
    this.timerId = clock.timers.register(`lapic${config.apicId}`, () => this.timerFired());
    this.apicBase = APIC_DEFAULT_BASE | APIC_BASE_EN | (config.bsp ? APIC_BASE_BSP : 0);
    this.regs[APIC_ID] = (config.apicId & 0xff) << 24;
    this.resetRegisters();
    if (config.bsp) {
      // The state a PC BIOS leaves: virtual wire mode, so 8259A interrupts reach the BSP through LINT0.
      this.regs[APIC_LVT_LINT0] = DM_EXTINT << 8;
      this.regs[APIC_LVT_LINT1] = DM_NMI << 8;
    }
  }

  /** Power-up / INIT state of everything except the APIC ID and IA32_APIC_BASE (SDM 11.4.7.1). */
  resetRegisters(): void {
    const id = this.regs[APIC_ID];
    this.regs.fill(0);
    this.regs[APIC_ID] = id;
    this.regs[APIC_VERSION] = APIC_VERSION_VALUE;
    this.regs[APIC_DFR] = 0xffffffff;
    this.regs[APIC_SVR] = 0xff;
    for (let r = APIC_LVT_TIMER; r <= APIC_LVT_ERROR; r++) this.regs[r] = LVT_MASKED;
    this.esrPending = 0;
    this.timerRunning = 0;
    this.tscDeadline = 0;
    this.extIntPending = 0;
    this.clock.timers.cancel(this.timerId);
  }

  get hardwareEnabled(): boolean {
    return (this.apicBase & APIC_BASE_EN) !== 0;
  }
  get softwareEnabled(): boolean {
    return this.hardwareEnabled && (this.regs[APIC_SVR] & SVR_ENABLE) !== 0;
  }
  get id(): number {
    return this.regs[APIC_ID] >>> 24;
  }

  /** WRMSR IA32_APIC_BASE. Returns false for values the CPU must reject with #GP (x2APIC, reserved bits). */
  writeApicBase(lo: number, hi: number): boolean {
    if (hi !== 0 || lo & 0x000002ff || lo & APIC_BASE_EXTD) return false;
    const wasEnabled = this.hardwareEnabled;
    this.apicBase = ((lo & ~APIC_BASE_BSP) | (this.apicBase & APIC_BASE_BSP)) >>> 0;
    // Disabling returns the APIC to its power-up state (SDM 11.4.3); it stays there when re-enabled.
    if (wasEnabled && !this.hardwareEnabled) this.resetRegisters();
    return true;
  }

  // ---- interrupt acceptance and priority ----

  /** Processor priority (SDM 11.8.3.1). */
  ppr(): number {
    const tpr = this.regs[APIC_TPR] & 0xff;
    const isrv = Math.max(0, highestVector(this.regs, APIC_ISR));
    return (tpr >> 4) >= (isrv >> 4) ? tpr : isrv & 0xf0;
  }

  /** Highest vector in IRR, or -1. */
  highestIrr(): number {
    return highestVector(this.regs, APIC_IRR);
  }

  /** A fixed interrupt the CPU should take now (highest IRR above PPR). */
  hasInterrupt(): boolean {
    if (!this.softwareEnabled) return false;
    const v = this.highestIrr();
    return v >= 0 && (v >> 4) > (this.ppr() >> 4);
  }

  /** INTA: moves the highest IRR vector to ISR; the spurious vector if nothing is deliverable any more. */
  acknowledge(): number {
    const v = this.highestIrr();
    if (!this.softwareEnabled || v < 0 || (v >> 4) <= (this.ppr() >> 4)) return this.regs[APIC_SVR] & 0xff;
    this.regs[APIC_IRR + (v >> 5)] &= ~(1 << (v & 31));
    this.regs[APIC_ISR + (v >> 5)] |= 1 << (v & 31);
    return v;
  }

  private error(bit: number): void {
    const fresh = bit & ~this.esrPending;
    this.esrPending |= bit;
    if (fresh) {
      const lvt = this.regs[APIC_LVT_ERROR];
      if (!(lvt & LVT_MASKED)) this.setIrr(lvt & 0xff, false);
    }
  }

  private setIrr(vector: number, level: boolean): void {
    if (vector < 16) { this.error(ESR_RECEIVE_ILLEGAL_VECTOR); return; }
    const w = vector >> 5, bit = 1 << (vector & 31);
    this.regs[APIC_IRR + w] |= bit;
    if (level) this.regs[APIC_TMR + w] |= bit; else this.regs[APIC_TMR + w] &= ~bit;
  }

  /** An interrupt message for this APIC (from an IPI, the IOAPIC, or an LVT entry). */
  accept(deliveryMode: number, vector: number, level: boolean): void {
    if (!this.hardwareEnabled) return;
    switch (deliveryMode) {
      case DM_FIXED: case DM_LOWEST: this.setIrr(vector, level); break;
      case DM_NMI: this.nmiPending = 1; break;
      case DM_SMI: this.smiPending = 1; break;
      case DM_INIT: this.initPending = 1; break;
      case DM_STARTUP: this.sipiPending = 1; this.sipiVector = vector & 0xff; break;
      case DM_EXTINT: this.extIntPending = 1; break;
      default: break; // reserved modes are ignored
    }
  }

  private eoi(): void {
    const v = highestVector(this.regs, APIC_ISR);
    if (v < 0) return;
    const w = v >> 5, bit = 1 << (v & 31);
    this.regs[APIC_ISR + w] &= ~bit;
    if (this.regs[APIC_TMR + w] & bit) {
      for (const r of [APIC_LVT_LINT0, APIC_LVT_LINT1]) {
        if ((this.regs[r] & 0xff) === v) this.regs[r] &= ~LVT_REMOTE_IRR;
      }
      this.bus?.eoiBroadcast(v);
      this.reassertLint(); // a level LINT still asserted interrupts again
    }
  }

  // ---- local interrupt pins ----

  /** Drives LINT0 (pin 0) or LINT1 (pin 1). ExtINT on LINT0 is polled from the PIC instead (interrupts.ts). */
  setLint(pin: number, level: number): void {
    const bit = 1 << pin;
    const was = this.lintLevels & bit;
    if (level) this.lintLevels |= bit; else this.lintLevels &= ~bit;
    const lvt = this.regs[APIC_LVT_LINT0 + pin];
    const asserted = (level ? 1 : 0) ^ (lvt & LVT_POLARITY_LOW ? 1 : 0);
    const wasAsserted = (was ? 1 : 0) ^ (lvt & LVT_POLARITY_LOW ? 1 : 0);
    if (!this.hardwareEnabled || lvt & LVT_MASKED || !asserted) return;
    const mode = (lvt >> 8) & 7;
    if (mode === DM_FIXED && pin === 0 && lvt & LVT_LEVEL) return this.reassertLint();
    if (!wasAsserted) this.deliverLvt(lvt);
  }

  private reassertLint(): void {
    const lvt = this.regs[APIC_LVT_LINT0];
    const asserted = (this.lintLevels & 1) ^ (lvt & LVT_POLARITY_LOW ? 1 : 0);
    if (asserted && !(lvt & (LVT_MASKED | LVT_REMOTE_IRR)) && ((lvt >> 8) & 7) === DM_FIXED && lvt & LVT_LEVEL) {
      this.regs[APIC_LVT_LINT0] |= LVT_REMOTE_IRR;
      this.setIrr(lvt & 0xff, true);
    }
  }

  private deliverLvt(lvt: number): void {
    const mode = (lvt >> 8) & 7;
    if (mode === DM_EXTINT) return; // polled from the PIC
    this.accept(mode, lvt & 0xff, false);
  }

  // ---- timer ----

  private divisor(): number {
    const dcr = this.regs[APIC_TIMER_DCR];
    const v = ((dcr >> 1) & 4) | (dcr & 3);
    return v === 7 ? 1 : 2 << v;
  }

  private timerMode(): number {
    return this.regs[APIC_LVT_TIMER] & TIMER_MODE_MASK;
  }

  /** Current-count register value now. */
  currentCount(): number {
    const initial = this.regs[APIC_TIMER_ICR];
    if (!this.timerRunning || initial === 0 || this.timerMode() === TIMER_TSC_DEADLINE) return 0;
    const ticks = Math.floor((this.clock.nowNs - this.timerLoadNs) / this.divisor());
    if (this.timerMode() === TIMER_PERIODIC) return initial - (ticks % initial);
    return Math.max(0, initial - ticks);
  }

  private scheduleTimer(): void {
    const timers = this.clock.timers;
    if (this.timerMode() === TIMER_TSC_DEADLINE) {
      if (this.tscDeadline) timers.schedule(this.timerId, Math.max(this.clock.nsAtTsc(this.tscDeadline), this.clock.nowNs));
      else timers.cancel(this.timerId);
      return;
    }
    const initial = this.regs[APIC_TIMER_ICR];
    if (!this.timerRunning || initial === 0) { timers.cancel(this.timerId); return; }
    const period = initial * this.divisor();
    const elapsed = this.clock.nowNs - this.timerLoadNs;
    if (this.timerMode() === TIMER_PERIODIC) {
      timers.schedule(this.timerId, this.timerLoadNs + (Math.floor(elapsed / period) + 1) * period);
    } else if (elapsed < period) {
      timers.schedule(this.timerId, this.timerLoadNs + period);
    } else {
      timers.cancel(this.timerId);
    }
  }

  private timerFired(): void {
    const lvt = this.regs[APIC_LVT_TIMER];
    if (this.timerMode() === TIMER_TSC_DEADLINE) this.tscDeadline = 0;
    else if (this.timerMode() !== TIMER_PERIODIC) this.timerRunning = 0;
    if (!(lvt & LVT_MASKED) && this.hardwareEnabled) this.setIrr(lvt & 0xff, false);
    this.scheduleTimer();
  }

  /** WRMSR IA32_TSC_DEADLINE (0x6E0): ignored unless the timer is in TSC-deadline mode. */
  writeTscDeadline(lo: number, hi: number): void {
    if (!this.supportsTscDeadline || this.timerMode() !== TIMER_TSC_DEADLINE) return;
    this.tscDeadline = (hi >>> 0) * 2 ** 32 + (lo >>> 0);
    this.scheduleTimer();
  }
  /** RDMSR IA32_TSC_DEADLINE; reads 0 outside TSC-deadline mode. */
  readTscDeadline(): number {
    return this.timerMode() === TIMER_TSC_DEADLINE ? this.tscDeadline : 0;
  }

  // ---- register access (shared by xAPIC MMIO and, later, x2APIC MSRs) ----

  readRegister(index: number): number {
    const r = this.regs;
    switch (index) {
      case APIC_ID: case APIC_VERSION: case APIC_TPR: case APIC_LDR: case APIC_DFR: case APIC_SVR:
      case APIC_ESR: case APIC_ICR_LO: case APIC_ICR_HI: case APIC_TIMER_ICR: case APIC_TIMER_DCR:
        return r[index];
      case APIC_APR: case APIC_PPR: return this.ppr();
      case APIC_EOI: case APIC_RRD: return 0;
      case APIC_TIMER_CCR: return this.currentCount();
      default:
        if ((index >= APIC_ISR && index < APIC_ISR + 24) || (index >= APIC_LVT_TIMER && index <= APIC_LVT_ERROR)) return r[index];
        this.error(ESR_ILLEGAL_REGISTER);
        return 0;
    }
  }

  writeRegister(index: number, v: number): void {
    const r = this.regs;
    v >>>= 0;
    switch (index) {
      case APIC_ID: r[index] = v & 0xff000000; return;
      case APIC_TPR: r[index] = v & 0xff; return;
      case APIC_EOI: this.eoi(); return;
      case APIC_LDR: r[index] = v & 0xff000000; return;
      case APIC_DFR: r[index] = (v | 0x0fffffff) >>> 0; return;
      case APIC_SVR:
        r[index] = v & 0x3ff;
        if (!(v & SVR_ENABLE)) for (let i = APIC_LVT_TIMER; i <= APIC_LVT_ERROR; i++) r[i] |= LVT_MASKED;
        return;
      case APIC_ESR: r[index] = this.esrPending; this.esrPending = 0; return;
      case APIC_ICR_HI: r[index] = v & 0xff000000; return;
      case APIC_ICR_LO: {
        r[index] = v & 0x000ccfff; // delivery status (bit 12) reads 0: delivery is immediate
        const mode = (v >> 8) & 7;
        if ((mode === DM_FIXED || mode === DM_LOWEST) && (v & 0xff) < 16) { this.error(ESR_SEND_ILLEGAL_VECTOR); return; }
        this.bus?.sendIpi(this, r[APIC_ICR_LO], r[APIC_ICR_HI]);
        return;
      }
      case APIC_LVT_TIMER: {
        const oldMode = this.timerMode();
        this.writeLvt(index, v, 0x300ff | (this.supportsTscDeadline ? TIMER_TSC_DEADLINE : 0));
        const mode = this.timerMode();
        // Switching into or out of TSC-deadline mode disarms the timer.
        if ((oldMode === TIMER_TSC_DEADLINE) !== (mode === TIMER_TSC_DEADLINE)) { this.timerRunning = 0; this.tscDeadline = 0; }
        this.scheduleTimer();
        return;
      }
      case APIC_LVT_THERMAL: case APIC_LVT_PERF: this.writeLvt(index, v, 0x107ff); return;
      case APIC_LVT_LINT0: case APIC_LVT_LINT1: this.writeLvt(index, v, 0x1a7ff); this.reassertLint(); return;
      case APIC_LVT_ERROR: this.writeLvt(index, v, 0x100ff); return;
      case APIC_TIMER_ICR:
        if (this.timerMode() === TIMER_TSC_DEADLINE) return;
        r[index] = v;
        this.timerLoadNs = this.clock.nowNs;
        this.timerRunning = v !== 0 ? 1 : 0;
        this.scheduleTimer();
        return;
      case APIC_TIMER_DCR: {
        // Keep the count where it is; only the rate changes from now on.
        const ccr = this.currentCount();
        r[index] = v & 0xb;
        if (this.timerRunning && r[APIC_TIMER_ICR]) {
          this.timerLoadNs = this.clock.nowNs - (r[APIC_TIMER_ICR] - ccr) * this.divisor();
          this.scheduleTimer();
        }
        return;
      }
      default:
        // Read-only registers ignore writes; anything else is not a register.
        if (index === APIC_VERSION || index === APIC_PPR || index === APIC_APR || index === APIC_RRD || index === APIC_TIMER_CCR
          || (index >= APIC_ISR && index < APIC_ISR + 24)) return;
        this.error(ESR_ILLEGAL_REGISTER);
    }
  }

  private writeLvt(index: number, v: number, writable: number): void {
    const r = this.regs;
    let val = (r[index] & ~writable & (LVT_REMOTE_IRR | (1 << 12))) | (v & writable);
    if (!(r[APIC_SVR] & SVR_ENABLE)) val |= LVT_MASKED; // software-disabled: masks stay set
    r[index] = val >>> 0;
  }

  saveState(): Uint8Array {
    return saveFields(this, Lapic.STATE);
  }
  loadState(bytes: Uint8Array): void {
    loadFields(this, Lapic.STATE, bytes);
  }
}

/**
 * The xAPIC MMIO window (one physical range, one APIC per CPU): the machine
 * points `current` at the APIC of the CPU that is running.
 */
export class LapicMmio implements MmioHandler {
  constructor(public current: Lapic) {}

  read(offset: number, size: 1 | 2 | 4): number {
    if ((offset & 0xf) + size > 4) return 0; // bytes 4-15 of each 16-byte slot are reserved
    const v = this.current.readRegister((offset >> 4) & 0xff) >>> ((offset & 3) * 8);
    return size === 4 ? v : v & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4 || (offset & 0xf) !== 0) return; // only aligned 32-bit accesses are defined
    this.current.writeRegister((offset >> 4) & 0xff, value);
  }
}
