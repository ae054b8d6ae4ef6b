/**
 * The VMX capability MSRs (SDM Vol. 3 Appendix A), describing exactly what
 * vmxlab implements. Control MSRs report allowed-0 settings (bits a control
 * must have as 1) in bits 31:0 and allowed-1 settings in bits 63:32.
 */
import type { VmxFeature } from './fields.ts';
import { ENTRY, EXIT, PIN, PROC, PROC2 } from './controls.ts';

export const VMX_MSR = {
  BASIC: 0x480, PINBASED_CTLS: 0x481, PROCBASED_CTLS: 0x482, EXIT_CTLS: 0x483, ENTRY_CTLS: 0x484, MISC: 0x485,
  CR0_FIXED0: 0x486, CR0_FIXED1: 0x487, CR4_FIXED0: 0x488, CR4_FIXED1: 0x489, VMCS_ENUM: 0x48a,
  PROCBASED_CTLS2: 0x48b, EPT_VPID_CAP: 0x48c, TRUE_PINBASED_CTLS: 0x48d, TRUE_PROCBASED_CTLS: 0x48e,
  TRUE_EXIT_CTLS: 0x48f, TRUE_ENTRY_CTLS: 0x490, VMFUNC: 0x491,
} as const;

/** VMCS revision identifier of this implementation (bits 30:0 of IA32_VMX_BASIC). */
export const VMCS_REVISION = 0x00766d78; // "xmv"

/** Features whose VMCS fields exist here (fields.ts `requires`). */
export const SUPPORTED_FEATURES: ReadonlySet<VmxFeature> = new Set<VmxFeature>(['vpid', 'ept', 'preemptionTimer']);

/** Default1 bits (SDM A.3-A.5): must be 1 in the non-TRUE MSRs. */
const PIN_DEFAULT1 = 0x00000016;
const PROC_DEFAULT1 = 0x0401e172;
const EXIT_DEFAULT1 = 0x00036dff;
const ENTRY_DEFAULT1 = 0x000011ff;

/** Controls whose 1-setting is implemented. */
export const PIN_ALLOWED1 = PIN_DEFAULT1 | PIN.EXT_INT_EXITING | PIN.PREEMPTION_TIMER;
export const PROC_ALLOWED1 = (PROC_DEFAULT1 | PROC.INTR_WINDOW_EXITING | PROC.USE_TSC_OFFSETTING | PROC.HLT_EXITING
  | PROC.INVLPG_EXITING | PROC.MWAIT_EXITING | PROC.RDPMC_EXITING | PROC.RDTSC_EXITING | PROC.CR3_LOAD_EXITING
  | PROC.CR3_STORE_EXITING | PROC.CR8_LOAD_EXITING | PROC.CR8_STORE_EXITING | PROC.MOV_DR_EXITING
  | PROC.UNCOND_IO_EXITING | PROC.USE_IO_BITMAPS | PROC.USE_MSR_BITMAPS | PROC.MONITOR_EXITING
  | PROC.PAUSE_EXITING | PROC.MONITOR_TRAP_FLAG | PROC.ACTIVATE_SECONDARY) >>> 0;
export const PROC2_ALLOWED1 = PROC2.ENABLE_EPT | PROC2.ENABLE_RDTSCP | PROC2.ENABLE_VPID | PROC2.WBINVD_EXITING | PROC2.ENABLE_INVPCID;
export const EXIT_ALLOWED1 = EXIT_DEFAULT1 | EXIT.HOST_ADDR_SPACE_SIZE | EXIT.ACK_INTR_ON_EXIT | EXIT.SAVE_PAT
  | EXIT.LOAD_PAT | EXIT.SAVE_EFER | EXIT.LOAD_EFER | EXIT.SAVE_PREEMPTION_TIMER;
export const ENTRY_ALLOWED1 = ENTRY_DEFAULT1 | ENTRY.IA32E_MODE_GUEST | ENTRY.LOAD_PAT | ENTRY.LOAD_EFER;

/**
 * TRUE_ MSRs (IA32_VMX_BASIC[55] = 1): the default1 controls that may be 0.
 * CR3-load/store exiting may be 0; "save/load debug controls" stay 1 (DR7 is
 * saved and loaded; IA32_DEBUGCTL does not exist in this core and reads as 0).
 */
export const PIN_ALLOWED0_TRUE = PIN_DEFAULT1;
export const PROC_ALLOWED0_TRUE = (PROC_DEFAULT1 & ~(PROC.CR3_LOAD_EXITING | PROC.CR3_STORE_EXITING)) >>> 0;
export const EXIT_ALLOWED0_TRUE = EXIT_DEFAULT1;
export const ENTRY_ALLOWED0_TRUE = ENTRY_DEFAULT1;

/**
 * IA32_VMX_MISC: preemption-timer rate 0 in bits 4:0 (one tick per TSC tick; vmxlab's TSC counts retired
 * instructions), bit 5 (LMA saved to "IA-32e mode guest"), bit 6 (HLT activity state), 4 CR3 targets,
 * 512 MSRs per list.
 */
export const MISC_LO = (1 << 5) | (1 << 6) | (4 << 16);
export const CR3_TARGET_MAX = 4;
export const MSR_LIST_MAX = 512;

/** CR0 bits fixed to 1 in VMX operation: PE, NE, PG (SDM A.7). */
export const CR0_FIXED0 = 0x80000021 | 0; // signed, so (x & CR0_FIXED0) === CR0_FIXED0 compares like with like
/** CR4 bits fixed to 1 in VMX operation: VMXE (SDM A.8). */
export const CR4_FIXED0 = 0x2000;

/**
 * IA32_VMX_EPT_VPID_CAP: 4-level walks (6), UC (8) and WB (14) EPTP memory types,
 * 2-MByte (16) and 1-GByte (17) pages, INVEPT (20) single-context (25) and
 * all-context (26); no execute-only pages, no accessed/dirty flags.
 * INVVPID (32) with all four types (40-43).
 */
export const EPT_VPID_CAP_LO = (1 << 6) | (1 << 8) | (1 << 14) | (1 << 16) | (1 << 20) | (1 << 25) | (1 << 26);
export const EPT_CAP_1G = 1 << 17;
export const EPT_VPID_CAP_HI = (1 << 0) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11);

/**
 * IA32_VMX_BASIC: revision, region size 4096 (44:32), memory type WB (53:50),
 * INS/OUTS instruction information (54), TRUE_ controls (55).
 */
export const BASIC_LO = VMCS_REVISION;
export const BASIC_HI = 4096 | (6 << 18) | (1 << 22) | (1 << 23);
