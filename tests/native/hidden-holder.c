/*
 * hidden-holder: holds a network namespace in the ways /proc/PID/ns does not show, for the
 * Get-Namespace tests of HeldBy Thread and Socket. Test-only; never shipped in the module.
 *
 *   hidden-holder thread REPORT [main-exits]
 *       A second thread unshares a new network namespace (only that thread is in it) and waits;
 *       with main-exits the main thread then ends (pthread_exit), so only the thread is left.
 *   hidden-holder socket NETNS-PATH REPORT
 *       Joins the network namespace at NETNS-PATH, makes a UDP socket there, goes back to its own
 *       network namespace and waits, holding only the socket.
 *
 * When ready it writes one line to REPORT (made atomically with rename): for thread, the TID; for
 * socket, the socket's descriptor number and the inode of the namespace the kernel says it is in
 * (ioctl SIOCGSKNS, then fstat). Then it waits until killed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *report_path;

static void report(const char *line)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", report_path);
    FILE *f = fopen(tmp, "w");
    if (!f || fputs(line, f) < 0 || fclose(f) != 0 || rename(tmp, report_path) != 0) {
        perror("report");
        exit(1);
    }
}

static void *thread_main(void *arg)
{
    (void)arg;
    if (unshare(CLONE_NEWNET) != 0) {
        perror("unshare");
        exit(1);
    }
    char line[32];
    snprintf(line, sizeof line, "%ld\n", (long)syscall(SYS_gettid));
    report(line);
    for (;;)
        pause();
    return NULL;
}

static int run_thread(int main_exits)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, thread_main, NULL) != 0) {
        perror("pthread_create");
        return 1;
    }
    if (main_exits)
        pthread_exit(NULL);
    for (;;)
        pause();
}

static int run_socket(const char *netns_path)
{
    int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(netns_path, O_RDONLY | O_CLOEXEC);
    if (own < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
        perror("join");
        return 1;
    }
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || setns(own, CLONE_NEWNET) != 0) {
        perror("socket");
        return 1;
    }
    close(own);
    close(target);

    int ns = ioctl(sock, SIOCGSKNS);
    struct stat st;
    if (ns < 0 || fstat(ns, &st) != 0) {
        perror("SIOCGSKNS");
        return 1;
    }
    close(ns);
    char line[64];
    snprintf(line, sizeof line, "%d %llu\n", sock, (unsigned long long)st.st_ino);
    report(line);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "thread") == 0) {
        report_path = argv[2];
        return run_thread(argc > 3 && strcmp(argv[3], "main-exits") == 0);
    }
    if (argc == 4 && strcmp(argv[1], "socket") == 0) {
        report_path = argv[3];
        return run_socket(argv[2]);
    }
    fprintf(stderr, "usage: hidden-holder thread REPORT [main-exits] | socket NETNS-PATH REPORT\n");
    return 2;
}
