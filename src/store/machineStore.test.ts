import { beforeEach, describe, expect, it } from 'vitest';
import { useMachine } from './machineStore.ts';
import type { MachineStateEvent } from '../worker/protocol.ts';

const state = (icount: number, rax: number, runState: MachineStateEvent['runState'] = 'paused'): MachineStateEvent => ({
  kind: 'state', runState, icount, ips: runState === 'running' ? 1e6 : 0, virtualNs: null,
  regs: Uint32Array.of(rax, 0), mode: 'long', bits: 64, cpl: 0, vmx: null, halted: false, breakpoints: [],
});

describe('machine store', () => {
  beforeEach(() => {
    useMachine.getState().apply(state(0, 0, 'off'));
    useMachine.setState({ ipsHistory: [] });
  });

  it('keeps the registers of the previous instruction count, so a step highlights what it changed', () => {
    const m = useMachine.getState();
    m.apply(state(10, 1));
    m.apply(state(11, 2));
    expect(Array.from(useMachine.getState().prevRegs!)).toEqual([1, 0]);
    expect(Array.from(useMachine.getState().regs!)).toEqual([2, 0]);
    // A state event with the same icount (a breakpoint set, say) keeps the comparison.
    m.apply(state(11, 2));
    expect(Array.from(useMachine.getState().prevRegs!)).toEqual([1, 0]);
  });

  it('forgets registers when the machine is off and plots IPS only while running', () => {
    const m = useMachine.getState();
    m.apply(state(5, 1, 'running'));
    m.apply(state(6, 1, 'running'));
    m.apply(state(7, 1, 'paused'));
    expect(useMachine.getState().ipsHistory).toEqual([1e6, 1e6]);
    m.apply(state(0, 0, 'off'));
    expect(useMachine.getState().regs).toBeNull();
    expect(useMachine.getState().prevRegs).toBeNull();
  });
});
