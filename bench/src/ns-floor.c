/*
 * The floor of a namespace scan: the least work that can produce lsns's list of namespaces.
 * It reads every link in /proc/PID/ns and /proc/PID/stat of every process, through *at calls on
 * the process's directory descriptor, and counts the distinct namespaces that processes are in.
 * Nothing is formatted or sorted; it prints "PROCESSES NAMESPACES MICROSECONDS": the counts, for
 * the benchmark to check against lsns, and the time the scan took, measured here so that the
 * floor does not include starting this program.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Every entry of /proc/PID/ns; the *_for_children ones name no namespace a process is in. */
static const char *const links[] = {
    "ns/cgroup", "ns/ipc", "ns/mnt", "ns/net", "ns/pid", "ns/time", "ns/user", "ns/uts",
    "ns/pid_for_children", "ns/time_for_children",
};
enum { LINK_COUNT = sizeof links / sizeof links[0], CURRENT_LINKS = 8 };

/* An open-addressing set of inodes; all nsfs files share one device, so the inode alone is the identity. */
static uint64_t *slots;
static size_t slot_count = 1024, used;

static int insert(uint64_t inode);

static void grow(void)
{
    uint64_t *old = slots;
    size_t old_count = slot_count;
    slot_count *= 2;
    slots = calloc(slot_count, sizeof *slots);
    if (slots == NULL) {
        perror("calloc");
        exit(1);
    }
    used = 0;
    for (size_t i = 0; i < old_count; i++) {
        if (old[i] != 0)
            insert(old[i]);
    }
    free(old);
}

/* Returns 1 when the inode was not in the set yet. */
static int insert(uint64_t inode)
{
    if (2 * (used + 1) > slot_count)
        grow();
    size_t i = (size_t)(inode * 0x9E3779B97F4A7C15ull) & (slot_count - 1);
    while (slots[i] != 0) {
        if (slots[i] == inode)
            return 0;
        i = (i + 1) & (slot_count - 1);
    }
    slots[i] = inode;
    used++;
    return 1;
}

/* "net:[4026531840]" -> 4026531840; 0 when the text has no bracketed number. */
static uint64_t parse_inode(const char *text, ssize_t length)
{
    uint64_t inode = 0;
    const char *p = memchr(text, '[', (size_t)length);
    if (p == NULL)
        return 0;
    for (p++; p < text + length && *p >= '0' && *p <= '9'; p++)
        inode = inode * 10 + (uint64_t)(*p - '0');
    return inode;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int main(void)
{
    double start = now_us();
    slots = calloc(slot_count, sizeof *slots);
    DIR *proc = opendir("/proc");
    if (slots == NULL || proc == NULL) {
        perror("/proc");
        return 1;
    }

    unsigned long processes = 0, namespaces = 0;
    char text[64], stat[4096];
    struct dirent *entry;
    while ((entry = readdir(proc)) != NULL) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
            continue;
        int dir = openat(dirfd(proc), entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
            continue; /* exited since readdir */

        uint64_t inodes[LINK_COUNT];
        int readable = 1;
        for (int i = 0; i < LINK_COUNT && readable; i++) {
            ssize_t n = readlinkat(dir, links[i], text, sizeof text);
            inodes[i] = n > 0 ? parse_inode(text, n) : 0;
            /* ENOENT: this kernel lacks the kind; anything else (EACCES, ESRCH) concerns the process. */
            readable = n > 0 || errno == ENOENT;
        }

        int statfd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
        ssize_t statlen = statfd >= 0 ? read(statfd, stat, sizeof stat) : -1;
        if (statfd >= 0)
            close(statfd);
        close(dir);
        if (!readable || statlen <= 0)
            continue; /* unreadable (another PID namespace's init, ptrace rules) or gone */

        processes++;
        for (int i = 0; i < CURRENT_LINKS; i++) {
            if (inodes[i] != 0)
                namespaces += (unsigned long)insert(inodes[i]);
        }
    }
    closedir(proc);
    printf("%lu %lu %.0f\n", processes, namespaces, now_us() - start);
    return 0;
}
