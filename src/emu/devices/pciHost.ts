/**
 * PCI configuration mechanism #1 (CONFIG_ADDRESS at 0xCF8, CONFIG_DATA at
 * 0xCFC-0xCFF) and the function registry behind it. Bus 0, device 0,
 * function 0 is an Intel 82441FX (440FX) host bridge. Absent functions read
 * all-ones, so a scan sees vendor 0xFFFF and moves on.
 */
import type { IoDevice, IoSize } from './ioBus.ts';
import type { StateLayout } from '../clock/stateCodec.ts';
import { loadFields, saveFields } from '../clock/stateCodec.ts';

/** One PCI function's configuration space. Offsets are within 0..255 and never cross a dword. */
export interface PciFunction {
  configRead(offset: number, size: IoSize): number;
  configWrite(offset: number, size: IoSize, value: number): void;
}

/**
 * A 256-byte type-0 configuration space with a per-bit write mask (bits set
 * in `wmask` are writable, the rest read-only) and write-one-to-clear bits.
 */
export class PciConfigSpace implements PciFunction {
  static readonly STATE: StateLayout = { name: 'PciConfigSpace', scalars: [], arrays: ['config'] };
  readonly config = new Uint8Array(256);
  /** Not state: fixed by the device model. */
  private readonly wmask = new Uint8Array(256);
  private readonly w1cmask = new Uint8Array(256);

  constructor(ids: { vendor: number; device: number; classCode: number; revision?: number; headerType?: number }) {
    this.set16(0x00, ids.vendor);
    this.set16(0x02, ids.device);
    this.config[0x08] = ids.revision ?? 0;
    this.config[0x09] = ids.classCode & 0xff; // programming interface
    this.config[0x0a] = (ids.classCode >> 8) & 0xff; // sub-class
    this.config[0x0b] = (ids.classCode >> 16) & 0xff; // base class
    this.config[0x0e] = ids.headerType ?? 0;
    this.w1cmask[0x07] = 0xf9; // status: parity/abort/SERR bits are write-one-to-clear
  }

  set16(offset: number, v: number): void {
    this.config[offset] = v & 0xff;
    this.config[offset + 1] = (v >> 8) & 0xff;
  }

  /** Makes the bits of `mask` writable in `count` bytes starting at `offset`. */
  setWritable(offset: number, count: number, mask = 0xff): void {
    for (let i = 0; i < count; i++) this.wmask[offset + i] = mask;
  }

  configRead(offset: number, size: IoSize): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.config[(offset + i) & 0xff];
    return v >>> 0;
  }

  configWrite(offset: number, size: IoSize, value: number): void {
    for (let i = 0; i < size; i++) {
      const at = (offset + i) & 0xff;
      const b = (value >>> (8 * i)) & 0xff;
      const w = this.wmask[at], c = this.w1cmask[at];
      this.config[at] = ((this.config[at] & ~w) | (b & w)) & ~(b & c);
    }
  }
}

/** Intel 82441FX PMC (the 440FX host bridge), as Linux and SeaBIOS find it on a PC. */
export function i440fxHostBridge(): PciConfigSpace {
  const f = new PciConfigSpace({ vendor: 0x8086, device: 0x1237, classCode: 0x060000, revision: 0x02 });
  f.set16(0x04, 0x0006); // PCICMD: memory access and bus master are hardwired on
  f.setWritable(0x05, 1, 0x01); // ... only SERR# enable is writable
  f.set16(0x06, 0x0280); // PCISTS: medium DEVSEL, fast back-to-back capable
  f.setWritable(0x0d, 1, 0xf8); // master latency timer
  f.setWritable(0x59, 7); // PAM0-6 (shadow RAM attributes: accepted, no effect without a BIOS)
  f.setWritable(0x72, 1); // SMRAM control (accepted, no SMM)
  return f;
}

export class PciHost implements IoDevice {
  static readonly STATE: StateLayout = { name: 'PciHost', scalars: ['address'], arrays: [] };

  /** CONFIG_ADDRESS: bit 31 enable, 23:16 bus, 15:11 device, 10:8 function, 7:2 register. */
  address = 0;
  /** Functions by bus << 8 | device << 3 | function. Wiring, not state: each function saves itself. */
  private readonly functions = new Map<number, PciFunction>();
  readonly hostBridge = i440fxHostBridge();

  constructor() {
    this.register(0, 0, 0, this.hostBridge);
  }

  register(bus: number, device: number, fn: number, f: PciFunction): void {
    const bdf = (bus << 8) | (device << 3) | fn;
    if (this.functions.has(bdf)) throw new Error(`PCI ${bus}:${device}.${fn} is already present`);
    this.functions.set(bdf, f);
  }

  private selected(): PciFunction | undefined {
    if (!(this.address & 0x80000000)) return undefined;
    return this.functions.get((this.address >>> 8) & 0xffff);
  }

  portRead(port: number, size: IoSize): number {
    const ones = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
    if (port === 0xcf8) return size === 4 ? this.address >>> 0 : ones;
    if (port < 0xcfc || port > 0xcff) return ones;
    const f = this.selected();
    if (!f) return ones;
    const offset = (this.address & 0xfc) | (port & 3);
    if ((port & 3) + size > 4) return ones; // would cross the dword
    return f.configRead(offset, size);
  }

  portWrite(port: number, size: IoSize, value: number): void {
    if (port === 0xcf8) {
      // Only a dword access reaches CONFIG_ADDRESS; bits 30:24 and 1:0 are reserved (read 0).
      if (size === 4) this.address = (value & 0x80fffffc) >>> 0;
      return;
    }
    if (port < 0xcfc || port > 0xcff || (port & 3) + size > 4) return;
    const f = this.selected();
    if (f) f.configWrite((this.address & 0xfc) | (port & 3), size, value);
  }

  saveState(): Uint8Array {
    const a = saveFields(this, PciHost.STATE), b = saveFields(this.hostBridge, PciConfigSpace.STATE);
    const out = new Uint8Array(a.length + b.length);
    out.set(a); out.set(b, a.length);
    return out;
  }
  loadState(bytes: Uint8Array): void {
    const n = PciHost.STATE.scalars.length * 8;
    loadFields(this, PciHost.STATE, bytes.subarray(0, n));
    loadFields(this.hostBridge, PciConfigSpace.STATE, bytes.subarray(n));
  }
}
