/**
 * QEMU's isa-debug-exit device: a write of v to its port ends the run with
 * exit status (v << 1) | 1, so a guest can never report plain 0 (which QEMU
 * itself uses for "powered off normally"). QEMU reacts to a write of any
 * width; the value is zero-extended. Reads return 0, as in QEMU.
 */
import type { IoBus, IoDevice, IoSize } from './ioBus.ts';

export const DEBUG_EXIT_PORT = 0xf4;
export const DEBUG_EXIT_PORT_COUNT = 4;

export class DebugExit implements IoDevice {
  /** Last exit status requested by the guest, or undefined. */
  status: number | undefined = undefined;

  /** `onExit` receives the full status (v << 1) | 1 as an unsigned 32-bit number. */
  constructor(private readonly onExit: (status: number) => void) {}

  attach(io: IoBus, port = DEBUG_EXIT_PORT): void {
    io.register(port, DEBUG_EXIT_PORT_COUNT, this);
  }

  /** Snapshot: one flag byte (status present) and the status, little-endian. */
  saveState(): Uint8Array {
    const out = new Uint8Array(5);
    if (this.status !== undefined) {
      out[0] = 1;
      new DataView(out.buffer).setUint32(1, this.status, true);
    }
    return out;
  }

  loadState(bytes: Uint8Array): void {
    if (bytes.length !== 5 || bytes[0] > 1) throw new Error(`DebugExit: snapshot state is not the 5-byte form this version writes`);
    this.status = bytes[0] === 1 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(1, true) : undefined;
  }

  portRead(_port: number, _size: IoSize): number {
    return 0;
  }

  portWrite(_port: number, size: IoSize, value: number): void {
    const v = size === 1 ? value & 0xff : size === 2 ? value & 0xffff : value >>> 0;
    // (v << 1) | 1 in 32 bits, as QEMU's exit() argument is an int.
    this.status = ((v << 1) | 1) >>> 0;
    this.onExit(this.status);
  }
}
