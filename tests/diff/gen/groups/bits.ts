// Bit instructions: BT/BTS/BTR/BTC (register and immediate offsets, LOCK on
// memory), BSF/BSR (nonzero sources), POPCNT/LZCNT/TZCNT, BSWAP, SETcc, CMOVcc.
import { AF, ALL, CF, CONDITIONS, OF, PF, SF, ZF } from '../flags.ts';
import { type GenContext, SCRATCH_BYTES } from '../context.ts';
import { type InstructionGroup, memAvoid, regAndMem } from '../group.ts';

function bitTest(ctx: GenContext): void {
  const r = ctx.rng;
  const op = r.pick(['bt', 'bts', 'btr', 'btc']);
  const w = ctx.width({ no8: true });
  const lock = op !== 'bt' && r.bool(0.5) ? 'lock ' : '';
  const k = r.int(4);
  if (k === 0) {
    const [a, b] = ctx.regs(w, 2).names;
    ctx.emit(`${op} ${a}, ${b}`); // offset taken modulo the operand size
  } else if (k === 1) {
    ctx.emit(`${op} ${ctx.reg(w)}, ${r.int(256)}`);
  } else if (k === 2) {
    ctx.emit(`${lock}${op} ${ctx.mem(w)}, ${r.int(256)}`); // imm offset is masked: stays in the operand
  } else {
    // Register offset into memory addresses a bit string: keep the word it selects in scratch.
    const size = w / 8;
    const t = r.int(SCRATCH_BYTES / size) * size;
    const words = SCRATCH_BYTES / size;
    const kword = r.int(words) - t / size; // word index relative to the operand
    const off = kword * w + r.int(w);
    const src = ctx.reg(w);
    const mem = ctx.mem(w, memAvoid(ctx, [src], [idxOfReg(ctx, src)]), t);
    ctx.emit(`mov ${src}, ${off}`);
    ctx.emit(`${lock}${op} ${mem}, ${src}`);
  }
  ctx.flags(CF, OF | SF | AF | PF); // ZF unaffected
}

/** GPR index of a 16/32/64-bit register name. */
function idxOfReg(ctx: GenContext, name: string): number {
  const base = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
  const m = /^r(\d+)[dw]?$/.exec(name);
  if (m) return Number(m[1]);
  const core = name.length === 3 ? name.slice(1) : name;
  const i = base.indexOf(core);
  if (i < 0) throw new Error(`unknown register ${name} (${ctx.mode}-bit)`);
  return i;
}

function bitScan(ctx: GenContext): void {
  const r = ctx.rng;
  const op = r.pick(['bsf', 'bsr']);
  const w = ctx.width({ no8: true });
  const dst = ctx.reg(w);
  // BTS makes the source nonzero: the destination is undefined for a zero source.
  if (r.bool(0.5)) {
    const src = ctx.reg(w);
    ctx.emit(`bts ${src}, ${r.int(w)}`);
    ctx.emit(`${op} ${dst}, ${src}`);
  } else {
    const mem = ctx.mem(w, memAvoid(ctx, [dst]));
    ctx.emit(`bts ${mem}, ${r.int(w)}`);
    ctx.emit(`${op} ${dst}, ${mem}`);
  }
  ctx.flags(ZF, CF | OF | SF | AF | PF);
}

function count(ctx: GenContext): void {
  const r = ctx.rng;
  const op = r.pick(['popcnt', 'lzcnt', 'tzcnt']);
  const w = ctx.width({ no8: true });
  const { reg, mem } = regAndMem(ctx, w);
  ctx.emit(`${op} ${reg}, ${r.bool(0.5) ? ctx.reg(w) : mem}`);
  if (op === 'popcnt') ctx.flags(ALL);
  else ctx.flags(CF | ZF, OF | SF | PF | AF);
}

function conditional(ctx: GenContext): boolean {
  const r = ctx.rng;
  const usable = CONDITIONS.filter((c) => ctx.canRead(c.reads));
  if (usable.length === 0) return false;
  const { cc } = r.pick(usable);
  if (r.bool(0.5)) {
    ctx.emit(`set${cc} ${r.bool(0.6) ? ctx.reg(8) : ctx.mem(8)}`);
  } else {
    const w = ctx.width({ no8: true });
    const { reg, mem } = regAndMem(ctx, w);
    ctx.emit(`cmov${cc} ${reg}, ${r.bool(0.5) ? ctx.reg(w) : mem}`);
  }
  return true;
}

export const bitsGroup: InstructionGroup = {
  name: 'bits',
  weight: 4,
  gen(ctx) {
    const k = ctx.rng.int(6);
    if (k === 0) bitTest(ctx);
    else if (k === 1) bitScan(ctx);
    else if (k === 2) count(ctx);
    else if (k === 3) ctx.emit(`bswap ${ctx.reg(ctx.mode === 64 && ctx.rng.bool(0.5) ? 64 : 32)}`);
    else if (!conditional(ctx)) bitTest(ctx);
  },
};
