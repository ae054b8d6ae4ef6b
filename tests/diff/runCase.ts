// Runs generated cases (or a hand-edited listing) under QEMU and vmxlab and
// prints where they differ: the tool for minimizing a differential failure.
//
//   npx tsx tests/diff/runCase.ts --mode 64 --seed 3 --case 7        one case of a CI program
//   npx tsx tests/diff/runCase.ts --mode 64 --seed 3 --print 7 > c.txt  its listing, to edit
//   npx tsx tests/diff/runCase.ts --mode 64 --listing c.txt [--mask 0x810] [--scratch 1]   (1: dump scratch too)
//   npx tsx tests/diff/runCase.ts --mode 32 --seeds 1-200 [--cases 400]   many seeds, summary only
// Options --cases/--length/--groups default as in gen/seeds.ts; --kind divide-error.
import { readFileSync } from 'node:fs';
import { buildBareMetal, type Mode } from './build.ts';
import { runInQemu } from './qemuRunner.ts';
import { runInVmxlab } from './vmxlabRunner.ts';
import { buildProgram, generateProgram, type GeneratedProgram, type ProgramSpec } from './gen/program.ts';
import { compareDumps } from './gen/compare.ts';
import { diffConfig } from './gen/seeds.ts';
import { regName } from './gen/context.ts';

function args(): Map<string, string> {
  const m = new Map<string, string>();
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (!a[i].startsWith('--')) throw new Error(`unexpected argument '${a[i]}'`);
    m.set(a[i].slice(2), a[i + 1] ?? '');
    i++;
  }
  return m;
}

/** Runs one program on both sides; returns the difference report ('' when they agree). */
async function compare(prog: GeneratedProgram): Promise<string> {
  const elf = buildBareMetal({ name: prog.name, mode: prog.spec.mode, source: prog.source, extras: ['state.asm'], defines: prog.defines });
  const [qemu, vmx] = [await runInQemu(elf), runInVmxlab(elf)];
  if (vmx.reason !== 'exit') return `vmxlab stopped: ${vmx.reason}\n${vmx.message}\n${vmx.serial.slice(-800)}`;
  if (qemu.serial === vmx.serial) return '';
  const report = compareDumps(prog, 'qemu  ', qemu.serial, 'vmxlab', vmx.serial, 1000);
  if (report) return report;
  const a = qemu.serial.split('\n'), b = vmx.serial.split('\n');
  const k = a.findIndex((l, n) => l !== b[n]);
  return `serial differs outside the cases (QEMU ${qemu.timedOut ? 'timed out' : `exit ${qemu.exitCode}`}), line ${k + 1}:\n` +
    `  qemu  : ${a[k]}\n  vmxlab: ${b[k] ?? '(missing)'}`;
}

async function main(): Promise<void> {
  const a = args();
  const env: Record<string, string | undefined> = {
    VMXLAB_DIFF_SEEDS: a.get('seeds') ?? a.get('seed'), VMXLAB_DIFF_CASES: a.get('cases'),
    VMXLAB_DIFF_LENGTH: a.get('length'), VMXLAB_DIFF_GROUPS: a.get('groups'),
  };
  const cfg = diffConfig(env);
  const mode = Number(a.get('mode') ?? 64) as Mode;
  if (mode !== 32 && mode !== 64) throw new Error('--mode must be 32 or 64');
  const kind = a.get('kind') as ProgramSpec['kind'];
  const base = { mode, cases: cfg.cases, length: cfg.length, groups: cfg.groups, kind };

  if (a.has('listing')) {
    const listing = readFileSync(a.get('listing')!, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith(';'));
    // Registers the listing does not load start at zero on both sides (not the runtime's leftovers).
    const zero = Array.from({ length: mode === 64 ? 16 : 8 }, (_, i) => i).filter((i) => i !== 4).map((i) => `mov ${regName(i, mode)}, 0`);
    listing.splice(listing.findIndex((l) => l.startsWith('scratch =')) + 1, 0, ...zero);
    const spec: ProgramSpec = { ...base, seed: 0, cases: 1 };
    const gen = generateProgram({ ...spec, cases: 1, length: 1 }); // for the defines of the groups
    const setup = gen.source.slice(gen.source.indexOf('test_main:\n') + 11, gen.source.indexOf('; ---- case')).split('\n').filter(Boolean);
    const prog = buildProgram('listing', spec, [{ id: 0, listing, flagMask: Number(a.get('mask') ?? 0) }], gen.defines, setup,
      a.has('scratch'));
    console.log((await compare(prog)) || 'same');
    return;
  }
  if (a.has('print')) {
    const id = Number(a.get('print'));
    const prog = generateProgram({ ...base, seed: cfg.seeds[0], only: [id] });
    console.log(`; seed ${cfg.seeds[0]} ${mode}-bit case ${id}; flag mask 0x${prog.cases[0].flagMask.toString(16)}`);
    console.log(prog.cases[0].listing.join('\n'));
    return;
  }
  let failed = 0;
  for (const seed of cfg.seeds) {
    const only = a.has('case') ? a.get('case')!.split(',').map(Number) : undefined;
    const report = await compare(generateProgram({ ...base, seed, only }));
    if (report) failed++;
    console.log(report ? `seed ${seed}: DIFFERS\n${report}\n` : `seed ${seed}: same`);
  }
  console.log(`${cfg.seeds.length - failed}/${cfg.seeds.length} seeds agree (${mode}-bit, ${cfg.cases} cases x ${cfg.length})`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => { console.error((e as Error).message); process.exitCode = 2; });
