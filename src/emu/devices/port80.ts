/**
 * Port 0x80: the POST-code port. Linux writes it as an I/O delay
 * (native_io_delay: `outb %al, $0x80`) and never relies on reading it back;
 * a PC without a POST card floats the bus, so reads return all-ones, as QEMU
 * does. The last byte written is kept for the debugger (firmware progress).
 */
import type { IoDevice, IoSize } from './ioBus.ts';
import type { StateLayout } from '../clock/stateCodec.ts';
import { loadFields, saveFields } from '../clock/stateCodec.ts';

export class Port80 implements IoDevice {
  static readonly STATE: StateLayout = { name: 'Port80', scalars: ['lastCode', 'writes'], arrays: [] };
  lastCode = 0;
  /** Number of writes (each is an I/O delay or a POST code). */
  writes = 0;

  portRead(_port: number, size: IoSize): number {
    return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  }

  portWrite(_port: number, _size: IoSize, value: number): void {
    this.lastCode = value & 0xff;
    this.writes++;
  }

  saveState(): Uint8Array {
    return saveFields(this, Port80.STATE);
  }
  loadState(bytes: Uint8Array): void {
    loadFields(this, Port80.STATE, bytes);
  }
}
