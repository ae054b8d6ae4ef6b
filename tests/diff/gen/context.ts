// State the generator keeps while writing one case: the listing so far, which
// arithmetic flags are currently undefined (SDM: "undefined" after the last
// instruction that wrote them), the stack depth, and helpers that pick
// registers, immediates and memory operands inside the scratch buffer.
import type { Rng } from './rng.ts';
import { ALL } from './flags.ts';

export type Mode = 32 | 64;
export type Width = 8 | 16 | 32 | 64;

export const SCRATCH_BYTES = 512;

const R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'];
const R8_REX = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'];
const R8_LEGACY = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];

export const SIZE_NAME: Record<Width, string> = { 8: 'byte', 16: 'word', 32: 'dword', 64: 'qword' };

/** Name of GPR `idx` at `width` (8-bit: REX names, so idx 4..7 are spl..dil). */
export function regName(idx: number, width: Width): string {
  return (width === 64 ? R64 : width === 32 ? R32 : width === 16 ? R16 : R8_REX)[idx];
}

export interface RegPick {
  names: string[];
  /** GPR indices the names live in (for 8-bit legacy AH..BH: the index of RAX..RBX). */
  idx: number[];
}

export class GenContext {
  readonly lines: string[] = [];
  /** Arithmetic flags whose value is currently undefined. */
  undef = 0;
  /** Bytes pushed and not yet popped in this case. */
  stackDepth = 0;

  constructor(readonly rng: Rng, readonly mode: Mode) {}

  emit(...lines: string[]): void {
    this.lines.push(...lines);
  }

  /** Records an instruction's effect on the status flags: `def` written with defined
   *  values, `undef` left undefined; the others keep their state. */
  flags(def: number, undef = 0): void {
    this.undef = (this.undef & ~(def | undef)) | (undef & ALL);
  }

  /** Whether every flag in `mask` currently has a defined value. */
  canRead(mask: number): boolean {
    return (this.undef & mask) === 0;
  }

  get nregs(): number {
    return this.mode === 64 ? 16 : 8;
  }

  /** Operand widths available in this mode, optionally without 8-bit. */
  width(opts: { no8?: boolean; no16?: boolean } = {}): Width {
    const ws: Width[] = [];
    if (!opts.no8) ws.push(8);
    if (!opts.no16) ws.push(16);
    ws.push(32);
    if (this.mode === 64) ws.push(64);
    return this.rng.pick(ws);
  }

  /** `n` distinct registers (never RSP/SP/SPL) of one width; for 8-bit all from one
   *  encoding class (legacy with AH..BH, or REX). `avoid` lists GPR indices to skip. */
  regs(width: Width, n: number, avoid: number[] = []): RegPick {
    const legacy8 = width === 8 && (this.mode === 32 || this.rng.bool(0.4));
    const cands: Array<{ name: string; idx: number }> = [];
    if (legacy8) {
      R8_LEGACY.forEach((name, i) => cands.push({ name, idx: i & 3 }));
    } else {
      for (let i = 0; i < this.nregs; i++) if (i !== 4) cands.push({ name: regName(i, width), idx: i });
    }
    const usable = cands.filter((c) => !avoid.includes(c.idx));
    const names: string[] = [];
    const idx: number[] = [];
    while (names.length < n) {
      const c = this.rng.pick(usable);
      if (names.includes(c.name) && usable.length > n) continue;
      names.push(c.name);
      idx.push(c.idx);
    }
    return { names, idx };
  }

  reg(width: Width, avoid: number[] = []): string {
    return this.regs(width, 1, avoid).names[0];
  }

  /** An immediate for a `width` operand: imm8/16/32 as written, imm32 sign-extended for 64. */
  imm(width: Width): string {
    const v = this.rng.value(width === 64 ? 32 : width);
    if (width === 64 || this.rng.bool(0.3)) {
      const bits = BigInt(width === 64 ? 32 : width);
      const signed = v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
      return signed.toString();
    }
    return `0x${v.toString(16)}`;
  }

  /** A small imm8 that NASM encodes in the sign-extended short form. */
  imm8s(): string {
    return String(this.rng.range(-128, 127));
  }

  /**
   * A memory operand of `width` bytes inside the scratch buffer, in one of the
   * addressing forms; may emit setup instructions that load base/index registers
   * (never those in `avoid`). Returns e.g. "dword [rbx+rcx*4-12]".
   */
  mem(width: Width, avoid: number[] = [], offset?: number, noRipRel = false): string {
    const size = width / 8;
    const t = offset ?? this.rng.int(SCRATCH_BYTES - size + 1);
    return `${SIZE_NAME[width]} ${this.addr(t, avoid, noRipRel)}`;
  }

  /** An address expression for scratch + t (see mem); `noRipRel` leaves out [rel ...]. */
  addr(t: number, avoid: number[] = [], noRipRel = false): string {
    const r = this.rng;
    const long = this.mode === 64;
    const forms = long ? ['abs', 'rel', 'base', 'sib', 'index', 'addr32'] : ['abs', 'base', 'sib', 'index'];
    if (noRipRel && long) forms.splice(forms.indexOf('rel'), 1);
    const form = r.pick(forms);
    if (form === 'abs') return `[scratch+${t}]`;
    if (form === 'rel') return `[rel scratch+${t}]`;
    const pool: number[] = [];
    for (let i = 0; i < this.nregs; i++) if (i !== 4 && !avoid.includes(i)) pool.push(i);
    const b = r.pick(pool);
    const i = r.pick(pool.filter((x) => x !== b));
    const aw: Width = long && form !== 'addr32' ? 64 : 32;
    const disp = (d: number) => (d < 0 ? `-${-d}` : `+${d}`);
    if (form === 'base') {
      const bo = r.int(SCRATCH_BYTES);
      this.emit(`mov ${regName(b, 32)}, scratch+${bo}`);
      return `[${regName(b, aw)}${disp(t - bo)}]`;
    }
    const scale = r.pick([1, 2, 4, 8]);
    const iv = r.int(16);
    this.emit(`mov ${regName(i, 32)}, ${iv}`);
    if (form === 'index') return `[${regName(i, aw)}*${scale}+scratch${disp(t - iv * scale)}]`;
    const bo = r.int(SCRATCH_BYTES);
    this.emit(`mov ${regName(b, 32)}, scratch+${bo}`);
    return `[${regName(b, aw)}+${regName(i, aw)}*${scale}${disp(t - bo - iv * scale)}]`;
  }
}
