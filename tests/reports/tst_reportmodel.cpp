#include <QJsonArray>
#include <QTest>

#include "daemon-core/reports/hostdetail.h"
#include "daemon-core/reports/hostsreport.h"
#include "daemon-core/reports/reportjson.h"
#include "daemon-core/reports/servicedetail.h"
#include "daemon-core/reports/statichealthsource.h"
#include "tests/support/configurationfixture.h"

using namespace prophasis;
using test::ConfigurationFixture;
using test::FixtureNow;

// The report model over a fixed present (StaticHealthSource): the lists' order and counts, and the
// service structure with each member's health. The stored history is tested through the API.
class TestReportModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostsWorstFirstWithCountsPerState()
    {
        ConfigurationFixture f;
        const QUuid ok = f.hostInState(QStringLiteral("b-ok"), State::Ok);
        const QUuid critical = f.hostInState(QStringLiteral("z-critical"), State::Critical);
        const QUuid minor = f.hostInState(QStringLiteral("a-minor"), State::Minor);
        const QUuid empty = f.hostInState(QStringLiteral("c-empty"), State::NoData);
        const QUuid otherOk = f.hostInState(QStringLiteral("A-ok"), State::Ok);
        const StaticHealthSource source(f.config, f.results, FixtureNow);

        const HostsReport report = buildHostsReport(source, FixtureNow);
        QList<QUuid> order;
        for (const HostSummary &host : report.hosts)
            order.append(host.id);
        QCOMPARE(order, (QList<QUuid>{critical, minor, otherOk, ok, empty}));
        QCOMPARE(report.counts.value(State::Ok), 2);
        QCOMPARE(report.counts.value(State::Critical), 1);
        QCOMPARE(report.counts.value(State::Minor), 1);
        QCOMPARE(report.counts.value(State::NoData), 1);
        QCOMPARE(report.counts.total(), 5);
        QCOMPARE(report.hosts[0].state, State::Critical);
        QCOMPARE(report.hosts[0].series.value(State::Critical), 1);
        QCOMPARE(report.hosts[0].newestResult, FixtureNow);
        QCOMPARE(report.hosts[4].series.value(State::NoData), 1);
        QVERIFY(!report.hosts[4].newestResult.isValid());

        const QJsonObject json = toJson(report);
        QCOMPARE(json.value(QStringLiteral("counts")).toObject().value(QStringLiteral("ok")).toInt(), 2);
        const QJsonObject first = json.value(QStringLiteral("hosts")).toArray().first().toObject();
        QCOMPARE(first.value(QStringLiteral("state")).toString(), QStringLiteral("critical"));
        QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("z-critical"));
        QVERIFY(json.value(QStringLiteral("hosts"))
                    .toArray()
                    .last()
                    .toObject()
                    .value(QStringLiteral("newest_result"))
                    .isNull());
    }

    void seriesCountedPerStateWithStaleOnesUnknown()
    {
        ConfigurationFixture f;
        const QUuid host = f.host(QStringLiteral("web1"));
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid disk = f.plugin(QStringLiteral("disk"));
        const QUuid raid = f.plugin(QStringLiteral("raid"));
        const QUuid check = f.check({host}, {}, {cpu, disk, raid});
        f.schedule({check}, {60});
        f.result(host, check, cpu, State::Ok, 10);
        f.result(host, check, disk, State::Major, 3600); // far older than 3 periods: stale
        const StaticHealthSource source(f.config, f.results, FixtureNow);

        const HostSummary row = buildHostsReport(source, FixtureNow).hosts.constFirst();
        QCOMPARE(row.series.value(State::Ok), 1);
        QCOMPARE(row.series.value(State::Unknown), 1);
        QCOMPARE(row.series.value(State::Major), 0);
        QCOMPARE(row.series.value(State::NoData), 1);
        QCOMPARE(row.state, State::Unknown);
        QCOMPARE(row.newestResult, FixtureNow.addSecs(-10));

        const std::optional<HostDetail> detail = planHostDetail(source, {.hostId = host}, FixtureNow);
        QVERIFY(detail);
        QCOMPARE(detail->series.size(), 3);
        QCOMPARE(detail->series[0].pluginName, QStringLiteral("cpu"));
        QCOMPARE(detail->series[0].state, State::Ok);
        QCOMPARE(detail->series[1].pluginName, QStringLiteral("disk"));
        QCOMPARE(detail->series[1].state, State::Unknown);
        QCOMPARE(detail->series[2].state, State::NoData);
        QVERIFY(!planHostDetail(source, {.hostId = QUuid::createUuid()}, FixtureNow));
    }

    void servicesWorstFirst()
    {
        ConfigurationFixture f;
        const QUuid fine = f.service({f.memberInState(State::Ok)});
        const QUuid broken = f.service({f.memberInState(State::Critical)});
        const QUuid degraded = f.service({f.memberInState(State::Degraded)});
        const StaticHealthSource source(f.config, f.results, FixtureNow);
        const ServicesReport report = buildServicesReport(source, FixtureNow);
        QList<QUuid> order;
        for (const ServiceSummary &service : report.services) {
            if (service.id == fine || service.id == broken || service.id == degraded)
                order.append(service.id);
        }
        QCOMPARE(order, (QList<QUuid>{broken, degraded, fine}));
        QCOMPARE(report.counts.value(State::Critical), 1);
        QVERIFY(report.counts.value(State::Degraded) >= 1);
    }

    void serviceStructureWithEachMembersHealth()
    {
        ConfigurationFixture f;
        const QUuid db = f.hostInState(QStringLiteral("db"), State::Ok);
        const QUuid web1 = f.hostInState(QStringLiteral("web1"), State::Ok);
        const QUuid web2 = f.hostInState(QStringLiteral("web2"), State::Critical);
        const QUuid webs = f.group(QStringLiteral("webs"), {web1, web2});
        const QUuid http = f.plugin(QStringLiteral("http"));
        const QUuid httpCheck = f.check({web1}, {}, {http});
        f.result(web1, httpCheck, http, State::Minor);
        const QUuid service =
            f.service({ConfigurationFixture::hostMember(db), ConfigurationFixture::groupMember(webs)},
                      {{ConfigurationFixture::hostMember(web1), ConfigurationFixture::hostMember(web2)},
                       {ConfigurationFixture::hostPluginMember(web1, http)}});
        const StaticHealthSource source(f.config, f.results, FixtureNow);

        const std::optional<ServiceDetail> detail =
            planServiceDetail(source, {.serviceId = service}, FixtureNow);
        QVERIFY(detail);
        QCOMPARE(detail->service.state, source.serviceState(service));
        QCOMPARE(detail->dependencies.size(), 2);
        QCOMPARE(detail->dependencies[0].name, QStringLiteral("db"));
        QCOMPARE(detail->dependencies[0].state, State::Ok);
        QCOMPARE(detail->dependencies[1].kind, MemberKind::HostGroup);
        QCOMPARE(detail->dependencies[1].name, QStringLiteral("webs"));
        QCOMPARE(detail->dependencies[1].state, State::Critical);
        QCOMPARE(detail->redundancyGroups.size(), 2);
        // web1 is minor (its http series), web2 critical: the least severe wins.
        QCOMPARE(detail->redundancyGroups[0].members[0].state, State::Minor);
        QCOMPARE(detail->redundancyGroups[0].members[1].state, State::Critical);
        QCOMPARE(detail->redundancyGroups[0].state, State::Minor);
        QCOMPARE(detail->redundancyGroups[1].members[0].kind, MemberKind::HostPlugin);
        QCOMPARE(detail->redundancyGroups[1].members[0].pluginName, QStringLiteral("http"));
        QCOMPARE(detail->redundancyGroups[1].members[0].state, State::Minor);
        QVERIFY(!planServiceDetail(source, {.serviceId = QUuid::createUuid()}, FixtureNow));

        const QJsonObject json = toJson(*detail);
        const QJsonObject group =
            json.value(QStringLiteral("redundancy_groups")).toArray().first().toObject();
        QCOMPARE(group.value(QStringLiteral("state")).toString(), QStringLiteral("minor"));
        const QJsonObject member = json.value(QStringLiteral("redundancy_groups"))
                                       .toArray()[1]
                                       .toObject()
                                       .value(QStringLiteral("members"))
                                       .toArray()
                                       .first()
                                       .toObject();
        QCOMPARE(member.value(QStringLiteral("kind")).toString(), QStringLiteral("host_plugin"));
        QCOMPARE(member.value(QStringLiteral("plugin_name")).toString(), QStringLiteral("http"));
    }

    void okBesideCriticalIsDegraded()
    {
        ConfigurationFixture f;
        const QUuid up = f.hostInState(QStringLiteral("up"), State::Ok);
        const QUuid down = f.hostInState(QStringLiteral("down"), State::Critical);
        const QUuid service =
            f.service({}, {{ConfigurationFixture::hostMember(up), ConfigurationFixture::hostMember(down)}});
        const StaticHealthSource source(f.config, f.results, FixtureNow);
        const std::optional<ServiceDetail> detail =
            planServiceDetail(source, {.serviceId = service}, FixtureNow);
        QVERIFY(detail);
        QCOMPARE(detail->redundancyGroups[0].state, State::Degraded);
        QCOMPARE(detail->service.state, State::Degraded);
    }
};

QTEST_GUILESS_MAIN(TestReportModel)
#include "tst_reportmodel.moc"
