/** The register dump and the last instructions executed, for runs that end badly. */
import * as iced from 'iced-x86';
import { gunzipSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Machine } from '../src/emu/machine.ts';
import { Disassembler } from '../src/emu/debug/disasm.ts';
import { SymbolTable } from '../src/emu/debug/symbols.ts';
import { recentInstructions } from '../src/emu/debug/recentCode.ts';
import { BUNDLED_DIR } from './guestFiles.ts';

let bundledSymbols: SymbolTable | null | undefined;

/** The bundled guest's System.map (only meaningful when the bundled kernel runs). */
export function loadBundledSymbols(): SymbolTable | null {
  if (bundledSymbols !== undefined) return bundledSymbols;
  const file = path.join(BUNDLED_DIR, 'System.map.gz');
  try {
    bundledSymbols = existsSync(file) ? SymbolTable.parseSystemMap(gunzipSync(readFileSync(file)).toString('utf8')).table : null;
  } catch {
    bundledSymbols = null;
  }
  return bundledSymbols;
}

export function postMortem(m: Machine, symbols: SymbolTable | null): string {
  const cpu = m.cpu;
  const lines = [cpu.dumpRegisters().trimEnd(), '', 'last instructions executed (oldest first; a run of straight-line code shows its first instruction):'];
  const bitness = cpu.long64 ? 64 : cpu.codeSize === 4 ? 32 : 16;
  const dis = new Disassembler(iced);
  for (const r of recentInstructions(cpu)) {
    const addr = `${r.address.toString(16).padStart(bitness === 64 ? 16 : 8, '0')}`;
    if (r.bytes.length === 0) { lines.push(`  ${addr}  (not mapped)`); continue; }
    const [d] = dis.disassemble(r.bytes, r.address, bitness, 1, { syntax: 'intel', symbols });
    lines.push(`  ${addr}  ${(d?.bytes ?? '').padEnd(30)} ${d?.text ?? '(bad)'}${d?.symbol ? `  ${d.symbol}` : ''}`);
  }
  return lines.join('\n') + '\n';
}
