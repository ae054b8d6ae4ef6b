/**
 * Three-byte maps 0F 38 and 0F 3A (Intel SDM Vol. 2 Tables ): the
 * rows a kernel meets (MOVBE, CRC32, INVEPT/INVVPID/INVPCID) and the SSSE3 /
 * SSE4 / AES / SHA rows so that their lengths decode; the rest is #UD.
 */
import { Attr as A, INVALID as X, op, pfx, type Spec } from '../table.ts';

function table(): Spec[] {
  return Array<Spec>(256).fill(X);
}
/** Rows valid with no prefix (MMX form) and with 66 (SSE form). */
const both = (m: string, ops = 'Vx,Wx'): Spec => pfx(op(m, ops.replace('Vx', 'Pq').replace('Wx', 'Qq')), op(m, ops), X, X);
const only66 = (m: string, ops = 'Vx,Wx'): Spec => pfx(X, op(m, ops), X, X);

const m38 = table();
const ssse3 = ['PSHUFB', 'PHADDW', 'PHADDD', 'PHADDSW', 'PMADDUBSW', 'PHSUBW', 'PHSUBD', 'PHSUBSW',
  'PSIGNB', 'PSIGNW', 'PSIGND', 'PMULHRSW'];
ssse3.forEach((m, k) => { m38[k] = both(m); });
m38[0x10] = only66('PBLENDVB'); m38[0x14] = only66('BLENDVPS'); m38[0x15] = only66('BLENDVPD');
m38[0x17] = only66('PTEST');
m38[0x1c] = both('PABSB'); m38[0x1d] = both('PABSW'); m38[0x1e] = both('PABSD');
['PMOVSXBW', 'PMOVSXBD', 'PMOVSXBQ', 'PMOVSXWD', 'PMOVSXWQ', 'PMOVSXDQ'].forEach((m, k) => { m38[0x20 + k] = only66(m); });
['PMULDQ', 'PCMPEQQ', 'MOVNTDQA', 'PACKUSDW'].forEach((m, k) => { m38[0x28 + k] = only66(m, m === 'MOVNTDQA' ? 'Vx,Mx' : 'Vx,Wx'); });
['PMOVZXBW', 'PMOVZXBD', 'PMOVZXBQ', 'PMOVZXWD', 'PMOVZXWQ', 'PMOVZXDQ'].forEach((m, k) => { m38[0x30 + k] = only66(m); });
['PCMPGTQ', 'PMINSB', 'PMINSD', 'PMINUW', 'PMINUD', 'PMAXSB', 'PMAXSD', 'PMAXUW', 'PMAXUD', 'PMULLD', 'PHMINPOSUW']
  .forEach((m, k) => { m38[0x37 + k] = only66(m); });
// No Cpl0 attribute: VMX instructions check #UD and non-root exits before CPL (SDM 31).
m38[0x80] = pfx(X, op('INVEPT', 'Gy,Mdq'), X, X);
m38[0x81] = pfx(X, op('INVVPID', 'Gy,Mdq'), X, X);
m38[0x82] = pfx(X, op('INVPCID', 'Gy,Mdq', A.Cpl0), X, X);
['SHA1NEXTE', 'SHA1MSG1', 'SHA1MSG2', 'SHA256RNDS2', 'SHA256MSG1', 'SHA256MSG2'].forEach((m, k) => {
  m38[0xc8 + k] = pfx(op(m, 'Vx,Wx'), X, X, X);
});
['AESIMC', 'AESENC', 'AESENCLAST', 'AESDEC', 'AESDECLAST'].forEach((m, k) => { m38[0xdb + k] = only66(m); });
m38[0xf0] = pfx(op('MOVBE', 'Gv,Mv'), op('MOVBE', 'Gv,Mv'), X, op('CRC32', 'Gd,Eb'));
m38[0xf1] = pfx(op('MOVBE', 'Mv,Gv'), op('MOVBE', 'Mv,Gv'), X, op('CRC32', 'Gd,Ev'));

const m3a = table();
const i66 = (m: string, ops = 'Vx,Wx,Ib'): Spec => pfx(X, op(m, ops), X, X);
['ROUNDPS', 'ROUNDPD', 'ROUNDSS', 'ROUNDSD', 'BLENDPS', 'BLENDPD', 'PBLENDW'].forEach((m, k) => { m3a[0x08 + k] = i66(m); });
m3a[0x0f] = pfx(op('PALIGNR', 'Pq,Qq,Ib'), op('PALIGNR', 'Vx,Wx,Ib'), X, X);
m3a[0x14] = i66('PEXTRB', 'Ed,Vx,Ib'); m3a[0x15] = i66('PEXTRW', 'Ed,Vx,Ib');
m3a[0x16] = i66('PEXTRD', 'Ey,Vx,Ib'); m3a[0x17] = i66('EXTRACTPS', 'Ed,Vx,Ib');
m3a[0x20] = i66('PINSRB', 'Vx,Ed,Ib'); m3a[0x21] = i66('INSERTPS'); m3a[0x22] = i66('PINSRD', 'Vx,Ey,Ib');
m3a[0x40] = i66('DPPS'); m3a[0x41] = i66('DPPD'); m3a[0x42] = i66('MPSADBW'); m3a[0x44] = i66('PCLMULQDQ');
['PCMPESTRM', 'PCMPESTRI', 'PCMPISTRM', 'PCMPISTRI'].forEach((m, k) => { m3a[0x60 + k] = i66(m); });
m3a[0xcc] = pfx(op('SHA1RNDS4', 'Vx,Wx,Ib'), X, X, X);
m3a[0xdf] = i66('AESKEYGENASSIST');

export const MAP_0F38: readonly Spec[] = m38;
export const MAP_0F3A: readonly Spec[] = m3a;
