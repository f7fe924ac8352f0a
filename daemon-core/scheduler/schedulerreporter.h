#pragma once

#include <array>

#include "daemon-core/scheduler/reportfold.h"
#include "daemon-core/scheduler/schedulertypes.h"
#include "shared/domain/configuration.h"

namespace prophasis {

// Tells the admin about skipped runs and full queues without flooding the log: repeats are
// folded per series (skips) or per host (full queues) per fold window, and one round of the
// scheduler (a runDue call) reports at most MaxReportsPerRound series of each kind on their own;
// the rest go into one summary, so a suspend or a stalled dispatcher with 20,000 series writes a
// few lines, not 20,000.
class SchedulerReporter
{
public:
    static constexpr int MaxReportsPerRound = 20;

    explicit SchedulerReporter(const SchedulerOptions &options);

    void setHandler(SchedulerReportHandler handler) { m_handler = std::move(handler); }
    // The names that log lines show.
    void setConfiguration(const Configuration &config);

    void skipped(const SeriesKey &series, qint64 oldestSlotMs, qint64 nowMs, qint64 count);
    void queueFull(const SeriesKey &series, qint64 slotMs, qint64 nowMs);
    // Ends a round: one summary per kind for the series held back by the round's budget.
    void endRound();
    // Logs that series were re-based after the wall clock was set back.
    void clockWentBack(qint64 stepMs, qsizetype rebasedSeries) const;
    // Forgets fold state that no longer matters.
    void prune(qint64 nowMs);

private:
    struct Round
    {
        int reported = 0;
        qint64 heldBackSeries = 0;
        qint64 heldBackCount = 0;
        qint64 maxLatenessMs = 0;
        qint64 lastNowMs = 0;
    };

    void report(const SchedulerReport &report, qint64 nowMs);
    void log(const SchedulerReport &report) const;
    QString describe(const SeriesKey &key) const;

    SchedulerOptions m_options;
    SchedulerReportHandler m_handler;
    Configuration m_config;
    ReportFold<SeriesKey> m_lateFold;
    ReportFold<QUuid> m_queueFullFold;
    std::array<Round, 2> m_rounds; // by SchedulerReport::Kind
};

} // namespace prophasis
