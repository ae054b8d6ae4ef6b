/** Architectural constants: register indices, EFLAGS/CR/EFER bits, vectors, MSR numbers (Intel SDM). */

export const enum Reg { AX = 0, CX = 1, DX = 2, BX = 3, SP = 4, BP = 5, SI = 6, DI = 7 }
export const enum SegReg { ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5, LDTR = 6, TR = 7 }

export const CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8, IF = 1 << 9,
  DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17, AC = 1 << 18,
  VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21;
/** The six status flags computed lazily. */
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Bit 1 of EFLAGS always reads 1. */
export const FLAGS_FIXED1 = 1 << 1;
/** Bits software can ever set (21:0 minus reserved 1, 3, 5, 15). */
export const FLAGS_VALID = 0x3f7fd5;

export const CR0_PE = 1 << 0, CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_ET = 1 << 4,
  CR0_NE = 1 << 5, CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30, CR0_PG = 1 << 31;
export const CR4_VME = 1 << 0, CR4_PVI = 1 << 1, CR4_TSD = 1 << 2, CR4_DE = 1 << 3, CR4_PSE = 1 << 4,
  CR4_PAE = 1 << 5, CR4_MCE = 1 << 6, CR4_PGE = 1 << 7, CR4_PCE = 1 << 8, CR4_OSFXSR = 1 << 9,
  CR4_OSXMMEXCPT = 1 << 10, CR4_UMIP = 1 << 11, CR4_LA57 = 1 << 12, CR4_VMXE = 1 << 13, CR4_SMXE = 1 << 14,
  CR4_FSGSBASE = 1 << 16, CR4_PCIDE = 1 << 17, CR4_OSXSAVE = 1 << 18, CR4_SMEP = 1 << 20, CR4_SMAP = 1 << 21,
  CR4_PKE = 1 << 22;
export const EFER_SCE = 1 << 0, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;

export const enum Vec {
  DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11, SS = 12,
  GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19, VE = 20, CP = 21,
}

/** Segment access rights in the VMX format (SDM 24.4.1), which the VMCS reuses. */
export const AR_TYPE = 0xf, AR_S = 1 << 4, AR_DPL_SHIFT = 5, AR_P = 1 << 7, AR_AVL = 1 << 12, AR_L = 1 << 13,
  AR_DB = 1 << 14, AR_G = 1 << 15, AR_UNUSABLE = 1 << 16;
/** Type bits for S=1 descriptors. */
export const TYPE_ACCESSED = 1, TYPE_W = 2, TYPE_R = 2, TYPE_E = 4, TYPE_C = 4, TYPE_CODE = 8;

export const MSR = {
  TSC: 0x10, PLATFORM_ID: 0x17, APIC_BASE: 0x1b, FEATURE_CONTROL: 0x3a, TSC_ADJUST: 0x3b, SPEC_CTRL: 0x48,
  PRED_CMD: 0x49, BIOS_SIGN_ID: 0x8b, MTRRCAP: 0xfe, ARCH_CAPABILITIES: 0x10a,
  SYSENTER_CS: 0x174, SYSENTER_ESP: 0x175, SYSENTER_EIP: 0x176,
  MCG_CAP: 0x179, MCG_STATUS: 0x17a, MISC_ENABLE: 0x1a0,
  MTRR_PHYSBASE0: 0x200, MTRR_FIX64K_00000: 0x250, MTRR_FIX16K_80000: 0x258, MTRR_FIX16K_A0000: 0x259,
  MTRR_FIX4K_C0000: 0x268, MTRR_FIX4K_F8000: 0x26f, PAT: 0x277, MTRR_DEF_TYPE: 0x2ff,
  EFER: 0xc0000080, STAR: 0xc0000081, LSTAR: 0xc0000082, CSTAR: 0xc0000083, FMASK: 0xc0000084,
  FS_BASE: 0xc0000100, GS_BASE: 0xc0000101, KERNEL_GS_BASE: 0xc0000102, TSC_AUX: 0xc0000103,
} as const;
