/*
 * perfopt-jail: run one untrusted program with resource limits and isolation.
 *
 * It is a small C program rather than Python preexec code because perfopt runs
 * many candidates from a thread pool, and Python's preexec_fn is not safe with
 * threads; a single exec of a tiny helper also keeps the timing overhead low.
 *
 * usage: perfopt-jail [-c CPU_S] [-m AS_BYTES] [-f FSIZE_BYTES] [-p NPROC]
 *                     [-u UID] [-n] [-P] [-L] [-R] [-r PATH]... [-M ROOT] [-d DIR]
 *                     [-t TIMEFILE] -- PROG [ARGS...]
 *   -n  new network namespace (no network)
 *   -P  new PID namespace: when the program ends or is killed, every process it
 *       started dies with it (fork bombs and stray daemons included)
 *   -u  (root only) run as this unprivileged uid/gid: RLIMIT_NPROC is ignored for
 *       root, and an unprivileged uid cannot write to the user's files
 *   -L  Landlock: the program may write only beneath -d DIR (and to /dev/null),
 *       may not open TCP connections, and (Landlock ABI 6) may not signal
 *       processes or reach abstract sockets outside the jail; this is what
 *       protects the user's files when perfopt does not run as root and so has
 *       no uid to drop to
 *   -R  Landlock: the program may read and execute only beneath -d DIR and the
 *       -r paths; the caller names the system's libraries and runtime files,
 *       so that a candidate reads neither the expected outputs nor the user's
 *       files, however world-readable they are
 *   -r  with -R: a path (folder or file) the program may read and execute;
 *       "/proc" means the jail's own /proc when -P could mount one (a fresh
 *       proc in a private mount namespace shows only the jail's processes),
 *       and else only /proc/self
 *   -M  with -r: for kernels without Landlock, a private view instead: ROOT
 *       (an empty folder) becomes the program's root, holding read-only bind
 *       mounts of the -r paths, the -d folder read-write, /dev/null and, with
 *       -P, a fresh /proc; nothing else of the file system exists for it
 *   -K  with -u: kill every process of that uid, then exit (cleanup for
 *       kernels without PID namespaces)
 *   -w  wall-clock limit in seconds: on expiry the program and, with -P, its
 *       whole PID namespace are killed, and the jail returns only once they are
 *       gone; it then exits 124 and prints "perfopt-jail: wall time limit"
 *   -t  write "wall_ns user_us sys_us maxrss_kb" of the program to TIMEFILE; the
 *       wall time runs from the program's exec to its exit, so namespace set-up,
 *       limits, Landlock and the uid switch (about 4 ms) never dilute a timing
 *
 * Exit status mirrors the program's (same code, or death by the same signal).
 * 125 means the jail itself failed; it then prints "perfopt-jail: ..." on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JAIL_FAIL 125
#define JAIL_TIMEOUT 124
#define MAX_READS 128

/* Landlock, spelled out so that old kernel headers still build the helper. */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
struct ll_ruleset_attr {
    uint64_t handled_fs;
    uint64_t handled_net;
    uint64_t scoped;
};
struct ll_path_beneath {
    uint64_t allowed;
    int32_t parent_fd;
} __attribute__((packed));
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_ALL (0x7fULL << 6) /* char, dir, reg, sock, fifo, block, sym */
#define LL_FS_REFER (1ULL << 13)      /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15)  /* ABI 5 */
/* Rights that make sense on a file, not only on a folder (add_rule refuses others). */
#define LL_FS_FILE_RIGHTS (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)
#define LL_NET_BIND_TCP (1ULL << 0)   /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)

static void die(const char *what) {
    fprintf(stderr, "perfopt-jail: %s: %s\n", what, strerror(errno));
    _exit(JAIL_FAIL);
}

static void set_limit(int resource, rlim_t soft, rlim_t hard, const char *name) {
    struct rlimit rl = {soft, hard};
    if (setrlimit(resource, &rl) != 0) die(name);
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) die(path);
    if (write(fd, text, strlen(text)) < 0) die(path);
    close(fd);
}

struct options {
    double cpu, wall;
    long long as, fsize, nproc;
    long uid;
    int net, pidns, killall, landlock, confine_reads, nreads, private_proc;
    const char *dir, *timefile, *view;
    const char *reads[MAX_READS];
    char **argv;
};

/* A missing optional path (say /lib32) is skipped; the caller names only what should exist. */
static void allow(int ruleset, const char *path, uint64_t rights, int required) {
    struct ll_path_beneath rule;
    struct stat st;
    rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
    if (rule.parent_fd < 0) {
        if (!required && errno == ENOENT) return;
        die(path);
    }
    if (fstat(rule.parent_fd, &st) != 0) die(path);
    rule.allowed = S_ISDIR(st.st_mode) ? rights : rights & LL_FS_FILE_RIGHTS;
    if (rule.allowed == 0) {
        close(rule.parent_fd);
        return;
    }
    if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0) != 0) die("landlock_add_rule");
    close(rule.parent_fd);
}

/* One Landlock domain for both confinements: writes (-L) only beneath dir, reads
 * and execution (-R) only beneath dir and the -r paths. */
static void confine(const struct options *o) {
    const char *dir = o->dir ? o->dir : ".";
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    if (abi < 1) die("landlock");
    uint64_t write = LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_ALL;
    if (abi >= 2) write |= LL_FS_REFER;
    if (abi >= 3) write |= LL_FS_TRUNCATE;
    uint64_t read = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
    if (abi >= 5) read |= LL_FS_IOCTL_DEV;
    struct ll_ruleset_attr attr = {0, 0, 0};
    if (o->landlock) attr.handled_fs |= write;
    if (o->confine_reads) attr.handled_fs |= read;
    size_t size = sizeof attr.handled_fs;
    if (o->landlock && abi >= 4) {
        /* No rule grants these: every TCP bind and connect is refused. */
        attr.handled_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        size = offsetof(struct ll_ruleset_attr, scoped);
    }
    if (o->landlock && abi >= 6) {
        /* Signals and abstract unix sockets stay inside the jail's own domain. */
        attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
        size = sizeof attr;
    }
    int ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0) die("landlock_create_ruleset");
    allow(ruleset, dir, attr.handled_fs, 1);
    allow(ruleset, "/dev/null", attr.handled_fs & (LL_FS_WRITE_FILE | LL_FS_TRUNCATE | read), 1);
    for (int i = 0; i < o->nreads; i++) {
        const char *path = o->reads[i];
        if (strcmp(path, "/proc") == 0 && !o->private_proc) path = "/proc/self";
        allow(ruleset, path, attr.handled_fs & read, 0);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs");
    if (syscall(__NR_landlock_restrict_self, ruleset, 0) != 0) die("landlock_restrict_self");
    close(ruleset);
}

/* Where the child notes the moment it execs: a shared page, set before fork. */
static volatile long long *exec_ns;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void run_program(const struct options *o) {
    /* A session of its own lets the caller kill the program's whole group. */
    setsid();
    if (o->cpu > 0) {
        rlim_t s = (rlim_t)(o->cpu + 0.999);
        /* The soft limit sends SIGXCPU; the hard one a second later kills. */
        set_limit(RLIMIT_CPU, s, s + 1, "RLIMIT_CPU");
    }
    if (o->as > 0) set_limit(RLIMIT_AS, o->as, o->as, "RLIMIT_AS");
    if (o->fsize > 0) set_limit(RLIMIT_FSIZE, o->fsize, o->fsize, "RLIMIT_FSIZE");
    set_limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
    if (o->landlock || o->confine_reads) confine(o);
    if (o->uid >= 0) {
        if (setgroups(0, NULL) != 0) die("setgroups");
        if (setgid((gid_t)o->uid) != 0) die("setgid");
        if (o->nproc > 0) set_limit(RLIMIT_NPROC, o->nproc, o->nproc, "RLIMIT_NPROC");
        if (setuid((uid_t)o->uid) != 0) die("setuid");
    } else if (o->nproc > 0) {
        set_limit(RLIMIT_NPROC, o->nproc, o->nproc, "RLIMIT_NPROC");
    }
    /* Set after setuid, which clears it: without a PID namespace this is what
     * takes the program down when the caller kills the jail on a timeout. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* The clock starts here: fork, limits, Landlock's rules and the uid switch are the jail's
     * cost, about as long as a small program's whole run, and would dilute every ratio. */
    if (exec_ns) *exec_ns = now_ns();
    execv(o->argv[0], o->argv);
    fprintf(stderr, "perfopt-jail: exec %s: %s\n", o->argv[0], strerror(errno));
    _exit(127);
}

/* In a new PID namespace, a proc mounted afresh lists only the jail's own
 * processes, so that a program and its children (valgrind's traced ones
 * included) can read their /proc entries without seeing anyone else's. */
static int mount_private_proc(void) {
    if (unshare(CLONE_NEWNS) != 0) return 0;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return 0;
    return mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0;
}

/* mkdir -p, for paths beneath the view's own tmpfs only (never through a bind mount). */
static void make_dirs(const char *path) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) die("path too long");
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) die(buf);
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) die(buf);
}

static int beneath(const char *path, const char *folder) {
    size_t n = strlen(folder);
    return strncmp(path, folder, n) == 0 && (path[n] == '/' || path[n] == 0 || strcmp(folder, "/") == 0);
}

/* Bind the real path `real` at root+real, read-only unless `writable`. */
static void bind_at(const char *root, const char *real, int writable) {
    char dest[PATH_MAX], parent[PATH_MAX];
    struct stat st;
    if (stat(real, &st) != 0) die(real);
    if (snprintf(dest, sizeof dest, "%s%s", root, real) >= (int)sizeof dest) die("path too long");
    snprintf(parent, sizeof parent, "%s", dest);
    *strrchr(parent, '/') = 0;
    make_dirs(parent);
    if (S_ISDIR(st.st_mode)) {
        make_dirs(dest);
    } else {
        int fd = open(dest, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) die(dest);
        close(fd);
    }
    if (mount(real, dest, NULL, MS_BIND | MS_REC, NULL) != 0) die(real);
    if (writable) return;
    /* A remount must keep the flags the original mount has locked (nosuid, nodev, noexec). */
    struct statvfs vfs;
    unsigned long keep = 0;
    if (statvfs(dest, &vfs) == 0) {
        if (vfs.f_flag & ST_NOSUID) keep |= MS_NOSUID;
        if (vfs.f_flag & ST_NODEV) keep |= MS_NODEV;
        if (vfs.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
    }
    if (mount(NULL, dest, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) != 0) die(real);
}

/* -M: the program's whole file system is a tmpfs holding bind mounts of what it may use. */
static void private_view(struct options *o) {
    const char *root = o->view;
    /* Static: too large for the stack, and only the jail's single-threaded init calls this. */
    static char bound[MAX_READS + 2][PATH_MAX];
    int nbound = 0;
    if (unshare(CLONE_NEWNS) != 0) die("unshare(mount)");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("mount private");
    if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0) die("mount tmpfs");
    /* Bind real paths only, parents before children, and skip what a bind already shows:
     * creating a folder inside a bind mount would create it on the real file system. */
    const char *wanted[MAX_READS + 2];
    int nwanted = 0;
    wanted[nwanted++] = o->dir ? o->dir : ".";
    wanted[nwanted++] = "/dev/null";
    for (int i = 0; i < o->nreads; i++)
        if (strcmp(o->reads[i], "/proc") != 0) wanted[nwanted++] = o->reads[i];
    static char real[MAX_READS + 2][PATH_MAX];
    int ok[MAX_READS + 2];
    for (int i = 0; i < nwanted; i++) ok[i] = realpath(wanted[i], real[i]) != NULL;
    if (!ok[0]) die("realpath(-d)");
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < nwanted; i++) {
            if (!ok[i] || (pass == 0) != (i == 0)) continue;
            int shown = 0;
            for (int j = 0; j < nbound; j++) shown |= beneath(real[i], bound[j]);
            /* The work folder is bound first, read-write; the rest read-only. */
            if (shown) continue;
            bind_at(root, real[i], i <= 1);
            snprintf(bound[nbound++], PATH_MAX, "%s", real[i]);
        }
    }
    /* Recreate the symlinks the -r paths are (/lib -> usr/lib, /etc/localtime), where the
     * link's folder is a plain folder of the view (never inside a bind mount). */
    for (int i = 2; i < nwanted; i++) {
        char parent[PATH_MAX], rparent[PATH_MAX], dest[PATH_MAX], target[PATH_MAX];
        struct stat st;
        if (!ok[i] || strcmp(wanted[i], real[i]) == 0 || lstat(wanted[i], &st) != 0 || !S_ISLNK(st.st_mode)) continue;
        snprintf(parent, sizeof parent, "%s", wanted[i]);
        *strrchr(parent, '/') = 0;
        if (parent[0] == 0) snprintf(parent, sizeof parent, "/");
        if (!realpath(parent, rparent) || strcmp(parent, rparent) != 0) continue;
        int inside = 0;
        for (int j = 0; j < nbound; j++) inside |= beneath(parent, bound[j]);
        if (inside) continue;
        ssize_t n = readlink(wanted[i], target, sizeof target - 1);
        if (n < 0) continue;
        target[n] = 0;
        if (strcmp(parent, "/") != 0) {
            snprintf(dest, sizeof dest, "%s%s", root, parent);
            make_dirs(dest);
        }
        snprintf(dest, sizeof dest, "%s%s", root, wanted[i]);
        if (symlink(target, dest) != 0 && errno != EEXIST) die(dest);
    }
    if (o->pidns) {
        char proc[PATH_MAX];
        snprintf(proc, sizeof proc, "%s/proc", root);
        make_dirs(proc);
        if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) die("mount proc");
    }
    if (mount(NULL, root, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0755") != 0) die("remount view");
    if (chroot(root) != 0) die("chroot");
    if (chdir(real[0]) != 0) die("chdir");
}

/* Runs the program as a child, reaps everything, returns the program's status. */
static int supervise(const struct options *o, struct rusage *ru, long long *wall_ns) {
    void *page = mmap(NULL, sizeof(long long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    exec_ns = page == MAP_FAILED ? NULL : (volatile long long *)page;
    if (exec_ns) *exec_ns = 0;
    long long t0 = now_ns(), t1 = t0;
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) run_program(o);
    int status = 0;
    for (;;) {
        int st;
        struct rusage r;
        pid_t p = wait4(-1, &st, 0, &r);
        if (p < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p == child) {
            t1 = now_ns();
            status = st;
            *ru = r;
            /* As PID 1 of a namespace, returning kills the rest; outside one,
             * stray children are left to the caller, who kills the session. */
            break;
        }
    }
    /* Without the page (or if exec was never reached), the span from fork, as before. */
    if (exec_ns && *exec_ns > 0) t0 = *exec_ns;
    *wall_ns = t1 - t0;
    return status;
}

/* The time file is opened before a private view (-M) hides the caller's folders. */
static void report_time(int fd, const struct rusage *ru, long long wall_ns) {
    if (fd < 0) return;
    long long user = (long long)ru->ru_utime.tv_sec * 1000000LL + ru->ru_utime.tv_usec;
    long long sys = (long long)ru->ru_stime.tv_sec * 1000000LL + ru->ru_stime.tv_usec;
    dprintf(fd, "%lld %lld %lld %ld\n", wall_ns, user, sys, ru->ru_maxrss);
    close(fd);
}

static volatile sig_atomic_t alarm_fired = 0;
static void on_alarm(int sig) {
    (void)sig;
    alarm_fired = 1;
}

static void mirror_status(int status) {
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        struct rlimit zero = {0, 0};
        setrlimit(RLIMIT_CORE, &zero);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getpid(), sig);
    }
    _exit(JAIL_FAIL);
}

int main(int argc, char **argv) {
    struct options o;
    memset(&o, 0, sizeof o);
    o.uid = -1;
    int opt;
    while ((opt = getopt(argc, argv, "+c:m:f:p:u:nPKLRr:M:d:t:w:")) != -1) {
        switch (opt) {
        case 'c': o.cpu = atof(optarg); break;
        case 'w': o.wall = atof(optarg); break;
        case 'm': o.as = atoll(optarg); break;
        case 'f': o.fsize = atoll(optarg); break;
        case 'p': o.nproc = atoll(optarg); break;
        case 'u': o.uid = atol(optarg); break;
        case 'n': o.net = 1; break;
        case 'P': o.pidns = 1; break;
        case 'K': o.killall = 1; break;
        case 'L': o.landlock = 1; break;
        case 'R': o.confine_reads = 1; break;
        case 'M': o.view = optarg; break;
        case 'r':
            if (o.nreads == MAX_READS) {
                fprintf(stderr, "perfopt-jail: more than %d -r paths\n", MAX_READS);
                return JAIL_FAIL;
            }
            o.reads[o.nreads++] = optarg;
            break;
        case 'd': o.dir = optarg; break;
        case 't': o.timefile = optarg; break;
        default: fprintf(stderr, "perfopt-jail: bad usage\n"); return JAIL_FAIL;
        }
    }
    if (o.killall) {
        if (o.uid <= 0) {
            fprintf(stderr, "perfopt-jail: -K needs -u\n");
            return JAIL_FAIL;
        }
        if (setgid((gid_t)o.uid) != 0 || setuid((uid_t)o.uid) != 0) die("setuid");
        kill(-1, SIGKILL);
        return 0;
    }
    if (optind >= argc) {
        fprintf(stderr, "perfopt-jail: no program given\n");
        return JAIL_FAIL;
    }
    o.argv = argv + optind;
    if (o.dir && chdir(o.dir) != 0) die("chdir");

    int flags = 0;
    if (o.net) flags |= CLONE_NEWNET;
    if (o.pidns) flags |= CLONE_NEWPID;
    uid_t outer_uid = getuid();
    gid_t outer_gid = getgid();
    if (flags && outer_uid != 0) flags |= CLONE_NEWUSER;
    if (flags && unshare(flags) != 0) die("unshare");
    if (flags & CLONE_NEWUSER) {
        /* Map our own ids only: the program keeps its ordinary rights. */
        char map[64];
        write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "%u %u 1\n", outer_uid, outer_uid);
        write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof map, "%u %u 1\n", outer_gid, outer_gid);
        write_file("/proc/self/gid_map", map);
    }

    int pipefd[2];
    if (pipe(pipefd) != 0) die("pipe");
    pid_t init = fork();
    if (init < 0) die("fork");
    if (init == 0) {
        close(pipefd[0]);
        /* If the caller kills us on a wall timeout, the namespace must go too. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int timefd = o.timefile ? open(o.timefile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
        if (o.view) {
            /* Set up here, before the clock starts: timings never include it. */
            private_view(&o);
        } else if (o.pidns && o.confine_reads) {
            o.private_proc = mount_private_proc();
        }
        struct rusage ru;
        memset(&ru, 0, sizeof ru);
        long long wall_ns = 0;
        int status = supervise(&o, &ru, &wall_ns);
        report_time(timefd, &ru, wall_ns);
        if (write(pipefd[1], &status, sizeof status) != sizeof status) _exit(JAIL_FAIL);
        _exit(0);
    }
    close(pipefd[1]);
    if (o.wall > 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm; /* no SA_RESTART: waitpid must return EINTR */
        sigaction(SIGALRM, &sa, NULL);
        struct itimerval it;
        memset(&it, 0, sizeof it);
        it.it_value.tv_sec = (time_t)o.wall;
        it.it_value.tv_usec = (suseconds_t)((o.wall - (double)(time_t)o.wall) * 1e6);
        setitimer(ITIMER_REAL, &it, NULL);
    }
    int st;
    while (waitpid(init, &st, 0) < 0) {
        if (errno != EINTR) die("waitpid");
        if (alarm_fired) {
            /* Killing the namespace's PID 1 kills everything in it; waitpid
             * returns only once the kernel has torn the namespace down. */
            kill(init, SIGKILL);
            while (waitpid(init, &st, 0) < 0 && errno == EINTR) {
            }
            fprintf(stderr, "perfopt-jail: wall time limit\n");
            _exit(JAIL_TIMEOUT);
        }
    }
    int status;
    if (read(pipefd[0], &status, sizeof status) != sizeof status) {
        fprintf(stderr, "perfopt-jail: supervisor died\n");
        return JAIL_FAIL;
    }
    mirror_status(status);
    return JAIL_FAIL;
}
