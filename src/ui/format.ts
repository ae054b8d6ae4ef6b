/** Number formatting shared by the panels (debug side: BigInt is fine here). */

export function hex64(lo: number, hi: number): string {
  return hi.toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

export function hex(v: number | bigint, width = 0): string {
  return (typeof v === 'bigint' ? v : Math.trunc(v)).toString(16).padStart(width, '0');
}

export function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Parses "0x1234", "1234" (hex), "ffff_8000_..." ; null if not a number. */
export function parseAddress(text: string): bigint | null {
  const t = text.trim().toLowerCase().replace(/_/g, '').replace(/^0x/, '');
  if (!/^[0-9a-f]{1,16}$/.test(t)) return null;
  return BigInt(`0x${t}`);
}

export function siRate(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)} G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return v.toFixed(0);
}

export function duration(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns} ns`;
}
