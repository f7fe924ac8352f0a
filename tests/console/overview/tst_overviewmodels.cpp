#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QGroupBox>
#include <QItemSelectionModel>
#include <QSettings>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeEdit>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/common/statepresentation.h"
#include "console/notifications/notificationburst.h"
#include "console/notifications/notificationpolicy.h"
#include "console/notifications/notificationsettingswidget.h"
#include "console/notifications/traynotifier.h"
#include "console/overview/hostlistmodel.h"
#include "console/overview/overviewfiltermodel.h"
#include "console/overview/servicelistmodel.h"
#include "tests/console/overview/reportfixtures.h"

using namespace prophasis;
using namespace prophasis::test;

namespace {

QList<QString> namesOf(const QAbstractItemModel &model)
{
    QList<QString> names;
    for (int row = 0; row < model.rowCount(); ++row)
        names.append(model.index(row, 0).data(HealthListModel::NameRole).toString());
    return names;
}

QList<QString> expectedOrder(const QList<HostSummary> &hosts)
{
    QList<HealthEntry> entries;
    for (const HostSummary &host : hosts)
        entries.append({host.id, host.name, host.state});
    sortWorstFirst(entries);
    QList<QString> names;
    for (const HealthEntry &entry : entries)
        names.append(entry.name);
    return names;
}

// Counts every signal that changes a model's shape.
struct ShapeSpies
{
    explicit ShapeSpies(QAbstractItemModel *model)
        : reset(model, &QAbstractItemModel::modelReset)
        , layout(model, &QAbstractItemModel::layoutChanged)
        , inserted(model, &QAbstractItemModel::rowsInserted)
        , removed(model, &QAbstractItemModel::rowsRemoved)
        , moved(model, &QAbstractItemModel::rowsMoved)
        , changed(model, &QAbstractItemModel::dataChanged)
    {
    }
    QSignalSpy reset, layout, inserted, removed, moved, changed;
};

HealthNotice notice(const QString &name, State from, State to,
                    const QString &subject = QStringLiteral("host"))
{
    return *HealthNotice::fromEvent(healthEvent(subject, QUuid::createUuid(), name, from, to));
}

} // namespace

// The overview's models fed the API's report JSON (reportjson.h) — worst first, refreshed
// incrementally (no reset: a selection stays), one health event moving one row — under
// QAbstractItemModelTester; the search and state filter; and the notification policy, burst
// folding and settings form. No network: tst_overviewpage drives the page over real HTTPS.
class TestOverviewModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostsWorstFirstWithColourAndWords()
    {
        HostListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy counts(&model, &HealthListModel::countsChanged);
        const QList<HostSummary> hosts{hostSummary(QStringLiteral("web2"), State::Ok),
                                       hostSummary(QStringLiteral("db1"), State::Critical),
                                       hostSummary(QStringLiteral("Web1"), State::Ok),
                                       hostSummary(QStringLiteral("mail"), State::NoData),
                                       hostSummary(QStringLiteral("files"), State::Minor)};
        QVERIFY(model.applyJson(hostsJson(hosts)));
        QCOMPARE(namesOf(model), (QList<QString>{"db1", "files", "Web1", "web2", "mail"}));
        QCOMPARE(counts.count(), 1);
        QCOMPARE(model.counts().value(State::Ok), 2);
        QCOMPARE(model.counts().value(State::Critical), 1);
        QCOMPARE(model.counts().total(), 5);
        QCOMPARE(model.worstState(), State::Critical);

        const QModelIndex state = model.index(0, HostListModel::StateColumn);
        QCOMPARE(state.data().toString(), stateLabel(State::Critical)); // words, not colour alone
        QVERIFY(!state.data(Qt::DecorationRole).value<QIcon>().isNull());
        QCOMPARE(state.data(HealthListModel::StateRole).value<State>(), State::Critical);
        QCOMPARE(state.data(HealthListModel::IdRole).toUuid(), hosts[1].id);
        QCOMPARE(model.index(0, HostListModel::AddressColumn).data().toString(),
                 QStringLiteral("db1.example.net"));
        const QString series = model.index(0, HostListModel::SeriesColumn).data().toString();
        QVERIFY2(series.contains(stateLabel(State::Critical)) && series.contains(u'2'), qPrintable(series));
        QVERIFY(!model.index(0, HostListModel::NewestResultColumn).data().toString().isEmpty());
        QCOMPARE(model.index(4, HostListModel::NewestResultColumn).data().toString(),
                 QStringLiteral("never"));
        QCOMPARE(model.headerData(HostListModel::NameColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Host"));

        QVERIFY(!model.applyJson(QJsonObject{{QStringLiteral("error"), QStringLiteral("no")}}));
        QCOMPARE(model.rowCount(), 5);
    }

    void servicesWorstFirst()
    {
        ServiceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.applyJson(servicesJson({serviceSummary(QStringLiteral("shop"), State::Ok),
                                              serviceSummary(QStringLiteral("mail"), State::Degraded)})));
        QCOMPARE(namesOf(model), (QList<QString>{"mail", "shop"}));
        QCOMPARE(model.index(0, ServiceListModel::StateColumn).data().toString(),
                 stateLabel(State::Degraded));
        QCOMPARE(model.index(0, ServiceListModel::DescriptionColumn).data().toString(),
                 QStringLiteral("The mail service"));
        QCOMPARE(model.counts().value(State::Degraded), 1);
    }

    void refreshIsIncrementalAndKeepsTheSelection()
    {
        HostListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<HostSummary> hosts;
        for (int i = 0; i < 10; ++i)
            hosts.append(hostSummary(QStringLiteral("host%1").arg(i), State::Ok));
        model.applyJson(hostsJson(hosts));
        QItemSelectionModel selection(&model);
        const QUuid selected = hosts[7].id;
        selection.setCurrentIndex(model.index(model.rowOf(selected), 1),
                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);

        ShapeSpies spies(&model);
        hosts[7].state = State::Critical;                               // moves up
        hosts[2].state = State::Unknown;                                // moves up too
        hosts[0].series.add(State::Minor);                              // same place, new data
        hosts.removeAt(5);                                              // gone
        hosts.append(hostSummary(QStringLiteral("new"), State::Major)); // arrives
        model.applyJson(hostsJson(hosts));

        QCOMPARE(spies.reset.count(), 0);
        QCOMPARE(spies.layout.count(), 0);
        QCOMPARE(spies.removed.count(), 1);
        QCOMPARE(spies.inserted.count(), 1);
        QCOMPARE(spies.moved.count(), 2); // one move per row that changed place
        QVERIFY(spies.changed.count() >= 1);
        QCOMPARE(namesOf(model), expectedOrder(hosts));
        QCOMPARE(selection.currentIndex().data(HealthListModel::IdRole).toUuid(), selected);
        QCOMPARE(selection.selectedRows().size(), 1);
        QCOMPARE(selection.selectedRows().first().row(), 0);

        // The same report again changes nothing.
        ShapeSpies again(&model);
        model.applyJson(hostsJson(hosts));
        QCOMPARE(again.changed.count() + again.moved.count() + again.inserted.count() +
                     again.removed.count() + again.reset.count(),
                 0);
    }

    void manyMovesAreOneLayoutChangeKeepingTheSelection()
    {
        HostListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<HostSummary> hosts;
        for (int i = 0; i < 100; ++i)
            hosts.append(hostSummary(QStringLiteral("host%1").arg(i, 3, 10, QLatin1Char('0')), State::Ok));
        model.applyJson(hostsJson(hosts));
        OverviewFilterModel filter; // as the page shows it: sorted worst first
        filter.setSourceModel(&model);
        filter.sort(0);
        QItemSelectionModel selection(&filter);
        const QUuid selected = hosts[50].id;
        selection.setCurrentIndex(filter.mapFromSource(model.index(model.rowOf(selected), 1)),
                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);

        ShapeSpies spies(&model);
        for (int i = 0; i < 100; i += 5)
            hosts[i].state = State::Major; // twenty rows move up, host050 among them
        model.applyJson(hostsJson(hosts));
        QCOMPARE(spies.reset.count(), 0);
        QCOMPARE(spies.moved.count(), 0);
        QCOMPARE(spies.layout.count(), 1);
        QCOMPARE(namesOf(model), expectedOrder(hosts));
        QCOMPARE(namesOf(filter), expectedOrder(hosts));
        QCOMPARE(selection.currentIndex().data(HealthListModel::IdRole).toUuid(), selected);
        QCOMPARE(selection.selectedRows().size(), 1);
        QCOMPARE(selection.selectedRows().first().data(HealthListModel::IdRole).toUuid(), selected);
        QCOMPARE(selection.currentIndex().row(), 10); // the eleventh major host
    }

    void manyRandomRefreshesStayConsistent()
    {
        // Random reports in a row: after each, the rows are exactly the report's, worst first,
        // and the tester saw every step stay consistent.
        HostListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QRandomGenerator random(7);
        QList<HostSummary> hosts;
        for (int round = 0; round < 60; ++round) {
            for (HostSummary &host : hosts)
                if (random.bounded(4) == 0)
                    host.state = randomState(random);
            for (int k = random.bounded(4); k > 0 && !hosts.isEmpty(); --k)
                hosts.removeAt(random.bounded(int(hosts.size())));
            for (int k = random.bounded(6); k > 0; --k)
                hosts.append(
                    hostSummary(QStringLiteral("h%1").arg(random.bounded(100)), randomState(random)));
            model.applyJson(hostsJson(hosts));
            QCOMPARE(namesOf(model), expectedOrder(hosts));
            for (int row = 0; row < model.rowCount(); ++row) {
                const QUuid id = model.rowAt(row).key.id;
                const auto found = std::find_if(hosts.cbegin(), hosts.cend(),
                                                [&](const HostSummary &host) { return host.id == id; });
                QVERIFY(found != hosts.cend());
                QCOMPARE(model.rowAt(row).key.state, found->state);
            }
        }
        QCOMPARE(reset.count(), 0);
    }

    void healthEventMovesOneRowAtOnce()
    {
        HostListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<HostSummary> hosts;
        for (int i = 0; i < 6; ++i)
            hosts.append(hostSummary(QStringLiteral("host%1").arg(i), i == 0 ? State::Critical : State::Ok));
        model.applyJson(hostsJson(hosts));
        QItemSelectionModel selection(&model);
        selection.select(model.index(model.rowOf(hosts[4].id), 0),
                         QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        ShapeSpies spies(&model);
        QSignalSpy counts(&model, &HealthListModel::countsChanged);

        QVERIFY(model.applyHealthEvent(healthEvent(QStringLiteral("host"), hosts[4].id,
                                                   QStringLiteral("host4"), State::Ok, State::Critical)));
        // Critical, after host0 by name.
        QCOMPARE(model.rowOf(hosts[4].id), 1);
        QCOMPARE(model.index(1, 0).data().toString(), stateLabel(State::Critical));
        QCOMPARE(spies.moved.count(), 1);
        QCOMPARE(spies.reset.count(), 0);
        QCOMPARE(selection.selectedRows().size(), 1);
        QCOMPARE(selection.selectedRows().first().data(HealthListModel::IdRole).toUuid(), hosts[4].id);
        QCOMPARE(counts.count(), 1);
        QCOMPARE(model.counts().value(State::Critical), 2);
        QCOMPARE(model.counts().value(State::Ok), 4);

        // Back to OK: to its place among the OK hosts, by name.
        QVERIFY(model.applyHealthEvent(healthEvent(QStringLiteral("host"), hosts[4].id,
                                                   QStringLiteral("host4"), State::Critical, State::Ok)));
        QCOMPARE(namesOf(model), expectedOrder(hosts));

        // Another list's event, or an unknown row: left to the next refresh.
        QVERIFY(!model.applyHealthEvent(healthEvent(QStringLiteral("service"), hosts[1].id,
                                                    QStringLiteral("x"), State::Ok, State::Major)));
        QVERIFY(!model.applyHealthEvent(healthEvent(QStringLiteral("host"), QUuid::createUuid(),
                                                    QStringLiteral("x"), State::Ok, State::Major)));
        QCOMPARE(namesOf(model), expectedOrder(hosts));
    }

    void searchAndStateFilter()
    {
        HostListModel model;
        model.applyJson(hostsJson({hostSummary(QStringLiteral("web1"), State::Critical),
                                   hostSummary(QStringLiteral("web2"), State::Ok),
                                   hostSummary(QStringLiteral("db1"), State::Ok)}));
        OverviewFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.sort(0);
        QCOMPARE(namesOf(filter), (QList<QString>{"web1", "db1", "web2"}));

        filter.setSearchText(QStringLiteral("  WEB "));
        QCOMPARE(namesOf(filter), (QList<QString>{"web1", "web2"}));
        filter.setSearchText(QStringLiteral("db1.EXAMPLE")); // the address
        QCOMPARE(namesOf(filter), (QList<QString>{"db1"}));
        filter.setSearchText({});
        filter.setStateFilter(State::Ok);
        QCOMPARE(namesOf(filter), (QList<QString>{"db1", "web2"}));
        filter.setSearchText(QStringLiteral("web"));
        QCOMPARE(namesOf(filter), (QList<QString>{"web2"}));
        filter.setStateFilter(std::nullopt);
        QCOMPARE(namesOf(filter), (QList<QString>{"web1", "web2"}));

        // Sorting by name; ties and the state column keep worst first.
        filter.setSearchText({});
        filter.sort(HostListModel::NameColumn);
        QCOMPARE(namesOf(filter), (QList<QString>{"db1", "web1", "web2"}));
        filter.sort(HostListModel::StateColumn);
        QCOMPARE(namesOf(filter), (QList<QString>{"web1", "db1", "web2"}));

        // A row filtered by state leaves when its state changes.
        filter.setStateFilter(State::Critical);
        const QUuid web1 = model.rowAt(0).key.id;
        model.applyHealthEvent(
            healthEvent(QStringLiteral("host"), web1, QStringLiteral("web1"), State::Critical, State::Ok));
        QCOMPARE(filter.rowCount(), 0);

        ServiceListModel services;
        services.applyJson(servicesJson({serviceSummary(QStringLiteral("shop"), State::Ok),
                                         serviceSummary(QStringLiteral("mail"), State::Major)}));
        OverviewFilterModel serviceFilter;
        serviceFilter.setSourceModel(&services);
        serviceFilter.setSearchText(QStringLiteral("the SHOP service")); // the description
        QCOMPARE(namesOf(serviceFilter), (QList<QString>{"shop"}));
    }

    void policyDefaultsAndStates()
    {
        const NotificationPolicy policy;
        const QTime noon(12, 0);
        QVERIFY(policy.accepts(notice("a", State::Ok, State::Critical), noon));
        QVERIFY(policy.accepts(notice("a", State::Ok, State::Major), noon));
        QVERIFY(policy.accepts(notice("a", State::Ok, State::Unknown), noon));
        QVERIFY(!policy.accepts(notice("a", State::Ok, State::Minor), noon));
        QVERIFY(policy.accepts(notice("a", State::Critical, State::Ok), noon)); // a recovery
        QVERIFY(!policy.accepts(notice("a", State::NoData, State::Ok), noon));  // first data
        QVERIFY(policy.accepts(notice("s", State::Ok, State::Critical, QStringLiteral("service")), noon));
        QVERIFY(!HealthNotice::fromEvent(QJsonObject{{QStringLiteral("subject"), QStringLiteral("user")}}));

        NotificationPolicy hostsOnly = policy;
        hostsOnly.setServices(false);
        hostsOnly.setNotifiesOn(State::Minor, true);
        QVERIFY(hostsOnly.accepts(notice("a", State::Ok, State::Minor), noon));
        QVERIFY(!hostsOnly.accepts(notice("s", State::Ok, State::Critical, QStringLiteral("service")), noon));
        hostsOnly.setNotifiesOn(State::Ok, false);
        QVERIFY(!hostsOnly.accepts(notice("a", State::Critical, State::Ok), noon));
    }

    void quietHoursAcrossMidnight()
    {
        NotificationPolicy policy;
        policy.setQuietHours(QTime(22, 0), QTime(7, 0));
        QVERIFY(!policy.isQuietAt(QTime(23, 30))); // not enabled yet
        policy.setQuietHoursEnabled(true);
        QVERIFY(policy.isQuietAt(QTime(22, 0)));
        QVERIFY(policy.isQuietAt(QTime(23, 59, 59)));
        QVERIFY(policy.isQuietAt(QTime(0, 0)));
        QVERIFY(policy.isQuietAt(QTime(6, 59)));
        QVERIFY(!policy.isQuietAt(QTime(7, 0)));
        QVERIFY(!policy.isQuietAt(QTime(12, 0)));
        QVERIFY(!policy.isQuietAt(QTime(21, 59)));
        QVERIFY(!policy.accepts(notice("a", State::Ok, State::Critical), QTime(3, 0)));
        QVERIFY(policy.accepts(notice("a", State::Ok, State::Critical), QTime(9, 0)));

        policy.setQuietHours(QTime(12, 0), QTime(13, 30)); // within one day
        QVERIFY(policy.isQuietAt(QTime(12, 45)));
        QVERIFY(!policy.isQuietAt(QTime(13, 30)));
        QVERIFY(!policy.isQuietAt(QTime(0, 0)));
        policy.setQuietHours(QTime(8, 0), QTime(8, 0)); // empty
        QVERIFY(!policy.isQuietAt(QTime(8, 0)));
    }

    void policySavedAndLoaded()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
        NotificationPolicy loaded;
        loaded.load(settings); // nothing saved: the defaults
        QCOMPARE(loaded, NotificationPolicy());

        NotificationPolicy policy;
        policy.setNotifiesOn(State::Unknown, false);
        policy.setNotifiesOn(State::Degraded, true);
        policy.setHosts(false);
        policy.setQuietHoursEnabled(true);
        policy.setQuietHours(QTime(23, 15), QTime(6, 45));
        policy.save(settings);
        settings.sync();
        QVERIFY(settings.childGroups().contains(QStringLiteral("notifications")));

        QSettings reread(dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
        loaded.load(reread);
        QCOMPARE(loaded, policy);
        QVERIFY(!(loaded == NotificationPolicy()));
    }

    void burstFoldsIntoOneSummary()
    {
        NotificationBurst burst;
        QCOMPARE(burst.dueAtMs(), -1);
        const HealthNotice web1 = notice("web1", State::Ok, State::Critical);
        burst.add(web1, 1000);
        QCOMPARE(burst.dueAtMs(), 1000 + NotificationBurst::WindowMs);
        QVERIFY(!burst.takeDue(1999));
        const std::optional<TrayMessage> single = burst.takeDue(2000);
        QVERIFY(single);
        QVERIFY2(single->title.contains(QStringLiteral("web1")) &&
                     single->title.contains(stateLabel(State::Critical)),
                 qPrintable(single->title));
        QCOMPARE(single->id, web1.id);
        QCOMPARE(single->subject, QStringLiteral("host"));
        QVERIFY(burst.isEmpty());

        // Twelve changes within a second: one message, worst first, the rest counted.
        for (int i = 0; i < 12; ++i)
            burst.add(notice(QStringLiteral("h%1").arg(i, 2, 10, QLatin1Char('0')), State::Ok,
                             i == 9 ? State::Critical : State::Major),
                      5000 + i * 80);
        QVERIFY(!burst.takeDue(5999));
        const std::optional<TrayMessage> summary = burst.takeDue(6000);
        QVERIFY(summary);
        QVERIFY2(summary->title.contains(QStringLiteral("12")), qPrintable(summary->title));
        QCOMPARE(summary->state, State::Critical);
        QVERIFY2(summary->body.startsWith(QStringLiteral("Host h09")), qPrintable(summary->body));
        QCOMPARE(summary->body.count(u'\n'), NotificationBurst::SummaryLines); // five lines and "and 7 more"
        QVERIFY2(summary->body.contains(QStringLiteral("7")), qPrintable(summary->body));
        QVERIFY(!burst.takeDue(100'000));

        // A row that flaps back within the burst is no news.
        HealthNotice flap = notice("db1", State::Ok, State::Critical);
        burst.add(flap, 10'000);
        flap.from = State::Critical;
        flap.to = State::Ok;
        burst.add(flap, 10'200);
        QVERIFY(burst.isEmpty());
    }

    void settingsWidgetEditsAPolicy()
    {
        NotificationSettingsWidget widget;
        QCOMPARE(widget.policy(), NotificationPolicy());
        QSignalSpy changed(&widget, &NotificationSettingsWidget::policyChanged);
        NotificationPolicy policy;
        policy.setNotifiesOn(State::Minor, true);
        policy.setServices(false);
        policy.setQuietHoursEnabled(true);
        policy.setQuietHours(QTime(21, 30), QTime(6, 0));
        widget.setPolicy(policy);
        QCOMPARE(changed.count(), 0); // filled by the program, not edited
        QCOMPARE(widget.policy(), policy);

        const QList<QCheckBox *> boxes = widget.findChildren<QCheckBox *>();
        QCheckBox *critical = nullptr;
        for (QCheckBox *box : boxes)
            if (box->text() == stateLabel(State::Critical))
                critical = box;
        QVERIFY(critical);
        critical->click();
        QVERIFY(changed.count() >= 1);
        QVERIFY(!widget.policy().notifiesOn(State::Critical));
        const QList<QTimeEdit *> times = widget.findChildren<QTimeEdit *>();
        QCOMPARE(times.size(), 2);
        times[0]->setTime(QTime(20, 0));
        QCOMPARE(widget.policy().quietFrom(), QTime(20, 0));
    }

    void trayWithoutASystemTrayDoesNothing()
    {
        if (QSystemTrayIcon::isSystemTrayAvailable())
            QSKIP("this desktop has a tray; the offscreen platform has none");
        ApiClient client;
        EventStreamClient events(client);
        TrayNotifier tray(events);
        QVERIFY(!tray.isAvailable());
        QVERIFY(!tray.trayIcon());
        QSignalSpy open(&tray, &TrayNotifier::openRequested);
        tray.setWorstState(State::Critical);
        QCOMPARE(tray.worstState(), State::Critical);
        tray.notifyHealthChange(healthEvent(QStringLiteral("host"), QUuid::createUuid(),
                                            QStringLiteral("web1"), State::Ok, State::Critical));
        QTest::qWait(50);
        QCOMPARE(open.count(), 0);
    }
};

QTEST_MAIN(TestOverviewModels)
#include "tst_overviewmodels.moc"
