#include <QAbstractItemModelTester>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTreeView>

#include <memory>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/common/healthchangemodel.h"
#include "console/servicepage/servicepage.h"
#include "console/servicepage/servicetreemodel.h"
#include "daemon-core/engine/healthtracker.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/healthhistorystore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "shared/tls/identity.h"
#include "tests/api/managementapibench.h"
#include "tests/console/consolelogin.h"

using namespace prophasis;

namespace {

ServiceMemberReport member(const QString &name, State state, MemberKind kind = MemberKind::Host)
{
    ServiceMemberReport member;
    member.kind = kind;
    member.id = QUuid::createUuid();
    member.name = name;
    member.state = state;
    return member;
}

ServiceGroupReport group(const QString &name, State state, const QList<ServiceMemberReport> &members)
{
    return ServiceGroupReport{name, state, members};
}

ServiceReport report(State state, const QList<ServiceMemberReport> &dependencies,
                     const QList<ServiceGroupReport> &groups = {})
{
    ServiceReport report;
    report.id = QUuid::createUuid();
    report.name = QStringLiteral("shop");
    report.state = state;
    report.dependencies = dependencies;
    report.groups = groups;
    return report;
}

} // namespace

// The service page: its tree model under QAbstractItemModelTester, the one-sentence reason for
// degraded, critical and healthy structures, and the page itself against the real management
// API (ManagementApiBench: every route mounted, the present from its StaticHealthSource) showing
// a service with a redundancy group, following the event stream, and opening members.
class TestServicePage : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_database;

private Q_SLOTS:
    void initTestCase() { m_database = std::make_unique<test::TestDatabase>(QStringLiteral("servicepage")); }

    void treeModel()
    {
        ServiceTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);

        ServiceMemberReport http = member(QStringLiteral("web3"), State::Critical, MemberKind::HostPlugin);
        http.pluginId = QUuid::createUuid();
        http.pluginName = QStringLiteral("HTTP");
        model.setReport(report(State::Critical, {member(QStringLiteral("db1"), State::Ok)},
                               {group(QStringLiteral("web"), State::Degraded,
                                      {member(QStringLiteral("web1"), State::Ok),
                                       member(QStringLiteral("web2"), State::Critical)}),
                                group(QStringLiteral("front"), State::Critical, {http})}));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(ServiceTreeModel::ColumnCount));
        const QModelIndex depends = model.index(0, 0);
        QCOMPARE(depends.data().toString(), QStringLiteral("Depends on (all must be healthy)"));
        QCOMPARE(model.rowCount(depends), 1);
        QCOMPARE(model.index(0, ServiceTreeModel::StateColumn).data().toString(), QStringLiteral("OK"));
        const QModelIndex web = model.index(1, 0);
        QCOMPARE(web.data().toString(), QStringLiteral("Redundancy group web (needs one)"));
        QCOMPARE(model.index(1, ServiceTreeModel::StateColumn).data().toString(), QStringLiteral("Degraded"));
        QCOMPARE(model.rowCount(web), 2);
        const QModelIndex web2State = model.index(1, ServiceTreeModel::StateColumn, web);
        QCOMPARE(web2State.data().toString(), QStringLiteral("Critical"));
        // Colour and words: the state column is painted in the state's colour (one per state).
        const QColor critical = web2State.data(Qt::BackgroundRole).value<QColor>();
        QVERIFY(critical.isValid());
        QVERIFY(critical !=
                model.index(0, ServiceTreeModel::StateColumn, web).data(Qt::BackgroundRole).value<QColor>());
        QCOMPARE(web2State.parent(), web);
        QCOMPARE(model.index(1, ServiceTreeModel::KindColumn, web).data().toString(), QStringLiteral("Host"));
        const QModelIndex front = model.index(2, 0);
        QCOMPARE(model.index(0, ServiceTreeModel::PluginColumn, front).data().toString(),
                 QStringLiteral("HTTP"));
        QCOMPARE(model.index(0, ServiceTreeModel::KindColumn, front).data().toString(),
                 QStringLiteral("Plugin on a host"));
        QCOMPARE(model.index(0, 0, front).data(ServiceTreeModel::MemberIdRole).toUuid(), http.id);

        // Only groups: no empty "Depends on" row; and back to nothing.
        model.setReport(
            report(State::Ok, {},
                   {group(QStringLiteral("web"), State::Ok, {member(QStringLiteral("web1"), State::Ok)})}));
        QCOMPARE(model.rowCount(), 1);
        model.setReport({});
        QCOMPARE(model.rowCount(), 0);
    }

    void reasons()
    {
        QCOMPARE(
            serviceStateReason(report(State::Degraded, {member(QStringLiteral("db1"), State::Ok)},
                                      {group(QStringLiteral("web"), State::Degraded,
                                             {member(QStringLiteral("web1"), State::Ok),
                                              member(QStringLiteral("web2"), State::Critical)})})),
            QStringLiteral("Degraded: in redundancy group 'web', web2 is critical; web1 still serves it"));
        QCOMPARE(
            serviceStateReason(report(
                State::Critical,
                {member(QStringLiteral("db1"), State::Critical), member(QStringLiteral("cache"), State::Ok)},
                {group(QStringLiteral("web"), State::Ok, {member(QStringLiteral("web1"), State::Ok)})})),
            QStringLiteral("Critical: dependency 'db1' is critical"));
        QCOMPARE(
            serviceStateReason(report(State::Major, {},
                                      {group(QStringLiteral("web"), State::Major,
                                             {member(QStringLiteral("web1"), State::Critical),
                                              member(QStringLiteral("web2"), State::Major),
                                              member(QStringLiteral("web3"), State::NoData)})})),
            QStringLiteral(
                "Major: in redundancy group 'web' no member is healthy: web1 is critical and web2 is major"));
        ServiceMemberReport http = member(QStringLiteral("web3"), State::Critical, MemberKind::HostPlugin);
        http.pluginName = QStringLiteral("HTTP");
        QCOMPARE(serviceStateReason(
                     report(State::Critical, {http, member(QStringLiteral("db1"), State::Critical)})),
                 QStringLiteral("Critical: dependencies 'HTTP on web3' and 'db1' are critical"));
        QList<ServiceMemberReport> many;
        for (const char *name : {"a", "b", "c", "d", "e"})
            many.append(member(QString::fromLatin1(name), State::Unknown));
        QCOMPARE(serviceStateReason(report(State::Unknown, many)),
                 QStringLiteral("Unknown: dependencies 'a', 'b', 'c' and 2 more are unknown"));
        QCOMPARE(serviceStateReason(report(State::Ok, {member(QStringLiteral("db1"), State::Ok)})),
                 QStringLiteral("OK: everything it depends on is healthy"));
        QCOMPARE(serviceStateReason(report(State::NoData, {member(QStringLiteral("db1"), State::NoData)})),
                 QStringLiteral("No data: none of its members has been checked yet"));
        QCOMPARE(serviceStateReason(report(State::NoData, {})),
                 QStringLiteral("No data: this service has no members yet"));
    }

    void pageAgainstTheApi()
    {
        test::ManagementApiBench bench(*m_database, this);
        QString error;
        QVERIFY2(bench.api.start(&error), qPrintable(error));
        const QString admin = bench.api.loginAdmin();
        QVERIFY(!admin.isEmpty());

        // The structure by the API, as an admin builds it in the console.
        QHash<QString, QUuid> hosts;
        for (const QString &name : {QStringLiteral("web1"), QStringLiteral("web2"), QStringLiteral("db1")}) {
            const test::HttpsAnswer answer = bench.api.call(
                "POST", "/api/v1/hosts", admin,
                {{QStringLiteral("name"), name}, {QStringLiteral("address"), QStringLiteral("127.0.0.1")}});
            QVERIFY2(answer.status == 201, answer.body.constData());
            hosts.insert(name, QUuid::fromString(answer.json().value(QStringLiteral("id")).toString()));
        }
        auto hostMember = [&hosts](const QString &name) {
            return QJsonObject{{QStringLiteral("kind"), QStringLiteral("host")},
                               {QStringLiteral("id"), hosts.value(name).toString(QUuid::WithoutBraces)}};
        };
        const test::HttpsAnswer created =
            bench.api.call("POST", "/api/v1/services", admin,
                           {{QStringLiteral("name"), QStringLiteral("shop")},
                            {QStringLiteral("dependencies"), QJsonArray{hostMember(QStringLiteral("db1"))}},
                            {QStringLiteral("redundancy_groups"),
                             QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("web")},
                                                    {QStringLiteral("members"),
                                                     QJsonArray{hostMember(QStringLiteral("web1")),
                                                                hostMember(QStringLiteral("web2"))}}}}}});
        QVERIFY2(created.status == 201, created.body.constData());
        const QUuid service = QUuid::fromString(created.json().value(QStringLiteral("id")).toString());

        // Results: web1 and db1 fine, web2 critical; the present worked out from them.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QUuid check, plugin;
        bench.api.storage().runAndWait([&](Database &db) {
            Plugin load;
            load.pluginVersion = QStringLiteral("1.0");
            load.entry = QStringLiteral("main.lua");
            load.classifier.source = QStringLiteral("return 'ok'");
            load.pluginId = QStringLiteral("org.prophasis.load");
            load.name = QStringLiteral("Load");
            plugin = PluginStore(db).create(load).id;
            Check basics;
            basics.name = QStringLiteral("basics");
            basics.hostIds = {hosts.value(QStringLiteral("web1")), hosts.value(QStringLiteral("web2")),
                              hosts.value(QStringLiteral("db1"))};
            basics.plugins = {{plugin, {}, std::nullopt}};
            check = CheckStore(db).create(basics).id;
            HealthHistoryStore(db).append({{.time = now.addSecs(-60),
                                            .subject = HealthSubject::Service,
                                            .subjectId = service,
                                            .from = State::Ok,
                                            .to = State::Degraded}});
        });
        auto present = [&](const QHash<QString, State> &states) {
            bench.api.storage().runAndWait([&](Database &db) {
                QList<CheckResult> batch;
                for (auto it = states.cbegin(); it != states.cend(); ++it) {
                    CheckResult result;
                    result.hostId = hosts.value(it.key());
                    result.checkId = check;
                    result.pluginId = plugin;
                    result.time = QDateTime::currentDateTimeUtc();
                    result.value = 1;
                    result.message = QStringLiteral("load");
                    result.classification = it.value();
                    batch.append(result);
                }
                ResultStore(db).insert(batch);
            });
            const auto [config, latest] = bench.api.storage().runAndWait([&bench](Database &db) {
                return std::pair{loadConfiguration(db, bench.secrets), ResultStore(db).latest()};
            });
            bench.health = StaticHealthSource(config, latest);
        };
        present({{QStringLiteral("web1"), State::Ok},
                 {QStringLiteral("web2"), State::Critical},
                 {QStringLiteral("db1"), State::Ok}});
        bench.events.start();

        ApiClient client;
        client.setCore(test::loopbackCoreUrl(bench.api.port()), spkiSha256(bench.api.identity().certificate));
        QVERIFY(test::loginAndWait(client, QStringLiteral("admin"), test::AdminPassword).ok());
        EventStreamClient events(client);
        events.start({QStringLiteral("health"), QStringLiteral("configuration")});
        QTRY_VERIFY_WITH_TIMEOUT(events.isConnected(), 30'000);

        ServicePage page(client, events);
        page.resize(900, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QSignalSpy loaded(&page, &ServicePage::loaded);
        page.showService(service, QStringLiteral("shop"));
        QVERIFY(page.findChild<QLabel *>(QStringLiteral("loadStatus"))
                    ->text()
                    .startsWith(QStringLiteral("Loading")));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 30'000);
        QCOMPARE(page.report().state, State::Degraded);
        QCOMPARE(
            page.reasonText(),
            QStringLiteral("Degraded: in redundancy group 'web', web2 is critical; web1 still serves it"));
        QCOMPARE(page.findChild<QLabel *>(QStringLiteral("stateBadge"))->text(), QStringLiteral("Degraded"));
        QVERIFY(page.findChild<QLabel *>(QStringLiteral("loadStatus"))->text().isEmpty());
        ServiceTreeModel *model = page.treeModel();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->index(0, 0).data().toString(), QStringLiteral("Depends on (all must be healthy)"));
        QCOMPARE(model->index(1, 0).data().toString(), QStringLiteral("Redundancy group web (needs one)"));
        auto *tree = page.findChild<QTreeView *>(QStringLiteral("serviceTree"));
        QVERIFY(tree->isExpanded(model->index(0, 0)));
        QVERIFY(tree->isExpanded(model->index(1, 0)));
        QVERIFY(tree->isColumnHidden(ServiceTreeModel::PluginColumn)); // no plugin-on-host member
        QCOMPARE(page.findChild<QLabel *>(QStringLiteral("stateChangesTitle"))->text(),
                 QStringLiteral("State changes in the last 7 days"));
        const QAbstractItemModel *changes =
            page.findChild<QTableView *>(QStringLiteral("stateChanges"))->model();
        QCOMPARE(changes->rowCount(), 1);
        QCOMPARE(changes->index(0, HealthChangeModel::FromColumn).data().toString(), QStringLiteral("OK"));
        QCOMPARE(changes->index(0, HealthChangeModel::ToColumn).data().toString(),
                 QStringLiteral("Degraded"));
        const QModelIndex web2 = model->index(1, 0, model->index(1, 0));
        QCOMPARE(web2.data().toString(), QStringLiteral("web2"));
        QCOMPARE(model->index(1, ServiceTreeModel::StateColumn, model->index(1, 0)).data().toString(),
                 QStringLiteral("Critical"));

        // For docs/images: PROPHASIS_SCREENSHOT_DIR=… xvfb-run -a tst_servicepage -platform xcb
        if (const QString dir = qEnvironmentVariable("PROPHASIS_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(page.grab().save(QDir(dir).filePath(QStringLiteral("service-page.png"))));

        // Double-clicking a host member opens it.
        QSignalSpy hostOpened(&page, &ServicePage::hostActivated);
        tree->scrollTo(web2);
        const QRect rect = tree->visualRect(web2);
        QVERIFY(rect.isValid());
        // A press first, as a real double-click has: the view only opens what it saw pressed.
        QTest::mousePress(tree->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseRelease(tree->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, rect.center());
        QTRY_COMPARE(hostOpened.size(), 1);
        QCOMPARE(hostOpened[0][0].toUuid(), hosts.value(QStringLiteral("web2")));
        QCOMPARE(hostOpened[0][1].toString(), QStringLiteral("web2"));
        // And from the keyboard: Enter on the selected member.
        tree->setFocus();
        tree->setCurrentIndex(web2);
        QTest::keyClick(tree, Qt::Key_Return);
        QTRY_COMPARE(hostOpened.size(), 2);
        QCOMPARE(hostOpened[1][0].toUuid(), hosts.value(QStringLiteral("web2")));

        // web1 fails too: a burst of health events over the real stream refreshes the page once or
        // twice, not once per event.
        present({{QStringLiteral("web1"), State::Critical}});
        for (int i = 0; i < 5; ++i) {
            HealthChange change;
            change.subject = HealthChange::Subject::Host;
            change.id = hosts.value(QStringLiteral("web1"));
            change.from = State::Ok;
            change.to = State::Critical;
            change.time = now;
            bench.events.publishHealthChange(change);
        }
        QTRY_COMPARE_WITH_TIMEOUT(page.report().state, State::Critical, 30'000);
        QCOMPARE(page.reasonText(),
                 QStringLiteral(
                     "Critical: in redundancy group 'web' no member is healthy: web1 and web2 are critical"));
        QTest::qWait(2 * ServicePage::RefreshCoalesceMs); // let a second, coalesced reload land if one comes
        QVERIFY2(loaded.size() <= 3, qPrintable(QString::number(loaded.size())));
        // The row the person was on survives the refresh.
        QCOMPARE(tree->currentIndex().siblingAtColumn(0).data().toString(), QStringLiteral("web2"));

        // An event about something else does not reload.
        const qsizetype before = loaded.size();
        HealthChange other;
        other.subject = HealthChange::Subject::Service;
        other.id = QUuid::createUuid();
        other.to = State::Critical;
        other.time = now;
        bench.events.publishHealthChange(other);
        QTest::qWait(3 * ServicePage::RefreshCoalesceMs);
        QCOMPARE(loaded.size(), before);

        // A service that is gone: said in words, with a way to try again.
        QSignalSpy failed(&page, &ServicePage::loadFailed);
        page.showService(QUuid::createUuid(), QStringLiteral("gone"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 30'000);
        QVERIFY2(failed[0][0].toString().contains(QStringLiteral("no longer exists")),
                 qPrintable(failed[0][0].toString()));
        QCOMPARE(model->rowCount(), 0);

        events.stop();
    }
};

QTEST_MAIN(TestServicePage)
#include "tst_servicepage.moc"
