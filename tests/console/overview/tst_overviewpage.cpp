#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/common/statepresentation.h"
#include "console/overview/hostlistmodel.h"
#include "console/overview/overviewpage.h"
#include "console/overview/servicelistmodel.h"
#include "console/overview/statechipstrip.h"
#include "daemon-core/engine/healthtracker.h"
#include "tests/api/managementapibench.h"
#include "tests/console/consolelogin.h"

using namespace prophasis;

namespace {

QList<QString> shownNames(const QTableView *view)
{
    QList<QString> names;
    for (int row = 0; row < view->model()->rowCount(); ++row)
        names.append(view->model()->index(row, 0).data(HealthListModel::NameRole).toString());
    return names;
}

} // namespace

// The overview page against the core's real management API over HTTPS on loopback, logged in as
// the viewer: both lists worst first with counts, a health event from the stream moving its row
// at once (the selection stays) and the coalesced refresh following without a reset, search and
// the state chips, opening a row, configuration changes reloading, and the saved layout.
class TestOverviewPage : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_database;
    std::unique_ptr<test::ManagementApiBench> m_bench;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<EventStreamClient> m_events;
    Configuration m_config;
    QUuid m_plugin, m_check, m_shop, m_mailService;
    QHash<QString, QUuid> m_hosts;

    QUuid addHost(const QString &name)
    {
        Host host;
        host.id = QUuid::createUuid();
        host.name = name;
        host.address = name + QStringLiteral(".example.net");
        m_config.hosts.insert(host.id, host);
        m_config.checks[m_check].hostIds.append(host.id);
        m_hosts.insert(name, host.id);
        return host.id;
    }

    // The present as the core would report it: each named host's one series in that state.
    void setPresent(const QHash<QString, State> &states)
    {
        LatestResults latest;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (auto it = states.cbegin(); it != states.cend(); ++it)
            latest.insert(SeriesKey{m_hosts.value(it.key()), m_check, m_plugin},
                          LatestResult{now, it.value()});
        m_bench->health = StaticHealthSource(m_config, latest, now);
    }

    void publishHost(const QString &name, State from, State to)
    {
        HealthChange change;
        change.subject = HealthChange::Subject::Host;
        change.id = m_hosts.value(name);
        change.from = from;
        change.to = to;
        change.time = QDateTime::currentDateTimeUtc();
        m_bench->events.publishHealthChange(change);
    }

    static QTableView *hostView(OverviewPage &page)
    {
        return page.findChild<QTableView *>(QStringLiteral("hosts"));
    }
    static QTableView *serviceView(OverviewPage &page)
    {
        return page.findChild<QTableView *>(QStringLiteral("services"));
    }

    bool loadedPage(OverviewPage &page)
    {
        QSignalSpy refreshed(&page, &OverviewPage::refreshed);
        page.refresh();
        return refreshed.wait(20'000) || refreshed.count() > 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_database = std::make_unique<test::TestDatabase>(QStringLiteral("consoleoverview"));
    }

    void init()
    {
        m_bench = std::make_unique<test::ManagementApiBench>(*m_database, this);
        m_hosts.clear();
        m_config = Configuration{};
        Plugin plugin;
        plugin.id = m_plugin = QUuid::createUuid();
        plugin.pluginId = QStringLiteral("org.prophasis.load");
        plugin.name = QStringLiteral("Load");
        m_config.plugins.insert(plugin.id, plugin);
        Check check;
        check.id = m_check = QUuid::createUuid();
        check.name = QStringLiteral("basics");
        check.plugins = {{m_plugin, {}, std::nullopt}};
        m_config.checks.insert(check.id, check);
        for (const QString name : {"web1", "web2", "web3", "db1", "mail"})
            addHost(name);
        Service shop;
        shop.id = m_shop = QUuid::createUuid();
        shop.name = QStringLiteral("shop");
        shop.description = QStringLiteral("The web shop");
        shop.dependencies = {{MemberKind::Host, m_hosts.value(QStringLiteral("web1")), {}}};
        m_config.services.insert(shop.id, shop);
        Service mail;
        mail.id = m_mailService = QUuid::createUuid();
        mail.name = QStringLiteral("mail");
        mail.description = QStringLiteral("Mail for everyone");
        mail.dependencies = {{MemberKind::Host, m_hosts.value(QStringLiteral("db1")), {}}};
        m_config.services.insert(mail.id, mail);
        setPresent({{QStringLiteral("web1"), State::Critical},
                    {QStringLiteral("web2"), State::Ok},
                    {QStringLiteral("web3"), State::Ok},
                    {QStringLiteral("db1"), State::Ok}});

        QString error;
        QVERIFY2(m_bench->api.start(&error), qPrintable(error));
        m_client = std::make_unique<ApiClient>();
        m_client->setCore(test::loopbackCoreUrl(m_bench->api.port()),
                          spkiSha256(m_bench->api.identity().certificate));
        const ApiResult login = test::loginAndWait(*m_client, QStringLiteral("viewer"), test::ViewerPassword);
        QVERIFY2(login.ok(), qPrintable(login.errorText));
        m_events = std::make_unique<EventStreamClient>(*m_client);
    }

    void cleanup()
    {
        m_events.reset();
        m_client.reset();
        m_bench.reset();
    }

    void listsWorstFirstWithCounts()
    {
        OverviewPage page(*m_client, *m_events);
        QAbstractItemModelTester hostTester(page.hostModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester serviceTester(page.serviceModel(),
                                               QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy worst(&page, &OverviewPage::worstStateChanged);
        page.resize(1366, 768);
        QVERIFY(loadedPage(page));

        QCOMPARE(shownNames(hostView(page)), (QList<QString>{"web1", "db1", "web2", "web3", "mail"}));
        QCOMPARE(hostView(page)->model()->index(0, 0).data().toString(), stateLabel(State::Critical));
        QCOMPARE(hostView(page)->model()->index(4, 0).data().toString(), stateLabel(State::NoData));
        QCOMPARE(shownNames(serviceView(page)), (QList<QString>{"shop", "mail"}));
        QCOMPARE(page.hostModel()->counts().value(State::Ok), 3);
        QCOMPARE(page.serviceModel()->counts().value(State::Critical), 1);
        QCOMPARE(page.worstState(), State::Critical);
        QCOMPARE(worst.count(), 1);
        // OVERVIEW_SHOT=file.png saves the page as drawn at 1366 × 768 (for a look, or docs/images).
        if (qEnvironmentVariableIsSet("OVERVIEW_SHOT")) {
            page.show();
            QVERIFY(QTest::qWaitForWindowExposed(&page));
            page.grab().save(qEnvironmentVariable("OVERVIEW_SHOT"));
        }

        const auto *chips = page.findChild<StateChipStrip *>();
        QVERIFY(chips);
        // One critical host and one critical service.
        QVERIFY2(chips->chip(State::Critical)->text().startsWith(QStringLiteral("2 ")),
                 qPrintable(chips->chip(State::Critical)->text()));
        QVERIFY(chips->chip(State::Critical)->text().contains(stateLabel(State::Critical)));
        QVERIFY(page.findChild<QLabel *>(QStringLiteral("updated"))
                    ->text()
                    .startsWith(QStringLiteral("Updated")));
    }

    void healthEventMovesTheRowAndKeepsTheSelection()
    {
        OverviewPage page(*m_client, *m_events);
        QAbstractItemModelTester tester(page.hostModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(loadedPage(page));
        QTableView *view = hostView(page);
        const QModelIndex web3 = view->model()->index(3, 1);
        QCOMPARE(web3.data(HealthListModel::NameRole).toString(), QStringLiteral("web3"));
        view->selectionModel()->setCurrentIndex(web3, QItemSelectionModel::ClearAndSelect |
                                                          QItemSelectionModel::Rows);

        auto *live = page.findChild<QLabel *>(QStringLiteral("live"));
        QVERIFY(!live->text().contains(QStringLiteral("Live")));
        m_events->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_events->isConnected(), 20'000);
        QVERIFY2(live->text().contains(QStringLiteral("Live")), qPrintable(live->text()));

        QSignalSpy reset(page.hostModel(), &QAbstractItemModel::modelReset);
        QSignalSpy moved(page.hostModel(), &QAbstractItemModel::rowsMoved);
        QSignalSpy refreshed(&page, &OverviewPage::refreshed);
        setPresent({{QStringLiteral("web1"), State::Critical},
                    {QStringLiteral("web2"), State::Ok},
                    {QStringLiteral("web3"), State::Critical},
                    {QStringLiteral("db1"), State::Ok}});
        publishHost(QStringLiteral("web3"), State::Ok, State::Critical);

        // The row moves when the event arrives, before any refresh.
        QTRY_COMPARE_WITH_TIMEOUT(shownNames(view).at(1), QStringLiteral("web3"), 20'000);
        QCOMPARE(refreshed.count(), 0);
        QCOMPARE(moved.count(), 1);
        QCOMPARE(view->model()->index(1, 0).data().toString(), stateLabel(State::Critical));
        QCOMPARE(view->selectionModel()->currentIndex().data(HealthListModel::NameRole).toString(),
                 QStringLiteral("web3"));
        QCOMPARE(view->selectionModel()->selectedRows().size(), 1);
        QCOMPARE(page.hostModel()->counts().value(State::Critical), 2);

        // Then the coalesced refresh: same rows, no reset, the selection still there.
        QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 1, 20'000);
        QCOMPARE(shownNames(view), (QList<QString>{"web1", "web3", "db1", "web2", "mail"}));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(view->selectionModel()->currentIndex().data(HealthListModel::NameRole).toString(),
                 QStringLiteral("web3"));
        QCOMPARE(page.hostModel()->counts().value(State::Critical), 2);
    }

    void searchAndStateChips()
    {
        OverviewPage page(*m_client, *m_events);
        QVERIFY(loadedPage(page));
        auto *search = page.findChild<QLineEdit *>(QStringLiteral("search"));
        QTest::keyClicks(search, QStringLiteral("MAIL"));
        QCOMPARE(shownNames(hostView(page)), (QList<QString>{"mail"}));
        QCOMPARE(shownNames(serviceView(page)), (QList<QString>{"mail"}));
        search->clear();
        QTest::keyClicks(search, QStringLiteral("example.net")); // addresses
        QCOMPARE(hostView(page)->model()->rowCount(), 5);
        QCOMPARE(serviceView(page)->model()->rowCount(), 0);
        search->clear();

        auto *chips = page.findChild<StateChipStrip *>();
        chips->chip(State::Ok)->click();
        QCOMPARE(chips->selectedState(), std::optional<State>(State::Ok));
        QCOMPARE(shownNames(hostView(page)), (QList<QString>{"db1", "web2", "web3"}));
        QCOMPARE(shownNames(serviceView(page)), (QList<QString>{"mail"}));
        QVERIFY(chips->chip(State::Ok)->isChecked());
        chips->chip(State::Ok)->click(); // again: all
        QCOMPARE(chips->selectedState(), std::nullopt);
        QCOMPARE(hostView(page)->model()->rowCount(), 5);
        QVERIFY(!chips->chip(State::Ok)->isChecked());

        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.activateWindow();
        hostView(page)->setFocus();
        page.focusSearch();
        QTRY_VERIFY(search->hasFocus());
    }

    void openingARow()
    {
        OverviewPage page(*m_client, *m_events);
        QVERIFY(loadedPage(page));
        QSignalSpy hosts(&page, &OverviewPage::hostActivated);
        QSignalSpy services(&page, &OverviewPage::serviceActivated);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));

        QTableView *view = hostView(page);
        view->setFocus();
        view->setCurrentIndex(view->model()->index(1, 1));
        QTest::keyClick(view, Qt::Key_Return);
        QCOMPARE(hosts.count(), 1);
        QCOMPARE(hosts.at(0).at(0).toUuid(), m_hosts.value(QStringLiteral("db1")));
        QCOMPARE(hosts.at(0).at(1).toString(), QStringLiteral("db1"));

        QTableView *serviceList = serviceView(page);
        const QRect cell = serviceList->visualRect(serviceList->model()->index(0, 1));
        // A double click is a click and then a second press (the view wants the first press).
        QTest::mouseClick(serviceList->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseDClick(serviceList->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(services.count(), 1);
        QCOMPARE(services.at(0).at(0).toUuid(), m_shop);
        QCOMPARE(services.at(0).at(1).toString(), QStringLiteral("shop"));
    }

    void configurationChangeReloads()
    {
        m_bench->events.start(); // reads the audit log: changes become events
        OverviewPage page(*m_client, *m_events);
        QVERIFY(loadedPage(page));
        m_events->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_events->isConnected(), 20'000);
        QSignalSpy refreshed(&page, &OverviewPage::refreshed);

        // An admin adds a host through the API; the present knows it as the engine would.
        const QString admin = m_bench->api.loginAdmin();
        const auto answer = m_bench->api.call("POST", "/api/v1/hosts", admin,
                                              {{QStringLiteral("name"), QStringLiteral("backup")},
                                               {QStringLiteral("address"), QStringLiteral("10.0.0.9")}});
        QCOMPARE(answer.status, 201);
        Host backup;
        backup.id = QUuid::fromString(answer.json().value(QStringLiteral("id")).toString());
        backup.name = QStringLiteral("backup");
        backup.address = QStringLiteral("10.0.0.9");
        m_config.hosts.insert(backup.id, backup);
        setPresent({{QStringLiteral("web1"), State::Critical}});

        QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() >= 1, 20'000);
        QTRY_VERIFY_WITH_TIMEOUT(shownNames(hostView(page)).contains(QStringLiteral("backup")), 20'000);
        QCOMPARE(page.hostModel()->counts().total(), 6);
    }

    void aCoreThatIsGoneIsSaidInWords()
    {
        OverviewPage page(*m_client, *m_events);
        QVERIFY(loadedPage(page));
        auto *error = page.findChild<QLabel *>(QStringLiteral("error"));
        QVERIFY(error->isHidden());
        m_bench->api.server().stop();
        QSignalSpy refreshed(&page, &OverviewPage::refreshed);
        page.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!error->isHidden(), 30'000); // after the client's read retries
        QVERIFY2(error->text().startsWith(QStringLiteral("Could not load the overview: ")),
                 qPrintable(error->text()));
        QCOMPARE(refreshed.count(), 0);
        QCOMPARE(page.hostModel()->rowCount(), 5); // what was shown stays
    }

    void layoutSavedAndRestored()
    {
        QByteArray saved;
        {
            OverviewPage page(*m_client, *m_events);
            QVERIFY(loadedPage(page));
            hostView(page)->horizontalHeader()->resizeSection(HostListModel::NameColumn, 321);
            hostView(page)->sortByColumn(HostListModel::NameColumn, Qt::AscendingOrder);
            saved = page.saveState();
        }
        OverviewPage page(*m_client, *m_events);
        QVERIFY(!page.restoreState(QByteArrayLiteral("not a saved layout")));
        QVERIFY(page.restoreState(saved));
        QCOMPARE(hostView(page)->horizontalHeader()->sectionSize(HostListModel::NameColumn), 321);
        QCOMPARE(hostView(page)->horizontalHeader()->sortIndicatorSection(), int(HostListModel::NameColumn));
        QVERIFY(loadedPage(page));
        QCOMPARE(shownNames(hostView(page)), (QList<QString>{"db1", "mail", "web1", "web2", "web3"}));
    }
};

QTEST_MAIN(TestOverviewPage)
#include "tst_overviewpage.moc"
