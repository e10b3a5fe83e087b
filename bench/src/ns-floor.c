/*
 * The floor of a namespace scan: the least work that can produce lsns's list of namespaces.
 * It reads every link in /proc/PID/ns and /proc/PID/stat of every process, through *at calls on
 * the process's directory descriptor, and counts the distinct namespaces that processes are in.
 * Nothing is formatted or sorted; it prints "PROCESSES NAMESPACES MICROSECONDS": the counts, for
 * the benchmark to check against lsns, and the time the scan took, measured here so that the
 * floor does not include starting this program.
 *
 * With -t PROCESSORS it scans as Get-Namespace does (NamespaceCatalog.Partitions.cs), system call
 * for system call: the PID list first (getdents64 of /proc), then, with 256 PIDs or more and
 * min(PROCESSORS, 4) > 1, that ascending list cut into one contiguous run per thread, the calling
 * thread scanning the first and a new thread each other, each run counted in a set of its own,
 * the sets merged at the end. Per process: openat of its directory and readlinkat of the ten
 * links; /proc/PID/stat only where the module reads it, for a process that is the first of its
 * run in some namespace. It prints a fourth figure, the number of threads that scanned.
 * PROCESSORS is the count the module sees ([Environment]::ProcessorCount, which also counts the
 * affinity mask and the cgroup's CPU quota), passed in by the benchmark.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Every entry of /proc/PID/ns; the *_for_children ones name no namespace a process is in. */
static const char *const links[] = {
    "ns/cgroup", "ns/ipc", "ns/mnt", "ns/net", "ns/pid", "ns/time", "ns/user", "ns/uts",
    "ns/pid_for_children", "ns/time_for_children",
};
enum { LINK_COUNT = sizeof links / sizeof links[0], CURRENT_LINKS = 8 };

/* The module's rule: fewer PIDs scan in a few milliseconds; more than four threads gain nothing. */
enum { PARTITIONED_SCAN_THRESHOLD = 256, MAX_SCAN_PARTITIONS = 4 };

/* An open-addressing set of inodes; all nsfs files share one device, so the inode alone is the identity. */
struct inode_set {
    uint64_t *slots;
    size_t count, used;
};

static void *allocate(size_t count, size_t size)
{
    void *p = calloc(count, size);
    if (p == NULL) {
        perror("calloc");
        exit(1);
    }
    return p;
}

static void set_init(struct inode_set *set)
{
    set->count = 1024;
    set->used = 0;
    set->slots = allocate(set->count, sizeof *set->slots);
}

static int set_insert(struct inode_set *set, uint64_t inode);

static void set_grow(struct inode_set *set)
{
    uint64_t *old = set->slots;
    size_t old_count = set->count;
    set->count *= 2;
    set->slots = allocate(set->count, sizeof *set->slots);
    set->used = 0;
    for (size_t i = 0; i < old_count; i++) {
        if (old[i] != 0)
            set_insert(set, old[i]);
    }
    free(old);
}

/* Returns 1 when the inode was not in the set yet. */
static int set_insert(struct inode_set *set, uint64_t inode)
{
    if (2 * (set->used + 1) > set->count)
        set_grow(set);
    size_t i = (size_t)(inode * 0x9E3779B97F4A7C15ull) & (set->count - 1);
    while (set->slots[i] != 0) {
        if (set->slots[i] == inode)
            return 0;
        i = (i + 1) & (set->count - 1);
    }
    set->slots[i] = inode;
    set->used++;
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

/* Reads the ten links of the process whose directory is dir; returns 0 when it may be read. */
static int read_links(int dir, uint64_t inodes[LINK_COUNT])
{
    char text[64];
    for (int i = 0; i < LINK_COUNT; i++) {
        ssize_t n = readlinkat(dir, links[i], text, sizeof text);
        inodes[i] = n > 0 ? parse_inode(text, n) : 0;
        /* ENOENT: this kernel lacks the kind; anything else (EACCES, ESRCH) concerns the process. */
        if (n <= 0 && errno != ENOENT)
            return -1;
    }
    return 0;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* The single-threaded floor: one readdir pass, every process's links and stat. */
static int scan_all(void)
{
    double start = now_us();
    struct inode_set seen;
    set_init(&seen);
    DIR *proc = opendir("/proc");
    if (proc == NULL) {
        perror("/proc");
        return 1;
    }

    unsigned long processes = 0;
    char stat[4096];
    struct dirent *entry;
    while ((entry = readdir(proc)) != NULL) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
            continue;
        int dir = openat(dirfd(proc), entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
            continue; /* exited since readdir */

        uint64_t inodes[LINK_COUNT];
        int readable = read_links(dir, inodes) == 0;
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
                set_insert(&seen, inodes[i]);
        }
    }
    closedir(proc);
    printf("%lu %zu %.0f\n", processes, seen.used, now_us() - start);
    return 0;
}

/* Every PID in /proc, ascending, as ProcRoot.ListPids reads them: getdents64, directories with a number for a name. */
static int *list_pids(int proc, size_t *count)
{
    int dir = openat(proc, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return NULL;
    size_t capacity = 512, n = 0;
    int *pids = allocate(capacity, sizeof *pids);
    char buffer[32 * 1024];
    long got;
    while ((got = syscall(SYS_getdents64, dir, buffer, sizeof buffer)) > 0) {
        for (long at = 0; at < got;) {
            struct dirent64 *entry = (struct dirent64 *)(buffer + at);
            at += entry->d_reclen;
            if (entry->d_type != DT_DIR || entry->d_name[0] < '1' || entry->d_name[0] > '9')
                continue;
            int pid = (int)strtol(entry->d_name, NULL, 10);
            if (n == capacity) {
                capacity *= 2;
                pids = realloc(pids, capacity * sizeof *pids);
                if (pids == NULL) {
                    perror("realloc");
                    exit(1);
                }
            }
            pids[n++] = pid;
        }
    }
    close(dir);
    if (got < 0) {
        free(pids);
        return NULL;
    }
    *count = n;
    return pids;
}

/* One contiguous run of PIDs and what its thread found. */
struct partition {
    int proc;
    const int *pids;
    size_t count;
    struct inode_set seen;
    unsigned long processes;
};

/* Reads a small file to its end, as Sys.ReadSmallFileAt does. */
static void read_small_file(int dir, const char *name)
{
    char text[1024];
    int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t total = 0;
    ssize_t n;
    while (total < sizeof text && ((n = read(fd, text + total, sizeof text - total)) > 0 || (n < 0 && errno == EINTR)))
        total += n > 0 ? (size_t)n : 0;
    close(fd);
}

static void *scan_partition(void *arg)
{
    struct partition *part = arg;
    set_init(&part->seen);
    char name[16];
    for (size_t p = 0; p < part->count; p++) {
        snprintf(name, sizeof name, "%d", part->pids[p]);
        int dir = openat(part->proc, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
            continue; /* exited since the listing */

        uint64_t inodes[LINK_COUNT];
        if (read_links(dir, inodes) == 0) {
            part->processes++;
            int first = 0;
            for (int i = 0; i < CURRENT_LINKS; i++) {
                if (inodes[i] != 0)
                    first |= set_insert(&part->seen, inodes[i]);
            }
            /* The module reads stat for the lowest PID of each namespace its run finds. */
            if (first)
                read_small_file(dir, "stat");
        }
        close(dir);
    }
    return NULL;
}

/* The module's scan on the module's threads; see the comment at the top. */
static int scan_partitioned(long processors)
{
    double start = now_us();
    int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    size_t count = 0;
    int *pids = proc >= 0 ? list_pids(proc, &count) : NULL;
    if (pids == NULL) {
        perror("/proc");
        return 1;
    }

    int threads = processors < MAX_SCAN_PARTITIONS ? (int)processors : MAX_SCAN_PARTITIONS;
    if (count < PARTITIONED_SCAN_THRESHOLD || threads < 2)
        threads = 1;
    struct partition parts[MAX_SCAN_PARTITIONS];
    pthread_t ids[MAX_SCAN_PARTITIONS];
    int started[MAX_SCAN_PARTITIONS] = { 0 };
    for (int i = 0; i < threads; i++) {
        size_t begin = count * (size_t)i / (size_t)threads, end = count * (size_t)(i + 1) / (size_t)threads;
        parts[i] = (struct partition){ .proc = proc, .pids = pids + begin, .count = end - begin };
    }
    /* A thread the kernel refuses is scanned on the calling thread, as the module does. */
    for (int i = 1; i < threads; i++)
        started[i] = pthread_create(&ids[i], NULL, scan_partition, &parts[i]) == 0;
    int scanning = 1;
    for (int i = 0; i < threads; i++) {
        if (i == 0 || !started[i])
            scan_partition(&parts[i]);
        scanning += i > 0 && started[i];
    }

    struct inode_set all;
    set_init(&all);
    unsigned long processes = 0;
    for (int i = 0; i < threads; i++) {
        if (i > 0 && started[i])
            pthread_join(ids[i], NULL);
        processes += parts[i].processes;
        for (size_t s = 0; s < parts[i].seen.count; s++) {
            if (parts[i].seen.slots[s] != 0)
                set_insert(&all, parts[i].seen.slots[s]);
        }
    }
    close(proc);
    printf("%lu %zu %.0f %d\n", processes, all.used, now_us() - start, scanning);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 1)
        return scan_all();
    char *end = NULL;
    long processors = argc == 3 && strcmp(argv[1], "-t") == 0 ? strtol(argv[2], &end, 10) : 0;
    if (end == NULL || *end != '\0' || processors < 1) {
        fprintf(stderr, "usage: %s [-t PROCESSORS]\n", argv[0]);
        return 2;
    }
    return scan_partitioned(processors);
}
