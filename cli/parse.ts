import { parseArgs } from 'node:util';
import type { CommandSpec } from './spec.ts';

export class UsageError extends Error {}

export type ParsedFlags = Record<string, string | boolean | undefined>;

/** Parses flags for one command; unknown flags and stray arguments are usage errors. */
export function parseFlags(cmd: CommandSpec, argv: string[]): ParsedFlags {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const f of cmd.flags) options[f.name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    return values as ParsedFlags;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // node's messages are good ("Unknown option '--foo'"); keep them, drop its codes.
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}

/** An integer flag within [min, max], or the default when absent. */
export function intFlag(flags: ParsedFlags, name: string, def: number, min: number, max: number): number {
  const raw = flags[name];
  if (raw === undefined) return def;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${String(raw)}'`);
  }
  return n;
}
