/*
 * with-pid: runs a program as a given PID, so a test can make the kernel reuse the PID of a
 * process that just ended, at once and for certain, instead of forking until pid_max wraps.
 *
 *   with-pid PID PROGRAM [ARG]...
 *
 * clone3() with set_tid (Linux 5.5; needs CAP_SYS_ADMIN over the PID namespace) makes the child
 * with that PID in this PID namespace; the child execs PROGRAM, this process waits for it and
 * exits with its status, so nothing is left unreaped. Test-only; never shipped in the module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: with-pid PID PROGRAM [ARG]...\n");
        return 2;
    }

    pid_t tid = (pid_t)strtol(argv[1], NULL, 10);
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    args.set_tid = (uint64_t)(uintptr_t)&tid;
    args.set_tid_size = 1;

    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) {
        perror("clone3");
        return 125;
    }

    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("execvp");
        _exit(127);
    }

    int status;
    while (waitpid((pid_t)pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("waitpid");
            return 125;
        }
    }

    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
