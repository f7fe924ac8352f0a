// Measures the mobile status page with many hosts: what one overview costs to build and render
// in process, and its latency under load over real TLS with wrk (Debian's wrk).
//
//   bench_statuspage [--hosts N] [--connections C] [--seconds S]
//
// Stores a shop of N hosts (default 1,000; hosts in every state, five services, a day of history
// on one host) in a fresh SQLite database, serves the status page on 127.0.0.1 with the real
// authenticator, logs a viewer in, then runs wrk with C connections (default 50) for S seconds
// each against the overview and against a host page, with the session cookie, and prints wrk's
// latency percentiles. Everything stays on loopback; wrk stops by itself.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTextStream>

#include <algorithm>

#include "daemon-core/reports/hostsreport.h"
#include "daemon-core/reports/statichealthsource.h"
#include "daemon-core/statuspage/statuspages.h"
#include "daemon-core/statuspage/statusroutes.h"
#include "shared/cli/daemonprocess.h"
#include "tests/api/apitestserver.h"
#include "tests/statuspage/statusshop.h"

using namespace prophasis;

namespace {

// wrk's "Latency Distribution" lines and its request rate.
QString wrkSummary(const QString &output)
{
    QStringList lines;
    static const QRegularExpression wanted(
        QStringLiteral("^\\s*(\\d+%\\s+\\S+|Requests/sec:.*|Transfer/sec:.*|Non-2xx.*|Socket errors.*|"
                       "\\d+ requests in .*)$"));
    for (const QString &line : output.split(u'\n')) {
        if (wanted.match(line).hasMatch())
            lines.append(QStringLiteral("    ") + line.trimmed());
    }
    return lines.join(u'\n');
}

} // namespace

int main(int argc, char *argv[])
{
    chooseDaemonEventLoop();
    QCoreApplication app(argc, argv);
    setUpDaemonProcess(); // debug logging off, as in the core
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({{QStringLiteral("hosts"), QStringLiteral("Hosts (default 1000)."), QStringLiteral("N"),
                        QStringLiteral("1000")},
                       {QStringLiteral("connections"), QStringLiteral("Concurrent clients (default 50)."),
                        QStringLiteral("C"), QStringLiteral("50")},
                       {QStringLiteral("seconds"), QStringLiteral("Seconds per wrk run (default 10)."),
                        QStringLiteral("S"), QStringLiteral("10")}});
    parser.process(app);
    const int hostCount = std::max(10, parser.value(QStringLiteral("hosts")).toInt());
    const int connections = std::clamp(parser.value(QStringLiteral("connections")).toInt(), 1, 1000);
    const int seconds = std::clamp(parser.value(QStringLiteral("seconds")).toInt(), 1, 120);
    QTextStream out(stdout);

    const QString wrk = QStandardPaths::findExecutable(QStringLiteral("wrk"));
    if (wrk.isEmpty()) {
        out << "wrk not found: install the Debian package wrk (scripts/deps.sh --test)\n";
        return 1;
    }

    test::TestDatabase database(QStringLiteral("benchstatuspage"));
    QObject context;
    test::ApiTestServer api(database, &context);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QElapsedTimer timer;
    timer.start();
    const test::StatusShop shop =
        api.storage().runAndWait([&](Database &db) { return test::StatusShop::create(db, hostCount, now); });
    out << "shop: " << shop.config.hosts.size() << " hosts, " << shop.config.services.size() << " services, "
        << shop.latest.size() << " series, stored in " << timer.elapsed() << " ms\n";
    const StaticHealthSource health(shop.config, shop.latest, now);
    mountStatusPage(api.routes(),
                    StatusPageContext{api.storage(), api.authenticator(), health, &context, false});
    QString error;
    if (!api.start(&error)) {
        out << "cannot start the server: " << error << '\n';
        return 1;
    }

    // In process: the reports and the HTML of one overview, as each request builds them.
    {
        QList<qint64> micros;
        qsizetype bytes = 0;
        for (int i = 0; i < 200; ++i) {
            timer.restart();
            StatusChrome chrome;
            chrome.loggedIn = true;
            bytes = renderOverviewPage(buildHostsReport(health), buildServicesReport(health), chrome)
                        .toUtf8()
                        .size();
            micros.append(timer.nsecsElapsed() / 1000);
        }
        std::sort(micros.begin(), micros.end());
        out << "overview in process (" << hostCount << " hosts, " << bytes / 1024 << " KiB of HTML): median "
            << micros.at(micros.size() / 2) << " us, p99 " << micros.at(micros.size() * 99 / 100) << " us\n";
    }

    const QString session = api.loginViewer();
    if (session.isEmpty()) {
        out << "the viewer could not log in\n";
        return 1;
    }
    const QString base = QStringLiteral("https://127.0.0.1:%1").arg(api.port());
    struct Page
    {
        QString name;
        QString url;
        QString extraHeader;
    };
    const QString overview = base + QStringLiteral("/status");
    const QList<Page> pages = {
        {QStringLiteral("overview, gzip (as browsers ask)"), overview,
         QStringLiteral("Accept-Encoding: gzip")},
        {QStringLiteral("overview, uncompressed"), overview, {}},
        {QStringLiteral("host page (3 charts of 24 h)"),
         base + QStringLiteral("/status/hosts/") + shop.chartHost.toString(QUuid::WithoutBraces),
         QStringLiteral("Accept-Encoding: gzip")},
    };
    out.flush();
    for (const auto &[name, url, extraHeader] : pages) {
        QProcess load;
        load.setProcessChannelMode(QProcess::MergedChannels);
        load.start(wrk, {QStringLiteral("-t2"), QStringLiteral("-c%1").arg(connections),
                         QStringLiteral("-d%1s").arg(seconds), QStringLiteral("--latency"),
                         QStringLiteral("--timeout"), QStringLiteral("10s"), QStringLiteral("-H"),
                         QStringLiteral("Cookie: prophasis_status=") + session, QStringLiteral("-H"),
                         extraHeader.isEmpty() ? QStringLiteral("X-Bench: 1") : extraHeader, url});
        // The server lives on this thread: keep it serving while wrk runs.
        if (!load.waitForStarted()) {
            out << "cannot start wrk: " << load.errorString() << '\n';
            return 1;
        }
        while (load.state() != QProcess::NotRunning)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        const QString output = QString::fromUtf8(load.readAll());
        out << name << ", " << connections << " connections, " << seconds << " s, wrk over TLS:\n"
            << wrkSummary(output) << '\n';
        if (load.exitCode() != 0)
            out << output << '\n';
        out.flush();
    }
    return 0;
}
