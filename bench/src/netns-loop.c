/*
 * The floor of named network namespace churn: COUNT times what `ip netns add NAME` does, then
 * COUNT times what `ip netns delete NAME` does, with nothing else in between.
 *
 *   add:    open(/run/netns/NAME, O_CREAT|O_EXCL); on a new thread: unshare(CLONE_NEWNET) and
 *           bind-mount /proc/thread-self/ns/net onto the file (a thread, because that is how a
 *           multithreaded caller such as the CLR must do it; iproute2 unshares its only thread)
 *   delete: umount2(MNT_DETACH); unlink
 *
 * /run/netns is prepared once, as iproute2 prepares it: created, then made a shared mount,
 * bind-mounting it onto itself first when it is not a mount point yet.
 *
 * Usage: netns-loop COUNT PREFIX   (names are PREFIX0 .. PREFIX<COUNT-1>)
 * Prints "created N removed N MICROSECONDS", the time measured here so that the floor does not
 * include starting this program; exits 1 on the first failure, after removing what it made.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RUN_DIR "/run/netns"

static int prepare_run_dir(void)
{
    if (mkdir(RUN_DIR, 0755) != 0 && errno != EEXIST)
        return -1;
    if (mount("", RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
        return 0;
    if (errno != EINVAL)
        return -1;
    if (mount(RUN_DIR, RUN_DIR, "none", MS_BIND | MS_REC, NULL) != 0)
        return -1;
    return mount("", RUN_DIR, "none", MS_SHARED | MS_REC, NULL);
}

struct bind_job {
    const char *path;
    int error;
};

/* Runs on its own thread: the new namespace is this thread's only, and ends with it unless bound. */
static void *unshare_and_bind(void *argument)
{
    struct bind_job *job = argument;
    if (unshare(CLONE_NEWNET) != 0 ||
        mount("/proc/thread-self/ns/net", job->path, "none", MS_BIND, NULL) != 0)
        job->error = errno;
    return NULL;
}

static int add(const char *path)
{
    int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    close(fd);

    struct bind_job job = { path, 0 };
    pthread_t thread;
    int error = pthread_create(&thread, NULL, unshare_and_bind, &job);
    if (error == 0)
        error = pthread_join(thread, NULL);
    if (error == 0)
        error = job.error;
    if (error != 0)
        unlink(path);
    return error;
}

static int delete(const char *path)
{
    if (umount2(path, MNT_DETACH) != 0)
        return errno;
    return unlink(path) == 0 ? 0 : errno;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    double start = now_us();
    if (argc != 3 || atoi(argv[1]) <= 0) {
        fprintf(stderr, "usage: %s COUNT PREFIX\n", argv[0]);
        return 2;
    }
    int count = atoi(argv[1]);
    char (*paths)[4096] = calloc((size_t)count, sizeof *paths);
    if (paths == NULL || prepare_run_dir() != 0) {
        perror(RUN_DIR);
        return 1;
    }

    int created = 0, removed = 0, error = 0;
    for (; created < count; created++) {
        snprintf(paths[created], sizeof paths[created], RUN_DIR "/%s%d", argv[2], created);
        if ((error = add(paths[created])) != 0) {
            fprintf(stderr, "add %s: %s\n", paths[created], strerror(error));
            break;
        }
    }
    for (int i = 0; i < created; i++) {
        int failed = delete(paths[i]);
        if (failed != 0) {
            fprintf(stderr, "delete %s: %s\n", paths[i], strerror(failed));
            error = error != 0 ? error : failed;
        } else {
            removed++;
        }
    }
    printf("created %d removed %d %.0f\n", created, removed, now_us() - start);
    free(paths);
    return error == 0 ? 0 : 1;
}
