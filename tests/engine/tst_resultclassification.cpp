#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include "daemon-core/engine/resultclassification.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "daemon-core/storage/secretbox.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/storageexecutor.h"
#include "shared/health/topology.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

const QDateTime T0 = QDateTime(QDate(2026, 11, 1), QTime(12, 0), Qt::UTC);

// Stands in for the worker so the test sees exactly which inputs the engine builds: records each
// job and answers later (as the worker does), with the state the source names, or an error for a
// source containing "fail".
struct RecordingClassifier
{
    QList<ClassificationJob> jobs;

    ClassifyFunction function()
    {
        return [this](ClassificationJob job, std::function<void(const ClassificationOutcome &)> done) {
            jobs.append(job);
            ClassificationOutcome outcome;
            if (job.source.contains(QLatin1String("fail")))
                outcome.error = QStringLiteral("attempt to index a nil value");
            else if (job.source.contains(QLatin1String("critical")))
                outcome.state = State::Critical;
            else
                outcome.state = State::Minor;
            QTimer::singleShot(0, [done, outcome] { done(outcome); });
        };
    }
};

struct Setup
{
    QUuid host;
    QUuid disk;
    QUuid raid;
    QUuid check;
    QUuid overrideCheck;

    SeriesKey diskSeries() const { return {host, check, disk}; }
    SeriesKey raidSeries() const { return {host, check, raid}; }

    CheckResult result(const SeriesKey &series, const QDateTime &time, double value) const
    {
        CheckResult result;
        result.hostId = series.hostId;
        result.checkId = series.checkId;
        result.pluginId = series.pluginId;
        result.time = time;
        result.value = value;
        result.message = QStringLiteral("value %1").arg(value);
        result.classification = State::Ok;
        return result;
    }
};

Setup createSetup(Database &db)
{
    Setup s;
    Host host;
    host.name = QStringLiteral("db1");
    host.address = QStringLiteral("127.0.0.1");
    host.variables = {{QStringLiteral("disk_warn"), QStringLiteral("70")}};
    s.host = HostStore(db).create(host).id;
    HostGroup group;
    group.name = QStringLiteral("databases");
    group.hostIds = {s.host};
    group.variables = {{QStringLiteral("disk_warn"), QStringLiteral("50")},
                       {QStringLiteral("disk_crit"), QStringLiteral("90")}};
    HostGroupStore(db).create(group);

    Plugin disk;
    disk.pluginId = QStringLiteral("org.prophasis.disk");
    disk.name = QStringLiteral("Disk");
    disk.pluginVersion = QStringLiteral("1.0");
    disk.entry = QStringLiteral("disk.lua");
    disk.classifier = {QStringLiteral("return 'minor' -- disk"), 3};
    disk.arguments = {{QStringLiteral("path"), ArgumentType::String, QStringLiteral("/"), {}, false},
                      {QStringLiteral("df"), ArgumentType::String, QStringLiteral("df"), {}, false}};
    s.disk = PluginStore(db).create(disk).id;
    Plugin raid = disk;
    raid.pluginId = QStringLiteral("org.prophasis.md_raid");
    raid.name = QStringLiteral("RAID");
    raid.arguments = {};
    raid.classifier = {QStringLiteral("return 'ok'"), 2};
    s.raid = PluginStore(db).create(raid).id;

    Check check;
    check.name = QStringLiteral("storage");
    check.hostIds = {s.host};
    check.plugins = {{s.disk, QJsonObject{{QStringLiteral("path"), QStringLiteral("/var")}}, std::nullopt},
                     {s.raid, {}, std::nullopt}};
    s.check = CheckStore(db).create(check).id;
    Check overridden;
    overridden.name = QStringLiteral("disk with its own classifier");
    overridden.hostIds = {s.host};
    overridden.plugins = {{s.disk, {}, Classifier{QStringLiteral("return others and 'critical'"), 2}}};
    s.overrideCheck = CheckStore(db).create(overridden).id;
    return s;
}

} // namespace

class TestResultClassification : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<StorageExecutor> m_storage;
    Setup m_setup;
    RecordingClassifier m_recorder;
    std::unique_ptr<ResultClassification> m_classification;

    // Classifies one result and waits for it.
    CheckResult classifyAndWait(const CheckResult &result)
    {
        std::optional<CheckResult> classified;
        m_classification->classify(result, [&](CheckResult r) { classified = r; });
        if (!QTest::qWaitFor([&] { return classified.has_value(); }, 10'000))
            return {};
        return *classified;
    }

    void storeResults(const QList<CheckResult> &results)
    {
        m_storage->runAndWait([&](Database &db) { ResultStore(db).insert(results); });
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("resultclass"));
    }

    void init()
    {
        DatabaseConfig config;
        m_testDatabase->freshMigratedDatabase(&config);
        m_storage = std::make_unique<StorageExecutor>(config, 1);
        m_setup = m_storage->runAndWait([](Database &db) { return createSetup(db); });
        const SecretBox secrets(SecretBox::generateKey());
        auto configuration = std::make_shared<const Configuration>(
            m_storage->runAndWait([&](Database &db) { return loadConfiguration(db, secrets); }));
        m_recorder = {};
        m_classification = std::make_unique<ResultClassification>(*m_storage, m_recorder.function());
        m_classification->setConfiguration(configuration, std::make_shared<const Topology>(*configuration));
    }

    void cleanup()
    {
        m_classification.reset();
        m_storage.reset();
    }

    void theFirstResultSeesTheStoredHistoryAndItsInputs()
    {
        const SeriesKey series = m_setup.diskSeries();
        storeResults({m_setup.result(series, T0, 10), m_setup.result(series, T0.addSecs(60), 20),
                      m_setup.result(series, T0.addSecs(120), 30)});
        const CheckResult classified = classifyAndWait(m_setup.result(series, T0.addSecs(180), 40));
        QCOMPARE(classified.classification, State::Minor);
        QCOMPARE(classified.value, std::optional<double>(40));
        QCOMPARE(m_recorder.jobs.size(), 1);
        const ClassificationJob &job = m_recorder.jobs.first();
        // n = 3: the two newest stored results, then the new one, oldest first.
        QCOMPARE(job.results.size(), 3);
        QCOMPARE(job.results.at(0).value, std::optional<double>(20));
        QCOMPARE(job.results.at(1).value, std::optional<double>(30));
        QCOMPARE(job.results.at(2).value, std::optional<double>(40));
        QCOMPARE(job.source, QStringLiteral("return 'minor' -- disk"));
        QVERIFY(job.classifierName.contains(QLatin1String("org.prophasis.disk")));
        // The check's argument, and the default for the one it leaves out.
        QCOMPARE(job.arguments.value(QStringLiteral("path")).toString(), QStringLiteral("/var"));
        QCOMPARE(job.arguments.value(QStringLiteral("df")).toString(), QStringLiteral("df"));
        // The host's own variable over its group's; the group's where the host has none.
        QCOMPARE(job.variables.value(QStringLiteral("disk_warn")), QStringLiteral("70"));
        QCOMPARE(job.variables.value(QStringLiteral("disk_crit")), QStringLiteral("90"));
        // This classifier does not read `others`: nobody gathered them.
        QVERIFY(job.others.isEmpty());
    }

    void laterResultsComeFromMemoryInArrivalOrder()
    {
        const SeriesKey series = m_setup.diskSeries();
        QList<double> order;
        // Handed in back to back, before the history has even been read.
        for (int i = 1; i <= 5; ++i)
            m_classification->classify(m_setup.result(series, T0.addSecs(60 * i), i),
                                       [&](CheckResult r) { order.append(*r.value); });
        QTRY_COMPARE_WITH_TIMEOUT(order.size(), 5, 10'000);
        QCOMPARE(order, (QList<double>{1, 2, 3, 4, 5}));
        QCOMPARE(m_classification->pending(), 0);
        QCOMPARE(m_recorder.jobs.size(), 5);
        // Each job saw the ones before it, at most n = 3.
        QCOMPARE(m_recorder.jobs.at(0).results.size(), 1);
        QCOMPARE(m_recorder.jobs.at(1).results.size(), 2);
        const QList<CheckResult> &last = m_recorder.jobs.at(4).results;
        QCOMPARE(last.size(), 3);
        QCOMPARE(last.at(0).value, std::optional<double>(3));
        QCOMPARE(last.at(2).value, std::optional<double>(5));
    }

    void aCheckOverrideReplacesTheDefaultAndGetsOthers()
    {
        // The RAID plugin's latest result on the host is in storage only (from before a restart).
        storeResults({m_setup.result(m_setup.raidSeries(), T0, 0)});
        const SeriesKey series{m_setup.host, m_setup.overrideCheck, m_setup.disk};
        const CheckResult classified = classifyAndWait(m_setup.result(series, T0.addSecs(30), 55));
        QCOMPARE(classified.classification, State::Critical);
        const ClassificationJob &job = m_recorder.jobs.last();
        QCOMPARE(job.source, QStringLiteral("return others and 'critical'"));
        QVERIFY(job.classifierName.contains(QLatin1String("disk with its own classifier")));
        QCOMPARE(job.results.size(), 1);
        // `others`: the other plugin's latest result, by its reverse-DNS id; never the plugin itself
        // (the disk series of the other check has no result yet anyway).
        QCOMPARE(job.others.size(), 1);
        QCOMPARE(job.others.value(QStringLiteral("org.prophasis.md_raid")).time, T0);
        QCOMPARE(job.otherChecks.value(QStringLiteral("org.prophasis.md_raid")), QStringLiteral("storage"));
        QVERIFY(!job.others.contains(QStringLiteral("org.prophasis.disk")));
    }

    void aFailingClassifierIsUnknownAndLogged()
    {
        // Replace the disk classifier by one that fails.
        const SecretBox secrets(SecretBox::generateKey());
        Configuration changed =
            m_storage->runAndWait([&](Database &db) { return loadConfiguration(db, secrets); });
        changed.plugins[m_setup.disk].classifier.source = QStringLiteral("return fail.x");
        auto shared = std::make_shared<const Configuration>(changed);
        m_classification->setConfiguration(shared, std::make_shared<const Topology>(*shared));

        QSignalSpy failures(m_classification.get(), &ResultClassification::classifierFailed);
        const CheckResult classified = classifyAndWait(m_setup.result(m_setup.diskSeries(), T0, 99));
        QCOMPARE(classified.classification, State::Unknown);
        QCOMPARE(failures.size(), 1);
        const auto entry = failures.first().at(0).value<LogEntry>();
        QCOMPARE(entry.category, QStringLiteral("classifier"));
        QCOMPARE(entry.hostId, m_setup.host);
        QVERIFY2(entry.message.contains(QLatin1String("org.prophasis.disk")), qPrintable(entry.message));
        QVERIFY2(entry.message.contains(QLatin1String("db1")), qPrintable(entry.message));
        QVERIFY2(entry.message.contains(QLatin1String("attempt to index a nil value")),
                 qPrintable(entry.message));
        QVERIFY(!entry.foldKey.isEmpty());
    }

    void aPluginWithoutClassifierKeepsItsOwnVerdict()
    {
        const SecretBox secrets(SecretBox::generateKey());
        Configuration changed =
            m_storage->runAndWait([&](Database &db) { return loadConfiguration(db, secrets); });
        changed.plugins[m_setup.raid].classifier.source.clear();
        auto shared = std::make_shared<const Configuration>(changed);
        m_classification->setConfiguration(shared, std::make_shared<const Topology>(*shared));
        CheckResult result = m_setup.result(m_setup.raidSeries(), T0, 1);
        result.status = PluginStatus::Critical;
        QCOMPARE(classifyAndWait(result).classification, State::Critical);
        QVERIFY(m_recorder.jobs.isEmpty());
    }

    void aTestRunClassifiesStoredDataAndStoresNothing()
    {
        const SeriesKey series = m_setup.diskSeries();
        storeResults({m_setup.result(series, T0, 10), m_setup.result(series, T0.addSecs(60), 20)});
        QFuture<ClassificationOutcome> run =
            m_classification->testRun(series, QStringLiteral("return 'critical' -- under test"), 5);
        QVERIFY(QTest::qWaitFor([&] { return run.isFinished(); }, 10'000));
        QCOMPARE(run.result().state, State::Critical);
        const ClassificationJob &job = m_recorder.jobs.last();
        QCOMPARE(job.results.size(), 2);
        QCOMPARE(job.source, QStringLiteral("return 'critical' -- under test"));
        QCOMPARE(m_storage->runAndWait([&](Database &db) { return ResultStore(db).lastResults(series, 10); })
                     .size(),
                 2);

        // Nothing stored for the RAID series: a clear NotFound.
        QFuture<ClassificationOutcome> nothing = m_classification->testRun(m_setup.raidSeries(), {});
        QVERIFY(QTest::qWaitFor([&] { return nothing.isFinished(); }, 10'000));
        try {
            nothing.waitForFinished();
            QFAIL("a test run without stored data must fail");
        } catch (const StorageError &error) {
            QCOMPARE(error.kind(), StorageError::Kind::NotFound);
        }
    }
};

QTEST_GUILESS_MAIN(TestResultClassification)
#include "tst_resultclassification.moc"
