/** x87 escape opcodes D8-DF (Intel SDM Vol. 2 Tables A-7 .. A-22), as groups. */
import { INVALID as X, grpMod, op, type Spec } from '../table.ts';

const m = (names: (string | null)[]): Spec[] => names.map((n) => (n ? op(n, 'Mf') : X));
const r = (name: string): Spec => op(name, 'Ef');
const rms = (names: (string | null)[]): Spec[] => names.map((n) => (n ? op(n, 'Ef') : X));
const ARITH = ['FADD', 'FMUL', 'FCOM', 'FCOMP', 'FSUB', 'FSUBR', 'FDIV', 'FDIVR'];

export const X87: Spec[] = [
  /* D8 */ grpMod(m(ARITH), ARITH.map(r)),
  /* D9 */ grpMod(m(['FLD', null, 'FST', 'FSTP', 'FLDENV', 'FLDCW', 'FNSTENV', 'FNSTCW']), [
    r('FLD'), r('FXCH'), rms(['FNOP', null, null, null, null, null, null, null]), r('FSTP1'),
    rms(['FCHS', 'FABS', null, null, 'FTST', 'FXAM', null, null]),
    rms(['FLD1', 'FLDL2T', 'FLDL2E', 'FLDPI', 'FLDLG2', 'FLDLN2', 'FLDZ', null]),
    rms(['F2XM1', 'FYL2X', 'FPTAN', 'FPATAN', 'FXTRACT', 'FPREM1', 'FDECSTP', 'FINCSTP']),
    rms(['FPREM', 'FYL2XP1', 'FSQRT', 'FSINCOS', 'FRNDINT', 'FSCALE', 'FSIN', 'FCOS'])]),
  /* DA */ grpMod(m(['FIADD', 'FIMUL', 'FICOM', 'FICOMP', 'FISUB', 'FISUBR', 'FIDIV', 'FIDIVR']), [
    r('FCMOVB'), r('FCMOVE'), r('FCMOVBE'), r('FCMOVU'), X,
    rms([null, 'FUCOMPP', null, null, null, null, null, null]), X, X]),
  /* DB */ grpMod(m(['FILD', 'FISTTP', 'FIST', 'FISTP', null, 'FLD', null, 'FSTP']), [
    r('FCMOVNB'), r('FCMOVNE'), r('FCMOVNBE'), r('FCMOVNU'),
    rms(['FNENI', 'FNDISI', 'FNCLEX', 'FNINIT', 'FNSETPM', null, null, null]), r('FUCOMI'), r('FCOMI'), X]),
  /* DC */ grpMod(m(ARITH), ['FADD', 'FMUL', 'FCOM2', 'FCOMP3', 'FSUBR', 'FSUB', 'FDIVR', 'FDIV'].map(r)),
  /* DD */ grpMod(m(['FLD', 'FISTTP', 'FST', 'FSTP', 'FRSTOR', null, 'FNSAVE', 'FNSTSW']), [
    r('FFREE'), r('FXCH4'), r('FST'), r('FSTP'), r('FUCOM'), r('FUCOMP'), X, X]),
  /* DE */ grpMod(m(['FIADD', 'FIMUL', 'FICOM', 'FICOMP', 'FISUB', 'FISUBR', 'FIDIV', 'FIDIVR']), [
    r('FADDP'), r('FMULP'), r('FCOMP5'), rms([null, 'FCOMPP', null, null, null, null, null, null]),
    r('FSUBRP'), r('FSUBP'), r('FDIVRP'), r('FDIVP')]),
  /* DF */ grpMod(m(['FILD', 'FISTTP', 'FIST', 'FISTP', 'FBLD', 'FILD', 'FBSTP', 'FISTP']), [
    r('FFREEP'), r('FXCH7'), r('FSTP8'), r('FSTP9'), rms(['FNSTSW', null, null, null, null, null, null, null]),
    r('FUCOMIP'), r('FCOMIP'), X]),
];
