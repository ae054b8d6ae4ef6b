// The fixed seed set CI runs, and the environment variables that widen it by hand:
//   VMXLAB_DIFF_SEEDS=1-200   seeds (list "1,5,9" or range "a-b")
//   VMXLAB_DIFF_CASES=300     cases per program
//   VMXLAB_DIFF_LENGTH=24     instructions per case
//   VMXLAB_DIFF_GROUPS=alu,shift,...   instruction groups (default: the integer set)
//   VMXLAB_DIFF_FAULT_SEEDS=1-50  seeds of the deliberate-fault programs (300 cases each)
import { DEFAULT_GROUPS } from './program.ts';

export interface DiffConfig {
  seeds: number[];
  cases: number;
  length: number;
  groups: string[];
  /** Seeds of the 'fault' programs (each case ends in a #UD, #GP or #PF). */
  faultSeeds: number[];
}

function parseSeeds(s: string): number[] {
  return s.split(',').flatMap((part) => {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (m) return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
    const n = Number(part.trim());
    if (!Number.isInteger(n)) throw new Error(`VMXLAB_DIFF_SEEDS: bad seed '${part}'`);
    return [n];
  });
}

export function diffConfig(env: Record<string, string | undefined> = process.env): DiffConfig {
  return {
    // CI: 4 seeds x 2 modes x 250 cases = 2,000 sequences of 20 instructions.
    seeds: env.VMXLAB_DIFF_SEEDS ? parseSeeds(env.VMXLAB_DIFF_SEEDS) : [1, 2, 3, 4],
    cases: Number(env.VMXLAB_DIFF_CASES ?? 250),
    length: Number(env.VMXLAB_DIFF_LENGTH ?? 20),
    groups: env.VMXLAB_DIFF_GROUPS ? env.VMXLAB_DIFF_GROUPS.split(',') : DEFAULT_GROUPS,
    // CI: 2 seeds x 2 modes x 300 deliberate faults.
    faultSeeds: env.VMXLAB_DIFF_FAULT_SEEDS ? parseSeeds(env.VMXLAB_DIFF_FAULT_SEEDS) : [1, 2],
  };
}
