/* SPIN model of the slink handshake and session installation
 * (docs/PROTOCOL.md §4.1, §4.7, §4.8, §4.9, §7.1-7.3; src/handshake/handshake.c,
 * src/session/conn_hs.c).  Two nodes, both with role `auto` (§4.8): each may start
 * as initiator, so simultaneous open, tie-break, retransmission, duplicates
 * and loss are all explored together.  See docs/model/README.md.
 *
 * Abstractions: cryptography is perfect and symbolic.  A handshake attempt
 * is named by the initiator's ephemeral key id `a` (fresh per attempt) and
 * the responder's ephemeral key id `b` (fresh per msg1 it does ECDH work
 * for; protocol version 2 has no nonces, the ephemerals name the run); a
 * message "opens" (AEAD) only under the keys of the same (a, b), so a
 * stale/replayed message is dropped exactly where the code drops it with
 * HS_STALE / HS_DECRYPT.  Timers may fire at any moment (a superset of the
 * real timing).  The line loses or duplicates any message. */

#define NODES    2
#define MAXT     2    /* flight transmissions before HS_TIMEOUT (§4.7: 8) */
#define MAXATT   2    /* initiator attempts per node (restart after failure) */
#define MAXRESP  2    /* responder ECDH work per node (rate limit, §4.9) */
#define MAXDATA  1    /* application records each side sends per session */
#define QN       2    /* line capacity per direction */

#define IDLE   0
#define WAIT2  1
#define WAIT3  2
#define DONE   3
#define FAILED 4

mtype = { M1, M2, M3, DATA };
chan line[NODES] = [QN] of { mtype, byte, byte };   /* line[n]: towards node n */

byte hs[NODES];          /* handshake state (slink_hs.state) */
bit  isinit[NODES];      /* role of the current attempt */
bit  up[NODES];          /* session installed (conn ESTABLISHED, rec_valid) */
byte sa[NODES], sb[NODES];   /* the installed session's (a, b) */
byte epoch[NODES];       /* record epoch in use: 0 handshake, 2 application */
byte comp[NODES];        /* bit (a-1)*MAXRESP + (b-1): session completed here */
byte sent[NODES];        /* data records sent in the current session */
byte attempts[NODES], resp[NODES];
bit  gaveup[NODES];      /* initiator out of attempts and failed */
bit  unconf[NODES];      /* initiator: msg3 not yet confirmed by a record (§4.7) */

#define SBIT(a, b)  (1 << (((a) - 1) * MAXRESP + ((b) - 1)))
/* initiator with a session whose msg3 is still unconfirmed: its timer runs */
#define CONFIRMING(n) (isinit[n] && hs[n] == DONE && up[n] && unconf[n])

/* Lossy, duplicating line: the copy may be lost, delivered, or delivered
 * twice; a full line loses it. */
inline send(to, t, x, y) {
    if
    :: nfull(line[to]) -> line[to]!t, x, y;
       if
       :: nfull(line[to]) -> line[to]!t, x, y
       :: true
       fi
    :: true
    fi
}

/* Epochs only increase (§3.5). */
inline set_epoch(n, e) {
    assert(e >= epoch[n]);
    epoch[n] = e
}

inline install(n, a, b) {
    /* a handshake completes at most once per node: replayed or duplicated
     * messages never install a session again */
    assert((comp[n] & SBIT(a, b)) == 0);
    sa[n] = a; sb[n] = b; up[n] = 1; sent[n] = 0;
    comp[n] = comp[n] | SBIT(a, b);
    set_epoch(n, 2)
}

proctype node(byte me; byte other; byte myaddr; byte peeraddr)
{
    byte tries, a, b, x, y;
    mtype t;

end_idle:
    do
    /* connect / restart after failure (§4.10): a fresh ephemeral key id */
    :: atomic { (hs[me] == IDLE || hs[me] == FAILED) && attempts[me] < MAXATT && !up[me] ->
        attempts[me]++;
        a = me * MAXATT + attempts[me]; b = 0;
        isinit[me] = 1; hs[me] = WAIT2; tries = 1;
        send(other, M1, a, 0) }
    /* flight timers (§4.7): resend while tries are left, then HS_TIMEOUT */
    :: atomic { hs[me] == WAIT2 && tries < MAXT -> tries++; send(other, M1, a, 0) }
    :: atomic { hs[me] == WAIT3 && tries < MAXT -> tries++; send(other, M2, a, b) }
    :: atomic { (hs[me] == WAIT2 || hs[me] == WAIT3) && tries >= MAXT ->
        hs[me] = FAILED;
        gaveup[me] = (isinit[me] && attempts[me] >= MAXATT) }
    /* msg3 on its own timer until a record under the new keys confirms it;
     * a session never confirmed ends (HS_TIMEOUT), no half-open state */
    :: atomic { CONFIRMING(me) && tries < MAXT -> tries++; send(other, M3, sa[me], sb[me]) }
    :: atomic { CONFIRMING(me) && tries >= MAXT ->
        up[me] = 0; unconf[me] = 0; hs[me] = FAILED;
        gaveup[me] = (attempts[me] >= MAXATT) }
    /* application data under the session keys (§3.6, §4.6) */
    :: atomic { up[me] && sent[me] < MAXDATA -> sent[me]++; send(other, DATA, sa[me], sb[me]) }
    :: atomic { line[me]?t, x, y ->
        if
        :: t == M1 ->
            if
            :: hs[me] == WAIT2 && myaddr > peeraddr -> skip      /* §4.8 tie-break: stay initiator */
            :: !isinit[me] && (hs[me] == WAIT3 || hs[me] == DONE) && x == a ->
                if                                               /* duplicate msg1 (§4.7) */
                :: hs[me] == WAIT3 -> send(other, M2, a, b)      /* resend kept msg2, no new work */
                :: else -> skip                                  /* completed session's own msg1: HS_DUPLICATE, nothing resent */
                fi
            :: else ->
                if
                :: resp[me] < MAXRESP ->                         /* new msg1: ECDH work, answer */
                    resp[me]++;
                    a = x; b = resp[me]; isinit[me] = 0;
                    hs[me] = WAIT3; tries = 1;
                    send(other, M2, a, b)
                :: else -> skip                                  /* HS_RATE_LIMIT */
                fi
            fi
        :: t == M2 ->
            if
            :: hs[me] == WAIT2 && x == a ->                      /* our attempt: authenticate, finish */
                b = y; hs[me] = DONE;
                send(other, M3, a, b);
                install(me, a, b);                               /* initiator: keys after sending msg3 */
                unconf[me] = 1; tries = 1
            :: isinit[me] && hs[me] == DONE && x == a && y == b ->
                send(other, M3, a, b)                            /* msg2 retransmitted: msg3 lost, resend */
            :: else -> skip                                      /* HS_STALE / HS_DECRYPT */
            fi
        :: t == M3 ->
            if
            :: !isinit[me] && hs[me] == WAIT3 && x == a && y == b ->
                /* msg3 proves the initiator completed (a, b) */
                assert(comp[other] & SBIT(a, b));
                hs[me] = DONE;
                install(me, a, b);                               /* responder: keys after msg3 */
                send(other, DATA, a, b)                          /* ACK record: key confirmation */
            :: else -> skip                                      /* HS_STALE / HS_DECRYPT */
            fi
        :: t == DATA ->
            if
            :: up[me] && x == sa[me] && y == sb[me] ->
                /* accepted: both ends completed this handshake */
                assert(hs[me] == DONE || comp[me] & SBIT(x, y));
                assert(comp[me] & SBIT(x, y));
                assert(comp[other] & SBIT(x, y));
                assert(epoch[me] == 2);
                unconf[me] = 0                                   /* msg3 confirmed */
            :: else -> skip                                      /* no keys for it: REC_AUTH drop */
            fi
        fi }
    od
}

init {
    atomic {
        run node(0, 1, 1, 7);
        run node(1, 0, 7, 1)
    }
}

/* Retransmission terminates, no livelock (§4.7): every run reaches, and
 * stays in, a state where no handshake is waiting, no msg3 is waiting for
 * confirmation, and each node either has a session or has used all its
 * attempts. */
#define quiet(n) (hs[n] != WAIT2 && hs[n] != WAIT3 && !CONFIRMING(n) && (up[n] || attempts[n] == MAXATT))

/* Simultaneous open (§4.8) and restarts end in one session: once quiet, two
 * nodes that both hold a session hold the same one. */
#define agree (!(up[0] && up[1]) || (sa[0] == sa[1] && sb[0] == sb[1]))

ltl terminates { <> [] (quiet(0) && quiet(1) && agree) }
