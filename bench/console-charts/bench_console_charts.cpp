// A host page chart made ready: the report JSON's points read (parseChartData), the chart built
// (series and axes, HostChartView::setSpec), laid out at a host page's chart size and rendered
// once offscreen with grab(). Over 100,000 raw points, and over the same data downsampled to the
// points the API sends (HostPage::ChartPoints buckets of min/avg/max). Issue #7: ≤ 300 ms.
// Prints the median and the worst of 10 runs; asserts nothing (the machine is shared).
#include <QApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QPixmap>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "console/hostpage/hostchartview.h"
#include "console/hostpage/hostpage.h"
#include "console/hostpage/seriessection.h"

using namespace prophasis;

namespace {

constexpr int Runs = 10;
constexpr int RawPoints = 100'000;
constexpr qint64 StepMs = 60'000; // a result a minute: 100,000 points are ~69 days
constexpr int ChartWidth = 1300;  // a chart across a 1366-pixel-wide window

QJsonObject point(qint64 timeMs, double min, double avg, double max, qint64 count)
{
    return {
        {QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs)},
        {QStringLiteral("min"), min},
        {QStringLiteral("avg"), avg},
        {QStringLiteral("max"), max},
        {QStringLiteral("count"), count}};
}

double valueAt(int i)
{
    return 50 + 30 * std::sin(i / 500.0) + (i * 7919 % 13) - 6; // a slow wave with noise
}

// The chart's JSON as the API writes it: every raw point, or `buckets` equal buckets.
QJsonObject chartJson(qint64 startMs, int buckets)
{
    QJsonArray points;
    if (buckets >= RawPoints) {
        for (int i = 0; i < RawPoints; ++i)
            points.append(point(startMs + i * StepMs, valueAt(i), valueAt(i), valueAt(i), 1));
    } else {
        const int perBucket = (RawPoints + buckets - 1) / buckets;
        for (int first = 0; first < RawPoints; first += perBucket) {
            double min = valueAt(first), max = min, sum = 0;
            const int end = std::min(RawPoints, first + perBucket);
            for (int i = first; i < end; ++i) {
                min = std::min(min, valueAt(i));
                max = std::max(max, valueAt(i));
                sum += valueAt(i);
            }
            points.append(point(startMs + first * StepMs, min, sum / (end - first), max, end - first));
        }
    }
    return {{QStringLiteral("metric"), QString()},
            {QStringLiteral("unit"), QStringLiteral("ms")},
            {QStringLiteral("source"), QStringLiteral("raw")},
            {QStringLiteral("bucket_ms"),
             buckets >= RawPoints ? StepMs : StepMs * ((RawPoints + buckets - 1) / buckets)},
            {QStringLiteral("points"), points}};
}

struct Figures
{
    double medianMs;
    double worstMs;
    double parseMedianMs;
};

Figures measure(const QJsonObject &json, const QDateTime &from, const QDateTime &to)
{
    QList<double> total;
    QList<double> parse;
    for (int run = 0; run < Runs; ++run) {
        HostChartView view;
        view.resize(ChartWidth, SeriesSection::ChartHeight);
        QElapsedTimer timer;
        timer.start();
        ChartData data = parseChartData(json);
        parse.append(timer.nsecsElapsed() / 1e6);
        view.setSpec({ChartKind::Line, QStringLiteral("Value"), std::move(data), {}, from, to});
        view.grab(); // lays the chart out and renders it once
        total.append(timer.nsecsElapsed() / 1e6);
    }
    std::sort(total.begin(), total.end());
    std::sort(parse.begin(), parse.end());
    return {(total.at(Runs / 2 - 1) + total.at(Runs / 2)) / 2, total.last(),
            (parse.at(Runs / 2 - 1) + parse.at(Runs / 2)) / 2};
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const qint64 startMs = QDateTime::currentMSecsSinceEpoch() / StepMs * StepMs - RawPoints * StepMs;
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(startMs, Qt::UTC);
    const QDateTime to = from.addMSecs(RawPoints * StepMs);

    std::printf(
        "host page chart ready (JSON points read, series built, laid out, rendered once with grab()),\n"
        "%d x %d px, offscreen, %d runs:\n",
        ChartWidth, SeriesSection::ChartHeight, Runs);
    const QJsonObject raw = chartJson(startMs, RawPoints);
    const Figures rawFigures = measure(raw, from, to);
    std::printf("  %7d raw points:        median %8.1f ms, worst %8.1f ms (reading the JSON points: median "
                "%.1f ms)\n",
                RawPoints, rawFigures.medianMs, rawFigures.worstMs, rawFigures.parseMedianMs);
    const QJsonObject downsampled = chartJson(startMs, HostPage::ChartPoints);
    const Figures downFigures = measure(downsampled, from, to);
    std::printf("  %7lld downsampled points: median %8.1f ms, worst %8.1f ms (reading the JSON points: "
                "median %.1f ms)\n",
                qint64(downsampled.value(QStringLiteral("points")).toArray().size()), downFigures.medianMs,
                downFigures.worstMs, downFigures.parseMedianMs);
    std::printf("  target (issue #7): <= 300 ms\n");
    return 0;
}
