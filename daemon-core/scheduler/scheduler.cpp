#include "daemon-core/scheduler/scheduler.h"

#include <algorithm>

#include "shared/health/topology.h"

namespace prophasis {

namespace {

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

// The timings of each check: every interval of every enabled schedule running it, sorted and
// without repeats (two schedules with the same interval run the series once per slot).
QHash<QUuid, QList<SlotTiming>> timingsOfChecks(const Configuration &config)
{
    QHash<QUuid, QList<SlotTiming>> timings;
    for (const Schedule &schedule : config.schedules) {
        if (!schedule.enabled)
            continue;
        for (const ScheduleInterval &interval : schedule.intervals) {
            // Validation refuses these; a stored one must not divide by zero.
            if (!interval.start.isValid() || interval.periodSeconds < MinPeriodSeconds)
                continue;
            const SlotTiming timing{interval.start.toMSecsSinceEpoch(), interval.periodSeconds * 1000};
            for (const QUuid &checkId : schedule.checkIds)
                timings[checkId].append(timing);
        }
    }
    for (QList<SlotTiming> &list : timings) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    return timings;
}

} // namespace

SchedulerClock systemClock()
{
    return [] { return QDateTime::currentDateTimeUtc(); };
}

Scheduler::Scheduler(EnqueueSink sink, SchedulerClock clock, SchedulerOptions options)
    : m_sink(std::move(sink))
    , m_clock(std::move(clock))
    , m_options(options)
    , m_reporter(options)
{
}

void Scheduler::setReportHandler(SchedulerReportHandler handler)
{
    m_reporter.setHandler(std::move(handler));
}

void Scheduler::setDueChangedHandler(std::function<void()> handler)
{
    m_dueChanged = std::move(handler);
}

qint64 Scheduler::nowMs() const
{
    return m_clock().toMSecsSinceEpoch();
}

qint64 Scheduler::nextSlotFrom(const Series &series, qint64 fromMs) const
{
    return firstSlotAtOrAfter(series.timings, series.hostHash, m_options.maxSpread.count(), fromMs);
}

// After a restart: the newest slot if it is within the maximum lateness (a slot the restart made
// us miss runs once), else the next future one.
qint64 Scheduler::resumeSlot(const Series &series, qint64 now) const
{
    const qint64 latest =
        lastSlotAtOrBefore(series.timings, series.hostHash, m_options.maxSpread.count(), now);
    if (latest != NoEarlierSlot && now - latest <= m_options.maxLateness.count())
        return latest;
    return nextSlotFrom(series, now);
}

void Scheduler::setConfiguration(const Configuration &config)
{
    Q_ASSERT(!m_offering);
    const qint64 now = nowMs();
    observeClock(now);

    const QHash<QUuid, QList<SlotTiming>> timings = timingsOfChecks(config);
    const Topology topology(config);
    QList<QUuid> hostIds = config.hosts.keys();
    std::sort(hostIds.begin(), hostIds.end()); // a reproducible order of series

    std::vector<Series> series;
    QHash<SeriesKey, quint32> indexOf;
    QHash<QUuid, HostRange> seriesOfHost;
    for (const QUuid &hostId : hostIds) {
        const Host &host = config.hosts[hostId];
        if (!host.enabled || host.agentKeySha256.isEmpty())
            continue;
        const quint64 hostHash = stableHostHash(hostId);
        HostRange range{static_cast<quint32>(series.size()), 0};
        for (const CheckPluginPair &pair : topology.pairsForHost(hostId)) {
            Series next;
            next.key = {hostId, pair.checkId, pair.pluginId};
            next.hostHash = hostHash;
            next.timings = timings.value(pair.checkId);
            for (const SlotTiming &timing : std::as_const(next.timings))
                next.minPeriodMs = std::min(next.minPeriodMs, timing.periodMs);

            const auto old = m_indexOf.constFind(next.key);
            if (old != m_indexOf.constEnd() && m_series[*old].timings == next.timings) {
                next.nextMs = m_series[*old].nextMs;
                next.lastHandledMs = m_series[*old].lastHandledMs;
            } else if (old != m_indexOf.constEnd()) {
                // Re-timed: the next slot of the new timing, but never one already handled.
                next.lastHandledMs = m_series[*old].lastHandledMs;
                qint64 from = now;
                if (next.lastHandledMs != NothingHandled)
                    from = std::max(from, next.lastHandledMs + 1);
                next.nextMs = nextSlotFrom(next, from);
            } else {
                next.nextMs = m_started ? nextSlotFrom(next, now) : resumeSlot(next, now);
            }
            indexOf.insert(next.key, static_cast<quint32>(series.size()));
            series.push_back(std::move(next));
        }
        range.end = static_cast<quint32>(series.size());
        if (range.end > range.begin)
            seriesOfHost.insert(hostId, range);
    }

    m_series = std::move(series);
    m_indexOf = std::move(indexOf);
    m_seriesOfHost = std::move(seriesOfHost);
    m_reporter.setConfiguration(config);
    m_started = true;
    rebuildHeap();
    m_reporter.prune(now);
    if (m_dueChanged)
        m_dueChanged();
}

void Scheduler::rebuildHeap()
{
    m_heap.clear();
    for (quint32 i = 0; i < m_series.size(); ++i) {
        if (m_series[i].nextMs != NoSlot)
            m_heap.push_back({m_series[i].nextMs, i});
    }
    std::make_heap(m_heap.begin(), m_heap.end(), HeapEntry::later);
}

void Scheduler::pushHeap(quint32 index)
{
    m_heap.push_back({m_series[index].nextMs, index});
    std::push_heap(m_heap.begin(), m_heap.end(), HeapEntry::later);
}

// A clock set back by a period or more would leave series waiting that long for slots they had
// already reached: they take their next slot from the new now instead (the instants repeat, the
// real-time rhythm does not). A smaller step back only delays the next slot by the step, and no
// slot runs twice.
void Scheduler::observeClock(qint64 now)
{
    const qint64 previous = std::exchange(m_lastNowMs, now);
    if (previous == NothingHandled || now >= previous)
        return;
    const qint64 step = previous - now;
    qsizetype rebased = 0;
    for (Series &series : m_series) {
        if (series.nextMs == NoSlot || series.nextMs <= now || step < series.minPeriodMs)
            continue;
        series.nextMs = nextSlotFrom(series, now);
        series.lastHandledMs = NothingHandled;
        ++rebased;
    }
    if (rebased == 0)
        return;
    m_reporter.clockWentBack(step, rebased);
    rebuildHeap();
}

std::optional<QDateTime> Scheduler::nextDue() const
{
    if (m_heap.empty())
        return std::nullopt;
    return fromMs(m_heap.front().dueMs);
}

std::optional<QDateTime> Scheduler::nextSlot(const SeriesKey &series) const
{
    const auto it = m_indexOf.constFind(series);
    if (it == m_indexOf.constEnd() || m_series[*it].nextMs == NoSlot)
        return std::nullopt;
    return fromMs(m_series[*it].nextMs);
}

int Scheduler::runDue()
{
    Q_ASSERT(!m_offering);
    // Only what is due at the start: jobs that come due while the sink works wait for the next
    // call, so a slow sink cannot keep this loop going.
    const qint64 now = nowMs();
    observeClock(now);
    const quint64 offeredBefore =
        m_counters.queued + m_counters.alreadyWaiting + m_counters.queueFull + m_counters.hostUnknown;
    while (!m_heap.empty() && m_heap.front().dueMs <= now) {
        std::pop_heap(m_heap.begin(), m_heap.end(), HeapEntry::later);
        const quint32 index = m_heap.back().index;
        m_heap.pop_back();
        Series &series = m_series[index];
        handleDue(series, series.nextMs);
        if (series.nextMs != NoSlot)
            pushHeap(index);
    }
    m_reporter.endRound();
    return static_cast<int>(m_counters.queued + m_counters.alreadyWaiting + m_counters.queueFull +
                            m_counters.hostUnknown - offeredBefore);
}

// Runs the newest due slot of the series, once, if it is within the maximum lateness; older due
// slots are skipped (a series behind by several periods does not replay them), and when even
// the newest is too late the series waits for its next future slot.
void Scheduler::handleDue(Series &series, qint64 slotMs)
{
    // Lateness is measured as the run is queued, so the clock is read per job.
    const qint64 now = nowMs();
    const qint64 spread = m_options.maxSpread.count();
    const qint64 latest = std::max(slotMs, lastSlotAtOrBefore(series.timings, series.hostHash, spread, now));
    if (now - latest > m_options.maxLateness.count()) {
        const qint64 skipped = slotsBetween(series.timings, series.hostHash, spread, slotMs, now + 1);
        series.lastHandledMs = now;
        series.nextMs = nextSlotFrom(series, now + 1);
        noteSkipped(series.key, slotMs, now, std::max<qint64>(skipped, 1));
        return;
    }
    if (latest > slotMs)
        noteSkipped(series.key, slotMs, now,
                    slotsBetween(series.timings, series.hostHash, spread, slotMs, latest));
    ++m_counters.scheduled;
    m_counters.noteLateness(std::max<qint64>(0, now - latest));
    series.lastHandledMs = latest;
    series.nextMs = nextSlotFrom(series, latest + 1);
    offer(RunJob{series.key, fromMs(latest), fromMs(now), false});
}

void Scheduler::noteSkipped(const SeriesKey &key, qint64 oldestSlotMs, qint64 now, qint64 skipped)
{
    if (skipped <= 0)
        return;
    m_counters.scheduled += static_cast<quint64>(skipped);
    m_counters.skippedLate += static_cast<quint64>(skipped);
    m_reporter.skipped(key, oldestSlotMs, now, skipped);
}

EnqueueOutcome Scheduler::offer(const RunJob &job)
{
    m_offering = true;
    const EnqueueOutcome outcome = m_sink(job);
    m_offering = false;
    switch (outcome) {
    case EnqueueOutcome::Queued:
        ++m_counters.queued;
        break;
    case EnqueueOutcome::AlreadyWaiting:
        ++m_counters.alreadyWaiting;
        break;
    case EnqueueOutcome::HostUnknown:
        ++m_counters.hostUnknown;
        break;
    case EnqueueOutcome::ShuttingDown:
        ++m_counters.shuttingDown;
        break;
    case EnqueueOutcome::QueueFull:
        ++m_counters.queueFull;
        m_reporter.queueFull(job.series, job.slot.toMSecsSinceEpoch(), job.queuedAt.toMSecsSinceEpoch());
        break;
    }
    return outcome;
}

RunNowResult Scheduler::runNow(const QUuid &hostId, const QUuid &checkId, const QUuid &pluginId)
{
    Q_ASSERT(!m_offering);
    RunNowResult result;
    const auto range = m_seriesOfHost.constFind(hostId);
    if (range == m_seriesOfHost.constEnd())
        return result;
    for (quint32 i = range->begin; i < range->end; ++i) {
        const SeriesKey &key = m_series[i].key;
        if ((!checkId.isNull() && key.checkId != checkId) || (!pluginId.isNull() && key.pluginId != pluginId))
            continue;
        const QDateTime now = m_clock();
        ++result.matched;
        ++m_counters.manual;
        if (offer(RunJob{key, now, now, true}) == EnqueueOutcome::Queued)
            ++result.queued;
    }
    m_reporter.endRound();
    return result;
}

} // namespace prophasis
