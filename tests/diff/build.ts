// Builds bare-metal Multiboot test programs with Debian's nasm and ld: the
// runtime (tests/baremetal/runtime.asm), optional extra runtime objects, and
// the program, linked at 1 MiB and converted to ELF32 (QEMU's -kernel accepts
// Multiboot v1 images only as ELF32). Outputs are cached in .cache/baremetal
// by a hash of every input, so a rebuild happens only when something changed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/qemu.ts';

export type Mode = 32 | 64;

export const baremetalDir = join(repoRoot, 'tests/baremetal');
const cacheDir = join(repoRoot, '.cache/baremetal');

export interface BuildRequest {
  /** Short name used in file names and messages. */
  name: string;
  mode: Mode;
  /** NASM source text of the program (defines test_main). */
  source: string;
  /** Extra runtime sources from tests/baremetal (e.g. 'state.asm'). */
  extras?: string[];
  /** Extra NASM -D defines for every object (e.g. 'WANT_SSE'). */
  defines?: string[];
}

function run(cmd: string, args: string[], what: string): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`${what} failed: ${cmd} ${args.join(' ')}\n${err.stderr?.toString() ?? err.message}`);
  }
}

/** Builds (or reuses) the program; returns the path of its ELF32 image. */
export function buildBareMetal(req: BuildRequest): string {
  const runtimeFiles = ['runtime.asm', ...(req.extras ?? [])];
  const defines = [...(req.mode === 64 ? ['LONG_MODE'] : []), ...(req.defines ?? [])];
  const h = createHash('sha256');
  h.update(JSON.stringify({ mode: req.mode, defines, runtimeFiles }));
  for (const f of [...runtimeFiles, 'link.ld']) h.update(readFileSync(join(baremetalDir, f)));
  h.update(req.source);
  const key = h.digest('hex').slice(0, 16);
  const elf = join(cacheDir, `${req.name}-${req.mode}-${key}.elf`);
  if (existsSync(elf)) return elf;

  // A failed build throws and leaves its work directory behind for inspection.
  const work = join(cacheDir, `tmp-${process.pid}-${key}`);
  mkdirSync(work, { recursive: true });
  {
    const fmt = req.mode === 64 ? 'elf64' : 'elf32';
    const dflags = defines.map((d) => `-D${d}`);
    const objs: string[] = [];
    for (const f of runtimeFiles) {
      const o = join(work, f.replace(/\.asm$/, '.o'));
      run('nasm', ['-f', fmt, ...dflags, '-w-zext-reloc', '-o', o, join(baremetalDir, f)], `assembling ${f}`);
      objs.push(o);
    }
    const src = join(work, `${req.name}.asm`);
    writeFileSync(src, req.source);
    const o = join(work, `${req.name}.o`);
    try {
      run('nasm', ['-f', fmt, ...dflags, '-w-zext-reloc', '-I', `${baremetalDir}/`, '-o', o, src], `assembling ${req.name} (${src})`);
    } catch (e) {
      // Quote the offending source lines: generated programs have no other listing.
      const lines = req.source.split('\n');
      const msg = (e as Error).message.split('\n').slice(0, 12).map((l) => {
        const m = /\.asm:(\d+): /.exec(l);
        return m ? `${l}\n    > ${lines[Number(m[1]) - 1]}` : l;
      });
      throw new Error(msg.join('\n'));
    }
    objs.push(o);
    const linked = join(work, 'linked.elf');
    run('ld', ['-m', req.mode === 64 ? 'elf_x86_64' : 'elf_i386', '-n', '--no-warn-rwx-segments', '-nostdlib',
      '-T', join(baremetalDir, 'link.ld'), '-o', linked, ...objs], `linking ${req.name}`);
    const out = join(work, 'out.elf');
    run('objcopy', ['-O', 'elf32-i386', linked, out], `converting ${req.name} to ELF32`);
    renameSync(out, elf); // atomic: parallel workers may build the same program
  }
  rmSync(work, { recursive: true, force: true });
  return elf;
}

/** Builds a program kept as a file in tests/baremetal. */
export function buildBareMetalFile(file: string, mode: Mode, extras?: string[]): string {
  const source = readFileSync(join(baremetalDir, file), 'utf8');
  return buildBareMetal({ name: file.replace(/\.asm$/, ''), mode, source, extras });
}
