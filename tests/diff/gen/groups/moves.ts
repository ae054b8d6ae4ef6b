// Data movement: MOV, MOVZX/MOVSX/MOVSXD, LEA with every addressing form,
// CBW/CWDE/CDQE and CWD/CDQ/CQO, PUSH/POP (balanced by the case's stack depth).
import { type GenContext, regName, type Width } from '../context.ts';
import { type InstructionGroup, regAndMem } from '../group.ts';

function extend(ctx: GenContext): void {
  const r = ctx.rng;
  const long = ctx.mode === 64;
  const k = r.int(long ? 3 : 2);
  if (k === 2) {
    const dst = ctx.reg(64);
    ctx.emit(`movsxd ${dst}, ${r.bool(0.5) ? ctx.reg(32) : ctx.mem(32)}`);
    return;
  }
  const op = k === 0 ? 'movzx' : 'movsx';
  const srcW: Width = r.bool(0.5) ? 8 : 16;
  const dstW: Width = srcW === 8 ? r.pick(long ? [16, 32, 64] as Width[] : [16, 32] as Width[]) : r.pick(long ? [32, 64] as Width[] : [32] as Width[]);
  const dst = ctx.reg(dstW);
  // A REX-prefixed destination cannot pair with AH..BH; take 8-bit sources from the REX set then.
  let src: string;
  if (r.bool(0.6)) {
    do src = ctx.reg(srcW); while (/^[a-d]h$/.test(src) && /^r|^(sp|bp|si|di)l$/.test(dst));
  } else {
    src = ctx.mem(srcW);
  }
  ctx.emit(`${op} ${dst}, ${src}`);
}

function lea(ctx: GenContext): void {
  const r = ctx.rng;
  const long = ctx.mode === 64;
  const w: Width = r.pick(long ? [16, 32, 64] as Width[] : [16, 32] as Width[]);
  const dst = ctx.reg(w);
  if (long && r.bool(0.15)) {
    ctx.emit(`lea ${dst}, [rel scratch+${r.int(512)}]`);
    return;
  }
  // Any registers (including RSP as base and RBP/R13/R12 quirks), any scale and displacement.
  const aw: Width = long && r.bool(0.8) ? 64 : 32;
  const n = long ? 16 : 8;
  const base = r.int(n + 1); // n = no base
  let index = r.int(n + 1);
  if (index === 4) index = n; // RSP cannot be an index
  const parts: string[] = [];
  if (base < n) parts.push(regName(base, aw));
  if (index < n) parts.push(`${regName(index, aw)}*${r.pick([1, 2, 4, 8])}`);
  const disp = r.pick([0, r.range(-128, 127), (r.u32() | 0)]);
  let expr = parts.join('+');
  if (disp !== 0 || parts.length === 0) expr += (disp < 0 ? `-${-disp}` : `${expr ? '+' : ''}${disp}`);
  ctx.emit(`lea ${dst}, [${expr}]`);
}

function signExtendAcc(ctx: GenContext): void {
  const ops = ['cbw', 'cwde', 'cwd', 'cdq'];
  if (ctx.mode === 64) ops.push('cdqe', 'cqo');
  ctx.emit(ctx.rng.pick(ops));
}

function mov(ctx: GenContext): void {
  const r = ctx.rng;
  const w = ctx.width();
  const k = r.int(4);
  if (k === 0) {
    const [a, b] = ctx.regs(w, 2).names;
    ctx.emit(`mov ${a}, ${b}`);
  } else if (k === 1) {
    // 64-bit: also the 10-byte MOV r64, imm64 form.
    const imm = w === 64 && r.bool(0.5) ? `0x${r.value(64).toString(16)}` : ctx.imm(w);
    ctx.emit(`mov ${ctx.reg(w)}, ${imm}`);
  } else {
    const { reg, mem } = regAndMem(ctx, w);
    ctx.emit(k === 2 ? `mov ${reg}, ${mem}` : `mov ${mem}, ${reg}`);
  }
}

function stack(ctx: GenContext): void {
  const r = ctx.rng;
  const long = ctx.mode === 64;
  const w: Width = r.bool(0.8) ? (long ? 64 : 32) : 16;
  const size = w / 8;
  if (ctx.stackDepth >= size && r.bool(0.5)) {
    ctx.emit(`pop ${r.bool(0.7) ? ctx.reg(w) : ctx.mem(w)}`);
    ctx.stackDepth -= size;
    return;
  }
  if (ctx.stackDepth > 256) return;
  const k = r.int(3);
  if (k === 0) ctx.emit(`push ${ctx.reg(w)}`);
  else if (k === 1) ctx.emit(`push ${ctx.mem(w)}`);
  else ctx.emit(`push ${w === 16 ? 'word' : long ? 'qword' : 'dword'} ${w === 16 ? ctx.imm(16) : ctx.imm(32 as Width)}`);
  ctx.stackDepth += size;
}

export const movesGroup: InstructionGroup = {
  name: 'moves',
  weight: 4,
  gen(ctx) {
    const k = ctx.rng.int(8);
    if (k < 2) extend(ctx);
    else if (k < 4) lea(ctx);
    else if (k < 5) signExtendAcc(ctx);
    else if (k < 6) mov(ctx);
    else stack(ctx);
  },
};
