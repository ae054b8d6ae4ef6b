/**
 * The x86 I/O port space (64 Ki ports). Devices claim port ranges; a read of
 * an unclaimed port returns all-ones and a write is dropped, as on a PC.
 */

export type IoSize = 1 | 2 | 4;

export interface IoDevice {
  /** `port` is the absolute port number. Returns the value, zero-extended to `size` bytes. */
  portRead(port: number, size: IoSize): number;
  portWrite(port: number, size: IoSize, value: number): void;
}

export class IoBus {
  private readonly owners: (IoDevice | undefined)[] = new Array(0x10000);

  register(first: number, count: number, dev: IoDevice): void {
    for (let p = first; p < first + count; p++) {
      if (this.owners[p]) throw new Error(`I/O port 0x${p.toString(16)} is already claimed`);
      this.owners[p] = dev;
    }
  }

  read(port: number, size: IoSize): number {
    const dev = this.owners[port & 0xffff];
    if (dev) return dev.portRead(port & 0xffff, size);
    return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  }

  write(port: number, size: IoSize, value: number): void {
    const dev = this.owners[port & 0xffff];
    if (dev) dev.portWrite(port & 0xffff, size, value);
  }
}
