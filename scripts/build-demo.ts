// Builds the playground's bare-metal demo (guests/demo/demo.asm) with Debian's
// nasm and ld through the same runtime and linker script as the differential
// tests, and writes it to public/demo/demo64.elf (served with the app), with
// its symbols as public/demo/demo64.map (System.map format, from nm) so the
// disassembly names them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal } from '../tests/diff/build.ts';
import { repoRoot } from '../tests/support/qemu.ts';

const source = readFileSync(join(repoRoot, 'guests/demo/demo.asm'), 'utf8');
const elf = buildBareMetal({ name: 'demo', mode: 64, source });
const outDir = join(repoRoot, 'public/demo');
mkdirSync(outDir, { recursive: true });
copyFileSync(elf, join(outDir, 'demo64.elf'));
// nm prints "address type name", the System.map format; local labels (".loop") are left out.
const map = execFileSync('nm', ['-n', elf], { encoding: 'utf8' }).split('\n')
  .filter((l) => /^[0-9a-f]+ [Tt] [A-Za-z_][A-Za-z0-9_]*$/.test(l)).join('\n');
writeFileSync(join(outDir, 'demo64.map'), `${map}\n`);
console.log(`public/demo/demo64.elf (${readFileSync(elf).length} bytes) from guests/demo/demo.asm`);
