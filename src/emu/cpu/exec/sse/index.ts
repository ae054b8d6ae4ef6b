/**
 * SSE through SSE4.2 and MMX (SDM Vol. 2; legacy encodings only: VEX stays #UD).
 * Each module registers its handlers under the names the opcode rows derive.
 */
import type { HandlerTable } from '../handlerTypes.ts';
import { registerMoves } from './moves.ts';
import { registerIntArith } from './intArith.ts';
import { registerIntShuffle } from './intShuffle.ts';
import { registerFpOps } from './fpops.ts';
import { registerConvert } from './convert.ts';
import { registerSsse3 } from './ssse3.ts';
import { registerSse41Int } from './sse41int.ts';
import { registerSse41Fp } from './sse41fp.ts';
import { registerPcmpstr } from './pcmpstr.ts';
import { gated } from './features.ts';

export function registerSse(h: HandlerTable): void {
  const base: HandlerTable = {}, ssse3: HandlerTable = {}, sse41: HandlerTable = {}, sse42: HandlerTable = {};
  registerMoves(base);
  registerIntArith(base);
  registerIntShuffle(base);
  registerFpOps(base);
  registerConvert(base);
  registerSsse3(ssse3);
  registerSse41Int(sse41);
  registerSse41Fp(sse41);
  registerPcmpstr(sse42);
  gated(h, base, 'base');
  gated(h, ssse3, 'ssse3');
  gated(h, sse41, 'sse41');
  gated(h, sse42, 'sse42');
}
