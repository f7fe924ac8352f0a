#include <QTest>

#include <algorithm>

#include "daemon-core/engine/healthtracker.h"
#include "tests/support/configurationfixture.h"

using namespace prophasis;
using test::ConfigurationFixture;
using test::FixtureNow;

namespace prophasis {
inline char *toString(const HealthChange &change)
{
    return qstrdup(
        qPrintable(QStringLiteral("%1 %2: %3 -> %4 at %5")
                       .arg(change.subject == HealthChange::Subject::Host ? QStringLiteral("host")
                                                                          : QStringLiteral("service"),
                            change.id.toString(), enumName(change.from), enumName(change.to),
                            change.time.toString(Qt::ISODateWithMs))));
}
inline char *toString(State state)
{
    return qstrdup(qPrintable(enumName(state)));
}
} // namespace prophasis

namespace {

HealthChange hostChange(const QUuid &id, State from, State to, const QDateTime &time = FixtureNow,
                        const QList<SeriesKey> &causes = {})
{
    return {HealthChange::Subject::Host, id, from, to, time, causes};
}

HealthChange serviceChange(const QUuid &id, State from, State to, const QDateTime &time = FixtureNow,
                           const QList<SeriesKey> &causes = {})
{
    return {HealthChange::Subject::Service, id, from, to, time, causes};
}

// Two web servers in a redundancy group behind one database, each with one check on a 60 s
// schedule (stale after 180 s), plus a host in no service.
struct WebShop
{
    ConfigurationFixture f;
    QUuid web1, web2, db, lonely, plugin, check, service;

    WebShop()
    {
        web1 = f.host(QStringLiteral("web1"));
        web2 = f.host(QStringLiteral("web2"));
        db = f.host(QStringLiteral("db"));
        lonely = f.host(QStringLiteral("lonely"));
        plugin = f.plugin(QStringLiteral("http"));
        check = f.check({web1, web2, db, lonely}, {}, {plugin});
        f.schedule({check}, {60});
        service =
            f.service({ConfigurationFixture::hostMember(db)},
                      {{ConfigurationFixture::hostMember(web1), ConfigurationFixture::hostMember(web2)}});
        for (const QUuid &host : {web1, web2, db, lonely})
            f.result(host, check, plugin, State::Ok);
    }

    SeriesKey series(const QUuid &host) const { return {host, check, plugin}; }
};

} // namespace

class TestHealthTracker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resetWorksOutEveryStateSilently()
    {
        WebShop shop;
        shop.f.result(shop.web1, shop.check, shop.plugin, State::Critical);
        HealthTracker tracker;
        tracker.reset(shop.f.config, shop.f.results, FixtureNow);
        QCOMPARE(tracker.hostState(shop.web1), State::Critical);
        QCOMPARE(tracker.hostState(shop.web2), State::Ok);
        QCOMPARE(tracker.serviceState(shop.service), State::Degraded);
        QCOMPARE(tracker.hostStates().size(), 4);
    }

    void aResultChangesItsHostAndItsServicesOnly()
    {
        WebShop shop;
        HealthTracker tracker;
        tracker.reset(shop.f.config, shop.f.results, FixtureNow);
        QCOMPARE(tracker.serviceState(shop.service), State::Ok);

        const QDateTime later = FixtureNow.addSecs(10);
        QList<HealthChange> changes =
            tracker.recordResult(shop.series(shop.web1), {later, State::Critical}, later);
        QCOMPARE(changes, (QList<HealthChange>{hostChange(shop.web1, State::Ok, State::Critical, later,
                                                          {shop.series(shop.web1)}),
                                               serviceChange(shop.service, State::Ok, State::Degraded, later,
                                                             {shop.series(shop.web1)})}));
        // The same state again is no change.
        const QDateTime later2 = later.addSecs(60);
        QCOMPARE(tracker.recordResult(shop.series(shop.web1), {later2, State::Critical}, later2),
                 QList<HealthChange>());
        // The second web server failing too takes the service down.
        changes = tracker.recordResult(shop.series(shop.web2), {later2, State::Major}, later2);
        QCOMPARE(changes, (QList<HealthChange>{hostChange(shop.web2, State::Ok, State::Major, later2,
                                                          {shop.series(shop.web2)}),
                                               serviceChange(shop.service, State::Degraded, State::Major,
                                                             later2, {shop.series(shop.web2)})}));
        // A host in no service changes itself only.
        changes = tracker.recordResult(shop.series(shop.lonely), {later2, State::Minor}, later2);
        QCOMPARE(changes, (QList<HealthChange>{hostChange(shop.lonely, State::Ok, State::Minor, later2,
                                                          {shop.series(shop.lonely)})}));
    }

    void aHostIsItsWorstSeries()
    {
        ConfigurationFixture f;
        const QUuid host = f.host(QStringLiteral("db"));
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid disk = f.plugin(QStringLiteral("disk"));
        const QUuid check = f.check({host}, {}, {cpu, disk});
        f.schedule({check}, {60});
        f.result(host, check, cpu, State::Ok);
        f.result(host, check, disk, State::Ok);
        HealthTracker tracker;
        tracker.reset(f.config, f.results, FixtureNow);
        QCOMPARE(tracker.hostState(host), State::Ok);

        const QDateTime t1 = FixtureNow.addSecs(1);
        QCOMPARE(
            tracker.recordResult({host, check, disk}, {t1, State::Critical}, t1),
            QList<HealthChange>{hostChange(host, State::Ok, State::Critical, t1, {{host, check, disk}})});
        // A second series getting worse, but less than the worst, moves nothing.
        QCOMPARE(tracker.recordResult({host, check, cpu}, {t1, State::Minor}, t1), QList<HealthChange>());
        // The worst one recovering leaves the next worst.
        const QDateTime t2 = FixtureNow.addSecs(2);
        QCOMPARE(
            tracker.recordResult({host, check, disk}, {t2, State::Ok}, t2),
            QList<HealthChange>{hostChange(host, State::Critical, State::Minor, t2, {{host, check, disk}})});
        QCOMPARE(tracker.recordResult({host, check, cpu}, {t2, State::Ok}, t2),
                 QList<HealthChange>{hostChange(host, State::Minor, State::Ok, t2, {{host, check, cpu}})});
        // A stored classification no classifier can return counts as unknown.
        QCOMPARE(tracker.recordResult({host, check, cpu}, {t2.addSecs(1), State::Degraded}, t2.addSecs(1)),
                 QList<HealthChange>{
                     hostChange(host, State::Ok, State::Unknown, t2.addSecs(1), {{host, check, cpu}})});
    }

    void anOlderResultChangesNothing()
    {
        WebShop shop;
        HealthTracker tracker;
        tracker.reset(shop.f.config, shop.f.results, FixtureNow);
        const QDateTime earlier = FixtureNow.addSecs(-30);
        QCOMPARE(tracker.recordResult(shop.series(shop.db), {earlier, State::Critical}, FixtureNow),
                 QList<HealthChange>());
        QCOMPARE(tracker.hostState(shop.db), State::Ok);
        QCOMPARE(tracker.latest().value(shop.series(shop.db)).time, FixtureNow);
    }

    void resultsOfUnknownHostsAreIgnored()
    {
        WebShop shop;
        HealthTracker tracker;
        tracker.reset(shop.f.config, shop.f.results, FixtureNow);
        const SeriesKey stranger{QUuid::createUuid(), shop.check, shop.plugin};
        QCOMPARE(tracker.recordResult(stranger, {FixtureNow, State::Critical}, FixtureNow),
                 QList<HealthChange>());
        QVERIFY(!tracker.latest().contains(stranger));
    }

    void aQuietHostTurnsUnknownWhenItsResultGoesStale()
    {
        WebShop shop;
        HealthTracker tracker;
        tracker.reset(shop.f.config, shop.f.results, FixtureNow);
        // 3 periods of 60 s; stale once strictly older.
        const QDateTime deadline = FixtureNow.addSecs(180).addMSecs(1);
        QCOMPARE(tracker.nextStaleness(), std::optional<QDateTime>(deadline));
        QCOMPARE(tracker.expireStale(deadline.addMSecs(-1)), QList<HealthChange>());

        // web1 reports again in time; the others go stale.
        const QDateTime fresh = FixtureNow.addSecs(120);
        tracker.recordResult(shop.series(shop.web1), {fresh, State::Ok}, fresh);
        const QList<HealthChange> changes = tracker.expireStale(deadline);
        QCOMPARE(changes.size(), 4); // web2, db, lonely and the service
        QCOMPARE(tracker.hostState(shop.web1), State::Ok);
        QCOMPARE(tracker.hostState(shop.web2), State::Unknown);
        QCOMPARE(tracker.hostState(shop.db), State::Unknown);
        QVERIFY(changes.contains(
            hostChange(shop.lonely, State::Ok, State::Unknown, deadline, {shop.series(shop.lonely)})));
        // The database is unknown; beside it, a redundancy group with one member not ok is degraded.
        // Every series that went stale is named as a cause of the service's change.
        const auto service = std::find_if(changes.cbegin(), changes.cend(), [&](const HealthChange &c) {
            return c.subject == HealthChange::Subject::Service;
        });
        QVERIFY(service != changes.cend());
        QCOMPARE(service->from, State::Ok);
        QCOMPARE(service->to, State::Degraded);
        QCOMPARE(QSet<SeriesKey>(service->causes.cbegin(), service->causes.cend()),
                 (QSet<SeriesKey>{shop.series(shop.web2), shop.series(shop.db), shop.series(shop.lonely)}));
        // Next: web1's fresh result.
        QCOMPARE(tracker.nextStaleness(), std::optional<QDateTime>(fresh.addSecs(180).addMSecs(1)));
        // A new result brings a stale host back.
        const QDateTime back = deadline.addSecs(5);
        QCOMPARE(tracker.recordResult(shop.series(shop.db), {back, State::Ok}, back).first(),
                 hostChange(shop.db, State::Unknown, State::Ok, back, {shop.series(shop.db)}));
    }

    void withoutAScheduleNothingGoesStale()
    {
        ConfigurationFixture f;
        const QUuid host = f.hostInState(QStringLiteral("paused"), State::Ok);
        HealthTracker tracker;
        tracker.reset(f.config, f.results, FixtureNow);
        QCOMPARE(tracker.nextStaleness(), std::nullopt);
        QCOMPARE(tracker.expireStale(FixtureNow.addYears(1)), QList<HealthChange>());
        QCOMPARE(tracker.hostState(host), State::Ok);
    }

    void configurationChangesAreReported()
    {
        WebShop shop;
        HealthTracker tracker;
        tracker.reset(shop.f.config, shop.f.results, FixtureNow);

        // Disabling a host: no data; the redundancy group still has web2.
        Configuration changed = shop.f.config;
        changed.hosts[shop.web1].enabled = false;
        QList<HealthChange> changes = tracker.setConfiguration(changed, FixtureNow);
        QCOMPARE(changes, QList<HealthChange>{hostChange(shop.web1, State::Ok, State::NoData)});

        // Enabled again, its stored result counts again.
        ConfigurationFixture &f = shop.f;
        QCOMPARE(tracker.setConfiguration(f.config, FixtureNow),
                 QList<HealthChange>{hostChange(shop.web1, State::NoData, State::Ok)});

        // A new host has no data until its first result.
        const QUuid newHost = f.host(QStringLiteral("web3"));
        f.config.checks[shop.check].hostIds.append(newHost);
        QCOMPARE(tracker.setConfiguration(f.config, FixtureNow), QList<HealthChange>());
        QCOMPARE(tracker.hostState(newHost), State::NoData);
        QCOMPARE(tracker.recordResult({newHost, shop.check, shop.plugin}, {FixtureNow, State::Critical},
                                      FixtureNow),
                 QList<HealthChange>{hostChange(newHost, State::NoData, State::Critical, FixtureNow,
                                                {{newHost, shop.check, shop.plugin}})});

        // A removed host and service simply go: nothing is reported for them.
        f.config.hosts.remove(shop.lonely);
        f.config.services.remove(shop.service);
        QCOMPARE(tracker.setConfiguration(f.config, FixtureNow), QList<HealthChange>());
        QVERIFY(!tracker.hostStates().contains(shop.lonely));
        QVERIFY(!tracker.serviceStates().contains(shop.service));
        QVERIFY(!tracker.latest().contains(shop.series(shop.lonely)));
    }

    void aServiceWithoutHostsHasAState()
    {
        ConfigurationFixture f;
        const QUuid empty = f.service({});
        HealthTracker tracker;
        tracker.reset(f.config, f.results, FixtureNow);
        QVERIFY(tracker.serviceStates().contains(empty));
        QCOMPARE(tracker.serviceState(empty), State::NoData);
    }
};

QTEST_APPLESS_MAIN(TestHealthTracker)
#include "tst_healthtracker.moc"
