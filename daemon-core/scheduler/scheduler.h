#pragma once

#include <QHash>
#include <QList>

#include <optional>
#include <vector>

#include "daemon-core/scheduler/schedulerreporter.h"
#include "daemon-core/scheduler/schedulertypes.h"
#include "daemon-core/scheduler/slotmath.h"
#include "shared/domain/configuration.h"

namespace prophasis {

// When each (host, check, plugin) series runs (SPEC §5, Scheduler). Pure logic over an injected
// clock: no timers, no sleeps; SchedulerDriver calls runDue() when nextDue() comes.
//
// A series runs on the union of the slots of every enabled schedule interval of its check
// (start + k × period + the host's offset, UTC), never twice for one instant. Disabled schedules,
// checks and hosts, and hosts not enrolled yet, have no series. Due runs are handed to the sink
// with queuedAt = now; one later than the maximum lateness is skipped (counted, reported) and the
// series moves on to its next slot. A series offers at most one run per due time: when it is
// reached after several of its slots have passed, only the newest runs and the older ones count
// as skipped, so a pause or an overload never turns into a burst.
//
// Not reentrant: the sink and the handlers must not call back into the scheduler.
class Scheduler
{
public:
    explicit Scheduler(EnqueueSink sink, SchedulerClock clock = systemClock(), SchedulerOptions options = {});

    // Folded reports of skipped runs and full queues (they are also logged; see SchedulerReporter).
    void setReportHandler(SchedulerReportHandler handler);
    // Called whenever nextDue() may have moved earlier, so a timer driver re-arms.
    void setDueChangedHandler(std::function<void()> handler);

    // Applies a configuration without a restart. A series whose timing is unchanged keeps its
    // next slot; new or re-timed series take their next slot from now (never one already
    // handled); removed ones vanish. The first call is the start: each series resumes with its
    // newest slot if that lies within maxLateness (a slot missed by a restart runs once; nothing
    // older does), else with its next future slot.
    void setConfiguration(const Configuration &config);

    // The earliest due time of any series; nullopt when nothing is scheduled.
    std::optional<QDateTime> nextDue() const;
    // Hands every run due now to the sink (or skips it when late); returns how many were offered.
    int runDue();
    // "Check now": offers the host's matching series at once (manual, slot = now) without
    // changing their regular slots. A null check or plugin id matches all. Runs also checks that
    // no enabled schedule runs, but only on enabled, enrolled hosts.
    RunNowResult runNow(const QUuid &hostId, const QUuid &checkId = {}, const QUuid &pluginId = {});

    const SchedulerCounters &counters() const { return m_counters; }
    const SchedulerOptions &options() const { return m_options; }
    QDateTime now() const { return m_clock(); }
    // Series that can run (scheduled or only by "check now").
    qsizetype seriesCount() const { return static_cast<qsizetype>(m_series.size()); }
    // The next regular slot of a series; nullopt when it has none or does not exist.
    std::optional<QDateTime> nextSlot(const SeriesKey &series) const;

private:
    static constexpr qint64 NothingHandled = std::numeric_limits<qint64>::min();

    struct Series
    {
        SeriesKey key;
        quint64 hostHash = 0;
        QList<SlotTiming> timings; // shared by every series of the check
        qint64 minPeriodMs = NoSlot;
        qint64 nextMs = NoSlot;
        qint64 lastHandledMs = NothingHandled; // the latest slot run or skipped
    };
    struct HeapEntry
    {
        qint64 dueMs;
        quint32 index;
        // Min-heap order on the due time; the index breaks ties so the order is reproducible.
        static bool later(const HeapEntry &a, const HeapEntry &b)
        {
            return a.dueMs != b.dueMs ? a.dueMs > b.dueMs : a.index > b.index;
        }
    };
    struct HostRange
    {
        quint32 begin = 0;
        quint32 end = 0;
    };

    qint64 nowMs() const;
    void observeClock(qint64 now);
    void rebuildHeap();
    void pushHeap(quint32 index);
    void handleDue(Series &series, qint64 slotMs);
    void noteSkipped(const SeriesKey &key, qint64 oldestSlotMs, qint64 now, qint64 skipped);
    EnqueueOutcome offer(const RunJob &job);
    qint64 nextSlotFrom(const Series &series, qint64 fromMs) const;
    qint64 resumeSlot(const Series &series, qint64 now) const;

    EnqueueSink m_sink;
    SchedulerClock m_clock;
    SchedulerOptions m_options;
    std::function<void()> m_dueChanged;

    std::vector<Series> m_series;
    QHash<SeriesKey, quint32> m_indexOf;
    QHash<QUuid, HostRange> m_seriesOfHost;
    std::vector<HeapEntry> m_heap; // min-heap of next slots
    bool m_started = false;
    bool m_offering = false; // inside the sink: calls back into the scheduler are a bug
    qint64 m_lastNowMs = NothingHandled;

    SchedulerCounters m_counters;
    SchedulerReporter m_reporter;
};

} // namespace prophasis
