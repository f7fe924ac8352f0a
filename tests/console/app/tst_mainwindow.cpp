#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include "console/app/mainwindow.h"
#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/hostpage/hostpage.h"
#include "console/overview/overviewpage.h"
#include "console/servicepage/servicepage.h"
#include "tests/api/managementapibench.h"
#include "tests/console/consolelogin.h"

using namespace prophasis;

// The console's frame against the core's real management API over TLS: browsing between the
// overview, a host and a service with back and forward as in a browser, the keyboard shortcuts,
// and what it remembers between runs (geometry, the host page's range, the overview's columns).
class TestMainWindow : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_database;
    std::unique_ptr<test::ManagementApiBench> m_bench;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<EventStreamClient> m_events;
    const QUuid m_host = QUuid::createUuid();
    const QUuid m_service = QUuid::createUuid();

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        m_database = std::make_unique<test::TestDatabase>(QStringLiteral("consolemainwindow"));
    }

    void init()
    {
        m_bench = std::make_unique<test::ManagementApiBench>(*m_database, this);
        QString error;
        QVERIFY2(m_bench->api.start(&error), qPrintable(error));
        m_client = std::make_unique<ApiClient>();
        m_client->setCore(test::loopbackCoreUrl(m_bench->api.port()),
                          spkiSha256(m_bench->api.identity().certificate));
        QVERIFY(test::loginAndWait(*m_client, QStringLiteral("viewer"), test::ViewerPassword).ok());
        m_events = std::make_unique<EventStreamClient>(*m_client);
    }

    void cleanup()
    {
        m_events.reset();
        m_client.reset();
        m_bench.reset();
    }

    void backAndForwardAsInABrowser()
    {
        MainWindow window(*m_client, *m_events);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Overview);

        window.openHost(m_host, QStringLiteral("web1"));
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Host);
        QCOMPARE(window.hostPage()->hostId(), m_host);
        QVERIFY(window.windowTitle().startsWith(QStringLiteral("web1")));
        window.openService(m_service, QStringLiteral("Shop"));
        QCOMPARE(window.servicePage()->serviceId(), m_service);

        QTest::keySequence(&window, QKeySequence::Back);
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Host);
        QTest::keySequence(&window, QKeySequence::Back);
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Overview);
        QTest::keySequence(&window, QKeySequence::Back); // nothing before the first place
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Overview);
        QTest::keySequence(&window, QKeySequence::Forward);
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Host);

        // Somewhere new from the middle of the history drops what lay ahead.
        window.showOverview();
        QTest::keySequence(&window, QKeySequence::Forward);
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Overview);

        // Ctrl+F from a host page: the overview, with the cursor in its search field.
        window.openHost(m_host, QStringLiteral("web1"));
        QTest::keySequence(&window, QKeySequence::Find);
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Overview);
        auto *search = window.overviewPage()->findChild<QLineEdit *>(QStringLiteral("search"));
        QTRY_VERIFY(search->hasFocus());
        // Ctrl+1 is the overview too; pressed again there, it does not add it twice to the history.
        window.openService(m_service, QStringLiteral("Shop"));
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Overview);
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QTest::keySequence(&window, QKeySequence::Back);
        QCOMPARE(window.currentPlace().kind, MainWindow::PageKind::Service);
    }

    void remembersItsLayoutBetweenRuns()
    {
        QByteArray overviewState;
        QRect geometry;
        {
            MainWindow window(*m_client, *m_events);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.setGeometry(40, 50, 1100, 640);
            window.hostPage()->setRange(RangePreset::Week);
            overviewState = window.overviewPage()->saveState();
            geometry = window.geometry();
            window.close(); // saves, as closing the real window does
        }
        MainWindow again(*m_client, *m_events);
        again.restoreSettings();
        QCOMPARE(again.hostPage()->currentRange().preset, RangePreset::Week);
        QCOMPARE(again.overviewPage()->saveState(), overviewState);
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QCOMPARE(again.geometry().size(), geometry.size());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
