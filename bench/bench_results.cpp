// Measures the time series store: batched result writes and the reads health and charts need.
//
//   bench_results [--database URL] [--hosts H] [--plugins P] [--rounds R] [--metrics M]
//
// Each round writes one result for every (host, plugin) series as one batch, like a scheduler
// round would, each result with M metrics. Prints results/s for the writes and the time of the
// reads that follow. Without --database, a temporary SQLite file.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>

#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"

using namespace prophasis;

namespace {

int option(const QCommandLineParser &parser, const QString &name)
{
    return parser.value(name).toInt();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("database"), QStringLiteral("Database URL (default: temporary SQLite)."), QStringLiteral("URL")},
        {QStringLiteral("hosts"), QStringLiteral("Hosts."), QStringLiteral("H"), QStringLiteral("200")},
        {QStringLiteral("plugins"), QStringLiteral("Plugins per host."), QStringLiteral("P"), QStringLiteral("5")},
        {QStringLiteral("rounds"), QStringLiteral("Batches written."), QStringLiteral("R"), QStringLiteral("50")},
        {QStringLiteral("metrics"), QStringLiteral("Metrics per result."), QStringLiteral("M"), QStringLiteral("3")},
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

    try {
        Database db(config);
        migrate(db);
        QList<QUuid> hosts, plugins;
        Check check;
        check.name = QStringLiteral("bench %1").arg(QUuid::createUuid().toString());
        db.transaction([&] {
            for (int p = 0; p < pluginCount; ++p) {
                Plugin plugin;
                plugin.pluginId = QStringLiteral("bench.p%1.%2").arg(p).arg(QUuid::createUuid().toString(QUuid::Id128));
                plugin.name = plugin.pluginId;
                plugin.pluginVersion = QStringLiteral("1.0");
                plugin.entry = QStringLiteral("x");
                plugin.classifier.source = QStringLiteral("return 'ok'");
                plugins.append(PluginStore(db).create(plugin).id);
                check.plugins.append({plugins.last(), {}, std::nullopt});
            }
            for (int h = 0; h < hostCount; ++h) {
                Host host;
                host.name = QStringLiteral("bench-%1-%2").arg(h).arg(QUuid::createUuid().toString(QUuid::Id128));
                host.address = QStringLiteral("127.0.0.1");
                hosts.append(HostStore(db).create(host).id);
                check.hostIds.append(hosts.last());
            }
        });
        check = CheckStore(db).create(check);

        ResultStore store(db);
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-rounds * 60);
        QElapsedTimer timer;
        qint64 writeNs = 0;
        for (int r = 0; r < rounds; ++r) {
            QList<CheckResult> batch;
            batch.reserve(hostCount * pluginCount);
            for (const QUuid &host : hosts) {
                for (const QUuid &plugin : plugins) {
                    CheckResult result;
                    result.hostId = host;
                    result.checkId = check.id;
                    result.pluginId = plugin;
                    result.time = start.addSecs(r * 60);
                    result.value = (r * 7 + hosts.size()) % 100;
                    result.message = QStringLiteral("value is %1").arg(r % 10);
                    result.classification = State::Ok;
                    for (int m = 0; m < metricCount; ++m)
                        result.metrics.append({QStringLiteral("metric%1").arg(m), double(r + m), {}});
                    batch.append(result);
                }
            }
            timer.start();
            store.insert(batch);
            writeNs += timer.nsecsElapsed();
        }
        const qint64 total = qint64(rounds) * hostCount * pluginCount;

        timer.start();
        const LatestResults latest = store.latest();
        const qint64 latestNs = timer.nsecsElapsed();
        timer.start();
        const QList<CheckResult> last = store.lastResults({hosts.first(), check.id, plugins.first()}, 10);
        const qint64 lastNs = timer.nsecsElapsed();
        timer.start();
        const QList<CheckResult> hostHour = store.hostResults(hosts.first(), start, start.addSecs(rounds * 60));
        const qint64 hostNs = timer.nsecsElapsed();

        out << "database            " << config.displayName() << '\n'
            << "series              " << hostCount * pluginCount << " (" << hostCount << " hosts x " << pluginCount
            << " plugins), " << metricCount << " metrics per result\n"
            << "results written     " << total << " in " << rounds << " batches of " << hostCount * pluginCount << '\n'
            << "write throughput    " << qint64(double(total) / (double(writeNs) / 1e9)) << " results/s ("
            << QString::number(double(writeNs) / 1e6 / rounds, 'f', 1) << " ms per batch)\n"
            << "latest() of all     " << QString::number(double(latestNs) / 1e6, 'f', 2) << " ms for " << latest.size()
            << " series\n"
            << "last 10 of a series " << QString::number(double(lastNs) / 1e6, 'f', 2) << " ms (" << last.size() << " rows)\n"
            << "one host, all time  " << QString::number(double(hostNs) / 1e6, 'f', 2) << " ms (" << hostHour.size()
            << " rows with metrics)\n";
    } catch (const StorageError &error) {
        out << "storage error: " << error.message() << '\n';
        return 1;
    }
    return 0;
}
