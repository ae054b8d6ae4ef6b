/** Architectural names for state indices (register panel, dumps, disassembly). */

export const GPR_NAMES64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'] as const;

/** EFLAGS bit names, index = bit number. */
export const EFLAGS_NAMES: readonly (string | null)[] = [
  'CF', null, 'PF', null, 'AF', null, 'ZF', 'SF', 'TF', 'IF', 'DF', 'OF', null, null, 'NT', null,
  'RF', 'VM', 'AC', 'VIF', 'VIP', 'ID',
];

export const EXCEPTION_NAMES = ['#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', 'CSO',
  '#TS', '#NP', '#SS', '#GP', '#PF', '15', '#MF', '#AC', '#MC', '#XM', '#VE', '#CP'] as const;
