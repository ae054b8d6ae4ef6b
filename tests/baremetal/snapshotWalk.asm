; Snapshot test program: a xorshift64 walk that writes into eight pages of
; .bss, sums them now and then, and prints one line per step. Every step
; changes registers, lazy flags, the stack and RAM, so a snapshot taken at
; any instruction and restored elsewhere must print the very same lines.
; Exits with code 0x2a after 100 steps.
global test_main
extern rt_puts, rt_hex32, rt_newline
%ifdef LONG_MODE
extern rt_hex64
%endif

section .bss
align 4096
walk_buf: resb 8 * 4096

section .data
s_step: db "step ", 0
s_sum: db " sum ", 0

section .text
%ifdef LONG_MODE
bits 64
test_main:
    push rbx
    mov rbx, 0x243f6a8885a308d3
    xor r12d, r12d
.step:
    mov rax, rbx                    ; xorshift64 (13, 7, 17)
    shl rax, 13
    xor rbx, rax
    mov rax, rbx
    shr rax, 7
    xor rbx, rax
    mov rax, rbx
    shl rax, 17
    xor rbx, rax
    mov eax, ebx
    and eax, 0x7ff8
    add [walk_buf + rax], rbx
    xor ecx, ecx                    ; sum a quarter of the buffer, one per step
    xor edx, edx
    mov esi, r12d
    and esi, 3
    shl esi, 13
.sum:
    add rdx, [walk_buf + rsi + rcx * 8]
    adc rdx, 0
    inc ecx
    cmp ecx, 1024
    jb .sum
    mov edi, s_step
    call rt_puts
    mov edi, r12d
    call rt_hex32
    mov edi, s_sum
    call rt_puts
    mov rdi, rdx
    call rt_hex64
    call rt_newline
    inc r12d
    cmp r12d, 100
    jb .step
    pop rbx
    mov eax, 0x2a
    ret
%else
bits 32
test_main:
    push ebx
    mov ebx, 0x85a308d3
    xor ebp, ebp
.step:
    mov eax, ebx                    ; xorshift32 (13, 17, 5)
    shl eax, 13
    xor ebx, eax
    mov eax, ebx
    shr eax, 17
    xor ebx, eax
    mov eax, ebx
    shl eax, 5
    xor ebx, eax
    mov eax, ebx
    and eax, 0x7ffc
    add [walk_buf + eax], ebx
    xor ecx, ecx
    xor edx, edx
    mov esi, ebp
    and esi, 3
    shl esi, 13
.sum:
    add edx, [walk_buf + esi + ecx * 4]
    adc edx, 0
    inc ecx
    cmp ecx, 2048
    jb .sum
    mov edi, s_step
    call rt_puts
    mov edi, ebp
    call rt_hex32
    mov edi, s_sum
    call rt_puts
    mov edi, edx
    call rt_hex32
    call rt_newline
    inc ebp
    cmp ebp, 100
    jb .step
    pop ebx
    mov eax, 0x2a
    ret
%endif
