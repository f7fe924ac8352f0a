#pragma once

#include <QDateTime>
#include <QHash>
#include <QMutex>

#include <optional>

#include "shared/domain/checkresult.h"
#include "shared/health/healthcalculator.h"

namespace prophasis {

class Database;
struct TimeChunk;

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

// How long the time series is kept. Raw results (with their metrics and messages) are kept
// whole days, hourly rollups whole months: expiry drops a day or month once all of it is older.
struct RetentionPolicy
{
    static constexpr int DefaultRawDays = 30;
    static constexpr int DefaultRollupDays = 731; // two years
    int rawDays = DefaultRawDays;
    int rollupDays = DefaultRollupDays;
};

struct ExpiryReport
{
    int rawChunksDropped = 0;    // days of raw results
    int rollupChunksDropped = 0; // months of rollups
    int rawChunksPacked = 0;     // days packed by compact(), when ResultRetention ran both
};

struct CompactionReport
{
    int rawChunksPacked = 0; // days
    qint64 resultsPacked = 0;
};

// Where a chart's points come from.
enum class RangeSource
{
    Automatic, // raw results for ranges up to RawRangeLimitMs that raw data still covers, else hourly
    Raw,
    Hourly,
};

// One chart point: the values (or rollups) whose time falls in [time, time + bucket).
struct RangePoint
{
    QDateTime time; // start of the bucket
    double min = 0;
    double average = 0;
    double max = 0;
    qint64 count = 0; // values aggregated
};

struct SeriesRange
{
    RangeSource source = RangeSource::Raw; // Raw or Hourly: what answered
    qint64 bucketMs = 0;
    QList<RangePoint> points; // oldest first; buckets without values are left out
};

struct MessageEntry
{
    QDateTime time;
    QString message;
    ResultType type = ResultType::Success;
    State classification = State::Unknown;
};

// The series ids of (host, check, plugin), remembered across batches by the one who writes
// them (the ResultWriter), so a batch of known series costs no lookup. Thread-safe: storage
// workers share it. Only ids of committed rows enter it, and it is emptied whenever a batch
// fails, so an id of a series deleted meanwhile (with its host, check or plugin) is looked up
// again and refused with a clear error.
class SeriesIdCache
{
public:
    std::optional<qint64> find(const SeriesKey &key) const
    {
        QMutexLocker locker(&m_mutex);
        const auto it = m_ids.constFind(key);
        return it == m_ids.constEnd() ? std::nullopt : std::optional<qint64>(*it);
    }
    void insert(const QHash<SeriesKey, qint64> &ids)
    {
        QMutexLocker locker(&m_mutex);
        m_ids.insert(ids);
    }
    void clear()
    {
        QMutexLocker locker(&m_mutex);
        m_ids.clear();
    }

private:
    mutable QMutex m_mutex;
    QHash<SeriesKey, qint64> m_ids;
};

// The time series: results with their metrics, messages stored once per day, the latest result
// of each (host, check, plugin) kept on its series row, and hourly rollups maintained as
// results arrive; everything in time chunks (timechunks.h) that expire by dropping tables.
class ResultStore
{
public:
    // Rows per multi-row INSERT: well under SQLite's 32,766 bound parameters.
    static constexpr int RowsPerStatement = 250;
    // Longer messages are cut; a plugin's message is meant for one line in a list.
    static constexpr int MaxMessageLength = 4096;
    // Charts of ranges up to this long are drawn from raw results, longer ones from rollups.
    static constexpr qint64 RawRangeLimitMs = 2 * 86'400'000LL;
    static constexpr int MaxRangePoints = 10'000;

    // With a cache, writes skip the lookup of series they have written before.
    explicit ResultStore(Database &db, SeriesIdCache *seriesIdCache = nullptr);

    // Stores a batch in one transaction with multi-row inserts: a batch is written whole or
    // not at all. Results must name existing hosts, checks and plugins (MissingReference) and
    // have a time between 1970 and 9999 (Invalid). A series holds one result per millisecond:
    // a result whose (series, time) is already stored is ignored, so writing a batch twice
    // (replaying it after an outage) stores it once. Messages lose NUL characters and are cut
    // to MaxMessageLength; values and metrics that are not finite numbers are dropped.
    void insert(const QList<CheckResult> &results);

    // The latest result of every series: what host and service health is computed from.
    LatestResults latest();
    // The latest result of one series, without metrics; kept after its day has expired.
    std::optional<CheckResult> latestResult(const SeriesKey &series);

    // The last `count` results of one series, oldest first — the order classifiers see.
    QList<CheckResult> lastResults(const SeriesKey &series, int count);

    // Results of one host with from <= time < to, oldest first, at most `limit`.
    QList<CheckResult> hostResults(const QUuid &hostId, const QDateTime &from, const QDateTime &to,
                                   int limit = 10'000);

    // Hourly rollups of a series' value (metricName empty) or of a metric, for hours starting
    // in [from, to), oldest first.
    QList<HourlyRollup> hourlyRollups(const SeriesKey &series, const QString &metricName, const QString &unit,
                                      const QDateTime &from, const QDateTime &to);

    // A chart of a series' value (metricName empty) or of a metric over [from, to) in at most
    // `maxPoints` buckets of equal width (hourly rollups: whole hours from the hour holding
    // `from`), aggregated by the database.
    SeriesRange range(const SeriesKey &series, const QString &metricName, const QString &unit,
                      const QDateTime &from, const QDateTime &to, int maxPoints,
                      RangeSource source = RangeSource::Automatic);

    // The messages of a series with from <= time < to, newest first, at most `limit`.
    QList<MessageEntry> messageHistory(const SeriesKey &series, const QDateTime &from, const QDateTime &to,
                                       int limit);

    // Drops the raw days and rollup months that are entirely older than the policy keeps,
    // counted back from `now`.
    ExpiryReport expire(const QDateTime &now, const RetentionPolicy &policy = {});

    // PostgreSQL: packs every raw day that ended at least PackAfterMs before `now` and is not
    // packed yet (TimeChunks::pack), so a result takes well under 100 B; readers and writers
    // see no difference. Safe with concurrent writers and several cores (each day is packed
    // once). On SQLite nothing is packed.
    static constexpr qint64 PackAfterMs = 3'600'000;
    CompactionReport compact(const QDateTime &now);

private:
    struct StoredRow;
    void writeBatch(const QList<CheckResult> &results);
    QHash<SeriesKey, qint64> seriesIds(const QList<CheckResult> &results);
    QHash<qint64, qint64> messageIds(const TimeChunk &chunk, const QList<CheckResult> &results,
                                     const QList<qsizetype> &rows);
    QHash<std::pair<QString, QString>, qint64> metricIds(const QList<CheckResult> &results);
    std::optional<qint64> seriesId(const SeriesKey &series);
    std::optional<qint64> metricId(const QString &name, const QString &unit);
    QList<StoredRow> readRows(const TimeChunk &chunk, const QString &where,
                              const QHash<qint64, SeriesKey> &seriesKeys);
    QList<CheckResult> withMetrics(const QList<StoredRow> &rows);
    SeriesRange rawRange(qint64 seriesId, qint64 metricId, qint64 fromMs, qint64 toMs, int maxPoints);
    SeriesRange hourlyRange(qint64 seriesId, qint64 metricId, qint64 fromMs, qint64 toMs, int maxPoints);

    Database &m_db;
    SeriesIdCache *m_seriesIdCache;
    QHash<SeriesKey, qint64> m_uncachedSeriesIds; // looked up by this batch, cached once it commits
};

} // namespace prophasis
