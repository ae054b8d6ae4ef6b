import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ByteRing } from './byteRing.ts';

describe('ByteRing', () => {
  it('delivers bytes in order across many wrap-arounds', () => {
    const ring = ByteRing.create(16);
    const out = new Uint8Array(7);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 100; round++) {
      const chunk = Array.from({ length: 5 + (round % 9) }, () => next++ & 0xff);
      const n = ring.write(chunk);
      next -= chunk.length - n; // bytes that did not fit were dropped, not queued
      let got: number;
      while ((got = ring.read(out)) > 0) {
        for (let i = 0; i < got; i++) expect(out[i]).toBe(expected++ & 0xff);
      }
    }
    expect(expected).toBe(next);
  });

  it('drops and counts bytes when full instead of overwriting unread ones', () => {
    const ring = ByteRing.create(16);
    expect(ring.write(new Uint8Array(20).fill(7))).toBe(16);
    expect(ring.writeByte(1)).toBe(false);
    expect(ring.dropped()).toBe(5);
    expect(ring.available()).toBe(16);
    const out = new Uint8Array(32);
    expect(ring.read(out)).toBe(16);
    expect(out.subarray(0, 16).every((b) => b === 7)).toBe(true);
    expect(ring.available()).toBe(0);
  });

  it('rejects capacities that are not a power of two', () => {
    expect(() => ByteRing.create(100)).toThrow(/power of two/);
    expect(() => new ByteRing(new SharedArrayBuffer(50))).toThrow(/not a ByteRing/);
  });

  it('carries 1 MiB from a producer thread without loss or reordering', async () => {
    const ring = ByteRing.create(16 * 1024);
    const total = 1 << 20;
    // The producer runs in a real thread, spinning when the ring is full.
    const src = `
      const { workerData } = require('node:worker_threads');
      const ctl = new Int32Array(workerData.buf, 0, 4);
      const data = new Uint8Array(workerData.buf, 16, workerData.cap);
      let tail = 0;
      for (let i = 0; i < workerData.total; i++) {
        while (((tail - Atomics.load(ctl, 0)) & 0x7fffffff) >= workerData.cap) {}
        data[tail & (workerData.cap - 1)] = (i * 31) & 0xff;
        tail = (tail + 1) & 0x7fffffff;
        Atomics.store(ctl, 1, tail);
      }`;
    const w = new Worker(src, { eval: true, workerData: { buf: ring.buffer, cap: ring.capacity, total } });
    const out = new Uint8Array(4096);
    let seen = 0;
    // Generous: on a loaded 2-core machine both threads may be descheduled for long stretches.
    const deadline = Date.now() + 90_000;
    while (seen < total && Date.now() < deadline) {
      const n = ring.read(out);
      for (let i = 0; i < n; i++) {
        if (out[i] !== ((seen * 31) & 0xff)) throw new Error(`byte ${seen} is ${out[i]}`);
        seen++;
      }
      if (n === 0) await new Promise((r) => setImmediate(r));
    }
    await w.terminate();
    expect(seen).toBe(total);
  }, 120_000);
});
