/**
 * Disassembly for the debugger views and CLI, by iced-x86.
 *
 * The iced module is passed in rather than imported: its npm build is the
 * wasm-bindgen Node target, so Node imports it directly while the browser
 * worker loads the same glue with the .wasm fetched first (see
 * docs/ARCHITECTURE.md). Debug code may use BigInt for addresses.
 */
import type * as Iced from 'iced-x86';
import { formatSymbol, type SymbolTable } from './symbols.ts';

export type IcedModule = typeof Iced;
export type AsmSyntax = 'intel' | 'att';
export type Bitness = 16 | 32 | 64;

export interface DisasmLine {
  address: bigint;
  length: number;
  /** Instruction bytes as lowercase hex pairs separated by spaces. */
  bytes: string;
  text: string;
  /** Bytes that do not form a valid instruction in this mode (shown as "(bad)"). */
  invalid: boolean;
  /** For direct branches and calls, the target address. */
  branchTarget: bigint | null;
  /** The symbol the address belongs to, e.g. "<do_syscall_64+0x2a>". */
  symbol: string | null;
}

export interface DisasmOptions {
  syntax: AsmSyntax;
  symbols?: SymbolTable | null;
}

const MASK64 = (1n << 64n) - 1n;

export class Disassembler {
  private readonly iced: IcedModule;
  private readonly formatters = new Map<AsmSyntax, Iced.Formatter>();

  constructor(iced: IcedModule) {
    this.iced = iced;
  }

  /** Decodes up to `maxCount` instructions from `code`, which starts at `address`. */
  disassemble(code: Uint8Array, address: bigint, bitness: Bitness, maxCount: number, opts: DisasmOptions): DisasmLine[] {
    const { Decoder, DecoderOptions } = this.iced;
    const formatter = this.formatter(opts.syntax);
    const decoder = new Decoder(bitness, code, DecoderOptions.None);
    const lines: DisasmLine[] = [];
    try {
      decoder.ip = address & MASK64;
      while (decoder.canDecode && lines.length < maxCount) {
        const offset = decoder.position;
        const insn = decoder.decode();
        try {
          const target = directBranchTarget(this.iced, insn);
          let text = insn.isInvalid ? '(bad)' : formatter.format(insn);
          const targetSym = target !== null ? symbolAt(opts.symbols, target) : null;
          if (targetSym) text += ` ${targetSym}`;
          lines.push({
            address: insn.ip,
            length: insn.length,
            bytes: hexBytes(code.subarray(offset, offset + insn.length)),
            text,
            invalid: insn.isInvalid,
            branchTarget: target,
            symbol: symbolAt(opts.symbols, insn.ip),
          });
        } finally {
          insn.free();
        }
      }
    } finally {
      decoder.free();
    }
    return lines;
  }

  private formatter(syntax: AsmSyntax): Iced.Formatter {
    let f = this.formatters.get(syntax);
    if (!f) {
      const { Formatter, FormatterSyntax } = this.iced;
      f = new Formatter(syntax === 'att' ? FormatterSyntax.Gas : FormatterSyntax.Intel);
      f.uppercaseHex = false;
      f.hexPrefix = '0x';
      f.hexSuffix = '';
      f.spaceAfterOperandSeparator = true;
      f.firstOperandCharIndex = 8;
      this.formatters.set(syntax, f);
    }
    return f;
  }
}

function directBranchTarget(iced: IcedModule, insn: Iced.Instruction): bigint | null {
  if (insn.isInvalid) return null;
  const kind = insn.opKind(0);
  const { OpKind } = iced;
  if (kind === OpKind.NearBranch16 || kind === OpKind.NearBranch32 || kind === OpKind.NearBranch64) {
    return insn.nearBranchTarget;
  }
  return null;
}

function symbolAt(symbols: SymbolTable | null | undefined, addr: bigint): string | null {
  if (!symbols) return null;
  const hit = symbols.lookup(Number((addr >> 32n) & 0xffffffffn), Number(addr & 0xffffffffn));
  return hit ? formatSymbol(hit) : null;
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
