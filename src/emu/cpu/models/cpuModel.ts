/**
 * A CPU model as data (like Bochs's cpudb): identity, address widths and the
 * features vmxlab implements. CPUID leaves are derived from it (cpuid.ts), so
 * the guest sees exactly what the interpreter can do, never more.
 */
export interface CpuModel {
  readonly name: string;
  /** 12-character vendor string (CPUID leaf 0). */
  readonly vendor: string;
  /** 48-character brand string (leaves 80000002H-80000004H); padded with NULs. */
  readonly brand: string;
  readonly family: number;
  readonly model: number;
  readonly stepping: number;
  /** CPUID 80000008H EAX[7:0] and [15:8]. */
  readonly maxPhysAddr: number;
  readonly maxLinAddr: number;
  /** Feature names, as in the SDM's CPUID tables (see cpuid.ts FEATURE_BITS). */
  readonly features: readonly string[];
}

/**
 * The default model: a 64-bit Intel-compatible core with what this
 * interpreter implements today: the x87 FPU, FXSAVE/FXRSTOR and XSAVE/XSAVEOPT
 * for x87+SSE state, MMX and SSE through SSE4.2 (exec/sse). PCLMULQDQ, AES,
 * SHA and AVX are not implemented.
 */
export const VMXLAB_CORE: CpuModel = {
  name: 'vmxlab-core',
  vendor: 'GenuineIntel',
  brand: 'vmxlab x86-64 interpreter (integer core)',
  family: 6,
  model: 0x3a,
  stepping: 9,
  maxPhysAddr: 39,
  maxLinAddr: 48,
  features: [
    // Leaf 1 EDX
    'FPU', 'VME', 'DE', 'PSE', 'TSC', 'MSR', 'PAE', 'CX8', 'APIC', 'SEP', 'MTRR', 'PGE', 'CMOV', 'PAT', 'PSE36', 'CLFSH', 'FXSR',
    'MMX', 'SSE', 'SSE2',
    // Leaf 1 ECX
    'SSE3', 'SSSE3', 'SSE41', 'SSE42', 'VMX', 'CX16', 'POPCNT', 'MOVBE', 'PCID', 'XSAVE',
    // Leaf 0DH sub-leaf 1
    'XSAVEOPT',
    // Leaf 1 ECX bit 31: a virtual machine, as QEMU reports it. Guests then leave alone the
    // model-specific hardware vmxlab lacks (Linux's uncore PMU driver for model 3AH writes
    // MSR 391H otherwise); leaves 40000000H+ carry no hypervisor signature.
    'HYPERVISOR',
    // Leaf 7
    'FSGSBASE', 'SMEP', 'SMAP', 'INVPCID', 'BMI1',
    // Extended
    'SYSCALL', 'NX', 'PAGE1GB', 'RDTSCP', 'LM', 'LAHF_LM', 'ABM',
  ],
};

/** CPUID.1:EAX and the EDX value after RESET: stepping, model, family, extended model/family. */
export function cpuSignature(m: CpuModel): number {
  const fam = m.family > 15 ? 15 : m.family;
  const extFam = m.family > 15 ? m.family - 15 : 0;
  return ((extFam << 20) | ((m.model >> 4) << 16) | (fam << 8) | ((m.model & 15) << 4) | m.stepping) >>> 0;
}
