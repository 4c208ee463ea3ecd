#!/usr/bin/env bash
# Exercise 11.3 (two chunks in flight): the manager keeps two chunks in
# flight per worker. Checked by watching the manager's messages, not their
# speed: a small library put before Open MPI (LD_PRELOAD, through MPI's own
# profiling interface, PMPI) counts on rank 0 every chunk sent to a worker
# (tag TAG_WORK, by MPI_Send, MPI_Isend, MPI_Bsend, MPI_Ssend or
# MPI_Issend) and every answer received from it (MPI_Recv, as manage()
# receives them), and keeps the most chunks a worker had in flight at once:
# 1 one chunk at a time, 2 with two in flight. map_dynamic itself checks the
# results against its serial run (a difference ends the job non-zero).
. tests/lib/exercise.bash
here=chapters/11-beyond-one-machine
{ command -v mpicc >/dev/null && command -v mpirun >/dev/null; } ||
    fail "mpicc and mpirun are needed (apt-get install openmpi-bin libopenmpi-dev)"
build chapter11/map_dynamic

cat >"$CHECK_TMP/count.c" <<'C'
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
enum { TAG_WORK = 1, TAG_RESULT = 2, MAX_RANKS = 256 };
static int in_flight[MAX_RANKS], most, sends, answers;
static int manager(void)
{
    int rank;
    PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank == 0;
}
static void sent(int dest, int tag)
{
    if (tag == TAG_WORK && dest >= 0 && dest < MAX_RANKS && manager()) {
        sends++;
        if (++in_flight[dest] > most)
            most = in_flight[dest];
    }
}
int MPI_Send(const void *b, int n, MPI_Datatype t, int dest, int tag, MPI_Comm c)
{ sent(dest, tag); return PMPI_Send(b, n, t, dest, tag, c); }
int MPI_Ssend(const void *b, int n, MPI_Datatype t, int dest, int tag, MPI_Comm c)
{ sent(dest, tag); return PMPI_Ssend(b, n, t, dest, tag, c); }
int MPI_Bsend(const void *b, int n, MPI_Datatype t, int dest, int tag, MPI_Comm c)
{ sent(dest, tag); return PMPI_Bsend(b, n, t, dest, tag, c); }
int MPI_Isend(const void *b, int n, MPI_Datatype t, int dest, int tag, MPI_Comm c, MPI_Request *r)
{ sent(dest, tag); return PMPI_Isend(b, n, t, dest, tag, c, r); }
int MPI_Issend(const void *b, int n, MPI_Datatype t, int dest, int tag, MPI_Comm c, MPI_Request *r)
{ sent(dest, tag); return PMPI_Issend(b, n, t, dest, tag, c, r); }
int MPI_Recv(void *b, int n, MPI_Datatype t, int src, int tag, MPI_Comm c, MPI_Status *st)
{
    MPI_Status own;
    int rc = PMPI_Recv(b, n, t, src, tag, c, st == MPI_STATUS_IGNORE ? &own : st);
    MPI_Status *s = st == MPI_STATUS_IGNORE ? &own : st;
    if (rc == MPI_SUCCESS && s->MPI_TAG == TAG_RESULT && s->MPI_SOURCE >= 0 && s->MPI_SOURCE < MAX_RANKS &&
        manager()) {
        answers++;
        in_flight[s->MPI_SOURCE]--;
    }
    return rc;
}
int MPI_Finalize(void)
{
    const char *out = getenv("CHECK_COUNT_OUT");
    if (manager() && out != NULL) {
        FILE *f = fopen(out, "w");
        if (f != NULL) {
            fprintf(f, "%d %d %d\n", most, sends, answers);
            fclose(f);
        }
    }
    return PMPI_Finalize();
}
C
mpicc -shared -fPIC -O1 -o "$CHECK_TMP/libcount.so" "$CHECK_TMP/count.c" 2>"$CHECK_TMP/cc.log" ||
    { cat "$CHECK_TMP/cc.log" >&2; fail "the checker's counting library does not build with mpicc"; }

# 2,000 tasks in chunks of 10 to one worker: 200 chunks, each answered.
"$here/mpi_run.sh" --np 2 --timeout 60 -- env LD_PRELOAD="$CHECK_TMP/libcount.so" \
    CHECK_COUNT_OUT="$CHECK_TMP/count.txt" "$CHECK_BUILD/chapter11/map_dynamic" \
    --tasks 2000 --chunks 10 --work 10 --repeat 1 >"$CHECK_TMP/out.txt" 2>&1 ||
    { tail -n 8 "$CHECK_TMP/out.txt" >&2; fail "map_dynamic on 2 ranks fails or gives other results than its serial run (its messages are above)"; }
grep -q "^results: all 2000 equal" "$CHECK_TMP/out.txt" || fail "map_dynamic did not say its 2000 results equal the serial run's"
[ -s "$CHECK_TMP/count.txt" ] || fail "the counting library saw no MPI_Finalize on rank 0"
read -r most sends answers <"$CHECK_TMP/count.txt"
{ [ "$sends" -eq 200 ] && [ "$answers" -eq 200 ]; } ||
    fail "the manager sent $sends chunks and received $answers answers by MPI_Recv: 200 of each for 2000 tasks in chunks of 10 (receive the answers with MPI_Recv, as manage() does)"
[ "$most" -ge 2 ] || fail "a worker never had more than $most chunk in flight: it still gets its next chunk only when its last one is back"
pass "200 chunks sent, 200 answers, the results the serial run's; a worker had up to $most chunks in flight at once"
