// Generates a bare-metal differential program: N cases, each loading every GPR
// and the status flags with random values, running K random instructions from
// the enabled groups, then dumping registers, RFLAGS (with the flags the SDM
// leaves undefined masked off) and a checksum of the scratch buffer.
import { GenContext, type Mode, regName } from './context.ts';
import { initialFlags } from './flags.ts';
import type { InstructionGroup } from './group.ts';
import { Rng } from './rng.ts';
import { aluGroup } from './groups/alu.ts';
import { shiftGroup } from './groups/shift.ts';
import { mulDivGroup, divideErrorCase } from './groups/muldiv.ts';
import { bitsGroup } from './groups/bits.ts';
import { movesGroup } from './groups/moves.ts';
import { stringGroup } from './groups/string.ts';
import { sseGroup } from './groups/sse.ts';
import { sseFloatGroup } from './groups/sseFloat.ts';
import { x87Group } from './groups/x87.ts';
import { segsGroup } from './groups/segs.ts';
import { faultCase, faultPagesSetup } from './groups/faults.ts';

/** Every group the generator knows. */
export const ALL_GROUPS: readonly InstructionGroup[] = [aluGroup, shiftGroup, mulDivGroup, bitsGroup, movesGroup, stringGroup, segsGroup, x87Group,
  sseGroup, sseFloatGroup];
/** Groups enabled by default: all of them (integer, x87 basics, SSE/SSE2). */
export const DEFAULT_GROUPS = ['alu', 'shift', 'muldiv', 'bits', 'moves', 'string', 'segs', 'x87', 'sse'];

export const DONE_EXIT = 0x11;

export interface ProgramSpec {
  seed: number;
  mode: Mode;
  cases: number;
  /** Instructions per case (K). */
  length: number;
  groups?: string[];
  /** 'random' (default); 'divide-error': each case ends in a #DE; 'fault': in a deliberate
   *  #UD, #GP, #SS or #PF (groups/faults.ts). */
  kind?: 'random' | 'divide-error' | 'fault';
  /** Emit only these case ids (the others are still generated, so the ids keep their content). */
  only?: number[];
}

export interface GeneratedCase {
  id: number;
  /** Initial register/flag values and the instructions, as assembled. */
  listing: string[];
  /** RFLAGS bits masked off in the dump (undefined after the last writer). */
  flagMask: number;
}

export interface GeneratedProgram {
  name: string;
  spec: ProgramSpec;
  source: string;
  cases: GeneratedCase[];
  defines: string[];
}

export function generateProgram(spec: ProgramSpec): GeneratedProgram {
  const { mode } = spec;
  const names = spec.groups ?? DEFAULT_GROUPS;
  const groups = names.map((n) => {
    const g = ALL_GROUPS.find((x) => x.name === n);
    if (!g) throw new Error(`unknown instruction group '${n}' (have ${ALL_GROUPS.map((x) => x.name).join(', ')})`);
    return g;
  }).filter((g) => !g.modes || g.modes.includes(mode));
  const defines = [...new Set(groups.flatMap((g) => (g.needs ? [g.needs] : [])))];
  const sse = defines.includes('WANT_SSE');
  const totalWeight = groups.reduce((n, g) => n + g.weight, 0);
  const rng = new Rng(spec.seed * 2 + (mode === 64 ? 1 : 0));
  const nregs = mode === 64 ? 16 : 8;
  const cases: GeneratedCase[] = [];
  for (let id = 0; id < spec.cases; id++) {
    const ctx = new GenContext(rng, mode);
    // The listing holds everything the case depends on, so that it can be re-run alone.
    const listing: string[] = [`scratch = 0x${rng.u32().toString(16)}`];
    if (sse) {
      for (let x = 0; x < 8; x++) listing.push(`movdqu xmm${x}, [scratch+${x * 16 + rng.int(256)}]`);
    }
    for (let i = 0; i < nregs; i++) {
      if (i !== 4) listing.push(`mov ${regName(i, mode)}, 0x${rng.value(mode).toString(16)}`);
    }
    listing.push(`rflags = 0x${initialFlags(rng.u32()).toString(16)}`);
    for (let k = 0; k < spec.length; k++) pickGroup(groups, totalWeight, rng).gen(ctx);
    for (const g of groups) g.finish?.(ctx);
    if (spec.kind === 'divide-error') divideErrorCase(ctx);
    else if (spec.kind === 'fault') faultCase(ctx);
    listing.push(...ctx.lines);
    cases.push({ id, listing, flagMask: ctx.undef });
  }
  const kept = spec.only ? cases.filter((c) => spec.only!.includes(c.id)) : cases;
  const name = `gen-${spec.kind ?? 'random'}-s${spec.seed}-n${spec.cases}-k${spec.length}` +
    (spec.only ? `-only${spec.only.join('_')}` : '');
  return buildProgram(name, spec, kept, defines, groups.flatMap((g) => g.setup ?? []));
}

/**
 * The program text for `cases` (listings as generateProgram writes them:
 * "scratch = <seed>", XMM loads, register loads, "rflags = <value>", then the
 * body). Also used to re-run a hand-edited listing (tests/diff/runCase.ts).
 */
export function buildProgram(name: string, spec: ProgramSpec, cases: GeneratedCase[], defines: string[], setup: string[] = [],
  dumpScratch = false): GeneratedProgram {
  const long = spec.mode === 64;
  const nregs = long ? 16 : 8;
  const word = long ? 'qword' : 'dword';
  const sp = long ? 'rsp' : 'esp';
  const sse = defines.includes('WANT_SSE');
  const faulting = spec.kind === 'divide-error' || spec.kind === 'fault';
  const out: string[] = [
    `; generated: seed ${spec.seed}, ${spec.mode}-bit, ${spec.cases} cases x ${spec.length} instructions, groups ${(spec.groups ?? DEFAULT_GROUPS).join(',')}`,
    'global test_main',
    'extern rt_regs, rt_saved_sp, rt_dump_state, rt_scratch_fill, scratch, rt_puts, fault_resume, gdt_spare',
    ...(dumpScratch ? ['extern rt_putc, rt_hex8, rt_hex32, rt_newline'] : []),
    ...(sse ? ['extern rt_dump_xmm'] : []),
    `bits ${spec.mode}`,
    'section .data',
    's_done: db "done", 10, 0',
    'section .text',
    'test_main:',
    ...(spec.kind === 'fault' && long ? faultPagesSetup() : []),
    ...setup,
  ];
  for (const c of cases) {
    out.push(`; ---- case ${c.id}`);
    for (const line of c.listing) {
      const scratch = /^scratch = (0x[0-9a-f]+)$/.exec(line);
      const flags = /^rflags = (0x[0-9a-f]+)$/.exec(line);
      if (scratch) {
        out.push(`mov edi, ${scratch[1]}`, 'call rt_scratch_fill', `mov [rt_saved_sp], ${sp}`);
      } else if (flags) {
        out.push(`push ${word} ${flags[1]}`, long ? 'popfq' : 'popfd');
        if (faulting) out.push(`mov ${word} [fault_resume], .resume${c.id}`);
      } else {
        out.push(line);
      }
    }
    if (faulting) out.push(`.resume${c.id}:`);
    for (let i = 0; i < nregs; i++) out.push(`mov [rt_regs+${i * 8}], ${regName(i, spec.mode)}`);
    out.push(long ? 'pushfq' : 'pushfd', `pop ${word} [rt_regs+${nregs * 8}]`, `mov ${sp}, [rt_saved_sp]`, 'cld');
    // Mask with AND of an imm32 (sign-extended in 64-bit mode): mask bits are all below bit 12.
    if (c.flagMask) out.push(`and ${word} [rt_regs+${nregs * 8}], ${~c.flagMask}`);
    out.push(`mov edi, ${c.id}`, 'call rt_dump_state');
    if (sse) out.push('call rt_dump_xmm');
    if (dumpScratch) {
      // Every scratch dword as "s<offset> <hex>" (for locating a memory-hash difference by hand).
      const bx = long ? 'rbx' : 'ebx';
      out.push('xor ebx, ebx', `.dump${c.id}:`, "mov edi, 's'", 'call rt_putc', 'mov edi, ebx', 'call rt_hex8', "mov edi, ' '", 'call rt_putc',
        `mov edi, [scratch+${bx}]`, 'call rt_hex32', 'call rt_newline', 'add ebx, 4', 'cmp ebx, 256', `jb .dump${c.id}`,
        'xor ebx, ebx', `.dumphi${c.id}:`, "mov edi, 't'", 'call rt_putc', 'mov edi, ebx', 'call rt_hex8', "mov edi, ' '", 'call rt_putc',
        `mov edi, [scratch+256+${bx}]`, 'call rt_hex32', 'call rt_newline', 'add ebx, 4', 'cmp ebx, 256', `jb .dumphi${c.id}`);
    }
  }
  out.push('mov edi, s_done', 'call rt_puts', `mov eax, ${DONE_EXIT}`, 'ret');
  return { name, spec, source: out.join('\n') + '\n', cases, defines };
}
function pickGroup(groups: InstructionGroup[], total: number, rng: Rng): InstructionGroup {
  let x = rng.int(total);
  for (const g of groups) {
    if (x < g.weight) return g;
    x -= g.weight;
  }
  return groups[groups.length - 1];
}
