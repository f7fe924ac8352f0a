#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "console/app/consoleapplication.h"
#include "console/app/mainwindow.h"
#include "console/hostpage/hostchartview.h"
#include "console/hostpage/hostpage.h"
#include "console/hostpage/seriessection.h"
#include "console/overview/hostlistmodel.h"
#include "console/overview/overviewpage.h"
#include "console/overview/servicelistmodel.h"
#include "console/servicepage/servicepage.h"
#include "console/servicepage/servicetreemodel.h"
#include "tests/support/coreprocess.h"
#include "tests/support/liveshop.h"

using namespace prophasis;
using test::CoreProcess;
using test::LiveShop;

// The console as a person runs it, against a real prophasis-core process with the small shop
// (two web servers answered by the mock agent, one service with both in a redundancy group):
// logged in from the command line, the overview follows the agents live, the host page draws
// what the core stored for every range, the service page says why the service is degraded, and
// a core that went away and came back is picked up again without a restart of the console.
//
// With PROPHASIS_SCREENSHOT_DIR set (the console_screenshots test runs this under Xvfb), the
// overview, a host page and a service page are saved there as PNG for docs/images.
class TestConsoleEndToEnd : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreProcess> m_core;
    std::unique_ptr<LiveShop> m_shop;
    std::unique_ptr<ConsoleApplication> m_console;
    QTemporaryDir m_dir;

    MainWindow &window() { return *m_console->mainWindow(); }

    // The state shown for the row with `id`; NoData when the row is not there.
    static State shownState(const QAbstractItemModel *model, const QUuid &id)
    {
        for (int row = 0; row < model->rowCount(); ++row) {
            const QModelIndex index = model->index(row, 0);
            if (index.data(HealthListModel::IdRole).toUuid() == id)
                return index.data(HealthListModel::StateRole).value<State>();
        }
        return State::NoData;
    }
    State hostShown(const QString &host)
    {
        return shownState(window().overviewPage()->hostModel(), QUuid::fromString(m_shop->hostId(host)));
    }
    State serviceShown()
    {
        return shownState(window().overviewPage()->serviceModel(), QUuid::fromString(m_shop->serviceId()));
    }

    void saveScreenshot(const QString &name)
    {
        const QString directory = qEnvironmentVariable("PROPHASIS_SCREENSHOT_DIR");
        if (directory.isEmpty())
            return;
        QDir().mkpath(directory);
        QTest::qWait(300); // let charts finish their first paint
        QVERIFY(window().grab().save(QDir(directory).filePath(name)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // profiles and window settings in a test location
        QVERIFY(m_dir.isValid());
        m_core = std::make_unique<CoreProcess>();
        QVERIFY2(m_core->init(), qPrintable(m_core->log()));
        QVERIFY2(m_core->start(), qPrintable(m_core->log()));
        m_shop = std::make_unique<LiveShop>(*m_core);
        QString error;
        QVERIFY2(m_shop->setUp(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(m_shop->hostState(LiveShop::Web2), QStringLiteral("ok"), 60'000);

        // Logged in from the command line, as the demo does: no dialog, the key given.
        const LiveShop::Credentials viewer = m_shop->createViewer();
        const QString passwordFile = m_dir.filePath(QStringLiteral("password"));
        QFile file(passwordFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(viewer.password.toUtf8() + '\n');
        file.close();
        QVERIFY(file.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        QCommandLineParser parser;
        ConsoleApplication::addOptions(parser);
        QVERIFY(parser.parse({QStringLiteral("prophasis-console"), QStringLiteral("--core"),
                              m_core->baseUrl().toString(), QStringLiteral("--user"), viewer.username,
                              QStringLiteral("--password-file"), passwordFile, QStringLiteral("--core-key"),
                              m_core->spkiSha256()}));
        m_console = std::make_unique<ConsoleApplication>();
        QSignalSpy ready(m_console.get(), &ConsoleApplication::ready);
        QCOMPARE(m_console->start(parser), -1);
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 30'000);
        QVERIFY(m_console->mainWindow()->isVisible());
        window().resize(1366, 768);
        QTRY_VERIFY_WITH_TIMEOUT(m_console->events().isConnected(), 30'000);
    }

    void cleanupTestCase()
    {
        m_console.reset();
        m_shop.reset();
        if (m_core)
            m_core->stop();
    }

    void overviewShowsTheShopLive()
    {
        QTRY_COMPARE_WITH_TIMEOUT(hostShown(LiveShop::Web1), State::Ok, 30'000);
        QTRY_COMPARE_WITH_TIMEOUT(hostShown(LiveShop::Web2), State::Ok, 30'000);
        QTRY_COMPARE_WITH_TIMEOUT(serviceShown(), State::Ok, 30'000);
        saveScreenshot(QStringLiteral("console-overview-ok.png"));

        // The agent flips; the overview follows from the event stream (there is no polling).
        QElapsedTimer sinceFlip;
        QSignalSpy healthEvents(&m_console->events(), &EventStreamClient::healthChanged);
        QVERIFY(m_shop->flip(LiveShop::Web2, true));
        sinceFlip.start();
        QTRY_COMPARE_WITH_TIMEOUT(hostShown(LiveShop::Web2), State::Critical, 60'000);
        const qint64 hostMs = sinceFlip.elapsed();
        QTRY_COMPARE_WITH_TIMEOUT(serviceShown(), State::Degraded, 30'000);
        const qint64 serviceMs = sinceFlip.elapsed();
        QVERIFY(healthEvents.count() >= 2);
        QCOMPARE(hostShown(LiveShop::Web1), State::Ok);
        // Measured, not asserted (the machine is shared): from the agent flipping to the overview
        // showing it. The classifier needs two failed runs a second apart before "critical".
        qInfo("overview: web2 critical %lld ms and the service degraded %lld ms after the agent flipped",
              hostMs, serviceMs);
        saveScreenshot(QStringLiteral("console-overview.png"));
    }

    void servicePageSaysWhy()
    {
        QTRY_COMPARE_WITH_TIMEOUT(serviceShown(), State::Degraded, 60'000);
        QSignalSpy loaded(window().servicePage(), &ServicePage::loaded);
        window().openService(QUuid::fromString(m_shop->serviceId()), LiveShop::ServiceName);
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 30'000);
        QTRY_VERIFY_WITH_TIMEOUT(window().servicePage()->reasonText().contains(LiveShop::Web2), 30'000);
        const QString reason = window().servicePage()->reasonText();
        QVERIFY2(reason.contains(LiveShop::Web2), qPrintable(reason));
        QVERIFY(window().servicePage()->treeModel()->rowCount() >= 1);
        saveScreenshot(QStringLiteral("console-service.png"));
        window().back();
        QCOMPARE(window().currentPlace().kind, MainWindow::PageKind::Overview);
    }

    void hostPageDrawsTheStoredSeriesForEveryRange()
    {
        HostPage *page = window().hostPage();
        window().openHost(QUuid::fromString(m_shop->web1Id()), LiveShop::Web1);
        QCOMPARE(window().currentPlace().kind, MainWindow::PageKind::Host);
        for (const RangePreset preset : {RangePreset::Hour, RangePreset::Day, RangePreset::Week,
                                         RangePreset::Month, RangePreset::Year}) {
            QSignalSpy loaded(page, &HostPage::reportLoaded);
            page->setRange(preset);
            QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1 && !page->isLoading(), 30'000);
            QVERIFY2(page->errorText().isEmpty(), qPrintable(page->errorText()));
            QVERIFY(page->report().has_value());
            const HostReport &report = *page->report();
            QCOMPARE(report.series.size(), 1);
            QVERIFY(!report.series.first().value.points.isEmpty());
            page->buildAllCharts();
            QCOMPARE(page->sections().size(), 1);
            const QList<HostChartView *> views = page->sections().first()->chartViews();
            QVERIFY(!views.isEmpty());
            // The chart spans the range asked for.
            const TimeRange range = page->currentRange();
            QVERIFY(qAbs(views.first()->spanFrom().msecsTo(range.from)) < 120'000);
        }
        // web2 over the last seconds: its fall from ok to critical, for the picture.
        window().openHost(QUuid::fromString(m_shop->web2Id()), LiveShop::Web2);
        QSignalSpy loaded(page, &HostPage::reportLoaded);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        page->setCustomRange(now.addSecs(-15), now.addSecs(2));
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1 && !page->isLoading(), 30'000);
        QCOMPARE(page->currentRange().preset, RangePreset::Custom);
        page->buildAllCharts();
        saveScreenshot(QStringLiteral("console-host.png"));
        window().showOverview();
    }

    void droppedConnectionRecovers()
    {
        QTRY_COMPARE_WITH_TIMEOUT(hostShown(LiveShop::Web2), State::Critical, 60'000);
        m_core->kill();
        QTRY_VERIFY_WITH_TIMEOUT(!m_console->events().isConnected(), 60'000);
        QVERIFY(window().statusBar()->findChildren<QLabel *>().size() >= 1);

        // The core comes back; meanwhile web2 recovered. The console reconnects by itself, learns
        // it missed events (the core restarted: reset) and shows the present again.
        QVERIFY(m_shop->flip(LiveShop::Web2, false));
        QVERIFY2(m_core->start(), qPrintable(m_core->log()));
        QTRY_VERIFY_WITH_TIMEOUT(m_console->events().isConnected(), 60'000);
        QTRY_COMPARE_WITH_TIMEOUT(hostShown(LiveShop::Web2), State::Ok, 90'000);
        QTRY_COMPARE_WITH_TIMEOUT(serviceShown(), State::Ok, 60'000);
    }
};

QTEST_MAIN(TestConsoleEndToEnd)
#include "tst_consoleendtoend.moc"
