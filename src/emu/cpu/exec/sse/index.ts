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

export function registerSse(h: HandlerTable): void {
  registerMoves(h);
  registerIntArith(h);
  registerIntShuffle(h);
  registerFpOps(h);
  registerConvert(h);
  registerSsse3(h);
  registerSse41Int(h);
  registerSse41Fp(h);
  registerPcmpstr(h);
}
