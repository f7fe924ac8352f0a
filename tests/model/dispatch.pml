/*
 * A model of the core's scheduler and dispatcher (SPEC §5) for spin. See docs/RELIABILITY.md,
 * "Model of the scheduler and dispatcher", for what it checks, what it leaves out and how to run it.
 *
 * The core runs the scheduler and the dispatcher on one Qt event loop: one handler at a time.
 * The process CoreEventLoop stands for that loop; each of its branches is one handler, run
 * atomically as Qt runs it, and names the C++ function it models. The agents are other processes
 * (prophasis-agent on other machines); the clock is a process of its own.
 *
 * Time is counted in ticks. Until HORIZON time may pass at any moment (an event loop busy
 * elsewhere, a slow network), so runs can be late by any amount; the scheduler then stops
 * (SchedulerDriver::stop) and time passes only when nothing else can happen (spin's `timeout`),
 * so the dispatcher must finish every job it took on before TEND.
 *
 * Switches (spin -D...):
 *   MAXINFLIGHT=n          DispatcherLimits::maxInFlight (1: one hanging agent holds the only slot;
 *                          2: the per-agent rule is not hidden behind the global bound)
 *   QMAX=n                 DispatcherLimits::maxQueuePerAgent (1: queues run full; 2: pump's round
 *                          robin sends an agent with more waiting to the back of the line)
 *   BROKEN_NO_TIMEOUT      drops AgentClient::onTimer: a job on a hanging agent never ends
 *   BROKEN_TWO_AT_ONCE     Dispatcher::enqueue, markReady and pump forget queue.current: an
 *                          agent's next job may start while one runs
 *   BROKEN_SKIP_UNCOUNTED  Scheduler::handleDue forgets to count the older slots it passes over
 *   BROKEN_DRIVER_STALLS   SchedulerDriver stops re-arming its timer after a while (the original
 *                          Prophasis stalled its scheduler like this)
 */

#ifndef MAXINFLIGHT
#define MAXINFLIGHT 1
#endif
#ifndef HORIZON
#define HORIZON 4 /* the scheduler stops at this tick */
#endif

#define NA 2        /* agents: agent 0 may hang, agent 1 always answers (maybe late) */
#define NS 3        /* series (host, check, plugin) */
#ifndef QMAX
#define QMAX 1 /* DispatcherLimits::maxQueuePerAgent */
#endif
#define MAXLATE 1   /* SchedulerOptions::maxLateness */
#define DEADLINE 2  /* a job's total deadline: plugin timeout + DispatcherLimits::deadlineMargin */
#define MAXMANUAL 1 /* "check now" requests (Scheduler::runNow) */
#define TEND (HORIZON + 12)
#define NONE 255

/* Outcomes of Dispatcher::enqueue (EnqueueOutcome). */
#define QUEUED 0
#define ALREADY_WAITING 1
#define QUEUE_FULL 2

/* The configuration: series s runs on agent agentOf[s] at offset[s] + k × period[s]. */
byte agentOf[NS];
byte period[NS];
byte offset[NS];

byte tick = 0;
bool schedulerDone = false; /* SchedulerDriver::stop() was called */
bool clockDone = false;

/* Scheduler::Series::nextMs */
byte nextSlot[NS];

/* Ground truth, kept by the clock and not by the code under test: slots in [0, HORIZON]. */
byte dueTruth[NS];

/* Scheduler's counters (SchedulerCounters), per series for the regular runs. */
byte scheduled[NS];
byte skippedLate[NS];
byte queuedReg[NS];
byte alreadyWaiting[NS];
byte queueFull[NS];
byte manualOffered = 0;
byte manualQueued = 0;

/* Results delivered (Dispatcher::resultReady), regular and manual, and how many were timeouts. */
byte resultsReg[NS];
byte resultsMan[NS];
byte timeouts[NS];

/* Dispatcher::AgentQueue: jobs (series and manual flag), current job, and the m_ready deque. */
byte qlen[NA];
byte qSeries[NA * QMAX];
bool qManual[NA * QMAX];
byte curSeries[NA];
bool curManual[NA];
bool ready[NA];
byte readyList[NA];
byte readyLen = 0;
bool pumpPosted = false;
byte inFlight = 0;

/* AgentClient: the request it waits for (0: none; the m_callback of send()) and its deadline. */
byte openReq[NA];
byte reqCount[NA];
byte deadline[NA];

/* The agents' side: the newest request that reached the agent, the last one it took, the one it
 * works on (0: none), whether it hangs on it, its answer. */
byte agReq[NA];
byte agSeen[NA];
byte agWorking[NA];
bool agHung[NA];
byte repId[NA];
bool repPending[NA];

/* ---- daemon-core/scheduler/slotmath.cpp (one SlotTiming per series, host offset offset[s]) -- */

/* firstSlotAtOrAfter(timing, offsetMs, t) */
inline firstSlotAtOrAfter(s, t, out)
{
    if
    :: t <= offset[s] -> out = offset[s]
    :: else -> out = offset[s] + ((t - offset[s] + period[s] - 1) / period[s]) * period[s]
    fi
}

/* lastSlotAtOrBefore(timing, offsetMs, t); -1 for NoEarlierSlot */
inline lastSlotAtOrBefore(s, t, out)
{
    if
    :: t < offset[s] -> out = -1
    :: else -> out = offset[s] + ((t - offset[s]) / period[s]) * period[s]
    fi
}

/* slotsBetween(timing, offsetMs, from, to): slots in [from, to) */
inline slotsBetween(s, from, to, out)
{
    if
    :: to <= from -> out = 0
    :: else ->
        firstSlotAtOrAfter(s, from, f);
        if
        :: f >= to -> out = 0
        :: else -> out = (to - 1 - f) / period[s] + 1
        fi
    fi
}

/* ---- daemon-core/dispatch/dispatcher.cpp, agentclient.cpp, agentjob.cpp --------------------- */

/* Dispatcher::markReady + schedulePump */
inline markReady(a)
{
    if
#ifdef BROKEN_TWO_AT_ONCE
    :: ready[a] || qlen[a] == 0 -> skip
#else
    :: ready[a] || qlen[a] == 0 || curSeries[a] != NONE -> skip
#endif
    :: else ->
        assert(readyLen < NA);
        ready[a] = true;
        readyList[readyLen] = a;
        readyLen++;
        pumpPosted = true
    fi
}

/* Dispatcher::enqueue (an agent's plugin: the host is dispatchable in this configuration) */
inline enqueue(s, manual, outcome)
{
    a = agentOf[s];
    /* queue.waiting.contains(job.series) */
    outcome = QUEUED;
    i = 0;
    do
    :: i < qlen[a] ->
        if
        :: qSeries[a * QMAX + i] == s -> outcome = ALREADY_WAITING
        :: else -> skip
        fi;
        i++
    :: else -> break
    od;
    if
    :: outcome == ALREADY_WAITING -> skip
    :: qlen[a] >= QMAX -> outcome = QUEUE_FULL
    :: else ->
        qSeries[a * QMAX + qlen[a]] = s;
        qManual[a * QMAX + qlen[a]] = manual;
        qlen[a]++;
#ifdef BROKEN_TWO_AT_ONCE
        markReady(a)
#else
        if
        :: curSeries[a] == NONE -> markReady(a)
        :: else -> skip
        fi
#endif
    fi
}

/* agentclient.cpp: AgentClient::send: the request goes out on the agent's connection, armed
 * with its deadline. The code answers a second request while one runs with an internal error;
 * the dispatcher must never make it. */
inline send(a)
{
    assert(openReq[a] == 0); /* one job at a time per agent */
    reqCount[a] = reqCount[a] % 3 + 1; /* only the newest request and one before it matter */
    openReq[a] = reqCount[a];
    deadline[a] = tick + DEADLINE;
    agReq[a] = reqCount[a]
}

/* Dispatcher::startJob + agentjob.cpp: AgentJob::start (the configuration is fixed: resolve()
 * gives Run) */
inline startJob(a, s, manual)
{
    inFlight++;
    curSeries[a] = s;
    curManual[a] = manual;
    send(a)
}

/* Dispatcher::pump: hands free in-flight slots to waiting agents in turn (round robin). */
inline pump()
{
    pumpPosted = false;
    do
    :: inFlight < MAXINFLIGHT && readyLen > 0 ->
        a = readyList[0];
        i = 0;
        do
        :: i + 1 < readyLen -> readyList[i] = readyList[i + 1]; i++
        :: else -> break
        od;
        readyLen--;
        ready[a] = false;
        if
#ifdef BROKEN_TWO_AT_ONCE
        :: qlen[a] == 0 -> skip
#else
        :: curSeries[a] != NONE || qlen[a] == 0 -> skip
#endif
        :: else ->
            s = qSeries[a * QMAX];
            m = qManual[a * QMAX];
            i = 0;
            do
            :: i + 1 < qlen[a] ->
                qSeries[a * QMAX + i] = qSeries[a * QMAX + i + 1];
                qManual[a * QMAX + i] = qManual[a * QMAX + i + 1];
                i++
            :: else -> break
            od;
            qlen[a]--;
            startJob(a, s, m);
            markReady(a)
        fi
    :: else -> break
    od
}

/* Dispatcher::onJobFinished + emitResult: the job's result (a success or a timeout) is
 * delivered, the agent's next job may start, the freed slot is handed on at once. */
inline onJobFinished(a, timedOut)
{
    s = curSeries[a];
    if
    :: curManual[a] -> resultsMan[s]++
    :: else -> resultsReg[s]++
    fi;
    if
    :: timedOut -> timeouts[s]++
    :: else -> skip
    fi;
    openReq[a] = 0;
    curSeries[a] = NONE;
    inFlight--;
    markReady(a);
    if
    :: readyLen > 0 -> pump()
    :: else -> skip
    fi
}

/* ---- daemon-core/scheduler/scheduler.cpp, schedulerdriver.cpp ------------------------------ */

/* Scheduler::offer: the answer of the sink (Dispatcher::enqueue) is counted. */
inline offerRegular(s)
{
    enqueue(s, false, outcome);
    if
    :: outcome == QUEUED -> queuedReg[s]++
    :: outcome == ALREADY_WAITING -> alreadyWaiting[s]++
    :: outcome == QUEUE_FULL -> queueFull[s]++
    fi
}

/* Scheduler::handleDue: the newest due slot runs if it is within the maximum lateness; older
 * due slots are skipped and counted; when even the newest is too late, all are skipped. */
inline handleDue(s)
{
    slot = nextSlot[s];
    lastSlotAtOrBefore(s, tick, latest);
    if
    :: latest < slot -> latest = slot
    :: else -> skip
    fi;
    if
    :: tick - latest > MAXLATE ->
        slotsBetween(s, slot, tick + 1, k);
        if
        :: k < 1 -> k = 1
        :: else -> skip
        fi;
        scheduled[s] = scheduled[s] + k;
        skippedLate[s] = skippedLate[s] + k;
        firstSlotAtOrAfter(s, tick + 1, nextSlot[s])
    :: else ->
        if
        :: latest > slot ->
            slotsBetween(s, slot, latest, k);
#ifndef BROKEN_SKIP_UNCOUNTED
            scheduled[s] = scheduled[s] + k;
            skippedLate[s] = skippedLate[s] + k
#endif
        :: else -> skip
        fi;
        scheduled[s]++;
        firstSlotAtOrAfter(s, latest + 1, nextSlot[s]);
        offerRegular(s)
    fi;
    assert(nextSlot[s] > tick) /* runDue handles each series once per call: no burst */
}

/* Scheduler::runDue: everything due now, earliest due time first, the index breaking ties
 * (the min-heap m_heap). */
inline runDue()
{
    do
    :: true ->
        best = NONE;
        j = 0;
        do
        :: j < NS ->
            if
            :: nextSlot[j] <= tick && (best == NONE || nextSlot[j] < nextSlot[best]) -> best = j
            :: else -> skip
            fi;
            j++
        :: else -> break
        od;
        if
        :: best == NONE -> break
        :: else -> handleDue(best)
        fi
    od
}

#define dueNow (nextSlot[0] <= tick || nextSlot[1] <= tick || nextSlot[2] <= tick)

/* agentclient.cpp: AgentClient::onTimer (Phase::Waiting): the deadline passed without an
 * answer; the socket is dropped (a late answer on it is never read) and the job fails with a
 * timeout. */
#ifdef BROKEN_NO_TIMEOUT
#define TIMER_BRANCH(A) :: false -> skip
#else
#define TIMER_BRANCH(A)                                                                        \
    :: d_step { curSeries[A] != NONE && openReq[A] != 0 && tick >= deadline[A] ->              \
        onJobFinished(A, true);                                                                \
        clearScratch()                                                                         \
    }
#endif

/* agentclient.cpp: AgentClient::onReadyRead → complete → agentjob.cpp: AgentJob::finishWithRun:
 * an answer on the live connection finishes the job; one for a request already timed out came on
 * a dropped socket and is never read. */
#define REPLY_BRANCH(A)                                                                        \
    :: d_step { repPending[A] ->                                                               \
        repPending[A] = false;                                                                 \
        if                                                                                     \
        :: openReq[A] != 0 && repId[A] == openReq[A] -> onJobFinished(A, false)                \
        :: else -> skip                                                                        \
        fi;                                                                                    \
        clearScratch()                                                                         \
    }

/* Handlers' locals hold nothing between two handlers; cleared so they do not split states. */
inline clearScratch()
{
    a = 0; i = 0; j = 0; s = 0; best = 0; outcome = 0; slot = 0; m = false; latest = 0; k = 0; f = 0
}

/* The core's event loop (QCoreApplication::exec in prophasis-core run): one handler at a time. */
proctype CoreEventLoop()
{
    byte a, i, j, s, best, outcome, slot;
    bool m;
    int latest, k, f;

end:
    do
    /* schedulerdriver.cpp: SchedulerDriver::fire → scheduler.cpp: Scheduler::runDue */
#ifdef BROKEN_DRIVER_STALLS
    :: d_step { !schedulerDone && dueNow && tick < HORIZON - 1 -> runDue(); clearScratch() }
#else
    :: d_step { !schedulerDone && dueNow -> runDue(); clearScratch() }
#endif
    /* schedulerdriver.cpp: SchedulerDriver::stop (the core stops; nothing due at this tick) */
    :: atomic { !schedulerDone && tick == HORIZON && !dueNow -> schedulerDone = true }
    /* Scheduler::runNow ("check now" from the API) on series 1, offered as a manual job */
    :: d_step { !schedulerDone && manualOffered < MAXMANUAL ->
        manualOffered++;
        enqueue(1, true, outcome);
        if
        :: outcome == QUEUED -> manualQueued++
        :: else -> skip
        fi;
        clearScratch()
    }
    /* Dispatcher::pump, posted by schedulePump */
    :: d_step { pumpPosted -> pump(); clearScratch() }
    TIMER_BRANCH(0)
    TIMER_BRANCH(1)
    REPLY_BRANCH(0)
    REPLY_BRANCH(1)
    od
}

/* prophasis-agent on host A (daemon-agent/app/agentapi.cpp, the run route; daemon-agent/runner):
 * takes the newest request that reached it (an older one's connection was dropped by the core)
 * and answers it at some moment; agent 0 may instead hang on a request forever (accepts the
 * connection, never answers). The real agent would run the older request on as well
 * (PluginExecutor runs several at once): see docs/RELIABILITY.md. */
proctype Agent(byte A)
{
end:
    do
    :: atomic { agReq[A] != agSeen[A] && !repPending[A] ->
        agSeen[A] = agReq[A];
        agWorking[A] = agReq[A];
        agHung[A] = false;
        if
        :: A == 0 -> agHung[A] = true
        :: true -> skip
        fi
    }
    :: atomic { agWorking[A] != 0 && !agHung[A] && !repPending[A] && agReq[A] == agWorking[A] ->
        repId[A] = agWorking[A];
        repPending[A] = true;
        agWorking[A] = 0
    }
    od
}

/* Counts the slots that fall at tick t (the ground truth, independent of slotmath). */
inline countDue()
{
    c = 0;
    do
    :: c < NS ->
        if
        :: tick <= HORIZON && tick >= offset[c] && (tick - offset[c]) % period[c] == 0 -> dueTruth[c]++
        :: else -> skip
        fi;
        c++
    :: else -> break
    od
}

proctype Clock()
{
    byte c;
end:
    do
    /* Until the scheduler stops, time may pass at any moment. */
    :: atomic { tick < HORIZON -> tick++; countDue() }
    /* Then only when the core has nothing to do before the next deadline. */
    :: atomic { timeout && schedulerDone && tick < TEND -> tick++ }
    :: atomic { tick == TEND -> clockDone = true; break }
    od
}

/* True when everything the scheduler handed on has ended. */
#define quiet                                                                                  \
    (schedulerDone && qlen[0] == 0 && qlen[1] == 0 && curSeries[0] == NONE && curSeries[1] == NONE)

/* Agent 1 has a job waiting or running (for the LTL property below). */
#define agent1Busy (qlen[1] > 0 || curSeries[1] != NONE)

/* A hanging agent 0 cannot keep agent 1's jobs from ending. */
ltl others_served { [] (agent1Busy -> <> !agent1Busy) }

init
{
    byte s, c;

    atomic {
        /* s0 on agent 0 every 2 ticks; s1 on agent 1 every 2 ticks at offset 1; s2 on agent 1
         * every 3 ticks: agent 1 has two series, so its queue can be full. */
        agentOf[0] = 0; period[0] = 2; offset[0] = 0;
        agentOf[1] = 1; period[1] = 2; offset[1] = 1;
        agentOf[2] = 1; period[2] = 3; offset[2] = 0;
        curSeries[0] = NONE;
        curSeries[1] = NONE;
        /* Scheduler::setConfiguration, the first call (resumeSlot): now is tick 0, nothing earlier. */
        s = 0;
        do
        :: s < NS -> nextSlot[s] = offset[s]; s++
        :: else -> break
        od;
        countDue();
        run CoreEventLoop();
        run Agent(0);
        run Agent(1);
        run Clock()
    }

    (quiet || clockDone);

    atomic {
        /* Every job the dispatcher took on ended in a result, the hanging agent's too. */
        assert(quiet);
        assert(inFlight == 0);
        s = 0;
        do
        :: s < NS ->
            /* The scheduler's own count of due slots matches the ground truth... */
            assert(scheduled[s] == dueTruth[s]);
            /* ...and every due slot was executed or counted (skipped late, already waiting,
             * queue full): scheduled = skippedLate + regular offers. */
            assert(dueTruth[s] == resultsReg[s] + skippedLate[s] + alreadyWaiting[s] + queueFull[s]);
            assert(queuedReg[s] == resultsReg[s]);
            s++
        :: else -> break
        od;
        assert(manualQueued == resultsMan[1])
    }
}
