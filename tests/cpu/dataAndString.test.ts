/** String instructions, stack instructions, 16-bit addressing, BCD, and real-mode far transfers. */
import { describe, expect, it } from 'vitest';
import { TestMachine } from './testMachine.ts';

describe('string instructions', () => {
  it('REP MOVSB copies forwards and REP STOSD fills, updating RSI/RDI/RCX', () => {
    const m = new TestMachine('long64').load(`
      mov rdi, 0x5000
      mov eax, 0x11223344
      mov ecx, 4
      rep stosd
      mov rsi, 0x5000
      mov rdi, 0x6000
      mov ecx, 16
      rep movsb
      hlt`).runToHlt();
    expect(m.mem.read32(0x600c)).toBe(0x11223344);
    expect(m.reg('rcx')).toBe(0n);
    expect(m.reg('rsi')).toBe(0x5010n);
    expect(m.reg('rdi')).toBe(0x6010n);
  });

  it('STD makes string instructions go backwards', () => {
    const m = new TestMachine('prot32').load(`
      mov dword [0x5000], 0x04030201
      std
      mov esi, 0x5003
      mov edi, 0x6003
      mov ecx, 4
      rep movsb
      cld
      hlt`).runToHlt();
    expect(m.mem.read32(0x6000)).toBe(0x04030201);
    expect(m.reg('rsi') & 0xffffffffn).toBe(0x4fffn);
  });

  it('REPNE SCASB finds a byte; REPE CMPSB stops at the first difference', () => {
    const m = new TestMachine('long64').load(`
      mov rdi, str
      mov al, 'x'
      mov ecx, 100
      repne scasb
      mov [0x5000], rcx
      mov rsi, a
      mov rdi, b
      mov ecx, 8
      repe cmpsb
      mov [0x5008], rcx
      hlt
    str: db 'hello x world'
    a: db 'abcdefgh'
    b: db 'abcdXfgh'`).runToHlt();
    expect(m.mem.read32(0x5000)).toBe(100 - 7);
    expect(m.mem.read32(0x5008)).toBe(3);
  });

  it('segment override applies to the source of MOVS, never to ES:DI', () => {
    const m = new TestMachine('real').load(`
      mov ax, 0x500
      mov fs, ax
      mov byte [fs:0x10], 0x5a
      xor ax, ax
      mov es, ax
      mov si, 0x10
      mov di, 0x6000
      fs movsb
      hlt`).runToHlt();
    expect(m.mem.read8(0x6000)).toBe(0x5a);
  });

  it('a long REP is resumable: it yields after a chunk and finishes on the next slice', () => {
    const m = new TestMachine('long64').load('mov rdi, 0x200000\nxor eax, eax\nmov ecx, 100000\nrep stosb\nhlt');
    m.run(4);
    expect(m.reg('rcx')).toBeGreaterThan(0n);
    m.runToHlt();
    expect(m.reg('rcx')).toBe(0n);
    expect(m.reg('rdi')).toBe(0x200000n + 100000n);
  });
});

describe('stack instructions', () => {
  it('PUSHA/POPA, ENTER/LEAVE, PUSH/POP segment registers in 32-bit mode', () => {
    const m = new TestMachine('prot32').load(`
      mov eax, 1
      mov ebx, 2
      pusha
      mov eax, 9
      mov ebx, 9
      popa
      mov [0x5000], eax
      mov [0x5004], ebx
      mov ebp, 0x1234
      enter 16, 0
      mov [0x5008], ebp
      mov [0x500c], esp
      leave
      mov [0x5010], ebp
      push ds
      pop es
      mov ax, es
      mov [0x5014], ax
      hlt`).runToHlt();
    expect(m.mem.read32(0x5000)).toBe(1);
    expect(m.mem.read32(0x5004)).toBe(2);
    expect(m.mem.read32(0x5008)).toBe(0x9000 - 4);
    expect(m.mem.read32(0x500c)).toBe(0x9000 - 4 - 16);
    expect(m.mem.read32(0x5010)).toBe(0x1234);
    expect(m.mem.read16(0x5014)).toBe(0x10);
  });

  it('POP [RSP+disp] computes the address after incrementing RSP', () => {
    const m = new TestMachine('long64').load('push 0x77\npush 0x55\npop qword [rsp]\nmov rax, [rsp]\nhlt').runToHlt();
    expect(m.reg('rax')).toBe(0x55n);
  });

  it('ENTER with nesting level copies frame pointers', () => {
    const m = new TestMachine('prot32').load(`
      mov ebp, 0x8000
      mov dword [0x8000 - 4], 0xaaaa
      enter 8, 2
      mov eax, [ebp - 4]
      mov ebx, [ebp - 8]
      hlt`).runToHlt();
    expect(m.reg('rax') & 0xffffffffn).toBe(0xaaaan);
    expect(m.reg('rbx') & 0xffffffffn).toBe(BigInt(0x9000 - 4));
  });
});

describe('16-bit code', () => {
  it('16-bit addressing forms and far CALL/RET in real mode', () => {
    const m = new TestMachine('real').load(`
      xor ax, ax
      mov ds, ax
      mov bx, 0x5000
      mov si, 0x10
      mov byte [bx+si+2], 0x42
      mov bp, 0x5000
      mov di, 0x20
      mov byte [ds:bp+di], 0x43
      mov al, [0x5012]
      mov ah, [0x5020]
      mov [0x5100], ax
      call 0x1000:farproc
      mov [0x5102], cx
      hlt
    farproc:
      mov cx, 0xbeef
      retf`).runToHlt();
    expect(m.mem.read16(0x5100)).toBe(0x4342);
    expect(m.mem.read16(0x5102)).toBe(0xbeef);
  });

  it('BCD adjust instructions (DAA, DAS, AAA, AAS, AAM, AAD)', () => {
    const m = new TestMachine('prot32').load(`
      mov al, 0x79
      add al, 0x35
      daa
      mov [0x5000], al
      mov al, 0x35
      sub al, 0x47
      das
      mov [0x5001], al
      mov ax, 0x0009
      add al, 5
      aaa
      mov [0x5002], ax
      mov al, 77
      aam
      mov [0x5004], ax
      mov ax, 0x0705
      aad
      mov [0x5006], ax
      hlt`).runToHlt();
    expect(m.mem.read8(0x5000)).toBe(0x14);
    expect(m.mem.read8(0x5001)).toBe(0x88);
    expect(m.mem.read16(0x5002)).toBe(0x0104);
    expect(m.mem.read16(0x5004)).toBe(0x0707);
    expect(m.mem.read16(0x5006)).toBe(75);
  });

  it('BCD instructions are #UD in 64-bit mode', () => {
    const m = new TestMachine('long64').load('db 0x27\nhlt').runToHlt();
    expect(m.exception).toBe(6);
  });
});

describe('64-bit specifics', () => {
  it('REX selects SPL/BPL/SIL/DIL instead of AH/CH/DH/BH, and 32-bit writes zero-extend', () => {
    const m = new TestMachine('long64').load(`
      mov rsi, -1
      mov sil, 0x12
      mov rax, -1
      mov ah, 0x34
      mov rbx, -1
      mov ebx, 5
      hlt`).runToHlt();
    expect(m.reg('rsi')).toBe(0xffffffffffffff12n);
    expect(m.reg('rax')).toBe(0xffffffffffff34ffn);
    expect(m.reg('rbx')).toBe(5n);
  });

  it('MOVSXD, CMPXCHG16B, XADD on memory, BT with a negative bit offset into memory', () => {
    const m = new TestMachine('long64').load(`
      mov ebx, 0x80000000
      movsxd rcx, ebx
      mov [0x5000], rcx
      mov qword [0x5010], 1
      mov qword [0x5018], 2
      mov rax, 1
      mov rdx, 2
      mov rbx, 0xaa
      mov rcx, 0xbb
      cmpxchg16b [0x5010]
      setz byte [0x5020]
      mov dword [0x5030], 10
      mov eax, 5
      lock xadd [0x5030], eax
      mov [0x5034], eax
      mov byte [0x5040], 0x80
      mov rax, 0x5041
      mov rcx, -1
      bt [rax], rcx
      setc byte [0x5044]
      hlt`).runToHlt();
    expect(m.mem.read32(0x5004)).toBe(0xffffffff);
    expect(m.mem.read32(0x5010)).toBe(0xaa);
    expect(m.mem.read32(0x5018)).toBe(0xbb);
    expect(m.mem.read8(0x5020)).toBe(1);
    expect(m.mem.read32(0x5030)).toBe(15);
    expect(m.mem.read32(0x5034)).toBe(10);
    expect(m.mem.read8(0x5044)).toBe(1);
  });

  it('self-modifying code executes the new bytes', () => {
    const m = new TestMachine('long64').load(`
      lea rax, [rel patch]
      mov byte [rax + 1], 0x42   ; mov al, 0x42 instead of 0x11
    patch:
      mov al, 0x11
      hlt`).runToHlt();
    expect(m.reg('rax') & 0xffn).toBe(0x42n);
  });
});

describe('far pointer loads', () => {
  it('LDS/LSS/LFS load the segment and the offset; a bad selector faults before the register changes', () => {
    const m = new TestMachine('prot32').load(`
      mov dword [0x5000], 0x12345678
      mov word [0x5004], 0x10
      mov ebx, 0
      lfs ebx, [0x5000]
      mov [0x5010], ebx
      mov ax, fs
      mov [0x5014], ax
      mov word [0x5004], 0x18    ; a code segment cannot be loaded into SS
      mov ecx, 0xaa
      lss ecx, [0x5000]
      hlt`).runToHlt();
    expect(m.mem.read32(0x5010)).toBe(0x12345678);
    expect(m.mem.read16(0x5014)).toBe(0x10);
    expect(m.exception).toBe(13);
    expect(m.reg('rcx')).toBe(0xaan);
  });
});
