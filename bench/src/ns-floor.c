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
 * links (a link the same as the previous process's is taken as known, as the module does). Per
 * namespace new to its run, what NamespaceCatalog.DescribeNew asks: openat of ns/KIND through the
 * process's directory, ioctl NS_GET_ID, NS_GET_USERNS (statx of the owner, NS_GET_OWNER_UID, the
 * owner itself described when new, close), NS_GET_OWNER_UID of a user namespace, NS_GET_PARENT of
 * a PID or user namespace (likewise), and RTM_GETNSID of a network namespace over a netlink socket
 * of its own. For a process that is the first of its run in some namespace, /proc/PID/stat,
 * /proc/PID/cmdline and statx of its directory (the owner). After the merge, the calling thread
 * reads /proc/thread-self/mountinfo and opens and describes each nsfs bind mount whose namespace
 * no run described. Only the namespaces processes are in are counted, as by the single-threaded
 * floor. It prints a fourth figure, the number of threads that scanned.
 * PROCESSORS is the count the module sees ([Environment]::ProcessorCount, which also counts the
 * affinity mask and the cgroup's CPU quota), passed in by the benchmark.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Every entry of /proc/PID/ns; the *_for_children ones name no namespace a process is in. */
static const char *const links[] = {
    "ns/cgroup", "ns/ipc", "ns/mnt", "ns/net", "ns/pid", "ns/time", "ns/user", "ns/uts",
    "ns/pid_for_children", "ns/time_for_children",
};
enum { LINK_COUNT = sizeof links / sizeof links[0], CURRENT_LINKS = 8 };

/* The kinds the links name, in the order of links[]: what decides which ioctls describe a namespace. */
enum kind { CGROUP, IPC, MNT, NET, PID, TIME, USER, UTS };
static const enum kind link_kinds[LINK_COUNT] = { CGROUP, IPC, MNT, NET, PID, TIME, USER, UTS, PID, TIME };

/* linux/nsfs.h, spelled out as NamespaceIoctl.cs does, for headers older than the kernel. */
#define FLOOR_NS_GET_USERNS 0xb701
#define FLOOR_NS_GET_PARENT 0xb702
#define FLOOR_NS_GET_NSTYPE 0xb703
#define FLOOR_NS_GET_OWNER_UID 0xb704
#define FLOOR_NS_GET_ID 0x8008b70dUL
#ifndef RTM_GETNSID
#define RTM_GETNSID 90
#endif
#define FLOOR_NETNSA_FD 3

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
    struct inode_set seen;  /* the namespaces its processes are in: what is counted */
    struct inode_set known; /* every namespace it has described, owners and parents too */
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

/* The inode behind a descriptor, by statx as the module's InodeOf does; 0 when it cannot be had. */
static uint64_t inode_of(int fd)
{
    struct statx stx;
    return statx(fd, "", AT_EMPTY_PATH, STATX_INO, &stx) == 0 ? stx.stx_ino : 0;
}

/* RTM_GETNSID over a netlink socket of its own, as NetNsId.Get asks: the answer is read and dropped. */
static void ask_netnsid(int netns)
{
    int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (sock < 0)
        return;
    struct {
        struct nlmsghdr header;
        struct rtgenmsg message;
        char padding[3];
        struct rtattr fd_attribute;
        int fd;
    } request = {
        .header = { .nlmsg_len = sizeof request, .nlmsg_type = RTM_GETNSID, .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
        .message = { .rtgen_family = AF_UNSPEC },
        .fd_attribute = { .rta_len = 8, .rta_type = FLOOR_NETNSA_FD },
        .fd = netns,
    };
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    char answer[4096];
    if (sendto(sock, &request, sizeof request, 0, (struct sockaddr *)&kernel, sizeof kernel) >= 0)
        (void)recv(sock, answer, sizeof answer, 0);
    close(sock);
}

static void describe(struct inode_set *known, int fd, enum kind kind);

/* An owner or parent: described through the descriptor the ioctl gave, when the set has not met it. */
static void relate(struct inode_set *known, int fd, enum kind kind)
{
    uint64_t inode = inode_of(fd);
    if (inode != 0 && set_insert(known, inode))
        describe(known, fd, kind);
}

/*
 * What NamespaceCatalog.DescribeNew asks of a namespace found the first time: NS_GET_ID, the owning
 * user namespace (its inode, its owner uid, itself described when new), the owner uid of a user
 * namespace, the parent of a PID or user namespace, and a network namespace's NETNSID.
 */
static void describe(struct inode_set *known, int fd, enum kind kind)
{
    uint64_t id;
    uid_t uid;
    (void)ioctl(fd, FLOOR_NS_GET_ID, &id);
    int owner = ioctl(fd, FLOOR_NS_GET_USERNS);
    if (owner >= 0) {
        if (kind != USER)
            (void)ioctl(owner, FLOOR_NS_GET_OWNER_UID, &uid);
        relate(known, owner, USER);
        close(owner);
    }
    if (kind == USER)
        (void)ioctl(fd, FLOOR_NS_GET_OWNER_UID, &uid);
    if (kind == PID || kind == USER) {
        int parent = ioctl(fd, FLOOR_NS_GET_PARENT);
        if (parent >= 0) {
            relate(known, parent, kind);
            close(parent);
        }
    }
    if (kind == NET)
        ask_netnsid(fd);
}

/* The namespaces of nsfs bind mounts no process showed, opened by path and described (NsfsMounts, AddBindMounts). */
static void describe_bind_mounts(struct inode_set *known)
{
    size_t capacity = 64 * 1024;
    char *text = allocate(capacity, 1);
    size_t length;
    for (;;) {
        int fd = open("/proc/thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            free(text);
            return;
        }
        length = 0;
        ssize_t n;
        while (length < capacity && (n = read(fd, text + length, capacity - length)) > 0)
            length += (size_t)n;
        close(fd);
        if (length < capacity)
            break;
        free(text);
        capacity *= 2;
        text = allocate(capacity, 1);
    }
    text[length < capacity ? length : capacity - 1] = '\0';
    for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE ...; an nsfs mount's root is "net:[INODE]". */
        char *separator = strstr(line, " - ");
        if (separator == NULL || strncmp(separator + 3, "nsfs ", 5) != 0)
            continue;
        char root[64], point[4096];
        if (sscanf(line, "%*s %*s %*s %63s %4095s", root, point) != 2)
            continue;
        uint64_t inode = parse_inode(root, (ssize_t)strlen(root));
        if (inode == 0 || !set_insert(known, inode))
            continue;
        int fd = open(point, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        int type = ioctl(fd, FLOOR_NS_GET_NSTYPE);
        if (inode_of(fd) == inode && type >= 0) {
            enum kind kind = type == CLONE_NEWNET ? NET : type == CLONE_NEWPID ? PID : type == CLONE_NEWUSER ? USER : MNT;
            describe(known, fd, kind);
        }
        close(fd);
    }
    free(text);
}

static void *scan_partition(void *arg)
{
    struct partition *part = arg;
    set_init(&part->seen);
    set_init(&part->known);
    char name[16];
    uint64_t previous[LINK_COUNT] = { 0 };
    for (size_t p = 0; p < part->count; p++) {
        snprintf(name, sizeof name, "%d", part->pids[p]);
        int dir = openat(part->proc, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
            continue; /* exited since the listing */

        uint64_t inodes[LINK_COUNT];
        if (read_links(dir, inodes) == 0) {
            part->processes++;
            int first = 0;
            for (int i = 0; i < LINK_COUNT; i++) {
                if (inodes[i] == 0 || inodes[i] == previous[i])
                    continue; /* the module skips a link the same as the previous process's */
                previous[i] = inodes[i];
                /* A namespace new to the run is opened through the link and described (GetOrAdd). */
                if (set_insert(&part->known, inodes[i])) {
                    int fd = openat(dir, links[i], O_RDONLY | O_CLOEXEC);
                    if (fd >= 0) {
                        describe(&part->known, fd, link_kinds[i]);
                        close(fd);
                    }
                }
                if (i < CURRENT_LINKS)
                    first |= set_insert(&part->seen, inodes[i]);
            }
            /* The lowest PID of each namespace its run finds: stat, cmdline and owner (SetRepresentative). */
            if (first) {
                struct statx stx;
                read_small_file(dir, "stat");
                read_small_file(dir, "cmdline");
                (void)statx(dir, "", AT_EMPTY_PATH, STATX_UID, &stx);
            }
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

    struct inode_set all, known;
    set_init(&all);
    set_init(&known);
    unsigned long processes = 0;
    for (int i = 0; i < threads; i++) {
        if (i > 0 && started[i])
            pthread_join(ids[i], NULL);
        processes += parts[i].processes;
        for (size_t s = 0; s < parts[i].seen.count; s++) {
            if (parts[i].seen.slots[s] != 0)
                set_insert(&all, parts[i].seen.slots[s]);
        }
        for (size_t s = 0; s < parts[i].known.count; s++) {
            if (parts[i].known.slots[s] != 0)
                set_insert(&known, parts[i].known.slots[s]);
        }
    }
    describe_bind_mounts(&known);
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
