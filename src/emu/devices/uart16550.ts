/**
 * 16550A UART (National Semiconductor PC16550D datasheet), the registers
 * Linux's 8250 driver uses: RBR/THR/DLL, IER/DLM, IIR/FCR, LCR, MCR, LSR, MSR, SCR.
 *
 * Transmission is instantaneous: a byte written to THR goes straight to the
 * sink (or, in loopback, into the receiver), so THR and the transmitter are
 * always empty again afterwards (LSR.THRE = LSR.TEMT = 1) and a THRE interrupt
 * is pending once more. There is no time base, so the FIFO "character
 * timeout" interrupt (IIR 0xC) is reported as soon as the RX FIFO holds fewer
 * bytes than the trigger level, instead of after four character times.
 *
 * The IRQ output is gated as on a PC: the line is only driven while MCR.OUT2
 * is set and loopback is off (in loopback the OUT2 pin is forced inactive).
 * All state is in a Uint8Array so a snapshot is a copy of it.
 */
import type { IoBus, IoDevice, IoSize } from './ioBus.ts';

export const COM1_PORT = 0x3f8;
export const COM1_IRQ = 4;

// Register offsets.
const RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

export const IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08;
export const IIR_NO_INT = 0x01, IIR_MSI = 0x00, IIR_THRI = 0x02, IIR_RDI = 0x04, IIR_RLSI = 0x06, IIR_CTI = 0x0c;
export const IIR_FIFO_ENABLED = 0xc0;
export const FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04;
export const LCR_DLAB = 0x80;
export const MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
export const LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40;
export const MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08;
export const MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;

const FIFO_SIZE = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14];

// Layout of the state array.
const S_IER = 0, S_LCR = 1, S_MCR = 2, S_LSR = 3, S_MSR = 4, S_SCR = 5, S_DLL = 6, S_DLM = 7,
  S_FCR = 8, S_THR_PENDING = 9, S_RX_HEAD = 10, S_RX_COUNT = 11, S_IRQ = 12, S_RX = 16;
const STATE_BYTES = S_RX + FIFO_SIZE;

export interface Uart16550Options {
  /** Receives every byte the guest transmits (not called in loopback mode). */
  onTransmit?: (byte: number) => void;
  /** Level of the interrupt output changed (true = asserted). */
  onIrq?: (level: boolean) => void;
}

export class Uart16550 implements IoDevice {
  readonly state = new Uint8Array(STATE_BYTES);
  private readonly onTransmit: (byte: number) => void;
  private readonly onIrq: (level: boolean) => void;

  constructor(opts: Uart16550Options = {}) {
    this.onTransmit = opts.onTransmit ?? (() => {});
    this.onIrq = opts.onIrq ?? (() => {});
    this.reset();
  }

  attach(io: IoBus, base = COM1_PORT): void {
    io.register(base, 8, this);
  }

  /** Master reset: all registers to their datasheet reset values. */
  reset(): void {
    this.state.fill(0);
    this.state[S_LSR] = LSR_THRE | LSR_TEMT;
    this.state[S_DLL] = 12; // 9600 baud from 1.8432 MHz, what firmware leaves behind
    this.updateIrq();
  }

  /** Host side: a byte arrives on the RX line. Returns false if it was lost (overrun). */
  receive(byte: number): boolean {
    if (this.state[S_MCR] & MCR_LOOP) return false; // the RX pin is disconnected in loopback
    return this.pushRx(byte & 0xff);
  }

  /** Bytes waiting in the receiver (FIFO or holding register). */
  get rxCount(): number {
    return this.state[S_RX_COUNT];
  }

  /** Current level of the interrupt output after OUT2 gating. */
  get irqLevel(): boolean {
    return this.state[S_IRQ] !== 0;
  }

  portRead(port: number, _size: IoSize): number {
    const s = this.state;
    switch (port & 7) {
      case RBR_THR:
        if (s[S_LCR] & LCR_DLAB) return s[S_DLL];
        return this.popRx();
      case IER:
        return s[S_LCR] & LCR_DLAB ? s[S_DLM] : s[S_IER];
      case IIR_FCR: {
        const iir = this.iir();
        // Reading IIR acknowledges a THRE interrupt when it is the one reported.
        if ((iir & 0x0f) === IIR_THRI) { s[S_THR_PENDING] = 0; this.updateIrq(); }
        return iir;
      }
      case LCR:
        return s[S_LCR];
      case MCR:
        return s[S_MCR];
      case LSR: {
        const v = s[S_LSR];
        s[S_LSR] &= ~(LSR_OE | LSR_PE | LSR_FE | LSR_BI); // error bits clear on read
        this.updateIrq();
        return v;
      }
      case MSR: {
        const v = this.msr();
        s[S_MSR] &= ~(MSR_DCTS | MSR_DDSR | MSR_TERI | MSR_DDCD);
        this.updateIrq();
        return v;
      }
      default:
        return s[S_SCR];
    }
  }

  portWrite(port: number, _size: IoSize, value: number): void {
    const s = this.state;
    const v = value & 0xff;
    switch (port & 7) {
      case RBR_THR:
        if (s[S_LCR] & LCR_DLAB) { s[S_DLL] = v; return; }
        this.transmit(v);
        return;
      case IER: {
        if (s[S_LCR] & LCR_DLAB) { s[S_DLM] = v; return; }
        const old = s[S_IER];
        s[S_IER] = v & 0x0f;
        // Enabling ETBEI while THR is empty raises a THRE interrupt at once (datasheet
        // Table IV; Linux's UART_BUG_THRE probe relies on it).
        if ((v & IER_ETBEI) && !(old & IER_ETBEI)) s[S_THR_PENDING] = 1;
        this.updateIrq();
        return;
      }
      case IIR_FCR:
        this.writeFcr(v);
        return;
      case LCR:
        s[S_LCR] = v;
        return;
      case MCR:
        this.writeMcr(v & 0x1f);
        return;
      case LSR:
      case MSR:
        return; // read-only (factory test registers)
      default:
        s[S_SCR] = v;
    }
  }

  private transmit(byte: number): void {
    const s = this.state;
    if (s[S_MCR] & MCR_LOOP) this.pushRx(byte);
    else this.onTransmit(byte);
    // The shift register empties at once: THR empty again, THRE interrupt pending.
    s[S_LSR] |= LSR_THRE | LSR_TEMT;
    s[S_THR_PENDING] = 1;
    this.updateIrq();
  }

  private writeFcr(v: number): void {
    const s = this.state;
    const wasEnabled = s[S_FCR] & FCR_ENABLE;
    // Toggling the FIFO enable bit resets both FIFOs (datasheet, FCR bit 0).
    if ((v & FCR_CLEAR_RX) || (v & FCR_ENABLE) !== wasEnabled) this.clearRx();
    s[S_FCR] = v & 0xc9; // enable, DMA mode, trigger level; clear bits self-reset
    this.updateIrq();
  }

  private writeMcr(v: number): void {
    const s = this.state;
    const before = this.msr() & 0xf0;
    s[S_MCR] = v;
    const after = this.msr() & 0xf0;
    // In loopback the modem inputs follow MCR, and their changes set the delta bits.
    const changed = before ^ after;
    let delta = 0;
    if (changed & MSR_CTS) delta |= MSR_DCTS;
    if (changed & MSR_DSR) delta |= MSR_DDSR;
    if (changed & MSR_DCD) delta |= MSR_DDCD;
    if ((before & MSR_RI) && !(after & MSR_RI)) delta |= MSR_TERI; // trailing edge only
    s[S_MSR] |= delta;
    this.updateIrq();
  }

  /** MSR value: delta bits from state; input bits from MCR in loopback, else a connected
   *  null-modem host (CTS, DSR, DCD asserted; no RING). */
  private msr(): number {
    const s = this.state;
    const mcr = s[S_MCR];
    let lines: number;
    if (mcr & MCR_LOOP) {
      lines = (mcr & MCR_RTS ? MSR_CTS : 0) | (mcr & MCR_DTR ? MSR_DSR : 0) |
        (mcr & MCR_OUT1 ? MSR_RI : 0) | (mcr & MCR_OUT2 ? MSR_DCD : 0);
    } else {
      lines = MSR_CTS | MSR_DSR | MSR_DCD;
    }
    return (s[S_MSR] & 0x0f) | lines;
  }

  private fifoEnabled(): boolean {
    return (this.state[S_FCR] & FCR_ENABLE) !== 0;
  }

  private pushRx(byte: number): boolean {
    const s = this.state;
    const cap = this.fifoEnabled() ? FIFO_SIZE : 1;
    if (s[S_RX_COUNT] >= cap) {
      s[S_LSR] |= LSR_OE;
      // Without a FIFO the new character overwrites the holding register; with a full
      // FIFO it overwrites the shift register and is lost.
      if (cap === 1) s[S_RX + s[S_RX_HEAD]] = byte;
      this.updateIrq();
      return false;
    }
    s[S_RX + ((s[S_RX_HEAD] + s[S_RX_COUNT]) % FIFO_SIZE)] = byte;
    s[S_RX_COUNT]++;
    s[S_LSR] |= LSR_DR;
    this.updateIrq();
    return true;
  }

  private popRx(): number {
    const s = this.state;
    if (s[S_RX_COUNT] === 0) return s[S_RX + s[S_RX_HEAD]]; // stale byte, as hardware
    const byte = s[S_RX + s[S_RX_HEAD]];
    s[S_RX_HEAD] = (s[S_RX_HEAD] + 1) % FIFO_SIZE;
    if (--s[S_RX_COUNT] === 0) s[S_LSR] &= ~LSR_DR;
    this.updateIrq();
    return byte;
  }

  private clearRx(): void {
    const s = this.state;
    s[S_RX_HEAD] = 0;
    s[S_RX_COUNT] = 0;
    s[S_LSR] &= ~LSR_DR;
  }

  /**
   * Snapshot: the register array as is. The saved IRQ level is taken back
   * without signalling it, since the interrupt controller restores its own
   * view of the line from its own state.
   */
  saveState(): Uint8Array {
    return this.state.slice();
  }

  loadState(bytes: Uint8Array): void {
    if (bytes.length !== STATE_BYTES) {
      throw new Error(`Uart16550: snapshot state is ${bytes.length} bytes, this version expects ${STATE_BYTES}`);
    }
    this.state.set(bytes);
  }

  /** IIR in the datasheet's priority order: line status, RX data, timeout, THRE, modem. */
  private iir(): number {
    const s = this.state;
    const ier = s[S_IER];
    const fifo = this.fifoEnabled() ? IIR_FIFO_ENABLED : 0;
    if ((ier & IER_ELSI) && (s[S_LSR] & (LSR_OE | LSR_PE | LSR_FE | LSR_BI))) return fifo | IIR_RLSI;
    if ((ier & IER_ERBFI) && s[S_RX_COUNT] > 0) {
      if (!fifo) return IIR_RDI;
      const trigger = TRIGGER_LEVELS[s[S_FCR] >> 6];
      return fifo | (s[S_RX_COUNT] >= trigger ? IIR_RDI : IIR_CTI);
    }
    if ((ier & IER_ETBEI) && s[S_THR_PENDING]) return fifo | IIR_THRI;
    if ((ier & IER_EDSSI) && (s[S_MSR] & 0x0f)) return fifo | IIR_MSI;
    return fifo | IIR_NO_INT;
  }

  private updateIrq(): void {
    const s = this.state;
    const mcr = s[S_MCR];
    const level = (this.iir() & IIR_NO_INT) === 0 && (mcr & MCR_OUT2) !== 0 && (mcr & MCR_LOOP) === 0 ? 1 : 0;
    if (level !== s[S_IRQ]) {
      s[S_IRQ] = level;
      this.onIrq(level === 1);
    }
  }
}
