/* interp.c - see interp.h. */
#define _POSIX_C_SOURCE 200809L
#include "interp.h"
#include "args.h"
#include "clock.h"

#include "error.h"

#include <math.h>
#include <stdio.h>

int interp_rounds = BYTECODE_ROUNDS;
static long long unit_asked;         /* --unit in ns; 0: not given */
static double unit_measured;         /* the chain's unit, timed alone */
static bool interpreting;            /* --interpret */
static int interpreted_rounds = BYTECODE_ROUNDS;
static double interpreted_measured;  /* an interpreted turn, timed alone under the old GIL */
static char unit_comment[320];

void interp_begin(gil_thread *t)
{
    gil_take(t);
}

void interp_end(gil_thread *t)
{
    gil_drop(t, RELEASE_EXIT);
}

/* ---- the countdown, interpreted (--interpret) ------------------------------------ */

/* A type object: only what the countdown asks of one, its deallocator. */
struct object;
struct type {
    const char *tp_name;
    void (*tp_dealloc)(struct object *);
};

/* A PyIntObject of CPython 2.7: reference count, type, value (24 bytes). */
struct object {
    long refcount;
    union {
        const struct type *type;
        struct object *next;   /* on the free list, the type's place links it, as in 2.7 */
    };
    long value;
};

enum { SMALL_MIN = -5, SMALL_MAX = 256, POOL = 4096 };
static void int_dealloc(struct object *o);
static const struct type int_type = { "int", int_dealloc }, bool_type = { "bool", NULL };
/* The interpreter's, shared by every thread and written only under the GIL. */
static struct object small_ints[SMALL_MAX - SMALL_MIN + 1], py_true, py_false;
static struct object pool[POOL];    /* the larger integers: a block, then a free list */
static size_t pool_used;
static struct object *free_list;

static inline void incref(struct object *o)
{
    o->refcount++;
}

/* Py_DECREF: the last reference gone, the type's deallocator, called through
 * the object as 2.7's _Py_Dealloc calls it (only a larger integer gets
 * there: the small ones and the booleans stay referenced). */
static inline void decref(struct object *o)
{
    if (--o->refcount == 0)
        o->type->tp_dealloc(o);
}

/* int_dealloc: an int goes back on the free list. */
static void int_dealloc(struct object *o)
{
    o->next = free_list;
    free_list = o;
}

/* PyInt_FromLong: a small integer is shared; another is taken from the free
 * list. A call, not inlined: 2.7's eval loop calls it in intobject.c, and
 * the frame's values are in memory around it. */
__attribute__((noinline)) static struct object *new_int(long value)
{
    if (value >= SMALL_MIN && value <= SMALL_MAX) {
        struct object *o = &small_ints[value - SMALL_MIN];
        incref(o);
        return o;
    }
    struct object *o = free_list;
    if (o != NULL)
        free_list = o->next;
    else if (pool_used < POOL)
        o = &pool[pool_used++];
    else
        die_msg("interp: out of integer objects");
    *o = (struct object){ .refcount = 1, .type = &int_type, .value = value };
    return o;
}

/* The opcodes of `while n > 0: n -= 1` in CPython 2.7, as `dis` shows them. */
enum opcode { LOAD_FAST, LOAD_CONST_0, LOAD_CONST_1, COMPARE_OP_GT, POP_JUMP_IF_FALSE,
              INPLACE_SUBTRACT, STORE_FAST, JUMP_ABSOLUTE };

/* The code object of the countdown (PyCodeObject): its opcodes and its
 * constants 0 and 1, read by every thread. */
static const struct code {
    unsigned char co_code[9];
    struct object *co_consts[2];
} countdown = {
    { LOAD_FAST, LOAD_CONST_0, COMPARE_OP_GT, POP_JUMP_IF_FALSE,
      LOAD_FAST, LOAD_CONST_1, INPLACE_SUBTRACT, STORE_FAST, JUMP_ABSOLUTE },
    { &small_ints[0 - SMALL_MIN], &small_ints[1 - SMALL_MIN] },
};

/* A frame (PyFrameObject): the code it runs, its local n and its value
 * stack, in memory. One per thread, used again at every call, as 2.7 keeps
 * a code object's frame for its next call. */
struct frame {
    const struct code *f_code;
    struct object *f_localsplus[1 + 2];   /* n, then the value stack, two deep */
};
static _Thread_local struct frame thread_frame;

/* PyEval_EvalFrameEx over the countdown from n, one turn a unit: the
 * values live in the frame (fastlocals, stack_pointer), the constants in
 * the code object, and the eval breaker comes at the backward jump. */
static void run_interpreted(gil_thread *t, long long n)
{
    uint64_t state = t->state;
    struct frame *f = &thread_frame;
    t->frame = f;                                  /* tstate->frame */
    f->f_code = &countdown;
    struct object **fastlocals = f->f_localsplus, **sp = fastlocals + 1;
    const unsigned char *first = f->f_code->co_code, *pc = first;
    fastlocals[0] = new_int((long)n);
    for (;;) {
        struct object *v, *w, *x;
        switch ((enum opcode)*pc++) {
        case LOAD_FAST:
            x = fastlocals[0];
            incref(x);
            *sp++ = x;
            break;
        case LOAD_CONST_0:
        case LOAD_CONST_1:
            x = f->f_code->co_consts[pc[-1] == LOAD_CONST_1];
            incref(x);
            *sp++ = x;
            break;
        case COMPARE_OP_GT:
            w = *--sp;
            v = *--sp;
            x = v->value > w->value ? &py_true : &py_false;
            incref(x);
            decref(v);
            decref(w);
            *sp++ = x;
            break;
        case POP_JUMP_IF_FALSE:
            x = *--sp;
            decref(x);
            if (x == &py_false)
                goto done;
            break;
        case INPLACE_SUBTRACT:
            w = *--sp;
            v = *--sp;
            for (int i = 0; i < interpreted_rounds; i++)   /* the rest of a turn's work */
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            x = new_int(v->value - w->value);
            decref(v);
            decref(w);
            *sp++ = x;
            break;
        case STORE_FAST:
            x = fastlocals[0];
            fastlocals[0] = *--sp;
            decref(x);
            break;
        case JUMP_ABSOLUTE:
            pc = first;
            gil_eval_breaker(t);   /* the turn's ticks, and perhaps a release */
            break;
        }
    }
done:
    decref(fastlocals[0]);
    fastlocals[0] = NULL;
    t->frame = NULL;
    t->state = state ^ (state >> 31);
    t->units += n;
}

static void time_interpreted(void);

void interp_use_interpret(void)
{
    for (long v = SMALL_MIN; v <= SMALL_MAX; v++)   /* the table holds a reference */
        small_ints[v - SMALL_MIN] = (struct object){ .refcount = 1, .type = &int_type, .value = v };
    for (int i = 0; i < 2; i++)
        incref(countdown.co_consts[i]);              /* and the code object, its constants */
    py_true = (struct object){ .refcount = 1, .type = &bool_type, .value = 1 };
    py_false = (struct object){ .refcount = 1, .type = &bool_type, .value = 0 };
    interpreting = true;
    if (unit_asked > 0)
        time_interpreted();   /* the unit asked before --interpret: time this one too */
}

bool interp_interpreting(void)
{
    return interpreting;
}

// snippet-begin: eval-loop
void interp_run(gil_thread *t, long long n)
{
    if (interpreting && t->gil->mode == GIL_OLD) {
        run_interpreted(t, n);
        return;
    }
    uint64_t state = t->state;
    for (long long i = 0; i < n; i++) {
        state = bytecode(state);   /* one bytecode of real work ... */
        gil_eval_breaker(t);       /* ... then: does anyone want the GIL? */
    }
    t->state = state;
    t->units += n;
}
// snippet-end: eval-loop

long long interp_run_until(gil_thread *t, int64_t deadline_ns)
{
    /* Reading the clock costs about as much as a bytecode: look every 256. */
    long long done = 0;
    while (now_ns() < deadline_ns) {
        interp_run(t, 256);
        done += 256;
    }
    return done;
}

// snippet-begin: blocking-call
void interp_sleep(gil_thread *t, int64_t ns)
{
    gil_drop(t, RELEASE_BLOCKING);          /* Py_BEGIN_ALLOW_THREADS */
    sleep_ns(ns);                           /* the blocking call: nanosleep */
    gil_take(t);                            /* Py_END_ALLOW_THREADS */
}
// snippet-end: blocking-call

/* The best of three timings of n units by one thread alone, in ns each: under
 * the old GIL (which it takes, and lets go every 101 ticks) when `old`. */
static double ns_per_unit(long long n, bool old)
{
    gil g;
    gil_thread t;
    gil_init(&g, old ? GIL_OLD : GIL_NONE, GIL_DEFAULT_INTERVAL_US);
    gil_thread_init(&t, &g, 0, 0);
    interp_begin(&t);
    double best = 0;
    for (int round = 0; round < 3; round++) {
        int64_t start = now_ns();
        interp_run(&t, n);
        double ns = (double)(now_ns() - start) / (double)n;
        best = round == 0 || ns < best ? ns : best;
    }
    interp_end(&t);
    gil_thread_free(&t);
    gil_destroy(&g);
    return best;
}

double interp_ns_per_bytecode(void)
{
    return ns_per_unit(2000000, false);
}

static void set_rounds(int *rounds, long r)
{
    *rounds = r < 1 ? 1 : (int)r;
}

/* A unit of r rounds, timed alone as ns_per_unit does, for some 30 ms (a
 * round takes a ns or two); the rounds are left in *rounds. */
static double time_rounds(int *rounds, long r, bool old)
{
    set_rounds(rounds, r);
    return ns_per_unit((long long)(3e7 / ((double)*rounds * 1.6)) + 1000, old);
}

/* Rounds that make a unit last `want` ns. A unit's time is a line in its
 * rounds, fixed + per_round * rounds: the eval breaker's check and the
 * dispatch do not grow with them. Scaling the rounds by want / got twice
 * comes near; then two timings well apart, at half and half again as many
 * rounds, give the line, and the rounds are read off it. */
static int rounds_for(long long want, int *rounds, bool old)
{
    for (int pass = 0; pass < 2; pass++)
        set_rounds(rounds, lround((double)*rounds * (double)want
                                  / time_rounds(rounds, *rounds, old)));
    long r = *rounds;   /* the scaled rounds: kept where noise swamps the line */
    long low = lround((double)r / 2.0), high = lround((double)r * 1.5);
    low = low < 1 ? 1 : low;
    high = high <= low ? low + 1 : high;
    double t_low = time_rounds(rounds, low, old), t_high = time_rounds(rounds, high, old);
    double per_round = (t_high - t_low) / (double)(high - low);
    if (per_round > 0) {
        double read_off = (double)low + ((double)want - t_low) / per_round;
        if (read_off < 2.0 * (double)high)   /* far beyond the timings: noise, too */
            r = lround(read_off);
    }
    set_rounds(rounds, r);
    return *rounds;
}

/* The interpreted unit of --unit's length (once both options are known). */
static void time_interpreted(void)
{
    rounds_for(unit_asked, &interpreted_rounds, true);
    interpreted_measured = ns_per_unit(2000000, true);
}

void interp_use_unit(const char *text)
{
    unit_asked = arg_duration_ns("--unit", text, 5, 1000);
    rounds_for(unit_asked, &interp_rounds, false);
    unit_measured = interp_ns_per_bytecode();
    if (interpreting)
        time_interpreted();
}

const char *interp_unit_comment(void)
{
    int used = 0;
    if (unit_asked > 0)
        used = snprintf(unit_comment, sizeof unit_comment,
                        "unit: %lld ns asked, %d rounds, %.1f ns measured",
                        unit_asked, interp_rounds, unit_measured);
    if (interpreting && used >= 0 && (size_t)used < sizeof unit_comment) {
        if (interpreted_measured == 0)   /* the default rounds: time them once, for the record */
            interpreted_measured = ns_per_unit(2000000, true);
        snprintf(unit_comment + used, sizeof unit_comment - (size_t)used,
                 "%sinterpret: the old GIL's units interpret the countdown as CPython 2.7 does, "
                 "%d rounds, %.1f ns measured under the old GIL alone",
                 used > 0 ? "; " : "", interpreted_rounds, interpreted_measured);
    }
    return unit_comment[0] != '\0' ? unit_comment : NULL;
}
