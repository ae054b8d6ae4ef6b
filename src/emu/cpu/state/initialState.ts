/**
 * Architectural initial states written into the register file: power-on/RESET
 * (SDM Vol. 3 Table 10-1) and the Multiboot v1 OS entry state.
 */
import { AR_DB, AR_G, AR_L, AR_P, AR_S, CR0_CD, CR0_ET, CR0_NW, CR0_PE, CR0_PG, CR4_PAE, EFER_LMA, EFER_LME, SegReg } from '../arch.ts';
import { CcOp } from '../flags.ts';
import { cpuSignature, type CpuModel } from '../models/cpuModel.ts';
import {
  APIC_BASE, CC_OP, CR0, CR3, CR4, DR6, DR7, EFER, GDTR, GPR, IDTR, MISC_ENABLE, MTRR_DEF_TYPE, MXCSR, PAT, RFLAGS, RIP,
  SEG_AR, SEG_BASE_HI, SEG_BASE_LO, SEG_LIMIT, SEG_SEL, XCR0, segOff, FPU,
} from './layout.ts';
import { W_FCW, W_FTW } from '../fpu/state.ts';

export function setSegCache(s: Uint32Array, seg: number, sel: number, base: number, limit: number, ar: number): void {
  const b = segOff(seg, 0);
  s[b + SEG_SEL] = sel; s[b + SEG_BASE_LO] = base; s[b + SEG_BASE_HI] = 0; s[b + SEG_LIMIT] = limit; s[b + SEG_AR] = ar;
}

/** Power-on / RESET: real mode at F000:FFF0 with CS.base FFFF0000, EDX = processor signature. */
export function resetState(s: Uint32Array, m: CpuModel): void {
  s.fill(0);
  s[RFLAGS] = 2;
  s[CC_OP] = CcOp.Eager;
  s[RIP] = 0xfff0;
  s[CR0] = CR0_CD | CR0_NW | CR0_ET;
  s[GPR + 2 * 2] = cpuSignature(m);
  for (let seg = 0; seg < 6; seg++) setSegCache(s, seg, 0, 0, 0xffff, AR_P | AR_S | 0x3 /* data RW accessed */);
  setSegCache(s, SegReg.CS, 0xf000, 0xffff0000, 0xffff, AR_P | AR_S | 0xb /* code RX accessed */);
  setSegCache(s, SegReg.LDTR, 0, 0, 0xffff, AR_P | 0x2);
  setSegCache(s, SegReg.TR, 0, 0, 0xffff, AR_P | 0xb);
  s[GDTR + 2] = 0xffff;
  s[IDTR + 2] = 0xffff;
  s[DR6] = 0xffff0ff0;
  s[DR7] = 0x400;
  s[APIC_BASE] = 0xfee00900; // BSP, enabled
  s[PAT] = 0x00070406; s[PAT + 1] = 0x00070406;
  s[MTRR_DEF_TYPE] = 0;
  s[MISC_ENABLE] = 1; // fast strings
  s[XCR0] = 1;
  s[MXCSR] = 0x1f80;
  // x87 after RESET (SDM Vol. 3 Table 10-1): FCW 0040H, FSW 0, FTW 5555H (R0-R7 hold +0.0).
  s[FPU + W_FCW] = 0x40;
  s[FPU + W_FTW] = 0xff;
}

/**
 * Multiboot v1 entry (Multiboot spec 3.2): CR0.PE=1, PG=0; CS a flat 32-bit
 * execute/read segment (selector 08H), the data registers flat read/write
 * (10H); EFLAGS.IF=VM=0. EAX/EBX are set by the caller.
 */
export function multibootState(s: Uint32Array, entry: number): void {
  s[CR0] = (s[CR0] | CR0_PE) & ~CR0_PG;
  s[EFER] = 0;
  const code = AR_P | AR_S | 0xb | AR_DB | AR_G;
  const data = AR_P | AR_S | 0x3 | AR_DB | AR_G;
  setSegCache(s, SegReg.CS, 0x08, 0, 0xffffffff, code);
  for (const seg of [SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS, SegReg.SS]) setSegCache(s, seg, 0x10, 0, 0xffffffff, data);
  s[RFLAGS] = 2; s[CC_OP] = CcOp.Eager;
  s[RIP] = entry >>> 0; s[RIP + 1] = 0;
}

/** Flat 4 GiB code (L=1) and data descriptors: the Linux boot protocol's __BOOT_CS (10H) and __BOOT_DS (18H). */
export const LINUX_BOOT_CS = 0x10, LINUX_BOOT_DS = 0x18;

/**
 * Linux 64-bit boot protocol entry (Documentation/arch/x86/boot.rst, "64-bit
 * BOOT PROTOCOL"): long mode with paging on the loader's identity map (CR3),
 * CS = __BOOT_CS, DS/ES/SS = __BOOT_DS, interrupts off; RSI (set by the
 * caller) points at boot_params. `gdtBase`/`gdtLimit` describe the loader's GDT.
 */
export function linux64State(s: Uint32Array, entry: number, cr3: number, gdtBase: number, gdtLimit: number): void {
  s[CR0] = CR0_PE | CR0_ET | CR0_PG;
  s[CR3] = cr3; s[CR3 + 1] = 0;
  s[CR4] = CR4_PAE;
  s[EFER] = EFER_LME | EFER_LMA;
  const code = AR_P | AR_S | 0xb | AR_L | AR_G;
  const data = AR_P | AR_S | 0x3 | AR_DB | AR_G;
  setSegCache(s, SegReg.CS, LINUX_BOOT_CS, 0, 0xffffffff, code);
  for (const seg of [SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS, SegReg.SS]) setSegCache(s, seg, LINUX_BOOT_DS, 0, 0xffffffff, data);
  s[GDTR] = gdtBase; s[GDTR + 1] = 0; s[GDTR + 2] = gdtLimit;
  s[RFLAGS] = 2; s[CC_OP] = CcOp.Eager;
  s[RIP] = entry >>> 0; s[RIP + 1] = 0;
}

/**
 * PVH entry (Xen's x86 PVH boot ABI, as QEMU and Firecracker use it): 32-bit
 * protected mode, paging off, flat CS (execute/read) and data segments; EBX
 * (set by the caller) holds the hvm_start_info address.
 */
export function pvhState(s: Uint32Array, entry: number, gdtBase: number, gdtLimit: number): void {
  multibootState(s, entry);
  s[GDTR] = gdtBase; s[GDTR + 1] = 0; s[GDTR + 2] = gdtLimit;
}
