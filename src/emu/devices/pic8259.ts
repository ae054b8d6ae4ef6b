/**
 * Intel 8259A programmable interrupt controller, the PC/AT master/slave pair:
 * master at 0x20/0x21 (IRQ0-7), slave at 0xA0/0xA1 (IRQ8-15) cascaded on the
 * master's IR2, and the PIIX edge/level control registers (ELCR) at
 * 0x4D0/0x4D1. Register semantics follow the 8259A datasheet (ICW1-4,
 * OCW1-3); lines left unmasked and unacknowledged stay in IRR.
 */
import type { IoDevice, IoSize } from './ioBus.ts';
import type { StateLayout } from '../clock/stateCodec.ts';
import { loadFields, saveFields } from '../clock/stateCodec.ts';

/** One 8259A. All state is numeric; bit n of a mask is IRn. */
export class Pic8259Chip {
  static readonly STATE: StateLayout = {
    name: 'Pic8259Chip',
    scalars: ['irr', 'isr', 'imr', 'lines', 'elcr', 'priorityAdd', 'vectorBase', 'initStep', 'icw4Needed',
      'single', 'levelTriggered', 'autoEoi', 'rotateOnAutoEoi', 'specialFullyNested', 'specialMask',
      'readIsr', 'pollPending'],
    arrays: [],
    config: ['elcrMask', 'isMaster'],
  };

  irr = 0;
  isr = 0;
  imr = 0;
  /** Current input levels (for edge detection). */
  lines = 0;
  /** Per-line level-trigger select (PIIX ELCR). */
  elcr = 0;
  /** IR with lowest priority is (priorityAdd + 7) & 7; rotation moves it. */
  priorityAdd = 0;
  vectorBase = 0;
  /** 0 = operational; 1, 2, 3 = expecting ICW2, ICW3, ICW4. */
  initStep = 0;
  icw4Needed = 0;
  single = 0;
  /** ICW1.LTIM: all lines level-triggered. */
  levelTriggered = 0;
  autoEoi = 0;
  rotateOnAutoEoi = 0;
  specialFullyNested = 0;
  specialMask = 0;
  /** OCW3 RR/RIS: 1 = a read of the command port returns ISR, 0 = IRR. */
  readIsr = 0;
  pollPending = 0;

  constructor(readonly isMaster: number, readonly elcrMask: number) {}

  private levelMask(): number {
    return this.levelTriggered ? 0xff : this.elcr;
  }

  setLine(ir: number, level: number): void {
    const bit = 1 << ir;
    if (this.levelMask() & bit) {
      if (level) this.irr |= bit; else this.irr &= ~bit;
    } else if (level && !(this.lines & bit)) {
      this.irr |= bit; // rising edge; IRR holds it until INTA
    }
    if (level) this.lines |= bit; else this.lines &= ~bit;
  }

  /** 0..7 position in the rotating priority order of the highest set bit, or 8. */
  private priority(mask: number): number {
    if (mask === 0) return 8;
    let p = 0;
    while (!(mask & (1 << ((p + this.priorityAdd) & 7)))) p++;
    return p;
  }

  /** IR the chip would present at INTA now, or -1. */
  pending(): number {
    const p = this.priority(this.irr & ~this.imr);
    if (p === 8) return -1;
    let inService = this.isr;
    if (this.specialMask) inService &= ~this.imr; // SMM: masked in-service levels do not block
    // Special fully nested: the slave may interrupt again while IR2 is in service.
    if (this.specialFullyNested && this.isMaster) inService &= ~(1 << 2);
    return p < this.priority(inService) ? (p + this.priorityAdd) & 7 : -1;
  }

  /** INTA for `ir`: in-service bit, edge-triggered IRR bit cleared. */
  acknowledgeIr(ir: number): void {
    const bit = 1 << ir;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.priorityAdd = (ir + 1) & 7;
    } else {
      this.isr |= bit;
    }
    if (!(this.levelMask() & bit)) this.irr &= ~bit;
  }

  writeCommand(v: number): void {
    if (v & 0x10) return this.icw1(v);
    if (v & 0x08) {
      // OCW3
      if (v & 0x04) this.pollPending = 1;
      if (v & 0x02) this.readIsr = v & 1;
      if (v & 0x40) this.specialMask = (v >> 5) & 1;
      return;
    }
    // OCW2: R SL EOI in bits 7:5, level in 2:0
    const level = v & 7;
    switch (v >> 5) {
      case 0: this.rotateOnAutoEoi = 0; break; // clear rotate in AEOI mode
      case 4: this.rotateOnAutoEoi = 1; break; // set rotate in AEOI mode
      case 1: case 5: { // non-specific EOI (5: and rotate)
        const p = this.priority(this.isr);
        if (p === 8) break;
        const ir = (p + this.priorityAdd) & 7;
        this.isr &= ~(1 << ir);
        if (v >> 5 === 5) this.priorityAdd = (ir + 1) & 7;
        break;
      }
      case 3: this.isr &= ~(1 << level); break; // specific EOI
      case 7: this.isr &= ~(1 << level); this.priorityAdd = (level + 1) & 7; break; // rotate on specific EOI
      case 6: this.priorityAdd = (level + 1) & 7; break; // set priority: `level` becomes lowest
      default: break; // 2: no operation
    }
  }

  private icw1(v: number): void {
    // Datasheet: IMR cleared, IR7 lowest priority, special mask off, status read = IRR,
    // edge sense reset (a line already high must go low and high again).
    this.imr = 0;
    this.isr = 0;
    this.priorityAdd = 0;
    this.specialMask = 0;
    this.readIsr = 0;
    this.pollPending = 0;
    this.icw4Needed = v & 1;
    this.single = (v >> 1) & 1;
    this.levelTriggered = (v >> 3) & 1;
    // ICW4 functions are cleared when IC4 = 0 and re-set by ICW4 otherwise.
    this.autoEoi = 0;
    this.rotateOnAutoEoi = 0;
    this.specialFullyNested = 0;
    this.irr = this.lines & this.levelMask();
    this.initStep = 1;
  }

  writeData(v: number): void {
    switch (this.initStep) {
      case 0: this.imr = v; return; // OCW1
      case 1: // ICW2: T7-T3 of the vector
        this.vectorBase = v & 0xf8;
        this.initStep = this.single ? (this.icw4Needed ? 3 : 0) : 2;
        return;
      case 2: // ICW3: cascade wiring is fixed on a PC
        this.initStep = this.icw4Needed ? 3 : 0;
        return;
      default: // ICW4: uPM (bit 0) must be 1 on x86; BUF/M-S do not matter here
        this.autoEoi = (v >> 1) & 1;
        this.specialFullyNested = (v >> 4) & 1;
        this.initStep = 0;
    }
  }

  /** Poll command read: 0x80 | IR if an interrupt was pending (and is now in service), else 0. */
  pollRead(): number {
    this.pollPending = 0;
    const ir = this.pending();
    if (ir < 0) return 0;
    this.acknowledgeIr(ir);
    return 0x80 | ir;
  }

  readCommand(): number {
    if (this.pollPending) return this.pollRead();
    return this.readIsr ? this.isr : this.irr;
  }

  readData(): number {
    if (this.pollPending) return this.pollRead();
    return this.imr;
  }
}

/** The PC/AT pair. `setIrq(0..15)` drives the inputs; the CPU side polls hasInterrupt/acknowledge. */
export class Pic8259 implements IoDevice {
  readonly master = new Pic8259Chip(1, 0xf8); // PIIX: IRQ0-2 are always edge
  readonly slave = new Pic8259Chip(0, 0xde); // PIIX: IRQ8 and IRQ13 are always edge

  setIrq(irq: number, level: number): void {
    if (irq < 8) this.master.setLine(irq, level);
    else this.slave.setLine(irq - 8, level);
    this.cascade();
  }

  /**
   * Master INTR output, recomputed after every state change so that the
   * per-instruction poll is one field read. Derived, so not saved.
   */
  private intr = false;

  /** The slave's INT output feeds master IR2; then the master's INTR is re-evaluated. */
  private cascade(): void {
    this.master.setLine(2, this.slave.pending() >= 0 ? 1 : 0);
    this.intr = this.master.pending() >= 0;
  }

  /** INTR output of the master, as the CPU's INTR pin (or LAPIC LINT0) sees it. */
  hasInterrupt(): boolean {
    return this.intr;
  }

  /**
   * The INTA cycle: returns the vector and updates ISR/IRR. With nothing
   * pending (the request went away before INTA) the 8259A answers with IR7 of
   * the chip concerned and sets no in-service bit: the spurious IRQ7/IRQ15.
   */
  acknowledge(): number {
    const m = this.master;
    const ir = m.pending();
    let vector: number;
    if (ir < 0) {
      vector = m.vectorBase | 7;
    } else if (ir === 2 && !m.single) {
      m.acknowledgeIr(2);
      const s = this.slave;
      const sir = s.pending();
      if (sir < 0) {
        vector = s.vectorBase | 7; // spurious IRQ15: master IR2 stays in service
      } else {
        s.acknowledgeIr(sir);
        vector = s.vectorBase | sir;
      }
    } else {
      m.acknowledgeIr(ir);
      vector = m.vectorBase | ir;
    }
    this.cascade();
    return vector;
  }

  portRead(port: number, size: IoSize): number {
    let v: number;
    switch (port) {
      case 0x20: v = this.master.readCommand(); break;
      case 0x21: v = this.master.readData(); break;
      case 0xa0: v = this.slave.readCommand(); break;
      case 0xa1: v = this.slave.readData(); break;
      case 0x4d0: v = this.master.elcr; break;
      case 0x4d1: v = this.slave.elcr; break;
      default: return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
    }
    this.cascade();
    // Wider reads of the ELCR pair return both bytes; elsewhere the bus repeats the byte.
    if (size === 1) return v;
    if (port === 0x4d0) return this.master.elcr | (this.slave.elcr << 8) | (size === 4 ? 0xffff0000 : 0);
    return size === 2 ? v | 0xff00 : (v | 0xffffff00) >>> 0;
  }

  portWrite(port: number, size: IoSize, value: number): void {
    const v = value & 0xff;
    switch (port) {
      case 0x20: this.master.writeCommand(v); break;
      case 0x21: this.master.writeData(v); break;
      case 0xa0: this.slave.writeCommand(v); break;
      case 0xa1: this.slave.writeData(v); break;
      case 0x4d0:
        this.setElcr(this.master, v);
        if (size >= 2) this.setElcr(this.slave, (value >> 8) & 0xff);
        break;
      case 0x4d1: this.setElcr(this.slave, v); break;
      default: return;
    }
    this.cascade();
  }

  private setElcr(chip: Pic8259Chip, v: number): void {
    chip.elcr = v & chip.elcrMask;
    // A line switched to level mode reflects its current input level.
    chip.irr = (chip.irr & ~chip.elcr) | (chip.lines & chip.elcr);
  }

  saveState(): Uint8Array {
    const a = saveFields(this.master, Pic8259Chip.STATE);
    const b = saveFields(this.slave, Pic8259Chip.STATE);
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }

  loadState(bytes: Uint8Array): void {
    const half = bytes.length / 2;
    loadFields(this.master, Pic8259Chip.STATE, bytes.subarray(0, half));
    loadFields(this.slave, Pic8259Chip.STATE, bytes.subarray(half));
    this.cascade();
  }
}
