/**
 * A lock-free single-producer / single-consumer byte ring in a
 * SharedArrayBuffer: serial output crosses from the machine's worker to the
 * console (and keystrokes back) without a message per byte.
 *
 * Layout: Int32Array header [head, tail, dropped] followed by `capacity` data
 * bytes. `head` is written only by the consumer, `tail` only by the producer;
 * both count bytes modulo 2^31 and index data with `& (capacity - 1)`.
 * Atomics order the data write before the tail store (release) and the tail
 * load before the data read (acquire). When the ring is full the producer
 * drops bytes and counts them, so a stalled UI never blocks the guest.
 */

const HEAD = 0;
const TAIL = 1;
const DROPPED = 2;
const HEADER_BYTES = 16;
const COUNTER_MASK = 0x7fffffff;

export class ByteRing {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  private readonly ctl: Int32Array;
  private readonly data: Uint8Array;
  private readonly mask: number;

  /** Allocates a ring; capacity must be a power of two. */
  static create(capacity: number): ByteRing {
    if (!Number.isInteger(capacity) || capacity < 16 || (capacity & (capacity - 1)) !== 0 || capacity > 1 << 30) {
      throw new RangeError(`ring capacity must be a power of two from 16 to 2^30, got ${capacity}`);
    }
    return new ByteRing(new SharedArrayBuffer(HEADER_BYTES + capacity));
  }

  /** Attaches to a ring created elsewhere (e.g. received from the worker). */
  constructor(buffer: SharedArrayBuffer) {
    const capacity = buffer.byteLength - HEADER_BYTES;
    if (capacity < 16 || (capacity & (capacity - 1)) !== 0) throw new RangeError('not a ByteRing buffer');
    this.buffer = buffer;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.ctl = new Int32Array(buffer, 0, 4);
    this.data = new Uint8Array(buffer, HEADER_BYTES, capacity);
  }

  /** Producer: appends bytes; returns how many fit (the rest are dropped and counted). */
  write(bytes: ArrayLike<number>, start = 0, end = bytes.length): number {
    const head = Atomics.load(this.ctl, HEAD);
    let tail = this.ctl[TAIL]; // only this side writes tail
    const free = this.capacity - ((tail - head) & COUNTER_MASK);
    const n = Math.min(free, end - start);
    for (let i = 0; i < n; i++) {
      this.data[tail & this.mask] = bytes[start + i];
      tail = (tail + 1) & COUNTER_MASK;
    }
    Atomics.store(this.ctl, TAIL, tail);
    if (n < end - start) Atomics.add(this.ctl, DROPPED, end - start - n);
    return n;
  }

  /** Producer: one byte; false if the ring was full (the byte is dropped and counted). */
  writeByte(b: number): boolean {
    const head = Atomics.load(this.ctl, HEAD);
    const tail = this.ctl[TAIL];
    if (((tail - head) & COUNTER_MASK) >= this.capacity) {
      Atomics.add(this.ctl, DROPPED, 1);
      return false;
    }
    this.data[tail & this.mask] = b;
    Atomics.store(this.ctl, TAIL, (tail + 1) & COUNTER_MASK);
    return true;
  }

  /** Consumer: bytes waiting to be read. */
  available(): number {
    return (Atomics.load(this.ctl, TAIL) - this.ctl[HEAD]) & COUNTER_MASK;
  }

  /** Consumer: moves up to `out.length` bytes into `out`; returns the count. */
  read(out: Uint8Array): number {
    const tail = Atomics.load(this.ctl, TAIL);
    let head = this.ctl[HEAD]; // only this side writes head
    const n = Math.min((tail - head) & COUNTER_MASK, out.length);
    for (let i = 0; i < n; i++) {
      out[i] = this.data[head & this.mask];
      head = (head + 1) & COUNTER_MASK;
    }
    Atomics.store(this.ctl, HEAD, head);
    return n;
  }

  /** Bytes the producer had to drop because the consumer fell behind. */
  dropped(): number {
    return Atomics.load(this.ctl, DROPPED);
  }
}
