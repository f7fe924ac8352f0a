#include <QAbstractItemModelTester>
#include <QChart>
#include <QDateTimeAxis>
#include <QJsonArray>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QValueAxis>

#include <memory>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/hostpage/hostchartview.h"
#include "console/hostpage/hostpage.h"
#include "console/hostpage/messagerunmodel.h"
#include "console/hostpage/seriessection.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/configurationloader.h"
#include "daemon-core/storage/healthhistorystore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/pluginstore.h"
#include "daemon-core/storage/resultstore.h"
#include "tests/api/managementapibench.h"
#include "tests/console/consolelogin.h"

using namespace prophasis;

namespace {

constexpr qint64 MinuteMs = 60'000;
constexpr qint64 HourMs = 60 * MinuteMs;
constexpr qint64 DayMs = 24 * HourMs;

struct ApiPoint
{
    qint64 timeMs;
    double avg;
};

QList<ApiPoint> apiPoints(const QJsonObject &chart)
{
    QList<ApiPoint> points;
    for (const QJsonValue &value : chart.value(QStringLiteral("points")).toArray()) {
        const QJsonObject point = value.toObject();
        points.append(
            {QDateTime::fromString(point.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs)
                 .toMSecsSinceEpoch(),
             point.value(QStringLiteral("avg")).toDouble()});
    }
    return points;
}

// Whether a chart's average line holds exactly the points the API sent.
bool samePoints(QChart *chart, const QList<ApiPoint> &expected, QString *why)
{
    QLineSeries *average = averageSeries(chart);
    if (!average) {
        *why = QStringLiteral("no average line");
        return false;
    }
    if (average->count() != expected.size()) {
        *why = QStringLiteral("%1 points drawn, %2 sent").arg(average->count()).arg(expected.size());
        return false;
    }
    for (int i = 0; i < expected.size(); ++i) {
        if (average->at(i) != QPointF(double(expected.at(i).timeMs), expected.at(i).avg)) {
            *why = QStringLiteral("point %1 differs").arg(i);
            return false;
        }
    }
    return true;
}

} // namespace

// The host page against the core's real management API over HTTPS (every route mounted, SQLite):
// a host with a line plugin with metrics, a percent plugin, a state plugin and a messages plugin,
// results spread over a year. The page draws the stored series for each range preset, a chart per
// metric, zooms with a new fetch, shows errors, keeps "Check now" from viewers.
class TestHostPage : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<test::ManagementApiBench> m_bench;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<EventStreamClient> m_events;
    QUuid m_host, m_load, m_disk, m_status, m_log, m_check;
    QDateTime m_now;

    void store()
    {
        m_bench->api.storage().runAndWait([this](Database &db) {
            Host host;
            host.name = QStringLiteral("web1");
            host.address = QStringLiteral("127.0.0.1");
            m_host = HostStore(db).create(host).id;
            Plugin plugin;
            plugin.pluginVersion = QStringLiteral("1.0");
            plugin.entry = QStringLiteral("main.lua");
            plugin.classifier.source = QStringLiteral("return 'ok'");
            const auto create = [&](const QString &key, const QString &name, PluginView view) {
                plugin.pluginId = key;
                plugin.name = name;
                plugin.view = view;
                return PluginStore(db).create(plugin).id;
            };
            m_load = create(QStringLiteral("org.prophasis.load"), QStringLiteral("Load"), PluginView::Line);
            m_disk =
                create(QStringLiteral("org.prophasis.disk"), QStringLiteral("Disk"), PluginView::Percent);
            m_status =
                create(QStringLiteral("org.prophasis.status"), QStringLiteral("Status"), PluginView::State);
            m_log = create(QStringLiteral("org.prophasis.log"), QStringLiteral("Log"), PluginView::Messages);
            Check check;
            check.name = QStringLiteral("basics");
            check.hostIds = {m_host};
            check.plugins = {{m_load, {}, std::nullopt},
                             {m_disk, {}, std::nullopt},
                             {m_status, {}, std::nullopt},
                             {m_log, {}, std::nullopt}};
            m_check = CheckStore(db).create(check).id;

            // Every six hours for a year, then every five minutes for the last two days.
            QList<QDateTime> times;
            for (qint64 back = 365 * DayMs; back > 2 * DayMs; back -= 6 * HourMs)
                times.append(m_now.addMSecs(-back));
            for (qint64 back = 2 * DayMs; back >= 0; back -= 5 * MinuteMs)
                times.append(m_now.addMSecs(-back));
            QList<CheckResult> batch;
            for (int i = 0; i < times.size(); ++i) {
                CheckResult result;
                result.hostId = m_host;
                result.checkId = m_check;
                result.time = times.at(i);
                result.classification = State::Ok;

                result.pluginId = m_load;
                result.value = double(i % 10);
                result.metrics = {{QStringLiteral("load5"), double(i % 7), QString()},
                                  {QStringLiteral("cpu"), double(i % 100), QStringLiteral("%")}};
                result.message = i % 50 < 45 ? QStringLiteral("load fine") : QStringLiteral("load high");
                batch.append(result);

                result.pluginId = m_disk;
                result.value = 40 + double(i % 20);
                result.metrics = {{QStringLiteral("used"), 40 + double(i % 20), QStringLiteral("%")}};
                result.message = QStringLiteral("disk fine");
                batch.append(result);

                result.pluginId = m_status;
                result.value = std::nullopt;
                result.metrics = {};
                result.classification = i % 30 < 25 ? State::Ok : State::Minor;
                result.message = result.classification == State::Ok ? QStringLiteral("running")
                                                                    : QStringLiteral("slow answers");
                batch.append(result);

                result.pluginId = m_log;
                result.classification = i % 40 < 39 ? State::Ok : State::Major;
                result.message = result.classification == State::Ok ? QStringLiteral("backup done")
                                                                    : QStringLiteral("backup failed");
                batch.append(result);
            }
            ResultStore(db).insert(batch);
            HealthHistoryStore(db).append({{.time = m_now.addMSecs(-3 * HourMs),
                                            .subject = HealthSubject::Host,
                                            .subjectId = m_host,
                                            .from = State::Ok,
                                            .to = State::Minor},
                                           {.time = m_now.addMSecs(-2 * HourMs),
                                            .subject = HealthSubject::Host,
                                            .subjectId = m_host,
                                            .from = State::Minor,
                                            .to = State::Ok}});
        });
    }

    void loginAs(const QString &user, const QString &password)
    {
        QSignalSpy loggedIn(m_client.get(), &ApiClient::loggedIn);
        const ApiResult login = test::loginAndWait(*m_client, user, password);
        QVERIFY2(login.ok(), qPrintable(login.errorText));
        QCOMPARE(loggedIn.count(), 1);
        QCOMPARE(m_client->userName(), user);
    }

    // The report as the API answers it for the page's visible range.
    QJsonObject apiReport(const HostPage &page)
    {
        const TimeRange range = page.visibleRange();
        const QByteArray target = "/api/v1/reports/hosts/" +
                                  m_host.toString(QUuid::WithoutBraces).toLatin1() +
                                  "?from=" + QByteArray::number(range.from.toMSecsSinceEpoch()) +
                                  "&to=" + QByteArray::number(range.to.toMSecsSinceEpoch()) +
                                  "&points=" + QByteArray::number(HostPage::ChartPoints);
        const test::HttpsAnswer answer = m_bench->api.call("GET", target, m_bench->api.loginViewer());
        if (answer.status != 200)
            qWarning() << answer.status << answer.body;
        return answer.json();
    }

    static QJsonObject seriesNamed(const QJsonObject &report, const QString &plugin)
    {
        for (const QJsonValue &series : report.value(QStringLiteral("series")).toArray()) {
            if (series.toObject().value(QStringLiteral("plugin_name")).toString() == plugin)
                return series.toObject();
        }
        return {};
    }

    static SeriesSection *sectionNamed(const HostPage &page, const QString &plugin)
    {
        for (SeriesSection *section : page.sections()) {
            if (section->series().pluginName == plugin)
                return section;
        }
        return nullptr;
    }

    // Waits for the page's next answer; false when it failed.
    static bool waitForReport(QSignalSpy &loaded, QSignalSpy &failed)
    {
        const qsizetype before = loaded.count() + failed.count();
        if (!QTest::qWaitFor([&] { return loaded.count() + failed.count() > before; }, 30'000))
            return false;
        return failed.count() == 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("hostpage"));
        m_bench = std::make_unique<test::ManagementApiBench>(*m_testDatabase, this);
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch() / MinuteMs * MinuteMs - MinuteMs;
        m_now = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC);
        store();
        const SecretBox secrets(SecretBox::generateKey());
        auto [config, latest] = m_bench->api.storage().runAndWait([&secrets](Database &db) {
            return std::pair{loadConfiguration(db, secrets), ResultStore(db).latest()};
        });
        // The mounted report routes read the present from the bench's health source.
        m_bench->health = StaticHealthSource(config, latest);
        QString error;
        QVERIFY2(m_bench->api.start(&error), qPrintable(error));
        m_client = std::make_unique<ApiClient>();
        m_client->setCore(test::loopbackCoreUrl(m_bench->api.port()),
                          spkiSha256(m_bench->api.identity().certificate));
        m_events = std::make_unique<EventStreamClient>(*m_client);
    }

    void cleanupTestCase()
    {
        m_events.reset();
        m_client.reset();
        m_bench.reset();
    }

    void drawsTheStoredSeriesForEachPreset_data()
    {
        QTest::addColumn<RangePreset>("preset");
        QTest::newRow("1 h") << RangePreset::Hour;
        QTest::newRow("24 h") << RangePreset::Day;
        QTest::newRow("7 d") << RangePreset::Week;
        QTest::newRow("30 d") << RangePreset::Month;
        QTest::newRow("1 y") << RangePreset::Year;
    }

    void drawsTheStoredSeriesForEachPreset()
    {
        QFETCH(RangePreset, preset);
        loginAs(QStringLiteral("viewer"), test::ViewerPassword);
        HostPage page(*m_client, *m_events);
        QSignalSpy loaded(&page, &HostPage::reportLoaded);
        QSignalSpy failed(&page, &HostPage::loadFailed);
        page.setRange(preset); // no host yet: nothing fetched
        QCOMPARE(loaded.count(), 0);
        page.showHost(m_host, QStringLiteral("web1"));
        QVERIFY(page.isLoading());
        QVERIFY(waitForReport(loaded, failed));
        QVERIFY(!page.isLoading());
        const TimeRange range = page.currentRange();
        QCOMPARE(range.preset, preset);
        QCOMPARE(range.spanMs(), presetSpanMs(preset));
        QVERIFY(page.report());
        QCOMPARE(page.report()->name, QStringLiteral("web1"));
        QCOMPARE(page.sections().size(), 4);
        page.buildAllCharts();

        const QJsonObject report = apiReport(page);
        const QJsonObject load = seriesNamed(report, QStringLiteral("Load"));
        SeriesSection *loadSection = sectionNamed(page, QStringLiteral("Load"));
        QVERIFY(loadSection);
        // The value, then one chart per metric of the latest result.
        const QJsonArray metrics = load.value(QStringLiteral("metrics")).toArray();
        QCOMPARE(metrics.size(), 2);
        const QList<HostChartView *> views = loadSection->chartViews();
        QCOMPARE(views.size(), 1 + metrics.size());
        const QList<ApiPoint> expected = apiPoints(load.value(QStringLiteral("value")).toObject());
        QVERIFY(!expected.isEmpty());
        QString why;
        QVERIFY2(samePoints(views.at(0)->chart(), expected, &why), qPrintable(why));
        QCOMPARE(timeAxis(views.at(0)->chart())->min(), range.from);
        QCOMPARE(timeAxis(views.at(0)->chart())->max(), range.to);
        for (int i = 0; i < metrics.size(); ++i) {
            const QJsonObject metric = metrics.at(i).toObject();
            QCOMPARE(views.at(1 + i)->spec().data.metric, metric.value(QStringLiteral("metric")).toString());
            QVERIFY2(samePoints(views.at(1 + i)->chart(), apiPoints(metric), &why), qPrintable(why));
            QCOMPARE(timeAxis(views.at(1 + i)->chart())->min(), range.from);
            QCOMPARE(valueAxis(views.at(1 + i)->chart())->titleText(),
                     metric.value(QStringLiteral("unit")).toString());
        }
        // cpu is in %: on a 0–100 axis even in a line plugin.
        for (HostChartView *view : views) {
            if (view->spec().data.metric == QStringLiteral("cpu"))
                QCOMPARE(valueAxis(view->chart())->max(), 100.0);
            else if (view->spec().data.metric == QStringLiteral("load5"))
                QVERIFY(valueAxis(view->chart())->max() < 100.0);
        }

        // The percent plugin: its value and its metric on 0–100.
        SeriesSection *disk = sectionNamed(page, QStringLiteral("Disk"));
        QVERIFY(disk);
        QCOMPARE(disk->chartViews().size(), 2);
        for (HostChartView *view : disk->chartViews()) {
            QCOMPARE(view->spec().kind, ChartKind::Percent);
            QCOMPARE(valueAxis(view->chart())->min(), 0.0);
            QCOMPARE(valueAxis(view->chart())->max(), 100.0);
        }
        QVERIFY2(
            samePoints(
                disk->chartViews().at(0)->chart(),
                apiPoints(
                    seriesNamed(report, QStringLiteral("Disk")).value(QStringLiteral("value")).toObject()),
                &why),
            qPrintable(why));

        // The state plugin: a timeline segment per message run.
        SeriesSection *status = sectionNamed(page, QStringLiteral("Status"));
        QVERIFY(status);
        QCOMPARE(status->chartViews().size(), 1);
        const qsizetype runs =
            seriesNamed(report, QStringLiteral("Status")).value(QStringLiteral("messages")).toArray().size();
        QVERIFY(runs > 0);
        QCOMPARE(status->chartViews().at(0)->spec().kind, ChartKind::StateTimeline);
        QCOMPARE(status->chartViews().at(0)->chart()->series().size(), runs);

        // The messages plugin: its table only.
        SeriesSection *log = sectionNamed(page, QStringLiteral("Log"));
        QVERIFY(log);
        QVERIFY(log->chartViews().isEmpty());
        auto *table = log->findChild<QTableView *>();
        QVERIFY(table);
        QCOMPARE(
            qsizetype(table->model()->rowCount()),
            seriesNamed(report, QStringLiteral("Log")).value(QStringLiteral("messages")).toArray().size());
    }

    void tooltipAtAPoint()
    {
        loginAs(QStringLiteral("viewer"), test::ViewerPassword);
        HostPage page(*m_client, *m_events);
        QSignalSpy loaded(&page, &HostPage::reportLoaded);
        QSignalSpy failed(&page, &HostPage::loadFailed);
        page.resize(1366, 768);
        page.show();
        page.setRange(RangePreset(qEnvironmentVariableIntValue("PROPHASIS_HOSTPAGE_PRESET")));
        page.showHost(m_host, QStringLiteral("web1"));
        QVERIFY(waitForReport(loaded, failed));
        // Shown: the sections in view draw their charts by themselves, the others wait.
        QTRY_VERIFY(page.sections().constFirst()->chartsBuilt());
        QVERIFY(!page.sections().constLast()->chartsBuilt());
        if (qEnvironmentVariableIsSet("PROPHASIS_HOSTPAGE_SCREENSHOT")) { // for docs/images
            QTest::qWait(200); // the layout settles around the charts drawn
            page.grab().save(qEnvironmentVariable("PROPHASIS_HOSTPAGE_SCREENSHOT"));
        }
        page.buildAllCharts();
        if (qEnvironmentVariableIsSet("PROPHASIS_HOSTPAGE_SCREENSHOT")) { // every section, for review
            QTest::qWait(200);
            page.findChild<QScrollArea *>()->widget()->grab().save(
                qEnvironmentVariable("PROPHASIS_HOSTPAGE_SCREENSHOT")
                    .replace(QStringLiteral(".png"), QStringLiteral("-sections.png")));
        }
        HostChartView *view = sectionNamed(page, QStringLiteral("Load"))->chartViews().at(0);
        view->resize(900, SeriesSection::ChartHeight);
        QCoreApplication::processEvents();
        QLineSeries *average = averageSeries(view->chart());
        QVERIFY(average->count() > 3);
        const QPointF point = average->at(2);
        const QPointF inChart = view->chart()->mapToPosition(point, average);
        const QPoint inView = view->mapFromScene(view->chart()->mapToScene(inChart));
        const QString text = view->tooltipAt(inView);
        const ChartPoint &expected = view->spec().data.points.at(2);
        QVERIFY2(text.contains(QLocale().toString(
                     QDateTime::fromMSecsSinceEpoch(expected.timeMs).toLocalTime(), QLocale::ShortFormat)),
                 qPrintable(text));
        QVERIFY2(text.contains(QLocale().toString(expected.avg, 'g', 6)), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("load fine")) || text.contains(QStringLiteral("load high")),
                 qPrintable(text));
        QVERIFY(view->tooltipAt(QPoint(0, 0)).isEmpty()); // outside the plot area
    }

    void zoomFetchesTheSpanAgain()
    {
        loginAs(QStringLiteral("viewer"), test::ViewerPassword);
        HostPage page(*m_client, *m_events);
        QSignalSpy loaded(&page, &HostPage::reportLoaded);
        QSignalSpy failed(&page, &HostPage::loadFailed);
        page.setRange(RangePreset::Week);
        page.showHost(m_host, QStringLiteral("web1"));
        QVERIFY(waitForReport(loaded, failed));
        page.buildAllCharts();
        const TimeRange week = page.currentRange();
        const QDateTime zoomFrom = week.to.addMSecs(-6 * HourMs);
        page.setZoom(zoomFrom, week.to);
        QVERIFY(page.isZoomed());
        QCOMPARE(page.currentRange(), week);
        HostChartView *view = sectionNamed(page, QStringLiteral("Load"))->chartViews().at(0);
        QCOMPARE(timeAxis(view->chart())->min(), zoomFrom); // moved at once, data follows
        QVERIFY(waitForReport(loaded, failed));
        QCOMPARE(page.report()->from, zoomFrom);
        view = sectionNamed(page, QStringLiteral("Load"))->chartViews().at(0);
        QString why;
        const QJsonObject zoomed = apiReport(page);
        QVERIFY2(
            samePoints(
                view->chart(),
                apiPoints(
                    seriesNamed(zoomed, QStringLiteral("Load")).value(QStringLiteral("value")).toObject()),
                &why),
            qPrintable(why));
        // Finer: six hours of five-minute results are raw points, not the week's buckets.
        QVERIFY(!view->spec().data.hourly);
        QCOMPARE(timeAxis(view->chart())->min(), zoomFrom);

        page.resetZoom();
        QVERIFY(!page.isZoomed());
        QVERIFY(waitForReport(loaded, failed));
        QCOMPARE(page.report()->from, week.from);

        // A custom range: fetched as given; one the API would refuse is not sent.
        const QDateTime customFrom = m_now.addMSecs(-40 * DayMs);
        const QDateTime customTo = m_now.addMSecs(-39 * DayMs);
        page.setCustomRange(customFrom, customTo);
        QCOMPARE(page.currentRange().preset, RangePreset::Custom);
        QVERIFY(waitForReport(loaded, failed));
        QCOMPARE(page.report()->from, customFrom);
        QCOMPARE(page.report()->to, customTo);
        view = sectionNamed(page, QStringLiteral("Load"))->chartViews().at(0);
        QVERIFY2(samePoints(view->chart(),
                            apiPoints(seriesNamed(apiReport(page), QStringLiteral("Load"))
                                          .value(QStringLiteral("value"))
                                          .toObject()),
                            &why),
                 qPrintable(why));
        QVERIFY(!view->spec().data.points.isEmpty());
        page.setCustomRange(customTo, customFrom);
        QCOMPARE(page.currentRange().from, customFrom); // unchanged
        QVERIFY(!page.isLoading());
    }

    void checkNowIsForOperators()
    {
        loginAs(QStringLiteral("viewer"), test::ViewerPassword);
        HostPage page(*m_client, *m_events);
        page.showHost(m_host, QStringLiteral("web1"));
        QVERIFY(!page.checkNowButton()->isEnabled());

        loginAs(QStringLiteral("operator"), test::OperatorPassword);
        QVERIFY(page.checkNowButton()->isEnabled());
        QSignalSpy finished(&page, &HostPage::checkNowFinished);
        page.checkNowButton()->click();
        QVERIFY(!page.checkNowButton()->isEnabled()); // until the core answered
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20'000);
        // The bench's engine is not running: the core says nothing ran, and the page says so.
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        const QString text = finished.at(0).at(1).toString();
        QVERIFY2(text.contains(QStringLiteral("nothing runs")), qPrintable(text));
        QVERIFY(page.checkNowButton()->isEnabled());
    }

    void errorsAreShown()
    {
        loginAs(QStringLiteral("viewer"), test::ViewerPassword);
        HostPage page(*m_client, *m_events);
        page.show();
        QSignalSpy loaded(&page, &HostPage::reportLoaded);
        QSignalSpy failed(&page, &HostPage::loadFailed);
        page.showHost(QUuid::createUuid(), QStringLiteral("gone"));
        QVERIFY(!waitForReport(loaded, failed));
        QVERIFY(!page.errorText().isEmpty());
        QVERIFY(!page.report());
        bool shown = false;
        for (const QLabel *label : page.findChildren<QLabel *>())
            shown = shown || (label->isVisible() && label->text().contains(page.errorText()));
        QVERIFY2(shown, qPrintable(page.errorText()));
        const auto *retry = page.findChild<QPushButton *>();
        QVERIFY(retry);

        // Refused: the session is gone.
        m_client->logout();
        HostPage refused(*m_client, *m_events);
        QSignalSpy refusedFailed(&refused, &HostPage::loadFailed);
        refused.showHost(m_host, QStringLiteral("web1"));
        QTRY_COMPARE_WITH_TIMEOUT(refusedFailed.count(), 1, 20'000);
        QVERIFY(!refused.errorText().isEmpty());
    }

    void healthEventsRefreshOnce()
    {
        loginAs(QStringLiteral("viewer"), test::ViewerPassword);
        HostPage page(*m_client, *m_events);
        QSignalSpy loaded(&page, &HostPage::reportLoaded);
        QSignalSpy failed(&page, &HostPage::loadFailed);
        page.showHost(m_host, QStringLiteral("web1"));
        QVERIFY(waitForReport(loaded, failed));
        const QJsonObject event{{QStringLiteral("subject"), QStringLiteral("host")},
                                {QStringLiteral("id"), m_host.toString(QUuid::WithoutBraces)},
                                {QStringLiteral("from"), QStringLiteral("ok")},
                                {QStringLiteral("to"), QStringLiteral("minor")}};
        for (int i = 0; i < 3; ++i)
            Q_EMIT m_events->healthChanged(event);
        QVERIFY(waitForReport(loaded, failed));
        QCOMPARE(loaded.count(), 2); // three events, one refresh
        QVERIFY(!page.isLoading());
    }

    void keepsTheRangePreset()
    {
        HostPage page(*m_client, *m_events);
        page.setRange(RangePreset::Month);
        const QByteArray state = page.saveState();
        HostPage other(*m_client, *m_events);
        QCOMPARE(other.currentRange().preset, RangePreset::Day);
        QVERIFY(other.restoreState(state));
        QCOMPARE(other.currentRange().preset, RangePreset::Month);
        QCOMPARE(other.currentRange().spanMs(), presetSpanMs(RangePreset::Month));
        QVERIFY(!other.restoreState(QByteArray("junk")));
        QCOMPARE(other.currentRange().preset, RangePreset::Month);
    }
};

QTEST_MAIN(TestHostPage)
#include "tst_hostpage.moc"
