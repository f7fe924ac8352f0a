#include "daemon-core/scheduler/schedulerreporter.h"

#include <QLoggingCategory>

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcScheduler, "prophasis.core.scheduler")

QString seconds(qint64 ms)
{
    return QString::number(static_cast<double>(ms) / 1000.0, 'f', 1);
}

std::size_t indexOf(SchedulerReport::Kind kind)
{
    return static_cast<std::size_t>(kind);
}

} // namespace

SchedulerReporter::SchedulerReporter(const SchedulerOptions &options)
    : m_options(options)
    , m_lateFold(options.reportFoldWindow.count())
    , m_queueFullFold(options.reportFoldWindow.count())
{
}

void SchedulerReporter::setConfiguration(const Configuration &config)
{
    m_config = config;
}

void SchedulerReporter::skipped(const SeriesKey &series, qint64 oldestSlotMs, qint64 nowMs, qint64 count)
{
    if (const std::optional<qint64> folded = m_lateFold.note(series, nowMs, count)) {
        report({SchedulerReport::Kind::SkippedLate, series,
                QDateTime::fromMSecsSinceEpoch(oldestSlotMs, Qt::UTC), nowMs - oldestSlotMs, *folded, 1},
               nowMs);
    }
}

void SchedulerReporter::queueFull(const SeriesKey &series, qint64 slotMs, qint64 nowMs)
{
    if (const std::optional<qint64> folded = m_queueFullFold.note(series.hostId, nowMs)) {
        report({SchedulerReport::Kind::QueueFull, series, QDateTime::fromMSecsSinceEpoch(slotMs, Qt::UTC),
                nowMs - slotMs, *folded, 1},
               nowMs);
    }
}

void SchedulerReporter::report(const SchedulerReport &report, qint64 nowMs)
{
    Round &round = m_rounds[indexOf(report.kind)];
    if (round.reported >= MaxReportsPerRound) {
        ++round.heldBackSeries;
        round.heldBackCount += report.count;
        round.maxLatenessMs = std::max(round.maxLatenessMs, report.latenessMs);
        round.lastNowMs = nowMs;
        return;
    }
    ++round.reported;
    log(report);
    if (m_handler)
        m_handler(report);
}

void SchedulerReporter::endRound()
{
    for (SchedulerReport::Kind kind :
         {SchedulerReport::Kind::SkippedLate, SchedulerReport::Kind::QueueFull}) {
        Round round = std::exchange(m_rounds[indexOf(kind)], Round{});
        if (round.heldBackSeries == 0)
            continue;
        const SchedulerReport summary{kind,
                                      SeriesKey{},
                                      QDateTime::fromMSecsSinceEpoch(round.lastNowMs, Qt::UTC),
                                      round.maxLatenessMs,
                                      round.heldBackCount,
                                      round.heldBackSeries};
        log(summary);
        if (m_handler)
            m_handler(summary);
    }
}

void SchedulerReporter::prune(qint64 nowMs)
{
    m_lateFold.prune(nowMs);
    m_queueFullFold.prune(nowMs);
}

void SchedulerReporter::clockWentBack(qint64 stepMs, qsizetype rebasedSeries) const
{
    qCInfo(lcScheduler).noquote()
        << QStringLiteral("The clock went back by %1 s; %2 series take their next slot from now")
               .arg(seconds(stepMs))
               .arg(rebasedSeries);
}

void SchedulerReporter::log(const SchedulerReport &report) const
{
    const bool summary = report.series.hostId.isNull();
    const QString what =
        summary ? QStringLiteral("%1 more series").arg(report.seriesCount) : describe(report.series);
    switch (report.kind) {
    case SchedulerReport::Kind::SkippedLate:
        qCWarning(lcScheduler).noquote()
            << QStringLiteral(
                   "Runs of %1 were reached up to %2 s late and skipped (the maximum lateness is %3 s): "
                   "%4 run(s) skipped since the last report")
                   .arg(what, seconds(report.latenessMs), seconds(m_options.maxLateness.count()))
                   .arg(report.count);
        break;
    case SchedulerReport::Kind::QueueFull:
        qCWarning(lcScheduler).noquote()
            << QStringLiteral(
                   "Runs of %1 were not queued because the agent's queue is full: %2 run(s) refused "
                   "since the last report")
                   .arg(what)
                   .arg(report.count);
        break;
    }
}

QString SchedulerReporter::describe(const SeriesKey &key) const
{
    const Plugin plugin = m_config.plugins.value(key.pluginId);
    return QStringLiteral("plugin %1 of check \"%2\" on host %3 (%4)")
        .arg(plugin.pluginId.isEmpty() ? plugin.name : plugin.pluginId,
             m_config.checks.value(key.checkId).name, m_config.hosts.value(key.hostId).name,
             key.hostId.toString(QUuid::WithoutBraces));
}

} // namespace prophasis
