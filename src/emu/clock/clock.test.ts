import { describe, expect, it } from 'vitest';
import { VirtualClock, mulDivCeil, mulDivFloor, reducedRatio } from './virtualClock.ts';
import { TimerQueue } from './timerQueue.ts';
import { loadFields, saveFields, uncoveredFields } from './stateCodec.ts';

describe('VirtualClock', () => {
  it('advances by instructions retired and never goes backwards', () => {
    const c = new VirtualClock({ nsPerInstruction: 4 });
    c.advanceInstructions(1000);
    expect(c.nowNs).toBe(4000);
    c.advanceTo(3000);
    expect(c.nowNs).toBe(4000);
    c.advanceTo(10_000.2);
    expect(c.nowNs).toBe(10_001);
  });

  it('derives the TSC exactly even past 2^53 intermediate products', () => {
    const c = new VirtualClock({ tscHz: 2_400_000_000 });
    c.nowNs = 3_600 * 1e9 + 7; // an hour and 7 ns
    const want = (BigInt(c.nowNs) * 2_400_000_000n) / 1_000_000_000n;
    expect(BigInt(c.tsc())).toBe(want);
    expect(c.nsAtTsc(c.tsc() + 1)).toBe(c.nowNs + 1); // 2.4 ticks/ns: next tick within 1 ns
  });

  it('mulDiv matches BigInt arithmetic', () => {
    const [num, den] = reducedRatio(1_193_182, 1e9);
    for (const a of [0, 1, 999_999_999, 1e9, 123_456_789_012_345, 2 ** 52]) {
      expect(BigInt(mulDivFloor(a, num, den))).toBe((BigInt(a) * BigInt(num)) / BigInt(den));
      const ceil = (BigInt(a) * BigInt(num) + BigInt(den) - 1n) / BigInt(den);
      expect(BigInt(mulDivCeil(a, num, den))).toBe(ceil);
    }
  });

  it('rejects configurations that would lose determinism', () => {
    expect(() => new VirtualClock({ nsPerInstruction: 0.5 })).toThrow(/positive integer/);
    expect(() => new VirtualClock({ tscHz: 999_999_937 })).toThrow(/reduce/);
  });

  it('tells the run loop how many instructions fit before the next deadline', () => {
    const c = new VirtualClock({ nsPerInstruction: 10 });
    expect(c.instructionsUntilDeadline()).toBe(Infinity);
    const id = c.timers.register('t', () => {});
    c.timers.schedule(id, 95);
    expect(c.instructionsUntilDeadline()).toBe(10);
    c.nowNs = 100;
    expect(c.instructionsUntilDeadline()).toBe(1);
  });
});

describe('TimerQueue', () => {
  it('fires due timers in deadline order, including ones scheduled while firing', () => {
    const q = new TimerQueue();
    const log: string[] = [];
    const a = q.register('a', (now) => log.push(`a@${now}`));
    const b = q.register('b', () => { log.push('b'); q.schedule(a, 50); });
    const c = q.register('c', () => log.push('c'));
    q.schedule(c, 300);
    q.schedule(b, 20);
    q.schedule(a, 10);
    expect(q.nextDeadline()).toBe(10);
    expect(q.fire(100)).toBe(3);
    expect(log).toEqual(['a@100', 'b', 'a@100']);
    expect(q.nextDeadline()).toBe(300);
    expect(q.isScheduled(a)).toBe(false);
  });

  it('cancel removes a deadline', () => {
    const q = new TimerQueue();
    let n = 0;
    const id = q.register('x', () => n++);
    q.schedule(id, 5);
    q.cancel(id);
    expect(q.nextDeadline()).toBe(Infinity);
    expect(q.fire(1e9)).toBe(0);
    expect(n).toBe(0);
  });

  it('reports a timer that reschedules itself into the past forever', () => {
    const q = new TimerQueue();
    const id: number = q.register('runaway', () => q.schedule(id, 0));
    q.schedule(id, 0);
    expect(() => q.fire(1)).toThrow(/runaway/);
  });

  it('saves and restores deadlines', () => {
    const q = new TimerQueue();
    const id = q.register('x', () => {});
    q.schedule(id, 1234);
    const bytes = saveFields(q, TimerQueue.STATE);
    const r = new TimerQueue();
    r.register('x', () => {});
    loadFields(r, TimerQueue.STATE, bytes);
    expect(r.nextDeadline()).toBe(1234);
    expect(uncoveredFields(q, TimerQueue.STATE)).toEqual([]);
    expect(uncoveredFields(new VirtualClock(), VirtualClock.STATE)).toEqual([]);
    expect(() => loadFields(r, TimerQueue.STATE, bytes.subarray(1))).toThrow(/expects/);
  });

  it('a clock snapshot carries time and deadlines', () => {
    const c = new VirtualClock();
    const id = c.timers.register('x', () => {});
    c.advanceInstructions(777);
    c.timers.schedule(id, 5000);
    const d = new VirtualClock();
    d.timers.register('x', () => {});
    d.loadState(c.saveState());
    expect(d.nowNs).toBe(777);
    expect(d.timers.nextDeadline()).toBe(5000);
  });
});
