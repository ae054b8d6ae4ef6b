; State dump support for generated differential programs (tests/diff/gen).
; A case stores its registers into rt_regs (see the offsets below), then calls
; rt_dump_state with edi = case number, which prints
;   case <n>
;   <reg> <hex>        one line per register, in rt_regs order
;   rflags <hex>       already masked by the case
;   mem <hex>          FNV-1a (32-bit) of the scratch buffer
; rt_scratch_fill (edi = seed) fills the scratch buffer with xorshift32 data.
; Both clobber the general registers (cases reload all of them afterwards).

global rt_regs, rt_saved_sp, rt_dump_state, rt_scratch_fill, scratch
extern rt_puts, rt_putc, rt_hex32, rt_newline
%ifdef LONG_MODE
extern rt_hex64
%endif

SCRATCH_BYTES equ 512

section .data
s_case: db "case ", 0
s_flags: db "rflags ", 0
s_mem: db "mem ", 0
%ifdef LONG_MODE
NREGS equ 16
names: db "rax ", 0, 0, 0, 0, "rcx ", 0, 0, 0, 0, "rdx ", 0, 0, 0, 0, "rbx ", 0, 0, 0, 0
       db "rsp ", 0, 0, 0, 0, "rbp ", 0, 0, 0, 0, "rsi ", 0, 0, 0, 0, "rdi ", 0, 0, 0, 0
       db "r8 ", 0, 0, 0, 0, 0, "r9 ", 0, 0, 0, 0, 0, "r10 ", 0, 0, 0, 0, "r11 ", 0, 0, 0, 0
       db "r12 ", 0, 0, 0, 0, "r13 ", 0, 0, 0, 0, "r14 ", 0, 0, 0, 0, "r15 ", 0, 0, 0, 0
%else
NREGS equ 8
names: db "eax ", 0, 0, 0, 0, "ecx ", 0, 0, 0, 0, "edx ", 0, 0, 0, 0, "ebx ", 0, 0, 0, 0
       db "esp ", 0, 0, 0, 0, "ebp ", 0, 0, 0, 0, "esi ", 0, 0, 0, 0, "edi ", 0, 0, 0, 0
%endif

section .bss
alignb 64
scratch: resb SCRATCH_BYTES
alignb 8
; rt_regs: NREGS registers in encoding order (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi,
; r8..r15), 8 bytes each in both modes, then rflags at offset 8 * NREGS.
rt_regs: resq NREGS + 1
rt_saved_sp: resq 1

section .text
%ifdef LONG_MODE
bits 64
rt_dump_state:
    push rdi
    mov rdi, s_case
    call rt_puts
    pop rdi
    call rt_hex32
    call rt_newline
    xor ebx, ebx
.reg:
    lea rdi, [names + rbx * 8]
    call rt_puts
    mov rdi, [rt_regs + rbx * 8]
    call rt_hex64
    call rt_newline
    inc ebx
    cmp ebx, NREGS
    jb .reg
    mov rdi, s_flags
    call rt_puts
    mov rdi, [rt_regs + NREGS * 8]
    call rt_hex64
    call rt_newline
    call mem_line
    ret

rt_scratch_fill:
    mov eax, edi
    or eax, 1                          ; xorshift32 needs a nonzero state
    xor ecx, ecx
.next:
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    mov [scratch + rcx], eax
    add ecx, 4
    cmp ecx, SCRATCH_BYTES
    jb .next
    ret
%else
bits 32
rt_dump_state:
    push edi
    mov edi, s_case
    call rt_puts
    pop edi
    call rt_hex32
    call rt_newline
    xor ebx, ebx
.reg:
    lea edi, [names + ebx * 8]
    call rt_puts
    mov edi, [rt_regs + ebx * 8]
    call rt_hex32
    call rt_newline
    inc ebx
    cmp ebx, NREGS
    jb .reg
    mov edi, s_flags
    call rt_puts
    mov edi, [rt_regs + NREGS * 8]
    call rt_hex32
    call rt_newline
    call mem_line
    ret

rt_scratch_fill:
    mov eax, edi
    or eax, 1
    xor ecx, ecx
.next:
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    mov [scratch + ecx], eax
    add ecx, 4
    cmp ecx, SCRATCH_BYTES
    jb .next
    ret
%endif

%ifdef WANT_SSE
global rt_dump_xmm
section .data
s_xmm: db "xmm0 ", 0
section .bss
alignb 16
xmm_save: resb 8 * 16
section .text
; rt_dump_xmm: one line per XMM0-7, "xmmN <high qword><low qword>" in hex.
rt_dump_xmm:
%assign x 0
%rep 8
    movdqu [xmm_save + x * 16], xmm %+ x
%assign x x + 1
%endrep
    xor ebx, ebx
.x:
    mov eax, ebx
    add eax, '0'
    mov [s_xmm + 3], al
    mov edi, s_xmm
    call rt_puts
    mov esi, ebx
    shl esi, 4
    add esi, xmm_save
    mov edi, [esi + 12]
    call rt_hex32
    mov edi, [esi + 8]
    call rt_hex32
    mov edi, [esi + 4]
    call rt_hex32
    mov edi, [esi]
    call rt_hex32
    call rt_newline
    inc ebx
    cmp ebx, 8
    jb .x
    ret
%endif

; FNV-1a over the scratch buffer (the same 32-bit code in both modes).
mem_line:
    mov edi, s_mem
    call rt_puts
    mov eax, 0x811c9dc5
    mov esi, scratch
    mov ecx, SCRATCH_BYTES
.byte:
    movzx edx, byte [esi]
    xor eax, edx
    imul eax, eax, 0x01000193
    inc esi
    dec ecx
    jnz .byte
    mov edi, eax
    call rt_hex32
    call rt_newline
    ret
