#pragma once

#include <QDateTime>

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>

#include "daemon-core/engine/runjob.h"

namespace prophasis {

// The named limits of the scheduler (SPEC §5), set in one place.
struct SchedulerOptions
{
    // A run queued later than this after its slot is skipped, and a restart replays no slot older.
    std::chrono::milliseconds maxLateness{10'000};
    // Hosts are spread over the period, but over at most this, so daily and weekly checks still run
    // near the time they were set for.
    std::chrono::milliseconds maxSpread{std::chrono::hours(1)};
    // Repeated reports of the same trouble (one series running late, one agent's queue full) are
    // folded into one per this window, with a count.
    std::chrono::milliseconds reportFoldWindow{std::chrono::minutes(1)};
};

// Hands a due job to its agent's queue; answers what the queue did with it.
using EnqueueSink = std::function<EnqueueOutcome(const RunJob &job)>;

// The scheduler's notion of now (UTC); tests inject their own.
using SchedulerClock = std::function<QDateTime()>;

// QDateTime::currentDateTimeUtc.
SchedulerClock systemClock();

// Totals since start, for /metrics. Every regular slot that came due is either offered to the
// sink or skipped late: scheduled = skippedLate + regular offers. The answers count regular and
// manual offers alike.
struct SchedulerCounters
{
    quint64 scheduled = 0;      // regular slots that came due
    quint64 manual = 0;         // "check now" runs offered
    quint64 skippedLate = 0;    // slots skipped for lateness (and slots passed over in a pause)
    quint64 queued = 0;         // answered Queued
    quint64 alreadyWaiting = 0; // answered AlreadyWaiting
    quint64 queueFull = 0;      // answered QueueFull
    quint64 hostUnknown = 0;    // answered HostUnknown
    quint64 shuttingDown = 0;   // answered ShuttingDown (offered while the core stops)
    // How late regular runs were queued after their slot, for /metrics: counts per bucket
    // (runs at most LatenessBucketsMs[i] late; the last bucket takes the rest), their sum.
    static constexpr std::array<qint64, 10> LatenessBucketsMs{5,   10,  25,    50,    100,
                                                              250, 500, 1'000, 5'000, 30'000};
    std::array<quint64, LatenessBucketsMs.size() + 1> latenessCounts{};
    qint64 latenessSumMs = 0;

    void noteLateness(qint64 latenessMs)
    {
        const auto bucket = std::lower_bound(LatenessBucketsMs.begin(), LatenessBucketsMs.end(), latenessMs);
        ++latenessCounts[size_t(bucket - LatenessBucketsMs.begin())];
        latenessSumMs += latenessMs;
    }
};

// Something the admin should hear about, already folded: at most one report per series (for
// skipped runs) or per host (for full queues) per fold window. A summary of the series held back
// from one round (see SchedulerReporter) has a null series and their number in seriesCount.
struct SchedulerReport
{
    enum class Kind
    {
        SkippedLate, // series' run was later than the maximum lateness and was skipped
        QueueFull,   // the host's queue was full and refused a run of this series
    };
    Kind kind = Kind::SkippedLate;
    SeriesKey series;
    QDateTime slot;
    qint64 latenessMs = 0; // of the run that triggered the report
    qint64 count = 1;      // occurrences since the previous report of this series/host, this one included
    qint64 seriesCount = 1;
};

using SchedulerReportHandler = std::function<void(const SchedulerReport &report)>;

// What a "check now" did.
struct RunNowResult
{
    int matched = 0; // series of the host (check, plugin) offered; 0: nothing runs there
    int queued = 0;  // of them answered Queued
};

} // namespace prophasis
