// ALU instructions: ADD/ADC/SUB/SBB/AND/OR/XOR/CMP/TEST in every width and form
// (with LOCK on memory destinations where legal), INC/DEC/NEG/NOT, XCHG, XADD,
// CMPXCHG, and the flag instructions CLC/STC/CMC/LAHF/SAHF.
import { ALL, AF, CF, LOGIC_DEF, OF, PF, SF, ZF } from '../flags.ts';
import type { GenContext } from '../context.ts';
import { type InstructionGroup, regAndMem } from '../group.ts';

const BINARY = [
  { op: 'add', def: ALL, undef: 0, reads: 0, lock: true },
  { op: 'adc', def: ALL, undef: 0, reads: CF, lock: true },
  { op: 'sub', def: ALL, undef: 0, reads: 0, lock: true },
  { op: 'sbb', def: ALL, undef: 0, reads: CF, lock: true },
  { op: 'and', def: LOGIC_DEF, undef: AF, reads: 0, lock: true },
  { op: 'or', def: LOGIC_DEF, undef: AF, reads: 0, lock: true },
  { op: 'xor', def: LOGIC_DEF, undef: AF, reads: 0, lock: true },
  { op: 'cmp', def: ALL, undef: 0, reads: 0, lock: false },
  { op: 'test', def: LOGIC_DEF, undef: AF, reads: 0, lock: false },
];

function binary(ctx: GenContext): void {
  const r = ctx.rng;
  const ops = BINARY.filter((o) => ctx.canRead(o.reads));
  const o = r.pick(ops);
  const w = ctx.width();
  const form = r.pick(o.op === 'test' ? ['rr', 'ri', 'mr', 'mi', 'rm'] : ['rr', 'ri', 'ri8', 'rm', 'mr', 'mi']);
  const lock = o.lock && r.bool(0.5) ? 'lock ' : '';
  switch (form) {
    case 'rr': {
      const [a, b] = ctx.regs(w, 2).names;
      ctx.emit(`${o.op} ${a}, ${b}`);
      break;
    }
    case 'ri': ctx.emit(`${o.op} ${ctx.reg(w)}, ${ctx.imm(w)}`); break;
    case 'ri8': ctx.emit(`${o.op} ${ctx.reg(w)}, ${w === 8 ? ctx.imm(8) : `byte ${ctx.imm8s()}`}`); break;
    case 'rm': { const { reg, mem } = regAndMem(ctx, w); ctx.emit(`${o.op} ${reg}, ${mem}`); break; }
    case 'mr': { const { reg, mem } = regAndMem(ctx, w); ctx.emit(`${lock}${o.op} ${mem}, ${reg}`); break; }
    default: ctx.emit(`${lock}${o.op} ${ctx.mem(w)}, ${ctx.imm(w)}`);
  }
  ctx.flags(o.def, o.undef);
}

function unary(ctx: GenContext): void {
  const r = ctx.rng;
  const op = r.pick(['inc', 'dec', 'neg', 'not']);
  const w = ctx.width();
  if (r.bool(0.6)) ctx.emit(`${op} ${ctx.reg(w)}`);
  else ctx.emit(`${r.bool(0.5) ? 'lock ' : ''}${op} ${ctx.mem(w)}`);
  if (op === 'neg') ctx.flags(ALL);
  else if (op !== 'not') ctx.flags(OF | SF | ZF | AF | PF); // CF unchanged
}

function exchange(ctx: GenContext): void {
  const r = ctx.rng;
  const op = r.pick(['xchg', 'xadd', 'cmpxchg']);
  const w = ctx.width();
  if (r.bool(0.5)) {
    const [a, b] = ctx.regs(w, 2).names;
    // XCHG EAX, EAX in 64-bit mode is 87 C0 (zero-extends RAX), not NOP: worth generating.
    ctx.emit(`${op} ${a}, ${op === 'xchg' && r.bool(0.1) ? a : b}`);
  } else {
    const { reg, mem } = regAndMem(ctx, w);
    const lock = op !== 'xchg' && r.bool(0.6) ? 'lock ' : ''; // XCHG with memory locks implicitly
    ctx.emit(`${lock}${op} ${mem}, ${reg}`);
  }
  if (op !== 'xchg') ctx.flags(ALL);
}

function flagOps(ctx: GenContext): void {
  const r = ctx.rng;
  const ops = ['clc', 'stc', 'sahf'];
  if (ctx.canRead(CF)) ops.push('cmc');
  if (ctx.canRead(SF | ZF | AF | PF | CF)) ops.push('lahf');
  const op = r.pick(ops);
  ctx.emit(op);
  if (op === 'sahf') ctx.flags(SF | ZF | AF | PF | CF);
  else if (op !== 'lahf') ctx.flags(CF);
}

export const aluGroup: InstructionGroup = {
  name: 'alu',
  weight: 6,
  gen(ctx) {
    const k = ctx.rng.int(10);
    if (k < 6) binary(ctx);
    else if (k < 8) unary(ctx);
    else if (k < 9) exchange(ctx);
    else flagOps(ctx);
  },
};

