/**
 * The two-byte opcode map 0F xx (Intel SDM Vol. 2 Appendix A, Table A-3), and
 * the three-byte maps 0F 38 / 0F 3A. SSE/MMX rows carry SDM mnemonics and
 * operand letters; the mandatory-prefix column (none, 66, F3, F2) selects the
 * instruction. Handlers are in exec/sse/.
 */
import { Attr as A, INVALID as X, op, pfx, type Spec } from '../table.ts';
import { GRP12, GRP13, GRP14, GRP15, GRP16, GRP6, GRP7, GRP8, GRP9, GRP_PREFETCHW } from './groups.ts';

const L = A.Lock;
const BR = A.Branch;
const CC = ['O', 'NO', 'B', 'NB', 'Z', 'NZ', 'BE', 'NBE', 'S', 'NS', 'P', 'NP', 'L', 'NL', 'LE', 'NLE'];

/** An SSE row with the four mandatory-prefix columns (none, 66, F3, F2); '' = #UD. */
function sse(none: string, p66: string, f3: string, f2: string, operands = 'Vx,Wx'): Spec {
  const mk = (m: string): Spec => (m ? op(m, operands) : X);
  return pfx(mk(none), mk(p66), mk(f3), mk(f2));
}
/** MMX (no prefix) / SSE2 (66) integer rows. */
const mmx = (m: string, operands = 'Pq,Qq', ops66 = 'Vx,Wx'): Spec => pfx(op(m, operands), op(m, ops66), X, X);

export const MAP_0F: readonly Spec[] = [
  /* 00 */ GRP6, GRP7, op('LAR', 'Gv,Ew', A.Prot), op('LSL', 'Gv,Ew', A.Prot),
  /* 04 */ X, op('SYSCALL', '', BR), op('CLTS', '', A.Cpl0), op('SYSRET', '', BR | A.Cpl0),
  /* 08 */ op('INVD', '', A.Cpl0), op('WBINVD', '', A.Cpl0), X, op('UD2'),
  /* 0C */ X, GRP_PREFETCHW, X, X,
  /* 10 */ sse('MOVUPS', 'MOVUPD', 'MOVSS', 'MOVSD'), sse('MOVUPS', 'MOVUPD', 'MOVSS', 'MOVSD', 'Wx,Vx'),
  /* 12 */ pfx(op('MOVLPS', 'Vq,Wq'), op('MOVLPD', 'Vq,Mq'), op('MOVSLDUP', 'Vx,Wx'), op('MOVDDUP', 'Vx,Wx')), sse('MOVLPS', 'MOVLPD', '', '', 'Mq,Vq'),
  /* 14 */ sse('UNPCKLPS', 'UNPCKLPD', '', ''), sse('UNPCKHPS', 'UNPCKHPD', '', ''),
  /* 16 */ pfx(op('MOVHPS', 'Vq,Wq'), op('MOVHPD', 'Vq,Mq'), op('MOVSHDUP', 'Vx,Wx'), X), sse('MOVHPS', 'MOVHPD', '', '', 'Mq,Vq'),
  /* 18 */ GRP16, op('NOP', 'Ev'), op('NOP', 'Ev'), op('NOP', 'Ev'),
  /* 1C */ op('NOP', 'Ev'), op('NOP', 'Ev'), op('NOP', 'Ev'), op('NOP', 'Ev'),
  /* 20 */ op('MOV', 'Rd,Cd', A.RegOnly | A.Cpl0 | A.Creg), op('MOV', 'Rd,Dd', A.RegOnly | A.Cpl0 | A.Dreg),
  /* 22 */ op('MOV', 'Cd,Rd', A.RegOnly | A.Cpl0 | BR | A.Creg), op('MOV', 'Dd,Rd', A.RegOnly | A.Cpl0 | A.Dreg),
  /* 24 */ X, X, X, X,
  /* 28 */ sse('MOVAPS', 'MOVAPD', '', ''), sse('MOVAPS', 'MOVAPD', '', '', 'Wx,Vx'),
  /* 2A */ pfx(op('CVTPI2PS', 'Vx,Qq'), op('CVTPI2PD', 'Vx,Qq'), op('CVTSI2SS', 'Vx,Ey'), op('CVTSI2SD', 'Vx,Ey')), sse('MOVNTPS', 'MOVNTPD', '', '', 'Mx,Vx'),
  /* 2C */ pfx(op('CVTTPS2PI', 'Pq,Wx'), op('CVTTPD2PI', 'Pq,Wx'), op('CVTTSS2SI', 'Gy,Wx'), op('CVTTSD2SI', 'Gy,Wx')), pfx(op('CVTPS2PI', 'Pq,Wx'), op('CVTPD2PI', 'Pq,Wx'), op('CVTSS2SI', 'Gy,Wx'), op('CVTSD2SI', 'Gy,Wx')),
  /* 2E */ sse('UCOMISS', 'UCOMISD', '', ''), sse('COMISS', 'COMISD', '', ''),
  /* 30 */ op('WRMSR', '', A.Cpl0 | BR), op('RDTSC'), op('RDMSR', '', A.Cpl0), op('RDPMC'),
  /* 34 */ op('SYSENTER', '', BR), op('SYSEXIT', '', BR | A.Cpl0), X, X /* GETSEC: SMX not supported */,
  /* 38 */ X /* three-byte escape */, X, X /* three-byte escape */, X,
  /* 3C */ X, X, X, X,
  /* 40 */ ...CC.map((c) => op(`CMOV${c}`, 'Gv,Ev')),
  /* 50 */ sse('MOVMSKPS', 'MOVMSKPD', '', '', 'Gy,Ux'), sse('SQRTPS', 'SQRTPD', 'SQRTSS', 'SQRTSD'),
  /* 52 */ sse('RSQRTPS', '', 'RSQRTSS', ''), sse('RCPPS', '', 'RCPSS', ''),
  /* 54 */ sse('ANDPS', 'ANDPD', '', ''), sse('ANDNPS', 'ANDNPD', '', ''), sse('ORPS', 'ORPD', '', ''), sse('XORPS', 'XORPD', '', ''),
  /* 58 */ sse('ADDPS', 'ADDPD', 'ADDSS', 'ADDSD'), sse('MULPS', 'MULPD', 'MULSS', 'MULSD'),
  /* 5A */ sse('CVTPS2PD', 'CVTPD2PS', 'CVTSS2SD', 'CVTSD2SS'), sse('CVTDQ2PS', 'CVTPS2DQ', 'CVTTPS2DQ', ''),
  /* 5C */ sse('SUBPS', 'SUBPD', 'SUBSS', 'SUBSD'), sse('MINPS', 'MINPD', 'MINSS', 'MINSD'),
  /* 5E */ sse('DIVPS', 'DIVPD', 'DIVSS', 'DIVSD'), sse('MAXPS', 'MAXPD', 'MAXSS', 'MAXSD'),
  /* 60 */ mmx('PUNPCKLBW'), mmx('PUNPCKLWD'), mmx('PUNPCKLDQ'), mmx('PACKSSWB'),
  /* 64 */ mmx('PCMPGTB'), mmx('PCMPGTW'), mmx('PCMPGTD'), mmx('PACKUSWB'),
  /* 68 */ mmx('PUNPCKHBW'), mmx('PUNPCKHWD'), mmx('PUNPCKHDQ'), mmx('PACKSSDW'),
  /* 6C */ pfx(X, op('PUNPCKLQDQ', 'Vx,Wx'), X, X), pfx(X, op('PUNPCKHQDQ', 'Vx,Wx'), X, X),
  /* 6E */ mmx('MOVD', 'Pd,Ey', 'Vy,Ey'), pfx(op('MOVQ', 'Pq,Qq'), op('MOVDQA', 'Vx,Wx'), op('MOVDQU', 'Vx,Wx'), X),
  /* 70 */ pfx(op('PSHUFW', 'Pq,Qq,Ib'), op('PSHUFD', 'Vx,Wx,Ib'), op('PSHUFHW', 'Vx,Wx,Ib'), op('PSHUFLW', 'Vx,Wx,Ib')),
  /* 71 */ GRP12, GRP13, GRP14,
  /* 74 */ mmx('PCMPEQB'), mmx('PCMPEQW'), mmx('PCMPEQD'), pfx(op('EMMS'), X, X, X),
  /* 78 */ pfx(op('VMREAD', 'Ey,Gy'), X, X, X), pfx(op('VMWRITE', 'Gy,Ey'), X, X, X), X, X,
  /* 7C */ sse('', 'HADDPD', '', 'HADDPS'), sse('', 'HSUBPD', '', 'HSUBPS'),
  /* 7E */ pfx(op('MOVD', 'Ey,Pd'), op('MOVD', 'Ey,Vy'), op('MOVQ', 'Vq,Wq'), X),
  /* 7F */ pfx(op('MOVQ', 'Qq,Pq'), op('MOVDQA', 'Wx,Vx'), op('MOVDQU', 'Wx,Vx'), X),
  /* 80 */ ...CC.map((c) => op(`J${c}`, 'Jz', A.F64 | BR)),
  /* 90 */ ...CC.map((c) => op(`SET${c}`, 'Eb')),
  /* A0 */ op('PUSH', 'FS', A.D64), op('POP', 'FS', A.D64), op('CPUID'), op('BT', 'Ev,Gv'),
  /* A4 */ op('SHLD', 'Ev,Gv,Ib'), op('SHLD', 'Ev,Gv,CL'), X, X,
  /* A8 */ op('PUSH', 'GS', A.D64), op('POP', 'GS', A.D64), op('RSM', '', BR), op('BTS', 'Ev,Gv', L),
  /* AC */ op('SHRD', 'Ev,Gv,Ib'), op('SHRD', 'Ev,Gv,CL'), GRP15, op('IMUL', 'Gv,Ev'),
  /* B0 */ op('CMPXCHG', 'Eb,Gb', L), op('CMPXCHG', 'Ev,Gv', L), op('LSS', 'Gv,Mp', A.MemOnly), op('BTR', 'Ev,Gv', L),
  /* B4 */ op('LFS', 'Gv,Mp', A.MemOnly), op('LGS', 'Gv,Mp', A.MemOnly), op('MOVZX', 'Gv,Eb'), op('MOVZX', 'Gv,Ew'),
  /* B8 */ pfx(X, X, op('POPCNT', 'Gv,Ev'), X), op('UD1', 'Gv,Ev'), GRP8, op('BTC', 'Ev,Gv', L),
  /* BC */ pfx(op('BSF', 'Gv,Ev'), op('BSF', 'Gv,Ev'), op('TZCNT', 'Gv,Ev'), op('BSF', 'Gv,Ev')),
  /* BD */ pfx(op('BSR', 'Gv,Ev'), op('BSR', 'Gv,Ev'), op('LZCNT', 'Gv,Ev'), op('BSR', 'Gv,Ev')),
  /* BE */ op('MOVSX', 'Gv,Eb'), op('MOVSX', 'Gv,Ew'),
  /* C0 */ op('XADD', 'Eb,Gb', L), op('XADD', 'Ev,Gv', L),
  /* C2 */ sse('CMPPS', 'CMPPD', 'CMPSS', 'CMPSD', 'Vx,Wx,Ib'), pfx(op('MOVNTI', 'My,Gy', A.MemOnly), X, X, X),
  /* C4 */ mmx('PINSRW', 'Pq,Ew,Ib', 'Vx,Ew,Ib'), mmx('PEXTRW', 'Gd,Nq,Ib', 'Gd,Ux,Ib'),
  /* C6 */ sse('SHUFPS', 'SHUFPD', '', '', 'Vx,Wx,Ib'), GRP9,
  /* C8 */ ...Array<Spec>(8).fill(op('BSWAP', 'Zv')),
  /* D0 */ sse('', 'ADDSUBPD', '', 'ADDSUBPS'), mmx('PSRLW'), mmx('PSRLD'), mmx('PSRLQ'),
  /* D4 */ mmx('PADDQ'), mmx('PMULLW'), pfx(X, op('MOVQ', 'Wq,Vq'), op('MOVQ2DQ', 'Vx,Nq'), op('MOVDQ2Q', 'Pq,Ux')), mmx('PMOVMSKB', 'Gd,Nq', 'Gd,Ux'),
  /* D8 */ mmx('PSUBUSB'), mmx('PSUBUSW'), mmx('PMINUB'), mmx('PAND'),
  /* DC */ mmx('PADDUSB'), mmx('PADDUSW'), mmx('PMAXUB'), mmx('PANDN'),
  /* E0 */ mmx('PAVGB'), mmx('PSRAW'), mmx('PSRAD'), mmx('PAVGW'),
  /* E4 */ mmx('PMULHUW'), mmx('PMULHW'), sse('', 'CVTTPD2DQ', 'CVTDQ2PD', 'CVTPD2DQ'), pfx(op('MOVNTQ', 'Mq,Pq'), op('MOVNTDQ', 'Mx,Vx'), X, X),
  /* E8 */ mmx('PSUBSB'), mmx('PSUBSW'), mmx('PMINSW'), mmx('POR'),
  /* EC */ mmx('PADDSB'), mmx('PADDSW'), mmx('PMAXSW'), mmx('PXOR'),
  /* F0 */ pfx(X, X, X, op('LDDQU', 'Vx,Mx')), mmx('PSLLW'), mmx('PSLLD'), mmx('PSLLQ'),
  /* F4 */ mmx('PMULUDQ'), mmx('PMADDWD'), mmx('PSADBW'), pfx(op('MASKMOVQ', 'Pq,Nq'), op('MASKMOVDQU', 'Vdq,Udq'), X, X),
  /* F8 */ mmx('PSUBB'), mmx('PSUBW'), mmx('PSUBD'), mmx('PSUBQ'),
  /* FC */ mmx('PADDB'), mmx('PADDW'), mmx('PADDD'), op('UD0', 'Gv,Ev'),
];
