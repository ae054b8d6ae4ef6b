/**
 * Cross-checks operand decoding against iced-x86 on random byte strings in
 * 16-, 32- and 64-bit mode, for the general-purpose instructions: each operand
 * our table names in SDM letters is compared with iced's operand at the same
 * position - registers (E with mod=3, G, Z: number and width, AH..BH without
 * REX), memory operands (base, index, scale, displacement, RIP/EIP-relative
 * target, segment, moffs address), immediates (value and sign extension) and
 * near-branch targets (so the operand size of 66/REX.W is checked as well).
 * Length and validity are decode.test.ts's job; other letters (Sw, Cd, X, Y,
 * implicit registers) are not compared.
 */
import { describe, expect, it } from 'vitest';
import { Code, CpuidFeature, Decoder, DecoderOptions, EncodingKind, type Instruction, Mnemonic, OpKind, Register } from 'iced-x86';
import { DecodeStatus, decode } from './decode.ts';
import { DecodedInsn } from './decodedInsn.ts';

/** iced CPUID features of the general-purpose instructions compared here. */
const INTEGER = new Set<number>([
  CpuidFeature.INTEL8086, CpuidFeature.INTEL186, CpuidFeature.INTEL286, CpuidFeature.INTEL386, CpuidFeature.INTEL486,
  CpuidFeature.X64, CpuidFeature.CMOV, CpuidFeature.CX8, CpuidFeature.CMPXCHG16B, CpuidFeature.MOVBE, CpuidFeature.POPCNT,
  CpuidFeature.LZCNT, CpuidFeature.BMI1,
]);

const R8 = ['AL', 'CL', 'DL', 'BL', 'SPL', 'BPL', 'SIL', 'DIL', 'R8L', 'R9L', 'R10L', 'R11L', 'R12L', 'R13L', 'R14L', 'R15L'];
const R8_LEGACY_HIGH = ['AH', 'CH', 'DH', 'BH'];
const R16 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI', 'R8W', 'R9W', 'R10W', 'R11W', 'R12W', 'R13W', 'R14W', 'R15W'];
const R32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI', 'R8D', 'R9D', 'R10D', 'R11D', 'R12D', 'R13D', 'R14D', 'R15D'];
const R64 = ['RAX', 'RCX', 'RDX', 'RBX', 'RSP', 'RBP', 'RSI', 'RDI', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'];
const SEGS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];

/** iced's name for GPR `n` of `size` bytes; without REX, byte registers 4-7 are AH..BH. */
function gpr(n: number, size: number, rex: number): string {
  if (size === 1) return rex === 0 && n >= 4 && n < 8 ? R8_LEGACY_HIGH[n - 4] : R8[n];
  return (size === 2 ? R16 : size === 4 ? R32 : R64)[n];
}

/** Operand width in bytes from an SDM size letter (b, w, d, q, v, y, z), or 0 if it has none. */
function width(letter: string, osz: number): number {
  switch (letter) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'q': return 8;
    case 'v': return osz;
    case 'y': return osz === 8 ? 8 : 4;
    case 'z': return osz === 2 ? 2 : 4;
    default: return 0;
  }
}

const u = (bits: number, v: bigint): bigint => BigInt.asUintN(bits, v);

function compareMemory(x: Instruction, i: DecodedInsn, bits: number): string | null {
  const asz = i.asz;
  const base = i.ripRel ? (asz === 8 ? 'RIP' : 'EIP') : i.base < 0 ? 'None' : gpr(i.base, asz, 1);
  const index = i.index < 0 ? 'None' : gpr(i.index, asz, 1);
  const got = `${Register[x.memoryBase]}+${Register[x.memoryIndex]}`;
  if (got !== `${base}+${index}`) return `memory base+index iced ${got}, ours ${base}+${index}`;
  if (i.index >= 0 && x.memoryIndexScale !== 1 << i.scale) return `scale iced ${x.memoryIndexScale}, ours ${1 << i.scale}`;
  // RIP-relative: iced gives the target (the decoder's IP is 0), i.e. the next instruction's address + disp.
  const disp = i.ripRel ? BigInt(i.len) + BigInt(i.disp) : BigInt(i.disp);
  if (u(asz * 8, x.memoryDisplacementU64) !== u(asz * 8, disp)) {
    return `displacement iced ${u(asz * 8, x.memoryDisplacementU64).toString(16)}, ours ${u(asz * 8, disp).toString(16)}`;
  }
  // In 64-bit mode ES/CS/SS/DS overrides are ignored (both bases are 0): only FS/GS must agree.
  const seg = Register[x.memorySegment], ours = SEGS[i.seg];
  if (seg !== ours && (bits !== 64 || seg === 'FS' || seg === 'GS' || ours === 'FS' || ours === 'GS')) return `segment iced ${seg}, ours ${ours}`;
  return null;
}

/** Compares our operand `spec` (an SDM letter group such as 'Ev') with iced's operand k; null when they agree. */
function compareOperand(x: Instruction, k: number, spec: string, i: DecodedInsn, bits: number, immIndex: number): string | null {
  if (!/^[EGMZJIO][a-z]*$/.test(spec)) return null; // ES, CS, AL, rAX, Sw, Cd, Xb...: not compared
  const kind = x.opKind(k);
  const letter = spec[0];
  // MOVSXD with 66 is MOVSXD r16, r/m16 (SDM): the source follows the operand size below 64.
  const size = i.entry!.mnemonic === 'MOVSXD' && i.osz !== 8 && spec === 'Ed' ? i.osz : width(spec.slice(1), i.osz);
  const reg = (n: number): string | null => {
    const want = gpr(n, size, i.rex);
    const got = kind === OpKind.Register ? Register[x.opRegister(k)] : opText(x, k);
    if (got === want) return null;
    // A 16-bit register operand that only its low word matters for (MOV Sreg, LAR, LSL, SMSW, ARPL):
    // iced names the full register (e.g. "mov es, eax"); the number must still agree.
    if (size === 2 && kind === OpKind.Register && [R32, R64].some((names) => names[n] === got)) return null;
    return `${spec}: iced ${got}, ours ${want}`;
  };
  switch (letter) {
    case 'G': return size ? reg(i.reg) : null;
    case 'Z': return size ? reg((i.opc & 7) | ((i.rex & 1) << 3)) : null;
    case 'E': case 'M':
      if (i.mod === 3) return letter === 'E' && size ? reg(i.rm) : null;
      return kind === OpKind.Memory ? compareMemory(x, i, bits) : `${spec}: iced ${opText(x, k)}, ours memory`;
    case 'O': {
      if (kind !== OpKind.Memory) return `${spec}: iced ${opText(x, k)}, ours moffs`;
      const addr = i.asz === 8 ? (BigInt(i.immHi >>> 0) << 32n) | BigInt(i.imm >>> 0) : BigInt(i.imm >>> 0);
      return u(i.asz * 8, x.memoryDisplacementU64) === u(i.asz * 8, addr) ? null : `moffs iced ${x.memoryDisplacementU64.toString(16)}, ours ${addr.toString(16)}`;
    }
    case 'I': {
      if (!(kind >= OpKind.Immediate8 && kind <= OpKind.Immediate32to64)) return `${spec}: iced ${opText(x, k)}, ours immediate`;
      const raw = spec === 'Iv' ? i.osz * 8 : spec === 'Iz' ? (i.osz === 2 ? 16 : 32) : spec === 'Iw' ? 16 : spec === 'Id' ? 32 : 8;
      const lo = immIndex === 0 ? i.imm : i.imm2;
      const ours = raw === 64 ? (BigInt(i.immHi >>> 0) << 32n) | BigInt(i.imm >>> 0) : BigInt(lo >>> 0);
      const iced = x.immediate(k);
      if (u(raw, iced) !== u(raw, ours)) return `${spec}: iced ${iced.toString(16)}, ours ${ours.toString(16)}`;
      // Sign-extended forms (83 /r Ib, imm32 in 64-bit operations): our low word carries the extension.
      const extended = kind === OpKind.Immediate8to16 || kind === OpKind.Immediate8to32 || kind === OpKind.Immediate8to64 || kind === OpKind.Immediate32to64;
      if (extended && u(32, iced) !== BigInt(i.imm >>> 0)) return `${spec}: sign extension iced ${iced.toString(16)}, ours ${(i.imm >>> 0).toString(16)}`;
      return null;
    }
    case 'J': {
      if (kind !== OpKind.NearBranch16 && kind !== OpKind.NearBranch32 && kind !== OpKind.NearBranch64) return `${spec}: iced ${opText(x, k)}, ours branch`;
      const tbits = bits === 64 ? 64 : i.osz === 2 ? 16 : 32;
      const ours = u(tbits, BigInt(i.len) + BigInt(i.imm | 0));
      return u(tbits, x.nearBranchTarget) === ours ? null : `${spec}: target iced ${x.nearBranchTarget.toString(16)}, ours ${ours.toString(16)}`;
    }
    default: return null;
  }
}

function opText(x: Instruction, k: number): string {
  const kind = x.opKind(k);
  return kind === OpKind.Register ? Register[x.opRegister(k)] : OpKind[kind];
}

let seed = 0x2545f491;
function rnd(): number { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; }
const PREFIXES = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x26, 0x64, 0x65, 0x36, 0x3e, 0x48, 0x41, 0x44, 0x4c, 0x40, 0x42];

describe('operand decoding vs iced-x86', () => {
  for (const bits of [16, 32, 64] as const) {
    it(`agrees on registers, memory operands, immediates and branch targets in ${bits}-bit mode`, () => {
      const ins = new DecodedInsn();
      const bytes = new Uint8Array(24);
      const src = { fetch: (k: number): number => bytes[k] };
      const mismatches: string[] = [];
      let compared = 0, memory = 0, immediates = 0;
      for (let t = 0; t < 30000; t++) {
        for (let j = 0; j < bytes.length; j++) bytes[j] = rnd() & 0xff;
        const npre = rnd() % 4;
        for (let j = 0; j < npre; j++) bytes[j] = PREFIXES[rnd() % PREFIXES.length];
        if (rnd() % 5 === 0) bytes[npre] = 0x0f;
        const d = new Decoder(bits, bytes, DecoderOptions.None);
        const x = d.decode();
        try {
          if (x.code === Code.INVALID || x.encoding !== EncodingKind.Legacy) continue;
          if (Array.from(x.cpuidFeatures()).some((f) => !INTEGER.has(f))) continue;
          if (decode(src, bits / 8, ins) !== DecodeStatus.Ok || ins.len !== x.length || ins.entry === null) continue;
          const specs = ins.entry.operands ? ins.entry.operands.split(',') : [];
          if (specs.length !== x.opCount) continue; // implicit operands listed differently (strings, shifts by 1...)
          compared++;
          let immIndex = 0;
          for (let k = 0; k < specs.length; k++) {
            const problem = compareOperand(x, k, specs[k], ins, bits, immIndex);
            if (specs[k][0] === 'I') { immIndex++; immediates++; }
            if (x.opKind(k) === OpKind.Memory) memory++;
            if (problem) {
              const hex = Array.from(bytes.slice(0, x.length), (b) => b.toString(16).padStart(2, '0')).join(' ');
              mismatches.push(`${hex}: ${Mnemonic[x.mnemonic]} ${ins.entry.name} operand ${k}: ${problem}`);
            }
          }
        } finally {
          x.free(); d.free();
        }
      }
      // Enough of each kind to mean something (this seed gives 20-25k instructions, 3.3-5.6k
      // memory operands and 3-5k immediates per mode): the filters must not silently drop them.
      expect(compared).toBeGreaterThan(15000);
      expect(memory).toBeGreaterThan(2500);
      expect(immediates).toBeGreaterThan(2500);
      expect(mismatches.slice(0, 12)).toEqual([]);
    });
  }
});
