/*
 * tlbrace measure: the load and the user-space clocks of one measurement
 * window. Built by `tlbrace measure` with the system's C compiler.
 *
 * Threads, each optional:
 *   busy      pinned to one CPU, reads CLOCK_MONOTONIC in a loop and records
 *             every gap between two reads of at least gap-ns, with whether the
 *             guest scheduler switched the thread out during it (its context
 *             switch count changed) and the wall time its own CPU clock did
 *             not count since the previous gap (steal time, where the guest
 *             accounts it): the rest of the gaps are guest interrupts and
 *             exits to the host that left the vCPU running.
 *   churn     on the other CPUs: maps a 2 MiB-aligned range, touches a page,
 *             unmaps it. The unmap frees the PTE page (free_pgtables ->
 *             pte_free_tlb -> tlb_remove_table) after a TLB flush that IPIs
 *             the busy thread's CPU, which runs the same mm. Every
 *             collapse-every iterations it also faults in 512 small pages and
 *             collapses them (MADV_COLLAPSE -> collapse_huge_page ->
 *             tlb_remove_table_sync_one, the sync IPI).
 *   rcu       membarrier(MEMBARRIER_CMD_GLOBAL) runs synchronize_rcu(); each
 *             call's duration is one grace period as a waiter sees it.
 *   vmsplice  vmsplice(2) of one page into a pipe, timed: the syscall walks
 *             the page with get_user_pages_fast, so it bounds a one-page walk
 *             from above.
 *
 * All samples are kept in memory and printed at the end, so that printing
 * makes no gaps. Times are CLOCK_MONOTONIC ns, the clock of bpftrace's nsecs.
 * SIGINT or SIGTERM ends the window early; what was measured is printed.
 * It dies with its parent (PR_SET_PDEATHSIG): a killed tlbrace leaves no load
 * running.
 *
 * Arguments: key=value words: seconds, busy-cpu (-1: none), gap-ns, churn,
 * churn-period-us, collapse-every, rcu, rcu-period-us, vmsplice,
 * vmsplice-period-us, parent (the pid of the process that started it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define MEMBARRIER_CMD_QUERY 0
#define MEMBARRIER_CMD_GLOBAL 1
#define PMD_SIZE (2UL << 20)
#define PAGE 4096UL
#define CAP (1 << 20)

static volatile sig_atomic_t stop_flag;
static int interrupted;

static struct {
	double seconds;
	int busy_cpu;
	uint64_t gap_ns;
	int churn, rcu, vms;
	long churn_period_us, collapse_every, rcu_period_us, vms_period_us;
	long parent;
} opt = { 5, -1, 2000, 1, 1, 1, 1000, 50, 2000, 2000, 0 };

static uint64_t now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void pause_us(long us)
{
	struct timespec t = { us / 1000000, (us % 1000000) * 1000 };
	nanosleep(&t, NULL);
}

struct series {
	uint64_t *v;
	long n, dropped;
	int width;
};

static void series_init(struct series *s, int width)
{
	s->v = calloc((size_t)CAP * width, sizeof(uint64_t));
	s->n = s->dropped = 0;
	s->width = width;
	if (!s->v) {
		perror("calloc");
		exit(1);
	}
}

static void series_add(struct series *s, const uint64_t *x)
{
	if (s->n >= CAP) {
		s->dropped++;
		return;
	}
	memcpy(s->v + (size_t)s->n * s->width, x, s->width * sizeof(uint64_t));
	s->n++;
}

/* Values are printed signed: the stolen time of a gap may come out slightly negative. */
static void series_print(const char *tag, const struct series *s)
{
	for (long i = 0; i < s->n; i++) {
		fputs(tag, stdout);
		for (int j = 0; j < s->width; j++)
			printf(" %lld", (long long)s->v[(size_t)i * s->width + j]);
		putchar('\n');
	}
	if (s->dropped)
		printf("dropped %s %ld\n", tag, s->dropped);
}

static int ncpus;
static cpu_set_t others; /* every CPU but the busy one */

static void keep_off_busy_cpu(void)
{
	if (opt.busy_cpu >= 0 && CPU_COUNT(&others) > 0)
		sched_setaffinity(0, sizeof others, &others);
}

/* The thread's run time and run-queue wait (ns) from its schedstat. */
static void schedstat(uint64_t *exec, uint64_t *wait)
{
	char path[64];
	unsigned long long e = 0, w = 0;
	snprintf(path, sizeof path, "/proc/self/task/%ld/schedstat", (long)syscall(SYS_gettid));
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu %llu", &e, &w) != 2)
			e = w = 0;
		fclose(f);
	}
	*exec = e;
	*wait = w;
}

static uint64_t thread_cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static long switches(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static struct series gaps, graces, splices;
static uint64_t busy_summary[9];
static int busy_ok;

static void *busy(void *arg)
{
	(void)arg;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(opt.busy_cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) != 0) {
		printf("busy-error %d\n", errno);
		return NULL;
	}
	prctl(PR_SET_NAME, "tlbrace-busy");
	uint64_t exec0, wait0, exec1, wait1;
	long csw0 = switches(), csw = csw0;
	schedstat(&exec0, &wait0);
	uint64_t t0 = now(), prev = t0, wall = now(), run = thread_cpu();
	while (!stop_flag) {
		uint64_t t = now();
		if (t - prev >= opt.gap_ns) {
			long c = switches();
			uint64_t w = now(), r = thread_cpu();
			/*
			 * Wall time the thread's CPU clock did not count since the last
			 * gap: with CONFIG_PARAVIRT_TIME_ACCOUNTING the guest leaves
			 * steal time (the host had the vCPU) out of it.
			 */
			int64_t stolen = (int64_t)(w - wall) - (int64_t)(r - run);
			uint64_t g[4] = { prev, t - prev, c != csw, (uint64_t)stolen };
			series_add(&gaps, g);
			csw = c;
			/* The syscalls above are not a gap. */
			wall = now();
			run = thread_cpu();
			t = now();
		}
		prev = t;
	}
	uint64_t t1 = now();
	schedstat(&exec1, &wait1);
	uint64_t s[9] = { (uint64_t)opt.busy_cpu, t0, t1, exec0, exec1, wait0, wait1, (uint64_t)(switches() - csw0), 0 };
	memcpy(busy_summary, s, sizeof s);
	busy_ok = 1;
	return NULL;
}

static long churn_iterations, collapses, collapse_errors;
static int collapse_errno;

/* A 2 MiB-aligned range inside a fresh 4 MiB mapping. */
static char *aligned_range(char **base)
{
	char *p = mmap(NULL, 2 * PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	*base = p;
	return (char *)(((uintptr_t)p + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
}

static void collapse_once(void)
{
	char *base, *r = aligned_range(&base);
	if (!r)
		return;
	/* Small pages first (MADV_NOHUGEPAGE), then collapse them into one huge page. */
	madvise(r, PMD_SIZE, MADV_NOHUGEPAGE);
	for (unsigned long off = 0; off < PMD_SIZE; off += PAGE)
		r[off] = 1;
	madvise(r, PMD_SIZE, MADV_HUGEPAGE);
	if (madvise(r, PMD_SIZE, MADV_COLLAPSE) == 0) {
		collapses++;
	} else {
		collapse_errors++;
		collapse_errno = errno;
	}
	munmap(base, 2 * PMD_SIZE);
}

static void *churn(void *arg)
{
	(void)arg;
	keep_off_busy_cpu();
	prctl(PR_SET_NAME, "tlbrace-churn");
	while (!stop_flag) {
		char *base, *r = aligned_range(&base);
		if (!r)
			break;
		r[0] = 1;
		munmap(base, 2 * PMD_SIZE);
		churn_iterations++;
		if (opt.collapse_every > 0 && churn_iterations % opt.collapse_every == 0)
			collapse_once();
		pause_us(opt.churn_period_us);
	}
	return NULL;
}

static int membarrier_state; /* 0 unknown, 1 ok, -errno */

static void *rcu(void *arg)
{
	(void)arg;
	keep_off_busy_cpu();
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	if (cmds < 0) {
		membarrier_state = -errno;
		return NULL;
	}
	if (!(cmds & MEMBARRIER_CMD_GLOBAL)) {
		membarrier_state = -ENOSYS;
		return NULL;
	}
	membarrier_state = 1;
	while (!stop_flag) {
		uint64_t t = now();
		if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0) {
			membarrier_state = -errno;
			break;
		}
		uint64_t x[2] = { t, now() - t };
		series_add(&graces, x);
		pause_us(opt.rcu_period_us);
	}
	return NULL;
}

static int vmsplice_state;

static void *splice_bound(void *arg)
{
	(void)arg;
	keep_off_busy_cpu();
	int fd[2];
	char sink[PAGE];
	char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || pipe(fd) != 0) {
		vmsplice_state = -errno;
		return NULL;
	}
	page[0] = 1;
	vmsplice_state = 1;
	while (!stop_flag) {
		struct iovec iov = { page, PAGE };
		uint64_t t = now();
		ssize_t n = vmsplice(fd[1], &iov, 1, 0);
		uint64_t d = now() - t;
		if (n != (ssize_t)PAGE) {
			vmsplice_state = -errno;
			break;
		}
		if (read(fd[0], sink, PAGE) != (ssize_t)PAGE)
			break;
		uint64_t x[1] = { d };
		series_add(&splices, x);
		pause_us(opt.vms_period_us);
	}
	close(fd[0]);
	close(fd[1]);
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	stop_flag = 1;
}

static void parse(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq) {
			fprintf(stderr, "measure-load: expected key=value, got %s\n", argv[i]);
			exit(2);
		}
		*eq = 0;
		const char *k = argv[i], *v = eq + 1;
		if (!strcmp(k, "seconds")) opt.seconds = atof(v);
		else if (!strcmp(k, "busy-cpu")) opt.busy_cpu = atoi(v);
		else if (!strcmp(k, "gap-ns")) opt.gap_ns = strtoull(v, NULL, 10);
		else if (!strcmp(k, "churn")) opt.churn = atoi(v);
		else if (!strcmp(k, "churn-period-us")) opt.churn_period_us = atol(v);
		else if (!strcmp(k, "collapse-every")) opt.collapse_every = atol(v);
		else if (!strcmp(k, "rcu")) opt.rcu = atoi(v);
		else if (!strcmp(k, "rcu-period-us")) opt.rcu_period_us = atol(v);
		else if (!strcmp(k, "vmsplice")) opt.vms = atoi(v);
		else if (!strcmp(k, "vmsplice-period-us")) opt.vms_period_us = atol(v);
		else if (!strcmp(k, "parent")) opt.parent = atol(v);
		else {
			fprintf(stderr, "measure-load: unknown key %s\n", k);
			exit(2);
		}
	}
}

int main(int argc, char **argv)
{
	parse(argc, argv);
	/* Killed when the parent dies; a parent gone before this line is seen by getppid(). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (opt.parent > 0 && getppid() != (pid_t)opt.parent)
		return 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Signals go to the main thread, which sleeps; the workers keep them blocked. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (opt.busy_cpu >= ncpus)
		opt.busy_cpu = -1;
	CPU_ZERO(&others);
	for (int c = 0; c < ncpus; c++)
		if (c != opt.busy_cpu)
			CPU_SET(c, &others);
	series_init(&gaps, 4);
	series_init(&graces, 2);
	series_init(&splices, 1);

	pthread_t th[4];
	int n = 0;
	uint64_t t0 = now();
	if (opt.busy_cpu >= 0) pthread_create(&th[n++], NULL, busy, NULL);
	if (opt.churn) pthread_create(&th[n++], NULL, churn, NULL);
	if (opt.rcu) pthread_create(&th[n++], NULL, rcu, NULL);
	if (opt.vms) pthread_create(&th[n++], NULL, splice_bound, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	uint64_t end = t0 + (uint64_t)(opt.seconds * 1e9);
	while (!stop_flag) {
		uint64_t t = now();
		if (t >= end)
			break;
		uint64_t left = (end - t) / 1000;
		pause_us(left < 20000 ? (long)left : 20000);
	}
	stop_flag = 1;
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	uint64_t t1 = now();

	printf("tlbrace-measure-load 1\n");
	printf("window %llu %llu %d %d\n", (unsigned long long)t0, (unsigned long long)t1, interrupted, ncpus);
	if (busy_ok) series_print("gap", &gaps);
	if (busy_ok) {
		printf("busy");
		for (int i = 0; i < 8; i++)
			printf(" %llu", (unsigned long long)busy_summary[i]);
		putchar('\n');
	}
	if (opt.rcu) printf("membarrier %d\n", membarrier_state);
	series_print("gp", &graces);
	if (opt.vms) printf("vmsplice %d\n", vmsplice_state);
	series_print("vms", &splices);
	if (opt.churn) printf("churn %ld %ld %ld %d\n", churn_iterations, collapses, collapse_errors, collapse_errno);
	return 0;
}
