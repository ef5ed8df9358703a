/*
 * console_bind self-test (kernel command line test=console; with
 * test=console-input also the typed-input cases, which need the harness
 * tests/integration/t_bochs_console_input.sh to type CONSOLE_TEXT1 and
 * CONSOLE_TEXT2 after the "type now" lines).
 *
 * Without input: every documented error (bad, closed and forged handles, a
 * WIDE port with bits above 31, a guest handle, a port without WRITE), unbind
 * by HV_HANDLE_INVALID, bind/rebind/unbind, a bound port's last handle
 * closing, and free memory and handle slots as before.
 * With input: TEXT1 is typed while the bound port is full of user packets
 * (the bytes wait in the kernel), then the port is drained: the user packets
 * come first in order, then the text in HV_PKT_CONSOLE packets of at most
 * HV_CONSOLE_CHUNK bytes with the bound key, byte exact; TEXT2 is typed
 * while the only thread waits on the port with no deadline (the kernel must
 * keep polling, not stop as "nothing can wake them"). Prints PASS/FAIL per
 * case and "console: N passed, N failed".
 */
#include "libsys.h"
#include "root_tests.h"
#include "rt.h"

/* Typed by the harness (tests/integration/t_bochs_console_input.sh holds the same bytes). */
#define CONSOLE_TEXT1 "hv console input: the quick brown fox jumps over the lazy dog 0123456789 " \
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ!?"
#define CONSOLE_TEXT2 "second\x01\x7f\x1b[A\xff\x80\x02 end\r"
#define KEY1 0xc0501e0000000001ull
#define KEY2 0xc0501e0000000002ull

static bool failed;
static unsigned passed, failures;

#define CHECK(cond, ...)                                                                   \
    ({                                                                                     \
        bool ok_ = (cond);                                                                 \
        if (!ok_) {                                                                        \
            printf("  line %d: ", __LINE__);                                               \
            printf(__VA_ARGS__);                                                           \
            printf("\n");                                                                  \
            failed = true;                                                                 \
        }                                                                                  \
        ok_;                                                                               \
    })
#define EXPECT(call, want)                                                                 \
    ({                                                                                     \
        long got_ = (long)(call), want_ = (long)(want);                                    \
        CHECK(got_ == want_, "%s: %s (%ld), expected %s (%ld)", #call,                     \
              hv_status_name((hv_status_t)got_), got_, hv_status_name((hv_status_t)want_), \
              want_);                                                                      \
    })

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static uint64_t tsc_hz;

static hv_handle_t new_port(void)
{
    hv_handle_t p = HV_HANDLE_INVALID;
    EXPECT(hv_port_create(0, &p), HV_OK);
    return p;
}

/* console_bind with the whole register for port (libsys's stub takes 32 bits). */
static long bind_raw(uint64_t port, uint64_t key)
{
    return hv_syscall6(HV_SYS_CONSOLE_BIND, (long)port, (long)key, 0, 0, 0, 0);
}

/* Sleep ms milliseconds in port_wait on a port of its own. */
static void nap(uint64_t ms)
{
    hv_handle_t q = new_port();
    struct hv_packet pkt;
    EXPECT(hv_port_wait(q, rdtsc() + tsc_hz / 1000 * ms, &pkt), HV_ERR_TIMED_OUT);
    hv_handle_close(q);
}

static void case_errors(void)
{
    hv_handle_t p = new_port(), g = HV_HANDLE_INVALID, ro = HV_HANDLE_INVALID;
    EXPECT(hv_guest_create(0, &g), HV_OK);
    EXPECT(hv_handle_duplicate(p, HV_RIGHT_READ | HV_RIGHT_DUPLICATE, &ro), HV_OK);
    EXPECT(hv_console_bind(0x12345, 0), HV_ERR_BAD_HANDLE);             /* never issued */
    EXPECT(bind_raw(0xffffffffull, 0), HV_ERR_BAD_HANDLE);
    EXPECT(bind_raw(1ull << 32, 0), HV_ERR_BAD_HANDLE);                 /* not an unbind */
    EXPECT(bind_raw((1ull << 32) | p, 0), HV_ERR_BAD_HANDLE);           /* WIDE: all bits */
    EXPECT(bind_raw(~0ull, 0), HV_ERR_BAD_HANDLE);
    EXPECT(hv_console_bind(g, 0), HV_ERR_WRONG_TYPE);
    EXPECT(hv_console_bind(ro, 0), HV_ERR_ACCESS_DENIED);
    hv_handle_t stale = p;
    EXPECT(hv_handle_close(p), HV_OK);
    EXPECT(hv_console_bind(stale, 0), HV_ERR_BAD_HANDLE);               /* closed */
    EXPECT(hv_console_bind(ro, 0), HV_ERR_ACCESS_DENIED);               /* still no WRITE */
    EXPECT(hv_console_bind(HV_HANDLE_INVALID, 0), HV_OK);               /* unbind, unbound */
    EXPECT(hv_console_bind(HV_HANDLE_INVALID, 0), HV_OK);
    hv_handle_close(ro);
    hv_handle_close(g);
}

/* Free memory after making and dropping one port: a reference the binding kept shows. */
static void case_bind_rebind(void)
{
    uint64_t free0 = tests_free_bytes();
    hv_handle_t a = new_port(), b = new_port();
    hv_handle_t wonly = HV_HANDLE_INVALID;
    EXPECT(hv_handle_duplicate(b, HV_RIGHT_WRITE, &wonly), HV_OK);
    EXPECT(hv_console_bind(a, KEY1), HV_OK);
    EXPECT(hv_console_bind(a, KEY2), HV_OK);                    /* the same port again */
    EXPECT(hv_console_bind(wonly, KEY1), HV_OK);                /* WRITE is enough: rebind */
    struct hv_packet pkt;
    EXPECT(hv_port_wait(b, rdtsc() + tsc_hz / 100, &pkt), HV_ERR_TIMED_OUT); /* no input */
    /* a is no longer bound: closing it must give its page back at once. */
    uint64_t free_a = tests_free_bytes();
    EXPECT(hv_handle_close(a), HV_OK);
    CHECK(tests_free_bytes() == free_a + 4096, "closing the unbound port freed %lld bytes",
          (long long)(tests_free_bytes() - free_a));
    /* b is bound: its page stays while the binding holds it, though the handles go... */
    EXPECT(hv_handle_close(wonly), HV_OK);
    uint64_t free_b = tests_free_bytes();
    EXPECT(hv_handle_close(b), HV_OK);
    /* ...and the binding lets go when the last handle closes. */
    CHECK(tests_free_bytes() == free_b + 4096, "closing the bound port freed %lld bytes",
          (long long)(tests_free_bytes() - free_b));
    /* Unbound now: an unbind is still fine, a new bind too. */
    EXPECT(hv_console_bind(HV_HANDLE_INVALID, 0), HV_OK);
    hv_handle_t c = new_port();
    EXPECT(hv_console_bind(c, KEY1), HV_OK);
    EXPECT(hv_console_bind(HV_HANDLE_INVALID, 0), HV_OK);       /* explicit unbind releases */
    uint64_t free_c = tests_free_bytes();
    EXPECT(hv_handle_close(c), HV_OK);
    CHECK(tests_free_bytes() == free_c + 4096, "closing the unbound port freed %lld bytes",
          (long long)(tests_free_bytes() - free_c));
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* Many binds and closes: no reference piles up. */
static void case_cycles(void)
{
    uint64_t free0 = tests_free_bytes();
    for (int i = 0; i < 50; i++) {
        hv_handle_t p = new_port(), q = new_port();
        EXPECT(hv_console_bind(p, (uint64_t)i), HV_OK);
        EXPECT(hv_console_bind(q, (uint64_t)i), HV_OK);
        if (i & 1)
            EXPECT(hv_console_bind(HV_HANDLE_INVALID, 0), HV_OK);
        hv_handle_close(q);
        hv_handle_close(p);
    }
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
}

/* Collect console bytes from port p until want bytes came (or the deadline). */
static size_t collect(hv_handle_t p, uint64_t key, uint8_t *buf, size_t want, uint64_t deadline,
                      unsigned *packets, unsigned *first_len)
{
    size_t got = 0;
    while (got < want) {
        struct hv_packet pkt;
        hv_status_t rc = hv_port_wait(p, deadline, &pkt);
        if (!CHECK(rc == HV_OK, "port_wait after %zu of %zu bytes: %s", got, want,
                   hv_status_name(rc)))
            break;
        if (!CHECK(pkt.type == HV_PKT_CONSOLE && pkt.key == key && pkt.status == HV_OK,
                   "packet type %u key 0x%llx status %d", pkt.type,
                   (unsigned long long)pkt.key, pkt.status))
            break;
        uint32_t n = pkt.console.len;
        if (!CHECK(n >= 1 && n <= HV_CONSOLE_CHUNK && got + n <= want,
                   "console packet of %u bytes after %zu of %zu", n, got, want))
            break;
        if (!*packets)
            *first_len = n;
        ++*packets;
        memcpy(buf + got, pkt.console.data, n);
        got += n;
    }
    return got;
}

static void print_bytes(const char *what, const uint8_t *b, size_t n)
{
    printf("console: %s (%zu bytes):", what, n);
    for (size_t i = 0; i < n; i++)
        printf(" %02x", b[i]);
    printf("\n");
}

static void case_input_port_full(void)
{
    static const char text[] = CONSOLE_TEXT1;
    const size_t len = sizeof(text) - 1;
    hv_handle_t p = new_port();
    for (uint32_t i = 0; i < HV_PORT_CAPACITY; i++) {
        struct hv_packet u = { .key = 7 };
        u.raw[0] = (uint8_t)i;
        EXPECT(hv_port_queue(p, &u), HV_OK);
    }
    EXPECT(hv_console_bind(p, KEY1), HV_OK);
    printf("console: port full, type now\n");
    /* The bytes arrive while the port is full and wait in the kernel's buffer. */
    nap(3000);
    for (uint32_t i = 0; i < HV_PORT_CAPACITY; i++) {
        struct hv_packet u;
        EXPECT(hv_port_wait(p, 0, &u), HV_OK);
        if (!CHECK(u.type == HV_PKT_USER && u.key == 7 && u.raw[0] == (uint8_t)i,
                   "packet %u: type %u key %llu seq %u", i, u.type,
                   (unsigned long long)u.key, u.raw[0]))
            break;
    }
    uint8_t buf[sizeof(text)];
    unsigned packets = 0, first_len = 0;
    size_t got = collect(p, KEY1, buf, len, rdtsc() + tsc_hz * 30, &packets, &first_len);
    print_bytes("received", buf, got);
    CHECK(got == len && !memcmp(buf, text, len), "typed text differs");
    /* All of it waited in the kernel, so it came back in full chunks. */
    CHECK(first_len == HV_CONSOLE_CHUNK, "first chunk %u bytes, expected %u", first_len,
          HV_CONSOLE_CHUNK);
    printf("console: %zu bytes in %u packets, first %u\n", got, packets, first_len);
    EXPECT(hv_console_bind(HV_HANDLE_INVALID, 0), HV_OK);
    hv_handle_close(p);
}

static void case_input_waiting(void)
{
    static const char text[] = CONSOLE_TEXT2;
    const size_t len = sizeof(text) - 1;
    hv_handle_t p = new_port();
    EXPECT(hv_console_bind(p, KEY2), HV_OK);
    printf("console: port empty, type now\n");
    uint8_t buf[sizeof(text)];
    unsigned packets = 0, first_len = 0;
    uint64_t t0 = rdtsc();
    size_t got = collect(p, KEY2, buf, len, HV_TIME_INFINITE, &packets, &first_len);
    uint64_t dt = rdtsc() - t0;
    print_bytes("received", buf, got);
    CHECK(got == len && !memcmp(buf, text, len), "typed text differs");
    printf("console: %zu bytes in %u packets after %llu ms\n", got, packets,
           (unsigned long long)(dt / (tsc_hz / 1000)));
    /* Closing the bound port's handle ends the binding. */
    hv_handle_close(p);
}

static void run(const char *name, void (*fn)(void))
{
    failed = false;
    fn();
    printf("%s console_%s\n", failed ? "FAIL" : "PASS", name);
    if (failed)
        failures++;
    else
        passed++;
}

int console_tests(const struct hv_startup *su)
{
    struct hv_system_info info;
    if (hv_system_info(&info, sizeof(info)) != HV_OK || !info.tsc_hz) {
        printf("console: hv_system_info failed\nconsole: 0 passed, 1 failed\n");
        return 1;
    }
    tsc_hz = info.tsc_hz;
    hv_handle_t probe = new_port();
    int slots = tests_free_handle_slots(probe);
    uint64_t free0 = tests_free_bytes();
    run("errors", case_errors);
    run("bind_rebind", case_bind_rebind);
    run("cycles", case_cycles);
    if (tests_cmdline_has(su, "test", "console-input")) {
        run("input_port_full", case_input_port_full);
        run("input_waiting", case_input_waiting);
    }
    failed = false;
    CHECK(tests_free_bytes() == free0, "free memory %llu before, %llu after",
          (unsigned long long)free0, (unsigned long long)tests_free_bytes());
    CHECK(tests_free_handle_slots(probe) == slots, "free handle slots %d before, %d after",
          slots, tests_free_handle_slots(probe));
    printf("%s console_no_leaks\n", failed ? "FAIL" : "PASS");
    failed ? failures++ : passed++;
    hv_handle_close(probe);
    printf("console: %u passed, %u failed\n", passed, failures);
    return failures != 0;
}
