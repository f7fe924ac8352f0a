// Measures the scheduler (SPEC §5) at 20,000 runs a minute.
//
//   bench_scheduler [--hosts H] [--plugins P] [--period S] [--seconds T] [--min-wake MS]
//
// 1. Pure logic on a simulated clock: the time to apply a configuration of H × P series and the
//    CPU per scheduled run (runDue handing each run to a sink that only counts).
// 2. The real thing: SchedulerDriver on an event loop with the wall clock for T seconds; the
//    sink records queuedAt − slot with microsecond precision. Prints lateness p50 / p99 / max
//    and the process CPU per run. Runs whose slot lies before the driver started (the restart
//    resuming slots within the maximum lateness, slots due while the first configuration was
//    applied) are counted apart: their lateness is a start-up effect, by design.
//    Skip reports are not logged (the count is printed); the first seconds skip a few resumed
//    slots that reached the edge of the maximum lateness while the configuration was applied.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include "daemon-core/scheduler/scheduler.h"
#include "daemon-core/scheduler/schedulerdriver.h"

using namespace prophasis;

namespace {

double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

qint64 nowMicros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Configuration makeConfiguration(int hostCount, int pluginCount, qint64 periodSeconds)
{
    Configuration config;
    Check check;
    check.id = QUuid::createUuid();
    check.name = QStringLiteral("bench");
    for (int p = 0; p < pluginCount; ++p) {
        Plugin plugin;
        plugin.id = QUuid::createUuid();
        plugin.pluginId = QStringLiteral("bench.p%1").arg(p);
        config.plugins.insert(plugin.id, plugin);
        check.plugins.append({plugin.id, {}, std::nullopt});
    }
    for (int h = 0; h < hostCount; ++h) {
        Host host;
        host.id = QUuid::createUuid();
        host.name = QStringLiteral("host%1").arg(h);
        host.agentKeySha256 = QString(64, QLatin1Char('a'));
        config.hosts.insert(host.id, host);
        check.hostIds.append(host.id);
    }
    config.checks.insert(check.id, check);
    Schedule schedule;
    schedule.id = QUuid::createUuid();
    schedule.intervals.append({QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC), periodSeconds});
    schedule.checkIds.append(check.id);
    config.schedules.insert(schedule.id, schedule);
    return config;
}

double percentile(std::vector<qint64> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
    return static_cast<double>(sorted[index]) / 1000.0;
}

void pureLogic(QTextStream &out, const Configuration &config, qint64 periodSeconds)
{
    QDateTime now = QDateTime::currentDateTimeUtc();
    quint64 runs = 0;
    Scheduler scheduler(
        [&runs](const RunJob &) {
            ++runs;
            return EnqueueOutcome::Queued;
        },
        [&now] { return now; });

    QElapsedTimer timer;
    timer.start();
    scheduler.setConfiguration(config);
    const double applyMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    timer.restart();
    scheduler.setConfiguration(config);
    const double reapplyMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;

    // Ten periods, run at every due time as a perfect driver would.
    const QDateTime end = now.addSecs(10 * periodSeconds);
    runs = 0;
    const double cpuStart = cpuSeconds();
    for (auto due = scheduler.nextDue(); due && *due <= end; due = scheduler.nextDue()) {
        now = *due;
        scheduler.runDue();
    }
    const double cpu = cpuSeconds() - cpuStart;
    out << "pure logic: " << scheduler.seriesCount() << " series; first configuration " << qRound(applyMs)
        << " ms, unchanged re-apply " << qRound(reapplyMs) << " ms\n";
    out << "pure logic: " << runs << " runs over 10 periods, CPU per run "
        << QString::number(cpu / static_cast<double>(std::max<quint64>(runs, 1)) * 1e6, 'f', 2) << " µs\n";
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("prophasis.core.scheduler.warning=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("hosts"), QStringLiteral("Hosts."), QStringLiteral("H"), QStringLiteral("20000")},
        {QStringLiteral("plugins"), QStringLiteral("Plugins per host."), QStringLiteral("P"),
         QStringLiteral("1")},
        {QStringLiteral("period"), QStringLiteral("Schedule period in seconds."), QStringLiteral("S"),
         QStringLiteral("60")},
        {QStringLiteral("seconds"), QStringLiteral("Length of the real-time run."), QStringLiteral("T"),
         QStringLiteral("150")},
        {QStringLiteral("min-wake"), QStringLiteral("The driver's minimum wake-up interval in ms."),
         QStringLiteral("MS"), QString::number(SchedulerDriver::DefaultMinWakeInterval.count())},
    });
    parser.process(app);
    QTextStream out(stdout);
    const int hostCount = parser.value(QStringLiteral("hosts")).toInt();
    const int pluginCount = parser.value(QStringLiteral("plugins")).toInt();
    const qint64 period = parser.value(QStringLiteral("period")).toLongLong();
    const int seconds = parser.value(QStringLiteral("seconds")).toInt();

    const Configuration config = makeConfiguration(hostCount, pluginCount, period);
    out << "bench_scheduler: " << hostCount << " hosts × " << pluginCount << " plugins every " << period
        << " s = "
        << qRound(static_cast<double>(hostCount * pluginCount) * 60.0 / static_cast<double>(period))
        << " runs per minute\n";
    pureLogic(out, config, period);
    out.flush();

    std::vector<qint64> lateness; // µs
    lateness.reserve(static_cast<std::size_t>(hostCount * pluginCount) * static_cast<std::size_t>(seconds) /
                         static_cast<std::size_t>(period) +
                     1024);
    qint64 resumed = 0;
    qint64 startMicros = 0;
    Scheduler scheduler([&](const RunJob &job) {
        const qint64 slotMicros = job.slot.toMSecsSinceEpoch() * 1000;
        if (slotMicros < startMicros)
            ++resumed;
        else
            lateness.push_back(nowMicros() - slotMicros);
        return EnqueueOutcome::Queued;
    });
    scheduler.setConfiguration(config);
    SchedulerDriver driver(scheduler);
    driver.setMinWakeInterval(std::chrono::milliseconds(parser.value(QStringLiteral("min-wake")).toInt()));
    startMicros = nowMicros();
    const double cpuStart = cpuSeconds();
    driver.start();
    QTimer::singleShot(seconds * 1000, &app, &QCoreApplication::quit);
    app.exec();
    driver.stop();
    const double cpu = cpuSeconds() - cpuStart;

    std::sort(lateness.begin(), lateness.end());
    const quint64 runs = scheduler.counters().queued;
    out << "event loop: minimum wake-up interval " << parser.value(QStringLiteral("min-wake")) << " ms\n";
    out << "event loop: " << seconds << " s, " << runs << " runs (" << resumed
        << " with slots before the start: resumed or due while it applied the configuration), skipped late "
        << scheduler.counters().skippedLate << "\n";
    out << "event loop: lateness p50 " << QString::number(percentile(lateness, 0.50), 'f', 2) << " ms, p99 "
        << QString::number(percentile(lateness, 0.99), 'f', 2) << " ms, p99.9 "
        << QString::number(percentile(lateness, 0.999), 'f', 2) << " ms, max "
        << QString::number(percentile(lateness, 1.0), 'f', 2) << " ms\n";
    out << "event loop: process CPU " << QString::number(cpu, 'f', 2) << " s, per run "
        << QString::number(cpu / static_cast<double>(std::max<quint64>(runs, 1)) * 1e6, 'f', 2) << " µs ("
        << QString::number(cpu / seconds * 100.0, 'f', 2) << "% of one core)\n";
    return 0;
}
