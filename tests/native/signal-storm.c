/*
 * Signals for the signal-storm fixture (tests/Pester/SignalStorm.psm1).
 *
 *   signal-storm storm PID         until SIGTERM: every 2 ms SIGCHLD, SIGCONT, SIGWINCH and
 *                                  SIGURG to process PID, and one of them in turn to each of its
 *                                  threads (tgkill), so whichever thread waits gets some
 *   signal-storm thread PID TID SIG...   each signal (by number) to one thread, 10 ms apart;
 *                                        exits 3 if the thread ends before all are sent
 *
 * pwsh has handlers for SIGCHLD, SIGCONT and SIGWINCH (SIGURG is ignored by default): each one
 * interrupts a poll, epoll_wait or a socket read with a timeout in the thread it lands on.
 * tgkill is glibc's (2.30+).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) { (void)sig; stop = 1; }


static const int storm_signals[] = { SIGCHLD, SIGCONT, SIGWINCH, SIGURG };

static int storm(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    struct sigaction sa = { .sa_handler = on_term };
    sigaction(SIGTERM, &sa, NULL);
    struct timespec pause = { 0, 2 * 1000 * 1000 };
    unsigned round = 0;
    while (!stop) {
        for (unsigned i = 0; i < 4; i++) {
            if (kill(pid, storm_signals[i]) != 0) {
                return 0; /* the process is gone */
            }
        }
        DIR *tasks = opendir(path);
        if (tasks == NULL) {
            return 0;
        }
        unsigned n = 0;
        for (struct dirent *e; (e = readdir(tasks)) != NULL;) {
            int tid = atoi(e->d_name);
            if (tid > 0) {
                tgkill(pid, tid, storm_signals[(round + n++) % 4]);
            }
        }
        closedir(tasks);
        round++;
        nanosleep(&pause, NULL);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "storm") == 0) {
        return storm(atoi(argv[2]));
    }
    if (argc >= 5 && strcmp(argv[1], "thread") == 0) {
        struct timespec apart = { 0, 10 * 1000 * 1000 };
        for (int i = 4; i < argc; i++) {
            if (tgkill(atoi(argv[2]), atoi(argv[3]), atoi(argv[i])) != 0) {
                /* 3: the thread has ended, which the caller checks for itself */
                return errno == ESRCH ? 3 : (perror("tgkill"), 1);
            }
            nanosleep(&apart, NULL);
        }
        return 0;
    }
    fprintf(stderr, "usage: %s storm PID | thread PID TID SIGNAL...\n", argv[0]);
    return 2;
}
