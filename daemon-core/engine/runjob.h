#pragma once

#include <QDateTime>
#include <QUuid>

#include "shared/health/healthcalculator.h"

namespace prophasis {

// One run the core asks an agent (or, later, the core itself) to make: a plugin of a check on a
// host. Everything else a run needs (address, pinned key, package hash, arguments, timeout) is
// looked up in the configuration snapshot current when the run is dispatched, so a job waiting
// in a queue never carries stale settings.
struct RunJob
{
    SeriesKey series;
    QDateTime slot;      // the scheduled time of the run (UTC); the request time for "check now"
    QDateTime queuedAt;  // when it entered its agent's queue; lateness = queuedAt - slot
    bool manual = false; // "check now": not counted as a scheduled slot
};

// What an agent's queue did with a job offered to it (SPEC §5, Scheduler).
enum class EnqueueOutcome
{
    Queued,
    AlreadyWaiting, // the same (host, check, plugin) waits already: not queued twice
    QueueFull,      // the agent's queue is at its bound: counted and logged as an overflow
    HostUnknown,    // the host is gone, disabled or not enrolled
    ShuttingDown,   // the dispatcher is draining for a stop and takes no new runs
};

} // namespace prophasis
