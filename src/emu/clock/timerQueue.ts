/**
 * Virtual-time timers. Devices register a callback once (at construction, so
 * ids are the same in every machine built from the same config) and then
 * schedule or cancel it by id. Only deadlines are state; callbacks are wiring.
 *
 * The run loop sizes its slices with `nextDeadline()` and calls `fire(now)`
 * after advancing the clock. Nothing here touches the host clock.
 */
import type { StateLayout } from './stateCodec.ts';

export type TimerCallback = (nowNs: number) => void;

/** Upper bound on callbacks run by one fire(): a device rescheduling at or before `now` forever is a bug. */
const MAX_FIRES_PER_CALL = 100_000;

export class TimerQueue {
  static readonly MAX_TIMERS = 64;
  static readonly STATE: StateLayout = { name: 'TimerQueue', scalars: [], arrays: ['deadlines'] };

  /** Absolute virtual time in ns for each timer id; Infinity when not scheduled. */
  readonly deadlines = new Float64Array(TimerQueue.MAX_TIMERS).fill(Infinity);
  private readonly callbacks: TimerCallback[] = [];
  private readonly names: string[] = [];

  register(name: string, cb: TimerCallback): number {
    const id = this.callbacks.length;
    if (id >= TimerQueue.MAX_TIMERS) throw new Error(`too many timers (registering ${name})`);
    this.callbacks.push(cb);
    this.names.push(name);
    return id;
  }

  schedule(id: number, atNs: number): void {
    if (!(id >= 0 && id < this.callbacks.length)) throw new RangeError(`no timer with id ${id}`);
    if (Number.isNaN(atNs)) throw new RangeError(`timer ${this.names[id]}: deadline is NaN`);
    this.deadlines[id] = atNs;
  }

  cancel(id: number): void {
    this.deadlines[id] = Infinity;
  }

  isScheduled(id: number): boolean {
    return this.deadlines[id] !== Infinity;
  }

  name(id: number): string {
    return this.names[id] ?? `timer${id}`;
  }

  /** Earliest scheduled deadline, or Infinity. */
  nextDeadline(): number {
    let min = Infinity;
    const d = this.deadlines;
    for (let i = 0, n = this.callbacks.length; i < n; i++) if (d[i] < min) min = d[i];
    return min;
  }

  /**
   * Runs every timer whose deadline is <= nowNs, earliest first (ties by id),
   * including ones that callbacks schedule while this runs. Returns how many ran.
   */
  fire(nowNs: number): number {
    const d = this.deadlines;
    const n = this.callbacks.length;
    let ran = 0;
    for (;;) {
      let best = -1;
      let bestAt = Infinity;
      for (let i = 0; i < n; i++) {
        if (d[i] <= nowNs && d[i] < bestAt) { best = i; bestAt = d[i]; }
      }
      if (best < 0) return ran;
      d[best] = Infinity;
      if (++ran > MAX_FIRES_PER_CALL) {
        throw new Error(`timer ${this.names[best]} keeps rescheduling itself at or before ${nowNs} ns`);
      }
      this.callbacks[best](nowNs);
    }
  }
}
