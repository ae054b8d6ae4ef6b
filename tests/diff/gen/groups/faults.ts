// Deliberate faults: each case of a 'fault' program ends in one instruction
// that raises an exception; the runtime prints vector, error code, CR2 (#PF)
// and RIP, resumes after it, and the case dumps the registers (showing what a
// faulting REP string instruction had done before the fault). SDM Vol. 3
// ch. 6.15 gives the vectors and error codes; 4.7 the page-fault error code.
//
// 64-bit programs first change three 2 MiB pages of the runtime's identity map
// (faultPagesSetup): NP_PAGE not present, RO_PAGE read-only (CR0.WP=1), NX_PAGE
// execute-disable; all three are RAM on both sides, so reads that succeed agree.
import type { GenContext, Width } from '../context.ts';
import { SIZE_NAME } from '../context.ts';

export const NP_PAGE = 0x6000000, RO_PAGE = 0x6200000, NX_PAGE = 0x6400000;
const PAGE = 0x200000;

/** Instructions (64-bit) that make the three fault pages; run once before the cases. */
export function faultPagesSetup(): string[] {
  const pde = (page: number) => `rax + ${(page / PAGE) * 8}`;
  return [
    'mov rax, cr3', 'and rax, -4096', 'mov rax, [rax]', // PML4[0] -> PDPT
    'and rax, -4096', 'mov rax, [rax]', 'and rax, -4096', // PDPT[0] -> PD
    `and qword [${pde(NP_PAGE)}], -2`, // P = 0
    `and qword [${pde(RO_PAGE)}], -3`, // R/W = 0
    `bts qword [${pde(NX_PAGE)}], 63`, // XD = 1
    'mov rax, cr3', 'mov cr3, rax',
  ];
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;

function noncanonical(ctx: GenContext): bigint {
  const r = ctx.rng;
  // Bits 63:47 not all equal: just past either edge of the hole, or anywhere.
  const k = r.int(3);
  if (k === 0) return 0x0000800000000000n + BigInt(r.int(4096));
  if (k === 1) return 0xffff7ffffffff000n + BigInt(r.int(4096));
  const v = r.value(64);
  const top = v >> 47n;
  return top === 0n || top === 0x1ffffn ? v ^ (1n << 47n) : v; // flipping bit 47 of a canonical address
}

/** A not-present address: our NP page, above the 1 GiB map, or in the upper half. */
function notPresent(ctx: GenContext): bigint {
  const r = ctx.rng;
  const k = r.int(3);
  if (k === 0) return BigInt(NP_PAGE + r.int(PAGE - 8));
  if (k === 1) return 0x40000000n + (r.value(32) << BigInt(r.int(15)));
  return 0xffff800000000000n + (r.value(64) & 0x00007ffffffffff8n);
}

/** A register loaded with `value` (never RSP), emitted; returns its 64-bit name. */
function addrReg(ctx: GenContext, value: bigint, avoid: number[] = []): string {
  const reg = ctx.reg(64, avoid);
  ctx.emit(`mov ${reg}, ${hex(value)}`);
  return reg;
}

/** A load, store or read-modify-write of `width` bytes at [base]. */
function access(ctx: GenContext, base: string, kind: 'read' | 'write' | 'rmw', width: Width): void {
  const r = ctx.rng;
  const idx = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'].indexOf(base);
  let other: string;
  do other = ctx.reg(width, [idx]); while (/^[a-d]h$/.test(other)); // AH..BH cannot pair with REX

  const m = `${SIZE_NAME[width]} [${base}]`;
  if (kind === 'read') ctx.emit(r.pick([`mov ${other}, ${m}`, `add ${other}, ${m}`, `cmp ${m}, ${other}`]));
  else if (kind === 'write') ctx.emit(r.pick([`mov ${m}, ${other}`, `mov ${m}, ${width === 8 ? 1 : -1}`]));
  else ctx.emit(r.pick([`add ${m}, ${other}`, `lock xadd ${m}, ${other}`, `inc ${m}`, `xchg ${m}, ${other}`]));
}

/**
 * A REP string instruction that runs into a faulting page after `done` elements:
 * upwards into NP_PAGE (stores err 2, loads err 0), or downwards from NX_PAGE
 * (present, writable) into RO_PAGE (stores err 3). RCX/RSI/RDI show the progress.
 */
function stringIntoFault(ctx: GenContext): void {
  const r = ctx.rng;
  const size = r.pick([1, 2, 4, 8]);
  const sfx = { 1: 'b', 2: 'w', 4: 'd', 8: 'q' }[size as 1 | 2 | 4 | 8];
  const done = r.int(6);
  const down = r.bool(0.3);
  const op = down ? r.pick(['stos', 'movs']) : r.pick(['stos', 'movs', 'lods']);
  // Element `done` is the first one on the faulting page.
  const start = down ? NX_PAGE - size + done * size : NP_PAGE - done * size;
  ctx.emit(`mov ecx, ${done + 1 + r.int(20)}`);
  if (op === 'movs' && !down) ctx.emit(`mov rsi, ${hex(start)}`, 'mov edi, scratch+256');
  else if (op === 'movs') ctx.emit('mov esi, scratch+256', `mov rdi, ${hex(start)}`);
  else if (op === 'lods') ctx.emit(`mov rsi, ${hex(start)}`);
  else ctx.emit(`mov rdi, ${hex(start)}`);
  ctx.emit(down ? 'std' : 'cld');
  ctx.emit(`rep ${op}${sfx}`);
}

// Encodings that must raise #UD (SDM Vol. 2 Appendix A; "#UD if the LOCK prefix is used"
// for non-lockable instructions or register destinations). Left out because QEMU 7.2
// TCG runs them instead (tests/cpu/qemuDiffers.test.ts holds vmxlab to the SDM):
// LOCK MOV/TEST/BT with a memory operand, C6 /1-/6 and 8F /1-/7 (register forms).
const UD_BOTH = [
  'ud2', 'db 0x0f, 0xb9, 0xc0 ; UD1', 'db 0x0f, 0xff, 0xc0 ; UD0',
  'db 0xf0, 0x01, 0xd8 ; lock add eax, ebx', 'db 0xf0, 0x90 ; lock nop', 'db 0xf0, 0x38, 0x03 ; lock cmp [rbx], al',
  'db 0x8d, 0xc3 ; lea eax, ebx', 'db 0xfe, 0xd0 ; FE /2', 'db 0xff, 0xf8 ; FF /7', 'db 0x8e, 0xc8 ; mov cs, ax',
  'db 0x0f, 0x0b ; ud2 by bytes', 'db 0xc4, 0xc0, 0x00 ; VEX/LES reg form',
];
const UD_64 = ['db 0x06 ; push es', 'db 0x27 ; daa', 'db 0x60 ; pusha', 'db 0xd4, 0x0a ; aam', 'db 0xce ; into',
  'db 0x1f ; pop ds', 'db 0x9a, 0, 0, 0, 0, 0, 0 ; call far ptr16:32', 'db 0xc5, 0xc0, 0x00 ; VEX2'];
const UD_32 = ['db 0x0f, 0x05 ; syscall outside 64-bit mode', 'db 0x0f, 0x01, 0xf8 ; swapgs outside 64-bit mode',
  'db 0xc5, 0xc0, 0x00 ; LDS reg form / VEX2'];

function undefinedOpcode(ctx: GenContext): void {
  const menu = [...UD_BOTH, ...(ctx.mode === 64 ? UD_64 : UD_32)];
  const line = ctx.rng.pick(menu);
  // The LOCK forms address [rbx]/[ebx]: point it into scratch in case an implementation runs them.
  if (/\[rbx\]/.test(line)) ctx.emit('mov ebx, scratch+64');
  ctx.emit(ctx.mode === 32 ? line.replace(/\[rbx\]/, '[ebx]') : line);
}

/** General-protection faults that do not depend on segment limits. */
function generalProtection(ctx: GenContext): void {
  const r = ctx.rng;
  const k = r.int(ctx.mode === 64 ? 4 : 3);
  if (k === 0) {
    // More than 15 bytes (SDM Vol. 2 2.3.11): #GP(0).
    const n = 15 - r.int(4);
    ctx.emit(`times ${n} db ${r.pick(['0x66', '0x2e', '0x3e', '0x26', '0x64'])}`, r.pick(['nop', 'add eax, 0x12345678', 'mov ebx, ecx']));
  } else if (k === 1) {
    // Selector beyond the GDT limit: #GP(selector with RPL cleared).
    ctx.emit(`mov ax, ${hex((0x40 + r.int(0xffc0)) & 0xfffb)}`, r.pick(['mov ds, ax', 'mov es, ax', 'mov fs, ax', 'mov gs, ax']));
  } else if (k === 2) {
    // A code segment into SS (#GP(selector)), or the null selector into SS outside 64-bit mode.
    ctx.emit(ctx.mode === 64 ? 'mov ax, 0x18' : r.pick(['mov ax, 0x08', 'mov ax, 0', 'mov ax, 3']), 'mov ss, ax');
  } else {
    // Non-canonical data address: #GP(0) (a stack-segment reference would be #SS).
    const reg = addrReg(ctx, noncanonical(ctx), [5]);
    access(ctx, reg, r.pick(['read', 'write', 'rmw'] as const), ctx.width());
  }
}

/** 64-bit only. */
function pageFault(ctx: GenContext): void {
  const r = ctx.rng;
  const k = r.int(4);
  if (k === 0) {
    const reg = addrReg(ctx, notPresent(ctx), [5]);
    access(ctx, reg, r.pick(['read', 'write'] as const), ctx.width()); // err 0 / 2
  } else if (k === 1) {
    // RMW of a not-present page is left out: QEMU reports the read (W=0), hardware may report W=1.
    const reg = addrReg(ctx, BigInt(RO_PAGE + r.int(PAGE - 8)), [5]);
    access(ctx, reg, r.pick(['write', 'rmw'] as const), ctx.width()); // err 3
  } else if (k === 2) {
    // Instruction fetch from an XD page: err 0x11, CR2 = RIP = the target.
    const reg = addrReg(ctx, BigInt(NX_PAGE + r.int(PAGE)), [5]);
    ctx.emit(`${r.pick(['call', 'jmp'])} ${reg}`);
  } else {
    stringIntoFault(ctx);
  }
}

/** Appends the case's faulting instruction. */
export function faultCase(ctx: GenContext): void {
  const r = ctx.rng;
  if (ctx.mode === 32) {
    if (r.bool(0.5)) undefinedOpcode(ctx);
    else generalProtection(ctx);
    return;
  }
  // Not generated: #SS(0) for a non-canonical RBP/RSP-based address (SDM Vol. 3 6.15),
  // which QEMU 7.2 reports as #GP(0); tests/cpu/qemuDiffers.test.ts checks it.
  const k = r.int(7);
  if (k < 2) undefinedOpcode(ctx);
  else if (k < 4) generalProtection(ctx);
  else pageFault(ctx);
}
