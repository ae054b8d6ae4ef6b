/**
 * The x87 register file and control state (SDM Vol. 1 8.1) in one Uint32Array, and
 * the register-stack model: TOP, tags, push/pop with stack fault (8.5.1.1), and the
 * exception summary bits ES/B that tell the CPU an unmasked exception is pending.
 *
 * Tags: like P6 and later processors, the state keeps only the abridged tag (empty or
 * not, one bit per physical register, the FXSAVE form). The full 2-bit tag word of
 * FSTENV/FSAVE is computed from the register contents (8.1.7); loading a full tag word
 * (FLDENV/FRSTOR) keeps only "empty or not".
 */
import { CLS_NORMAL, CLS_ZERO, F80, FpEnv, IE, SF, classify, setIndefinite } from './float80.ts';

// Word offsets into FpuState.w.
/** Physical registers R0-R7, 3 words each: significand lo, significand hi, sign|exponent. */
export const W_REGS = 0;
export const W_FCW = 24, W_FSW = 25, W_FTW = 26, W_FOP = 27;
/** Last x87 instruction pointer (64-bit lo/hi) and CS selector; last data pointer and DS selector. */
export const W_FIP_LO = 28, W_FIP_HI = 29, W_FCS = 30, W_FDP_LO = 31, W_FDP_HI = 32, W_FDS = 33;
export const FPU_WORDS = 34;

// FSW bits (SDM Vol. 1 Figure 8-4).
export const FSW_ES = 0x80, FSW_C0 = 0x100, FSW_C1 = 0x200, FSW_C2 = 0x400, FSW_C3 = 0x4000, FSW_B = 0x8000;
export const FSW_TOP_SHIFT = 11;
export const FSW_CC = FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3;

// Full tag values (SDM Vol. 1 Figure 8-7).
export const TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3;

export const FCW_INIT = 0x037f;

export class FpuState {
  /** All state; snapshot = copy this array. */
  readonly w: Uint32Array;
  /** Environment of the instruction in flight (see begin/finish). */
  readonly env = new FpEnv();

  constructor(w: Uint32Array = new Uint32Array(FPU_WORDS)) {
    if (w.length < FPU_WORDS) throw new Error(`FpuState needs ${FPU_WORDS} words`);
    this.w = w;
    this.reset();
  }

  /** FNINIT / power-up (SDM Vol. 1 8.1.x, Table 9-1): registers keep their contents. */
  reset(): void {
    const w = this.w;
    w[W_FCW] = FCW_INIT; w[W_FSW] = 0; w[W_FTW] = 0; w[W_FOP] = 0;
    w[W_FIP_LO] = 0; w[W_FIP_HI] = 0; w[W_FCS] = 0; w[W_FDP_LO] = 0; w[W_FDP_HI] = 0; w[W_FDS] = 0;
  }

  get fcw(): number { return this.w[W_FCW]!; }
  get fsw(): number { return this.w[W_FSW]!; }
  get top(): number { return (this.w[W_FSW]! >>> FSW_TOP_SHIFT) & 7; }
  set top(t: number) { this.w[W_FSW] = (this.w[W_FSW]! & ~(7 << FSW_TOP_SHIFT)) | ((t & 7) << FSW_TOP_SHIFT); }
  /** Abridged tag: bit p set = physical register p holds a value. */
  get ftwAbridged(): number { return this.w[W_FTW]! & 0xff; }
  set ftwAbridged(t: number) { this.w[W_FTW] = t & 0xff; }

  /** Physical register number of ST(i). */
  phys(i: number): number { return (this.top + i) & 7; }
  isEmpty(i: number): boolean { return (this.w[W_FTW]! & (1 << this.phys(i))) === 0; }

  /** out = ST(i), regardless of its tag. */
  read(i: number, out: F80): F80 { return this.readPhys(this.phys(i), out); }
  readPhys(p: number, out: F80): F80 {
    const w = this.w, o = W_REGS + 3 * p;
    out.lo = w[o]!; out.hi = w[o + 1]!; out.se = w[o + 2]!;
    return out;
  }
  /** ST(i) = v and mark it valid. */
  write(i: number, v: F80): void { this.writePhys(this.phys(i), v); }
  writePhys(p: number, v: F80): void {
    const w = this.w, o = W_REGS + 3 * p;
    w[o] = v.lo; w[o + 1] = v.hi; w[o + 2] = v.se & 0xffff;
    w[W_FTW] = w[W_FTW]! | (1 << p);
  }
  /** Raw 80-bit store into a physical register without touching the tag (FRSTOR/FXRSTOR). */
  loadPhysRaw(p: number, se: number, hi: number, lo: number): void {
    const w = this.w, o = W_REGS + 3 * p;
    w[o] = lo >>> 0; w[o + 1] = hi >>> 0; w[o + 2] = se & 0xffff;
  }

  /** FFREE: tag ST(i) empty. */
  free(i: number): void { this.w[W_FTW] = this.w[W_FTW]! & ~(1 << this.phys(i)); }

  /** TOP - 1, ST(0) = v, tagged valid. Check pushOverflow() first. */
  push(v: F80): void {
    this.top = this.top - 1;
    this.write(0, v);
  }
  /** Tag ST(0) empty and TOP + 1. */
  pop(): void {
    this.free(0);
    this.top = this.top + 1;
  }

  /** FINCSTP / FDECSTP: rotate TOP without touching tags (C1 = 0). */
  incTop(): void { this.top = this.top + 1; }
  decTop(): void { this.top = this.top - 1; }

  /** Start an instruction: load RC/PC/masks from FCW and clear the flag accumulator. */
  begin(): FpEnv { return this.env.begin(this.w[W_FCW]!); }

  /**
   * Would a push overflow (ST(7) in use)? If so, do the stack-fault response: IE + SF,
   * C1 = 1; masked: push the QNaN indefinite. Returns true when the instruction is done.
   */
  pushOverflow(scratch: F80): boolean {
    if (this.isEmpty(7)) return false;
    const env = this.env;
    env.flags |= IE | SF;
    env.c1 = 1;
    if (!env.unmasked(IE)) { setIndefinite(scratch); this.push(scratch); }
    return true;
  }

  /**
   * Stack underflow (a source register is empty): IE + SF, C1 = 0; masked: the QNaN
   * indefinite goes to ST(dest) (dest < 0: no register destination). Returns true when
   * the response was masked (the instruction may go on to pop), false when unmasked (it
   * must change nothing further).
   */
  underflow(dest: number, scratch: F80): boolean {
    const env = this.env;
    env.flags |= IE | SF;
    env.c1 = 0;
    if (env.unmasked(IE)) return false;
    if (dest >= 0) { setIndefinite(scratch); this.write(dest, scratch); }
    return true;
  }

  /**
   * End an instruction: OR env.flags into FSW, C1 from env.c1, and ES/B when any raised
   * exception is unmasked. Condition codes C0/C2/C3 are the caller's (setCC).
   */
  finish(): void {
    const env = this.env;
    let fsw = this.w[W_FSW]! | (env.flags & 0x7f);
    fsw = env.c1 ? fsw | FSW_C1 : fsw & ~FSW_C1;
    this.w[W_FSW] = summarize(fsw, this.w[W_FCW]!);
  }

  /** Set all four condition codes (C0 C1 C2 C3 as 0/1). */
  setCC(c0: number, c1: number, c2: number, c3: number): void {
    this.w[W_FSW] = (this.w[W_FSW]! & ~FSW_CC) | (c0 ? FSW_C0 : 0) | (c1 ? FSW_C1 : 0) | (c2 ? FSW_C2 : 0) | (c3 ? FSW_C3 : 0);
  }

  /**
   * FLDCW: reserved bits 7 and 13-15 read as 0 and bit 6 as 1 (FLDCW 0 then FNSTCW gives
   * 0x0040). A newly unmasked pending exception sets ES/B; a newly masked one clears them.
   */
  setFcw(v: number): void {
    v = (v & 0x1f3f) | 0x40;
    this.w[W_FCW] = v;
    this.w[W_FSW] = summarize(this.w[W_FSW]!, v);
  }
  /** Load FSW (FLDENV/FRSTOR/FXRSTOR): ES/B are re-derived from the flags and FCW. */
  setFsw(v: number): void { this.w[W_FSW] = summarize(v & 0xffff, this.w[W_FCW]!); }

  /** FNCLEX: clear the exception flags, SF, ES and B. */
  clearExceptions(): void { this.w[W_FSW] = this.w[W_FSW]! & ~(0x7f | FSW_ES | FSW_B); }

  /** An unmasked exception is pending: the next waiting x87 instruction takes #MF (or IGNNE). */
  get pendingUnmasked(): boolean { return (this.w[W_FSW]! & FSW_ES) !== 0; }

  /** The full 16-bit tag word (FSTENV/FSAVE), recomputed from register contents. */
  fullTagWord(): number {
    let t = 0;
    const w = this.w, ftw = w[W_FTW]!;
    for (let p = 0; p < 8; p++) {
      let tag = TAG_EMPTY;
      if (ftw & (1 << p)) {
        const o = W_REGS + 3 * p;
        const c = classify(w[o + 2]!, w[o + 1]!, w[o]!);
        tag = c === CLS_ZERO ? TAG_ZERO : c === CLS_NORMAL ? TAG_VALID : TAG_SPECIAL;
      }
      t |= tag << (2 * p);
    }
    return t;
  }
  /** Load a full tag word: only "empty (11) or not" survives. */
  setFullTagWord(t: number): void {
    let a = 0;
    for (let p = 0; p < 8; p++) if (((t >>> (2 * p)) & 3) !== TAG_EMPTY) a |= 1 << p;
    this.w[W_FTW] = a;
  }

  /** Record FOP and the instruction pointer (call for every non-control x87 instruction). */
  setLastInstruction(fop: number, ipLo: number, ipHi: number, cs: number): void {
    const w = this.w;
    w[W_FOP] = fop & 0x7ff; w[W_FIP_LO] = ipLo; w[W_FIP_HI] = ipHi; w[W_FCS] = cs & 0xffff;
  }
  /** Record the last memory operand's address and segment selector. */
  setLastData(dpLo: number, dpHi: number, ds: number): void {
    const w = this.w;
    w[W_FDP_LO] = dpLo; w[W_FDP_HI] = dpHi; w[W_FDS] = ds & 0xffff;
  }
}

/** Set or clear ES and B from the exception flags that FCW leaves unmasked. */
function summarize(fsw: number, fcw: number): number {
  return (fsw & 0x3f & ~fcw) !== 0 ? fsw | FSW_ES | FSW_B : fsw & ~(FSW_ES | FSW_B);
}
