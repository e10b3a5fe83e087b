/*
 * nsexec - the exec helper of PSNamespaces.
 *
 * pwsh is multithreaded, so the kernel refuses it unshare(CLONE_NEWUSER) and setns into user
 * and time namespaces, and it must never fork(). This small single-threaded program does those
 * steps for it. It makes no decisions about what to do: the C# side (Core/Plans/LaunchPlan.cs,
 * built by UnsharePlan.cs and NsenterPlan.cs) computes the plan, this program runs its steps in
 * order and reports the first failure. The step keywords and their argument counts are the table
 * steps[] below and LaunchStep.ArgumentCounts in Core/Plans/LaunchStep.cs; a test
 * (tests/PSNamespaces.Tests/NsexecStepTableTests.cs) checks they are the same.
 *
 * Protocol
 *   argv:  nsexec STEP [ARG...] STEP [ARG...] ...   (each step has a fixed number of arguments,
 *          except exec, whose arguments are counted; numbers are decimal)
 *   fd 3:  a SOCK_SEQPACKET socket to pwsh, close-on-exec. Every message is a struct report
 *          (Core/Launch/HelperReport.cs reads it, Core/Launch/HelperProcess.cs answers it).
 *          FAILED  the step (index from 0) and errno; then the helper exits 125
 *                  (126/127 when exec itself failed, as shells do).
 *          SYNC    the step; the helper waits for one byte back (EOF: pwsh gave up, exit 125).
 *          CHILD   the step of a fork and the child's PID, as this (outer) PID namespace sees it.
 *          EOF without FAILED means the program was exec'd: the socket is close-on-exec.
 *   A plan without exec ends with exit 0 after its last step (a namespace held while pwsh
 *   synced, then let go).
 *
 * Steps
 *   nsfd SLOT PATH DEV INO   open PATH, require it to be the namespace (st_dev, st_ino)
 *   pidfd SLOT PID           pidfd_open(PID)
 *   alive SLOT               the pidfd's process still runs (so /proc/PID was that process)
 *   setns SLOT FLAGS         setns(slot, CLONE_NEW* flags)
 *   unshare FLAGS            unshare(CLONE_NEW* flags)
 *   sync                     wait for pwsh (to write uid_map, gid_map, timens_offsets, ...)
 *   fork                     the parent waits for the child, forwards signals sent to it by a
 *                            process (not the terminal's, which reach the child directly) and
 *                            exits with the child's code, or 128+N after signal N
 *   pdeathsig SIG PPID       PR_SET_PDEATHSIG; PPID > 0: fail if the parent is already gone
 *   nodump                   PR_SET_DUMPABLE 0, before joining namespaces we do not trust
 *   propagation PATH PROP    mount_setattr(AT_RECURSIVE) propagation MS_PRIVATE/SLAVE/SHARED
 *   mount FSTYPE PATH ATTRS  a new FSTYPE (proc, sysfs) mounted on PATH, MOUNT_ATTR_* flags
 *   bind SOURCE PATH         a (non-recursive) bind mount of SOURCE on PATH
 *   umount PATH              umount2(MNT_DETACH | UMOUNT_NOFOLLOW)
 *   chroot PATH              chroot, then chdir("/")
 *   chdir PATH
 *   setgroups                drop supplementary groups: setgroups(0, NULL)
 *   setgid GID / setuid UID
 *   open SLOT FLAGS PATH     open(PATH, FLAGS | O_CLOEXEC): a process's /proc directory or
 *                            environ, a cgroup.procs file, opened before any namespace is joined
 *   write SLOT TEXT          write TEXT whole (TEXT "0" into cgroup.procs moves this process)
 *   setgid-owner SLOT / setuid-owner SLOT
 *                            set the gid/uid to the owner of the open file, as fstat shows it in
 *                            the user namespace joined by now (nsenter -G follow / -S follow)
 *   environ SLOT             the environment for exec becomes the file's NUL-separated
 *                            NAME=VALUE entries (nsenter --env)
 *   exec FILE ARGC ARGV...   execvp; the environment is the helper's own, or the environ step's
 *
 * Mount targets are opened with openat2(RESOLVE_NO_SYMLINKS) and mounted on through the new
 * mount API, so no symlink anywhere in a target path is ever followed, and no /proc is needed
 * (a fresh root filesystem has none before its proc is mounted).
 *
 * The small decisions it does make itself
 *   - At start: fd 3 is made close-on-exec, every descriptor above 3 is closed, every signal
 *     disposition is reset to the default and the signal mask emptied (the CLR ignores SIGPIPE
 *     and blocks others; a program must start as from a shell). The process name is set back to
 *     "nsexec" (started as /proc/self/fd/N, the kernel names it "N"), and its command line, as
 *     ps and lsns show it, to a short one: "nsexec unshare pid,net -- PROGRAM ARGS" (retitle).
 *   - Exit codes: 125 when a step failed (or the plan is malformed: EINVAL for the step, or pwsh
 *     closed the socket at a sync step); 126 when execvp failed, 127 when it failed with ENOENT
 *     (as shells report them); after a fork, the child's exit code, or 128+N when signal N
 *     ended it; 0 when a plan without exec ran to its end.
 *   - After a fork, the waiting parent forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and
 *     SIGUSR2 to the child when a process sent them (pwsh's Ctrl+C handling, kill), but not
 *     when the terminal did (si_code SI_KERNEL): the terminal signals the child's process group
 *     itself.
 *   - chroot is followed by chdir("/"), so the old root is not reachable through the working
 *     directory; a chdir step after it is relative to the new root.
 *   - open adds O_CLOEXEC; nsfd refuses (ESTALE) a file that is not the namespace pwsh resolved;
 *     pdeathsig fails (ESRCH) when the expected parent is already gone, since no signal would come.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The build id: the SHA-256 of this file, passed by build.ps1. The module reads it from the
 * helper file before running it (Core/Launch/HelperBuildId.cs) and refuses a helper without its
 * own: a helper of another source runs another step table, and any other program put in its
 * place would do nothing and exit 0. A build without the id gets one no module accepts. */
#ifndef NSEXEC_BUILD_ID
#define NSEXEC_BUILD_ID "none"
#endif
__attribute__((used)) static const char build_id[] = "PSNamespaces-nsexec-build-id:" NSEXEC_BUILD_ID;

/* <sys/mount.h> clashes with <linux/mount.h> on glibc 2.36; declare the two calls we need. */
extern int umount2(const char *target, int flags);
#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif
#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif

#define SOCKET_FD 3
#define SLOTS 32

enum report_kind { REPORT_FAILED = 1, REPORT_SYNC = 2, REPORT_CHILD = 3 };

/* The one message format, read by Core/Launch/HelperReport.cs. */
struct report {
    int32_t kind;
    int32_t step;
    int32_t value;
};

static int slots[SLOTS];
static int step_index;

static void send_report(int kind, int value)
{
    struct report r = { kind, step_index, value };
    /* Nothing to do if pwsh is gone: it would not read the report. */
    if (send(SOCKET_FD, &r, sizeof r, MSG_NOSIGNAL) < 0) {
        return;
    }
}

static _Noreturn void fail(int err, int code)
{
    send_report(REPORT_FAILED, err);
    _exit(code);
}

static _Noreturn void fail_errno(void)
{
    fail(errno, 125);
}

/* A malformed plan is a bug on the C# side: report EINVAL for the step. */
static long number(const char *text)
{
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0') {
        fail(EINVAL, 125);
    }
    return (long)value;
}

static unsigned long long unsigned_number(const char *text)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0') {
        fail(EINVAL, 125);
    }
    return value;
}

static int slot_index(const char *text)
{
    long slot = number(text);
    if (slot < 0 || slot >= SLOTS) {
        fail(EINVAL, 125);
    }
    return (int)slot;
}

static int slot_fd(const char *text)
{
    int fd = slots[slot_index(text)];
    if (fd < 0) {
        fail(EBADF, 125);
    }
    return fd;
}

/* A mount target, refusing every symlink on the way (a swapped-in symlink cannot redirect us). */
static int open_target(const char *path)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS;
    int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
    if (fd < 0) {
        fail_errno();
    }
    return fd;
}

static void move_onto(int mount_fd, const char *path)
{
    int target = open_target(path);
    if (syscall(SYS_move_mount, mount_fd, "", target, "",
                MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
        fail_errno();
    }
    close(target);
    close(mount_fd);
}

static void step_mount(const char *fstype, const char *path, unsigned long long attrs)
{
    int fs = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
    if (fs < 0) {
        fail_errno();
    }
    /* The source mountinfo shows, as mount -t proc proc /proc would set it. */
    if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", fstype, 0) != 0 ||
        syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
        fail_errno();
    }
    int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, (unsigned int)attrs);
    if (mnt < 0) {
        fail_errno();
    }
    close(fs);
    move_onto(mnt, path);
}

static void step_bind(const char *source, const char *path)
{
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0) {
        fail_errno();
    }
    move_onto(tree, path);
}

static void step_propagation(const char *path, unsigned long long propagation)
{
    int target = open_target(path);
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.propagation = propagation;
    if (syscall(SYS_mount_setattr, target, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
        fail_errno();
    }
    close(target);
}

static void step_nsfd(int slot, const char *path, unsigned long long dev, unsigned long long ino)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail_errno();
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        fail_errno();
    }
    /* Not the namespace C# resolved (a PID reused, a bind mount replaced): refuse it. */
    if ((unsigned long long)st.st_dev != dev || (unsigned long long)st.st_ino != ino) {
        fail(ESTALE, 125);
    }
    slots[slot] = fd;
}

static void step_sync(void)
{
    send_report(REPORT_SYNC, 0);
    char go;
    if (recv(SOCKET_FD, &go, 1, 0) != 1) {
        _exit(125);
    }
}

/*
 * The parent stays as the child's waiter, like unshare --fork: it is outside the new PID
 * namespace, so it can report the child's PID and exit code. Signals sent to it by a process
 * (pwsh's Ctrl+C handling, kill) are forwarded; the terminal's (si_code SI_KERNEL) are not, as
 * the terminal already signalled the child's process group.
 */
static void step_fork(void)
{
    sigset_t forwarded, previous;
    sigemptyset(&forwarded);
    sigaddset(&forwarded, SIGCHLD);
    sigaddset(&forwarded, SIGINT);
    sigaddset(&forwarded, SIGTERM);
    sigaddset(&forwarded, SIGHUP);
    sigaddset(&forwarded, SIGQUIT);
    sigaddset(&forwarded, SIGUSR1);
    sigaddset(&forwarded, SIGUSR2);
    sigprocmask(SIG_BLOCK, &forwarded, &previous);

    pid_t child = fork();
    if (child < 0) {
        fail_errno();
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &previous, NULL);
        return;
    }

    send_report(REPORT_CHILD, child);
    close(SOCKET_FD);
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&forwarded, &info);
        if (sig < 0) {
            continue;
        }
        if (sig == SIGCHLD) {
            int status;
            pid_t done = waitpid(child, &status, WNOHANG);
            if (done == child) {
                _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            }
        } else if (info.si_code != SI_KERNEL) {
            kill(child, sig);
        }
    }
}

static void step_pdeathsig(int sig, pid_t expected_parent)
{
    if (prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0) {
        fail_errno();
    }
    /* The parent may have died before prctl: then no signal will ever come. */
    if (expected_parent > 0 && getppid() != expected_parent) {
        fail(ESRCH, 125);
    }
}

static void step_write(int fd, const char *text)
{
    size_t length = strlen(text);
    ssize_t written = write(fd, text, length);
    if (written < 0) {
        fail_errno();
    }
    if ((size_t)written != length) {
        fail(EIO, 125);
    }
}

/* The owner of an open file (a /proc/PID directory: the process's euid/egid) in our user namespace. */
static struct stat owner_of(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        fail_errno();
    }
    return st;
}

/*
 * Replaces the environment with the NAME=VALUE entries of a /proc/PID/environ file. The buffer
 * is never freed: exec follows. execvp searches the new PATH, as after nsenter's clearenv+setenv.
 */
static void step_environ(int fd)
{
    size_t size = 0, capacity = 4096;
    char *text = malloc(capacity + 1);
    if (text == NULL) {
        fail(ENOMEM, 125);
    }
    for (;;) {
        ssize_t n = read(fd, text + size, capacity - size);
        if (n < 0) {
            fail_errno();
        }
        if (n == 0) {
            break;
        }
        size += (size_t)n;
        if (size == capacity) {
            capacity *= 2;
            text = realloc(text, capacity + 1);
            if (text == NULL) {
                fail(ENOMEM, 125);
            }
        }
    }
    text[size] = '\0';
    size_t count = 0;
    for (size_t i = 0; i < size; i += strlen(text + i) + 1) {
        count++;
    }
    char **entries = calloc(count + 1, sizeof *entries);
    if (entries == NULL) {
        fail(ENOMEM, 125);
    }
    size_t kept = 0;
    for (size_t i = 0; i < size; i += strlen(text + i) + 1) {
        /* An entry without '=' (a process may rewrite its environment block) is no variable. */
        if (strchr(text + i, '=') != NULL) {
            entries[kept++] = text + i;
        }
    }
    entries[kept] = NULL;
    environ = entries;
}

static void reset_process(void)
{
    /* Make fd 3 close-on-exec and drop anything else pwsh let us inherit: the program gets 0, 1, 2. */
    if (fcntl(SOCKET_FD, F_SETFD, FD_CLOEXEC) != 0) {
        _exit(125);
    }
    if (syscall(SYS_close_range, SOCKET_FD + 1, ~0U, 0) != 0) {
        for (int fd = SOCKET_FD + 1; fd < 1024; fd++) {
            close(fd);
        }
    }
    /* The CLR ignores some signals (SIGPIPE); an exec'd program must start with the defaults. */
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            signal(sig, SIG_DFL);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int i = 0; i < SLOTS; i++) {
        slots[i] = -1;
    }
}

/*
 * The steps. Each gets its arguments (argv from the word after its keyword) and how many words
 * of argv are left from there (exec uses the rest).
 */
static void run_nsfd(char **arg, int left)
{
    (void)left;
    step_nsfd(slot_index(arg[0]), arg[1], unsigned_number(arg[2]), unsigned_number(arg[3]));
}

static void run_pidfd(char **arg, int left)
{
    (void)left;
    int slot = slot_index(arg[0]);
    int fd = (int)syscall(SYS_pidfd_open, (pid_t)number(arg[1]), 0);
    if (fd < 0) {
        fail_errno();
    }
    slots[slot] = fd;
}

static void run_alive(char **arg, int left)
{
    (void)left;
    if (syscall(SYS_pidfd_send_signal, slot_fd(arg[0]), 0, NULL, 0) != 0) {
        fail_errno();
    }
}

static void run_setns(char **arg, int left)
{
    (void)left;
    if (setns(slot_fd(arg[0]), (int)number(arg[1])) != 0) {
        fail_errno();
    }
}

static void run_unshare(char **arg, int left)
{
    (void)left;
    if (unshare((int)number(arg[0])) != 0) {
        fail_errno();
    }
}

static void run_sync(char **arg, int left)
{
    (void)arg, (void)left;
    step_sync();
}

static void run_fork(char **arg, int left)
{
    (void)arg, (void)left;
    step_fork();
}

static void run_pdeathsig(char **arg, int left)
{
    (void)left;
    step_pdeathsig((int)number(arg[0]), (pid_t)number(arg[1]));
}

static void run_nodump(char **arg, int left)
{
    (void)arg, (void)left;
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        fail_errno();
    }
}

static void run_propagation(char **arg, int left)
{
    (void)left;
    step_propagation(arg[0], unsigned_number(arg[1]));
}

static void run_mount(char **arg, int left)
{
    (void)left;
    step_mount(arg[0], arg[1], unsigned_number(arg[2]));
}

static void run_bind(char **arg, int left)
{
    (void)left;
    step_bind(arg[0], arg[1]);
}

static void run_umount(char **arg, int left)
{
    (void)left;
    if (umount2(arg[0], MNT_DETACH | UMOUNT_NOFOLLOW) != 0) {
        fail_errno();
    }
}

static void run_chroot(char **arg, int left)
{
    (void)left;
    if (chroot(arg[0]) != 0 || chdir("/") != 0) {
        fail_errno();
    }
}

static void run_chdir(char **arg, int left)
{
    (void)left;
    if (chdir(arg[0]) != 0) {
        fail_errno();
    }
}

static void run_setgroups(char **arg, int left)
{
    (void)arg, (void)left;
    if (setgroups(0, NULL) != 0) {
        fail_errno();
    }
}

static void run_setgid(char **arg, int left)
{
    (void)left;
    if (setgid((gid_t)number(arg[0])) != 0) {
        fail_errno();
    }
}

static void run_setuid(char **arg, int left)
{
    (void)left;
    if (setuid((uid_t)number(arg[0])) != 0) {
        fail_errno();
    }
}

static void run_open(char **arg, int left)
{
    (void)left;
    int slot = slot_index(arg[0]);
    int fd = open(arg[2], (int)number(arg[1]) | O_CLOEXEC);
    if (fd < 0) {
        fail_errno();
    }
    slots[slot] = fd;
}

static void run_write(char **arg, int left)
{
    (void)left;
    step_write(slot_fd(arg[0]), arg[1]);
}

static void run_setgid_owner(char **arg, int left)
{
    (void)left;
    if (setgid(owner_of(slot_fd(arg[0])).st_gid) != 0) {
        fail_errno();
    }
}

static void run_setuid_owner(char **arg, int left)
{
    (void)left;
    if (setuid(owner_of(slot_fd(arg[0])).st_uid) != 0) {
        fail_errno();
    }
}

static void run_environ(char **arg, int left)
{
    (void)left;
    step_environ(slot_fd(arg[0]));
}

/* exec FILE ARGC ARGV...: the count must take the rest of argv, which the kernel ends with NULL. */
static void run_exec(char **arg, int left)
{
    long count = number(arg[1]);
    if (count < 1 || count != left - 2) {
        fail(EINVAL, 125);
    }
    execvp(arg[0], arg + 2);
    fail(errno, errno == ENOENT ? 127 : 126);
}

struct step {
    const char *keyword;
    int arguments; /* fixed; exec takes ARGC more */
    void (*run)(char **arg, int left);
};

static const struct step steps[] = {
    { "nsfd", 4, run_nsfd },
    { "pidfd", 2, run_pidfd },
    { "alive", 1, run_alive },
    { "setns", 2, run_setns },
    { "unshare", 1, run_unshare },
    { "sync", 0, run_sync },
    { "fork", 0, run_fork },
    { "pdeathsig", 2, run_pdeathsig },
    { "nodump", 0, run_nodump },
    { "propagation", 2, run_propagation },
    { "mount", 3, run_mount },
    { "bind", 2, run_bind },
    { "umount", 1, run_umount },
    { "chroot", 1, run_chroot },
    { "chdir", 1, run_chdir },
    { "setgroups", 0, run_setgroups },
    { "setgid", 1, run_setgid },
    { "setuid", 1, run_setuid },
    { "open", 3, run_open },
    { "write", 2, run_write },
    { "setgid-owner", 1, run_setgid_owner },
    { "setuid-owner", 1, run_setuid_owner },
    { "environ", 1, run_environ },
    { "exec", 2, run_exec },
};

static const struct step *find_step(const char *keyword)
{
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (strcmp(keyword, steps[i].keyword) == 0) {
            return &steps[i];
        }
    }
    return NULL;
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The kinds as lsns and unshare name them. */
static const struct {
    long flag;
    const char *name;
} kinds[] = {
    { CLONE_NEWNS, "mnt" }, { CLONE_NEWUTS, "uts" }, { CLONE_NEWIPC, "ipc" }, { CLONE_NEWUSER, "user" },
    { CLONE_NEWPID, "pid" }, { CLONE_NEWNET, "net" }, { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
};

static void append(char *title, size_t size, size_t *used, const char *text)
{
    size_t n = strlen(text);
    if (n > size - 1 - *used) {
        n = size - 1 - *used;
    }
    memcpy(title + *used, text, n);
    *used += n;
    title[*used] = '\0';
}

static void append_kinds(char *title, size_t size, size_t *used, const char *verb, long flags)
{
    if (flags == 0) {
        return;
    }
    append(title, size, used, " ");
    append(title, size, used, verb);
    const char *separator = " ";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (flags & kinds[i].flag) {
            append(title, size, used, separator);
            append(title, size, used, kinds[i].name);
            separator = ",";
        }
    }
}

/*
 * ps, top and lsns show a process's command line, and the helper's is its whole plan ("nsexec
 * chdir ... pdeathsig 9 0 ... unshare 1610743808 fork ..."): after a fork step, its waiting
 * parent stands above every box with it. So once the plan is read, the steps get copies of its
 * words and the argv area is rewritten to a line the way unshare's reads ("nsexec unshare
 * mnt,pid,net -- sh -c ..."), as setproctitle(3) does: the title, its NUL, and the area's last
 * byte left non-zero, which tells the kernel to read /proc/PID/cmdline only up to the title's
 * NUL (fs/proc/base.c, get_mm_cmdline). Returns the copies (NULL-terminated).
 */
static char **retitle(int argc, char **argv)
{
    char **copy = calloc((size_t)argc + 1, sizeof *copy);
    if (copy == NULL) {
        fail(ENOMEM, 125);
    }
    for (int i = 0; i < argc; i++) {
        if ((copy[i] = strdup(argv[i])) == NULL) {
            fail(ENOMEM, 125);
        }
    }
    long unshared = 0, joined = 0;
    int program = 0;
    for (int at = 1; at < argc;) {
        const struct step *step = find_step(argv[at++]);
        if (step == NULL || at + step->arguments > argc) {
            break; /* main reports the malformed plan */
        }
        if (strcmp(step->keyword, "unshare") == 0) {
            unshared |= strtol(argv[at], NULL, 10);
        } else if (strcmp(step->keyword, "setns") == 0) {
            joined |= strtol(argv[at + 1], NULL, 10);
        } else if (strcmp(step->keyword, "exec") == 0) {
            program = at + 2;
            break;
        }
        at += step->arguments;
    }
    char *area = argv[0];
    size_t size = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - area);
    if (size < 2) {
        return copy;
    }
    char *title = malloc(size - 1);
    if (title == NULL) {
        fail(ENOMEM, 125);
    }
    size_t used = 0;
    title[0] = '\0';
    append(title, size - 1, &used, "nsexec");
    append_kinds(title, size - 1, &used, "unshare", unshared);
    append_kinds(title, size - 1, &used, "setns", joined);
    if (program > 0) {
        append(title, size - 1, &used, " --");
        for (int i = program; i < argc; i++) {
            append(title, size - 1, &used, " ");
            append(title, size - 1, &used, argv[i]);
        }
    }
    memset(area, '\0', size);
    memcpy(area, title, used);
    area[size - 1] = ' ';
    free(title);
    return copy;
}

int main(int argc, char **argv)
{
    /* Started as /proc/self/fd/N of pwsh's sealed copy, the kernel names the process "N". */
    prctl(PR_SET_NAME, "nsexec", 0, 0, 0);
    reset_process();
    argv = retitle(argc, argv);
    int at = 1;
    for (step_index = 0; at < argc; step_index++) {
        const struct step *step = find_step(argv[at++]);
        /* An unknown keyword or a short plan is a bug on the C# side. */
        if (step == NULL || at + step->arguments > argc) {
            fail(EINVAL, 125);
        }
        step->run(argv + at, argc - at);
        at += step->arguments;
    }
    return 0;
}
