/**
 * Cross-checks instruction length and validity against iced-x86 on random
 * byte strings in 16-, 32- and 64-bit mode.
 *
 * Deliberate differences, skipped here:
 * - Instructions whose CPUID feature vmxlab does not decode (AVX/VEX, EVEX,
 *   XOP, 3DNow!, SVM, TSX, CET, SGX, VIA PadLock, AMD-only SSE4A...): they are
 *   #UD in vmxlab, as on a CPU that does not advertise them.
 * - MOV to/from CR/DR/Sreg with register numbers that do not exist: both #UD.
 */
import { describe, expect, it } from 'vitest';
import { Code, CpuidFeature, Decoder, DecoderOptions, EncodingKind, Mnemonic } from 'iced-x86';
import { DecodeStatus, decode } from './decode.ts';
import { DecodedInsn } from './decodedInsn.ts';

const KNOWN = new Set<number>([
  CpuidFeature.INTEL8086, CpuidFeature.INTEL186, CpuidFeature.INTEL286, CpuidFeature.INTEL386, CpuidFeature.INTEL486,
  CpuidFeature.X64, CpuidFeature.AES, CpuidFeature.BMI1, CpuidFeature.CLFLUSHOPT, CpuidFeature.CLFSH, CpuidFeature.CLWB,
  CpuidFeature.CMOV, CpuidFeature.CMPXCHG16B, CpuidFeature.CPUID, CpuidFeature.CX8, CpuidFeature.FPU, CpuidFeature.FPU287,
  CpuidFeature.FPU387, CpuidFeature.FSGSBASE, CpuidFeature.FXSR, CpuidFeature.INVEPT, CpuidFeature.INVPCID, CpuidFeature.INVVPID,
  CpuidFeature.LZCNT, CpuidFeature.MMX, CpuidFeature.MONITOR, CpuidFeature.MOVBE, CpuidFeature.MSR, CpuidFeature.MULTIBYTENOP,
  CpuidFeature.PAUSE, CpuidFeature.PCLMULQDQ, CpuidFeature.PKU, CpuidFeature.POPCNT, CpuidFeature.PREFETCHW, CpuidFeature.RDPID,
  CpuidFeature.RDPMC, CpuidFeature.RDRAND, CpuidFeature.RDSEED, CpuidFeature.RDTSCP, CpuidFeature.SEP, CpuidFeature.SHA,
  CpuidFeature.SMAP, CpuidFeature.SSE, CpuidFeature.SSE2, CpuidFeature.SSE3, CpuidFeature.SSE4_1, CpuidFeature.SSE4_2,
  CpuidFeature.SSSE3, CpuidFeature.SYSCALL, CpuidFeature.TSC, CpuidFeature.VMX, CpuidFeature.XSAVE, CpuidFeature.XSAVEOPT,
]);

let seed = 0x9e3779b9;
function rnd(): number { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; }
const PREFIXES = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x26, 0x64, 0x65, 0x36, 0x3e, 0x0f, 0x0f, 0x0f, 0x48, 0x41, 0x44, 0x40];

describe('decoder vs iced-x86', () => {
  for (const bits of [16, 32, 64] as const) {
    it(`agrees on length and validity in ${bits}-bit mode`, () => {
      const ins = new DecodedInsn();
      const bytes = new Uint8Array(24);
      const src = { fetch: (k: number): number => bytes[k] };
      const mismatches: string[] = [];
      let compared = 0;
      for (let t = 0; t < 30000; t++) {
        for (let j = 0; j < bytes.length; j++) bytes[j] = rnd() & 0xff;
        const npre = rnd() % 5;
        for (let j = 0; j < npre; j++) bytes[j] = PREFIXES[rnd() % PREFIXES.length];
        if (rnd() % 4 === 0) { bytes[npre] = 0x0f; if (rnd() % 3 === 0) bytes[npre + 1] = rnd() % 2 ? 0x38 : 0x3a; }
        const d = new Decoder(bits, bytes, DecoderOptions.None);
        const x = d.decode();
        const icedOk = x.code !== Code.INVALID;
        const skip = icedOk && (x.encoding !== EncodingKind.Legacy || Array.from(x.cpuidFeatures()).some((f) => !KNOWN.has(f)));
        const mnem = icedOk ? Mnemonic[x.mnemonic] : '';
        const len = x.length;
        x.free(); d.free();
        if (skip) continue;
        const st = decode(src, bits / 8, ins);
        compared++;
        const hex = Array.from(bytes.slice(0, 15), (b) => b.toString(16).padStart(2, '0')).join(' ');
        if (icedOk && st !== DecodeStatus.Ok) mismatches.push(`${hex}: iced ${mnem}, ours invalid`);
        else if (!icedOk && st === DecodeStatus.Ok) mismatches.push(`${hex}: iced invalid, ours ${ins.entry?.name}`);
        else if (icedOk && ins.len !== len) mismatches.push(`${hex}: ${mnem} iced length ${len}, ours ${ins.len}`);
      }
      expect(compared).toBeGreaterThan(22000);
      expect(mismatches.slice(0, 10)).toEqual([]);
    });
  }
});
