/**
 * Intel 8042 keyboard controller (data 0x60, status/command 0x64) with an AT
 * keyboard behind it and an empty auxiliary (PS/2 mouse) port. Enough for
 * Linux's i8042 and atkbd probes and for the two classic reset paths: command
 * 0xFE (pulse the reset line) and 0xD1 with output-port bit 0 clear.
 *
 * Bytes for the host travel through one FIFO tagged by source; the output
 * buffer takes the next one whenever it is empty (keyboard bytes wait while
 * the keyboard interface is disabled). IRQ1 / IRQ12 follow "output buffer full
 * with keyboard / aux data" gated by the command byte's interrupt enables.
 */
import type { IoDevice, IoSize } from './ioBus.ts';
import type { IrqSink } from './interrupts.ts';
import type { StateLayout } from '../clock/stateCodec.ts';
import { loadFields, saveFields } from '../clock/stateCodec.ts';

export const STR_OBF = 0x01, STR_IBF = 0x02, STR_SYS = 0x04, STR_CMD = 0x08, STR_KEYLOCK = 0x10,
  STR_AUXDATA = 0x20, STR_TIMEOUT = 0x40;
export const CTR_KBDINT = 0x01, CTR_AUXINT = 0x02, CTR_SYS = 0x04, CTR_KBDDIS = 0x10, CTR_AUXDIS = 0x20,
  CTR_XLATE = 0x40;
const OUT_RESET = 0x01, OUT_A20 = 0x02, OUT_KBD_OBF = 0x10, OUT_AUX_OBF = 0x20;

/**
 * FIFO sources. Only bytes from the devices themselves wait for a disabled
 * interface; controller replies and the 0xD2/0xD3 loopbacks are internal.
 */
const SRC_CTL = 0, SRC_KBD = 1, SRC_AUX = 2, SRC_AUX_TIMEOUT = 3, SRC_AUX_LOOP = 4;
const QUEUE_SIZE = 64;

export interface I8042Hooks {
  /** The CPU reset line was pulsed (system reset). */
  reset(): void;
  /** Output-port bit 1 (A20 gate) changed. */
  setA20(enabled: boolean): void;
}

export class I8042 implements IoDevice {
  static readonly STATE: StateLayout = {
    name: 'I8042',
    scalars: ['status', 'outByte', 'outSrc', 'qHead', 'qCount', 'pendingCommand', 'outputPort', 'irq1', 'irq12',
      'kbdPendingCmd', 'kbdScanning', 'kbdScanSet'],
    arrays: ['ram', 'qBytes', 'qSrc'],
    config: ['kbdIrqLine', 'auxIrqLine'],
  };

  /** Controller RAM; byte 0 is the command byte (CTR). */
  readonly ram = new Uint8Array(32);
  readonly qBytes = new Uint8Array(QUEUE_SIZE);
  readonly qSrc = new Uint8Array(QUEUE_SIZE);
  qHead = 0;
  qCount = 0;
  status = 0;
  outByte = 0;
  outSrc = 0;
  /** Controller command waiting for its data byte on port 0x60, or 0. */
  pendingCommand = 0;
  outputPort = 0;
  irq1 = 0;
  irq12 = 0;
  /** Keyboard command waiting for its parameter byte, or 0. */
  kbdPendingCmd = 0;
  kbdScanning = 1;
  kbdScanSet = 2;

  constructor(private readonly irq: IrqSink, private readonly hooks: I8042Hooks,
    readonly kbdIrqLine = 1, readonly auxIrqLine = 12) {
    this.reset();
  }

  /** Power-on state as a PC BIOS leaves it: translation on, keyboard interrupt on, aux disabled. */
  reset(): void {
    this.ram.fill(0);
    this.ram[0] = CTR_KBDINT | CTR_SYS | CTR_AUXDIS | CTR_XLATE;
    this.status = STR_SYS | STR_KEYLOCK;
    this.qHead = this.qCount = 0;
    this.outByte = this.outSrc = 0;
    this.pendingCommand = 0;
    this.outputPort = OUT_RESET | OUT_A20;
    this.kbdPendingCmd = 0;
    this.kbdScanning = 1;
    this.kbdScanSet = 2;
    this.updateIrq();
  }

  get a20(): boolean {
    return (this.outputPort & OUT_A20) !== 0;
  }

  /** Scan-code bytes from the host keyboard (set 1 when the controller translates, else set 2). */
  keyboardInput(byte: number): void {
    if (this.kbdScanning) this.enqueue(byte, SRC_KBD);
  }

  private enqueue(byte: number, src: number): void {
    if (this.qCount === QUEUE_SIZE) return; // the device's own buffer overflows: drop
    const i = (this.qHead + this.qCount) % QUEUE_SIZE;
    this.qBytes[i] = byte & 0xff;
    this.qSrc[i] = src;
    this.qCount++;
    this.refill();
  }

  /** Moves the next deliverable byte into the output buffer if it is empty. */
  private refill(): void {
    if (!(this.status & STR_OBF) && this.qCount) {
      const src = this.qSrc[this.qHead];
      const ctr = this.ram[0];
      const inhibited = (src === SRC_KBD && ctr & CTR_KBDDIS) || (src === SRC_AUX && ctr & CTR_AUXDIS);
      if (!inhibited) {
        this.outByte = this.qBytes[this.qHead];
        this.outSrc = src;
        this.qHead = (this.qHead + 1) % QUEUE_SIZE;
        this.qCount--;
        const aux = src >= SRC_AUX;
        this.status = (this.status & ~(STR_AUXDATA | STR_TIMEOUT)) | STR_OBF
          | (aux ? STR_AUXDATA : 0) | (src === SRC_AUX_TIMEOUT ? STR_TIMEOUT : 0);
      }
    }
    this.updateIrq();
  }

  private updateIrq(): void {
    const full = this.status & STR_OBF;
    const aux = this.status & STR_AUXDATA;
    const ctr = this.ram[0];
    const l1 = full && !aux && ctr & CTR_KBDINT ? 1 : 0;
    const l12 = full && aux && ctr & CTR_AUXINT ? 1 : 0;
    if (l1 !== this.irq1) { this.irq1 = l1; this.irq.setIrq(this.kbdIrqLine, l1); }
    if (l12 !== this.irq12) { this.irq12 = l12; this.irq.setIrq(this.auxIrqLine, l12); }
  }

  portRead(port: number, size: IoSize): number {
    let v = 0xff;
    if (port === 0x64) {
      v = this.status;
    } else if (port === 0x60) {
      v = this.outByte;
      if (this.status & STR_OBF) {
        this.status &= ~(STR_OBF | STR_AUXDATA | STR_TIMEOUT);
        this.refill();
      }
    }
    if (size === 1) return v;
    return size === 2 ? v | 0xff00 : (v | 0xffffff00) >>> 0;
  }

  portWrite(port: number, _size: IoSize, value: number): void {
    const v = value & 0xff;
    if (port === 0x64) {
      this.status |= STR_CMD;
      this.command(v);
    } else if (port === 0x60) {
      this.status &= ~STR_CMD;
      this.data(v);
    }
  }

  private reply(v: number): void {
    this.enqueue(v, SRC_CTL);
  }

  private command(cmd: number): void {
    this.pendingCommand = 0;
    if (cmd >= 0x20 && cmd <= 0x3f) return this.reply(this.ram[cmd & 0x1f]); // 0x20: read CTR
    if (cmd >= 0x60 && cmd <= 0x7f) { this.pendingCommand = cmd; return; } // 0x60: write CTR
    if (cmd >= 0xf0) { // pulse output-port bits 3:0 that are 0 in the command
      if (!(cmd & 1)) this.hooks.reset();
      return;
    }
    switch (cmd) {
      case 0xa7: this.setCtr(this.ram[0] | CTR_AUXDIS); break;
      case 0xa8: this.setCtr(this.ram[0] & ~CTR_AUXDIS); break;
      case 0xa9: this.reply(0x00); break; // aux interface test: no error
      case 0xaa: this.reply(0x55); break; // controller self-test passed
      case 0xab: this.reply(0x00); break; // keyboard interface test: no error
      case 0xad: this.setCtr(this.ram[0] | CTR_KBDDIS); break;
      case 0xae: this.setCtr(this.ram[0] & ~CTR_KBDDIS); break;
      case 0xc0: this.reply(0x00); break; // input port
      case 0xd0: {
        const obf = this.status & STR_OBF ? (this.status & STR_AUXDATA ? OUT_AUX_OBF : OUT_KBD_OBF) : 0;
        this.reply((this.outputPort & ~(OUT_KBD_OBF | OUT_AUX_OBF)) | obf);
        break;
      }
      case 0xd1: case 0xd2: case 0xd3: case 0xd4: this.pendingCommand = cmd; break;
      case 0xdd: this.writeOutputPort(this.outputPort & ~OUT_A20); break;
      case 0xdf: this.writeOutputPort(this.outputPort | OUT_A20); break;
      default: break; // unknown commands are ignored
    }
  }

  private setCtr(v: number): void {
    this.ram[0] = v;
    this.status = (this.status & ~STR_SYS) | (v & CTR_SYS ? STR_SYS : 0);
    this.refill(); // enabling a port may release a queued byte; interrupt enables may change
  }

  private writeOutputPort(v: number): void {
    const old = this.outputPort;
    this.outputPort = v | OUT_RESET; // the reset line is a pulse, not a latch
    if ((old ^ v) & OUT_A20) this.hooks.setA20((v & OUT_A20) !== 0);
    if (!(v & OUT_RESET)) this.hooks.reset();
  }

  private data(v: number): void {
    const cmd = this.pendingCommand;
    this.pendingCommand = 0;
    if (cmd >= 0x60 && cmd <= 0x7f) {
      if (cmd === 0x60) this.setCtr(v);
      else this.ram[cmd & 0x1f] = v;
      return;
    }
    switch (cmd) {
      case 0xd1: this.writeOutputPort(v); return;
      case 0xd2: this.enqueue(v, SRC_CTL); return; // as if from the keyboard
      case 0xd3: this.enqueue(v, SRC_AUX_LOOP); return; // as if from the aux device (Linux's AUX probe)
      case 0xd4: // to the aux device: nothing is plugged in, so the controller times out
        this.setCtr(this.ram[0] & ~CTR_AUXDIS);
        this.enqueue(0xfe, SRC_AUX_TIMEOUT);
        return;
      default:
        // Sending to the keyboard re-enables its interface.
        this.setCtr(this.ram[0] & ~CTR_KBDDIS);
        this.keyboardCommand(v);
    }
  }

  private kbd(...bytes: number[]): void {
    for (const b of bytes) this.enqueue(b, SRC_KBD);
  }

  /** The AT keyboard's side of the protocol. */
  private keyboardCommand(v: number): void {
    const pending = this.kbdPendingCmd;
    if (pending) {
      this.kbdPendingCmd = 0;
      if (pending === 0xf0 && v === 0) {
        const xl = this.ram[0] & CTR_XLATE;
        const translated = [0, 0x43, 0x41, 0x3f][this.kbdScanSet];
        return this.kbd(0xfa, xl ? translated : this.kbdScanSet);
      }
      if (pending === 0xf0 && v >= 1 && v <= 3) this.kbdScanSet = v;
      return this.kbd(0xfa);
    }
    switch (v) {
      case 0xff: // reset: ACK, then basic assurance test passed
        this.kbdScanning = 1;
        this.kbdScanSet = 2;
        return this.kbd(0xfa, 0xaa);
      case 0xf2: // identify: MF2 keyboard, 0x83 appears as 0x41 through translation
        return this.kbd(0xfa, 0xab, this.ram[0] & CTR_XLATE ? 0x41 : 0x83);
      case 0xee: return this.kbd(0xee); // echo
      case 0xed: case 0xf3: case 0xf0: // LEDs, typematic, scan-code set: a parameter follows
        this.kbdPendingCmd = v;
        return this.kbd(0xfa);
      case 0xf4: this.kbdScanning = 1; return this.kbd(0xfa);
      case 0xf5: this.kbdScanning = 0; return this.kbd(0xfa);
      case 0xf6: this.kbdScanning = 1; return this.kbd(0xfa);
      default:
        if (v >= 0xf7) return this.kbd(0xfa); // set-3 key types, resend: accept
        return this.kbd(0xfe); // not a command: resend
    }
  }

  saveState(): Uint8Array {
    return saveFields(this, I8042.STATE);
  }
  loadState(bytes: Uint8Array): void {
    loadFields(this, I8042.STATE, bytes);
  }
}
