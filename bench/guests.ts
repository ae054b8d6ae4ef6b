/**
 * CPU-bound bare-metal guests for the benchmark: 64-bit test_main programs for
 * the runtime in tests/baremetal (Multiboot, identity-mapped long mode, exit
 * through port 0xf4), each repeating its work ITER times (a nasm -D define)
 * and then returning 0.
 */

export interface CpuGuest {
  name: string;
  /** What one iteration does (shown in the table). */
  work: string;
  /** Iterations for the vmxlab-side instruction count (runs to completion). */
  countIter: number;
  /** Iterations of the timed vmxlab run (about 30 million instructions, or a second of work). */
  vmxIter: number;
  /** Starting iteration count for QEMU (calibrated upwards when too short). */
  qemuIter: number;
  source: string;
}

const HEAD = `
global test_main
bits 64
%ifndef ITER
%define ITER 1000
%endif
`;

const BUFFERS = `
section .bss
alignb 4096
srcbuf: resb 65536
dstbuf: resb 65536
`;

export const CPU_GUESTS: CpuGuest[] = [
  {
    name: 'int-loop',
    work: 'add/xor/dec/jnz',
    countIter: 1000,
    vmxIter: 7_500_000,
    qemuIter: 200_000_000,
    source: `${HEAD}
section .text
test_main:
    mov ecx, ITER
.l: add eax, ecx
    xor edx, eax
    dec ecx
    jnz .l
    xor eax, eax
    ret
`,
  },
  {
    name: 'rep-movsq',
    work: '64 KiB REP MOVSQ',
    countIter: 4,
    vmxIter: 50_000,
    qemuIter: 20_000,
    source: `${HEAD}${BUFFERS}
section .text
test_main:
    mov edx, ITER
.l: mov esi, srcbuf
    mov edi, dstbuf
    mov ecx, 8192
    rep movsq
    dec edx
    jnz .l
    xor eax, eax
    ret
`,
  },
  {
    name: 'byte-copy',
    work: '4 KiB byte loop',
    countIter: 4,
    vmxIter: 1_200,
    qemuIter: 30_000,
    source: `${HEAD}${BUFFERS}
section .text
test_main:
    mov edx, ITER
.l: mov esi, srcbuf
    mov edi, dstbuf
    mov ecx, 4096
.c: mov al, [rsi]
    mov [rdi], al
    inc rsi
    inc rdi
    dec ecx
    jnz .c
    dec edx
    jnz .l
    xor eax, eax
    ret
`,
  },
  {
    name: 'call-ret',
    work: 'recursive fib(15)',
    countIter: 4,
    vmxIter: 1_700,
    qemuIter: 30_000,
    source: `${HEAD}
section .text
test_main:
    push rbx
    mov r12d, ITER
.l: mov edi, 15
    call fib
    dec r12d
    jnz .l
    pop rbx
    xor eax, eax
    ret
; eax = fib(edi)
fib:
    cmp edi, 2
    jb .base
    push rbx
    push rdi
    dec edi
    call fib
    mov ebx, eax
    pop rdi
    sub edi, 2
    call fib
    add eax, ebx
    pop rbx
    ret
.base:
    mov eax, edi
    ret
`,
  },
  {
    // Linear 1 GiB..1 GiB+2 MiB gets its own page table whose entries start empty: each
    // round touches the 512 pages, the #PF handler maps each one, and the round unmaps them all.
    name: 'page-fault',
    work: '512 #PF + map',
    countIter: 2,
    vmxIter: 1_000,
    qemuIter: 2_000,
    source: `${HEAD}
section .bss
alignb 4096
my_pd: resb 4096
my_pt: resb 4096
frame: resb 4096
section .text
test_main:
    push rbx
    push r12
    sub rsp, 16
    sidt [rsp]
    mov rbx, [rsp + 2]              ; IDT base
    add rsp, 16
    lea rax, [rel pf_handler]       ; vector 14: offset 15:0, 31:16, 63:32
    mov [rbx + 14 * 16], ax
    shr rax, 16
    mov [rbx + 14 * 16 + 6], ax
    shr rax, 16
    mov [rbx + 14 * 16 + 8], eax
    mov rax, cr3
    mov rdx, 0x000ffffffffff000
    and rax, rdx
    mov rax, [rax]                  ; PML4[0] -> PDPT
    and rax, rdx
    mov rcx, my_pd
    or rcx, 3
    mov [rax + 8], rcx              ; PDPT[1]: 1 GiB..2 GiB
    mov rcx, my_pt
    or rcx, 3
    mov [my_pd], rcx
    mov rax, cr3
    mov cr3, rax
    mov r12d, ITER
.round:
    mov edi, 0x40000000
    mov ecx, 512
.touch:
    mov [rdi], ecx                  ; #PF, mapped by the handler, retried
    add rdi, 4096
    dec ecx
    jnz .touch
    mov edi, my_pt                  ; unmap all and flush
    xor eax, eax
    mov ecx, 512
    rep stosq
    mov rax, cr3
    mov cr3, rax
    dec r12d
    jnz .round
    pop r12
    pop rbx
    xor eax, eax
    ret

pf_handler:
    push rax
    push rdx
    mov rax, cr2
    shr rax, 12
    and eax, 511
    mov rdx, frame
    or rdx, 3
    mov [my_pt + rax * 8], rdx
    pop rdx
    pop rax
    add rsp, 8                      ; error code
    iretq
`,
  },
];
