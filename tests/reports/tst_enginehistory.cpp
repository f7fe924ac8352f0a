#include <QSignalSpy>
#include <QTest>

#include "daemon-core/engine/coreengine.h"
#include "daemon-core/reports/enginehealthsource.h"
#include "daemon-core/reports/hostdetail.h"
#include "daemon-core/reports/hostsreport.h"
#include "daemon-core/reports/servicedetail.h"
#include "daemon-core/storage/healthhistorystore.h"
#include "tests/engine/shopfixture.h"

using namespace prophasis;
using namespace prophasis::test::shop;

namespace {

bool hasChange(const QList<StoredHealthChange> &changes, State from, State to)
{
    return std::any_of(changes.cbegin(), changes.cend(), [&](const StoredHealthChange &change) {
        return change.from == from && change.to == to;
    });
}

} // namespace

// The running engine's health changes reach the health history and the reports read from it: a
// host going down shows in the host list first and in its report's state changes, the redundant
// service's degradation in the service's report. SQLite and PostgreSQL, mock agents, real
// classification.
class TestEngineHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void changesReachTheReports()
    {
        ShopBench bench(QStringLiteral("enginehistory"));
        QVERIFY(bench.start());
        StorageExecutor &storage = *bench.storage;
        const Shop &shop = bench.shop;
        CoreEngine engine(storage, SecretBox(SecretBox::generateKey()), bench.core, bench.engineOptions());
        const EngineHealthSource health(engine);
        QSignalSpy started(&engine, &CoreEngine::started);
        QString error;
        QVERIFY2(engine.start(&error), qPrintable(error));
        QVERIFY(started.wait(10'000));
        const QDateTime begin = QDateTime::currentDateTimeUtc().addSecs(-60);

        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web2.id), State::Ok, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().serviceState(shop.service.id), State::Ok, 15'000);
        QVERIFY(bench.mock.rewrite(bench.hosts(QStringLiteral("drop"))));
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().hostState(shop.web2.id), State::Critical, 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(engine.health().serviceState(shop.service.id), State::Degraded, 15'000);

        const HostsReport hosts = buildHostsReport(health);
        QCOMPARE(hosts.hosts.first().id, shop.web2.id);
        QCOMPARE(hosts.hosts.first().state, State::Critical);
        QCOMPARE(hosts.counts.value(State::Ok), 1);

        HostDetailQuery query;
        query.hostId = shop.web2.id;
        query.from = begin;
        HostDetail detail;
        // Written in the loop turn after the change: wait for the write to land.
        QTRY_VERIFY_WITH_TIMEOUT((query.to = QDateTime::currentDateTimeUtc().addSecs(1),
                                  detail = loadHostDetail(storage, health, query).result(),
                                  hasChange(detail.changes, State::Unknown, State::Critical)),
                                 15'000);
        QVERIFY(hasChange(detail.changes, State::NoData, State::Ok));
        QVERIFY(hasChange(detail.changes, State::Ok, State::Unknown));
        // Newest first.
        QCOMPARE(detail.changes.first().to, State::Critical);
        QCOMPARE(detail.host.state, State::Critical);
        QCOMPARE(detail.series.size(), 1);
        QVERIFY(detail.series.first().latest.has_value());
        QCOMPARE(detail.series.first().latest->type, ResultType::ConnectionError);

        ServiceDetailQuery serviceQuery;
        serviceQuery.serviceId = shop.service.id;
        serviceQuery.from = begin;
        ServiceDetail service;
        QTRY_VERIFY_WITH_TIMEOUT((serviceQuery.to = QDateTime::currentDateTimeUtc().addSecs(1),
                                  service = loadServiceDetail(storage, health, serviceQuery).result(),
                                  hasChange(service.changes, State::Ok, State::Degraded)),
                                 15'000);
        QCOMPARE(service.service.state, State::Degraded);
        QCOMPARE(service.redundancyGroups.first().state, State::Degraded);

        QSignalSpy stopped(&engine, &CoreEngine::stopped);
        engine.stop();
        QVERIFY(stopped.wait(20'000));
    }
};

QTEST_GUILESS_MAIN(TestEngineHistory)
#include "tst_enginehistory.moc"
