/**
 * CPUID leaves derived from the CPU model (models/cpuModel.ts): 0, 1, 7,
 * 0BH, 0DH, 80000000H-80000008H. A feature bit is set only when the model
 * lists it, and the model lists only what the interpreter implements.
 */
import { cpuSignature, type CpuModel } from './models/cpuModel.ts';

/** Feature name -> [leaf, subleaf, register (0 EAX .. 3 EDX), bit]. */
export const FEATURE_BITS: Readonly<Record<string, readonly [number, number, number, number]>> = {
  FPU: [1, 0, 3, 0], VME: [1, 0, 3, 1], DE: [1, 0, 3, 2], PSE: [1, 0, 3, 3], TSC: [1, 0, 3, 4], MSR: [1, 0, 3, 5],
  PAE: [1, 0, 3, 6], MCE: [1, 0, 3, 7], CX8: [1, 0, 3, 8], APIC: [1, 0, 3, 9], SEP: [1, 0, 3, 11], MTRR: [1, 0, 3, 12],
  PGE: [1, 0, 3, 13], MCA: [1, 0, 3, 14], CMOV: [1, 0, 3, 15], PAT: [1, 0, 3, 16], PSE36: [1, 0, 3, 17],
  CLFSH: [1, 0, 3, 19], MMX: [1, 0, 3, 23], FXSR: [1, 0, 3, 24], SSE: [1, 0, 3, 25], SSE2: [1, 0, 3, 26],
  SSE3: [1, 0, 2, 0], PCLMULQDQ: [1, 0, 2, 1], MONITOR: [1, 0, 2, 3], VMX: [1, 0, 2, 5], SSSE3: [1, 0, 2, 9],
  CX16: [1, 0, 2, 13], PCID: [1, 0, 2, 17], SSE41: [1, 0, 2, 19], SSE42: [1, 0, 2, 20], X2APIC: [1, 0, 2, 21],
  MOVBE: [1, 0, 2, 22], POPCNT: [1, 0, 2, 23], AES: [1, 0, 2, 25], XSAVE: [1, 0, 2, 26], OSXSAVE: [1, 0, 2, 27],
  RDRAND: [1, 0, 2, 30], HYPERVISOR: [1, 0, 2, 31],
  FSGSBASE: [7, 0, 1, 0], BMI1: [7, 0, 1, 3], SMEP: [7, 0, 1, 7], BMI2: [7, 0, 1, 8], ERMS: [7, 0, 1, 9],
  INVPCID: [7, 0, 1, 10], RDSEED: [7, 0, 1, 18], SMAP: [7, 0, 1, 20], CLFLUSHOPT: [7, 0, 1, 23], SHA: [7, 0, 1, 29],
  UMIP: [7, 0, 2, 2], PKU: [7, 0, 2, 3], RDPID: [7, 0, 2, 22],
  LAHF_LM: [0x80000001, 0, 2, 0], ABM: [0x80000001, 0, 2, 5], PREFETCHW: [0x80000001, 0, 2, 8],
  SYSCALL: [0x80000001, 0, 3, 11], NX: [0x80000001, 0, 3, 20], PAGE1GB: [0x80000001, 0, 3, 26],
  RDTSCP: [0x80000001, 0, 3, 27], LM: [0x80000001, 0, 3, 29],
  XSAVEOPT: [0xd, 1, 0, 0],
};

/** XSAVE state components this core has: x87 (bit 0) and SSE (bit 1); see exec/xstate.ts. */
const XSTATE_COMPONENTS = 0x3;
/** Standard-format XSAVE area for x87 + SSE: the 512-byte legacy region and the 64-byte header. */
const XSAVE_AREA_BYTES = 576;

function str4(s: string, k: number): number {
  let v = 0;
  for (let j = 0; j < 4; j++) v |= (s.charCodeAt(k + j) & 0xff) << (8 * j);
  return v >>> 0;
}

/** The SIMD extensions, in the order of CpuidTable.simd's bits. */
export const SIMD_FEATURES = ['MMX', 'SSE', 'SSE2', 'SSE3', 'SSSE3', 'SSE41', 'SSE42'] as const;

/** Core crystal clock frequency reported in leaf 15H: the virtual clock's 1 GHz. */
export const CRYSTAL_HZ = 1_000_000_000;

/** Result registers, reused. */
export const cpuidOut = new Uint32Array(4);

export class CpuidTable {
  private readonly leaves = new Map<string, Uint32Array>();
  readonly maxBasic = 0x15;
  readonly maxExt = 0x80000008;
  /** SIMD extensions of the model as a bitmask over SIMD_FEATURES, for the per-instruction #UD gate. */
  readonly simd: number;

  constructor(readonly model: CpuModel) {
    this.simd = SIMD_FEATURES.reduce((m, f, k) => (model.features.includes(f) ? m | (1 << k) : m), 0);
    const set = (leaf: number, sub: number, r: number[]): void => { this.leaves.set(`${leaf}:${sub}`, Uint32Array.from(r)); };
    const v = model.vendor.padEnd(12, ' ');
    set(0, 0, [this.maxBasic, str4(v, 0), str4(v, 8), str4(v, 4)]);
    // Leaf 1: EBX[15:8] CLFLUSH line size in 8-byte units, [23:16] logical processors, [31:24] APIC ID.
    set(1, 0, [cpuSignature(model), (8 << 8) | (1 << 16), 0, 0]);
    set(7, 0, [0, 0, 0, 0]);
    // Leaf 0BH: one thread per core, one core.
    set(0xb, 0, [0, 1, 0x100, 0]);
    set(0xb, 1, [0, 1, 0x201, 0]);
    // Leaf 0DH (SDM Vol. 2 CPUID, Vol. 1 13.2). Sub-leaf 0: EAX = XCR0 bits supported,
    // EBX = size for the features enabled in XCR0 (x87 and SSE both live in the legacy
    // region, so 576 whatever XCR0 holds), ECX = size for all supported. Sub-leaf 1: EAX
    // gets XSAVEOPT from the feature list; no XSAVEC/XSAVES/XGETBV-ECX1, so EBX = 0.
    const xsave = model.features.includes('XSAVE');
    set(0xd, 0, xsave ? [XSTATE_COMPONENTS, XSAVE_AREA_BYTES, XSAVE_AREA_BYTES, 0] : [0, 0, 0, 0]);
    set(0xd, 1, [0, 0, 0, 0]);
    // Leaf 15H: TSC/core crystal clock ratio. The machine's TSC and the local APIC timer both
    // count virtual nanoseconds (VirtualClock default tscHz, lapic.ts one tick per ns), so the
    // crystal is 1 GHz with a 1:1 ratio. Linux then knows both frequencies without calibrating
    // them against the PIT (native_calibrate_tsc sets lapic_timer_period from ECX).
    set(0x15, 0, [1, 1, CRYSTAL_HZ, 0]);
    set(0x80000000, 0, [this.maxExt, 0, 0, 0]);
    set(0x80000001, 0, [0, 0, 0, 0]);
    const brand = model.brand.padEnd(48, '\0');
    for (let k = 0; k < 3; k++) set(0x80000002 + k, 0, [0, 4, 8, 12].map((o) => str4(brand, k * 16 + o)));
    set(0x80000006, 0, [0, 0, (256 << 16) | 0x6040, 0]);
    set(0x80000007, 0, [0, 0, 0, 1 << 8]); // invariant TSC
    set(0x80000008, 0, [model.maxPhysAddr | (model.maxLinAddr << 8), 0, 0, 0]);
    for (const f of model.features) {
      const b = FEATURE_BITS[f];
      if (!b) throw new Error(`CPU model ${model.name}: unknown feature ${f}`);
      const r = this.leaves.get(`${b[0]}:${b[1]}`)!;
      r[b[2]] |= 1 << b[3];
    }
  }

  has(feature: string): boolean {
    return this.model.features.includes(feature);
  }

  /**
   * Fills cpuidOut for leaf/subleaf (SDM: leaves above the maximum return the highest basic
   * leaf). `cr4` supplies the dynamic bit CPUID.1:ECX.OSXSAVE (= CR4.OSXSAVE).
   */
  query(leaf: number, sub: number, cr4 = 0): void {
    leaf >>>= 0;
    if (leaf > this.maxExt || (leaf > this.maxBasic && leaf < 0x80000000)) leaf = this.maxBasic;
    const indexed = leaf === 7 || leaf === 0xb || leaf === 0xd;
    const r = this.leaves.get(`${leaf}:${indexed ? sub >>> 0 : 0}`);
    if (r) cpuidOut.set(r); else cpuidOut.fill(0);
    if (leaf === 0xb) cpuidOut[2] = (cpuidOut[2] & ~0xff) | (sub & 0xff);
    if (leaf === 1 && (cr4 & (1 << 18)) !== 0) cpuidOut[2] |= 1 << 27;
  }
}
