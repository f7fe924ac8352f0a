#include <QTest>

#include <functional>

#include "daemon-core/alerting/alertmatcher.h"
#include "tests/support/configurationfixture.h"

using namespace prophasis;
using prophasis::test::ConfigurationFixture;
using prophasis::test::FixtureNow;

Q_DECLARE_METATYPE(QList<prophasis::State>)

namespace {

// web1 and web2 serve the site (redundant); db1 backs the database service. Groups: "web" holds
// web1 and web2; "outer" holds "web" (nesting) but no host directly; "db" holds db1.
struct Estate
{
    ConfigurationFixture f;
    QUuid web1, web2, db1;
    QUuid webGroup, outerGroup, dbGroup;
    QUuid http, disk;
    QUuid httpCheck, diskCheck;
    QUuid site, database;

    Estate()
    {
        web1 = f.host(QStringLiteral("web1"));
        web2 = f.host(QStringLiteral("web2"));
        db1 = f.host(QStringLiteral("db1"));
        webGroup = f.group(QStringLiteral("web"), {web1, web2});
        outerGroup = f.group(QStringLiteral("outer"), {}, {webGroup});
        dbGroup = f.group(QStringLiteral("db"), {db1});
        http = f.plugin(QStringLiteral("http"));
        disk = f.plugin(QStringLiteral("disk"));
        httpCheck = f.check({}, {webGroup}, {http});
        diskCheck = f.check({web1, web2, db1}, {}, {disk});
        f.schedule({httpCheck, diskCheck}, {60});
        site =
            f.service({}, {{ConfigurationFixture::hostMember(web1), ConfigurationFixture::hostMember(web2)}});
        database = f.service({ConfigurationFixture::hostMember(db1)});
    }

    QUuid alert(const QString &name, const std::function<void(Alert &)> &configure)
    {
        Alert alert;
        alert.id = f.newId();
        alert.name = name;
        alert.module = QStringLiteral("syslog");
        configure(alert);
        f.config.alerts.insert(alert.id, alert);
        return alert.id;
    }

    AlertMatcher matcher() const { return AlertMatcher(std::make_shared<const Configuration>(f.config)); }
};

HealthChange hostChange(const QUuid &host, State from, State to, const QList<SeriesKey> &causes = {})
{
    return {HealthChange::Subject::Host, host, from, to, FixtureNow, causes};
}

HealthChange serviceChange(const QUuid &service, State from, State to, const QList<SeriesKey> &causes = {})
{
    return {HealthChange::Subject::Service, service, from, to, FixtureNow, causes};
}

} // namespace

class TestAlertMatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fromAndToStates_data()
    {
        QTest::addColumn<QList<State>>("fromStates");
        QTest::addColumn<QList<State>>("toStates");
        QTest::addColumn<State>("from");
        QTest::addColumn<State>("to");
        QTest::addColumn<bool>("fires");

        const QList<State> any;
        QTest::newRow("any to any") << any << any << State::Ok << State::Critical << true;
        QTest::newRow("any to any, recovery") << any << any << State::Critical << State::Ok << true;
        QTest::newRow("to critical: matches")
            << any << QList{State::Critical} << State::Ok << State::Critical << true;
        QTest::newRow("to critical: other target")
            << any << QList{State::Critical} << State::Ok << State::Minor << false;
        QTest::newRow("from ok: matches") << QList{State::Ok} << any << State::Ok << State::Major << true;
        QTest::newRow("from ok: other source")
            << QList{State::Ok} << any << State::Minor << State::Major << false;
        QTest::newRow("both lists") << QList{State::Ok, State::Minor} << QList{State::Critical, State::Major}
                                    << State::Minor << State::Major << true;
        QTest::newRow("both lists, to misses")
            << QList{State::Ok, State::Minor} << QList{State::Critical, State::Major} << State::Minor
            << State::Unknown << false;
        QTest::newRow("to no data is a change like any")
            << any << any << State::Critical << State::NoData << true;
        QTest::newRow("leaving no data never alerts")
            << any << any << State::NoData << State::Critical << false;
        QTest::newRow("leaving no data, even when asked for")
            << QList{State::NoData} << any << State::NoData << State::Ok << false;
        QTest::newRow("no change is no alert") << any << any << State::Critical << State::Critical << false;
    }

    void fromAndToStates()
    {
        QFETCH(QList<State>, fromStates);
        QFETCH(QList<State>, toStates);
        QFETCH(State, from);
        QFETCH(State, to);
        QFETCH(bool, fires);
        Estate estate;
        const QUuid id = estate.alert(QStringLiteral("a"), [&](Alert &alert) {
            alert.fromStates = fromStates;
            alert.toStates = toStates;
            alert.scope.allHosts = true;
            alert.scope.allServices = true;
        });
        const AlertMatcher matcher = estate.matcher();
        QCOMPARE(matcher.match(hostChange(estate.web1, from, to)), fires ? QList{id} : QList<QUuid>{});
        QCOMPARE(matcher.match(serviceChange(estate.site, from, to)), fires ? QList{id} : QList<QUuid>{});
    }

    void disabledAlertsNeverFire()
    {
        Estate estate;
        estate.alert(QStringLiteral("off"), [](Alert &alert) {
            alert.scope.allHosts = true;
            alert.enabled = false;
        });
        QVERIFY(estate.matcher().match(hostChange(estate.web1, State::Ok, State::Critical)).isEmpty());
    }

    void hostAlertsAndServiceAlertsStayApart()
    {
        Estate estate;
        const QUuid hosts =
            estate.alert(QStringLiteral("hosts"), [](Alert &alert) { alert.scope.allHosts = true; });
        const QUuid services =
            estate.alert(QStringLiteral("services"), [](Alert &alert) { alert.scope.allServices = true; });
        // A host alert naming web1 does not fire for the site web1 serves, nor a site alert for web1.
        const QUuid web1Only =
            estate.alert(QStringLiteral("web1"), [&](Alert &alert) { alert.scope.hostIds = {estate.web1}; });
        const QUuid siteOnly = estate.alert(QStringLiteral("site"),
                                            [&](Alert &alert) { alert.scope.serviceIds = {estate.site}; });
        const AlertMatcher matcher = estate.matcher();
        QCOMPARE(matcher.match(hostChange(estate.web1, State::Ok, State::Critical)),
                 (QList{hosts, web1Only}));
        QCOMPARE(matcher.match(hostChange(estate.db1, State::Ok, State::Critical)), QList{hosts});
        QCOMPARE(matcher.match(serviceChange(estate.site, State::Ok, State::Degraded)),
                 (QList{services, siteOnly}));
        QCOMPARE(matcher.match(serviceChange(estate.database, State::Ok, State::Critical)), QList{services});
    }

    void groupScopeFollowsNesting()
    {
        Estate estate;
        const QUuid outer = estate.alert(QStringLiteral("outer"),
                                         [&](Alert &alert) { alert.scope.groupIds = {estate.outerGroup}; });
        const QUuid db = estate.alert(QStringLiteral("db"),
                                      [&](Alert &alert) { alert.scope.groupIds = {estate.dbGroup}; });
        const AlertMatcher matcher = estate.matcher();
        // web1 is in "web", which is in "outer".
        QCOMPARE(matcher.match(hostChange(estate.web1, State::Ok, State::Critical)), QList{outer});
        QCOMPARE(matcher.match(hostChange(estate.web2, State::Ok, State::Critical)), QList{outer});
        QCOMPARE(matcher.match(hostChange(estate.db1, State::Ok, State::Critical)), QList{db});
        // A group scope is about hosts, not services.
        QVERIFY(matcher.match(serviceChange(estate.site, State::Ok, State::Critical)).isEmpty());
    }

    void groupScopeCycleIsHarmless()
    {
        Estate estate;
        estate.f.nestGroup(estate.webGroup, estate.outerGroup); // outer → web → outer
        const QUuid outer = estate.alert(QStringLiteral("outer"),
                                         [&](Alert &alert) { alert.scope.groupIds = {estate.outerGroup}; });
        QCOMPARE(estate.matcher().match(hostChange(estate.web1, State::Ok, State::Critical)), QList{outer});
    }

    void scopeIdsThatNameNothingAreIgnored()
    {
        Estate estate;
        const QUuid gone = estate.f.newId();
        const QUuid id = estate.alert(QStringLiteral("stale scope"), [&](Alert &alert) {
            alert.scope.groupIds = {gone};
            alert.scope.hostIds = {gone, estate.db1};
        });
        const AlertMatcher matcher = estate.matcher();
        QVERIFY(matcher.match(hostChange(estate.web1, State::Ok, State::Critical)).isEmpty());
        QCOMPARE(matcher.match(hostChange(estate.db1, State::Ok, State::Critical)), QList{id});
    }

    void pluginAndCheckRestrictionsMatchTheCauses()
    {
        Estate estate;
        const QUuid httpOnly = estate.alert(QStringLiteral("http"), [&](Alert &alert) {
            alert.scope.allHosts = true;
            alert.pluginIds = {estate.http};
        });
        const QUuid diskCheckOnly = estate.alert(QStringLiteral("disk check"), [&](Alert &alert) {
            alert.scope.allHosts = true;
            alert.checkIds = {estate.diskCheck};
        });
        // Plugin and check must hold for the same cause.
        const QUuid httpInDiskCheck = estate.alert(QStringLiteral("http in disk check"), [&](Alert &alert) {
            alert.scope.allHosts = true;
            alert.pluginIds = {estate.http};
            alert.checkIds = {estate.diskCheck};
        });
        const QUuid unrestricted =
            estate.alert(QStringLiteral("unrestricted"), [](Alert &alert) { alert.scope.allHosts = true; });
        const AlertMatcher matcher = estate.matcher();

        const SeriesKey httpOnWeb1{estate.web1, estate.httpCheck, estate.http};
        const SeriesKey diskOnWeb1{estate.web1, estate.diskCheck, estate.disk};
        QCOMPARE(matcher.match(hostChange(estate.web1, State::Ok, State::Critical, {httpOnWeb1})),
                 (QList{httpOnly, unrestricted}));
        QCOMPARE(matcher.match(hostChange(estate.web1, State::Ok, State::Critical, {diskOnWeb1})),
                 (QList{diskCheckOnly, unrestricted}));
        QCOMPARE(matcher.match(hostChange(estate.web1, State::Ok, State::Critical, {httpOnWeb1, diskOnWeb1})),
                 (QList{diskCheckOnly, httpOnly, unrestricted}));
        QVERIFY(!matcher.match(hostChange(estate.web1, State::Ok, State::Critical, {httpOnWeb1, diskOnWeb1}))
                     .contains(httpInDiskCheck));
    }

    void aChangeWithoutCausesMatchesOnlyUnrestrictedAlerts()
    {
        Estate estate;
        estate.alert(QStringLiteral("http"), [&](Alert &alert) {
            alert.scope.allHosts = true;
            alert.pluginIds = {estate.http};
        });
        estate.alert(QStringLiteral("check"), [&](Alert &alert) {
            alert.scope.allServices = true;
            alert.checkIds = {estate.httpCheck};
        });
        const QUuid unrestricted = estate.alert(QStringLiteral("unrestricted"), [](Alert &alert) {
            alert.scope.allHosts = true;
            alert.scope.allServices = true;
        });
        const AlertMatcher matcher = estate.matcher();
        // A configuration change (a host added to a failing check) has no causes.
        QCOMPARE(matcher.match(hostChange(estate.web1, State::Ok, State::Critical)), QList{unrestricted});
        QCOMPARE(matcher.match(serviceChange(estate.site, State::Ok, State::Critical)), QList{unrestricted});
    }

    void hostRestrictionsCountOnlyTheHostsOwnSeries()
    {
        Estate estate;
        estate.alert(QStringLiteral("http"), [&](Alert &alert) {
            alert.scope.allHosts = true;
            alert.pluginIds = {estate.http};
        });
        // A cause on web2 does not explain a change of web1.
        const SeriesKey httpOnWeb2{estate.web2, estate.httpCheck, estate.http};
        QVERIFY(estate.matcher()
                    .match(hostChange(estate.web1, State::Ok, State::Critical, {httpOnWeb2}))
                    .isEmpty());
    }

    void serviceRestrictionsCountSeriesOnTheServicesHosts()
    {
        Estate estate;
        const QUuid siteHttp = estate.alert(QStringLiteral("site http"), [&](Alert &alert) {
            alert.scope.serviceIds = {estate.site};
            alert.pluginIds = {estate.http};
        });
        const AlertMatcher matcher = estate.matcher();
        const SeriesKey httpOnWeb2{estate.web2, estate.httpCheck, estate.http};
        const SeriesKey diskOnWeb2{estate.web2, estate.diskCheck, estate.disk};
        const SeriesKey httpOnDb1{estate.db1, estate.httpCheck, estate.http}; // db1 is not in the site
        QCOMPARE(matcher.match(serviceChange(estate.site, State::Ok, State::Degraded, {httpOnWeb2})),
                 QList{siteHttp});
        QVERIFY(
            matcher.match(serviceChange(estate.site, State::Ok, State::Degraded, {diskOnWeb2})).isEmpty());
        QVERIFY(matcher.match(serviceChange(estate.site, State::Ok, State::Degraded, {httpOnDb1})).isEmpty());
        QCOMPARE(
            matcher.match(serviceChange(estate.site, State::Ok, State::Degraded, {httpOnDb1, httpOnWeb2})),
            QList{siteHttp});
    }

    void serviceRestrictionsReachThroughGroupsAndNestedServices()
    {
        Estate estate;
        // "front" depends on a group holding web1 and web2, and "shop" nests "front".
        const QUuid front = estate.f.service({ConfigurationFixture::groupMember(estate.webGroup)});
        const QUuid shop = estate.f.service({ConfigurationFixture::serviceMember(front)});
        const QUuid shopHttp = estate.alert(QStringLiteral("shop http"), [&](Alert &alert) {
            alert.scope.serviceIds = {shop};
            alert.pluginIds = {estate.http};
        });
        const SeriesKey httpOnWeb1{estate.web1, estate.httpCheck, estate.http};
        QCOMPARE(estate.matcher().match(serviceChange(shop, State::Ok, State::Critical, {httpOnWeb1})),
                 QList{shopHttp});
    }

    void alertsComeInNameOrder()
    {
        Estate estate;
        const QUuid zulu =
            estate.alert(QStringLiteral("Zulu"), [](Alert &alert) { alert.scope.allHosts = true; });
        const QUuid alpha =
            estate.alert(QStringLiteral("alpha"), [](Alert &alert) { alert.scope.allHosts = true; });
        const QUuid mike =
            estate.alert(QStringLiteral("Mike"), [](Alert &alert) { alert.scope.allHosts = true; });
        QCOMPARE(estate.matcher().match(hostChange(estate.web1, State::Ok, State::Minor)),
                 (QList{alpha, mike, zulu}));
    }
};

QTEST_GUILESS_MAIN(TestAlertMatcher)
#include "tst_alertmatcher.moc"
