/**
 * The monitor trap flag (SDM 26.5.2) and the VMX-preemption timer (26.5.1),
 * kept in the register file's `vmxEvents` words. The timer counts down once
 * per TSC tick (IA32_VMX_MISC rate 0); vmxlab's TSC advances with retired
 * instructions, so the timer does not move while the guest is in HLT.
 */
import type { Cpu } from '../cpu.ts';
import { VMX_EVENTS } from '../state/layout.ts';
import { EXIT, PIN, PROC } from './controls.ts';
import * as F from './slots.ts';

const MTF_PENDING = VMX_EVENTS, DEADLINE = VMX_EVENTS + 1;
const TWO32 = 4294967296;

/** After an instruction (or an event delivery) completes in non-root operation. */
export function afterGuestInstruction(c: Cpu): void {
  if ((c.vmx.cache.lo(F.CPU_BASED_VM_EXEC_CONTROL) & PROC.MONITOR_TRAP_FLAG) !== 0) c.s[MTF_PENDING] = 1;
}

export function mtfPending(c: Cpu): boolean { return c.s[MTF_PENDING] !== 0; }
export function clearMtf(c: Cpu): void { c.s[MTF_PENDING] = 0; }
export function setMtfPending(c: Cpu): void { c.s[MTF_PENDING] = 1; }

/** VM entry: arms the timer from the VMCS (value 0 expires before the first guest instruction). */
export function armPreemptionTimer(c: Cpu): void {
  const s = c.s, v = c.vmx.cache;
  if ((v.lo(F.PIN_BASED_VM_EXEC_CONTROL) & PIN.PREEMPTION_TIMER) === 0) { s[DEADLINE] = 0xffffffff; s[DEADLINE + 1] = 0xffffffff; return; }
  const d = c.icount + v.lo(F.VMX_PREEMPTION_TIMER_VALUE);
  s[DEADLINE] = d % TWO32; s[DEADLINE + 1] = Math.floor(d / TWO32);
}

export function preemptionExpired(c: Cpu): boolean {
  const s = c.s;
  if (s[DEADLINE + 1] === 0xffffffff) return false;
  return c.icount >= s[DEADLINE + 1] * TWO32 + s[DEADLINE];
}

/** VM exit: "save VMX-preemption timer value" stores what is left; the timer stops. */
export function stopPreemptionTimer(c: Cpu): void {
  const s = c.s, v = c.vmx.cache;
  if (s[DEADLINE + 1] !== 0xffffffff && (v.lo(F.VM_EXIT_CONTROLS) & EXIT.SAVE_PREEMPTION_TIMER) !== 0) {
    const left = s[DEADLINE + 1] * TWO32 + s[DEADLINE] - c.icount;
    v.set(F.VMX_PREEMPTION_TIMER_VALUE, left > 0 ? left : 0);
  }
  s[DEADLINE] = 0xffffffff; s[DEADLINE + 1] = 0xffffffff;
  s[MTF_PENDING] = 0;
}
