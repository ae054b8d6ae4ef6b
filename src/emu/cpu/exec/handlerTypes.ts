import type { Cpu } from '../cpu.ts';
import type { DecodedInsn } from '../decoder/decodedInsn.ts';

/** An instruction handler: executes one decoded instruction. May fault. */
export type InsnHandler = (c: Cpu, i: DecodedInsn) => void;
export type HandlerTable = Record<string, InsnHandler>;
