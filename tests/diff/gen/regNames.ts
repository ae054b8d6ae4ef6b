// Register lines a dump has, in order (tests/baremetal/state.asm).
import type { Mode } from './context.ts';
import { regName } from './context.ts';

export function regNamesFor(mode: Mode): string[] {
  return Array.from({ length: mode === 64 ? 16 : 8 }, (_, i) => regName(i, mode));
}
