; Prints known lines (mode, Multiboot magic, memory sizes from the boot info)
; and exits with code 0x21 (exit status 0x43). Assembled for both modes.
; mem_upper is only checked against a bound: QEMU's firmware reserves the top
; 128 KiB of RAM, so the exact value differs between machines of equal RAM.
global test_main
extern rt_puts, rt_hex32, rt_newline, mb_magic, mb_info

section .data
%ifdef LONG_MODE
s_mode: db "hello from 64-bit long mode", 10, 0
%else
s_mode: db "hello from 32-bit protected mode", 10, 0
%endif
s_magic: db "magic ", 0
s_lower: db "mem_lower ", 0
s_upper_ok: db "mem_upper >= 126 MiB", 10, 0
s_upper_small: db "mem_upper < 126 MiB", 10, 0

section .text
%ifdef LONG_MODE
bits 64
%else
bits 32
%endif
test_main:
    mov edi, s_mode
    call rt_puts
    mov edi, s_magic
    call rt_puts
    mov edi, [mb_magic]
    call rt_hex32
    call rt_newline
    mov esi, [mb_info]
    mov edi, s_lower
    call rt_puts
    mov edi, [esi + 4]
    call rt_hex32
    call rt_newline
    mov edi, s_upper_ok
    cmp dword [esi + 8], 126 * 1024
    jae .upper
    mov edi, s_upper_small
.upper:
    call rt_puts
    mov eax, 0x21
    ret
