/**
 * The VMX instructions (SDM Vol. 3 chapter 31), with their checks in the
 * SDM's order: #UD (mode), VM exit (non-root), #GP (CPL), then operand
 * checks giving VMfailInvalid / VMfailValid(n). Handler names follow the
 * opcode rows (decoder/maps: groups.ts GRP7/GRP9, map0f.ts 78/79, map0f38.ts 80/81).
 */
import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';
import { CR0_PE, CR4_VMXE, EFER_LMA, VM, Vec } from '../arch.ts';
import { CR0, CR4, EFER, FEATURE_CONTROL, RFLAGS } from '../state/layout.ts';
import { readE, writeE, readEaPlus } from '../exec/operands.ts';
import type { HandlerTable } from '../exec/handlerTypes.ts';
import { CR0_FIXED0, CR4_FIXED0, VMCS_REVISION } from './capabilities.ts';
import { EXIT_REASON as R, VMX_ERROR as E } from './exitReasons.ts';
import { insnExit, memOperandInfo } from './intercepts.ts';
import { vmEntry } from './entry.ts';
import { CURRENT_VMCS, VMXON_PTR, VMX_FLAGS, VmxFlag, fieldOut, readFieldValue, supportedSlot, vmFail, vmFailInvalid,
  vmFailValid, vmSucceed, writeFieldValue } from './vmx.ts';
import { isReadOnly } from './fields.ts';
import { PROC2 } from './controls.ts';
import { VMCS_OFF_LAUNCH } from './vmcs.ts';
import * as F from './slots.ts';
import { eptpValid } from './ept.ts';

/** #UD conditions common to VMX instructions other than VMXON (not in VMX operation, real/V86 mode, compatibility mode). @faults */
function checkMode(c: Cpu): void {
  const s = c.s;
  if (!c.vmx.on || (s[CR0] & CR0_PE) === 0 || (s[RFLAGS] & VM) !== 0 || ((s[EFER] & EFER_LMA) !== 0 && !c.long64)) c.fault(Vec.UD);
}

/** Mode, non-root exit and CPL checks; returns normally in VMX root operation at CPL 0. @faults */
function rootOnly(c: Cpu, i: DecodedInsn, reason: number, info = 0): void {
  checkMode(c);
  if (c.nonRoot) insnExit(c, i, reason, i.mod !== 3 ? i.disp : 0, i.mod !== 3 ? i.disp >> 31 : 0, info);
  if (c.cpl !== 0) c.fault(Vec.GP, 0);
}

/** Reads the 64-bit physical-address operand; true if 4-KByte aligned and within the physical-address width. @faults */
function readPtr(c: Cpu, i: DecodedInsn): boolean {
  const lo = readE(c, i, 4), hi = readEaPlus(c, i, 4, 4);
  ptrLo = lo >>> 0; ptrHi = hi >>> 0;
  return (lo & 0xfff) === 0 && hi >>> 0 < 2 ** (c.model.maxPhysAddr - 32) && lo + 0x1000 <= c.mem.size && hi === 0;
}
let ptrLo = 0, ptrHi = 0;

/** Instruction information for VMREAD/VMWRITE (SDM Table 28-15): reg1 6:3 when register form, mem/reg 10, reg2 31:28. */
function rwInfo(i: DecodedInsn): number {
  const base = i.mod === 3 ? ((i.rm & 15) << 3) | (1 << 10) | ((c64(i) ? 2 : 1) << 7) : memOperandInfo(i);
  return (base | ((i.reg & 15) << 28)) >>> 0;
}
const c64 = (i: DecodedInsn): boolean => i.asz === 8;

function vmxon(c: Cpu, i: DecodedInsn): void {
  const s = c.s;
  if ((s[CR0] & CR0_PE) === 0 || (s[CR4] & CR4_VMXE) === 0 || (s[RFLAGS] & VM) !== 0 || ((s[EFER] & EFER_LMA) !== 0 && !c.long64)) {
    c.fault(Vec.UD);
  }
  if (!c.vmx.on) {
    const fc = s[FEATURE_CONTROL];
    if (c.cpl !== 0 || (s[CR0] & CR0_FIXED0) !== CR0_FIXED0 || (s[CR4] & CR4_FIXED0) !== CR4_FIXED0
      || (fc & 1) === 0 || (fc & 4) === 0) c.fault(Vec.GP, 0);
    if (!readPtr(c, i)) { vmFailInvalid(c); return; }
    const rev = c.mem.read32(ptrLo);
    if ((rev & 0x7fffffff) !== VMCS_REVISION || (rev & 0x80000000) !== 0) { vmFailInvalid(c); return; }
    c.vmx.reset();
    s[VMX_FLAGS] = VmxFlag.On;
    s[VMXON_PTR] = ptrLo; s[VMXON_PTR + 1] = ptrHi;
    vmSucceed(c);
    return;
  }
  if (c.nonRoot) insnExit(c, i, R.VMXON, i.disp, i.disp >> 31, memOperandInfo(i));
  if (c.cpl !== 0) c.fault(Vec.GP, 0);
  vmFail(c, E.VMXON_IN_ROOT);
}

function vmxoff(c: Cpu, i: DecodedInsn): void {
  rootOnly(c, i, R.VMXOFF);
  // The current VMCS is written back so its region is coherent (the SDM asks software to VMCLEAR first).
  if (c.vmx.hasCurrent) storeCurrent(c);
  c.vmx.reset();
  c.s[VMX_FLAGS] = 0;
  vmSucceed(c);
}

function storeCurrent(c: Cpu): void {
  const pa = c.vmx.currentPa;
  c.vmx.cache.store(c.mem, pa);
  c.notifyPhysWrite(pa, 0x1000);
}

function vmclear(c: Cpu, i: DecodedInsn): void {
  rootOnly(c, i, R.VMCLEAR, memOperandInfo(i));
  if (!readPtr(c, i)) { vmFail(c, E.VMCLEAR_INVALID_ADDR); return; }
  if (ptrLo === c.vmx.vmxonPa) { vmFail(c, E.VMCLEAR_VMXON_PTR); return; }
  const s = c.s;
  if (c.vmx.hasCurrent && ptrLo === c.vmx.currentPa) {
    c.vmx.cache.launched = false;
    storeCurrent(c);
    s[CURRENT_VMCS] = 0xffffffff; s[CURRENT_VMCS + 1] = 0xffffffff;
  } else {
    c.mem.write32(ptrLo + VMCS_OFF_LAUNCH, 0);
    c.notifyPhysWrite(ptrLo + VMCS_OFF_LAUNCH, 4);
  }
  vmSucceed(c);
}

function vmptrld(c: Cpu, i: DecodedInsn): void {
  rootOnly(c, i, R.VMPTRLD, memOperandInfo(i));
  if (!readPtr(c, i)) { vmFail(c, E.VMPTRLD_INVALID_ADDR); return; }
  if (ptrLo === c.vmx.vmxonPa) { vmFail(c, E.VMPTRLD_VMXON_PTR); return; }
  const rev = c.mem.read32(ptrLo);
  // Bit 31 (shadow VMCS) is accepted only with VMCS shadowing, which is not supported.
  if (rev !== VMCS_REVISION) { vmFail(c, E.VMPTRLD_BAD_REVISION); return; }
  const s = c.s;
  if (c.vmx.hasCurrent && c.vmx.currentPa !== ptrLo) storeCurrent(c);
  if (!c.vmx.hasCurrent || c.vmx.currentPa !== ptrLo) c.vmx.cache.load(c.mem, ptrLo);
  s[CURRENT_VMCS] = ptrLo; s[CURRENT_VMCS + 1] = 0;
  vmSucceed(c);
}

function vmptrst(c: Cpu, i: DecodedInsn): void {
  rootOnly(c, i, R.VMPTRST, memOperandInfo(i));
  const s = c.s;
  writeE(c, i, 4, s[CURRENT_VMCS], 0);
  // The high dword goes to EA+4 (writeE wrote only the low one).
  writeHigh(c, i, s[CURRENT_VMCS + 1]);
  vmSucceed(c);
}

function writeHigh(c: Cpu, i: DecodedInsn, hi: number): void {
  const save = c.eaLo;
  c.eaLo = i.asz === 8 ? (save + 4) >>> 0 : i.asz === 4 ? (save + 4) >>> 0 : (save + 4) & 0xffff;
  try { writeE(c, i, 4, hi, 0); } finally { c.eaLo = save; }
}

function vmread(c: Cpu, i: DecodedInsn): void {
  rootOnly(c, i, R.VMREAD, rwInfo(i));
  if (!c.vmx.hasCurrent) { vmFailInvalid(c); return; }
  const size = c.long64 ? 8 : 4;
  const encLo = c.getReg(i.reg, size), encHi = size === 8 ? c.hi : 0;
  const k = supportedSlot(encLo, encHi);
  if (k < 0) { vmFailValid(c, E.UNSUPPORTED_FIELD); return; }
  readFieldValue(c, encLo, k);
  writeE(c, i, size, fieldOut[0], fieldOut[1]);
  vmSucceed(c);
}

function vmwrite(c: Cpu, i: DecodedInsn): void {
  rootOnly(c, i, R.VMWRITE, rwInfo(i));
  if (!c.vmx.hasCurrent) { vmFailInvalid(c); return; }
  const size = c.long64 ? 8 : 4;
  const val = readE(c, i, size), valHi = size === 8 ? c.hi : 0;
  const encLo = c.getReg(i.reg, size), encHi = size === 8 ? c.hi : 0;
  const k = supportedSlot(encLo, encHi);
  if (k < 0) { vmFailValid(c, E.UNSUPPORTED_FIELD); return; }
  // IA32_VMX_MISC[29] = 0: VM-exit information fields are read-only.
  if (isReadOnly(encLo)) { vmFailValid(c, E.VMWRITE_READ_ONLY); return; }
  writeFieldValue(c, encLo, k, val, valHi);
  vmSucceed(c);
}

function vmlaunchResume(c: Cpu, i: DecodedInsn, launch: boolean): void {
  rootOnly(c, i, launch ? R.VMLAUNCH : R.VMRESUME);
  const vmx = c.vmx;
  if (!vmx.hasCurrent) { vmFailInvalid(c); return; }
  if (c.shadowIcount === c.icount && c.shadowKind === 2) { vmFailValid(c, E.ENTRY_MOV_SS_BLOCKING); return; }
  if (launch && vmx.cache.launched) { vmFailValid(c, E.VMLAUNCH_NONCLEAR); return; }
  if (!launch && !vmx.cache.launched) { vmFailValid(c, E.VMRESUME_NONLAUNCHED); return; }
  vmEntry(c, launch);
}

function vmcall(c: Cpu, i: DecodedInsn): void {
  if (!c.vmx.on) c.fault(Vec.UD);
  if (c.nonRoot) insnExit(c, i, R.VMCALL);
  const s = c.s;
  if ((s[RFLAGS] & VM) !== 0 || ((s[EFER] & EFER_LMA) !== 0 && !c.long64)) c.fault(Vec.UD);
  if (c.cpl !== 0) c.fault(Vec.GP, 0);
  // No dual-monitor treatment of SMIs (IA32_SMM_MONITOR_CTL[0] = 0).
  vmFail(c, E.VMCALL_IN_ROOT);
}

/** INVVPID (types 0-3, SDM 31 INVVPID). */
function invvpid(c: Cpu, i: DecodedInsn): void {
  rootOnly(c, i, R.INVVPID, (memOperandInfo(i) | ((i.reg & 15) << 28)) >>> 0);
  const size = c.long64 ? 8 : 4;
  const type = c.getReg(i.reg, size), typeHi = size === 8 ? c.hi : 0;
  const vpidLo = readEaPlus(c, i, 0, 4), vpidHi = readEaPlus(c, i, 4, 4);
  const laLo = readEaPlus(c, i, 8, 4), laHi = readEaPlus(c, i, 12, 4);
  if (typeHi !== 0 || type > 3) { vmFail(c, E.INVALID_INVEPT_INVVPID_OPERAND); return; }
  if ((vpidLo & 0xffff0000) !== 0 || vpidHi !== 0) { vmFail(c, E.INVALID_INVEPT_INVVPID_OPERAND); return; }
  const vpid = vpidLo & 0xffff;
  if (type !== 2 && vpid === 0) { vmFail(c, E.INVALID_INVEPT_INVVPID_OPERAND); return; }
  if (type === 0 && (laHi >> 15 !== 0 && laHi >> 15 !== -1)) { vmFail(c, E.INVALID_INVEPT_INVVPID_OPERAND); return; }
  c.mmu.invvpid(type, vpid);
  vmSucceed(c);
}

/** INVEPT (SDM 31 INVEPT): single-context (1) and all-context (2); both drop every cached combined mapping. */
function invept(c: Cpu, i: DecodedInsn): void {
  rootOnly(c, i, R.INVEPT, (memOperandInfo(i) | ((i.reg & 15) << 28)) >>> 0);
  const size = c.long64 ? 8 : 4;
  const type = c.getReg(i.reg, size), typeHi = size === 8 ? c.hi : 0;
  const eptpLo = readEaPlus(c, i, 0, 4), eptpHi = readEaPlus(c, i, 4, 4);
  readEaPlus(c, i, 8, 4); // the descriptor is 128 bits; bits 127:64 are reserved
  if (typeHi !== 0 || (type !== 1 && type !== 2)) { vmFail(c, E.INVALID_INVEPT_INVVPID_OPERAND); return; }
  if (type === 1 && !eptpValid(eptpLo, eptpHi, c.model.maxPhysAddr)) { vmFail(c, E.INVALID_INVEPT_INVVPID_OPERAND); return; }
  c.mmu.flushAll();
  vmSucceed(c);
}

export function registerVmx(h: HandlerTable): void {
  h.VMXON_Mq = vmxon;
  h.VMXOFF = vmxoff;
  h.VMCLEAR_Mq = vmclear;
  h.VMPTRLD_Mq = vmptrld;
  h.VMPTRST_Mq = vmptrst;
  h.VMREAD_EyGy = vmread;
  h.VMWRITE_GyEy = vmwrite;
  h.VMLAUNCH = (c, i) => vmlaunchResume(c, i, true);
  h.VMRESUME = (c, i) => vmlaunchResume(c, i, false);
  h.VMCALL = vmcall;
  h.INVVPID_GyMdq = invvpid;
  h.INVEPT_GyMdq = invept;
}
void PROC2; void F;
