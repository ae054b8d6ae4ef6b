/**
 * The benchmark registry: each suite (CPU-bound guests in cpu.ts, Linux boot
 * in boot.ts, ...) registers itself here, and `npm run bench` / `vmxlab bench`
 * run every registered suite (or those named with --only) and print one table
 * per suite, or JSON with --json. Benchmarks report figures; they never fail
 * on a threshold.
 */

export interface BenchOptions {
  /** Runs per measurement; the best is kept (the machine may be shared). */
  runs: number;
  /** Also run the QEMU TCG side by side. */
  qemu: boolean;
  /** Shorter runs (for a quick look, not for figures). */
  quick: boolean;
  /** Progress lines go here (stderr), never into the table or the JSON. */
  log: (line: string) => void;
}

export interface Column {
  key: string;
  label: string;
  /** Digits after the point for numbers. */
  digits?: number;
}

/** One line of a suite's table; null prints as "-" (not measured, e.g. QEMU missing). */
export type Row = Record<string, string | number | null>;

export interface BenchSuite {
  name: string;
  title: string;
  columns: Column[];
  /** Lines printed under the table (what the figures mean). */
  notes: string[];
  run(opts: BenchOptions): Promise<Row[]>;
}

const suites: BenchSuite[] = [];

export function registerSuite(s: BenchSuite): void {
  if (suites.some((x) => x.name === s.name)) throw new Error(`bench suite ${s.name} registered twice`);
  suites.push(s);
}

export function registeredSuites(): readonly BenchSuite[] {
  return suites;
}

/** Formats a suite's rows as an aligned text table. */
export function formatTable(s: BenchSuite, rows: Row[]): string {
  const cells = rows.map((r) => s.columns.map((c) => {
    const v = r[c.key];
    if (v === null || v === undefined) return '-';
    return typeof v === 'number' ? v.toFixed(c.digits ?? 1) : v;
  }));
  const widths = s.columns.map((c, k) => Math.max(c.label.length, ...cells.map((row) => row[k].length)));
  const line = (vals: string[]): string => vals.map((v, k) => (k === 0 ? v.padEnd(widths[k]) : v.padStart(widths[k]))).join('  ');
  const out = [s.title, line(s.columns.map((c) => c.label)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  for (const n of s.notes) out.push(`  ${n}`);
  return out.join('\n');
}
