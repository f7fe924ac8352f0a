#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <memory>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/overview/hostlistmodel.h"
#include "console/overview/overviewpage.h"
#include "console/overview/servicelistmodel.h"
#include "tests/console/consolelogin.h"
#include "tests/support/liveshop.h"

using namespace prophasis;

namespace {

// Generous: a check runs every second, but the machine is shared and noisy. The time a change
// took to show is printed, not asserted.
constexpr int StateTimeoutMs = 60'000;

State stateOf(const HealthListModel *model, const QString &id)
{
    const int row = model->rowOf(QUuid::fromString(id));
    return row < 0 ? State::NoData : model->rowAt(row).key.state;
}

} // namespace

// The overview against a real prophasis-core on loopback (SQLite, mock agents, the shop set up
// through the API), logged in as a viewer: a host turning critical and the service turning
// degraded appear live when the agent flips, and after the core restarts the page reconnects
// and follows again (issue #7).
class TestOverviewLive : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::CoreProcess> m_core;
    std::unique_ptr<test::LiveShop> m_shop;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<EventStreamClient> m_events;
    std::unique_ptr<OverviewPage> m_page;

    // Waits until web1, web2 and the service are as given; prints how long that took since `since`
    // (the agent flipping).
    bool showsWithin(const char *what, State web1, State web2, State service, const QElapsedTimer &since)
    {
        const bool shown = QTest::qWaitFor(
            [&] {
                return stateOf(m_page->hostModel(), m_shop->web1Id()) == web1 &&
                       stateOf(m_page->hostModel(), m_shop->web2Id()) == web2 &&
                       stateOf(m_page->serviceModel(), m_shop->serviceId()) == service;
            },
            StateTimeoutMs);
        qInfo("%s: shown after %lld ms", what, since.elapsed());
        return shown;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_core = std::make_unique<test::CoreProcess>();
        QVERIFY2(m_core->init(), qPrintable(m_core->log()));
        QVERIFY2(m_core->start(), qPrintable(m_core->log()));
        m_shop = std::make_unique<test::LiveShop>(*m_core);
        QString error;
        QVERIFY2(m_shop->setUp(&error), qPrintable(error + u'\n' + m_core->log()));
        const test::LiveShop::Credentials viewer = m_shop->createViewer();

        m_client = std::make_unique<ApiClient>();
        m_client->setCore(m_core->baseUrl(), m_core->spkiSha256());
        const ApiResult login = test::loginAndWait(*m_client, viewer.username, viewer.password);
        QVERIFY2(login.ok(), qPrintable(login.errorText));
        m_events = std::make_unique<EventStreamClient>(*m_client);
        m_page = std::make_unique<OverviewPage>(*m_client, *m_events);
        m_page->resize(1366, 768);
        m_page->show();
        QSignalSpy refreshed(m_page.get(), &OverviewPage::refreshed);
        m_page->refresh();
        QVERIFY(refreshed.wait(20'000));
        m_events->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_events->isConnected(), 20'000);
    }

    void cleanupTestCase()
    {
        m_page.reset();
        m_events.reset();
        m_client.reset();
        m_shop.reset();
        if (m_core)
            QCOMPARE(m_core->stop(), 0);
    }

    void hostTurnsCriticalAndServiceDegraded()
    {
        QElapsedTimer since;
        since.start();
        QVERIFY(showsWithin("both hosts OK", State::Ok, State::Ok, State::Ok, since));

        QVERIFY(m_shop->flip(test::LiveShop::Web1, true));
        since.start();
        QVERIFY2(showsWithin("web1 critical, the shop degraded", State::Critical, State::Ok, State::Degraded,
                             since),
                 qPrintable(m_core->log().right(2000)));
        auto *hosts = m_page->findChild<QTableView *>(QStringLiteral("hosts"));
        QCOMPARE(hosts->model()->index(0, 0).data(HealthListModel::NameRole).toString(),
                 test::LiveShop::Web1);
        QCOMPARE(m_page->worstState(), State::Critical);

        QVERIFY(m_shop->flip(test::LiveShop::Web1, false));
        since.start();
        QVERIFY(showsWithin("web1 recovered", State::Ok, State::Ok, State::Ok, since));
    }

    void followsAgainAfterTheCoreRestarts()
    {
        auto *live = m_page->findChild<QLabel *>(QStringLiteral("live"));
        QVERIFY(m_core->restart());
        QTRY_VERIFY_WITH_TIMEOUT(!m_events->isConnected() || live->text().contains(QStringLiteral("Live")),
                                 20'000);
        QTRY_VERIFY_WITH_TIMEOUT(m_events->isConnected(), 60'000);
        QVERIFY2(live->text().contains(QStringLiteral("Live")), qPrintable(live->text()));

        QVERIFY(m_shop->flip(test::LiveShop::Web2, true));
        QElapsedTimer since;
        since.start();
        QVERIFY(showsWithin("after a restart, web2 critical", State::Ok, State::Critical, State::Degraded,
                            since));
        QVERIFY(m_shop->flip(test::LiveShop::Web2, false));
        since.start();
        QVERIFY(showsWithin("after a restart, web2 recovered", State::Ok, State::Ok, State::Ok, since));
    }
};

QTEST_MAIN(TestOverviewLive)
#include "tst_overviewlive.moc"
