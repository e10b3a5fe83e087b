/*
 * without-syscalls: runs a program as if the kernel lacked some features, to test that the
 * module degrades the way a real older kernel would make it.
 *
 *   without-syscalls [--enosys NR]... [--enotty IOCTL]... -- PROGRAM [ARG]...
 *
 * A seccomp filter makes system call NR fail with ENOSYS (what an older kernel says for a call it
 * does not have) and ioctl(fd, IOCTL, ...) fail with ENOTTY (what nsfs says for an ioctl it does
 * not know). Everything else runs as usual. Test-only; never shipped in the module.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#error "unsupported architecture"
#endif

#define MAX_RULES 32

int main(int argc, char **argv)
{
    unsigned long enosys[MAX_RULES], enotty[MAX_RULES];
    int n_enosys = 0, n_enotty = 0, i = 1;

    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        if (i + 1 >= argc || n_enosys == MAX_RULES || n_enotty == MAX_RULES) {
            fprintf(stderr, "usage: without-syscalls [--enosys NR]... [--enotty IOCTL]... -- PROGRAM [ARG]...\n");
            return 125;
        }
        unsigned long value = strtoul(argv[i + 1], NULL, 0);
        if (strcmp(argv[i], "--enosys") == 0)
            enosys[n_enosys++] = value;
        else if (strcmp(argv[i], "--enotty") == 0)
            enotty[n_enotty++] = value;
        else {
            fprintf(stderr, "without-syscalls: unknown option %s\n", argv[i]);
            return 125;
        }
    }
    if (i + 1 >= argc) {
        fprintf(stderr, "without-syscalls: no program given\n");
        return 125;
    }

    struct sock_filter filter[8 + 2 * MAX_RULES];
    int n = 0;
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0);
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (int r = 0; r < n_enosys; r++) {
        filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)enosys[r], 0, 1);
        filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    }
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 1, 0);
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    /* The ioctl request is the second argument; its low 32 bits on a little-endian machine. */
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]));
    for (int r = 0; r < n_enotty; r++) {
        filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)enotty[r], 0, 1);
        filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTTY);
    }
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

    struct sock_fprog program = { .len = (unsigned short)n, .filter = filter };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        perror("without-syscalls: seccomp");
        return 125;
    }
    execvp(argv[i + 1], &argv[i + 1]);
    perror("without-syscalls: exec");
    return 127;
}
