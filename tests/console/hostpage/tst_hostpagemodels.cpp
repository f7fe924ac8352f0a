#include <QAbstractItemModelTester>
#include <QChart>
#include <QDateTimeAxis>
#include <QJsonArray>
#include <QLineSeries>
#include <QTest>
#include <QValueAxis>

#include <memory>

#include "console/common/healthchangemodel.h"
#include "console/common/statepresentation.h"
#include "console/hostpage/hostchart.h"
#include "console/hostpage/hostreport.h"
#include "console/hostpage/messagerunmodel.h"
#include "console/hostpage/timerange.h"

using namespace prophasis;

namespace {

const QDateTime T0 = QDateTime(QDate(2026, 3, 1), QTime(12, 0), Qt::UTC);
constexpr qint64 MinuteMs = 60'000;

QString iso(const QDateTime &time)
{
    return time.toString(Qt::ISODateWithMs);
}

QJsonObject chartJson(const QString &metric, const QString &unit, int points)
{
    QJsonArray array;
    for (int i = 0; i < points; ++i)
        array.append(QJsonObject{{QStringLiteral("time"), iso(T0.addMSecs(i * MinuteMs))},
                                 {QStringLiteral("min"), i},
                                 {QStringLiteral("avg"), i + 0.5},
                                 {QStringLiteral("max"), i + 1},
                                 {QStringLiteral("count"), 2}});
    return {{QStringLiteral("metric"), metric},
            {QStringLiteral("unit"), unit},
            {QStringLiteral("source"), QStringLiteral("raw")},
            {QStringLiteral("bucket_ms"), MinuteMs},
            {QStringLiteral("points"), array}};
}

// A report as daemon-core/reports/reportjson.cpp writes one.
QJsonObject reportJson()
{
    const QString hostId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QJsonObject latest{
        {QStringLiteral("host_id"), hostId},
        {QStringLiteral("time"), iso(T0.addMSecs(9 * MinuteMs))},
        {QStringLiteral("type"), QStringLiteral("success")},
        {QStringLiteral("value"), 9.5},
        {QStringLiteral("message"), QStringLiteral("load high")},
        {QStringLiteral("classification"), QStringLiteral("critical")},
        {QStringLiteral("metrics"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("load5")},
                                                           {QStringLiteral("value"), 3},
                                                           {QStringLiteral("unit"), QString()}}}}};
    QJsonArray messages{
        QJsonObject{{QStringLiteral("first"), iso(T0.addMSecs(9 * MinuteMs))},
                    {QStringLiteral("last"), iso(T0.addMSecs(9 * MinuteMs))},
                    {QStringLiteral("count"), 1},
                    {QStringLiteral("message"), QStringLiteral("load high")},
                    {QStringLiteral("type"), QStringLiteral("success")},
                    {QStringLiteral("classification"), QStringLiteral("critical")}},
        QJsonObject{{QStringLiteral("first"), iso(T0)},
                    {QStringLiteral("last"), iso(T0.addMSecs(8 * MinuteMs))},
                    {QStringLiteral("count"), 9},
                    {QStringLiteral("message"), QStringLiteral("load fine")},
                    {QStringLiteral("type"), QStringLiteral("success")},
                    {QStringLiteral("classification"), QStringLiteral("ok")}},
    };
    QJsonObject series{{QStringLiteral("check_id"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                       {QStringLiteral("check_name"), QStringLiteral("basics")},
                       {QStringLiteral("plugin_id"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                       {QStringLiteral("plugin_key"), QStringLiteral("org.prophasis.load")},
                       {QStringLiteral("plugin_name"), QStringLiteral("Load")},
                       {QStringLiteral("view"), QStringLiteral("percent")},
                       {QStringLiteral("state"), QStringLiteral("critical")},
                       {QStringLiteral("latest"), latest},
                       {QStringLiteral("value"), chartJson({}, {}, 10)},
                       {QStringLiteral("metrics"), QJsonArray{chartJson(QStringLiteral("load5"), {}, 10)}},
                       {QStringLiteral("messages"), messages}};
    QJsonArray changes{QJsonObject{{QStringLiteral("time"), iso(T0.addMSecs(9 * MinuteMs))},
                                   {QStringLiteral("subject"), QStringLiteral("host")},
                                   {QStringLiteral("id"), hostId},
                                   {QStringLiteral("from"), QStringLiteral("ok")},
                                   {QStringLiteral("to"), QStringLiteral("critical")}}};
    return {{QStringLiteral("host"),
             QJsonObject{{QStringLiteral("id"), hostId},
                         {QStringLiteral("name"), QStringLiteral("web1")},
                         {QStringLiteral("address"), QStringLiteral("10.0.0.1")},
                         {QStringLiteral("enabled"), true},
                         {QStringLiteral("state"), QStringLiteral("critical")},
                         {QStringLiteral("newest_result"), iso(T0.addMSecs(9 * MinuteMs))},
                         {QStringLiteral("description"), QStringLiteral("front")}}},
            {QStringLiteral("from"), iso(T0)},
            {QStringLiteral("to"), iso(T0.addMSecs(10 * MinuteMs))},
            {QStringLiteral("points"), 300},
            {QStringLiteral("series"), QJsonArray{series}},
            {QStringLiteral("changes"), changes}};
}

} // namespace

// The host page's values and models without a network: the report JSON read back, the message
// and health-history models under QAbstractItemModelTester, charts and their tooltips, ranges.
class TestHostPageModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsTheReport()
    {
        const std::optional<HostReport> report = parseHostReport(reportJson());
        QVERIFY(report);
        QCOMPARE(report->name, QStringLiteral("web1"));
        QCOMPARE(report->address, QStringLiteral("10.0.0.1"));
        QCOMPARE(report->state, State::Critical);
        QCOMPARE(report->newestResult, T0.addMSecs(9 * MinuteMs));
        QCOMPARE(report->from, T0);
        QCOMPARE(report->to, T0.addMSecs(10 * MinuteMs));
        QCOMPARE(report->series.size(), 1);
        const ReportSeries &series = report->series.constFirst();
        QCOMPARE(series.view, PluginView::Percent);
        QCOMPARE(series.displayName(), QStringLiteral("basics · Load"));
        QVERIFY(series.latest);
        QCOMPARE(series.latest->value.value_or(0), 9.5);
        QCOMPARE(series.latest->metrics.size(), 1);
        QCOMPARE(series.value.points.size(), 10);
        QCOMPARE(series.value.points.at(3).timeMs, T0.addMSecs(3 * MinuteMs).toMSecsSinceEpoch());
        QCOMPARE(series.value.points.at(3).avg, 3.5);
        QCOMPARE(series.value.points.at(3).max, 4.0);
        QCOMPARE(series.metrics.size(), 1);
        QCOMPARE(series.metrics.constFirst().metric, QStringLiteral("load5"));
        QCOMPARE(series.messages.size(), 2);
        QCOMPARE(series.messages.at(1).count, 9);
        QCOMPARE(series.messages.at(1).classification, State::Ok);
        QCOMPARE(series.messages.at(1).seriesName, QStringLiteral("basics · Load"));
        QCOMPARE(report->changes.size(), 1);
        QCOMPARE(report->changes.constFirst().to, State::Critical);

        QString error;
        QVERIFY(!parseHostReport(QJsonObject{{QStringLiteral("error"), QStringLiteral("x")}}, &error));
        QVERIFY(!error.isEmpty());
    }

    void nearestPoint()
    {
        const ChartData chart = parseChartData(chartJson({}, {}, 5));
        const qint64 t0 = T0.toMSecsSinceEpoch();
        QCOMPARE(chart.nearestIndex(t0 - 1000), 0);
        QCOMPARE(chart.nearestIndex(t0 + 2 * MinuteMs + 10), 2);
        QCOMPARE(chart.nearestIndex(t0 + 2 * MinuteMs + 40'000), 3);
        QCOMPARE(chart.nearestIndex(t0 + 100 * MinuteMs), 4);
        QCOMPARE(ChartData().nearestIndex(t0), -1);
    }

    void messageRunModel()
    {
        MessageRunModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        const HostReport report = *parseHostReport(reportJson());
        model.setRuns(report.series.constFirst().messages);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(MessageRunModel::ColumnCount));
        QCOMPARE(model.index(0, MessageRunModel::MessageColumn).data().toString(),
                 QStringLiteral("load high"));
        QCOMPARE(model.index(1, MessageRunModel::CountColumn).data().toInt(), 9);
        QCOMPARE(model.index(0, MessageRunModel::ClassificationColumn).data().toString(),
                 stateLabel(State::Critical));
        QCOMPARE(model.index(0, MessageRunModel::TimeColumn).data(MessageRunModel::StateRole).toInt(),
                 int(State::Critical));
        // A run of many shows its first and last time.
        QVERIFY(model.index(1, MessageRunModel::TimeColumn).data().toString().contains(QStringLiteral("–")));
        QVERIFY(!model.headerData(MessageRunModel::MessageColumn, Qt::Horizontal).toString().isEmpty());
        model.setRuns({});
        QCOMPARE(model.rowCount(), 0);
    }

    void healthChangeModel()
    {
        HealthChangeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const HostReport report = *parseHostReport(reportJson());
        model.setChanges(report.changes, {{report.id, report.name}});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, HealthChangeModel::SubjectColumn).data().toString(), QStringLiteral("web1"));
        QCOMPARE(model.index(0, HealthChangeModel::FromColumn).data().toString(), stateLabel(State::Ok));
        QCOMPARE(model.index(0, HealthChangeModel::ToColumn).data().toString(), stateLabel(State::Critical));
        QCOMPARE(model.index(0, HealthChangeModel::ToColumn).data(HealthChangeModel::StateRole).toInt(),
                 int(State::Critical));
        model.setChanges(report.changes); // no names: the kind
        QCOMPARE(model.index(0, HealthChangeModel::SubjectColumn).data().toString(), QStringLiteral("Host"));
    }

    void chartsByView()
    {
        QCOMPARE(valueChartKind(PluginView::Line), std::optional(ChartKind::Line));
        QCOMPARE(valueChartKind(PluginView::Percent), std::optional(ChartKind::Percent));
        QCOMPARE(valueChartKind(PluginView::State), std::optional(ChartKind::StateTimeline));
        QVERIFY(!valueChartKind(PluginView::Messages));
        QCOMPARE(metricChartKind(PluginView::Line, QStringLiteral("%")), ChartKind::Percent);
        QCOMPARE(metricChartKind(PluginView::Line, QStringLiteral("ms")), ChartKind::Line);

        const HostReport report = *parseHostReport(reportJson());
        const ReportSeries &series = report.series.constFirst();
        ChartSpec spec{ChartKind::Line, QStringLiteral("Value"), series.value, series.messages, report.from,
                       report.to};
        std::unique_ptr<QChart> line(buildChart(spec));
        QLineSeries *average = averageSeries(line.get());
        QVERIFY(average);
        QCOMPARE(average->count(), 10);
        QCOMPARE(average->at(4), QPointF(double(T0.addMSecs(4 * MinuteMs).toMSecsSinceEpoch()), 4.5));
        QCOMPARE(timeAxis(line.get())->min(), report.from);
        QCOMPARE(timeAxis(line.get())->max(), report.to);
        QVERIFY(valueAxis(line.get())->max() >= 10);
        bool banded = false;
        for (QAbstractSeries *part : line->series())
            banded = banded || part->objectName() == QLatin1StringView(BandSeriesName);
        QVERIFY(banded);

        spec.kind = ChartKind::Percent;
        spec.data.unit = QStringLiteral("%");
        std::unique_ptr<QChart> percent(buildChart(spec));
        QCOMPARE(valueAxis(percent.get())->min(), 0.0);
        QCOMPARE(valueAxis(percent.get())->max(), 100.0);
        QCOMPARE(valueAxis(percent.get())->titleText(), QStringLiteral("%"));

        spec.kind = ChartKind::StateTimeline;
        std::unique_ptr<QChart> timeline(buildChart(spec));
        QCOMPARE(timeline->series().size(), 2); // one segment per run
        QVERIFY(!averageSeries(timeline.get()));
    }

    void tooltips()
    {
        const HostReport report = *parseHostReport(reportJson());
        const ReportSeries &series = report.series.constFirst();
        ChartSpec spec{ChartKind::Line, QStringLiteral("Value"), series.value, series.messages, report.from,
                       report.to};
        spec.data.unit = QStringLiteral("ms");
        const QString early = chartTooltip(spec, T0.addMSecs(2 * MinuteMs + 5000).toMSecsSinceEpoch());
        QVERIFY2(early.contains(QLocale().toString(2.5) + QStringLiteral(" ms")), qPrintable(early));
        QVERIFY2(early.contains(QLocale().toString(2.0) + QStringLiteral(" ms")), qPrintable(early));
        QVERIFY2(early.contains(QLocale().toString(3.0) + QStringLiteral(" ms")), qPrintable(early));
        QVERIFY2(early.contains(QStringLiteral("load fine")), qPrintable(early));
        QVERIFY2(
            early.contains(QLocale().toString(T0.addMSecs(2 * MinuteMs).toLocalTime(), QLocale::ShortFormat)),
            qPrintable(early));
        const QString late = chartTooltip(spec, T0.addMSecs(9 * MinuteMs).toMSecsSinceEpoch());
        QVERIFY2(late.contains(QStringLiteral("load high")), qPrintable(late));
        QVERIFY2(late.contains(stateLabel(State::Critical)), qPrintable(late));

        spec.kind = ChartKind::StateTimeline;
        const QString state = chartTooltip(spec, T0.addMSecs(4 * MinuteMs).toMSecsSinceEpoch());
        QVERIFY2(state.contains(stateLabel(State::Ok)) && state.contains(QStringLiteral("load fine")),
                 qPrintable(state));
    }

    void ranges()
    {
        const QDateTime now = T0;
        const TimeRange day = presetRange(RangePreset::Day, now);
        QCOMPARE(day.to, now);
        QCOMPARE(day.spanMs(), 24 * 60 * MinuteMs);
        QCOMPARE(presetRange(RangePreset::Hour, now).spanMs(), 60 * MinuteMs);
        QCOMPARE(presetRange(RangePreset::Week, now).spanMs(), 7 * 24 * 60 * MinuteMs);
        QCOMPARE(presetRange(RangePreset::Month, now).spanMs(), 30 * 24 * 60 * MinuteMs);
        QCOMPARE(presetRange(RangePreset::Year, now).spanMs(), 365 * 24 * 60 * MinuteMs);
        QVERIFY(!presetLabel(RangePreset::Custom).isEmpty());
    }
};

QTEST_MAIN(TestHostPageModels)
#include "tst_hostpagemodels.moc"
