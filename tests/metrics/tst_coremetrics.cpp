#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include "daemon-core/engine/coreengine.h"
#include "daemon-core/metrics/alertdeliverytally.h"
#include "daemon-core/metrics/coremetrics.h"
#include "daemon-core/storage/resultwriter.h"
#include "daemon-core/storage/storageexecutor.h"
#include "tests/dispatch/dispatchfixture.h"
#include "tests/engine/shopfixture.h"
#include "tests/metrics/promtool.h"
#include "tests/storage/testdatabase.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using testing::MockAgentProcess;
using namespace prophasis::test::shop;

namespace {

// The value of one series line (`name{labels} value`), or NaN when the text has none.
double valueOf(const QByteArray &text, const QString &series)
{
    const QString pattern = QStringLiteral("^%1 (\\S+)$").arg(QRegularExpression::escape(series));
    const QRegularExpressionMatch match =
        QRegularExpression(pattern, QRegularExpression::MultilineOption).match(QString::fromUtf8(text));
    return match.hasMatch() ? match.captured(1).toDouble() : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

// /metrics of a running engine on SQLite and PostgreSQL: the shop's two web servers answered by
// the mock agent (web2's agent then dropping connections), then the figures read back from the text.
class TestCoreMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runningEngineShowsItsFigures()
    {
        ShopBench bench(QStringLiteral("coremetrics"));
        QVERIFY(bench.start());
        StorageExecutor &storage = *bench.storage;
        const TlsIdentity &core = bench.core;
        MockAgentProcess &mock = bench.mock;
        const Shop &shop = bench.shop;

        const EngineOptions options = bench.engineOptions();
        CoreEngine engine(storage, SecretBox(SecretBox::generateKey()), core, options);
        QSignalSpy started(&engine, &CoreEngine::started);
        QString error;
        QVERIFY2(engine.start(&error), qPrintable(error));
        QVERIFY(started.wait(10'000));

        // Both answer ok; then web2's agent drops every connection: critical after two failures.
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web1.id), State::Ok, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web2.id), State::Ok, 15'000);
        QVERIFY(mock.rewrite(bench.hosts(QStringLiteral("drop"))));
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web2.id), State::Critical, 15'000);
        QTRY_VERIFY_WITH_TIMEOUT(engine.resultWriter().counters().written >= 4, 15'000);

        AlertDeliveryTally deliveries;
        DeliveryReport failed;
        failed.kind = DeliveryReport::Kind::Failed;
        deliveries.note(failed);
        DeliveryReport test = failed;
        test.test = true; // the console's Test button: not counted
        deliveries.note(test);
        CoreMetricsContext context;
        context.processStarted = QDateTime::currentDateTimeUtc().addSecs(-90);
        context.now = context.processStarted.addSecs(90);
        context.pendingAlertDeliveries = 3;
        context.alertDeliveries = &deliveries;

        const QByteArray text = renderCoreMetrics(engine, context);
        qDebug().noquote() << "/metrics:\n" << text; // a real sample, for reading and the docs
        const ResultWriterCounters written = engine.resultWriter().counters();
        const DispatchCounters dispatched = engine.dispatcher().counters();

        QCOMPARE(valueOf(text, QStringLiteral("prophasis_build_info{version=\"%1\"}").arg(PROPHASIS_VERSION)),
                 1.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_uptime_seconds")), 90.0);
        // Counters read at render time can only have grown since.
        const double stored = valueOf(text, QStringLiteral("prophasis_results_stored_total"));
        QVERIFY2(stored >= 4 && stored <= double(written.written + written.replayed), text.constData());
        QVERIFY(valueOf(text, QStringLiteral("prophasis_results_accepted_total")) >= stored);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_results_total{type=\"success\"}")) >= 2);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_results_total{type=\"connection_error\"}")) >= 2);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_results_total{type=\"connection_error\"}")) <=
                double(dispatched.resultsOf(ResultType::ConnectionError)));
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_results_total{type=\"tls_error\"}")), 0.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_results_dropped_total{reason=\"lost\"}")), 0.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_database_available")), 1.0);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_scheduler_slots_due_total")) >= 4);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_scheduler_offers_total{outcome=\"queued\"}")) >= 4);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_scheduler_skipped_late_total")) >= 0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_scheduler_series")), 2.0);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_scheduler_overdue_seconds")) >= 0);
        // Every regular run offered has its lateness counted.
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_scheduler_lateness_seconds_count")),
                 valueOf(text, QStringLiteral("prophasis_scheduler_slots_due_total")) -
                     valueOf(text, QStringLiteral("prophasis_scheduler_skipped_late_total")));
        QVERIFY(text.contains("prophasis_scheduler_lateness_seconds_bucket{le=\"+Inf\"}"));
        QVERIFY(valueOf(text, QStringLiteral("prophasis_dispatch_queued_runs")) >= 0);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_dispatch_in_flight_runs")) >= 0);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_agent_connections_total")) >= 1);
        QVERIFY(valueOf(text, QStringLiteral("prophasis_classifier_jobs_total")) >= 4);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_classifier_timeouts_total")), 0.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_classifier_worker_up")), 1.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_hosts{state=\"ok\"}")), 1.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_hosts{state=\"critical\"}")), 1.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_hosts{state=\"no_data\"}")), 0.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_services{state=\"degraded\"}")), 1.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_alert_deliveries_pending")), 3.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_alert_deliveries_total{outcome=\"failed\"}")), 1.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_alert_deliveries_total{outcome=\"delivered\"}")),
                 0.0);
        // Each family's help and type come once.
        QCOMPARE(text.count("# TYPE prophasis_hosts gauge\n"), 1);
        QCOMPARE(text.count("# TYPE prophasis_results_total counter\n"), 1);

        // Without the optional figures their families are left out, not shown as zero.
        const QByteArray bare = renderCoreMetrics(engine);
        QVERIFY(!bare.contains("prophasis_uptime_seconds"));
        QVERIFY(!bare.contains("prophasis_alert_deliveries"));
        QVERIFY(bare.contains("prophasis_hosts{state=\"ok\"}"));

        QSignalSpy stopped(&engine, &CoreEngine::stopped);
        engine.stop();
        QVERIFY(stopped.wait(20'000));

        PROPHASIS_VERIFY_PROMTOOL(text);
    }

    // Before start (e.g. while the core waits for its database) every figure is there, at zero.
    void engineNotStartedShowsZeros()
    {
        test::TestDatabase testDatabase(QStringLiteral("coremetricsidle"));
        DatabaseConfig databaseConfig;
        testDatabase.freshMigratedDatabase(&databaseConfig);
        StorageExecutor storage(databaseConfig, 1);
        QTemporaryDir spool;
        EngineOptions options;
        options.classifier.workerProgram = QStringLiteral(PROPHASIS_CLASSIFIER_BINARY);
        options.spoolDirectory = spool.path();
        CoreEngine engine(storage, SecretBox(SecretBox::generateKey()),
                          TlsIdentity::generate(QStringLiteral("core")), options);

        const QByteArray text = renderCoreMetrics(engine);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_results_stored_total")), 0.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_scheduler_series")), 0.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_hosts{state=\"no_data\"}")), 0.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_classifier_worker_up")), 0.0);
        QCOMPARE(valueOf(text, QStringLiteral("prophasis_results_in_spool")), 0.0);
        PROPHASIS_VERIFY_PROMTOOL(text);
    }
};

QTEST_GUILESS_MAIN(TestCoreMetrics)
#include "tst_coremetrics.moc"
