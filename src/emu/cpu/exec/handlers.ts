/**
 * The handler table: every exec module registers its handlers by the names
 * the opcode rows derive (MNEMONIC_Operands), and this module binds them to
 * the compiled table entries once at load.
 */
import { ENTRIES } from '../decoder/table.ts';
import { MAPS } from '../decoder/decode.ts';
import type { HandlerTable } from './handlerTypes.ts';
import { registerAlu } from './alu.ts';
import { registerShift } from './shift.ts';
import { registerMulDiv } from './mulDiv.ts';
import { registerDataXfer } from './dataXfer.ts';
import { registerBits } from './bits.ts';
import { registerStack } from './stack.ts';
import { registerBranch } from './branch.ts';
import { registerFar } from './farTransfer.ts';
import { registerSystem } from './system.ts';
import { registerMisc } from './misc.ts';
import { registerString } from './string.ts';
import { registerX87Arith } from './x87Arith.ts';
import { registerX87Transfer } from './x87Transfer.ts';
import { registerX87Control } from './x87Control.ts';
import { registerXstate } from './xstate.ts';
import { registerXsave } from './xsave.ts';
import { registerVmx } from '../vmx/instructions.ts';
import { registerSse } from './sse/index.ts';

export const HANDLERS: HandlerTable = {};
for (const reg of [registerAlu, registerShift, registerMulDiv, registerDataXfer, registerBits, registerStack,
  registerBranch, registerFar, registerSystem, registerMisc, registerString,
  registerX87Arith, registerX87Transfer, registerX87Control, registerXstate, registerXsave, registerVmx, registerSse]) reg(HANDLERS);

void MAPS; // the maps are compiled on import; ENTRIES is filled by then
for (const e of ENTRIES) e.handler = HANDLERS[e.name] ?? null;

/** Handler names no opcode row refers to (a table-consistency test checks this is empty). */
export function orphanHandlers(): string[] {
  const used = new Set(ENTRIES.map((e) => e.name));
  return Object.keys(HANDLERS).filter((n) => !used.has(n));
}

/** Names of decodable rows without a handler (reported as unimplemented when executed). */
export function unimplementedRows(): string[] {
  return [...new Set(ENTRIES.filter((e) => e.handler === null && (e.attrs & 1024) === 0).map((e) => e.name))].sort();
}
