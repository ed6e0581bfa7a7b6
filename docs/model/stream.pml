/* SPIN model of slink stream mode (docs/PROTOCOL.md §3.6; src/record/stream.c):
 * selective repeat over chunk numbers modulo M with a window W, cumulative
 * ACK plus a SACK bitmap, loss and duplication on both directions,
 * retransmission with a bounded try count.  Each outstanding chunk's timer
 * may fire at any time, which covers §3.6's rule that every chunk sent at
 * least one RTO ago is due when the timer fires.  See docs/model/README.md.
 *
 * The wire carries 8-bit chunk numbers (M = 256, W <= 16).  The model uses
 * M = 8 and W = 3: the ambiguity argument only needs W < M/2 (a new chunk
 * d = (c - rcv_nxt) mod M < W and an old duplicate d >= M - W never
 * overlap), and N = 10 chunks wrap the numbers once.  Each
 * chunk also carries its true index as a ghost field, never read by the
 * protocol, only by the assertions.  Records, keys and sequence numbers are
 * abstracted away (§3.4 replay protection is below this layer); ACK
 * scheduling is "may send at any time"; flow control (wnd) is left out. */

#define M     8      /* chunk number modulus (256 on the wire) */
#define W     3      /* window, W < M/2; the sender's RTO branches are unrolled for W = 3 */
#define N     10     /* chunks the application sends */
#define MAXT  3      /* transmissions per chunk before RETRANSMIT_LIMIT (§3.6: 20 and 60 s) */
#define QN    2      /* line capacity per direction */

mtype = { CHUNK, ACK };
chan to_rcv = [QN] of { mtype, byte, byte };   /* CHUNK, c, ghost index */
chan to_snd = [QN] of { mtype, byte, byte };   /* ACK, cum, sack bits */

byte delivered;          /* chunks handed to the application, in order */
bit  failed;             /* sender gave up (RETRANSMIT_LIMIT) */
byte snd_una;            /* oldest unacknowledged chunk (absolute) */

inline lossy(ch, t, x, y) {
    if
    :: nfull(ch) -> ch!t, x, y;
       if
       :: nfull(ch) -> ch!t, x, y
       :: true
       fi
    :: true
    fi
}

inline rto(i) {
    if
    :: tries[i] < MAXT -> tries[i]++; lossy(to_rcv, CHUNK, (snd_una + i) % M, snd_una + i)
    :: tries[i] >= MAXT -> failed = 1
    fi
}

proctype sender()
{
    byte nxt;                 /* next new chunk (absolute) */
    byte tries[W];            /* per outstanding slot: transmissions so far */
    bit  sacked[W];           /* slot i is chunk snd_una + i */
    byte d, cum, sack, k;
    mtype t;

end_s:
    do
    /* new chunk: never more than W outstanding */
    :: atomic { !failed && nxt < N && nxt - snd_una < W ->
        tries[nxt - snd_una] = 1; sacked[nxt - snd_una] = 0;
        lossy(to_rcv, CHUNK, nxt % M, nxt);
        nxt++ }
    /* RTO of one outstanding, un-SACKed chunk (each has its own timer, which
     * may fire at any time): resend it in a new record, or give up */
    :: atomic { !failed && 0 < nxt - snd_una && !sacked[0] -> rto(0) }
    :: atomic { !failed && 1 < nxt - snd_una && !sacked[1] -> rto(1) }
    :: atomic { !failed && 2 < nxt - snd_una && !sacked[2] -> rto(2) }
    :: atomic { to_snd?t, cum, sack ->
        /* cum is read relative to snd_una; only a value within what was
         * sent moves it (older or duplicate ACKs do not) */
        d = (cum + M - snd_una % M) % M;
        if
        :: d <= nxt - snd_una ->
            snd_una = snd_una + d;
            /* shift the per-slot state down by d */
            k = 0;
            do
            :: k + d < W -> tries[k] = tries[k + d]; sacked[k] = sacked[k + d]; k++
            :: k + d >= W -> break
            od;
            do
            :: k < W -> tries[k] = 0; sacked[k] = 0; k++
            :: k >= W -> break
            od;
            /* SACK bit i: chunk cum + 1 + i held by the receiver */
            k = 0;
            do
            :: k + 1 < W ->
                if
                :: (sack >> k) & 1 && snd_una + 1 + k < nxt -> sacked[1 + k] = 1
                :: else -> skip
                fi;
                k++
            :: k + 1 >= W -> break
            od
        :: else -> skip
        fi }
    od
}

proctype receiver()
{
    byte nxt_r;               /* rcv_nxt (absolute, for the ghost checks) */
    bit  held[W];             /* slot i: chunk rcv_nxt + i buffered */
    byte gh[W];               /* ghost index of what is held */
    byte c, g, d, k, sack;
    bit  ack_due;             /* a chunk arrived since the last ACK */
    mtype t;

end_r:
    do
    :: atomic { to_rcv?t, c, g ->
        d = (c + M - nxt_r % M) % M;
        ack_due = 1;
        if
        :: d < W ->                              /* new (or already held) */
            assert(g == nxt_r + d);              /* never a wrong chunk */
            held[d] = 1; gh[d] = g;
            /* deliver in order */
            do
            :: held[0] ->
                assert(gh[0] == delivered);      /* exactly once, in order */
                delivered++; nxt_r++;
                k = 0;
                do
                :: k + 1 < W -> held[k] = held[k + 1]; gh[k] = gh[k + 1]; k++
                :: k + 1 >= W -> break
                od;
                held[W - 1] = 0; gh[W - 1] = 0
            :: !held[0] -> break
            od
        :: d >= M - W ->                         /* old duplicate: ACK again */
            assert(g < nxt_r)
        :: else -> skip                          /* outside the window: drop */
        fi }
    /* ACK after chunks arrived (delayed or immediate: any time after) */
    :: atomic { ack_due ->
        ack_due = 0;
        sack = 0; k = 0;
        do
        :: k + 1 < W -> if :: held[k + 1] -> sack = sack | (1 << k) :: else -> skip fi; k++
        :: k + 1 >= W -> break
        od;
        lossy(to_snd, ACK, nxt_r % M, sack) }
    od
}

init {
    atomic { run sender(); run receiver() }
}

/* Retransmission terminates: every run ends with all data delivered and
 * acknowledged, or with the sender giving up. */
ltl terminates { <> [] ((delivered == N && snd_una == N) || failed) }
