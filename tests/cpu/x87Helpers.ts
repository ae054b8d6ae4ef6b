/** Helpers shared by the x87 CPU tests. */
import type { TestMachine } from './testMachine.ts';

export const DATA = 0x5000;

export const f64 = (m: TestMachine, a: number): number => {
  const b = new DataView(new ArrayBuffer(8));
  b.setUint32(0, m.mem.read32(a), true); b.setUint32(4, m.mem.read32(a + 4), true);
  return b.getFloat64(0, true);
};

export const putF64 = (m: TestMachine, a: number, v: number): void => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v, true);
  m.mem.write32(a, b.getUint32(0, true)); m.mem.write32(a + 4, b.getUint32(4, true));
};
