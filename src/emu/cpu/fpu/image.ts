/**
 * The x87 state as memory images (SDM Vol. 1 8.1.10, Figures 8-9 to 8-12; Vol. 2 FSAVE,
 * FXSAVE Table 3-53/3-56):
 *   FNSTENV/FLDENV  14 bytes (16-bit operand size) or 28 bytes (32-bit), protected-mode or
 *                   real/V86-mode layout;
 *   FNSAVE/FRSTOR   that environment + ST(0)..ST(7), 10 bytes each (94 or 108 bytes);
 *   FXSAVE/FXRSTOR  the x87 part of the 512-byte image (bytes 0-23 and 32-159), with
 *                   32-bit FIP/FCS/FDP/FDS or, with REX.W, 64-bit FIP/FDP.
 *
 * All functions work on a Uint8Array + offset. The CPU stores by building the image in a
 * scratch buffer and copying it to guest memory through its MMU; it loads by copying guest
 * memory into a scratch buffer first and calling load*() only when that succeeded. So a
 * fault in the middle can never leave the FPU half-changed. Store functions do not change
 * the FPU; the side effects (FNSTENV masks all exceptions, FNSAVE reinitializes) are
 * separate calls (afterFnstenv, afterFnsave) for the core to make once the write is done.
 * Bytes an image leaves reserved are not written, except where noted.
 */
import {
  FpuState, W_FCS, W_FCW, W_FDP_HI, W_FDP_LO, W_FDS, W_FIP_HI, W_FIP_LO, W_FOP, W_FSW, W_FTW, W_REGS,
} from './state.ts';

export const ENV16_BYTES = 14, ENV32_BYTES = 28, SAVE16_BYTES = 94, SAVE32_BYTES = 108;
export const FXSAVE_BYTES = 512;

const put16 = (b: Uint8Array, o: number, v: number): void => { b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; };
const put32 = (b: Uint8Array, o: number, v: number): void => { put16(b, o, v); put16(b, o + 2, v >>> 16); };
const get16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const get32 = (b: Uint8Array, o: number): number => (get16(b, o) | (get16(b, o + 2) << 16)) >>> 0;

/** Store ST(i) for i = 0..7 as 10-byte values at `off`, `stride` bytes apart. */
function putRegs(st: FpuState, b: Uint8Array, off: number, stride: number): void {
  const w = st.w;
  for (let i = 0; i < 8; i++) {
    const r = W_REGS + 3 * st.phys(i), o = off + i * stride;
    put32(b, o, w[r]!); put32(b, o + 4, w[r + 1]!); put16(b, o + 8, w[r + 2]!);
  }
}
function getRegs(st: FpuState, b: Uint8Array, off: number, stride: number): void {
  for (let i = 0; i < 8; i++) {
    const o = off + i * stride;
    st.loadPhysRaw(st.phys(i), get16(b, o + 8), get32(b, o + 4), get32(b, o));
  }
}

/**
 * FNSTENV image: 14 bytes (o32 false) or 28 bytes; `realMode` picks the real/V86 layout,
 * where FIP/FDP are stored as 20/32-bit linear addresses (FCS << 4) + FIP. Like Intel parts
 * (and Bochs), the unused upper halves of the 32-bit FCW/FSW/FTW/FDS slots read 0xFFFF.
 * Returns the size in bytes.
 */
export function storeEnv(st: FpuState, b: Uint8Array, off: number, o32: boolean, realMode: boolean): number {
  const w = st.w;
  const fcw = w[W_FCW]!, fsw = w[W_FSW]!, ftw = st.fullTagWord(), fop = w[W_FOP]! & 0x7ff;
  const fcs = w[W_FCS]!, fds = w[W_FDS]!;
  const fip = realMode ? (w[W_FIP_LO]! + (fcs << 4)) >>> 0 : w[W_FIP_LO]!;
  const fdp = realMode ? (w[W_FDP_LO]! + (fds << 4)) >>> 0 : w[W_FDP_LO]!;
  if (o32) {
    put32(b, off, 0xffff0000 | fcw); put32(b, off + 4, 0xffff0000 | fsw); put32(b, off + 8, 0xffff0000 | ftw);
    if (realMode) {
      put32(b, off + 12, 0xffff0000 | (fip & 0xffff));
      put32(b, off + 16, ((fip >>> 4) & 0x0ffff000) | fop);
      put32(b, off + 20, 0xffff0000 | (fdp & 0xffff));
      put32(b, off + 24, (fdp >>> 4) & 0x0ffff000);
    } else {
      put32(b, off + 12, fip);
      put32(b, off + 16, (fcs & 0xffff) | (fop << 16));
      put32(b, off + 20, fdp);
      put32(b, off + 24, 0xffff0000 | fds);
    }
    return ENV32_BYTES;
  }
  put16(b, off, fcw); put16(b, off + 2, fsw); put16(b, off + 4, ftw);
  if (realMode) {
    put16(b, off + 6, fip); put16(b, off + 8, ((fip >>> 4) & 0xf000) | fop);
    put16(b, off + 10, fdp); put16(b, off + 12, (fdp >>> 4) & 0xf000);
  } else {
    put16(b, off + 6, fip); put16(b, off + 8, fcs); put16(b, off + 10, fdp); put16(b, off + 12, fds);
  }
  return ENV16_BYTES;
}

/** FLDENV: load an environment image (see storeEnv). Returns the size in bytes. */
export function loadEnv(st: FpuState, b: Uint8Array, off: number, o32: boolean, realMode: boolean): number {
  const w = st.w;
  let fcw: number, fsw: number, ftw: number, fop: number, fip: number, fcs: number, fdp: number, fds: number;
  if (o32) {
    fcw = get16(b, off); fsw = get16(b, off + 4); ftw = get16(b, off + 8);
    if (realMode) {
      const x = get32(b, off + 16);
      fip = ((x & 0x0ffff000) << 4 | get16(b, off + 12)) >>> 0; fop = x & 0x7ff; fcs = 0;
      fdp = ((get32(b, off + 24) & 0x0ffff000) << 4 | get16(b, off + 20)) >>> 0; fds = 0;
    } else {
      fip = get32(b, off + 12); fcs = get16(b, off + 16); fop = get16(b, off + 18) & 0x7ff;
      fdp = get32(b, off + 20); fds = get16(b, off + 24);
    }
  } else {
    fcw = get16(b, off); fsw = get16(b, off + 2); ftw = get16(b, off + 4);
    if (realMode) {
      const x = get16(b, off + 8);
      fip = ((x & 0xf000) << 4) | get16(b, off + 6); fop = x & 0x7ff; fcs = 0;
      fdp = ((get16(b, off + 12) & 0xf000) << 4) | get16(b, off + 10); fds = 0;
    } else {
      fip = get16(b, off + 6); fcs = get16(b, off + 8); fdp = get16(b, off + 10); fds = get16(b, off + 12);
      fop = 0; // not part of the 16-bit protected-mode image
    }
  }
  w[W_FOP] = fop; w[W_FIP_LO] = fip; w[W_FIP_HI] = 0; w[W_FCS] = fcs;
  w[W_FDP_LO] = fdp; w[W_FDP_HI] = 0; w[W_FDS] = fds;
  st.setFullTagWord(ftw);
  st.setFcw(fcw);
  st.setFsw(fsw);
  return o32 ? ENV32_BYTES : ENV16_BYTES;
}

/** FNSAVE image: the environment, then ST(0)..ST(7). Returns the size in bytes. */
export function storeSave(st: FpuState, b: Uint8Array, off: number, o32: boolean, realMode: boolean): number {
  const n = storeEnv(st, b, off, o32, realMode);
  putRegs(st, b, off + n, 10);
  return n + 80;
}

/** FRSTOR. The environment is loaded first, so ST(i) is relative to the loaded TOP. */
export function loadSave(st: FpuState, b: Uint8Array, off: number, o32: boolean, realMode: boolean): number {
  const n = loadEnv(st, b, off, o32, realMode);
  getRegs(st, b, off + n, 10);
  return n + 80;
}

/** After a successful FNSTENV write: mask all exceptions (which also clears ES/B). */
export function afterFnstenv(st: FpuState): void {
  st.setFcw(st.fcw | 0x3f);
}

/** After a successful FNSAVE write: the FPU is reinitialized as by FNINIT. */
export function afterFnsave(st: FpuState): void {
  st.reset();
}

/**
 * FXSAVE x87 fields: bytes 0-23 and the ST(i) slots at 32 + 16 i (bytes 10-15 of each
 * slot are written as zero). `rexW` selects the 64-bit FIP/FDP layout (FXSAVE64).
 * Bytes 24-31 (MXCSR, MXCSR_MASK) and 160-511 belong to SSE and are not touched.
 */
export function storeFxsave(st: FpuState, b: Uint8Array, off: number, rexW: boolean): void {
  const w = st.w;
  put16(b, off, w[W_FCW]!); put16(b, off + 2, w[W_FSW]!);
  b[off + 4] = w[W_FTW]! & 0xff; b[off + 5] = 0;
  put16(b, off + 6, w[W_FOP]! & 0x7ff);
  if (rexW) {
    put32(b, off + 8, w[W_FIP_LO]!); put32(b, off + 12, w[W_FIP_HI]!);
    put32(b, off + 16, w[W_FDP_LO]!); put32(b, off + 20, w[W_FDP_HI]!);
  } else {
    put32(b, off + 8, w[W_FIP_LO]!); put16(b, off + 12, w[W_FCS]!); put16(b, off + 14, 0);
    put32(b, off + 16, w[W_FDP_LO]!); put16(b, off + 20, w[W_FDS]!); put16(b, off + 22, 0);
  }
  for (let i = 0; i < 8; i++) b.fill(0, off + 32 + 16 * i + 10, off + 32 + 16 * i + 16);
  putRegs(st, b, off + 32, 16);
}

/** FXRSTOR x87 fields (the caller checks MXCSR reserved bits and alignment first). */
export function loadFxsave(st: FpuState, b: Uint8Array, off: number, rexW: boolean): void {
  const w = st.w;
  w[W_FTW] = b[off + 4]!;
  w[W_FOP] = get16(b, off + 6) & 0x7ff;
  if (rexW) {
    w[W_FIP_LO] = get32(b, off + 8); w[W_FIP_HI] = get32(b, off + 12); w[W_FCS] = 0;
    w[W_FDP_LO] = get32(b, off + 16); w[W_FDP_HI] = get32(b, off + 20); w[W_FDS] = 0;
  } else {
    w[W_FIP_LO] = get32(b, off + 8); w[W_FIP_HI] = 0; w[W_FCS] = get16(b, off + 12);
    w[W_FDP_LO] = get32(b, off + 16); w[W_FDP_HI] = 0; w[W_FDS] = get16(b, off + 20);
  }
  st.setFcw(get16(b, off));
  st.setFsw(get16(b, off + 2));
  getRegs(st, b, off + 32, 16);
}
