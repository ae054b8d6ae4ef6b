import { describe, expect, it } from 'vitest';
import { Port80 } from './port80.ts';
import { IoBus } from './ioBus.ts';

describe('port 0x80', () => {
  it('records POST codes and reads as a floating bus', () => {
    const p = new Port80();
    const bus = new IoBus();
    bus.register(0x80, 1, p);
    bus.write(0x80, 1, 0x3c);
    bus.write(0x80, 1, 0x1234);
    expect(p.lastCode).toBe(0x34);
    expect(p.writes).toBe(2);
    expect(bus.read(0x80, 1)).toBe(0xff);
    const q = new Port80();
    q.loadState(p.saveState());
    expect(q.lastCode).toBe(0x34);
  });
});
