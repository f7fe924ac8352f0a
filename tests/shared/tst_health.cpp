#include <QTest>

#include <algorithm>

#include "shared/domain/enumnames.h"
#include "shared/health/healthcalculator.h"
#include "shared/health/topology.h"
#include "shared/health/worstfirst.h"
#include "tests/support/configurationfixture.h"

using namespace prophasis;

Q_DECLARE_METATYPE(prophasis::State)

namespace prophasis {
// Readable failure messages for QCOMPARE on states.
inline char *toString(State state)
{
    return qstrdup(qPrintable(enumName(state)));
}
} // namespace prophasis

namespace {

const QDateTime Now = test::FixtureNow;
using Fixture = test::ConfigurationFixture;

QList<QUuid> sorted(QList<QUuid> ids)
{
    std::sort(ids.begin(), ids.end());
    return ids;
}

} // namespace

class TestHealth : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // --- host health ---------------------------------------------------------------------

    void hostWithoutChecksHasNoData()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        QCOMPARE(f.calculator().hostHealth(web1), State::NoData);
    }

    void hostWithChecksButNoResultsHasNoData()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        f.check({web1}, {}, {f.plugin(QStringLiteral("cpu"))});
        QCOMPARE(f.topology().pairsForHost(web1).size(), 1);
        QCOMPARE(f.calculator().hostHealth(web1), State::NoData);
    }

    void mostSevereResultWins_data()
    {
        QTest::addColumn<QList<State>>("pairStates"); // NoData: the pair has no result
        QTest::addColumn<State>("expected");

        QTest::newRow("single ok") << QList<State>{State::Ok} << State::Ok;
        QTest::newRow("minor in the middle")
            << QList<State>{State::Ok, State::Minor, State::Ok} << State::Minor;
        QTest::newRow("critical first")
            << QList<State>{State::Critical, State::Major, State::Ok} << State::Critical;
        QTest::newRow("critical last")
            << QList<State>{State::Minor, State::Major, State::Critical} << State::Critical;
        QTest::newRow("unknown over ok") << QList<State>{State::Ok, State::Unknown} << State::Unknown;
        QTest::newRow("minor over unknown") << QList<State>{State::Unknown, State::Minor} << State::Minor;
        QTest::newRow("pair without result ignored") << QList<State>{State::NoData, State::Ok} << State::Ok;
        QTest::newRow("no results at all") << QList<State>{State::NoData, State::NoData} << State::NoData;
    }

    void mostSevereResultWins()
    {
        QFETCH(QList<State>, pairStates);
        QFETCH(State, expected);

        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        for (State state : pairStates) {
            const QUuid pluginId = f.plugin(QStringLiteral("plugin"));
            const QUuid checkId = f.check({web1}, {}, {pluginId});
            if (state != State::NoData)
                f.result(web1, checkId, pluginId, state);
        }
        QCOMPARE(f.calculator().hostHealth(web1), expected);
    }

    void severalPluginsOfOneCheck()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid disk = f.plugin(QStringLiteral("disk"));
        const QUuid checkId = f.check({web1}, {}, {cpu, disk});
        f.result(web1, checkId, cpu, State::Ok);
        f.result(web1, checkId, disk, State::Major);
        QCOMPARE(f.calculator().hostHealth(web1), State::Major);
    }

    void resultsOfOtherHostsDoNotCount()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid web2 = f.host(QStringLiteral("web2"));
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid checkId = f.check({web1, web2}, {}, {cpu});
        f.result(web1, checkId, cpu, State::Ok);
        f.result(web2, checkId, cpu, State::Critical);
        QCOMPARE(f.calculator().hostHealth(web1), State::Ok);
        QCOMPARE(f.calculator().hostHealth(web2), State::Critical);
    }

    // --- staleness -----------------------------------------------------------------------

    void staleness_data()
    {
        QTest::addColumn<QList<qint64>>("enabledPeriods");  // one enabled schedule, these intervals
        QTest::addColumn<QList<qint64>>("otherSchedules");  // one more enabled schedule each
        QTest::addColumn<QList<qint64>>("disabledPeriods"); // one disabled schedule, these intervals
        QTest::addColumn<State>("classification");
        QTest::addColumn<qint64>("ageSeconds");
        QTest::addColumn<State>("expected");

        const QList<qint64> none;
        QTest::newRow("fresh") << QList<qint64>{60} << none << none << State::Critical << qint64(10)
                               << State::Critical;
        QTest::newRow("two periods old")
            << QList<qint64>{60} << none << none << State::Ok << qint64(120) << State::Ok;
        QTest::newRow("exactly three periods")
            << QList<qint64>{60} << none << none << State::Ok << qint64(180) << State::Ok;
        QTest::newRow("older than three periods")
            << QList<qint64>{60} << none << none << State::Ok << qint64(181) << State::Unknown;
        QTest::newRow("stale critical is unknown")
            << QList<qint64>{60} << none << none << State::Critical << qint64(600) << State::Unknown;
        QTest::newRow("shortest interval of a schedule counts")
            << QList<qint64>{3600, 60} << none << none << State::Ok << qint64(200) << State::Unknown;
        QTest::newRow("shortest of several schedules counts")
            << QList<qint64>{3600} << QList<qint64>{60} << none << State::Ok << qint64(200) << State::Unknown;
        QTest::newRow("inside the shortest interval's limit")
            << QList<qint64>{3600, 60} << none << none << State::Ok << qint64(179) << State::Ok;
        QTest::newRow("disabled schedule does not count")
            << QList<qint64>{3600} << none << QList<qint64>{60} << State::Ok << qint64(200) << State::Ok;
        QTest::newRow("only a disabled schedule: never stale")
            << none << none << QList<qint64>{60} << State::Minor << qint64(86400 * 30) << State::Minor;
        QTest::newRow("no schedule: never stale")
            << none << none << none << State::Ok << qint64(86400 * 365) << State::Ok;
    }

    void staleness()
    {
        QFETCH(QList<qint64>, enabledPeriods);
        QFETCH(QList<qint64>, otherSchedules);
        QFETCH(QList<qint64>, disabledPeriods);
        QFETCH(State, classification);
        QFETCH(qint64, ageSeconds);
        QFETCH(State, expected);

        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid checkId = f.check({web1}, {}, {cpu});
        if (!enabledPeriods.isEmpty())
            f.schedule({checkId}, enabledPeriods);
        for (qint64 period : otherSchedules)
            f.schedule({checkId}, {period});
        if (!disabledPeriods.isEmpty())
            f.schedule({checkId}, disabledPeriods, false);
        f.result(web1, checkId, cpu, classification, ageSeconds);

        QCOMPARE(f.calculator().hostHealth(web1), expected);
    }

    void stalenessLimit()
    {
        Fixture f;
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid scheduled = f.check({}, {}, {cpu});
        const QUuid paused = f.check({}, {}, {cpu});
        const QUuid unscheduled = f.check({}, {}, {cpu});
        f.schedule({scheduled}, {300, 120});
        f.schedule({scheduled, paused}, {30}, false);

        const Topology topology = f.topology();
        QCOMPARE(topology.stalenessLimitSeconds(scheduled), std::optional<qint64>(360));
        QCOMPARE(topology.stalenessLimitSeconds(paused), std::nullopt);
        QCOMPARE(topology.stalenessLimitSeconds(unscheduled), std::nullopt);
    }

    void staleResultOnlyAffectsItsOwnCheck()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid fast = f.check({web1}, {}, {cpu});
        const QUuid slow = f.check({web1}, {}, {cpu});
        f.schedule({fast}, {60});
        f.schedule({slow}, {3600});
        f.result(web1, fast, cpu, State::Ok, 100);
        f.result(web1, slow, cpu, State::Ok, 1000); // stale only under the fast check's limit
        QCOMPARE(f.calculator().hostHealth(web1), State::Ok);
    }

    // --- which checks apply --------------------------------------------------------------

    void checkReachesHostThroughGroups_data()
    {
        QTest::addColumn<int>("depth"); // 0: assigned to the host, 1: to its group, 2: to a group above

        QTest::newRow("host itself") << 0;
        QTest::newRow("through a group") << 1;
        QTest::newRow("through a group in a group") << 2;
    }

    void checkReachesHostThroughGroups()
    {
        QFETCH(int, depth);

        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid outsider = f.host(QStringLiteral("db1"));
        const QUuid inner = f.group(QStringLiteral("web"), {web1});
        const QUuid outer = f.group(QStringLiteral("all"), {}, {inner});
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        QUuid checkId;
        if (depth == 0)
            checkId = f.check({web1}, {}, {cpu});
        else
            checkId = f.check({}, {depth == 1 ? inner : outer}, {cpu});
        f.result(web1, checkId, cpu, State::Critical);
        f.result(outsider, checkId, cpu, State::Critical); // a result for a pair that does not apply

        const Topology topology = f.topology();
        QCOMPARE(topology.pairsForHost(web1), (QList<CheckPluginPair>{{checkId, cpu}}));
        QVERIFY(topology.pairsForHost(outsider).isEmpty());
        QCOMPARE(f.calculator().hostHealth(web1), State::Critical);
        QCOMPARE(f.calculator().hostHealth(outsider), State::NoData);
    }

    void disabledCheckDoesNotApply()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid enabled = f.check({web1}, {}, {cpu});
        const QUuid disabled = f.check({web1}, {}, {cpu}, false);
        f.result(web1, enabled, cpu, State::Ok);
        f.result(web1, disabled, cpu, State::Critical);

        QCOMPARE(f.topology().pairsForHost(web1), (QList<CheckPluginPair>{{enabled, cpu}}));
        QCOMPARE(f.calculator().hostHealth(web1), State::Ok);
    }

    void pairsAreDistinctAndSkipUnknownPlugins()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid web = f.group(QStringLiteral("web"), {web1});
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid deleted = f.newId();
        // Assigned both directly and through the group, and naming cpu twice.
        const QUuid checkId = f.check({web1}, {web}, {cpu, cpu, deleted});
        QCOMPARE(f.topology().pairsForHost(web1), (QList<CheckPluginPair>{{checkId, cpu}}));
    }

    void disabledOrUnknownHostHasNoData()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"), false);
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid checkId = f.check({web1}, {}, {cpu});
        f.result(web1, checkId, cpu, State::Critical);

        const HealthCalculator calculator = f.calculator();
        QCOMPARE(calculator.hostHealth(web1), State::NoData);
        QCOMPARE(calculator.hostPluginHealth(web1, cpu), State::NoData);
        QCOMPARE(calculator.hostHealth(f.newId()), State::NoData);
    }

    // --- groups --------------------------------------------------------------------------

    void hostsInGroupThroughNesting()
    {
        Fixture f;
        const QUuid web2 = f.host(QStringLiteral("web2"));
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid db1 = f.host(QStringLiteral("db1"));
        const QUuid web = f.group(QStringLiteral("web"), {web2, web1});
        const QUuid db = f.group(QStringLiteral("db"), {db1, web1});
        const QUuid all = f.group(QStringLiteral("all"), {web1}, {web, db}); // web1 three ways

        const Topology topology = f.topology();
        QCOMPARE(topology.hostsInGroup(all), sorted({web1, web2, db1}));
        QCOMPARE(topology.hostsInGroup(web), sorted({web1, web2}));
        QCOMPARE(topology.groupsOfHost(web1), sorted({web, db, all}));
        QCOMPARE(topology.groupsOfHost(web2), sorted({web, all}));
        QVERIFY(topology.hostsInGroup(f.newId()).isEmpty());
    }

    void groupCyclesDoNotHang()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid web2 = f.host(QStringLiteral("web2"));
        const QUuid a = f.group(QStringLiteral("a"), {web1});
        const QUuid b = f.group(QStringLiteral("b"), {web2}, {a});
        f.nestGroup(a, b); // a ⊃ b ⊃ a
        const QUuid self = f.group(QStringLiteral("self"), {web1});
        f.nestGroup(self, self);
        const QUuid cpu = f.plugin(QStringLiteral("cpu"));
        const QUuid checkId = f.check({}, {a}, {cpu});
        f.result(web1, checkId, cpu, State::Ok);
        f.result(web2, checkId, cpu, State::Major);

        const Topology topology = f.topology();
        QCOMPARE(topology.hostsInGroup(a), sorted({web1, web2}));
        QCOMPARE(topology.hostsInGroup(b), sorted({web1, web2}));
        QCOMPARE(topology.hostsInGroup(self), QList<QUuid>{web1});
        QCOMPARE(topology.groupsOfHost(web1), sorted({a, b, self}));

        const HealthCalculator calculator = f.calculator();
        QCOMPARE(calculator.hostHealth(web1), State::Ok);
        QCOMPARE(calculator.hostHealth(web2), State::Major);
        QCOMPARE(calculator.hostGroupHealth(b), State::Major);
    }

    void hostGroupHealth()
    {
        Fixture f;
        const QUuid web1 = f.hostInState(QStringLiteral("web1"), State::Ok);
        const QUuid web2 = f.hostInState(QStringLiteral("web2"), State::Minor);
        const QUuid fresh = f.hostInState(QStringLiteral("web3"), State::NoData);
        const QUuid web = f.group(QStringLiteral("web"), {web1, fresh});
        const QUuid all = f.group(QStringLiteral("all"), {}, {web, f.group(QStringLiteral("more"), {web2})});
        const QUuid empty = f.group(QStringLiteral("empty"), {});

        const HealthCalculator calculator = f.calculator();
        QCOMPARE(calculator.hostGroupHealth(web), State::Ok);
        QCOMPARE(calculator.hostGroupHealth(all), State::Minor);
        QCOMPARE(calculator.hostGroupHealth(empty), State::NoData);
    }

    // --- variables -----------------------------------------------------------------------

    void effectiveVariablesPrecedence()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"), true, {{"own", "host"}, {"shared", "host"}});
        // Distance 1: "alpha" and "Beta" (Beta sorts later ignoring case, so it wins their tie).
        const QUuid alpha = f.group(QStringLiteral("alpha"), {web1}, {},
                                    {{"tie", "alpha"}, {"near", "alpha"}, {"shared", "alpha"}});
        const QUuid beta = f.group(QStringLiteral("Beta"), {web1}, {}, {{"tie", "Beta"}});
        // Distance 2: "parent" holds alpha; nearer groups override it.
        const QUuid parent = f.group(QStringLiteral("parent"), {}, {alpha},
                                     {{"near", "parent"}, {"far", "parent"}, {"short", "parent"}});
        // "zeta" holds web1 directly (distance 1) and also sits above parent (distance 3): the
        // shortest distance counts, so zeta overrides parent.
        f.group(QStringLiteral("zeta"), {web1}, {parent}, {{"short", "zeta"}});
        Q_UNUSED(beta);

        const Variables variables = f.topology().effectiveVariables(web1);
        QCOMPARE(variables.value("own"), QStringLiteral("host"));
        QCOMPARE(variables.value("shared"), QStringLiteral("host"));
        QCOMPARE(variables.value("tie"), QStringLiteral("Beta"));
        QCOMPARE(variables.value("near"), QStringLiteral("alpha"));
        QCOMPARE(variables.value("far"), QStringLiteral("parent"));
        QCOMPARE(variables.value("short"), QStringLiteral("zeta"));
        QCOMPARE(variables.size(), 6);
    }

    void effectiveVariablesWithoutGroups()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"), true, {{"disk_warn", "85"}});
        QCOMPARE(f.topology().effectiveVariables(web1), (Variables{{"disk_warn", "85"}}));
        QVERIFY(f.topology().effectiveVariables(f.newId()).isEmpty());
    }

    // --- redundancy groups and services --------------------------------------------------

    void redundancyGroup_data()
    {
        QTest::addColumn<QList<State>>("members"); // degraded: a nested service that is degraded
        QTest::addColumn<State>("expected");

        QTest::newRow("ok + critical") << QList<State>{State::Ok, State::Critical} << State::Degraded;
        QTest::newRow("critical + ok") << QList<State>{State::Critical, State::Ok} << State::Degraded;
        QTest::newRow("minor + critical") << QList<State>{State::Minor, State::Critical} << State::Minor;
        QTest::newRow("ok + ok") << QList<State>{State::Ok, State::Ok} << State::Ok;
        QTest::newRow("ok + unknown") << QList<State>{State::Ok, State::Unknown} << State::Degraded;
        QTest::newRow("no_data + critical")
            << QList<State>{State::NoData, State::Critical} << State::Critical;
        QTest::newRow("no_data + ok") << QList<State>{State::NoData, State::Ok} << State::Ok;
        QTest::newRow("no_data + no_data") << QList<State>{State::NoData, State::NoData} << State::NoData;
        QTest::newRow("degraded + critical")
            << QList<State>{State::Degraded, State::Critical} << State::Degraded;
        QTest::newRow("major + unknown + critical")
            << QList<State>{State::Major, State::Unknown, State::Critical} << State::Unknown;
        QTest::newRow("single critical") << QList<State>{State::Critical} << State::Critical;
        QTest::newRow("empty") << QList<State>{} << State::NoData;
    }

    void redundancyGroup()
    {
        QFETCH(QList<State>, members);
        QFETCH(State, expected);

        Fixture f;
        RedundancyGroup group;
        for (State state : members)
            group.members.append(f.memberInState(state));
        const QUuid serviceId = f.service({}, {group.members});

        const HealthCalculator calculator = f.calculator();
        QCOMPARE(calculator.redundancyGroupHealth(group), expected);
        QCOMPARE(calculator.serviceHealth(serviceId), expected);
    }

    void hostGroupStandsForEachHost()
    {
        Fixture f;
        const QUuid web1 = f.hostInState(QStringLiteral("web1"), State::Ok);
        const QUuid web2 = f.hostInState(QStringLiteral("web2"), State::Critical);
        const QUuid web = f.group(QStringLiteral("web"), {web1, web2});
        const QUuid redundant = f.service({}, {{Fixture::groupMember(web)}});
        const QUuid dependent = f.service({Fixture::groupMember(web)});

        const HealthCalculator calculator = f.calculator();
        QCOMPARE(calculator.serviceHealth(redundant), State::Degraded);
        QCOMPARE(calculator.serviceHealth(dependent), State::Critical);
    }

    void hostGroupOfNoDataHostsInRedundancyGroup()
    {
        Fixture f;
        const QUuid fresh = f.hostInState(QStringLiteral("fresh"), State::NoData);
        const QUuid down = f.hostInState(QStringLiteral("down"), State::Critical);
        const QUuid web = f.group(QStringLiteral("web"), {fresh});
        const QUuid empty = f.group(QStringLiteral("empty"), {});
        const RedundancyGroup group{
            QStringLiteral("r"),
            {Fixture::groupMember(web), Fixture::groupMember(empty), Fixture::hostMember(down)}};
        QCOMPARE(f.calculator().redundancyGroupHealth(group), State::Critical);
    }

    void serviceDependencies_data()
    {
        QTest::addColumn<QList<State>>("dependencies");
        QTest::addColumn<State>("expected");

        QTest::newRow("all ok") << QList<State>{State::Ok, State::Ok} << State::Ok;
        QTest::newRow("one minor") << QList<State>{State::Ok, State::Minor, State::Ok} << State::Minor;
        QTest::newRow("critical beats major")
            << QList<State>{State::Critical, State::Major} << State::Critical;
        QTest::newRow("nested degraded") << QList<State>{State::Ok, State::Degraded} << State::Degraded;
        QTest::newRow("unknown over ok") << QList<State>{State::Unknown, State::Ok} << State::Unknown;
        QTest::newRow("no data ignored") << QList<State>{State::NoData, State::Ok} << State::Ok;
    }

    void serviceDependencies()
    {
        QFETCH(QList<State>, dependencies);
        QFETCH(State, expected);

        Fixture f;
        QList<ServiceMember> members;
        for (State state : dependencies)
            members.append(f.memberInState(state));
        const QUuid serviceId = f.service(members);
        QCOMPARE(f.calculator().serviceHealth(serviceId), expected);
    }

    void serviceTakesMostSevereOfDependenciesAndRedundancyGroups()
    {
        Fixture f;
        const QUuid db = f.hostInState(QStringLiteral("db"), State::Minor);
        const QUuid web1 = f.hostInState(QStringLiteral("web1"), State::Ok);
        const QUuid web2 = f.hostInState(QStringLiteral("web2"), State::Major);
        const QUuid web3 = f.hostInState(QStringLiteral("web3"), State::Critical);
        const QUuid degraded =
            f.service({Fixture::hostMember(db)}, {{Fixture::hostMember(web1), Fixture::hostMember(web2)}});
        const QUuid major =
            f.service({Fixture::hostMember(db)}, {{Fixture::hostMember(web2), Fixture::hostMember(web3)}});

        const HealthCalculator calculator = f.calculator();
        QCOMPARE(calculator.serviceHealth(degraded), State::Minor); // minor db beats a degraded group
        QCOMPARE(calculator.serviceHealth(major), State::Major);
    }

    void emptyOrUnknownServiceHasNoData()
    {
        Fixture f;
        const QUuid empty = f.service({});
        const QUuid emptyGroup = f.service({}, QList<QList<ServiceMember>>{QList<ServiceMember>{}});
        const HealthCalculator calculator = f.calculator();
        QCOMPARE(calculator.serviceHealth(empty), State::NoData);
        QCOMPARE(calculator.serviceHealth(emptyGroup), State::NoData);
        QCOMPARE(calculator.serviceHealth(f.newId()), State::NoData);
    }

    void hostPluginMember()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid http = f.plugin(QStringLiteral("http"));
        const QUuid disk = f.plugin(QStringLiteral("disk"));
        const QUuid unused = f.plugin(QStringLiteral("smart"));
        const QUuid checkId = f.check({web1}, {}, {http, disk});
        f.result(web1, checkId, http, State::Ok);
        f.result(web1, checkId, disk, State::Critical);
        const QUuid site = f.service({Fixture::hostPluginMember(web1, http)});
        const QUuid storage = f.service({Fixture::hostPluginMember(web1, disk)});
        const QUuid wholeHost = f.service({Fixture::hostMember(web1)});

        const HealthCalculator calculator = f.calculator();
        QCOMPARE(calculator.hostHealth(web1), State::Critical);
        QCOMPARE(calculator.hostPluginHealth(web1, http), State::Ok);
        QCOMPARE(calculator.hostPluginHealth(web1, unused), State::NoData);
        QCOMPARE(calculator.serviceHealth(site), State::Ok);
        QCOMPARE(calculator.serviceHealth(storage), State::Critical);
        QCOMPARE(calculator.serviceHealth(wholeHost), State::Critical);
    }

    void hostPluginHealthTakesMostSevereAcrossChecksAndStaleness()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid http = f.plugin(QStringLiteral("http"));
        const QUuid first = f.check({web1}, {}, {http});
        const QUuid second = f.check({web1}, {}, {http});
        f.schedule({second}, {60});
        f.result(web1, first, http, State::Ok);
        f.result(web1, second, http, State::Ok, 3600);
        QCOMPARE(f.calculator().hostPluginHealth(web1, http), State::Unknown);
    }

    void nestedServices()
    {
        Fixture f;
        const QUuid db = f.hostInState(QStringLiteral("db"), State::Major);
        const QUuid web = f.hostInState(QStringLiteral("web"), State::Ok);
        const QUuid inner = f.service({Fixture::hostMember(db)});
        const QUuid middle = f.service({Fixture::serviceMember(inner), Fixture::hostMember(web)});
        const QUuid outer = f.service({Fixture::serviceMember(middle)});
        const QUuid healthyInner = f.service({Fixture::hostMember(web)});
        const QUuid healthyOuter = f.service({Fixture::serviceMember(healthyInner)});

        const HealthCalculator calculator = f.calculator();
        QCOMPARE(calculator.serviceHealth(outer), State::Major);
        QCOMPARE(calculator.serviceHealth(middle), State::Major);
        QCOMPARE(calculator.serviceHealth(healthyOuter), State::Ok);
    }

    void serviceCycleDoesNotHang()
    {
        Fixture f;
        const QUuid down = f.hostInState(QStringLiteral("down"), State::Critical);
        Service a;
        a.id = f.newId();
        Service b;
        b.id = f.newId();
        a.dependencies = {Fixture::serviceMember(b.id)};
        b.dependencies = {Fixture::serviceMember(a.id)};
        f.config.services.insert(a.id, a);
        f.config.services.insert(b.id, b);
        const QUuid self = f.service({});
        f.config.services[self].redundancyGroups.append(
            RedundancyGroup{QStringLiteral("r"), {Fixture::serviceMember(self)}});
        const QUuid withHost = f.service({Fixture::hostMember(down), Fixture::serviceMember(a.id)});

        // Each meets itself again: counted as unknown, never no data or a hang.
        QCOMPARE(f.calculator().serviceHealth(a.id), State::Unknown);
        QCOMPARE(f.calculator().serviceHealth(b.id), State::Unknown);
        QCOMPARE(f.calculator().serviceHealth(self), State::Unknown);
        QCOMPARE(f.calculator().serviceHealth(withHost), State::Critical);
    }

    void serviceHealthIsMemoised()
    {
        // A chain of services each naming the next twice: without memoisation 2^40 visits.
        Fixture f;
        QUuid next = f.service({Fixture::hostMember(f.hostInState(QStringLiteral("web"), State::Minor))});
        for (int i = 0; i < 40; ++i)
            next = f.service({Fixture::serviceMember(next)}, {{Fixture::serviceMember(next)}});
        QCOMPARE(f.calculator().serviceHealth(next), State::Minor);
    }

    void calculatorAcceptsABuiltTopology()
    {
        Fixture f;
        const QUuid web1 = f.hostInState(QStringLiteral("web1"), State::Major);
        const Topology topology = f.topology();
        const HealthCalculator calculator(f.config, topology, f.results, Now);
        QCOMPARE(calculator.hostHealth(web1), State::Major);
    }

    // --- services of a host --------------------------------------------------------------

    void servicesOfHost()
    {
        Fixture f;
        const QUuid web1 = f.host(QStringLiteral("web1"));
        const QUuid db1 = f.host(QStringLiteral("db1"));
        const QUuid http = f.plugin(QStringLiteral("http"));
        const QUuid web = f.group(QStringLiteral("web"), {web1});
        const QUuid all = f.group(QStringLiteral("all"), {db1}, {web});

        const QUuid asHost = f.service({Fixture::hostMember(web1)});
        const QUuid viaNestedGroup = f.service({}, {{Fixture::groupMember(all)}});
        const QUuid asHostPlugin = f.service({}, {{Fixture::hostPluginMember(web1, http)}});
        const QUuid nesting = f.service({Fixture::serviceMember(asHost)});
        const QUuid nestingTwice = f.service({}, {{Fixture::serviceMember(nesting)}});
        const QUuid dbOnly = f.service({Fixture::hostMember(db1)});
        const QUuid nestingDbOnly = f.service({Fixture::serviceMember(dbOnly)});
        // A cycle above a service web1 takes part in.
        const QUuid loopA = f.service({Fixture::serviceMember(asHostPlugin)});
        const QUuid loopB = f.service({Fixture::serviceMember(loopA)});
        f.config.services[loopA].dependencies.append(Fixture::serviceMember(loopB));

        const Topology topology = f.topology();
        QCOMPARE(topology.servicesOfHost(web1),
                 sorted({asHost, viaNestedGroup, asHostPlugin, nesting, nestingTwice, loopA, loopB}));
        QCOMPARE(topology.servicesOfHost(db1), sorted({viaNestedGroup, dbOnly, nestingDbOnly}));
        QVERIFY(topology.servicesOfHost(f.newId()).isEmpty());
    }

    // --- worst first ---------------------------------------------------------------------

    void sortWorstFirst()
    {
        const auto id = [](uint n) { return QUuid(n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); };
        const QList<HealthEntry> expected = {
            {id(9), QStringLiteral("db1"), State::Critical},
            {id(3), QStringLiteral("alpha"), State::Major},
            {id(2), QStringLiteral("Beta"), State::Major}, // ignoring case, alpha < Beta
            {id(8), QStringLiteral("mail"), State::Minor},
            {id(7), QStringLiteral("shop"), State::Degraded},
            {id(6), QStringLiteral("nas"), State::Unknown},
            {id(4), QStringLiteral("web"), State::Ok}, // same name but for case: by id
            {id(5), QStringLiteral("Web"), State::Ok},
            {id(10), QStringLiteral("web"), State::Ok},
            {id(1), QStringLiteral("aardvark"), State::NoData},
        };

        QList<QList<HealthEntry>> inputs = {expected, expected};
        std::reverse(inputs[1].begin(), inputs[1].end());
        QList<HealthEntry> rotated = expected;
        std::rotate(rotated.begin(), rotated.begin() + 4, rotated.end());
        inputs.append(rotated);

        for (QList<HealthEntry> entries : inputs) {
            prophasis::sortWorstFirst(entries);
            QCOMPARE(entries.size(), expected.size());
            for (qsizetype i = 0; i < entries.size(); ++i) {
                QCOMPARE(entries[i].id, expected[i].id);
                QCOMPARE(entries[i].name, expected[i].name);
                QCOMPARE(entries[i].state, expected[i].state);
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestHealth)
#include "tst_health.moc"
