// Builds the playground's bare-metal demos (guests/demo/demo.asm, vmxdemo.asm) with Debian's
// nasm and ld through the same runtime and linker script as the differential
// tests, and writes them to public/demo/demo64.elf and vmxdemo.elf (served with the app), with
// their symbols as public/demo/*.map (System.map format, from nm) so the
// disassembly names them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBareMetal } from '../tests/diff/build.ts';
import { repoRoot } from '../tests/support/qemu.ts';

const outDir = join(repoRoot, 'public/demo');
mkdirSync(outDir, { recursive: true });

/** Builds guests/demo/<src>.asm into public/demo/<out>.elf and its symbol map <out>.map. */
function build(src: string, out: string): void {
  const source = readFileSync(join(repoRoot, `guests/demo/${src}.asm`), 'utf8');
  const elf = buildBareMetal({ name: src, mode: 64, source });
  copyFileSync(elf, join(outDir, `${out}.elf`));
  // nm prints "address type name", the System.map format; local labels (".loop") are left out.
  const map = execFileSync('nm', ['-n', elf], { encoding: 'utf8' }).split('\n')
    .filter((l) => /^[0-9a-f]+ [Tt] [A-Za-z_][A-Za-z0-9_]*$/.test(l)).join('\n');
  writeFileSync(join(outDir, `${out}.map`), `${map}\n`);
  console.log(`public/demo/${out}.elf (${readFileSync(elf).length} bytes) from guests/demo/${src}.asm`);
}

build('demo', 'demo64');
// The VMX demo: a bare-metal hypervisor whose guest exits on CPUID, I/O, HLT and VMCALL.
build('vmxdemo', 'vmxdemo');
