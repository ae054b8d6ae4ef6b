// Builds the playground's bare-metal demo (guests/demo/demo.asm) with Debian's
// nasm and ld through the same runtime and linker script as the differential
// tests, and writes it to public/demo/demo64.elf (served with the app).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal } from '../tests/diff/build.ts';
import { repoRoot } from '../tests/support/qemu.ts';

const source = readFileSync(join(repoRoot, 'guests/demo/demo.asm'), 'utf8');
const elf = buildBareMetal({ name: 'demo', mode: 64, source });
const outDir = join(repoRoot, 'public/demo');
mkdirSync(outDir, { recursive: true });
copyFileSync(elf, join(outDir, 'demo64.elf'));
console.log(`public/demo/demo64.elf (${readFileSync(elf).length} bytes) from guests/demo/demo.asm`);
