/* SPIN model of the handshake driver's liveness under an active attacker
 * (docs/PROTOCOL.md §4.11, invariants I1-I4; src/session/conn_hs.c conn_hs_table
 * and its msg1 gate; §3.8 probe).  See docs/model/README.md.
 *
 * Two nodes, each with the driver's two attempt slots: the responder slot
 * (answers msg1, reads msg3) and the initiator slot (sends msg1, reads
 * msg2).  Roles are set at compile time: ROLE0/ROLE1 (default: node 0 at
 * address 1 initiator, node 1 at address 7 responder; -DAUTO makes both
 * `auto`).
 *
 * The attacker owns the line for ATT_MAX actions: it injects forged msg1
 * (its own key), msg2 that opens but cannot authenticate (it knows the
 * initiator's public key), msg3 under its own keys, no_session hints and
 * fatal plaintext alerts, to either node, and it drops messages.  While it
 * acts, the line also duplicates and timers may fire at any moment.  Then
 * it stops for good: from there on the line is reliable and a timer fires
 * only when nothing is in flight (Promela `timeout`), which is what the
 * real timers give when they are longer than a round trip (§4.7).
 *
 * One timing fact is kept: the responder's short timers, its protection
 * window (one flight time) and its msg1 budget interval (1 s), end before
 * the initiator's whole retry schedule does (8 flight times with doubling,
 * about 100 s at 115200), so an initiator gives up only once both ends'
 * protection windows are over and the peer's budget is back.
 *
 * Cryptography is symbolic: an attempt is named by the initiator key id a
 * and the responder key id b; ATT is the attacker's key id, which no node
 * ever holds as its own.  A message opens only under the same (a, b); a
 * msg2 or msg3 made with ATT opens (the attacker picked the ephemeral) but
 * fails authentication (it cannot sign as a configured identity).
 *
 * Checked (LTL `live`, under weak fairness): once the attacker has
 * stopped, both nodes end up, and stay, established in one and the same
 * session.  Assertions: a confirmed session is left only for a session
 * that authenticated (I1), msg1 never touches the initiator slot (I4), and
 * an attempt is never ended by a message that did not authenticate except
 * as the driver's timers decide (I4). */

#define ATT      15
#define ATT_MAX  3    /* attacker actions (injections and drops) */
#define MAXT     2    /* flight transmissions before HS_TIMEOUT (§4.7: 8) */
#define MAXATT   6    /* initiator attempts per node (ATT_MAX + 3: enough that the bound never decides) */
#define MAXRESP  6    /* responder key ids per node (fresh ephemerals) */
#define PROBES   2    /* unanswered probes before a new attempt (§3.8: 3) */
#define MAXDATA  1    /* application records per session per side */
#define QN       5    /* line capacity per direction */

#define RINIT 1
#define RRESP 2
#define RAUTO 3
#ifdef AUTO
#define ROLE0 RAUTO
#define ROLE1 RAUTO
#else
#define ROLE0 RINIT
#define ROLE1 RRESP
#endif

/* slot phases (conn_hs_phase) */
#define IDLE    0
#define WAIT    1
#define CONFIRM 2
#define DONE    3

mtype = { M1, M2, M3, REC, PROBE, NOSESS, FALERT };
chan line[2] = [QN] of { mtype, byte, byte };   /* line[n]: towards node n */

bit  over;               /* the attacker has stopped */
byte att;                /* attacker actions used */

byte ist[2], ia[2], ib[2], itries[2];   /* initiator slot */
bit  irefused[2];                       /* a msg2 that opened was refused */
byte rst[2], ra[2], rb[2];              /* responder slot */
bit  rprot[2];                          /* within its protection window */
bit  up[2];              /* session installed */
bit  conf[2];            /* ... and confirmed (responder: at once) */
byte sa[2], sb[2];       /* the session's (a, b) */
byte sent[2];            /* data records sent in this session */
byte probe[2];           /* probes sent and unanswered (0: none) */
byte hints[2];           /* no_session hints answered by msg3 */
bit  restart[2];         /* restart timer armed */
bit  lost[2];            /* our attempt runs because the session looked lost */
byte attempts[2], resp[2];
byte tok[2];             /* msg1 budget (SLINK_HS_BURST = 2) */

#define ROLE(n) ((n) == 0 -> ROLE0 : ROLE1)
#define ADDR(n) ((n) == 0 -> 1 : 7)

/* Everything the attacker does costs one of its ATT_MAX actions: an
 * injection, a drop, a duplicate (a replay of a genuine message), and a
 * timer it makes fire early by delaying the answer. */
#ifdef INJECT_ONLY
/* I1 run: the attacker only injects; it neither drops, replays nor delays
 * (the line is reliable and timers fire only when nothing is in flight). */
#define EARLY false
#else
#define EARLY (!over && att < ATT_MAX)
#endif

/* The line may duplicate while the attacker acts (an action); afterwards
 * it delivers every message exactly once.  A full line makes the sender
 * wait (its output queue), as a UART's does. */
inline send(to, t, x, y) {
    line[to]!t, x, y;
    if
    :: EARLY && nfull(line[to]) -> att++; line[to]!t, x, y
    :: true
    fi
}

/* A timer fires when nothing is in flight anywhere (its timeout is longer
 * than a round trip), or early as an attacker action. */
#define TIMER (EARLY || timeout)
#define SPEND if :: EARLY -> att++ :: else -> skip fi

/* I1: once both ends hold one confirmed session, injected frames alone
 * (INJECT_ONLY) never make either end install another. */
bit settled;
#define AGREE_CONF (up[0] && up[1] && conf[0] && conf[1] && sa[0] == sa[1] && sb[0] == sb[1])

inline install(n, a, b, confirmed) {
#ifdef INJECT_ONLY
    assert(!settled);
#endif
    up[n] = 1; conf[n] = confirmed; sa[n] = a; sb[n] = b; sent[n] = 0;
    probe[n] = 0; hints[n] = 0; restart[n] = 0
}

inline start_attempt(n) {
    lost[n] = 0;
    attempts[n]++;
    ia[n] = n * MAXATT + attempts[n]; ib[n] = 0;
    ist[n] = WAIT; itries[n] = 1; irefused[n] = 0; restart[n] = 0;
    send(1 - n, M1, ia[n], 0)
}

proctype node(byte me)
{
    byte x, y;
    mtype t;

end_idle:
    do
    /* ---- timers ---- */
    /* connect at start (no timer), restart after a failure (timer) */
    :: atomic { ROLE(me) != RRESP && restart[me] && (!up[me] || lost[me]) && ist[me] != WAIT &&
                attempts[me] < MAXATT && (attempts[me] == 0 || TIMER) ->
        if :: attempts[me] > 0 -> SPEND :: else -> skip fi;
        if :: up[me] -> start_attempt(me); lost[me] = 1 :: else -> start_attempt(me) fi }
    :: atomic { ist[me] == WAIT && TIMER &&
                (irefused[me] || itries[me] < MAXT ||
                 (!rprot[1 - me] && !rprot[me] && tok[1 - me] == 2)) -> SPEND;
        if
        :: irefused[me] -> ist[me] = IDLE; restart[me] = !up[me] || lost[me]   /* fail with the refusal */
        :: !irefused[me] && itries[me] < MAXT -> itries[me]++; send(1 - me, M1, ia[me], 0)
        :: !irefused[me] && itries[me] >= MAXT -> ist[me] = IDLE; restart[me] = !up[me] || lost[me]
        fi }
    :: atomic { ist[me] == CONFIRM && TIMER -> SPEND;
        if
        :: itries[me] < MAXT -> itries[me]++; send(1 - me, M3, ia[me], ib[me])
        :: itries[me] >= MAXT -> ist[me] = IDLE; up[me] = 0; conf[me] = 0; restart[me] = 1
        fi }
    :: atomic { rst[me] == WAIT && TIMER -> SPEND;
        if
        :: rprot[me] -> rprot[me] = 0                 /* protection window over */
        :: !rprot[me] -> rst[me] = IDLE               /* forget the attempt */
        fi }
    :: atomic { probe[me] > 0 && up[me] && TIMER -> SPEND;
        if
        :: probe[me] < PROBES -> probe[me]++; send(1 - me, PROBE, sa[me], sb[me])
        :: probe[me] >= PROBES ->
            probe[me] = 0;
            if   /* the session is taken for lost: a new attempt beside it */
            :: ist[me] != WAIT && attempts[me] < MAXATT -> start_attempt(me); lost[me] = 1
            :: else -> skip
            fi
        fi }
    :: atomic { tok[me] < 2 && TIMER -> SPEND; tok[me]++ }
    /* ---- application data under the session keys ---- */
    :: atomic { up[me] && sent[me] < MAXDATA -> sent[me]++; send(1 - me, REC, sa[me], sb[me]) }
    /* ---- input ---- */
    :: atomic { line[me]?t, x, y ->
        if
        :: t == M1 ->
            if   /* the msg1 gate, in its order; never the initiator slot (I4) */
            :: ist[me] == WAIT && x == ia[me] -> skip                       /* reflection */
            :: rst[me] == WAIT && x == ra[me] -> send(1 - me, M2, ra[me], rb[me])   /* duplicate */
            :: rst[me] == DONE && x == ra[me] -> skip                       /* stale */
            :: else ->
                if
                :: ist[me] == WAIT && !(ROLE(me) == RAUTO && ADDR(me) < ADDR(1 - me)) -> skip  /* tie-break */
                :: else ->
                    if
                    :: rst[me] == WAIT && rprot[me] -> skip                  /* protected */
                    :: else ->
                        if
                        :: tok[me] > 0 && resp[me] < MAXRESP ->
                            tok[me]--; resp[me]++;
                            ra[me] = x; rb[me] = (me + 1) * 16 + resp[me];
                            rst[me] = WAIT; rprot[me] = 1;
                            send(1 - me, M2, ra[me], rb[me])
                        :: else -> skip                                      /* budget */
                        fi
                    fi
                fi
            fi
        :: t == M2 ->
            if
            :: ist[me] == WAIT && x == ia[me] && y == ATT -> irefused[me] = 1   /* opens, refused */
            :: ist[me] == WAIT && x == ia[me] && y != ATT ->
                ib[me] = y; ist[me] = CONFIRM; itries[me] = 1;
                send(1 - me, M3, ia[me], ib[me]);      /* msg3 before any record */
                if   /* a confirmed session is left only for one that authenticated (I1) */
                :: up[me] && conf[me] -> assert(x != ATT && y != ATT)
                :: else -> skip
                fi;
                install(me, ia[me], ib[me], 0);
                rst[me] = IDLE                        /* the other slot's attempt ends */
            :: ist[me] == CONFIRM && x == ia[me] && y == ib[me] -> send(1 - me, M3, x, y)
            :: else -> skip
            fi
        :: t == M3 ->
            if
            :: rst[me] == WAIT && x == ra[me] && y == rb[me] && x == ATT ->
                rst[me] = IDLE                        /* the forger's own attempt fails */
            :: rst[me] == WAIT && x == ra[me] && y == rb[me] && x != ATT ->
                rst[me] = DONE;
                install(me, x, y, 1);
                send(1 - me, REC, x, y);             /* ACK: key confirmation */
                if
                :: ist[me] == WAIT || ist[me] == CONFIRM -> ist[me] = IDLE
                :: else -> skip
                fi
            :: else -> skip
            fi
        :: t == REC || t == PROBE ->
            if
            :: up[me] && x == sa[me] && y == sb[me] ->
                if
                :: ist[me] == CONFIRM && x == ia[me] -> ist[me] = DONE
                :: ist[me] == WAIT && lost[me] -> ist[me] = IDLE   /* the session is alive */
                :: else -> skip
                fi;
                conf[me] = 1; probe[me] = 0; lost[me] = 0;
                if
                :: t == PROBE -> send(1 - me, REC, x, y)   /* ACK at once */
                :: else -> skip
                fi
            :: else ->
                if   /* no keys for it: no_session, rate-limited (may be skipped) */
                :: !up[me] -> send(1 - me, NOSESS, 0, 0)
                :: true
                fi
            fi
        :: t == NOSESS ->
            if
            :: ROLE(me) == RRESP || !up[me] -> skip
            :: ROLE(me) != RRESP && up[me] && !conf[me] && ist[me] == CONFIRM && hints[me] < 2 ->
                hints[me]++; send(1 - me, M3, ia[me], ib[me])
            :: ROLE(me) != RRESP && up[me] && !conf[me] && ist[me] == CONFIRM && hints[me] >= 2 &&
               attempts[me] < MAXATT ->
                start_attempt(me); lost[me] = 1
            :: ROLE(me) != RRESP && up[me] && conf[me] && probe[me] == 0 ->
                probe[me] = 1; send(1 - me, PROBE, sa[me], sb[me])
            :: else -> skip
            fi
        :: t == FALERT ->
            if   /* only an unconfirmed session may be ended by it */
            :: up[me] && !conf[me] && ist[me] == CONFIRM ->
                up[me] = 0; ist[me] = IDLE; restart[me] = 1
            :: else -> skip
            fi
        fi }
    od
}

/* The attacker: ATT_MAX actions, then it stops for good. */
active proctype attacker()
{
    byte n;
    do
    :: att < ATT_MAX ->
        atomic {
            att++;
            if :: n = 0 :: n = 1 fi;
            if
            :: nfull(line[n]) -> line[n]!M1, ATT, 0
            :: nfull(line[n]) -> line[n]!M2, ia[n], ATT
            :: nfull(line[n]) -> line[n]!M3, ATT, rb[n]
            :: nfull(line[n]) -> line[n]!NOSESS, 0, 0
            :: nfull(line[n]) -> line[n]!FALERT, 0, 0
    #ifndef INJECT_ONLY
        :: nempty(line[n]) -> line[n]?_, _, _      /* drop one */
#endif
            :: true -> skip
            fi
        }
    :: att >= ATT_MAX -> break
    od;
    over = 1
}

init {
    atomic {
        tok[0] = 2; tok[1] = 2;
        restart[0] = (ROLE0 != RRESP);
        restart[1] = (ROLE1 != RRESP);
        run node(0);
        run node(1)
    }
}

#define agree (up[0] && up[1] && sa[0] == sa[1] && sb[0] == sb[1])

/* A timer that can still fire, or a message in flight: not quiet yet. */
#define pending(n) (ist[n] == WAIT || ist[n] == CONFIRM || rst[n] == WAIT || probe[n] > 0 || \
                    (restart[n] && (!up[n] || lost[n]) && attempts[n] < MAXATT) || tok[n] < 2)

/* I2 as a safety check: whenever the system is quiet (nothing in flight,
 * no timer left to fire) after the attacker stopped, both ends are
 * established in one session.  Also records when I1's settled state is
 * reached. */
active proctype monitor()
{
end_mon:
    do
    :: atomic { timeout && !pending(0) && !pending(1) && empty(line[0]) && empty(line[1]) ->
        assert(!over || agree) }
    :: atomic { !settled && AGREE_CONF -> settled = 1 }
    od
}

/* I2: once the attacker stops, both ends are established in one session,
 * and stay so. */
ltl live { <> [] (over -> agree) }
