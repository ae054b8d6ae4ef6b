/** RDMSR of the VMX capability MSRs 480H-491H (SDM Vol. 3 Appendix A). */
import type { Cpu } from '../cpu.ts';
import { add64, r64 } from '../u64.ts';
import { PROC } from './controls.ts';
import * as F from './slots.ts';
import {
  BASIC_HI, BASIC_LO, EPT_CAP_1G, CR0_FIXED0, CR4_FIXED0, ENTRY_ALLOWED0_TRUE, ENTRY_ALLOWED1, EPT_VPID_CAP_HI, EPT_VPID_CAP_LO,
  EXIT_ALLOWED0_TRUE, EXIT_ALLOWED1, MISC_LO, PIN_ALLOWED0_TRUE, PIN_ALLOWED1, PROC2_ALLOWED1, PROC_ALLOWED0_TRUE,
  PROC_ALLOWED1, VMX_MSR,
} from './capabilities.ts';
import { highestFieldIndex } from './vmx.ts';

/** Default1 words of the non-TRUE control MSRs (SDM A.3.1, A.3.2, A.4, A.5). */
const PIN_D1 = 0x16, PROC_D1 = 0x0401e172, EXIT_D1 = 0x00036dff, ENTRY_D1 = 0x000011ff;

/**
 * Reads VMX capability MSR `idx` into r64; false if it does not exist here
 * (no VMX, or an MSR whose feature is not implemented: VMFUNC; EPT_VPID_CAP
 * exists because VPIDs are supported). `cr4Allowed` is CR4's writable mask.
 */
export function readVmxMsr(c: Cpu, idx: number, cr4Allowed: number): boolean {
  if (!c.cpuid.has('VMX')) return false;
  const set = (lo: number, hi: number): boolean => { r64[0] = lo >>> 0; r64[1] = hi >>> 0; return true; };
  switch (idx) {
    case VMX_MSR.BASIC: return set(BASIC_LO, BASIC_HI);
    case VMX_MSR.PINBASED_CTLS: return set(PIN_D1, PIN_ALLOWED1);
    case VMX_MSR.PROCBASED_CTLS: return set(PROC_D1, PROC_ALLOWED1);
    case VMX_MSR.EXIT_CTLS: return set(EXIT_D1, EXIT_ALLOWED1);
    case VMX_MSR.ENTRY_CTLS: return set(ENTRY_D1, ENTRY_ALLOWED1);
    case VMX_MSR.MISC: return set(MISC_LO, 0);
    case VMX_MSR.CR0_FIXED0: return set(CR0_FIXED0, 0);
    case VMX_MSR.CR0_FIXED1: return set(0xffffffff, 0);
    case VMX_MSR.CR4_FIXED0: return set(CR4_FIXED0, 0);
    case VMX_MSR.CR4_FIXED1: return set(cr4Allowed, 0);
    case VMX_MSR.VMCS_ENUM: return set(highestFieldIndex() << 1, 0);
    case VMX_MSR.PROCBASED_CTLS2: return set(0, PROC2_ALLOWED1);
    case VMX_MSR.EPT_VPID_CAP: return set(EPT_VPID_CAP_LO | (c.model.features.includes('PAGE1GB') ? EPT_CAP_1G : 0), EPT_VPID_CAP_HI);
    case VMX_MSR.TRUE_PINBASED_CTLS: return set(PIN_ALLOWED0_TRUE, PIN_ALLOWED1);
    case VMX_MSR.TRUE_PROCBASED_CTLS: return set(PROC_ALLOWED0_TRUE, PROC_ALLOWED1);
    case VMX_MSR.TRUE_EXIT_CTLS: return set(EXIT_ALLOWED0_TRUE, EXIT_ALLOWED1);
    case VMX_MSR.TRUE_ENTRY_CTLS: return set(ENTRY_ALLOWED0_TRUE, ENTRY_ALLOWED1);
    default: return false; // VMFUNC (491H): VM functions are not supported
  }
}

/** In non-root operation with "use TSC offsetting", adds the VMCS TSC offset to r64 (RDTSC, RDTSCP, RDMSR TSC). */
export function vmxTscOffset(c: Cpu): void {
  const v = c.vmx.cache;
  if ((v.lo(F.CPU_BASED_VM_EXEC_CONTROL) & PROC.USE_TSC_OFFSETTING) === 0) return;
  add64(r64[0], r64[1], v.lo(F.TSC_OFFSET), v.hi(F.TSC_OFFSET));
}
