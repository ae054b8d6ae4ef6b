// String instructions MOVS/STOS/LODS/CMPS/SCAS in every element size, plain and
// with REP/REPE/REPNE, DF = 0 and 1, counts kept inside the scratch buffer.
import { ALL } from '../flags.ts';
import { type GenContext, SCRATCH_BYTES } from '../context.ts';
import type { InstructionGroup } from '../group.ts';

const OPS = ['movs', 'stos', 'lods', 'cmps', 'scas'];

function stringOp(ctx: GenContext): void {
  const r = ctx.rng;
  const long = ctx.mode === 64;
  const op = r.pick(OPS);
  const size = r.pick(long ? [1, 2, 4, 8] : [1, 2, 4]);
  const suffix = { 1: 'b', 2: 'w', 4: 'd', 8: 'q' }[size as 1 | 2 | 4 | 8];
  const compares = op === 'cmps' || op === 'scas';
  const prefix = r.pick(compares ? ['', 'repe ', 'repne '] : ['', 'rep ']);
  const count = prefix ? r.int(24) : 1;
  const down = r.bool(0.4);
  const span = Math.max(count, 1) * size;
  // Start so that every element stays inside scratch, going up (DF=0) or down (DF=1).
  const start = () => (down ? span - size + r.int(SCRATCH_BYTES - span + 1) : r.int(SCRATCH_BYTES - span + 1));
  const si = long ? 'esi' : 'esi', di = 'edi', cx = 'ecx';
  const usesSi = op === 'movs' || op === 'lods' || op === 'cmps';
  const usesDi = op !== 'lods';
  if (usesSi) ctx.emit(`mov ${si}, scratch+${start()}`);
  if (usesDi) ctx.emit(`mov ${di}, scratch+${start()}`);
  if (prefix) ctx.emit(`mov ${cx}, ${count}`);
  ctx.emit(down ? 'std' : 'cld');
  ctx.emit(`${prefix}${op}${suffix}`);
  if (compares && (!prefix || count > 0)) ctx.flags(ALL);
}

export const stringGroup: InstructionGroup = {
  name: 'string',
  weight: 1,
  gen: stringOp,
};
