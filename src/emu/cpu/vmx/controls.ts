/**
 * VMX control bits (SDM Vol. 3 25.6-25.8) as data for the UI, and the numeric
 * masks the hot path uses. Only the bits named here are known to vmxlab; which
 * of them are implemented is decided in capabilities.ts.
 */

export interface ControlBit { readonly bit: number; readonly name: string; readonly sdm: string }
const b = (bit: number, name: string, sdm: string): ControlBit => ({ bit, name, sdm });

export const PIN_BASED_BITS: readonly ControlBit[] = [
  b(0, 'External-interrupt exiting', '25.6.1'), b(3, 'NMI exiting', '25.6.1'), b(5, 'Virtual NMIs', '25.6.1'),
  b(6, 'Activate VMX-preemption timer', '25.6.1'), b(7, 'Process posted interrupts', '25.6.1'),
];
export const PROC_BASED_BITS: readonly ControlBit[] = [
  b(2, 'Interrupt-window exiting', '25.6.2'), b(3, 'Use TSC offsetting', '25.6.2'), b(7, 'HLT exiting', '25.6.2'),
  b(9, 'INVLPG exiting', '25.6.2'), b(10, 'MWAIT exiting', '25.6.2'), b(11, 'RDPMC exiting', '25.6.2'),
  b(12, 'RDTSC exiting', '25.6.2'), b(15, 'CR3-load exiting', '25.6.2'), b(16, 'CR3-store exiting', '25.6.2'),
  b(17, 'Activate tertiary controls', '25.6.2'), b(19, 'CR8-load exiting', '25.6.2'), b(20, 'CR8-store exiting', '25.6.2'),
  b(21, 'Use TPR shadow', '25.6.2'), b(22, 'NMI-window exiting', '25.6.2'), b(23, 'MOV-DR exiting', '25.6.2'),
  b(24, 'Unconditional I/O exiting', '25.6.2'), b(25, 'Use I/O bitmaps', '25.6.2'), b(27, 'Monitor trap flag', '25.6.2'),
  b(28, 'Use MSR bitmaps', '25.6.2'), b(29, 'MONITOR exiting', '25.6.2'), b(30, 'PAUSE exiting', '25.6.2'),
  b(31, 'Activate secondary controls', '25.6.2'),
];
export const PROC_BASED2_BITS: readonly ControlBit[] = [
  b(0, 'Virtualize APIC accesses', '25.6.2'), b(1, 'Enable EPT', '25.6.2'), b(2, 'Descriptor-table exiting', '25.6.2'),
  b(3, 'Enable RDTSCP', '25.6.2'), b(4, 'Virtualize x2APIC mode', '25.6.2'), b(5, 'Enable VPID', '25.6.2'),
  b(6, 'WBINVD exiting', '25.6.2'), b(7, 'Unrestricted guest', '25.6.2'), b(8, 'APIC-register virtualization', '25.6.2'),
  b(9, 'Virtual-interrupt delivery', '25.6.2'), b(10, 'PAUSE-loop exiting', '25.6.2'), b(11, 'RDRAND exiting', '25.6.2'),
  b(12, 'Enable INVPCID', '25.6.2'), b(13, 'Enable VM functions', '25.6.2'), b(14, 'VMCS shadowing', '25.6.2'),
  b(15, 'Enable ENCLS exiting', '25.6.2'), b(16, 'RDSEED exiting', '25.6.2'), b(17, 'Enable PML', '25.6.2'),
  b(18, 'EPT-violation #VE', '25.6.2'), b(19, 'Conceal VMX from PT', '25.6.2'), b(20, 'Enable XSAVES/XRSTORS', '25.6.2'),
  b(22, 'Mode-based execute control for EPT', '25.6.2'), b(25, 'Use TSC scaling', '25.6.2'),
];
export const EXIT_BITS: readonly ControlBit[] = [
  b(2, 'Save debug controls', '25.7.1'), b(9, 'Host address-space size', '25.7.1'),
  b(12, 'Load IA32_PERF_GLOBAL_CTRL', '25.7.1'), b(15, 'Acknowledge interrupt on exit', '25.7.1'),
  b(18, 'Save IA32_PAT', '25.7.1'), b(19, 'Load IA32_PAT', '25.7.1'), b(20, 'Save IA32_EFER', '25.7.1'),
  b(21, 'Load IA32_EFER', '25.7.1'), b(22, 'Save VMX-preemption timer value', '25.7.1'),
];
export const ENTRY_BITS: readonly ControlBit[] = [
  b(2, 'Load debug controls', '25.8.1'), b(9, 'IA-32e mode guest', '25.8.1'), b(10, 'Entry to SMM', '25.8.1'),
  b(11, 'Deactivate dual-monitor treatment', '25.8.1'), b(13, 'Load IA32_PERF_GLOBAL_CTRL', '25.8.1'),
  b(14, 'Load IA32_PAT', '25.8.1'), b(15, 'Load IA32_EFER', '25.8.1'),
];

export const PIN = { EXT_INT_EXITING: 1 << 0, NMI_EXITING: 1 << 3, VIRTUAL_NMIS: 1 << 5, PREEMPTION_TIMER: 1 << 6 } as const;
export const PROC = {
  INTR_WINDOW_EXITING: 1 << 2, USE_TSC_OFFSETTING: 1 << 3, HLT_EXITING: 1 << 7, INVLPG_EXITING: 1 << 9,
  MWAIT_EXITING: 1 << 10, RDPMC_EXITING: 1 << 11, RDTSC_EXITING: 1 << 12, CR3_LOAD_EXITING: 1 << 15,
  CR3_STORE_EXITING: 1 << 16, CR8_LOAD_EXITING: 1 << 19, CR8_STORE_EXITING: 1 << 20, USE_TPR_SHADOW: 1 << 21,
  NMI_WINDOW_EXITING: 1 << 22, MOV_DR_EXITING: 1 << 23, UNCOND_IO_EXITING: 1 << 24, USE_IO_BITMAPS: 1 << 25,
  MONITOR_TRAP_FLAG: 1 << 27, USE_MSR_BITMAPS: 1 << 28, MONITOR_EXITING: 1 << 29, PAUSE_EXITING: 1 << 30,
  ACTIVATE_SECONDARY: (1 << 31) >>> 0,
} as const;
export const PROC2 = {
  ENABLE_EPT: 1 << 1, DESC_TABLE_EXITING: 1 << 2, ENABLE_RDTSCP: 1 << 3, ENABLE_VPID: 1 << 5, WBINVD_EXITING: 1 << 6,
  UNRESTRICTED_GUEST: 1 << 7, ENABLE_INVPCID: 1 << 12,
} as const;
export const EXIT = {
  SAVE_DEBUG_CONTROLS: 1 << 2, HOST_ADDR_SPACE_SIZE: 1 << 9, ACK_INTR_ON_EXIT: 1 << 15, SAVE_PAT: 1 << 18,
  LOAD_PAT: 1 << 19, SAVE_EFER: 1 << 20, LOAD_EFER: 1 << 21, SAVE_PREEMPTION_TIMER: 1 << 22,
} as const;
export const ENTRY = {
  LOAD_DEBUG_CONTROLS: 1 << 2, IA32E_MODE_GUEST: 1 << 9, ENTRY_TO_SMM: 1 << 10, DEACTIVATE_DUAL_MONITOR: 1 << 11,
  LOAD_PAT: 1 << 14, LOAD_EFER: 1 << 15,
} as const;
