/**
 * A small machine for CPU tests: RAM, an I/O bus, a CPU in real, 32-bit
 * protected or 64-bit long mode with an IDT whose handlers record the vector,
 * and nasm to assemble the snippets (Debian's nasm, as the bare-metal tests use).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhysicalMemory } from '../../src/emu/mem/physicalMemory.ts';
import { IoBus } from '../../src/emu/devices/ioBus.ts';
import { Cpu, RunExit, setSegCache } from '../../src/emu/cpu/cpu.ts';
import type { CpuModel } from '../../src/emu/cpu/models/cpuModel.ts';
import { PageTableBuilder } from '../../src/emu/cpu/mmu/pageTableBuilder.ts';
import { CR0, CR3, CR4, EFER, GDTR, GPR, IDTR, RIP, SEG_SEL, segOff } from '../../src/emu/cpu/state/layout.ts';
import { readFlags } from '../../src/emu/cpu/flags.ts';

export type Mode = 'real' | 'prot32' | 'long64';

export const CODE = 0x10000;
/** Where exception handlers write 0x100 + vector. */
export const EXC_MARK = 0x800;
const IDT = 0x1000, STUBS = 0x2000, GDT = 0x3000, STACK_TOP = 0x9000, PT_BASE = 0x100000;

export function assemble(src: string, bits: 16 | 32 | 64, org: number): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'vmxlab-asm-'));
  try {
    writeFileSync(join(dir, 'a.asm'), `bits ${bits}\norg 0x${org.toString(16)}\n${src}\n`);
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'a.bin'), join(dir, 'a.asm')], { stdio: ['ignore', 'ignore', 'pipe'] });
    return new Uint8Array(readFileSync(join(dir, 'a.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const REGS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

export class TestMachine {
  readonly mem = new PhysicalMemory(4 << 20);
  readonly io = new IoBus();
  readonly cpu: Cpu;

  /** `model` replaces the default CPU model (e.g. to advertise a feature under test). */
  constructor(readonly mode: Mode, model?: CpuModel) {
    this.cpu = new Cpu(this.mem, this.io, model);
    const c = this.cpu, s = c.s;
    if (mode === 'real') {
      setSegCache(s, 1, 0x1000, 0x10000, 0xffff, 0x9b);
      for (const seg of [0, 2, 3, 4, 5]) setSegCache(s, seg, 0, 0, 0xffff, 0x93);
      s[RIP] = 0; s[GPR + 8] = STACK_TOP;
      this.realIvt();
      c.updateMode();
      return;
    }
    c.setMultibootEntryState(CODE, 0, 0);
    s[GPR + 8] = STACK_TOP;
    this.gdt();
    if (mode === 'prot32') { this.idt32(); return; }
    const pt = new PageTableBuilder(this.mem, 'level4', PT_BASE);
    for (let mb = 0; mb < 4; mb += 2) pt.map(mb << 20, 0, mb << 20, 0x2 | 0x4, { pageBits: 21 });
    s[CR3] = pt.root;
    s[CR4] |= 1 << 5;
    s[EFER] |= (1 << 8) | (1 << 10);
    s[CR0] |= 1 << 31;
    setSegCache(s, 1, 0x08, 0, 0xffffffff, 0xa09b); // 64-bit code
    if (!c.syncMmu()) throw new Error('bad paging setup');
    c.updateMode();
    this.idt64();
  }

  private gdt(): void {
    const m = this.mem;
    const d = [[0, 0], [0x0000ffff, 0x00af9a00], [0x0000ffff, 0x00cf9200], [0x0000ffff, 0x00cf9a00],
      [0x0000ffff, 0x00cffa00], [0x0000ffff, 0x00cff200], [0x0000ffff, 0x00affa00]];
    d.forEach(([lo, hi], k) => { m.write32(GDT + k * 8, lo); m.write32(GDT + k * 8 + 4, hi); });
    const s = this.cpu.s;
    s[GDTR] = GDT; s[GDTR + 1] = 0; s[GDTR + 2] = d.length * 8 - 1;
    // prot32 uses 0x18 as CS (32-bit code) and 0x10 as data.
    if (this.mode === 'prot32') s[segOff(1, SEG_SEL)] = 0x18;
  }

  private stubs(bits: 32 | 64): void {
    let src = '';
    for (let v = 0; v < 32; v++) src += `align 16\nmov dword [${EXC_MARK}], ${0x100 + v}\nhlt\njmp $-1\n`;
    this.mem.load(STUBS, assemble(src, bits, STUBS));
  }

  private idt32(): void {
    this.stubs(32);
    for (let v = 0; v < 32; v++) {
      const off = STUBS + v * 16;
      this.mem.write32(IDT + v * 8, (0x18 << 16) | (off & 0xffff));
      this.mem.write32(IDT + v * 8 + 4, (off & 0xffff0000) | 0x8e00);
    }
    const s = this.cpu.s;
    s[IDTR] = IDT; s[IDTR + 2] = 32 * 8 - 1;
  }

  private idt64(): void {
    this.stubs(64);
    for (let v = 0; v < 32; v++) {
      const off = STUBS + v * 16;
      this.mem.write32(IDT + v * 16, (0x08 << 16) | (off & 0xffff));
      this.mem.write32(IDT + v * 16 + 4, (off & 0xffff0000) | 0x8e00);
      this.mem.write32(IDT + v * 16 + 8, 0);
      this.mem.write32(IDT + v * 16 + 12, 0);
    }
    const s = this.cpu.s;
    s[IDTR] = IDT; s[IDTR + 2] = 32 * 16 - 1;
  }

  private realIvt(): void {
    let src = '';
    for (let v = 0; v < 32; v++) src += `align 16\nmov word [${EXC_MARK}], ${0x100 + v}\nhlt\njmp $-1\n`;
    // Real-mode stubs run with DS=0.
    this.mem.load(STUBS, assemble(src, 16, 0));
    for (let v = 0; v < 32; v++) this.mem.write32(v * 4, (0x200 << 16) | (v * 16));
  }

  get bits(): 16 | 32 | 64 {
    return this.mode === 'real' ? 16 : this.mode === 'prot32' ? 32 : 64;
  }

  /** Assembles `src` at the code address and loads it. */
  load(src: string): this {
    const code = assemble(src, this.bits, this.mode === 'real' ? 0 : CODE);
    this.mem.load(CODE, code);
    this.cpu.notifyPhysWrite(CODE, code.length);
    return this;
  }

  run(budget = 1_000_000): RunExit {
    return this.cpu.run(budget);
  }

  /** Runs until HLT; throws with the register dump on anything else. */
  runToHlt(budget = 1_000_000): this {
    const r = this.cpu.run(budget);
    if (r !== RunExit.Halted) throw new Error(`run ended with ${r}: ${this.cpu.lastExitMessage}\n${this.cpu.dumpRegisters()}`);
    return this;
  }

  /** 64-bit register value as BigInt. */
  reg(name: string): bigint {
    const k = REGS.indexOf(name);
    if (k < 0) throw new Error(`no register ${name}`);
    const s = this.cpu.s;
    return (BigInt(s[GPR + k * 2 + 1]) << 32n) | BigInt(s[GPR + k * 2]);
  }

  setReg(name: string, v: bigint): void {
    const k = REGS.indexOf(name);
    const s = this.cpu.s;
    s[GPR + k * 2] = Number(v & 0xffffffffn); s[GPR + k * 2 + 1] = Number((v >> 32n) & 0xffffffffn);
  }

  get flags(): number {
    return readFlags(this.cpu.s);
  }

  /** Vector recorded by the exception stubs, or -1. */
  get exception(): number {
    const v = this.mem.read32(EXC_MARK) & 0xffff;
    return v >= 0x100 ? v - 0x100 : -1;
  }

  rip(): bigint {
    const s = this.cpu.s;
    return (BigInt(s[RIP + 1]) << 32n) | BigInt(s[RIP]);
  }
}

export { CR0, CR3, CR4, EFER };
