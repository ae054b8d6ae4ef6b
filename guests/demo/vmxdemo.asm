; vmxlab's VMX demo for the playground: a tiny bare-metal hypervisor. It
; enables VMX, sets up one VMCS and runs a 64-bit guest that loops over
; CPUID, OUT 80h, IN from port 71h, HLT and VMCALL, each a VM exit (HLT and
; unconditional I/O exiting are on). The host prints the first exits, skips
; the exiting instruction and resumes, forever, so the exit log and the VMCS
; panel always have something to show.
global test_main
extern rt_puts, rt_hex64, rt_newline

%define HOST_ES_SELECTOR 0x0c00
%define HOST_CS_SELECTOR 0x0c02
%define HOST_SS_SELECTOR 0x0c04
%define HOST_DS_SELECTOR 0x0c06
%define HOST_FS_SELECTOR 0x0c08
%define HOST_GS_SELECTOR 0x0c0a
%define HOST_TR_SELECTOR 0x0c0c
%define VMCS_LINK_POINTER 0x2800
%define PIN_BASED 0x4000
%define PROC_BASED 0x4002
%define EXIT_CONTROLS 0x400c
%define ENTRY_CONTROLS 0x4012
%define EXIT_REASON 0x4402
%define EXIT_INSN_LEN 0x440c
%define GUEST_ES_LIMIT 0x4800
%define GUEST_ES_AR 0x4814
%define GUEST_GDTR_LIMIT 0x4810
%define GUEST_IDTR_LIMIT 0x4812
%define EXIT_QUALIFICATION 0x6400
%define GUEST_CR0 0x6800
%define GUEST_CR3 0x6802
%define GUEST_CR4 0x6804
%define GUEST_ES_BASE 0x6806
%define GUEST_GDTR_BASE 0x6816
%define GUEST_IDTR_BASE 0x6818
%define GUEST_DR7 0x681a
%define GUEST_RSP 0x681c
%define GUEST_RIP 0x681e
%define GUEST_RFLAGS 0x6820
%define HOST_CR0 0x6c00
%define HOST_CR3 0x6c02
%define HOST_CR4 0x6c04
%define HOST_TR_BASE 0x6c0a
%define HOST_GDTR_BASE 0x6c0c
%define HOST_IDTR_BASE 0x6c0e
%define HOST_RSP 0x6c14
%define HOST_RIP 0x6c16

%macro VMW 2
    mov r8, %1
    mov r9, %2
    vmwrite r8, r9
%endmacro
%macro VMR 1          ; value -> r9
    mov r8, %1
    vmread r9, r8
%endmacro

section .bss
alignb 4096
vmxon_region: resb 4096
vmcs_region: resb 4096
guest_stack: resb 4096
guest_stack_top:
tss: resb 128

section .data
align 8
ptr_vmxon: dq vmxon_region
ptr_vmcs: dq vmcs_region
exits: dq 0
gdtr_save: times 10 db 0
idtr_save: times 10 db 0
s_hello: db "vmxdemo: VMXON, VMLAUNCH of a guest looping over CPUID, OUT, IN, HLT, VMCALL", 10, 0
s_exit: db "vmxdemo: VM exit, reason ", 0
s_qual: db " qualification ", 0
s_quiet: db "vmxdemo: (the host keeps resuming the guest; see the exit log)", 10, 0
s_fail: db "vmxdemo: VMLAUNCH/VMRESUME failed", 10, 0

section .text
bits 64

; adjust: ecx = capability MSR, eax = wanted controls -> eax = (wanted | allowed0) & allowed1
adjust:
    push rdx
    push rbx
    mov ebx, eax
    rdmsr
    or ebx, eax
    and ebx, edx
    mov eax, ebx
    pop rbx
    pop rdx
    ret

guest_code:
    xor eax, eax
    cpuid                            ; exit 10
    mov al, 0x55
    out 0x80, al                     ; exit 30: port 80h, immediate, OUT
    mov dx, 0x71
    in al, dx                        ; exit 30: port 71h, DX, IN
    hlt                              ; exit 12
    vmcall                           ; exit 18
    jmp guest_code

test_main:
    mov rdi, s_hello
    call rt_puts
    mov ecx, 0x3a                    ; IA32_FEATURE_CONTROL: lock + VMX outside SMX
    mov eax, 5
    xor edx, edx
    wrmsr
    mov rax, cr4
    or eax, 1 << 13                  ; CR4.VMXE
    mov cr4, rax
    mov rax, cr0
    or eax, 1 << 5                   ; CR0.NE is fixed to 1 in VMX operation
    mov cr0, rax
    mov ecx, 0x480                   ; IA32_VMX_BASIC: revision identifier
    rdmsr
    mov [vmxon_region], eax
    mov [vmcs_region], eax
    vmxon [ptr_vmxon]
    vmclear [ptr_vmcs]
    vmptrld [ptr_vmcs]

    mov ecx, 0x48d                   ; TRUE_PINBASED: nothing extra
    xor eax, eax
    call adjust
    VMW PIN_BASED, rax
    mov ecx, 0x48e                   ; TRUE_PROCBASED: HLT exiting, unconditional I/O exiting
    mov eax, (1 << 7) | (1 << 24)
    call adjust
    VMW PROC_BASED, rax
    mov ecx, 0x48f                   ; TRUE_EXIT: host address-space size
    mov eax, 1 << 9
    call adjust
    VMW EXIT_CONTROLS, rax
    mov ecx, 0x490                   ; TRUE_ENTRY: IA-32e mode guest
    mov eax, 1 << 9
    call adjust
    VMW ENTRY_CONTROLS, rax
    ; host and guest share CR0/CR3/CR4, segments and descriptor tables
    mov rax, cr0
    VMW HOST_CR0, rax
    VMW GUEST_CR0, rax
    mov rax, cr3
    VMW HOST_CR3, rax
    VMW GUEST_CR3, rax
    mov rax, cr4
    VMW HOST_CR4, rax
    VMW GUEST_CR4, rax
    VMW HOST_CS_SELECTOR, 0x18
    VMW HOST_SS_SELECTOR, 0x10
    VMW HOST_DS_SELECTOR, 0x10
    VMW HOST_ES_SELECTOR, 0x10
    VMW HOST_FS_SELECTOR, 0x10
    VMW HOST_GS_SELECTOR, 0x10
    VMW HOST_TR_SELECTOR, 0x20
    VMW HOST_TR_BASE, tss
    sgdt [gdtr_save]
    sidt [idtr_save]
    VMW HOST_GDTR_BASE, [gdtr_save + 2]
    VMW HOST_IDTR_BASE, [idtr_save + 2]
    VMW HOST_RIP, vm_exit_entry
    ; guest segments ES CS SS DS FS GS LDTR TR (consecutive encodings, step 2)
    xor ecx, ecx
.segs:
    mov r10, 0x10                    ; selector
    mov r11, 0xc093                  ; access rights
    mov r12, 0xffffffff              ; limit
    cmp ecx, 1
    jne .not_cs
    mov r10, 0x18
    mov r11, 0xa09b
.not_cs:
    cmp ecx, 6
    jne .not_ldtr
    xor r10, r10
    mov r11, 0x10000                 ; unusable
    xor r12, r12
.not_ldtr:
    cmp ecx, 7
    jne .not_tr
    mov r10, 0x20
    mov r11, 0x8b
    mov r12, 0x67
.not_tr:
    lea r8, [0x0800 + rcx * 2]
    vmwrite r8, r10
    lea r8, [GUEST_ES_AR + rcx * 2]
    vmwrite r8, r11
    lea r8, [GUEST_ES_LIMIT + rcx * 2]
    vmwrite r8, r12
    lea r8, [GUEST_ES_BASE + rcx * 2]
    xor r9, r9
    cmp ecx, 7
    jne .base
    mov r9, tss
.base:
    vmwrite r8, r9
    inc ecx
    cmp ecx, 8
    jne .segs
    VMW GUEST_GDTR_BASE, [gdtr_save + 2]
    movzx eax, word [gdtr_save]
    VMW GUEST_GDTR_LIMIT, rax
    VMW GUEST_IDTR_BASE, [idtr_save + 2]
    movzx eax, word [idtr_save]
    VMW GUEST_IDTR_LIMIT, rax
    VMW GUEST_DR7, 0x400
    VMW GUEST_RFLAGS, 2
    VMW GUEST_RSP, guest_stack_top
    VMW GUEST_RIP, guest_code
    VMW VMCS_LINK_POINTER, -1
    VMW HOST_RSP, rsp
    vmlaunch
    jmp entry_failed                 ; VMfail: the instruction completed

; HOST_RIP: every VM exit lands here with the host's RSP.
vm_exit_entry:
    inc qword [exits]
    cmp qword [exits], 10
    ja .quiet
    mov rdi, s_exit
    call rt_puts
    VMR EXIT_REASON
    mov rdi, r9
    call rt_hex64
    mov rdi, s_qual
    call rt_puts
    VMR EXIT_QUALIFICATION
    mov rdi, r9
    call rt_hex64
    call rt_newline
    cmp qword [exits], 10
    jne .quiet
    mov rdi, s_quiet
    call rt_puts
.quiet:
    VMR EXIT_INSN_LEN                ; GUEST_RIP += length of the exiting instruction
    mov r10, r9
    VMR GUEST_RIP
    add r9, r10
    mov r8, GUEST_RIP
    vmwrite r8, r9
    vmresume
entry_failed:
    mov rdi, s_fail
    call rt_puts
    mov eax, 1
    ret
