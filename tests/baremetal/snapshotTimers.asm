; Snapshot test program with timer interrupts (32-bit only): PIT channel 0
; (IRQ0 through the 8259A, reaching the CPU as ExtINT on LINT0) and the local
; APIC timer (periodic) both interrupt a compute loop that also halts every
; eighth step. Each interrupt mixes the interrupted EIP into a value that is
; printed, so the output records exactly where every interrupt landed.
; Exits with code 0x2b after 60 steps.
global test_main
extern rt_puts, rt_hex32, rt_newline

APIC equ 0xfee00000
PIT_DIVISOR equ 7                     ; ~5.9 us between IRQ0s
APIC_COUNT equ 7919                   ; APIC timer ticks (divide by 1) between interrupts

section .bss
alignb 8
idt2: resb 256 * 8
sum_buf: resb 4096

section .data
align 4
idt2_desc: dw 256 * 8 - 1
           dd idt2
old_desc:  dw 0
           dd 0
pit_ticks: dd 0
apic_ticks: dd 0
mix: dd 0x9e3779b9
s_step: db "step ", 0
s_pit: db " pit ", 0
s_apic: db " apic ", 0
s_mix: db " mix ", 0

%macro GATE 2                         ; vector, handler: 32-bit interrupt gate, DPL 0
    mov eax, %2
    mov [idt2 + %1 * 8], ax
    mov word [idt2 + %1 * 8 + 2], 0x08
    mov word [idt2 + %1 * 8 + 4], 0x8e00
    shr eax, 16
    mov [idt2 + %1 * 8 + 6], ax
%endmacro

section .text
bits 32
pit_isr:
    push eax
    inc dword [pit_ticks]
    mov eax, [esp + 4]                ; interrupted EIP
    xor [mix], eax
    rol dword [mix], 5
    mov al, 0x20
    out 0x20, al                      ; non-specific EOI to the master 8259A
    pop eax
    iretd

apic_isr:
    push eax
    inc dword [apic_ticks]
    mov eax, [esp + 4]
    add [mix], eax
    rol dword [mix], 3
    mov dword [APIC + 0xb0], 0        ; EOI
    pop eax
    iretd

test_main:
    push ebx
    push ebp
    sidt [old_desc]                   ; keep the runtime's exception gates
    mov esi, [old_desc + 2]
    mov edi, idt2
    mov ecx, 32 * 2
    rep movsd
    GATE 0x20, pit_isr
    GATE 0x40, apic_isr
    lidt [idt2_desc]
    mov al, 0x11                      ; 8259A pair: ICW1-4, vectors 0x20/0x28
    out 0x20, al
    out 0xa0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xa1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xa1, al
    mov al, 1
    out 0x21, al
    out 0xa1, al
    mov al, 0xfe                      ; only IRQ0
    out 0x21, al
    mov al, 0xff
    out 0xa1, al
    mov al, 0x34                      ; PIT channel 0, lo/hi, mode 2
    out 0x43, al
    mov al, PIT_DIVISOR & 0xff
    out 0x40, al
    mov al, PIT_DIVISOR >> 8
    out 0x40, al
    mov dword [APIC + 0xf0], 0x1ff    ; SVR: software enable
    mov dword [APIC + 0x350], 0x700   ; LVT LINT0: ExtINT (the 8259A)
    mov dword [APIC + 0x3e0], 0xb     ; divide by 1
    mov dword [APIC + 0x320], 0x20040 ; LVT timer: periodic, vector 0x40
    mov dword [APIC + 0x380], APIC_COUNT
    sti
    mov ebx, 0x85a308d3
    xor ebp, ebp
.step:
    mov eax, ebx                      ; xorshift32
    shl eax, 13
    xor ebx, eax
    mov eax, ebx
    shr eax, 17
    xor ebx, eax
    mov eax, ebx
    shl eax, 5
    xor ebx, eax
    mov eax, ebx
    and eax, 0xffc
    add [sum_buf + eax], ebx
    xor ecx, ecx
    xor edx, edx
.sum:
    add edx, [sum_buf + ecx * 4]
    adc edx, 0
    inc ecx
    cmp ecx, 1024
    jb .sum
    test ebp, 7
    jnz .awake
    hlt                               ; idle until the next tick
.awake:
    mov edi, s_step
    call rt_puts
    mov edi, ebp
    call rt_hex32
    mov edi, s_pit
    call rt_puts
    mov edi, [pit_ticks]
    call rt_hex32
    mov edi, s_apic
    call rt_puts
    mov edi, [apic_ticks]
    call rt_hex32
    mov edi, s_mix
    call rt_puts
    mov edi, [mix]
    xor edi, edx
    call rt_hex32
    call rt_newline
    inc ebp
    cmp ebp, 60
    jb .step
    cli
    mov dword [APIC + 0x320], 0x10000 ; mask the APIC timer
    mov al, 0xff                      ; and IRQ0
    out 0x21, al
    pop ebp
    pop ebx
    mov eax, 0x2b
    ret
