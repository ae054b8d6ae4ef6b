/**
 * Interpreter speed on a tight integer loop in 64-bit mode with paging on.
 * A measurement script, not a test:  npx tsx tests/cpu/measureMips.ts
 */
import { TestMachine } from './testMachine.ts';

const m = new TestMachine('long64').load(`
  mov ecx, 200000000
l:
  add eax, ecx
  xor edx, eax
  dec ecx
  jnz l
  hlt`);
const t0 = performance.now();
while (performance.now() - t0 < 5000) if (m.cpu.run(1_000_000) !== 0) break;
const dt = (performance.now() - t0) / 1000;
console.log(`${(m.cpu.icount / dt / 1e6).toFixed(1)} MIPS (${m.cpu.icount} instructions in ${dt.toFixed(2)} s; blocks built ${m.cpu.blocks.builds}; per-instruction path: icache hits ${m.cpu.icache.hits}, misses ${m.cpu.icache.misses})`);
