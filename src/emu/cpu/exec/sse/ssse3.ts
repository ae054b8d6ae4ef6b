/**
 * SSSE3 (SDM Vol. 2), MMX and XMM forms: PSHUFB, PHADD/PHSUB W/D/SW,
 * PMADDUBSW, PSIGNB/W/D, PMULHRSW, PABSB/W/D, PALIGNR.
 */
import type { HandlerTable } from '../handlerTypes.ts';
import { I16, I32, I8, U16, U32, U8 } from './regs.ts';
import { A, B, R, both, sat16s, type LaneOp } from './lanes.ts';

const pshufb: LaneOp = (n) => {
  for (let k = 0; k < n; k++) {
    const x = U8[B + k];
    U8[R + k] = (x & 0x80) !== 0 ? 0 : U8[A + (x & (n - 1))];
  }
};

/** Horizontal word/dword ops: pairs of A fill the low half of R, pairs of B the high half. */
function hWords(f: (x: number, y: number) => number): LaneOp {
  return (n) => {
    const pairs = n >> 2;
    for (let k = 0; k < pairs; k++) {
      U16[(R >> 1) + k] = f(I16[(A >> 1) + 2 * k], I16[(A >> 1) + 2 * k + 1]);
      U16[(R >> 1) + pairs + k] = f(I16[(B >> 1) + 2 * k], I16[(B >> 1) + 2 * k + 1]);
    }
  };
}
function hDwords(f: (x: number, y: number) => number): LaneOp {
  return (n) => {
    const pairs = n >> 3;
    for (let k = 0; k < pairs; k++) {
      U32[(R >> 2) + k] = f(I32[(A >> 2) + 2 * k], I32[(A >> 2) + 2 * k + 1]);
      U32[(R >> 2) + pairs + k] = f(I32[(B >> 2) + 2 * k], I32[(B >> 2) + 2 * k + 1]);
    }
  };
}

/** Unsigned bytes of the destination times signed bytes of the source, adjacent pairs summed with signed saturation. */
const pmaddubsw: LaneOp = (n) => {
  for (let k = 0; k < n >> 1; k++) {
    I16[(R >> 1) + k] = sat16s(U8[A + 2 * k] * I8[B + 2 * k] + U8[A + 2 * k + 1] * I8[B + 2 * k + 1]);
  }
};

function psign(size: 1 | 2 | 4): LaneOp {
  return (n) => {
    for (let k = 0; k < n / size; k++) {
      if (size === 1) { const s = I8[B + k]; U8[R + k] = s < 0 ? -I8[A + k] : s === 0 ? 0 : U8[A + k]; }
      else if (size === 2) { const s = I16[(B >> 1) + k]; U16[(R >> 1) + k] = s < 0 ? -I16[(A >> 1) + k] : s === 0 ? 0 : U16[(A >> 1) + k]; }
      else { const s = I32[(B >> 2) + k]; U32[(R >> 2) + k] = s < 0 ? -I32[(A >> 2) + k] : s === 0 ? 0 : U32[(A >> 2) + k]; }
    }
  };
}
function pabs(size: 1 | 2 | 4): LaneOp {
  return (n) => {
    for (let k = 0; k < n / size; k++) {
      if (size === 1) U8[R + k] = Math.abs(I8[B + k]);
      else if (size === 2) U16[(R >> 1) + k] = Math.abs(I16[(B >> 1) + k]);
      else U32[(R >> 2) + k] = Math.abs(I32[(B >> 2) + k]);
    }
  };
}

/** PALIGNR: (destination:source) shifted right by imm8 bytes; bytes beyond 2n are zero. */
const palignr: LaneOp = (n, imm) => {
  for (let k = 0; k < n; k++) {
    const j = k + imm;
    U8[R + k] = j < n ? U8[B + j] : j < 2 * n ? U8[A + j - n] : 0;
  }
};

export function registerSsse3(h: HandlerTable): void {
  both(h, 'PSHUFB', pshufb);
  both(h, 'PHADDW', hWords((x, y) => x + y));
  both(h, 'PHADDD', hDwords((x, y) => x + y));
  both(h, 'PHADDSW', hWords((x, y) => sat16s(x + y)));
  both(h, 'PHSUBW', hWords((x, y) => x - y));
  both(h, 'PHSUBD', hDwords((x, y) => x - y));
  both(h, 'PHSUBSW', hWords((x, y) => sat16s(x - y)));
  both(h, 'PMADDUBSW', pmaddubsw);
  both(h, 'PSIGNB', psign(1)); both(h, 'PSIGNW', psign(2)); both(h, 'PSIGND', psign(4));
  both(h, 'PMULHRSW', (n) => {
    for (let k = 0; k < n >> 1; k++) U16[(R >> 1) + k] = (((I16[(A >> 1) + k] * I16[(B >> 1) + k]) >> 14) + 1) >> 1;
  });
  both(h, 'PABSB', pabs(1)); both(h, 'PABSW', pabs(2)); both(h, 'PABSD', pabs(4));
  both(h, 'PALIGNR', palignr, true);
}
