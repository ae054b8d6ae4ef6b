; vmxlab bare-metal test runtime: a Multiboot v1 kernel that QEMU's -kernel and
; vmxlab's loader both accept, and calls `test_main` either in 32-bit protected
; mode (flat GDT, no paging) or, assembled with -DLONG_MODE, in 64-bit long mode
; with identity-mapped 4-level paging. It provides:
;   rt_putc (dil/edi low byte), rt_puts (rdi/edi -> NUL-terminated string),
;   rt_hex64 (rdi, 64-bit mode), rt_hex32 (edi), rt_hex8 (dil/edi), rt_newline,
;   rt_exit (edi = v: QEMU/vmxlab exit with status (v << 1) | 1).
; All routines preserve every general register; they clobber the arithmetic flags.
; test_main's return value (eax) is passed to rt_exit.
;
; Exceptions 0-31 print one line
;   EXC <vector> err=<error code or -> [cr2=<CR2, #PF only>] rip=<faulting RIP>
; and resume at [fault_resume] (then cleared), or, when it is 0, print
; "EXC unexpected" and exit with code 0x7e.
;
; 64-bit memory map: 0..1 GiB identity-mapped with 2 MiB pages, except
;   0x3fc00000..0x3fdfffff  execute-disable (NX) - instruction fetch gives #PF 0x11
;   0x3fe00000..0x3fffffff  read-only, CR0.WP=1  - writes give #PF 0x03
;   0x40000000..            not present          - any access gives #PF 0x00/0x02

%define MB_MAGIC 0x1badb002
%define MB_FLAGS 0x00000003           ; page-align modules, want memory info

global _start, rt_putc, rt_puts, rt_hex32, rt_hex8, rt_newline, rt_exit
global fault_resume, mb_magic, mb_info, gdt_spare
%ifdef LONG_MODE
global rt_hex64
%endif
extern test_main

COM1 equ 0x3f8
EXIT_PORT equ 0xf4

section .multiboot progbits alloc noexec nowrite align=4
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

section .data
align 8
gdt:
    dq 0                              ; null
    dq 0x00cf9a000000ffff             ; 0x08 code32, flat
    dq 0x00cf92000000ffff             ; 0x10 data, flat
    dq 0x00af9a000000ffff             ; 0x18 code64
gdt_spare:                            ; 0x20, 0x28: for programs to fill (e.g. a based data segment)
    dq 0, 0
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dq gdt
align 8
idt_desc:
    dw idt_end - idt - 1
    dq idt
align 8
fault_resume: dq 0
mb_magic: dd 0
mb_info: dd 0
hexdigits: db "0123456789abcdef"
s_exc: db "EXC ", 0
s_err: db " err=", 0
s_noerr: db " err=-", 0
s_cr2: db " cr2=", 0
s_rip: db " rip=", 0
s_unexpected: db "EXC unexpected", 10, 0

section .bss
alignb 4096
%ifdef LONG_MODE
pml4: resb 4096
pdpt: resb 4096
pd: resb 4096
idt: resb 32 * 16
%else
idt: resb 32 * 8
%endif
idt_end:
alignb 16
stack: resb 65536
stack_top:

; ---------------------------------------------------------------- 32-bit entry
section .text
bits 32
_start:
    cli
    cld
    mov [mb_magic], eax
    mov [mb_info], ebx
    mov esp, stack_top
    lgdt [gdt_desc]
    jmp 0x08:.flat
.flat:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    ; COM1: 115200 8N1, FIFOs on, no interrupts.
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al
    mov dx, COM1
    mov al, 1
    out dx, al
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al
    mov dx, COM1 + 2
    mov al, 0x07
    out dx, al
%ifdef WANT_SSE
    ; SSE for programs that use it: CR0.EM=0, CR0.MP=1, CR4.OSFXSR and OSXMMEXCPT.
    mov eax, cr0
    and eax, ~(1 << 2)
    or eax, 1 << 1
    mov cr0, eax
    mov eax, cr4
    or eax, (1 << 9) | (1 << 10)
    mov cr4, eax
%endif
%ifdef LONG_MODE
    ; PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = 2 MiB page i (present, writable, PS).
    mov dword [pml4], pdpt + 3
    mov dword [pdpt], pd + 3
    xor ecx, ecx
.pd_loop:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [pd + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jb .pd_loop
    or dword [pd + 510 * 8 + 4], 0x80000000   ; NX
    and dword [pd + 511 * 8], ~2              ; read-only
    mov eax, cr4
    or eax, 1 << 5                            ; PAE
    mov cr4, eax
    mov eax, pml4
    mov cr3, eax
    mov ecx, 0xc0000080                       ; IA32_EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)              ; LME, NXE
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)             ; PG, WP
    mov cr0, eax
    jmp 0x18:long_entry

; ---------------------------------------------------------------- 64-bit
bits 64
long_entry:
    mov rsp, stack_top
    ; IDT: 32 interrupt gates (type 0xE, DPL 0) to the stubs.
    xor ecx, ecx
.idt_loop:
    mov rax, [isr_table + rcx * 8]
    mov rdi, rcx
    shl rdi, 4
    mov [idt + rdi], ax
    mov word [idt + rdi + 2], 0x18
    mov word [idt + rdi + 4], 0x8e00
    shr rax, 16
    mov [idt + rdi + 6], ax
    shr rax, 16
    mov [idt + rdi + 8], eax
    inc ecx
    cmp ecx, 32
    jb .idt_loop
    lidt [idt_desc]
    call test_main
    mov edi, eax
    jmp rt_exit

%macro SAVE 0
    push rax
    push rdx
%endmacro
%macro RESTORE 0
    pop rdx
    pop rax
%endmacro

rt_putc:
    SAVE
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20                             ; LSR.THRE
    jz .wait
    mov dx, COM1
    mov eax, edi
    out dx, al
    RESTORE
    ret

rt_newline:
    push rdi
    mov edi, 10
    call rt_putc
    pop rdi
    ret

rt_puts:
    push rdi
    push rsi
    mov rsi, rdi
.next:
    movzx edi, byte [rsi]
    test edi, edi
    jz .done
    call rt_putc
    inc rsi
    jmp .next
.done:
    pop rsi
    pop rdi
    ret

; rt_hexN: print the low N bits of rdi as N/4 hex digits.
rt_hex64:
    push rcx
    mov ecx, 64
    jmp hex_common
rt_hex32:
    push rcx
    mov ecx, 32
    jmp hex_common
rt_hex8:
    push rcx
    mov ecx, 8
hex_common:
    push rdi
    push rax
    mov rax, rdi
.digit:
    sub ecx, 4
    mov rdi, rax
    shr rdi, cl
    and edi, 15
    movzx edi, byte [hexdigits + rdi]
    call rt_putc
    test ecx, ecx
    jnz .digit
    pop rax
    pop rdi
    pop rcx
    ret

rt_exit:
    mov eax, edi
    mov dx, EXIT_PORT
    out dx, eax
.halt:
    cli
    hlt
    jmp .halt

; Exception stubs: push a dummy error code where the CPU pushes none, then the vector.
%macro ISR 1
isr_%1:
%if %1 != 8 && %1 != 10 && %1 != 11 && %1 != 12 && %1 != 13 && %1 != 14 && %1 != 17 && %1 != 21 && %1 != 29 && %1 != 30
    push qword -1
%endif
    push qword %1
    jmp isr_common
%endmacro
%assign v 0
%rep 32
ISR v
%assign v v + 1
%endrep

; Stack: [rsp] vector, +8 error code, +16 RIP, +24 CS, +32 RFLAGS, +40 RSP, +48 SS.
isr_common:
    push rdi
    push rax
    mov rdi, s_exc
    call rt_puts
    mov rdi, [rsp + 16]
    call rt_hex8
    mov rax, [rsp + 24]
    cmp rax, -1
    jne .has_err
    mov rdi, s_noerr
    call rt_puts
    jmp .after_err
.has_err:
    mov rdi, s_err
    call rt_puts
    mov rdi, rax
    call rt_hex64
.after_err:
    cmp qword [rsp + 16], 14
    jne .no_cr2
    mov rdi, s_cr2
    call rt_puts
    mov rdi, cr2
    call rt_hex64
.no_cr2:
    mov rdi, s_rip
    call rt_puts
    mov rdi, [rsp + 32]
    call rt_hex64
    call rt_newline
    mov rax, [fault_resume]
    test rax, rax
    jz .fatal
    mov [rsp + 32], rax
    mov qword [fault_resume], 0
    pop rax
    pop rdi
    add rsp, 16
    iretq
.fatal:
    mov rdi, s_unexpected
    call rt_puts
    mov edi, 0x7e
    jmp rt_exit

section .data
align 8
isr_table:
%assign v 0
%rep 32
    dq isr_ %+ v
%assign v v + 1
%endrep

%else ; ---------------------------------------------------------- 32-bit mode
    ; IDT: 32 interrupt gates (type 0xE, DPL 0) to the stubs.
    xor ecx, ecx
.idt_loop:
    mov eax, [isr_table + ecx * 4]
    mov [idt + ecx * 8], ax
    mov word [idt + ecx * 8 + 2], 0x08
    mov word [idt + ecx * 8 + 4], 0x8e00
    shr eax, 16
    mov [idt + ecx * 8 + 6], ax
    inc ecx
    cmp ecx, 32
    jb .idt_loop
    lidt [idt_desc]
    call test_main
    mov edi, eax
    jmp rt_exit

rt_putc:
    push eax
    push edx
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20                             ; LSR.THRE
    jz .wait
    mov dx, COM1
    mov eax, edi
    out dx, al
    pop edx
    pop eax
    ret

rt_newline:
    push edi
    mov edi, 10
    call rt_putc
    pop edi
    ret

rt_puts:
    push edi
    push esi
    mov esi, edi
.next:
    movzx edi, byte [esi]
    test edi, edi
    jz .done
    call rt_putc
    inc esi
    jmp .next
.done:
    pop esi
    pop edi
    ret

rt_hex32:
    push ecx
    mov ecx, 32
    jmp hex_common
rt_hex8:
    push ecx
    mov ecx, 8
hex_common:
    push edi
    push eax
    mov eax, edi
.digit:
    sub ecx, 4
    mov edi, eax
    shr edi, cl
    and edi, 15
    movzx edi, byte [hexdigits + edi]
    call rt_putc
    test ecx, ecx
    jnz .digit
    pop eax
    pop edi
    pop ecx
    ret

rt_exit:
    mov eax, edi
    mov dx, EXIT_PORT
    out dx, eax
.halt:
    cli
    hlt
    jmp .halt

%macro ISR 1
isr_%1:
%if %1 != 8 && %1 != 10 && %1 != 11 && %1 != 12 && %1 != 13 && %1 != 14 && %1 != 17 && %1 != 21 && %1 != 29 && %1 != 30
    push dword -1
%endif
    push dword %1
    jmp isr_common
%endmacro
%assign v 0
%rep 32
ISR v
%assign v v + 1
%endrep

; Stack: [esp] vector, +4 error code, +8 EIP, +12 CS, +16 EFLAGS.
isr_common:
    push edi
    push eax
    mov edi, s_exc
    call rt_puts
    mov edi, [esp + 8]
    call rt_hex8
    mov eax, [esp + 12]
    cmp eax, -1
    jne .has_err
    mov edi, s_noerr
    call rt_puts
    jmp .after_err
.has_err:
    mov edi, s_err
    call rt_puts
    mov edi, eax
    call rt_hex32
.after_err:
    cmp dword [esp + 8], 14
    jne .no_cr2
    mov edi, s_cr2
    call rt_puts
    mov edi, cr2
    call rt_hex32
.no_cr2:
    mov edi, s_rip
    call rt_puts
    mov edi, [esp + 16]
    call rt_hex32
    call rt_newline
    mov eax, [fault_resume]
    test eax, eax
    jz .fatal
    mov [esp + 16], eax
    mov dword [fault_resume], 0
    pop eax
    pop edi
    add esp, 8
    iretd
.fatal:
    mov edi, s_unexpected
    call rt_puts
    mov edi, 0x7e
    jmp rt_exit

section .data
align 4
isr_table:
%assign v 0
%rep 32
    dd isr_ %+ v
%assign v v + 1
%endrep
%endif
