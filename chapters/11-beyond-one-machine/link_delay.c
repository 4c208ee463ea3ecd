/*
 * link_delay.c - a network cable with a delay, in user space: two TUN
 * devices, one in each of two network namespaces, and every packet that
 * one side sends is handed to the other side --delay later.
 *
 * This is what `tc qdisc add dev X root netem delay D` does in the kernel;
 * two_hosts.sh uses netem where the kernel has it (sch_netem), and this
 * program where it does not. A TUN device is a network interface whose
 * other end is a file descriptor: what the namespace's IP stack sends
 * through it, the program read()s as one IP packet; what the program
 * write()s, the stack receives. The program holds both ends, keeps each
 * packet in a queue with the time it is due, and writes it to the other
 * device then: a cable D long.
 *
 *   link_delay --ns-a wb11-1-a --ns-b wb11-1-b --dev-a wb11ta --dev-b wb11tb --delay 1ms
 *
 * (two_hosts.sh runs it so, as root; it then gives the two devices their
 * addresses.) It prints "ready" when both devices exist, runs until it is
 * stopped (SIGTERM, SIGINT), and then prints how many packets it carried
 * each way. The devices go away with the program. What to expect: a round
 * trip 2 D longer, plus some microseconds per packet for the trip through
 * user space, which a delay of 0 shows (compare with the veth pair, which
 * stays in the kernel). Compare with pingpong.c and map_dynamic.c run by
 * two_hosts.sh --delay.
 */
#define _GNU_SOURCE /* setns, ppoll, PR_SET_TIMERSLACK */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "args.h"
#include "clock.h"
#include "error.h"
#include "options.h"

#define MAX_PACKET 65536
#define QUEUE_LIMIT 10000  /* packets in flight each way, as netem's default limit 1000, and more */

struct config {
    const char *ns[2], *dev[2];
    long long delay_ns;
    run_options run;
};

/* A packet on the cable, and when it arrives. */
struct packet {
    struct packet *next;
    int64_t due_ns;
    size_t len;
    unsigned char data[];
};

/* One direction of the cable: a queue in arrival order (all packets wait
 * the same delay, so the first one is always the first due). */
struct direction {
    struct packet *head, *tail;
    long queued;
    long long carried, dropped;
};

static volatile sig_atomic_t stop_requested;
static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

// snippet-begin: delay-line
/* Read a packet from fd `from` and queue it to arrive `delay_ns` later. */
static void take_packet(int from, struct direction *d, long long delay_ns)
{
    unsigned char buf[MAX_PACKET];
    ssize_t n = read(from, buf, sizeof buf);
    if (n == -1) {
        if (errno == EINTR || errno == EAGAIN)
            return;
        die("read from the TUN device");
    }
    if (d->queued >= QUEUE_LIMIT) {           /* the cable is full: as netem, drop */
        d->dropped++;
        return;
    }
    struct packet *p = malloc(sizeof *p + (size_t)n);
    if (p == NULL)
        die("malloc");
    *p = (struct packet){ .due_ns = now_ns() + delay_ns, .len = (size_t)n };
    memcpy(p->data, buf, (size_t)n);
    if (d->tail != NULL)
        d->tail->next = p;
    else
        d->head = p;
    d->tail = p;
    d->queued++;
}

/* Hand every packet that is due to fd `to`. */
static void deliver_due(int to, struct direction *d)
{
    int64_t now = now_ns();
    while (d->head != NULL && d->head->due_ns <= now) {
        struct packet *p = d->head;
        if (write(to, p->data, p->len) == -1 && errno != EINVAL && errno != EIO)
            die("write to the TUN device");  /* (a device still down refuses: dropped) */
        d->head = p->next;
        if (d->head == NULL)
            d->tail = NULL;
        d->queued--;
        d->carried++;
        free(p);
    }
}
// snippet-end: delay-line

static void parse_args(int argc, char *argv[], struct config *cfg);
static int open_tun_in(const char *ns, const char *dev);
static void forward(const int fd[2], struct direction dir[2], long long delay_ns);

int main(int argc, char *argv[])
{
    struct config cfg;
    parse_args(argc, argv, &cfg);
    struct sigaction sa = { .sa_handler = on_stop };
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) == -1 || sigaction(SIGINT, &sa, NULL) == -1 ||
        sigaction(SIGHUP, &sa, NULL) == -1)
        die("sigaction");
    /* Wake-ups when asked, not up to 50 us later: the delays are short. And
     * before any process of the normal class: the MPI ranks spin on every
     * core while they wait for a message, and a cable cannot wait for a
     * time slice (the kernel's veth and netem run in its softirqs). */
    if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) == -1)
        die("prctl PR_SET_TIMERSLACK");
    struct sched_param rt = { .sched_priority = 1 };
    if (sched_setscheduler(0, SCHED_FIFO, &rt) == -1)
        warn_msg("sched_setscheduler SCHED_FIFO: %s: packets may wait for a time slice", strerror(errno));
    int fd[2];
    for (int side = 0; side < 2; side++)
        fd[side] = open_tun_in(cfg.ns[side], cfg.dev[side]);
    printf("ready: %s (in %s) and %s (in %s), %.3f ms apart\n", cfg.dev[0], cfg.ns[0], cfg.dev[1], cfg.ns[1],
           (double)cfg.delay_ns / NS_PER_MS);
    fflush(stdout);

    struct direction dir[2] = { { 0 }, { 0 } }; /* dir[0]: a to b; dir[1]: b to a */
    forward(fd, dir, cfg.delay_ns);
    printf("carried %lld packets a to b, %lld b to a; dropped %lld (the queue was full)\n", dir[0].carried,
           dir[1].carried, dir[0].dropped + dir[1].dropped);
    for (int side = 0; side < 2; side++) {
        while (dir[side].head != NULL) {
            struct packet *p = dir[side].head;
            dir[side].head = p->next;
            free(p);
        }
        if (close(fd[side]) == -1)
            die("close");
    }
    return EXIT_SUCCESS;
}

/* A TUN device named `dev` in the network namespace `ns` (/run/netns/NS,
 * as `ip netns add` makes them). The descriptor stays tied to the device,
 * whatever namespace the program is in afterwards. */
static int open_tun_in(const char *ns, const char *dev)
{
    char path[256];
    snprintf(path, sizeof path, "/run/netns/%s", ns);
    int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    if (nsfd == -1)
        die("open %s (no such network namespace?)", path);
    if (setns(nsfd, CLONE_NEWNET) == -1)
        die("setns %s (root needed)", path);
    if (close(nsfd) == -1)
        die("close");
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd == -1)
        die("open /dev/net/tun");
    struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", dev);
    if (ioctl(fd, TUNSETIFF, &ifr) == -1)
        die("TUNSETIFF %s in %s", dev, ns);
    return fd;
}

/* Until stopped: wait for a packet on either side or for the next one
 * due, whichever comes first. */
static void forward(const int fd[2], struct direction dir[2], long long delay_ns)
{
    while (!stop_requested) {
        int64_t next_due = INT64_MAX;
        for (int k = 0; k < 2; k++)
            if (dir[k].head != NULL && dir[k].head->due_ns < next_due)
                next_due = dir[k].head->due_ns;
        struct timespec wait = { .tv_sec = 1 }, *timeout = &wait;
        if (next_due != INT64_MAX) {
            int64_t left = next_due - now_ns();
            left = left < 0 ? 0 : left;
            wait = (struct timespec){ .tv_sec = left / NS_PER_S, .tv_nsec = left % NS_PER_S };
        }
        struct pollfd pfd[2] = { { .fd = fd[0], .events = POLLIN }, { .fd = fd[1], .events = POLLIN } };
        if (ppoll(pfd, 2, timeout, NULL) == -1) {
            if (errno == EINTR)
                continue;
            die("ppoll");
        }
        for (int side = 0; side < 2; side++)
            if (pfd[side].revents & POLLIN)
                take_packet(fd[side], &dir[side], delay_ns);  /* side 0 reads a's: to b */
        deliver_due(fd[1], &dir[0]);
        deliver_due(fd[0], &dir[1]);
    }
}

/* ---- arguments ----------------------------------------------------------------------- */

static const char usage_line[] =
    "link_delay --ns-a NS --ns-b NS --dev-a NAME --dev-b NAME [--delay D]";
static const char help_text[] =
    "A cable with a delay between two network namespaces, in user space: a TUN\n"
    "device in each, every packet handed to the other side D later. As root;\n"
    "two_hosts.sh runs it where the kernel has no netem.\n"
    "\n"
    "  --ns-a NS        the first namespace (as ip netns names it)\n"
    "  --ns-b NS        the second\n"
    "  --dev-a NAME     the TUN device to make in the first (up to 15 characters)\n"
    "  --dev-b NAME     the one in the second\n"
    "  --delay D        the delay each way (0us to 10s, e.g. 100us, 1ms; default 1ms)\n";

static void parse_args(int argc, char *argv[], struct config *cfg)
{
    cli_init(argv[0], usage_line, help_text);
    static const struct option options[] = {
        { "ns-a", required_argument, NULL, 'a' },
        { "ns-b", required_argument, NULL, 'b' },
        { "dev-a", required_argument, NULL, 'A' },
        { "dev-b", required_argument, NULL, 'B' },
        { "delay", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 },
    };
    *cfg = (struct config){ .delay_ns = NS_PER_MS };
    for (int c; (c = options_next(argc, argv, options, NULL)) != -1;) {
        switch (c) {
        case 'a':
            cfg->ns[0] = arg_path("--ns-a", optarg);
            break;
        case 'b':
            cfg->ns[1] = arg_path("--ns-b", optarg);
            break;
        case 'A':
            cfg->dev[0] = arg_path("--dev-a", optarg);
            break;
        case 'B':
            cfg->dev[1] = arg_path("--dev-b", optarg);
            break;
        case 'd':
            cfg->delay_ns = arg_duration_ns("--delay", optarg, 0, 10 * NS_PER_S);
            break;
        }
    }
    arg_no_operands(argc, argv);
    static const char *const names[] = { "--ns-a", "--ns-b", "--dev-a", "--dev-b" };
    const char *given[] = { cfg->ns[0], cfg->ns[1], cfg->dev[0], cfg->dev[1] };
    for (int k = 0; k < 4; k++)
        if (given[k] == NULL)
            usage_error("%s is required", names[k]);
    for (int k = 2; k < 4; k++)
        if (strlen(given[k]) >= IFNAMSIZ)
            usage_error("%s: '%s' is longer than %d characters", names[k], given[k], IFNAMSIZ - 1);
}
