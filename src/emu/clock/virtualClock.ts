/**
 * Virtual time for the whole machine, in nanoseconds since power-on, derived
 * from instructions retired. The machine advances it after each run slice (or
 * jumps it to the next deadline while every CPU halts) and then fires timers.
 *
 * nowNs stays an integer: with a whole number of ns per instruction the sum is
 * exact and --icount runs are reproducible. A float64 holds integers exactly
 * up to 2^53 ns, about 104 days of guest time.
 */
import { TimerQueue } from './timerQueue.ts';
import type { StateLayout } from './stateCodec.ts';
import { loadFields, saveFields } from './stateCodec.ts';

export const NS_PER_SECOND = 1_000_000_000;

export interface ClockConfig {
  /** Virtual nanoseconds each retired instruction takes; a positive integer. Default 1. */
  nsPerInstruction?: number;
  /** TSC frequency in Hz (what RDTSC counts at). Default 1 GHz. Must reduce against 10^9 (e.g. whole kHz). */
  tscHz?: number;
}

/**
 * floor(a * b / c) for non-negative integers where a*b may exceed 2^53; exact
 * as long as b * c < 2^53 (pass a reduced fraction, see `reducedRatio`).
 */
export function mulDivFloor(a: number, b: number, c: number): number {
  const q = Math.floor(a / c);
  const r = a - q * c;
  return q * b + Math.floor((r * b) / c);
}

/** ceil(a * b / c), same domain as mulDivFloor. */
export function mulDivCeil(a: number, b: number, c: number): number {
  const q = Math.floor(a / c);
  const r = a - q * c;
  return q * b + Math.ceil((r * b) / c);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** num/den = a/b in lowest terms; throws if num*den is too big for exact mulDiv. */
export function reducedRatio(a: number, b: number): [num: number, den: number] {
  const g = gcd(a, b);
  const num = a / g, den = b / g;
  if (num * den >= 2 ** 53) throw new RangeError(`${a}/${b} does not reduce enough for exact integer scaling`);
  return [num, den];
}

export class VirtualClock {
  static readonly STATE: StateLayout = { name: 'VirtualClock', scalars: ['nowNs'], arrays: [],
    config: ['nsPerInstruction', 'tscHz', 'tscNum', 'tscDen'] };

  nowNs = 0;
  readonly nsPerInstruction: number;
  readonly tscHz: number;
  private readonly tscNum: number;
  private readonly tscDen: number;
  readonly timers = new TimerQueue();

  constructor(config: ClockConfig = {}) {
    const npi = config.nsPerInstruction ?? 1;
    if (!Number.isInteger(npi) || npi < 1) throw new RangeError(`nsPerInstruction must be a positive integer, got ${npi}`);
    const hz = config.tscHz ?? NS_PER_SECOND;
    if (!Number.isInteger(hz) || hz < 1) throw new RangeError(`tscHz must be a positive integer, got ${hz}`);
    this.nsPerInstruction = npi;
    this.tscHz = hz;
    [this.tscNum, this.tscDen] = reducedRatio(hz, NS_PER_SECOND);
  }

  advanceInstructions(count: number): void {
    this.nowNs += count * this.nsPerInstruction;
  }

  /** Moves time forward to `ns` (never backwards), e.g. to the next deadline while halted. */
  advanceTo(ns: number): void {
    if (ns > this.nowNs) this.nowNs = Math.ceil(ns);
  }

  /** Runs due timers; returns how many ran. */
  runDue(): number {
    return this.timers.fire(this.nowNs);
  }

  /** Instructions the CPU may run before the next deadline (at least 1; Infinity if none). */
  instructionsUntilDeadline(): number {
    const dl = this.timers.nextDeadline();
    if (dl === Infinity) return Infinity;
    return Math.max(1, Math.ceil((dl - this.nowNs) / this.nsPerInstruction));
  }

  /** Time-stamp counter at the current virtual time. */
  tsc(): number {
    return mulDivFloor(this.nowNs, this.tscNum, this.tscDen);
  }

  /** Earliest virtual ns at which the TSC reaches `tsc`. */
  nsAtTsc(tsc: number): number {
    return mulDivCeil(tsc, this.tscDen, this.tscNum);
  }

  /** Current time and every timer deadline (callbacks are re-registered by the devices' constructors). */
  saveState(): Uint8Array {
    const a = saveFields(this, VirtualClock.STATE), b = saveFields(this.timers, TimerQueue.STATE);
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }

  loadState(bytes: Uint8Array): void {
    const n = VirtualClock.STATE.scalars.length * 8;
    loadFields(this, VirtualClock.STATE, bytes.subarray(0, n));
    loadFields(this.timers, TimerQueue.STATE, bytes.subarray(n));
  }
}
