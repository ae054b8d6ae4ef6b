/**
 * The x87 FPU: 80-bit soft float, register stack, and memory images. Pure TypeScript:
 * nothing here decodes instructions or touches guest memory.
 *
 * Interface notes for the CPU core
 * --------------------------------
 * State. `new FpuState(view?)` keeps everything in a Uint32Array of FPU_WORDS words (pass a
 *   view into the CPU state buffer to snapshot it with the rest). Registers are stored
 *   physically (R0-R7: lo, hi, se); `read(i)`/`write(i)` address ST(i). TOP lives in FSW.
 *   Only the abridged tag (empty or not) is kept; the full tag word is computed.
 * One instruction, e.g. FADD ST(0), ST(i):
 *     const env = fpu.begin();                         // RC/PC/masks from FCW, flags cleared
 *     if (fpu.isEmpty(0) || fpu.isEmpty(i)) fpu.underflow(0, tmp);
 *     else if (fadd(env, fpu.read(0, a), fpu.read(i, b), r)) fpu.write(0, r);
 *     fpu.finish();                                    // flags -> FSW, C1, ES/B
 *   Pops happen after a masked fault too, but not when underflow()/an op returned false
 *   with the exception unmasked. Pushes: `if (!fpu.pushOverflow(tmp)) fpu.push(v)`.
 *   The core checks `fpu.pendingUnmasked` before each waiting x87 instruction (-> #MF,
 *   or IGNNE/FERR# when CR0.NE = 0), handles CR0.EM/TS/MP (#NM), and calls
 *   setLastInstruction/setLastData (FOP is the 11-bit opcode; in real mode keep FCS:FIP
 *   as segment:offset, the images compute linear addresses).
 * Ops return true = store the result, false = unmasked pre-computation exception (leave
 *   the destination alone). C0/C2/C3 are set by the caller via setCC (compareCC, fxam,
 *   remQuotient/remPartial, transC2). FXCH/FCHS/FABS/FCMOV/FLD ST(i)/FFREE/FINCSTP are
 *   plain register moves (FCHS/FABS flip se bit 15; none raise exceptions except stack faults).
 * Memory operands: loads (fromF32/fromF64/fromInt32/fromInt64/fromBcd) take the raw bits;
 *   stores (toF32/toF64/toInt/toBcd) leave bits in `conv`/`bcd` and return false when an
 *   unmasked exception means "write nothing, do not pop".
 * Images: build/parse with the store and load functions on a scratch Uint8Array, then copy through the
 *   MMU, so a fault cannot leave the FPU half-changed; afterFnstenv/afterFnsave apply the
 *   side effects once the write succeeded.
 */

export {
  F80, FpEnv, classify, classOf, isNaN80, isSNaN80, signOf,
  IE, DE, ZE, OE, UE, PE, SF, RC_NEAREST, RC_DOWN, RC_UP, RC_ZERO,
  CLS_ZERO, CLS_DENORMAL, CLS_NORMAL, CLS_INFINITY, CLS_QNAN, CLS_SNAN, CLS_UNSUPPORTED,
  EXP_BIAS, BIAS_ADJUST,
} from './float80.ts';

/** FpuState: register file, TOP, tags, FCW/FSW, pointers; stack faults and ES/B. */
export {
  FpuState, FPU_WORDS, FCW_INIT, FSW_C0, FSW_C1, FSW_C2, FSW_C3, FSW_ES, FSW_B,
  TAG_VALID, TAG_ZERO, TAG_SPECIAL, TAG_EMPTY,
  W_REGS, W_FCW, W_FSW, W_FTW, W_FOP, W_FIP_LO, W_FIP_HI, W_FCS, W_FDP_LO, W_FDP_HI, W_FDS,
} from './state.ts';

/** FADD/FSUB/FMUL/FDIV/FSQRT (reverse forms: swap the operands), correctly rounded under RC and PC. */
export { fadd, fsub, fmul, fdiv, fsqrt } from './arith.ts';

/** FCOM/FUCOM/FCOMI/FTST, FXAM, FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1. */
export {
  fcompare, compareCC, compareEflags, ftst, fxam, frndint, fscale, fxtract, fprem, remQuotient, remPartial,
  CMP_GT, CMP_LT, CMP_EQ, CMP_UNORDERED, CMP_NONE,
} from './ops.ts';

/** FSIN/FCOS/FSINCOS/FPTAN (66-bit-pi reduction, C2 via transC2), FPATAN, F2XM1, FYL2X, FYL2XP1. */
export { fsin, fcos, fsincos, fptan, fpatan, f2xm1, fyl2x, fyl2xp1, transC2 } from './trans.ts';

/** FLD1/FLDL2T/FLDL2E/FLDPI/FLDLG2/FLDLN2/FLDZ with the RC-dependent last bit. */
export { loadConstant, K_ONE, K_L2T, K_L2E, K_PI, K_LG2, K_LN2, K_ZERO } from './constants.ts';

/** Memory formats: float32/64, int16/32/64 (FIST/FISTTP), packed BCD; JS numbers for display. */
export {
  fromF32, fromF64, fromInt32, fromInt64, fromBcd, toF32, toF64, toInt, toBcd, conv, bcd, toNumber, fromNumber,
} from './convert.ts';

/** FNSTENV/FLDENV, FNSAVE/FRSTOR (16/32-bit, real/protected), FXSAVE/FXRSTOR x87 fields. */
export {
  storeEnv, loadEnv, storeSave, loadSave, afterFnstenv, afterFnsave, storeFxsave, loadFxsave,
  ENV16_BYTES, ENV32_BYTES, SAVE16_BYTES, SAVE32_BYTES, FXSAVE_BYTES,
} from './image.ts';
