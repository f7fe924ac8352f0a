#pragma once

#include <QDateTime>
#include <QHash>

#include "shared/domain/checkresult.h"
#include "shared/health/healthcalculator.h"

namespace prophasis {

class Database;

// Hourly aggregate of a series' value or of one of its metrics.
struct HourlyRollup
{
    QDateTime hour; // start of the hour, UTC
    double min = 0;
    double max = 0;
    double sum = 0;
    qint64 count = 0;
    double average() const { return count ? sum / double(count) : 0; }
};

// The time series: results with their metrics, messages stored once, the latest result of
// each (host, check, plugin) kept beside it, and hourly rollups maintained as results arrive.
class ResultStore
{
public:
    // Rows per multi-row INSERT: well under SQLite's 32,766 bound parameters.
    static constexpr int RowsPerStatement = 250;
    // Longer messages are cut; a plugin's message is meant for one line in a list.
    static constexpr int MaxMessageLength = 4096;

    explicit ResultStore(Database &db);

    // Stores a batch in one transaction with multi-row inserts: a batch is written whole or
    // not at all. Results must name existing hosts, checks and plugins (MissingReference).
    // Messages lose NUL characters and are cut to MaxMessageLength; values and metrics that
    // are not finite numbers are dropped.
    void insert(const QList<CheckResult> &results);

    // The latest result of every series: what host and service health is computed from.
    LatestResults latest();

    // The last `count` results of one series, oldest first — the order classifiers see.
    QList<CheckResult> lastResults(const SeriesKey &series, int count);

    // Results of one host with from <= time < to, oldest first, at most `limit`.
    QList<CheckResult> hostResults(const QUuid &hostId, const QDateTime &from, const QDateTime &to, int limit = 10'000);

    // Hourly rollups of a series' value (metricName empty) or of a metric, for hours starting
    // in [from, to), oldest first.
    QList<HourlyRollup> hourlyRollups(const SeriesKey &series, const QString &metricName, const QString &unit,
                                      const QDateTime &from, const QDateTime &to);

private:
    QHash<SeriesKey, qint64> seriesIds(const QList<CheckResult> &results);
    QHash<QString, qint64> messageIds(const QList<CheckResult> &results);
    QHash<std::pair<QString, QString>, qint64> metricIds(const QList<CheckResult> &results);
    QList<CheckResult> readResults(const QString &where, const QVariantList &values);

    Database &m_db;
};

} // namespace prophasis
