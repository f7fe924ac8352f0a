// Measures the time series store: batched result writes, the bytes they take on disk, the reads
// health and charts need, a year of one-minute data charted from raw results and from hourly
// rollups, and retention expiry.
//
//   bench_results [--database URL] [--hosts H] [--plugins P] [--rounds R] [--metrics M]
//                 [--year-days D] [--points N] [--fractional]
//
// Each round writes one result for every (host, plugin) series as one batch, like a scheduler
// round would, each result with M metrics (whole numbers, or with --fractional two decimals,
// like load averages and percentages, which take more room). Prints results/s for the writes, bytes per
// result and the time of the reads that follow. Then one more series gets D days of one-minute results
// (written a day per batch) for the range queries and the expiry. On PostgreSQL, the bytes
// and reads again after packing the days (ResultStore::compact). Without --database, a
// temporary SQLite file.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <functional>

#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/timechunks.h"

using namespace prophasis;

namespace {

int option(const QCommandLineParser &parser, const QString &name)
{
    return parser.value(name).toInt();
}

QString ms(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 2) + QStringLiteral(" ms");
}

// The median of `runs` timed calls (the first call warms the caches and is not counted).
qint64 medianNs(int runs, const std::function<void()> &work)
{
    work();
    QList<qint64> times;
    QElapsedTimer timer;
    for (int i = 0; i < runs; ++i) {
        timer.start();
        work();
        times.append(timer.nsecsElapsed());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Bytes on disk of the time series, indexes included, by part: raw results, messages,
// rollups, and the rest (series, metric names, chunk catalog).
struct StorageBytes
{
    qint64 results = 0;
    qint64 messages = 0;
    qint64 rollups = 0;
    qint64 other = 0;
    qint64 total() const { return results + messages + rollups + other; }
};

StorageBytes storageBytes(Database &db)
{
    StorageBytes bytes;
    auto add = [&bytes](const QString &table, qint64 size) {
        if (table.startsWith(QLatin1String("results_")))
            bytes.results += size;
        else if (table.startsWith(QLatin1String("messages_")))
            bytes.messages += size;
        else if (table.startsWith(QLatin1String("rollups_")))
            bytes.rollups += size;
        else
            bytes.other += size;
    };
    if (db.kind() == DatabaseKind::Sqlite) {
        // dbstat: every page of every table and index, by the table it belongs to.
        QSqlQuery query = db.exec(QStringLiteral(
            "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s JOIN sqlite_schema m ON m.name = s.name "
            "WHERE m.tbl_name LIKE 'results\\_%' ESCAPE '\\' OR m.tbl_name LIKE 'messages\\_%' ESCAPE '\\' "
            "OR m.tbl_name LIKE 'rollups\\_%' ESCAPE '\\' OR m.tbl_name IN ('series', 'metric_names', "
            "'time_chunks') "
            "GROUP BY m.tbl_name"));
        while (query.next())
            add(query.value(0).toString(), query.value(1).toLongLong());
    } else {
        // Heap, indexes and TOAST of each table.
        QSqlQuery query = db.exec(QStringLiteral(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND (c.relname LIKE 'results\\_%' "
            "OR c.relname LIKE 'messages\\_%' OR c.relname LIKE 'rollups\\_%' "
            "OR c.relname IN ('series', 'metric_names', 'time_chunks'))"));
        while (query.next())
            add(query.value(0).toString(), query.value(1).toLongLong());
    }
    return bytes;
}

QString perResult(qint64 bytes, qint64 results)
{
    return QString::number(double(bytes) / double(results), 'f', 1) + QStringLiteral(" B");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("database"), QStringLiteral("Database URL (default: temporary SQLite)."),
         QStringLiteral("URL")},
        {QStringLiteral("hosts"), QStringLiteral("Hosts."), QStringLiteral("H"), QStringLiteral("200")},
        {QStringLiteral("plugins"), QStringLiteral("Plugins per host."), QStringLiteral("P"),
         QStringLiteral("5")},
        {QStringLiteral("rounds"), QStringLiteral("Batches written."), QStringLiteral("R"),
         QStringLiteral("50")},
        {QStringLiteral("metrics"), QStringLiteral("Metrics per result."), QStringLiteral("M"),
         QStringLiteral("3")},
        {QStringLiteral("year-days"),
         QStringLiteral("Days of one-minute results in the long series (0: none)."), QStringLiteral("D"),
         QStringLiteral("365")},
        {QStringLiteral("points"), QStringLiteral("Points asked of a range query."), QStringLiteral("N"),
         QStringLiteral("1000")},
        {QStringLiteral("fractional"),
         QStringLiteral("Values and metrics with two decimals instead of whole numbers.")},
    });
    parser.process(app);
    QTextStream out(stdout);

    QTemporaryDir dir;
    DatabaseConfig config = DatabaseConfig::sqlite(dir.filePath(QStringLiteral("bench.db")));
    if (parser.isSet(QStringLiteral("database"))) {
        QString error;
        const auto parsed = DatabaseConfig::fromUrl(parser.value(QStringLiteral("database")), &error);
        if (!parsed) {
            out << error << '\n';
            return 2;
        }
        config = *parsed;
    }
    const int hostCount = option(parser, QStringLiteral("hosts"));
    const int pluginCount = option(parser, QStringLiteral("plugins"));
    const int rounds = option(parser, QStringLiteral("rounds"));
    const int metricCount = option(parser, QStringLiteral("metrics"));
    const int yearDays = option(parser, QStringLiteral("year-days"));
    const int points = option(parser, QStringLiteral("points"));
    const bool fractional = parser.isSet(QStringLiteral("fractional"));

    try {
        Database db(config);
        migrate(db);
        QList<QUuid> hosts, plugins;
        Check check;
        check.name = QStringLiteral("bench %1").arg(QUuid::createUuid().toString());
        db.transaction([&] {
            // One more host and plugin for the long series.
            for (int p = 0; p <= pluginCount; ++p) {
                Plugin plugin;
                plugin.pluginId =
                    QStringLiteral("bench.p%1.%2").arg(p).arg(QUuid::createUuid().toString(QUuid::Id128));
                plugin.name = plugin.pluginId;
                plugin.pluginVersion = QStringLiteral("1.0");
                plugin.entry = QStringLiteral("x");
                plugin.classifier.source = QStringLiteral("return 'ok'");
                plugins.append(PluginStore(db).create(plugin).id);
                check.plugins.append({plugins.last(), {}, std::nullopt});
            }
            for (int h = 0; h <= hostCount; ++h) {
                Host host;
                host.name =
                    QStringLiteral("bench-%1-%2").arg(h).arg(QUuid::createUuid().toString(QUuid::Id128));
                host.address = QStringLiteral("127.0.0.1");
                hosts.append(HostStore(db).create(host).id);
                check.hostIds.append(hosts.last());
            }
        });
        check = CheckStore(db).create(check);
        const SeriesKey yearSeries{hosts.takeLast(), check.id, plugins.takeLast()};

        // A small number per series, so the decimals differ between series.
        auto seriesSeed = [](const SeriesKey &series) { return int(qHash(series) % 97); };
        auto makeResult = [&](const SeriesKey &series, const QDateTime &time, int r) {
            CheckResult result;
            result.hostId = series.hostId;
            result.checkId = series.checkId;
            result.pluginId = series.pluginId;
            result.time = time;
            // Two decimals: 37.13 and the like, as load averages and percentages come.
            const double fraction = fractional ? double((r * 37 + seriesSeed(series)) % 100) / 100.0 : 0.0;
            result.value = (r * 7 + hostCount) % 100 + fraction;
            result.message = QStringLiteral("value is %1").arg(r % 10);
            result.classification = State::Ok;
            for (int m = 0; m < metricCount; ++m)
                result.metrics.append({QStringLiteral("metric%1").arg(m), double(r + m) + fraction, {}});
            return result;
        };

        ResultStore store(db);
        const StorageBytes before = storageBytes(db);
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-rounds * 60);
        QElapsedTimer timer;
        qint64 writeNs = 0;
        for (int r = 0; r < rounds; ++r) {
            QList<CheckResult> batch;
            batch.reserve(hostCount * pluginCount);
            for (const QUuid &host : hosts) {
                for (const QUuid &plugin : plugins)
                    batch.append(makeResult({host, check.id, plugin}, start.addSecs(r * 60), r));
            }
            timer.start();
            store.insert(batch);
            writeNs += timer.nsecsElapsed();
        }
        const qint64 total = qint64(rounds) * hostCount * pluginCount;
        const StorageBytes after = storageBytes(db);

        timer.start();
        const LatestResults latest = store.latest();
        const qint64 latestNs = timer.nsecsElapsed();
        timer.start();
        const QList<CheckResult> last = store.lastResults({hosts.first(), check.id, plugins.first()}, 10);
        const qint64 lastNs = timer.nsecsElapsed();
        timer.start();
        const QList<CheckResult> hostHour =
            store.hostResults(hosts.first(), start, start.addSecs(rounds * 60));
        const qint64 hostNs = timer.nsecsElapsed();

        out << "database            " << config.displayName() << '\n'
            << "series              " << hostCount * pluginCount << " (" << hostCount << " hosts x "
            << pluginCount << " plugins), " << metricCount << " metrics per result, "
            << (fractional ? "two decimals" : "whole numbers") << '\n'
            << "results written     " << total << " in " << rounds << " batches of "
            << hostCount * pluginCount << '\n'
            << "write throughput    " << qint64(double(total) / (double(writeNs) / 1e9)) << " results/s ("
            << QString::number(double(writeNs) / 1e6 / rounds, 'f', 1) << " ms per batch)\n"
            << "bytes per result    " << perResult(after.total() - before.total(), total) << " (results "
            << perResult(after.results - before.results, total) << ", messages "
            << perResult(after.messages - before.messages, total) << ", rollups "
            << perResult(after.rollups - before.rollups, total) << ", series and names "
            << perResult(after.other - before.other, total) << ")\n"
            << "latest() of all     " << ms(latestNs) << " for " << latest.size() << " series\n"
            << "last 10 of a series " << ms(lastNs) << " (" << last.size() << " rows)\n"
            << "one host, all time  " << ms(hostNs) << " (" << hostHour.size() << " rows with metrics)\n";
        out.flush();

        // PostgreSQL: the same results packed (ResultStore::compact) as if their day had ended,
        // and the reads again from the packed day.
        const bool packs = db.kind() == DatabaseKind::Postgres;
        auto compactAll = [&store] { return store.compact(QDateTime::currentDateTimeUtc().addDays(2)); };
        if (packs) {
            timer.start();
            const CompactionReport packed = compactAll();
            const qint64 packNs = timer.nsecsElapsed();
            const StorageBytes afterPacking = storageBytes(db);
            const qint64 lastPackedNs = medianNs(5, [&] {
                store.lastResults({hosts.first(), check.id, plugins.first()}, 10);
            });
            const qint64 hostPackedNs =
                medianNs(5, [&] { store.hostResults(hosts.first(), start, start.addSecs(rounds * 60)); });
            out << "packed              " << packed.resultsPacked << " results of " << packed.rawChunksPacked
                << " day(s) in " << ms(packNs) << '\n'
                << "bytes per result    " << perResult(afterPacking.total() - before.total(), total)
                << " packed (results " << perResult(afterPacking.results - before.results, total)
                << ", messages " << perResult(afterPacking.messages - before.messages, total) << ", rollups "
                << perResult(afterPacking.rollups - before.rollups, total) << ", series and names "
                << perResult(afterPacking.other - before.other, total) << ")\n"
                << "packed: last 10     " << ms(lastPackedNs) << ", one host, all time " << ms(hostPackedNs)
                << '\n';
            out.flush();
        }

        if (yearDays <= 0)
            return 0;
        // The long series ends where the rounds began, one result a minute.
        const QDateTime yearEnd = QDateTime(start.date(), QTime(0, 0), Qt::UTC);
        const QDateTime yearStart = yearEnd.addDays(-yearDays);
        timer.start();
        for (int d = 0; d < yearDays; ++d) {
            QList<CheckResult> day;
            day.reserve(1440);
            for (int minute = 0; minute < 1440; ++minute)
                day.append(
                    makeResult(yearSeries, yearStart.addDays(d).addSecs(minute * 60), d * 1440 + minute));
            store.insert(day);
        }
        const qint64 yearWriteNs = timer.nsecsElapsed();
        const StorageBytes yearBytes = storageBytes(db);
        const qint64 yearResults = qint64(yearDays) * 1440;

        SeriesRange hourly, raw, twoDays;
        const QString metric = metricCount > 0 ? QStringLiteral("metric0") : QString();
        const qint64 hourlyNs = medianNs(5, [&] {
            hourly = store.range(yearSeries, {}, {}, yearStart, yearEnd, points, RangeSource::Hourly);
        });
        const qint64 hourlyMetricNs = medianNs(
            5, [&] { store.range(yearSeries, metric, {}, yearStart, yearEnd, points, RangeSource::Hourly); });
        const qint64 rawNs = medianNs(
            3, [&] { raw = store.range(yearSeries, {}, {}, yearStart, yearEnd, points, RangeSource::Raw); });
        const qint64 rawMetricNs = medianNs(
            3, [&] { store.range(yearSeries, metric, {}, yearStart, yearEnd, points, RangeSource::Raw); });
        const qint64 twoDaysNs = medianNs(
            5, [&] { twoDays = store.range(yearSeries, metric, {}, yearEnd.addDays(-2), yearEnd, points); });
        const qint64 historyNs =
            medianNs(5, [&] { store.messageHistory(yearSeries, yearStart, yearEnd, 100); });

        // The same ranges once every day of the year is packed (printed after the unpacked ones).
        QString packedYear;
        if (packs) {
            QTextStream packedOut(&packedYear);
            timer.start();
            const CompactionReport packed = compactAll();
            const qint64 packNs = timer.nsecsElapsed();
            const StorageBytes packedBytes = storageBytes(db);
            const qint64 yearRawBefore = yearBytes.results - after.results;
            const qint64 yearRawAfter = packedBytes.results - after.results;
            const qint64 packedRawNs = medianNs(
                3, [&] { store.range(yearSeries, {}, {}, yearStart, yearEnd, points, RangeSource::Raw); });
            const qint64 packedRawMetricNs = medianNs(3, [&] {
                store.range(yearSeries, metric, {}, yearStart, yearEnd, points, RangeSource::Raw);
            });
            const qint64 packedTwoDaysNs = medianNs(
                5, [&] { store.range(yearSeries, metric, {}, yearEnd.addDays(-2), yearEnd, points); });
            const qint64 packedHistoryNs =
                medianNs(5, [&] { store.messageHistory(yearSeries, yearStart, yearEnd, 100); });
            packedOut << "long series packed  " << packed.resultsPacked << " results of "
                      << packed.rawChunksPacked << " days in "
                      << QString::number(double(packNs) / 1e9, 'f', 1) << " s; raw tables "
                      << perResult(yearRawBefore, yearResults) << " -> "
                      << perResult(yearRawAfter, yearResults) << " per result\n"
                      << "packed: year, raw   " << ms(packedRawNs) << " value, " << ms(packedRawMetricNs)
                      << " metric (was " << ms(rawNs) << ", " << ms(rawMetricNs) << ")\n"
                      << "packed: 2 days      " << ms(packedTwoDaysNs) << " metric (was " << ms(twoDaysNs)
                      << ")\n"
                      << "packed: messages    " << ms(packedHistoryNs) << " (was " << ms(historyNs) << ")\n";
        }

        // Keep 30 days of raw results: everything older goes, a day table at a time.
        const int rawChunksBefore = int(TimeChunks(db).all(ChunkKind::Raw).size());
        timer.start();
        const ExpiryReport expiry = store.expire(yearEnd, RetentionPolicy{});
        const qint64 expireNs = timer.nsecsElapsed();
        SeriesRange afterExpiry;
        const qint64 afterExpiryNs =
            medianNs(5, [&] { afterExpiry = store.range(yearSeries, {}, {}, yearStart, yearEnd, points); });

        out << "long series         " << yearResults << " results (" << yearDays
            << " days, one a minute) written in " << QString::number(double(yearWriteNs) / 1e9, 'f', 1)
            << " s\n"
            << "range, year, hourly " << ms(hourlyNs) << " value, " << ms(hourlyMetricNs) << " metric ("
            << hourly.points.size() << " points of " << hourly.bucketMs / 3'600'000 << " h)\n"
            << "range, year, raw    " << ms(rawNs) << " value, " << ms(rawMetricNs) << " metric ("
            << raw.points.size() << " points)\n"
            << "range, 2 days, auto " << ms(twoDaysNs) << " metric ("
            << (twoDays.source == RangeSource::Raw ? "raw" : "hourly") << ", " << twoDays.points.size()
            << " points)\n"
            << "message history     " << ms(historyNs) << " (newest 100)\n"
            << "expiry to 30 days   " << ms(expireNs) << " (" << expiry.rawChunksDropped << " of "
            << rawChunksBefore << " day tables dropped, "
            << ms(rawChunksBefore ? expireNs / std::max(1, expiry.rawChunksDropped) : 0) << " each)\n"
            << "range, year, auto   " << ms(afterExpiryNs) << " after expiry ("
            << (afterExpiry.source == RangeSource::Raw ? "raw" : "hourly") << ", "
            << afterExpiry.points.size() << " points)\n";
        out << packedYear;
    } catch (const StorageError &error) {
        out << "storage error: " << error.message() << '\n';
        return 1;
    }
    return 0;
}
