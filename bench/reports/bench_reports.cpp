// Measures the report API with many hosts and a month of results: the host list
// (GET /api/v1/reports/hosts) and one host's 30-day report (GET /api/v1/reports/hosts/{id}),
// each over real TLS on loopback (a fresh connection per request, as the bench's client makes
// it) and the model alone (no HTTP), plus a one-day report (raw results).
//
//   bench_reports [--hosts H] [--checks C] [--plugins P] [--interval-s S] [--detail-interval-s R]
//                 [--days D] [--runs N]
//
// Every host runs C checks × P plugins (one metric each). The measured host gets a result per
// series every R seconds (default 300) for D days; the other hosts every S seconds (default
// 3600), which fills their hourly rollups exactly as a shorter interval would (a rollup row is
// one hour of one series) and keeps the fill within minutes: at the writer's 10–20 thousand
// results a second, a month of five-minute results of 4,000 series (17 million) would take hours.
// Results are written with ResultStore::insert in batches of about 4,000, as the core's writer
// would. SQLite in a temporary folder by default; PostgreSQL when PROPHASIS_TEST_PG_URL_FILE names
// a file holding a database URL (as for the storage tests).
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTextStream>

#include <algorithm>
#include <functional>
#include <memory>

#include "daemon-core/api/reportroutes.h"
#include "daemon-core/reports/hostdetail.h"
#include "daemon-core/reports/hostsreport.h"
#include "daemon-core/reports/reportjson.h"
#include "daemon-core/reports/statichealthsource.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/secretbox.h"
#include "tests/api/apitestserver.h"

using namespace prophasis;

namespace {

struct Shop
{
    QList<QUuid> hosts;
    QList<QUuid> checks;
    QList<QUuid> plugins;
};

Shop createShop(Database &db, int hosts, int checks, int plugins)
{
    Shop shop;
    db.transaction([&] {
        for (int h = 0; h < hosts; ++h) {
            Host host;
            host.name = QStringLiteral("host%1").arg(h, 4, 10, QLatin1Char('0'));
            host.address = QStringLiteral("10.0.%1.%2").arg(h / 250).arg(h % 250 + 1);
            shop.hosts.append(HostStore(db).create(host).id);
        }
        for (int p = 0; p < checks * plugins; ++p) {
            Plugin plugin;
            plugin.pluginId = QStringLiteral("org.prophasis.bench%1").arg(p);
            plugin.name = QStringLiteral("Bench %1").arg(p);
            plugin.pluginVersion = QStringLiteral("1.0");
            plugin.entry = QStringLiteral("main.lua");
            plugin.classifier.source = QStringLiteral("return 'ok'");
            shop.plugins.append(PluginStore(db).create(plugin).id);
        }
        for (int c = 0; c < checks; ++c) {
            Check check;
            check.name = QStringLiteral("check %1").arg(c);
            check.hostIds = shop.hosts;
            for (int p = 0; p < plugins; ++p)
                check.plugins.append({shop.plugins[c * plugins + p], {}, std::nullopt});
            shop.checks.append(CheckStore(db).create(check).id);
        }
    });
    return shop;
}

QString ms(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 2) + QStringLiteral(" ms");
}

struct Timing
{
    qint64 medianNs = 0;
    qint64 p90Ns = 0;
};

// `runs` timed calls after one that warms caches.
Timing timed(int runs, const std::function<void()> &work)
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
    return {times[times.size() / 2], times[std::min<qsizetype>(times.size() - 1, times.size() * 9 / 10)]};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("hosts"), QStringLiteral("Hosts."), QStringLiteral("H"), QStringLiteral("1000")},
        {QStringLiteral("checks"), QStringLiteral("Checks on every host."), QStringLiteral("C"),
         QStringLiteral("2")},
        {QStringLiteral("plugins"), QStringLiteral("Plugins per check."), QStringLiteral("P"),
         QStringLiteral("2")},
        {QStringLiteral("interval-s"), QStringLiteral("Seconds between results of the other hosts."),
         QStringLiteral("S"), QStringLiteral("3600")},
        {QStringLiteral("detail-interval-s"), QStringLiteral("Seconds between results of the measured host."),
         QStringLiteral("R"), QStringLiteral("300")},
        {QStringLiteral("days"), QStringLiteral("Days of results."), QStringLiteral("D"),
         QStringLiteral("30")},
        {QStringLiteral("runs"), QStringLiteral("Timed requests per figure."), QStringLiteral("N"),
         QStringLiteral("20")},
    });
    parser.process(app);
    const int hostCount = parser.value(QStringLiteral("hosts")).toInt();
    const int checkCount = parser.value(QStringLiteral("checks")).toInt();
    const int pluginCount = parser.value(QStringLiteral("plugins")).toInt();
    const qint64 detailIntervalMs = parser.value(QStringLiteral("detail-interval-s")).toLongLong() * 1000;
    // A whole multiple of the measured host's interval.
    const qint64 intervalMs = std::max<qint64>(1, parser.value(QStringLiteral("interval-s")).toLongLong() *
                                                      1000 / detailIntervalMs) *
                              detailIntervalMs;
    const int days = parser.value(QStringLiteral("days")).toInt();
    const int runs = std::max(1, parser.value(QStringLiteral("runs")).toInt());
    QTextStream out(stdout);

    QObject context;
    test::TestDatabase database(QStringLiteral("benchreports"));
    test::ApiTestServer server(database, &context);
    out << "database: " << (database.isPostgres() ? "PostgreSQL" : "SQLite") << "\n";

    const Shop shop = server.storage().runAndWait(
        [&](Database &db) { return createShop(db, hostCount, checkCount, pluginCount); });
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const qint64 nowMs = now.toMSecsSinceEpoch() / intervalMs * intervalMs;
    const int measured = hostCount / 2;
    const qint64 startMs = nowMs - qint64(days) * 86'400'000;

    // A month of results.
    QElapsedTimer fill;
    fill.start();
    qint64 written = 0;
    server.storage().runAndWait([&](Database &db) {
        ResultStore store(db);
        QList<CheckResult> batch;
        qint64 step = 0;
        for (qint64 t = startMs; t <= nowMs; t += detailIntervalMs, ++step) {
            const bool everyHost = (t - startMs) % intervalMs == 0;
            for (qsizetype h = 0; h < shop.hosts.size(); ++h) {
                if (!everyHost && h != measured)
                    continue;
                for (int c = 0; c < checkCount; ++c) {
                    for (int p = 0; p < pluginCount; ++p) {
                        CheckResult result;
                        result.hostId = shop.hosts[h];
                        result.checkId = shop.checks[c];
                        result.pluginId = shop.plugins[c * pluginCount + p];
                        // Spread inside the interval, as the scheduler spreads hosts.
                        result.time =
                            QDateTime::fromMSecsSinceEpoch(t + (h * 997) % detailIntervalMs, Qt::UTC);
                        const double value = double((step + h + p) % 100);
                        result.value = value;
                        result.metrics = {{QStringLiteral("used"), value / 2, QStringLiteral("%")}};
                        result.message =
                            value > 90 ? QStringLiteral("high: %1").arg(value) : QStringLiteral("fine");
                        result.classification = value > 95 ? State::Minor : State::Ok;
                        result.durationMs = 12;
                        batch.append(result);
                    }
                }
            }
            if (batch.size() >= 4000 || t + detailIntervalMs > nowMs) {
                store.insert(batch);
                written += batch.size();
                batch.clear();
            }
        }
    });
    out << "filled " << written << " results (" << hostCount << " hosts x " << checkCount * pluginCount
        << " series for " << days << " days: every " << intervalMs / 1000 << " s, the measured host every "
        << detailIntervalMs / 1000 << " s) in " << QString::number(double(fill.nsecsElapsed()) / 1e9, 'f', 1)
        << " s (" << qint64(double(written) / (double(fill.nsecsElapsed()) / 1e9)) << " results/s)\n";

    const SecretBox secrets(SecretBox::generateKey());
    const auto [config, latest] = server.storage().runAndWait([&secrets](Database &db) {
        return std::pair{loadConfiguration(db, secrets), ResultStore(db).latest()};
    });
    const StaticHealthSource health(config, latest);
    mountReportRoutes(server.routes(), server.api(), health);
    QString error;
    if (!server.start(&error)) {
        out << "cannot start the HTTPS port: " << error << "\n";
        return 1;
    }
    // A line per request would drown the figures.
    QLoggingCategory::setFilterRules(QStringLiteral("prophasis.http=false"));
    const QString token = server.loginViewer();
    const QUuid hostId = shop.hosts[measured];
    const QByteArray hostPath = "/api/v1/reports/hosts/" + hostId.toString(QUuid::WithoutBraces).toLatin1();

    // The model alone.
    const Timing listModel = timed(runs, [&] { buildHostsReport(health); });
    const Timing listJson =
        timed(runs, [&] { QJsonDocument(toJson(buildHostsReport(health))).toJson(QJsonDocument::Compact); });
    auto detailModel = [&](qint64 rangeMs) {
        HostDetailQuery query;
        query.hostId = hostId;
        query.to = QDateTime::fromMSecsSinceEpoch(nowMs + 1, Qt::UTC);
        query.from = query.to.addMSecs(-rangeMs);
        return timed(runs, [&] { loadHostDetail(server.storage(), health, query).waitForFinished(); });
    };
    const Timing month = detailModel(30LL * 86'400'000);
    const Timing day = detailModel(86'400'000LL);

    // Over the API, each request on a fresh TLS connection.
    qsizetype listBytes = 0;
    qsizetype monthBytes = 0;
    int failures = 0;
    auto request = [&](const QByteArray &target, qsizetype *bytes) {
        const test::HttpsAnswer answer = server.call("GET", target, token);
        if (answer.status != 200)
            ++failures;
        *bytes = answer.body.size();
    };
    const QByteArray monthTarget = hostPath + "?from=" + QByteArray::number(nowMs + 1 - 30LL * 86'400'000) +
                                   "&to=" + QByteArray::number(nowMs + 1) + "&points=300";
    const Timing listApi = timed(runs, [&] { request("/api/v1/reports/hosts", &listBytes); });
    const Timing monthApi = timed(runs, [&] { request(monthTarget, &monthBytes); });
    qsizetype dayBytes = 0;
    const Timing dayApi = timed(runs, [&] { request(hostPath, &dayBytes); });
    // The connection alone, for comparison: a 404 answered by the route table.
    const Timing floor = timed(runs, [&] { server.call("GET", "/api/v1/reports/nothing", token); });

    out << "median / p90 of " << runs << " runs:\n";
    out << "  host list, model:                     " << ms(listModel.medianNs) << " / "
        << ms(listModel.p90Ns) << "\n";
    out << "  host list, model + JSON:              " << ms(listJson.medianNs) << " / " << ms(listJson.p90Ns)
        << "\n";
    out << "  host list, API over TLS:              " << ms(listApi.medianNs) << " / " << ms(listApi.p90Ns)
        << " (" << listBytes << " bytes)\n";
    out << "  host 30-day report, model (storage):  " << ms(month.medianNs) << " / " << ms(month.p90Ns)
        << "\n";
    out << "  host 30-day report, API over TLS:     " << ms(monthApi.medianNs) << " / " << ms(monthApi.p90Ns)
        << " (" << monthBytes << " bytes)\n";
    out << "  host 1-day report, model (storage):   " << ms(day.medianNs) << " / " << ms(day.p90Ns) << "\n";
    out << "  host 1-day report, API over TLS:      " << ms(dayApi.medianNs) << " / " << ms(dayApi.p90Ns)
        << " (" << dayBytes << " bytes)\n";
    out << "  TLS connection + 404 (the floor):     " << ms(floor.medianNs) << " / " << ms(floor.p90Ns)
        << "\n";
    if (failures > 0)
        out << failures << " requests failed\n";
    return failures > 0 ? 1 : 0;
}
