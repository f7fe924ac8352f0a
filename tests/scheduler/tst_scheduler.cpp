#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>

#include "daemon-core/scheduler/scheduler.h"
#include "daemon-core/scheduler/schedulerdriver.h"
#include "daemon-core/scheduler/slotmath.h"
#include "tests/support/configurationfixture.h"

using namespace prophasis;
using namespace std::chrono_literals;

namespace {

const QDateTime Start = test::FixtureNow; // fixture schedules start ten days before it
constexpr qint64 Hour = 3600;
constexpr qint64 Day = 24 * Hour;
constexpr qint64 Week = 7 * Day;
constexpr qint64 DefaultSpreadMs = 3600 * 1000;

qint64 ms(const QDateTime &time)
{
    return time.toMSecsSinceEpoch();
}

qint64 offsetOf(const QUuid &hostId, qint64 periodSeconds)
{
    return hostOffsetMs(stableHostHash(hostId), periodSeconds * 1000, DefaultSpreadMs);
}

// Stands in for the dispatcher's per-agent queues: a (host, check, plugin) waits at most once,
// each host holds at most `bound` jobs, and nothing is taken off unless the test drains it.
struct FakeAgentQueues
{
    qsizetype bound = 100;
    QHash<QUuid, QList<SeriesKey>> waiting;

    EnqueueOutcome offer(const RunJob &job)
    {
        QList<SeriesKey> &queue = waiting[job.series.hostId];
        if (queue.contains(job.series))
            return EnqueueOutcome::AlreadyWaiting;
        if (queue.size() >= bound)
            return EnqueueOutcome::QueueFull;
        queue.append(job.series);
        return EnqueueOutcome::Queued;
    }
    void drain() { waiting.clear(); }
};

// A configuration, a hand-set clock, a sink that records what it is offered and a scheduler.
class Harness
{
public:
    test::ConfigurationFixture f;
    QDateTime now = Start;
    QList<RunJob> jobs;
    QList<SchedulerReport> reports;
    std::function<EnqueueOutcome(const RunJob &)> answer = [](const RunJob &) {
        return EnqueueOutcome::Queued;
    };
    std::unique_ptr<Scheduler> scheduler;

    QUuid host(const QString &name, bool enabled = true)
    {
        const QUuid id = f.host(name, enabled);
        f.config.hosts[id].agentKeySha256 = QString(64, QLatin1Char('a'));
        return id;
    }

    // One enrolled host "web" with one plugin "cpu" on one check, scheduled every `periods`.
    struct OneSeries
    {
        QUuid web;
        QUuid plugin;
        QUuid check;
    };
    OneSeries oneSeries(const QList<qint64> &periods)
    {
        OneSeries series;
        series.web = host(QStringLiteral("web"));
        series.plugin = f.plugin(QStringLiteral("cpu"));
        series.check = f.check({series.web}, {}, {series.plugin});
        f.schedule({series.check}, periods);
        return series;
    }

    QUuid schedule(const QList<QUuid> &checkIds, const QList<ScheduleInterval> &intervals,
                   bool enabled = true)
    {
        const QUuid id = f.schedule(checkIds, {}, enabled);
        f.config.schedules[id].intervals = intervals;
        return id;
    }

    void start(SchedulerOptions options = {})
    {
        scheduler = std::make_unique<Scheduler>(
            [this](const RunJob &job) {
                jobs.append(job);
                return answer(job);
            },
            [this] { return now; }, options);
        scheduler->setReportHandler([this](const SchedulerReport &report) { reports.append(report); });
        scheduler->setConfiguration(f.config);
    }

    void reconfigure() { scheduler->setConfiguration(f.config); }

    // A perfect driver: runDue exactly at every due time up to `until`, then at `until`.
    void runUntil(const QDateTime &until)
    {
        for (auto due = scheduler->nextDue(); due && *due <= until; due = scheduler->nextDue()) {
            now = std::max(now, *due);
            scheduler->runDue();
        }
        now = until;
        scheduler->runDue();
    }

    QList<RunJob> jobsOf(const SeriesKey &key) const
    {
        QList<RunJob> found;
        for (const RunJob &job : jobs) {
            if (job.series == key)
                found.append(job);
        }
        return found;
    }

    void verifyCounterInvariant() const
    {
        const SchedulerCounters &c = scheduler->counters();
        const quint64 offers = c.queued + c.alreadyWaiting + c.queueFull + c.hostUnknown + c.shuttingDown;
        QCOMPARE(offers, static_cast<quint64>(jobs.size()));
        QCOMPARE(c.scheduled, c.skippedLate + offers - c.manual);
        // Every regular run queued has its lateness counted once.
        quint64 latenessCounted = 0;
        for (const quint64 count : c.latenessCounts)
            latenessCounted += count;
        QCOMPARE(latenessCounted, c.scheduled - c.skippedLate);
    }
};

// Every slot of the series' timings in [from, to), by brute force.
QList<qint64> bruteForceSlots(const QList<SlotTiming> &timings, const QUuid &hostId, qint64 from, qint64 to)
{
    QSet<qint64> slots;
    for (const SlotTiming &timing : timings) {
        const qint64 offset = hostOffsetMs(stableHostHash(hostId), timing.periodMs, DefaultSpreadMs);
        for (qint64 slot = timing.startMs + offset; slot < to; slot += timing.periodMs) {
            if (slot >= from)
                slots.insert(slot);
        }
    }
    QList<qint64> sorted(slots.begin(), slots.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

} // namespace

class TestScheduler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // --- slot arithmetic ------------------------------------------------------------------

    void slotArithmetic_data()
    {
        QTest::addColumn<qint64>("periodSeconds");
        QTest::addColumn<qint64>("offsetMs");
        for (qint64 period : {qint64(1), qint64(7), qint64(60), qint64(90), Hour, Day, Week, 366 * Day}) {
            for (qint64 offset : {qint64(0), qint64(1), period * 1000 / 3, period * 1000 - 1})
                QTest::addRow("period %llds offset %lldms", period, offset) << period << offset;
        }
    }

    void slotArithmetic()
    {
        QFETCH(qint64, periodSeconds);
        QFETCH(qint64, offsetMs);
        const qint64 periodMs = periodSeconds * 1000;
        const SlotTiming timing{ms(Start), periodMs};
        const qint64 first = timing.startMs + offsetMs;

        // Before the start (the interval lies in the future): the first slot.
        QCOMPARE(firstSlotAtOrAfter(timing, offsetMs, first - 10 * periodMs), first);
        QCOMPARE(firstSlotAtOrAfter(timing, offsetMs, first), first);
        for (qint64 k : {qint64(1), qint64(2), qint64(59), qint64(1000), qint64(123457)}) {
            const qint64 slot = first + k * periodMs;
            QCOMPARE(firstSlotAtOrAfter(timing, offsetMs, slot), slot);
            QCOMPARE(firstSlotAtOrAfter(timing, offsetMs, slot - 1), slot);
            QCOMPARE(firstSlotAtOrAfter(timing, offsetMs, slot + 1), slot + periodMs);
            QCOMPARE(firstSlotAtOrAfter(timing, offsetMs, slot - periodMs + 1), slot);
            QCOMPARE(slotsBetween(timing, offsetMs, first, slot), k);
            QCOMPARE(slotsBetween(timing, offsetMs, first, slot + 1), k + 1);
            QCOMPARE(slotsBetween(timing, offsetMs, first + 1, slot), k - 1);
            QCOMPARE(slotsBetween(timing, offsetMs, first - periodMs * 5, slot), k);
        }
        QCOMPARE(lastSlotAtOrBefore(timing, offsetMs, first - 1), NoEarlierSlot);
        QCOMPARE(lastSlotAtOrBefore(timing, offsetMs, first), first);
        QCOMPARE(lastSlotAtOrBefore(timing, offsetMs, first + 77 * periodMs + periodMs - 1),
                 first + 77 * periodMs);
        QCOMPARE(slotsBetween(timing, offsetMs, first + 1, first + 1), 0);
        QCOMPARE(slotsBetween(timing, offsetMs, first + 10, first), 0);
    }

    void slotsOfManyIntervalsAreTheirUnion()
    {
        // Intervals of 1 s to weeks, some starting in the future, one repeated: the scheduler
        // offers exactly the union of their slots, each instant once.
        Harness h;
        const QUuid web = h.host(QStringLiteral("web"));
        const QUuid plugin = h.f.plugin(QStringLiteral("cpu"));
        const QUuid check = h.f.check({web}, {}, {plugin});
        const QList<ScheduleInterval> intervals = {
            {Start.addDays(-3), 1},     {Start.addSecs(-17), 7},   {Start.addSecs(1800), 60},
            {Start.addDays(-30), Hour}, {Start.addDays(-40), Day}, {Start.addDays(-400), Week},
            {Start.addSecs(5000), 90},  {Start.addSecs(-60), 60},
        };
        h.schedule({check}, intervals);
        h.schedule({check}, {{Start.addSecs(-60), 60}, {Start.addSecs(-17), 7}}); // repeats
        h.start(SchedulerOptions{0ms, 3600s, 60s}); // no lateness: a slot at the start counts
        const QDateTime end = Start.addSecs(2 * Hour);
        h.runUntil(end);

        QList<SlotTiming> timings;
        for (const ScheduleInterval &interval : intervals)
            timings.append({ms(interval.start), interval.periodSeconds * 1000});
        const QList<qint64> expected = bruteForceSlots(timings, web, ms(Start), ms(end) + 1);
        QList<qint64> offered;
        for (const RunJob &job : std::as_const(h.jobs)) {
            offered.append(ms(job.slot));
            QCOMPARE(job.queuedAt, job.slot); // a perfect driver is never late
            QVERIFY(!job.manual);
        }
        QCOMPARE(offered.size(), expected.size());
        QCOMPARE(offered, expected);
        h.verifyCounterInvariant();
    }

    // --- per-host offsets -----------------------------------------------------------------

    void hostHashIsStable()
    {
        // The same in every process and build: a restart must not move a host's slots.
        const QUuid id(QStringLiteral("{6f1c2a4e-8d3b-4f7a-9c2e-1b5d7e9f0a13}"));
        QCOMPARE(stableHostHash(id), stableHostHash(QUuid(id.toString())));
        QCOMPARE(stableHostHash(id), Q_UINT64_C(2406645987682162759));
        QVERIFY(stableHostHash(id) != stableHostHash(QUuid::createUuidV5(id, QStringLiteral("other"))));
    }

    void offsetsLieInsideThePeriod()
    {
        for (int i = 0; i < 2000; ++i) {
            const QUuid id = QUuid::createUuidV5(QUuid(), QStringLiteral("host-%1").arg(i));
            for (qint64 period : {qint64(1), qint64(60), Hour, Day, Week}) {
                const qint64 offset = offsetOf(id, period);
                QVERIFY(offset >= 0);
                QVERIFY(offset < period * 1000);
                QVERIFY(offset < DefaultSpreadMs); // long periods spread over an hour at most
            }
        }
    }

    void offsetsSpreadHostsOverThePeriod()
    {
        // Ten thousand hosts on one 60 s schedule: about 167 per second, none crowded.
        QList<int> perSecond(60, 0);
        QSet<qint64> distinct;
        for (int i = 0; i < 10000; ++i) {
            const QUuid id = QUuid::createUuidV5(QUuid(), QStringLiteral("host-%1").arg(i));
            const qint64 offset = offsetOf(id, 60);
            ++perSecond[static_cast<int>(offset / 1000)];
            distinct.insert(offset);
        }
        const auto [least, most] = std::minmax_element(perSecond.begin(), perSecond.end());
        QVERIFY2(*least > 100 && *most < 240, qPrintable(QStringLiteral("%1..%2").arg(*least).arg(*most)));
        QVERIFY(distinct.size() > 9000); // millisecond offsets, few shared instants

        // Sequential UUIDs (as a test or an import may make) spread too.
        QList<int> sequential(60, 0);
        for (uint i = 1; i <= 6000; ++i)
            ++sequential[static_cast<int>(offsetOf(QUuid(i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 60) / 1000)];
        const auto [low, high] = std::minmax_element(sequential.begin(), sequential.end());
        QVERIFY2(*low > 50 && *high < 150, qPrintable(QStringLiteral("%1..%2").arg(*low).arg(*high)));
    }

    void runsFallOnStartPlusPeriodsPlusOffset()
    {
        Harness h;
        const QUuid web = h.host(QStringLiteral("web"));
        const QUuid db = h.host(QStringLiteral("db"));
        const QUuid plugin = h.f.plugin(QStringLiteral("cpu"));
        const QUuid check = h.f.check({web, db}, {}, {plugin});
        h.f.schedule({check}, {60});
        h.start();
        h.runUntil(Start.addSecs(10 * 60));

        for (const QUuid &hostId : {web, db}) {
            const QList<RunJob> runs = h.jobsOf({hostId, check, plugin});
            QVERIFY(runs.size() >= 10 && runs.size() <= 11);
            for (const RunJob &job : runs) {
                const qint64 sinceStart = ms(job.slot) - ms(test::FixtureNow.addDays(-10));
                QCOMPARE(sinceStart % 60000, offsetOf(hostId, 60));
                QVERIFY(job.slot.timeSpec() == Qt::UTC);
            }
        }
        QVERIFY(offsetOf(web, 60) != offsetOf(db, 60));
    }

    void futureStartWaits()
    {
        Harness h;
        const QUuid web = h.host(QStringLiteral("web"));
        const QUuid plugin = h.f.plugin(QStringLiteral("cpu"));
        const QUuid check = h.f.check({web}, {}, {plugin});
        const QDateTime begins = Start.addSecs(3 * Hour);
        h.schedule({check}, {{begins, 60}});
        h.start();

        const QDateTime first = begins.addMSecs(offsetOf(web, 60));
        QCOMPARE(h.scheduler->nextDue(), first);
        h.runUntil(first.addMSecs(-1));
        QVERIFY(h.jobs.isEmpty());
        h.runUntil(first);
        QCOMPARE(h.jobs.size(), 1);
        QCOMPARE(h.jobs.first().slot, first);
        QCOMPARE(h.scheduler->nextDue(), first.addSecs(60));
    }

    // --- lateness -------------------------------------------------------------------------

    void lateRunIsSkippedAtQueueTime()
    {
        Harness h;
        [[maybe_unused]] const auto [web, plugin, check] = h.oneSeries({60});
        h.start();
        const QDateTime slot = *h.scheduler->nextDue();

        // Exactly at the maximum lateness: still runs, lateness measured at queue time.
        h.now = slot.addSecs(10);
        QCOMPARE(h.scheduler->runDue(), 1);
        QCOMPARE(h.jobs.last().queuedAt.msecsTo(h.jobs.last().slot), -10000);
        QCOMPARE(h.scheduler->counters().skippedLate, 0u);
        // For /metrics: 10 s late lands in the 30 s bucket, and in the sum.
        QCOMPARE(h.scheduler->counters().latenessSumMs, 10'000);
        QCOMPARE(h.scheduler->counters().latenessCounts.at(SchedulerCounters::LatenessBucketsMs.size() - 1),
                 1u);

        // Later than that: skipped, counted, reported; the next slot is taken.
        h.now = slot.addSecs(60 + 11);
        QCOMPARE(h.scheduler->runDue(), 0);
        QCOMPARE(h.jobs.size(), 1);
        QCOMPARE(h.scheduler->counters().skippedLate, 1u);
        QCOMPARE(h.reports.size(), 1);
        QCOMPARE(h.reports.first().kind, SchedulerReport::Kind::SkippedLate);
        QCOMPARE(h.reports.first().series, (SeriesKey{web, check, plugin}));
        QCOMPARE(h.reports.first().latenessMs, 11000);
        QCOMPARE(h.reports.first().slot, slot.addSecs(60));
        QCOMPARE(h.scheduler->nextDue(), slot.addSecs(120));
        h.runUntil(slot.addSecs(120));
        QCOMPARE(h.jobs.size(), 2);
        QCOMPARE(h.jobs.last().slot, slot.addSecs(120));
        h.verifyCounterInvariant();
    }

    void latenessGrowsWhileTheSinkWorks()
    {
        // A sink that takes 3 s per job: the fifth of five jobs due together is queued 12 s
        // late and skipped, though the batch started on time.
        Harness h;
        const QUuid web = h.host(QStringLiteral("web"));
        QList<QUuid> plugins;
        for (int i = 0; i < 5; ++i)
            plugins.append(h.f.plugin(QStringLiteral("p%1").arg(i)));
        const QUuid check = h.f.check({web}, {}, plugins);
        h.f.schedule({check}, {60});
        h.answer = [&h](const RunJob &) {
            h.now = h.now.addSecs(3);
            return EnqueueOutcome::Queued;
        };
        h.start();
        h.now = *h.scheduler->nextDue();
        QCOMPARE(h.scheduler->runDue(), 4);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(h.jobs.at(i).slot.msecsTo(h.jobs.at(i).queuedAt), i * 3000);
        QCOMPARE(h.scheduler->counters().skippedLate, 1u);
        QCOMPARE(h.reports.size(), 1);
        QCOMPARE(h.reports.first().latenessMs, 12000);
        h.verifyCounterInvariant();
    }

    void skipReportsAreFolded()
    {
        // A 20 s series always reached 11 s late: skipped every time, reported once a minute.
        Harness h;
        [[maybe_unused]] const auto [web, plugin, check] = h.oneSeries({20});
        h.start();
        for (int i = 0; i < 180; ++i) {
            h.now = h.scheduler->nextDue()->addSecs(11);
            h.scheduler->runDue();
        }
        QVERIFY(h.jobs.isEmpty());
        QCOMPARE(h.scheduler->counters().skippedLate, 180u);
        QCOMPARE(h.scheduler->counters().scheduled, 180u);
        QCOMPARE(h.reports.size(), 60);
        qint64 reported = 0;
        for (const SchedulerReport &report : std::as_const(h.reports)) {
            reported += report.count;
            QCOMPARE(report.latenessMs, 11000);
        }
        QCOMPARE(h.reports.first().count, 1);
        QCOMPARE(h.reports.last().count, 3); // a report carries what was folded into it
        QVERIFY(reported >= 178 && reported <= 180);
    }

    void seriesBehindSeveralSlotsRunsOnce()
    {
        // Reached 5.5 s late, a 1 s series runs its newest slot once; the five before it are
        // skipped rather than replayed.
        Harness h;
        [[maybe_unused]] const auto [web, plugin, check] = h.oneSeries({1});
        h.start();
        h.runUntil(Start.addSecs(10));
        const qsizetype before = h.jobs.size();
        const QDateTime due = *h.scheduler->nextDue();
        h.now = due.addMSecs(5500);
        QCOMPARE(h.scheduler->runDue(), 1);
        QCOMPARE(h.jobs.size(), before + 1);
        QCOMPARE(h.jobs.last().slot, due.addSecs(5));
        QCOMPARE(h.jobs.last().slot.msecsTo(h.jobs.last().queuedAt), 500);
        QCOMPARE(h.scheduler->counters().skippedLate, 5u);
        QCOMPARE(h.reports.size(), 1);
        QCOMPARE(h.reports.first().count, 5);
        QCOMPARE(h.scheduler->nextDue(), due.addSecs(6));
        h.verifyCounterInvariant();
    }

    void overrunNeverStalls()
    {
        // An agent stuck on an earlier run answers AlreadyWaiting for an hour: each slot is still
        // offered on time. Then the core is paused for five hours: one skip per series, no burst,
        // and runs resume on the next slots.
        Harness h;
        FakeAgentQueues queues;
        h.answer = [&queues](const RunJob &job) { return queues.offer(job); };
        QList<QUuid> hosts;
        const QUuid plugin = h.f.plugin(QStringLiteral("cpu"));
        for (int i = 0; i < 20; ++i)
            hosts.append(h.host(QStringLiteral("h%1").arg(i)));
        const QUuid check = h.f.check(hosts, {}, {plugin});
        h.f.schedule({check}, {60});
        h.start();

        h.runUntil(Start.addSecs(Hour));
        const SchedulerCounters stuck = h.scheduler->counters();
        QCOMPARE(stuck.queued, 20u);
        QVERIFY(stuck.alreadyWaiting >= 20u * 58);
        QCOMPARE(stuck.skippedLate, 0u);
        for (const RunJob &job : std::as_const(h.jobs)) {
            if (job.slot >= Start) // before it: resumed at the start, within the lateness
                QCOMPARE(job.queuedAt, job.slot);
        }

        queues.drain();
        const qsizetype before = h.jobs.size();
        h.now = h.now.addSecs(5 * Hour);
        const int offered = h.scheduler->runDue();
        QVERIFY(offered <= 20); // at most the slot of each series still within the lateness
        QCOMPARE(h.jobs.size(), before + offered);
        for (qsizetype i = before; i < h.jobs.size(); ++i)
            QVERIFY(h.jobs.at(i).slot.msecsTo(h.now) <= 10000);
        const quint64 skipped = h.scheduler->counters().skippedLate;
        QVERIFY2(skipped >= 20u * 299 && skipped <= 20u * 300, qPrintable(QString::number(skipped)));
        QVERIFY(*h.scheduler->nextDue() > h.now);
        QVERIFY(*h.scheduler->nextDue() <= h.now.addSecs(60));

        h.runUntil(h.now.addSecs(120));
        QCOMPARE(h.jobs.size(), before + offered + 40);
        h.verifyCounterInvariant();
    }

    void aPauseWritesAFewLinesNotOnePerSeries()
    {
        Harness h;
        QList<QUuid> hosts;
        const QUuid plugin = h.f.plugin(QStringLiteral("cpu"));
        for (int i = 0; i < 100; ++i)
            hosts.append(h.host(QStringLiteral("h%1").arg(i)));
        const QUuid check = h.f.check(hosts, {}, {plugin});
        h.f.schedule({check}, {60});
        h.start();
        h.runUntil(Start.addSecs(120));
        QVERIFY(h.reports.isEmpty());

        h.now = h.now.addSecs(Hour);
        h.scheduler->runDue();
        QCOMPARE(h.reports.size(), SchedulerReporter::MaxReportsPerRound + 1);
        const SchedulerReport &summary = h.reports.last();
        QVERIFY(summary.series.hostId.isNull());
        QCOMPARE(summary.seriesCount, 100 - SchedulerReporter::MaxReportsPerRound);
        qint64 reported = 0;
        for (const SchedulerReport &report : std::as_const(h.reports))
            reported += report.count;
        QCOMPARE(static_cast<quint64>(reported), h.scheduler->counters().skippedLate);
        QVERIFY(summary.latenessMs > 3500 * 1000);
    }

    // --- queues ---------------------------------------------------------------------------

    void waitingJobIsNotQueuedTwice()
    {
        Harness h;
        FakeAgentQueues queues;
        h.answer = [&queues](const RunJob &job) { return queues.offer(job); };
        [[maybe_unused]] const auto [web, plugin, check] = h.oneSeries({60});
        h.start();
        h.runUntil(Start.addSecs(3 * 60));
        QCOMPARE(queues.waiting.value(web).size(), 1);
        QCOMPARE(h.scheduler->counters().queued, 1u);
        QVERIFY(h.scheduler->counters().alreadyWaiting >= 2u);
        QVERIFY(h.reports.isEmpty()); // waiting is normal, not trouble

        // "Check now" meets the same rule.
        QCOMPARE(h.scheduler->runNow(web).queued, 0);
        queues.drain();
        QCOMPARE(h.scheduler->runNow(web).queued, 1);
        h.verifyCounterInvariant();
    }

    void fullQueueIsCountedAndReportedFolded()
    {
        Harness h;
        FakeAgentQueues queues;
        queues.bound = 3;
        h.answer = [&queues](const RunJob &job) { return queues.offer(job); };
        const QUuid web = h.host(QStringLiteral("web"));
        QList<QUuid> plugins;
        for (int i = 0; i < 5; ++i)
            plugins.append(h.f.plugin(QStringLiteral("p%1").arg(i)));
        const QUuid check = h.f.check({web}, {}, plugins);
        h.f.schedule({check}, {10});
        h.start();

        h.now = *h.scheduler->nextDue();
        QCOMPARE(h.scheduler->runDue(), 5);
        QCOMPARE(h.scheduler->counters().queued, 3u);
        QCOMPARE(h.scheduler->counters().queueFull, 2u);
        QCOMPARE(h.reports.size(), 1); // folded per host
        QCOMPARE(h.reports.first().kind, SchedulerReport::Kind::QueueFull);
        QCOMPARE(h.reports.first().series.hostId, web);

        // The agent never drains: two minutes later, two more reports carry the folded counts.
        h.runUntil(h.now.addSecs(120));
        const SchedulerCounters &c = h.scheduler->counters();
        QCOMPARE(c.queued, 3u);
        QCOMPARE(c.queueFull, 2u + 12 * 2);
        QCOMPARE(c.alreadyWaiting, 12u * 3);
        QCOMPARE(h.reports.size(), 3);
        qint64 reported = 0;
        for (const SchedulerReport &report : std::as_const(h.reports))
            reported += report.count;
        QVERIFY(reported <= static_cast<qint64>(c.queueFull));
        QVERIFY(reported >= static_cast<qint64>(c.queueFull) - 12);
        h.verifyCounterInvariant();
    }

    // --- configuration --------------------------------------------------------------------

    void configurationChangesApplyWithoutRestart()
    {
        Harness h;
        const QUuid web = h.host(QStringLiteral("web"));
        const QUuid db = h.host(QStringLiteral("db"));
        const QUuid cpu = h.f.plugin(QStringLiteral("cpu"));
        const QUuid disk = h.f.plugin(QStringLiteral("disk"));
        const QUuid hourly = h.f.check({web}, {}, {cpu});
        const QUuid minutely = h.f.check({db}, {}, {cpu});
        const QUuid hourlySchedule = h.f.schedule({hourly}, {Hour});
        h.f.schedule({minutely}, {60});
        h.start();
        h.runUntil(Start.addSecs(10 * 60));
        const SeriesKey webCpu{web, hourly, cpu};
        const SeriesKey dbCpu{db, minutely, cpu};
        const std::optional<QDateTime> webNext = h.scheduler->nextSlot(webCpu);
        const std::optional<QDateTime> dbNext = h.scheduler->nextSlot(dbCpu);
        QVERIFY(webNext && dbNext);

        // Unrelated change: both keep their next slot.
        const QUuid mail = h.host(QStringLiteral("mail"));
        h.reconfigure();
        QCOMPARE(h.scheduler->nextSlot(webCpu), webNext);
        QCOMPARE(h.scheduler->nextSlot(dbCpu), dbNext);
        QVERIFY(!h.scheduler->nextSlot({mail, hourly, cpu}));

        // A new plugin and a new host on a check: their next future slot, not an old one.
        h.f.config.checks[hourly].plugins.append({disk, {}, std::nullopt});
        h.f.config.checks[hourly].hostIds.append(mail);
        h.reconfigure();
        QCOMPARE(h.scheduler->nextSlot(webCpu), webNext);
        for (const SeriesKey &added : {SeriesKey{web, hourly, disk}, SeriesKey{mail, hourly, cpu}}) {
            const std::optional<QDateTime> next = h.scheduler->nextSlot(added);
            QVERIFY(next && *next >= h.now && *next < h.now.addSecs(Hour));
        }

        // The hourly schedule becomes every 30 s: the next slot follows the new timing now.
        h.f.config.schedules[hourlySchedule].intervals = {{Start.addDays(-10), 30}};
        h.reconfigure();
        const std::optional<QDateTime> retimed = h.scheduler->nextSlot(webCpu);
        QVERIFY(retimed && *retimed >= h.now && *retimed < h.now.addSecs(30));
        QCOMPARE(Start.addDays(-10).msecsTo(*retimed) % 30000, offsetOf(web, 30));

        // Removed: the db series vanishes and never runs again.
        h.f.config.checks.remove(minutely);
        h.reconfigure();
        QVERIFY(!h.scheduler->nextSlot(dbCpu));
        const qsizetype dbRuns = h.jobsOf(dbCpu).size();
        h.runUntil(h.now.addSecs(10 * 60));
        QCOMPARE(h.jobsOf(dbCpu).size(), dbRuns);
        QVERIFY(h.jobsOf(webCpu).size() >= 19);
        h.verifyCounterInvariant();
    }

    void retimingNeverRepeatsAHandledSlot()
    {
        // A slot just run stays run when an interval that shares it is added.
        Harness h;
        const QUuid web = h.host(QStringLiteral("web"));
        const QUuid plugin = h.f.plugin(QStringLiteral("cpu"));
        const QUuid check = h.f.check({web}, {}, {plugin});
        const QUuid schedule = h.f.schedule({check}, {60});
        h.start();
        h.runUntil(*h.scheduler->nextDue());
        QCOMPARE(h.jobs.size(), 1);
        h.f.config.schedules[schedule].intervals.append({Start.addDays(-10), 120});
        h.reconfigure();
        QCOMPARE(h.scheduler->runDue(), 0);
        QCOMPARE(h.scheduler->nextDue(), h.jobs.first().slot.addSecs(60));
    }

    void restartResumesWithoutBurst()
    {
        // 600 hosts on a 60 s schedule, the core starting at an arbitrary instant: only the
        // series whose slot fell in the last 10 s (the maximum lateness) run at once, each once.
        Harness h;
        const QUuid plugin = h.f.plugin(QStringLiteral("cpu"));
        QList<QUuid> hosts;
        for (int i = 0; i < 600; ++i)
            hosts.append(h.host(QStringLiteral("h%1").arg(i)));
        const QUuid check = h.f.check(hosts, {}, {plugin});
        h.f.schedule({check}, {60});
        h.now = Start.addMSecs(37'123);
        h.start();

        int expected = 0;
        for (const QUuid &hostId : hosts) {
            const qint64 sinceSlot = (ms(h.now) - ms(Start.addDays(-10)) - offsetOf(hostId, 60)) % 60000;
            if (sinceSlot <= 10000)
                ++expected;
        }
        QVERIFY(expected > 50 && expected < 200);
        QCOMPARE(h.scheduler->runDue(), expected);
        QSet<QUuid> ran;
        for (const RunJob &job : std::as_const(h.jobs)) {
            QVERIFY(job.slot.msecsTo(job.queuedAt) <= 10000);
            QVERIFY(job.slot.msecsTo(job.queuedAt) >= 0);
            ran.insert(job.series.hostId);
        }
        QCOMPARE(ran.size(), expected);
        QCOMPARE(h.scheduler->counters().skippedLate, 0u);
        QVERIFY(*h.scheduler->nextDue() > h.now);

        // A minute later every host has run once more, no more.
        h.runUntil(h.now.addSecs(60));
        QCOMPARE(h.jobs.size(), expected + 600);
    }

    // --- check now ------------------------------------------------------------------------

    void checkNowQueuesAtOnce()
    {
        Harness h;
        const QUuid web = h.host(QStringLiteral("web"));
        const QUuid cpu = h.f.plugin(QStringLiteral("cpu"));
        const QUuid disk = h.f.plugin(QStringLiteral("disk"));
        const QUuid system = h.f.check({web}, {}, {cpu, disk});
        const QUuid other = h.f.check({web}, {}, {cpu});
        const QUuid unscheduled = h.f.check({web}, {}, {disk});
        h.f.schedule({system, other}, {Hour});
        h.start();
        const std::optional<QDateTime> due = h.scheduler->nextDue();
        h.now = Start.addSecs(5);

        RunNowResult result = h.scheduler->runNow(web);
        QCOMPARE(result.matched, 4); // unscheduled checks can run by hand too
        QCOMPARE(result.queued, 4);
        for (const RunJob &job : std::as_const(h.jobs)) {
            QVERIFY(job.manual);
            QCOMPARE(job.slot, h.now);
            QCOMPARE(job.queuedAt, h.now);
        }
        QCOMPARE(h.scheduler->runNow(web, system).matched, 2);
        QCOMPARE(h.scheduler->runNow(web, system, disk).matched, 1);
        QCOMPARE(h.jobs.last().series, (SeriesKey{web, system, disk}));
        QCOMPARE(h.scheduler->runNow(web, unscheduled).matched, 1);
        QCOMPARE(h.scheduler->runNow(QUuid::createUuid()).matched, 0);
        QCOMPARE(h.scheduler->runNow(web, QUuid::createUuid()).matched, 0);

        QCOMPARE(h.scheduler->nextDue(), due); // regular slots untouched
        QCOMPARE(h.scheduler->counters().manual, 8u);
        QCOMPARE(h.scheduler->counters().scheduled, 0u);
        h.verifyCounterInvariant();
    }

    // --- clock jumps ----------------------------------------------------------------------

    void clockStepBackSmallerThanAPeriod()
    {
        Harness h;
        [[maybe_unused]] const auto [web, plugin, check] = h.oneSeries({60});
        h.start();
        const QDateTime slot = *h.scheduler->nextDue();
        h.runUntil(slot.addSecs(1));
        QCOMPARE(h.jobs.size(), 1);

        // Back 20 s: the slot just run is not run again when the clock passes it a second time,
        // and the next one waits only the 20 s, not a period more.
        h.now = slot.addSecs(-19);
        QCOMPARE(h.scheduler->runDue(), 0);
        h.runUntil(slot.addSecs(59));
        QCOMPARE(h.jobs.size(), 1);
        h.runUntil(slot.addSecs(60));
        QCOMPARE(h.jobs.size(), 2);
        QCOMPARE(h.jobs.last().slot, slot.addSecs(60));
    }

    void clockStepBackByHours()
    {
        Harness h;
        [[maybe_unused]] const auto [web, plugin, check] = h.oneSeries({60});
        h.start();
        h.runUntil(Start.addSecs(10 * 60));
        const qsizetype before = h.jobs.size();

        // Back three hours: runs go on once a minute instead of pausing for three hours.
        h.now = h.now.addSecs(-3 * Hour);
        h.scheduler->runDue();
        QVERIFY(*h.scheduler->nextDue() <= h.now.addSecs(60));
        h.runUntil(h.now.addSecs(5 * 60));
        QVERIFY(h.jobs.size() - before >= 5 && h.jobs.size() - before <= 6);
        QCOMPARE(h.scheduler->counters().skippedLate, 0u);
        QSet<QDateTime> slots;
        for (qsizetype i = before; i < h.jobs.size(); ++i)
            slots.insert(h.jobs.at(i).slot);
        QCOMPARE(slots.size(), h.jobs.size() - before);
    }

    void clockJumpsBackAndForth()
    {
        Harness h;
        QList<QUuid> hosts;
        const QUuid plugin = h.f.plugin(QStringLiteral("cpu"));
        for (int i = 0; i < 10; ++i)
            hosts.append(h.host(QStringLiteral("h%1").arg(i)));
        const QUuid check = h.f.check(hosts, {}, {plugin});
        h.f.schedule({check}, {30});
        h.start();
        for (qint64 jump :
             {qint64(7200), qint64(-7200), qint64(-5), qint64(86400), qint64(-40), qint64(300)}) {
            h.runUntil(h.now.addSecs(120));
            const qsizetype before = h.jobs.size();
            h.now = h.now.addSecs(jump);
            QVERIFY(h.scheduler->runDue() <= 10);                      // never a burst
            QVERIFY(*h.scheduler->nextDue() <= h.now.addSecs(30 + 5)); // never a long wait
            h.runUntil(h.now.addSecs(120));
            const qsizetype ran = h.jobs.size() - before;
            QVERIFY2(ran >= 30 && ran <= 60,
                     qPrintable(QStringLiteral("jump %1: %2 runs").arg(jump).arg(ran)));
        }
        h.verifyCounterInvariant();
    }

    // --- what runs where ------------------------------------------------------------------

    void disabledAndUnenrolledObjectsDoNotRun()
    {
        Harness h;
        const QUuid web = h.host(QStringLiteral("web"));
        const QUuid off = h.host(QStringLiteral("off"), false);
        const QUuid fresh = h.f.host(QStringLiteral("not enrolled"));
        const QUuid cpu = h.f.plugin(QStringLiteral("cpu"));
        const QUuid http = h.f.plugin(QStringLiteral("http"));
        h.f.config.plugins[http].runtime = PluginRuntime::Server; // the core runs it, still a job
        const QUuid running = h.f.check({web, off, fresh}, {}, {cpu, http});
        const QUuid disabledCheck = h.f.check({web}, {}, {cpu}, false);
        const QUuid pausedCheck = h.f.check({web}, {}, {cpu});
        h.f.schedule({running, disabledCheck}, {60});
        h.f.schedule({pausedCheck}, {60}, false);
        h.start();
        h.runUntil(Start.addSecs(5 * 60));

        QSet<SeriesKey> ran;
        for (const RunJob &job : std::as_const(h.jobs))
            ran.insert(job.series);
        QCOMPARE(ran, (QSet<SeriesKey>{{web, running, cpu}, {web, running, http}}));
        QCOMPARE(h.scheduler->runNow(off).matched, 0);
        QCOMPARE(h.scheduler->runNow(fresh).matched, 0);
        QVERIFY(!h.scheduler->nextSlot({web, pausedCheck, cpu}));

        // Enrolling and enabling apply on the next configuration.
        h.f.config.hosts[fresh].agentKeySha256 = QString(64, QLatin1Char('b'));
        h.f.config.hosts[off].enabled = true;
        for (Schedule &schedule : h.f.config.schedules)
            schedule.enabled = true;
        h.reconfigure();
        QVERIFY(h.scheduler->nextSlot({fresh, running, http}));
        QVERIFY(h.scheduler->nextSlot({off, running, cpu}));
        QVERIFY(h.scheduler->nextSlot({web, pausedCheck, cpu}));
        QVERIFY(!h.scheduler->nextSlot({web, disabledCheck, cpu}));
    }

    void nestedHostGroups()
    {
        Harness h;
        const QUuid web1 = h.host(QStringLiteral("web1"));
        const QUuid web2 = h.host(QStringLiteral("web2"));
        const QUuid db = h.host(QStringLiteral("db"));
        const QUuid lonely = h.host(QStringLiteral("lonely"));
        const QUuid webGroup = h.f.group(QStringLiteral("web"), {web1, web2});
        const QUuid all = h.f.group(QStringLiteral("all"), {db, web1}, {webGroup});
        const QUuid loop = h.f.group(QStringLiteral("loop"), {}, {all});
        h.f.nestGroup(webGroup, loop); // a cycle that slipped in must not hang anything
        const QUuid cpu = h.f.plugin(QStringLiteral("cpu"));
        const QUuid check = h.f.check({web2}, {all}, {cpu});
        h.f.schedule({check}, {60});
        h.start();
        QCOMPARE(h.scheduler->seriesCount(), 3);
        h.runUntil(Start.addSecs(60));
        QSet<QUuid> hosts;
        for (const RunJob &job : std::as_const(h.jobs))
            hosts.insert(job.series.hostId);
        QCOMPARE(hosts, (QSet<QUuid>{web1, web2, db}));
        QCOMPARE(h.jobs.size(), 3); // web1 and web2 are reached twice, run once
        QVERIFY(!hosts.contains(lonely));
    }

    // --- the Qt driver --------------------------------------------------------------------

    void driverRunsSlotsOnARealEventLoop()
    {
        // Real clock and timers; only generous bounds, the machine is shared.
        test::ConfigurationFixture f;
        QList<QUuid> hosts;
        for (int i = 0; i < 3; ++i) {
            hosts.append(f.host(QStringLiteral("h%1").arg(i)));
            f.config.hosts[hosts.last()].agentKeySha256 = QStringLiteral("aa");
        }
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid check = f.check(hosts, {}, {cpu});
        f.schedule({check}, {1});

        QList<RunJob> jobs;
        Scheduler scheduler([&jobs](const RunJob &job) {
            jobs.append(job);
            return EnqueueOutcome::Queued;
        });
        scheduler.setConfiguration(f.config);
        SchedulerDriver driver(scheduler);
        driver.start();
        QTRY_VERIFY_WITH_TIMEOUT(jobs.size() >= 9, 20000);
        driver.stop();

        QHash<SeriesKey, QSet<QDateTime>> slots;
        for (const RunJob &job : std::as_const(jobs)) {
            QVERIFY(job.queuedAt >= job.slot); // never early
            QVERIFY(!slots[job.series].contains(job.slot));
            slots[job.series].insert(job.slot);
            QCOMPARE(ms(job.slot) % 1000, offsetOf(job.series.hostId, 1));
        }
        QCOMPARE(slots.size(), 3);

        // A configuration change re-arms the timer for a series added while it runs.
        const QUuid late = f.host(QStringLiteral("late"));
        f.config.hosts[late].agentKeySha256 = QStringLiteral("aa");
        f.config.checks[check].hostIds.append(late);
        driver.start();
        scheduler.setConfiguration(f.config);
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(jobs.begin(), jobs.end(),
                                             [&](const RunJob &job) { return job.series.hostId == late; }),
                                 20000);
        const qsizetype before = jobs.size();
        QCOMPARE(scheduler.runNow(late).matched, 1);
        QCOMPARE(jobs.size(), before + 1);
        QVERIFY(jobs.last().manual);
        driver.stop();
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
