// Segment overrides and segment bases: FS and GS hold a data segment whose base
// is the scratch buffer (GDT selector 0x20, built before the first case), so
// [fs:reg+disp] with a small offset lands in scratch. In 32-bit code this adds
// 16-bit addressing ([bx+si+disp], [bp+di], [si], disp16) under an override,
// in both modes string instructions whose source segment is overridden.
import { AF, ALL, CF, LOGIC_DEF } from '../flags.ts';
import { type GenContext, SCRATCH_BYTES, SIZE_NAME, type Width } from '../context.ts';
import type { InstructionGroup } from '../group.ts';

/** Fills GDT entry 0x20 (runtime's gdt_spare) with a byte-granular data segment based at scratch; loads FS and GS. */
export const SEG_SETUP = [
  'mov eax, scratch',
  'mov word [gdt_spare], 0xffff', // limit 15:0
  'mov [gdt_spare+2], ax', // base 15:0
  'shr eax, 16',
  'mov [gdt_spare+4], al', // base 23:16
  'mov byte [gdt_spare+5], 0x93', // present, DPL 0, data read/write, accessed
  'mov byte [gdt_spare+6], 0', // G = 0, limit 19:16 = 0
  'mov [gdt_spare+7], ah', // base 31:24
  'mov ax, 0x20', 'mov fs, ax', 'mov gs, ax',
];

const BASE16: Array<[number | null, number | null]> = [[3, 6], [3, 7], [5, 6], [5, 7], [null, 6], [null, 7], [5, null], [3, null], [null, null]];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];

/** A 16-bit address ([bx+si+d] ...) of scratch offset t under FS/GS: loads the registers it uses. */
function addr16(ctx: GenContext, t: number): { text: string; used: number[] } {
  const r = ctx.rng;
  const [b, i] = r.pick(BASE16);
  const parts: string[] = [];
  let rest = t;
  for (const reg of [b, i]) {
    if (reg === null) continue;
    const v = r.int(rest + 1);
    ctx.emit(`mov ${R16[reg]}, ${v}`);
    parts.push(R16[reg]);
    rest -= v;
  }
  parts.push(String(rest));
  return { text: `[${r.pick(['fs', 'gs'])}:${parts.join('+')}]`, used: [b, i].filter((x): x is number => x !== null) };
}

/** A 32/64-bit address of scratch offset t under FS/GS. */
function addrSeg(ctx: GenContext, t: number): { text: string; used: number[] } {
  const r = ctx.rng;
  const pool = Array.from({ length: ctx.nregs }, (_, k) => k).filter((k) => k !== 4);
  const b = r.pick(pool);
  const v = r.int(t + 1);
  const name = ctx.mode === 64 ? ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'][b]
    : ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'][b];
  ctx.emit(`mov ${ctx.mode === 64 ? ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'][b] : name}, ${v}`);
  return { text: `[${r.pick(['fs', 'gs'])}:${name}+${t - v}]`, used: [b] };
}

function memOp(ctx: GenContext): void {
  const r = ctx.rng;
  const w: Width = ctx.mode === 64 ? r.pick([8, 16, 32, 64] as Width[]) : r.pick([8, 16, 32] as Width[]);
  const t = r.int(SCRATCH_BYTES - w / 8 + 1);
  const a = ctx.mode === 32 && r.bool(0.6) ? addr16(ctx, t) : addrSeg(ctx, t);
  // A register operand not used by the address (8-bit: AL/CL/DL only, never AH..BH with REX).
  const avoid = a.used;
  let reg: string;
  do reg = ctx.reg(w, avoid); while (/^[a-d]h$/.test(reg));
  const m = `${SIZE_NAME[w]} ${a.text}`;
  const k = r.int(5);
  if (k === 0) ctx.emit(`mov ${reg}, ${m}`);
  else if (k === 1) ctx.emit(`mov ${m}, ${reg}`);
  else if (k === 2) {
    const op = r.pick(['add', 'sub', 'xor', 'and', 'or', 'cmp']);
    ctx.emit(`${op} ${m}, ${reg}`);
    if (['xor', 'and', 'or'].includes(op)) ctx.flags(LOGIC_DEF, AF); else ctx.flags(ALL);
  } else if (k === 3) {
    const op = r.pick(['inc', 'dec', 'not', 'neg']);
    ctx.emit(`${op} ${m}`);
    if (op === 'neg') ctx.flags(ALL); else if (op !== 'not') ctx.flags(ALL & ~CF); // INC/DEC keep CF
  }
  else if (w !== 8) ctx.emit(`lea ${reg}, ${a.text.replace(/^\[(fs|gs):/, '[')}`); // LEA ignores the segment
  else ctx.emit(`movzx ${ctx.reg(32, avoid)}, ${m}`);
}

/** MOVS/LODS/CMPS with the source under FS/GS (ESI/RSI is then an offset into scratch). */
function stringOp(ctx: GenContext): void {
  const r = ctx.rng;
  const long = ctx.mode === 64;
  const op = r.pick(['movs', 'lods', 'cmps']);
  const size = r.pick(long ? [1, 2, 4, 8] : [1, 2, 4]);
  const sfx = { 1: 'b', 2: 'w', 4: 'd', 8: 'q' }[size as 1 | 2 | 4 | 8];
  const rep = op === 'lods' ? '' : op === 'cmps' ? r.pick(['', 'repe ', 'repne ']) : r.pick(['', 'rep ']);
  const count = rep ? r.int(20) : 1;
  const down = r.bool(0.4);
  const span = Math.max(count, 1) * size;
  const start = () => (down ? span - size + r.int(SCRATCH_BYTES - span + 1) : r.int(SCRATCH_BYTES - span + 1));
  ctx.emit(`mov esi, ${start()}`);
  if (op !== 'lods') ctx.emit(`mov edi, scratch+${start()}`);
  if (rep) ctx.emit(`mov ecx, ${count}`);
  ctx.emit(down ? 'std' : 'cld');
  ctx.emit(`${rep}${r.pick(['fs', 'gs'])} ${op}${sfx}`);
  if (op === 'cmps' && (!rep || count > 0)) ctx.flags(ALL);
}

export const segsGroup: InstructionGroup = {
  name: 'segs',
  weight: 2,
  setup: SEG_SETUP,
  gen(ctx) {
    if (ctx.rng.bool(0.7)) memOp(ctx);
    else stringOp(ctx);
  },
};
