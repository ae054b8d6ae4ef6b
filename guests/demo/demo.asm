; The playground's bare-metal demo: a Multiboot kernel (tests/baremetal/
; runtime.asm) in 64-bit long mode with 4-level paging. It remaps the first
; 2 MiB with 4 KiB pages, so a walk of RIP (the code sits at 1 MiB) goes
; through all four levels (PML4E, PDPTE, PDE, PTE), then echoes what is typed
; on COM1 forever: a guest to pause, step and look into while Linux cannot boot.
; Rebuild with `npm run demo` (nasm + ld from Debian).
global test_main
extern rt_puts, rt_putc, rt_hex64, rt_newline

COM1 equ 0x3f8

section .data
s_banner: db "vmxlab demo: 64-bit long mode, 4-level paging, 4 KiB pages at 1 MiB", 10
          db "Type: the demo echoes each key; Enter prints the tick counter.", 10, 0
s_ticks:  db "ticks=", 0
s_prompt: db "demo> ", 0

section .bss
alignb 4096
pt:       resb 4096
; Written on every loop: kept off the code's page, where each write would
; invalidate the decoded instructions (self-modifying-code rule).
ticks:    resq 1

section .text
bits 64
test_main:
    call remap_low_2m
    mov edi, s_banner
    call rt_puts
    mov edi, s_prompt
    call rt_puts
.loop:
    call tick                     ; a call to step over
    mov dx, COM1 + 5
    in al, dx
    test al, 1                    ; LSR.DR: a byte was received
    jz .loop
    mov dx, COM1
    in al, dx
    movzx edi, al
    cmp edi, 13
    je .line
    call rt_putc
    jmp .loop
.line:
    call rt_newline
    mov edi, s_ticks
    call rt_puts
    mov rdi, [ticks]
    call rt_hex64
    call rt_newline
    mov edi, s_prompt
    call rt_puts
    jmp .loop

tick:
    inc qword [ticks]
    ret

; PD[0] (the 2 MiB page at 0) becomes a page table of 512 identity 4 KiB pages.
remap_low_2m:
    xor ecx, ecx
.fill:
    mov eax, ecx
    shl eax, 12
    or eax, 3                     ; present, writable
    mov [pt + rcx * 8], rax
    inc ecx
    cmp ecx, 512
    jb .fill
    mov rax, cr3
    and rax, -4096
    mov rax, [rax]                ; PML4[0] -> PDPT
    and rax, -4096
    mov rax, [rax]                ; PDPT[0] -> PD
    and rax, -4096
    mov rdx, pt
    or rdx, 3
    mov [rax], rdx                ; PD[0] -> pt
    mov rax, cr3
    mov cr3, rax                  ; flush the old 2 MiB translation
    ret
