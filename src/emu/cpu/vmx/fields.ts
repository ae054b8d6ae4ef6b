/**
 * Every VMCS field of SDM Vol. 3 Appendix B as data: encoding, SDM name and,
 * where the field only exists with a VMX feature, the feature it needs. Width,
 * type (group) and access type are derived from the encoding bits (SDM 25.11.2):
 * bit 0 access type (1 = high half of a 64-bit field), 9:1 index, 11:10 type
 * (0 control, 1 VM-exit information (read-only), 2 guest state, 3 host state),
 * 14:13 width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural width).
 * The UI reads names and groups from here; the emulator reads only numbers.
 */

/** VMX features a field can depend on; only those in vmcs.ts SUPPORTED_FEATURES are VMREAD/VMWRITE-able. */
export type VmxFeature =
  | 'vpid' | 'postedInterrupts' | 'eptpSwitching' | 'hlat' | 'ipiVirtualization' | 'virtualInterruptDelivery'
  | 'pml' | 'uintr' | 'vmcsShadowing' | 'virtualizationException' | 'xsaves' | 'encls' | 'spp' | 'tscScaling'
  | 'tertiaryControls' | 'enclv' | 'pasidTranslation' | 'pconfig' | 'secondaryExitControls' | 'specCtrlVirt'
  | 'ept' | 'vmfunc' | 'virtualApic' | 'apicAccess' | 'perfGlobalCtrl' | 'mpx' | 'rtit' | 'lbr' | 'pkrs'
  | 'cet' | 'preemptionTimer' | 'instructionTimeout' | 'pauseLoopExiting' | 'unrestrictedGuest';

export const enum FieldWidth { W16 = 0, W64 = 1, W32 = 2, Natural = 3 }
export const enum FieldGroup { Control = 0, ExitInfo = 1, Guest = 2, Host = 3 }

export interface VmcsFieldDef {
  /** Encoding with access type 0 (full). */
  readonly enc: number;
  readonly name: string;
  readonly requires?: VmxFeature;
}

const d = (enc: number, name: string, requires?: VmxFeature): VmcsFieldDef => ({ enc, name, requires });

export const VMCS_FIELDS: readonly VmcsFieldDef[] = [
  // B.1.1 16-bit control fields
  d(0x0000, 'VIRTUAL_PROCESSOR_ID', 'vpid'),
  d(0x0002, 'POSTED_INTR_NOTIFICATION_VECTOR', 'postedInterrupts'),
  d(0x0004, 'EPTP_INDEX', 'virtualizationException'),
  d(0x0006, 'HLAT_PREFIX_SIZE', 'hlat'),
  d(0x0008, 'LAST_PID_POINTER_INDEX', 'ipiVirtualization'),
  // B.1.2 16-bit guest-state fields
  d(0x0800, 'GUEST_ES_SELECTOR'), d(0x0802, 'GUEST_CS_SELECTOR'), d(0x0804, 'GUEST_SS_SELECTOR'),
  d(0x0806, 'GUEST_DS_SELECTOR'), d(0x0808, 'GUEST_FS_SELECTOR'), d(0x080a, 'GUEST_GS_SELECTOR'),
  d(0x080c, 'GUEST_LDTR_SELECTOR'), d(0x080e, 'GUEST_TR_SELECTOR'),
  d(0x0810, 'GUEST_INTR_STATUS', 'virtualInterruptDelivery'),
  d(0x0812, 'GUEST_PML_INDEX', 'pml'),
  d(0x0814, 'GUEST_UINV', 'uintr'),
  // B.1.3 16-bit host-state fields
  d(0x0c00, 'HOST_ES_SELECTOR'), d(0x0c02, 'HOST_CS_SELECTOR'), d(0x0c04, 'HOST_SS_SELECTOR'),
  d(0x0c06, 'HOST_DS_SELECTOR'), d(0x0c08, 'HOST_FS_SELECTOR'), d(0x0c0a, 'HOST_GS_SELECTOR'),
  d(0x0c0c, 'HOST_TR_SELECTOR'),
  // B.2.1 64-bit control fields
  d(0x2000, 'IO_BITMAP_A'), d(0x2002, 'IO_BITMAP_B'), d(0x2004, 'MSR_BITMAP'),
  d(0x2006, 'VM_EXIT_MSR_STORE_ADDR'), d(0x2008, 'VM_EXIT_MSR_LOAD_ADDR'), d(0x200a, 'VM_ENTRY_MSR_LOAD_ADDR'),
  d(0x200c, 'EXECUTIVE_VMCS_POINTER'),
  d(0x200e, 'PML_ADDRESS', 'pml'),
  d(0x2010, 'TSC_OFFSET'),
  d(0x2012, 'VIRTUAL_APIC_PAGE_ADDR', 'virtualApic'),
  d(0x2014, 'APIC_ACCESS_ADDR', 'apicAccess'),
  d(0x2016, 'POSTED_INTR_DESC_ADDR', 'postedInterrupts'),
  d(0x2018, 'VM_FUNCTION_CONTROLS', 'vmfunc'),
  d(0x201a, 'EPT_POINTER', 'ept'),
  d(0x201c, 'EOI_EXIT_BITMAP0', 'virtualInterruptDelivery'), d(0x201e, 'EOI_EXIT_BITMAP1', 'virtualInterruptDelivery'),
  d(0x2020, 'EOI_EXIT_BITMAP2', 'virtualInterruptDelivery'), d(0x2022, 'EOI_EXIT_BITMAP3', 'virtualInterruptDelivery'),
  d(0x2024, 'EPTP_LIST_ADDRESS', 'eptpSwitching'),
  d(0x2026, 'VMREAD_BITMAP', 'vmcsShadowing'), d(0x2028, 'VMWRITE_BITMAP', 'vmcsShadowing'),
  d(0x202a, 'VE_INFORMATION_ADDRESS', 'virtualizationException'),
  d(0x202c, 'XSS_EXIT_BITMAP', 'xsaves'),
  d(0x202e, 'ENCLS_EXITING_BITMAP', 'encls'),
  d(0x2030, 'SPP_TABLE_POINTER', 'spp'),
  d(0x2032, 'TSC_MULTIPLIER', 'tscScaling'),
  d(0x2034, 'TERTIARY_VM_EXEC_CONTROL', 'tertiaryControls'),
  d(0x2036, 'ENCLV_EXITING_BITMAP', 'enclv'),
  d(0x2038, 'LOW_PASID_DIRECTORY_ADDRESS', 'pasidTranslation'),
  d(0x203a, 'HIGH_PASID_DIRECTORY_ADDRESS', 'pasidTranslation'),
  d(0x203c, 'SHARED_EPT_POINTER', 'tertiaryControls'),
  d(0x203e, 'PCONFIG_EXITING_BITMAP', 'pconfig'),
  d(0x2040, 'HLAT_POINTER', 'hlat'),
  d(0x2042, 'PID_POINTER_TABLE_ADDRESS', 'ipiVirtualization'),
  d(0x2044, 'SECONDARY_VM_EXIT_CONTROLS', 'secondaryExitControls'),
  d(0x204a, 'IA32_SPEC_CTRL_MASK', 'specCtrlVirt'),
  d(0x204c, 'IA32_SPEC_CTRL_SHADOW', 'specCtrlVirt'),
  // B.2.2 64-bit read-only data field
  d(0x2400, 'GUEST_PHYSICAL_ADDRESS', 'ept'),
  // B.2.3 64-bit guest-state fields
  d(0x2800, 'VMCS_LINK_POINTER'), d(0x2802, 'GUEST_IA32_DEBUGCTL'), d(0x2804, 'GUEST_IA32_PAT'),
  d(0x2806, 'GUEST_IA32_EFER'),
  d(0x2808, 'GUEST_IA32_PERF_GLOBAL_CTRL', 'perfGlobalCtrl'),
  d(0x280a, 'GUEST_PDPTE0', 'ept'), d(0x280c, 'GUEST_PDPTE1', 'ept'),
  d(0x280e, 'GUEST_PDPTE2', 'ept'), d(0x2810, 'GUEST_PDPTE3', 'ept'),
  d(0x2812, 'GUEST_IA32_BNDCFGS', 'mpx'),
  d(0x2814, 'GUEST_IA32_RTIT_CTL', 'rtit'),
  d(0x2816, 'GUEST_IA32_LBR_CTL', 'lbr'),
  d(0x2818, 'GUEST_IA32_PKRS', 'pkrs'),
  // B.2.4 64-bit host-state fields
  d(0x2c00, 'HOST_IA32_PAT'), d(0x2c02, 'HOST_IA32_EFER'),
  d(0x2c04, 'HOST_IA32_PERF_GLOBAL_CTRL', 'perfGlobalCtrl'),
  d(0x2c06, 'HOST_IA32_PKRS', 'pkrs'),
  // B.3.1 32-bit control fields
  d(0x4000, 'PIN_BASED_VM_EXEC_CONTROL'), d(0x4002, 'CPU_BASED_VM_EXEC_CONTROL'), d(0x4004, 'EXCEPTION_BITMAP'),
  d(0x4006, 'PAGE_FAULT_ERROR_CODE_MASK'), d(0x4008, 'PAGE_FAULT_ERROR_CODE_MATCH'), d(0x400a, 'CR3_TARGET_COUNT'),
  d(0x400c, 'VM_EXIT_CONTROLS'), d(0x400e, 'VM_EXIT_MSR_STORE_COUNT'), d(0x4010, 'VM_EXIT_MSR_LOAD_COUNT'),
  d(0x4012, 'VM_ENTRY_CONTROLS'), d(0x4014, 'VM_ENTRY_MSR_LOAD_COUNT'), d(0x4016, 'VM_ENTRY_INTR_INFO_FIELD'),
  d(0x4018, 'VM_ENTRY_EXCEPTION_ERROR_CODE'), d(0x401a, 'VM_ENTRY_INSTRUCTION_LEN'),
  d(0x401c, 'TPR_THRESHOLD', 'virtualApic'),
  d(0x401e, 'SECONDARY_VM_EXEC_CONTROL'),
  d(0x4020, 'PLE_GAP', 'pauseLoopExiting'), d(0x4022, 'PLE_WINDOW', 'pauseLoopExiting'),
  d(0x4024, 'INSTRUCTION_TIMEOUT_CONTROL', 'instructionTimeout'),
  // B.3.2 32-bit read-only data fields
  d(0x4400, 'VM_INSTRUCTION_ERROR'), d(0x4402, 'VM_EXIT_REASON'), d(0x4404, 'VM_EXIT_INTR_INFO'),
  d(0x4406, 'VM_EXIT_INTR_ERROR_CODE'), d(0x4408, 'IDT_VECTORING_INFO_FIELD'), d(0x440a, 'IDT_VECTORING_ERROR_CODE'),
  d(0x440c, 'VM_EXIT_INSTRUCTION_LEN'), d(0x440e, 'VMX_INSTRUCTION_INFO'),
  // B.3.3 32-bit guest-state fields
  d(0x4800, 'GUEST_ES_LIMIT'), d(0x4802, 'GUEST_CS_LIMIT'), d(0x4804, 'GUEST_SS_LIMIT'), d(0x4806, 'GUEST_DS_LIMIT'),
  d(0x4808, 'GUEST_FS_LIMIT'), d(0x480a, 'GUEST_GS_LIMIT'), d(0x480c, 'GUEST_LDTR_LIMIT'), d(0x480e, 'GUEST_TR_LIMIT'),
  d(0x4810, 'GUEST_GDTR_LIMIT'), d(0x4812, 'GUEST_IDTR_LIMIT'),
  d(0x4814, 'GUEST_ES_AR_BYTES'), d(0x4816, 'GUEST_CS_AR_BYTES'), d(0x4818, 'GUEST_SS_AR_BYTES'),
  d(0x481a, 'GUEST_DS_AR_BYTES'), d(0x481c, 'GUEST_FS_AR_BYTES'), d(0x481e, 'GUEST_GS_AR_BYTES'),
  d(0x4820, 'GUEST_LDTR_AR_BYTES'), d(0x4822, 'GUEST_TR_AR_BYTES'),
  d(0x4824, 'GUEST_INTERRUPTIBILITY_INFO'), d(0x4826, 'GUEST_ACTIVITY_STATE'), d(0x4828, 'GUEST_SMBASE'),
  d(0x482a, 'GUEST_SYSENTER_CS'),
  d(0x482e, 'VMX_PREEMPTION_TIMER_VALUE', 'preemptionTimer'),
  // B.3.4 32-bit host-state field
  d(0x4c00, 'HOST_IA32_SYSENTER_CS'),
  // B.4.1 natural-width control fields
  d(0x6000, 'CR0_GUEST_HOST_MASK'), d(0x6002, 'CR4_GUEST_HOST_MASK'), d(0x6004, 'CR0_READ_SHADOW'),
  d(0x6006, 'CR4_READ_SHADOW'), d(0x6008, 'CR3_TARGET_VALUE0'), d(0x600a, 'CR3_TARGET_VALUE1'),
  d(0x600c, 'CR3_TARGET_VALUE2'), d(0x600e, 'CR3_TARGET_VALUE3'),
  // B.4.2 natural-width read-only data fields
  d(0x6400, 'EXIT_QUALIFICATION'), d(0x6402, 'IO_RCX'), d(0x6404, 'IO_RSI'), d(0x6406, 'IO_RDI'), d(0x6408, 'IO_RIP'),
  d(0x640a, 'GUEST_LINEAR_ADDRESS'),
  // B.4.3 natural-width guest-state fields
  d(0x6800, 'GUEST_CR0'), d(0x6802, 'GUEST_CR3'), d(0x6804, 'GUEST_CR4'),
  d(0x6806, 'GUEST_ES_BASE'), d(0x6808, 'GUEST_CS_BASE'), d(0x680a, 'GUEST_SS_BASE'), d(0x680c, 'GUEST_DS_BASE'),
  d(0x680e, 'GUEST_FS_BASE'), d(0x6810, 'GUEST_GS_BASE'), d(0x6812, 'GUEST_LDTR_BASE'), d(0x6814, 'GUEST_TR_BASE'),
  d(0x6816, 'GUEST_GDTR_BASE'), d(0x6818, 'GUEST_IDTR_BASE'), d(0x681a, 'GUEST_DR7'), d(0x681c, 'GUEST_RSP'),
  d(0x681e, 'GUEST_RIP'), d(0x6820, 'GUEST_RFLAGS'), d(0x6822, 'GUEST_PENDING_DBG_EXCEPTIONS'),
  d(0x6824, 'GUEST_SYSENTER_ESP'), d(0x6826, 'GUEST_SYSENTER_EIP'),
  d(0x6828, 'GUEST_S_CET', 'cet'), d(0x682a, 'GUEST_SSP', 'cet'), d(0x682c, 'GUEST_INTR_SSP_TABLE_ADDR', 'cet'),
  // B.4.4 natural-width host-state fields
  d(0x6c00, 'HOST_CR0'), d(0x6c02, 'HOST_CR3'), d(0x6c04, 'HOST_CR4'), d(0x6c06, 'HOST_FS_BASE'),
  d(0x6c08, 'HOST_GS_BASE'), d(0x6c0a, 'HOST_TR_BASE'), d(0x6c0c, 'HOST_GDTR_BASE'), d(0x6c0e, 'HOST_IDTR_BASE'),
  d(0x6c10, 'HOST_IA32_SYSENTER_ESP'), d(0x6c12, 'HOST_IA32_SYSENTER_EIP'), d(0x6c14, 'HOST_RSP'),
  d(0x6c16, 'HOST_RIP'),
  d(0x6c18, 'HOST_S_CET', 'cet'), d(0x6c1a, 'HOST_SSP', 'cet'), d(0x6c1c, 'HOST_INTR_SSP_TABLE_ADDR', 'cet'),
];

export function fieldWidth(enc: number): FieldWidth { return (enc >>> 13) & 3; }
export function fieldGroup(enc: number): FieldGroup { return (enc >>> 10) & 3; }
/** Bits 9:1 of the encoding: the index reported by IA32_VMX_VMCS_ENUM. */
export function fieldIndex(enc: number): number { return (enc >>> 1) & 0x1ff; }
export function isReadOnly(enc: number): boolean { return fieldGroup(enc) === FieldGroup.ExitInfo; }

/** Slot of each full encoding in VMCS_FIELDS (the VMCS cache and memory layout are keyed by slot). */
const SLOT_BY_ENC = new Map<number, number>(VMCS_FIELDS.map((f, k) => [f.enc, k]));

/** Slot of an encoding (full or high access), or -1 if no such field exists. */
export function fieldSlot(enc: number): number {
  if (enc < 0 || enc > 0xffff) return -1;
  // Bit 0 = 1 selects the high 32 bits and is valid only for 64-bit fields; bits 12 and 15 are reserved (0).
  if ((enc & 1) !== 0 && fieldWidth(enc) !== FieldWidth.W64) return -1;
  return SLOT_BY_ENC.get(enc & ~1) ?? -1;
}

/** Full encoding by SDM name; throws on a typo (used to build constants once at load). */
export function enc(name: string): number {
  const f = VMCS_FIELDS.find((x) => x.name === name);
  if (!f) throw new Error(`no VMCS field ${name}`);
  return f.enc;
}
