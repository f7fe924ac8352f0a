#include "console/hostpage/hostchart.h"

#include <QAreaSeries>
#include <QChart>
#include <QCoreApplication>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QLocale>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

#include "console/common/statepresentation.h"

namespace prophasis {

namespace {

constexpr qsizetype SparsePointCount = 50;

constexpr qint64 DayMs = 24LL * 3600 * 1000;

constexpr QRgb LineColour = 0x1f77b4; // one colour for every value line; states own the others

QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("prophasis::HostChart", text, nullptr, n);
}

QString formatValue(double value, const QString &unit)
{
    const QString number = QLocale().toString(value, 'g', 6);
    if (unit.isEmpty())
        return number;
    return unit == QStringLiteral("%") ? number + unit : number + QLatin1Char(' ') + unit;
}

QString formatTime(qint64 ms)
{
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime(), QLocale::ShortFormat);
}

// Start and end of each run's segment: a state holds until the next newer run began.
struct Segment
{
    qint64 from;
    qint64 to;
    const MessageRunRow *run;
};

QList<Segment> timelineSegments(const QList<MessageRunRow> &runs)
{
    QList<Segment> segments;
    for (qsizetype i = 0; i < runs.size(); ++i) {
        const MessageRunRow &run = runs.at(i);
        const qint64 from = run.first.toMSecsSinceEpoch();
        const qint64 to = i == 0 ? std::max(run.last.toMSecsSinceEpoch(), from)
                                 : std::max(runs.at(i - 1).first.toMSecsSinceEpoch(), from);
        segments.append({from, to, &run});
    }
    return segments;
}

void addTimeline(QChart *chart, const ChartSpec &spec, QDateTimeAxis *time, QValueAxis *values)
{
    for (const Segment &segment : timelineSegments(spec.runs)) {
        // A run of one result still shows: at least a sliver of the visible span wide.
        const qint64 to =
            std::max(segment.to, segment.from + std::max<qint64>(spec.from.msecsTo(spec.to) / 500, 1));
        auto *upper = new QLineSeries;
        auto *lower = new QLineSeries;
        upper->append(double(segment.from), 1);
        upper->append(double(to), 1);
        lower->append(double(segment.from), 0);
        lower->append(double(to), 0);
        auto *area = new QAreaSeries(upper, lower);
        area->setObjectName(QLatin1StringView(TimelineSeriesName));
        area->setName(stateLabel(segment.run->classification));
        area->setColor(stateColour(segment.run->classification));
        area->setPen(Qt::NoPen);
        chart->addSeries(area);
        area->attachAxis(time);
        area->attachAxis(values);
    }
    values->setRange(0, 1);
    values->setVisible(false);
}

void addLine(QChart *chart, const ChartSpec &spec, QDateTimeAxis *time, QValueAxis *values)
{
    const QList<ChartPoint> &points = spec.data.points;
    QList<QPointF> averages;
    QList<QPointF> minima;
    QList<QPointF> maxima;
    averages.reserve(points.size());
    bool banded = false;
    double low = 0;
    double high = 0;
    for (const ChartPoint &point : points) {
        averages.append(QPointF(double(point.timeMs), point.avg));
        banded = banded || point.min < point.max;
        low = averages.size() == 1 ? point.min : std::min(low, point.min);
        high = averages.size() == 1 ? point.max : std::max(high, point.max);
    }
    const QColor colour = QColor::fromRgb(LineColour);
    if (banded) {
        minima.reserve(points.size());
        maxima.reserve(points.size());
        for (const ChartPoint &point : points) {
            minima.append(QPointF(double(point.timeMs), point.min));
            maxima.append(QPointF(double(point.timeMs), point.max));
        }
        auto *upper = new QLineSeries;
        auto *lower = new QLineSeries;
        upper->replace(maxima);
        lower->replace(minima);
        auto *band = new QAreaSeries(upper, lower);
        band->setObjectName(QLatin1StringView(BandSeriesName));
        band->setName(tr("min – max"));
        QColor fill = colour;
        fill.setAlpha(60);
        band->setColor(fill);
        band->setPen(Qt::NoPen);
        chart->addSeries(band);
        band->attachAxis(time);
        band->attachAxis(values);
    }
    auto *average = new QLineSeries;
    average->setObjectName(QLatin1StringView(AverageSeriesName));
    average->setName(tr("average"));
    average->setColor(colour);
    average->replace(averages);
    // A few points (a new check, a short range) make lines too short to see: mark each point.
    average->setPointsVisible(averages.size() < SparsePointCount);
    chart->addSeries(average);
    average->attachAxis(time);
    average->attachAxis(values);

    if (spec.kind == ChartKind::Percent) {
        values->setRange(0, 100);
        values->setLabelFormat(QStringLiteral("%d"));
    } else if (points.isEmpty()) {
        values->setRange(0, 1);
    } else {
        if (high - low < 1e-9) { // a flat line sits in the middle, not on the edge
            low -= 1;
            high += 1;
        }
        values->setRange(low, high);
        values->applyNiceNumbers();
    }
    values->setTitleText(spec.kind == ChartKind::Percent && spec.data.unit.isEmpty() ? QStringLiteral("%")
                                                                                     : spec.data.unit);
}

} // namespace

std::optional<ChartKind> valueChartKind(PluginView view)
{
    switch (view) {
    case PluginView::Line:
        return ChartKind::Line;
    case PluginView::Percent:
        return ChartKind::Percent;
    case PluginView::State:
        return ChartKind::StateTimeline;
    case PluginView::Messages:
        break;
    }
    return std::nullopt;
}

ChartKind metricChartKind(PluginView view, const QString &unit)
{
    if (unit == QStringLiteral("%") || (view == PluginView::Percent && unit.isEmpty()))
        return ChartKind::Percent;
    return ChartKind::Line;
}

QChart *buildChart(const ChartSpec &spec)
{
    auto *chart = new QChart;
    chart->setTitle(spec.title);
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    auto *time = new QDateTimeAxis;
    auto *values = new QValueAxis;
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(values, Qt::AlignLeft);
    if (spec.kind == ChartKind::StateTimeline)
        addTimeline(chart, spec, time, values);
    else
        addLine(chart, spec, time, values);
    setTimeSpan(chart, spec.from, spec.to);
    return chart;
}

QDateTimeAxis *timeAxis(QChart *chart)
{
    const QList<QAbstractAxis *> axes = chart->axes(Qt::Horizontal);
    return axes.isEmpty() ? nullptr : qobject_cast<QDateTimeAxis *>(axes.constFirst());
}

QValueAxis *valueAxis(QChart *chart)
{
    const QList<QAbstractAxis *> axes = chart->axes(Qt::Vertical);
    return axes.isEmpty() ? nullptr : qobject_cast<QValueAxis *>(axes.constFirst());
}

QLineSeries *averageSeries(QChart *chart)
{
    for (QAbstractSeries *series : chart->series()) {
        if (series->objectName() == QLatin1StringView(AverageSeriesName))
            return qobject_cast<QLineSeries *>(series);
    }
    return nullptr;
}

void setTimeSpan(QChart *chart, const QDateTime &from, const QDateTime &to)
{
    QDateTimeAxis *time = timeAxis(chart);
    if (!time || !from.isValid() || !to.isValid())
        return;
    const qint64 span = from.msecsTo(to);
    // Local time: what the person reading the chart lives in.
    // Seconds once ticks are less than two minutes apart (six ticks).
    time->setFormat(span <= 10 * 60'000  ? QStringLiteral("HH:mm:ss")
                    : span <= 2 * DayMs  ? QStringLiteral("HH:mm")
                    : span <= 14 * DayMs ? QStringLiteral("d MMM HH:mm")
                    : span <= 90 * DayMs ? QStringLiteral("d MMM")
                                         : QStringLiteral("MMM yyyy"));
    time->setTickCount(6);
    time->setRange(from.toLocalTime(), to.toLocalTime());
}

int nearestRun(const QList<MessageRunRow> &runs, qint64 timeMs)
{
    int best = -1;
    qint64 bestDistance = 0;
    for (int i = 0; i < runs.size(); ++i) {
        const qint64 first = runs.at(i).first.toMSecsSinceEpoch();
        const qint64 last = runs.at(i).last.toMSecsSinceEpoch();
        const qint64 distance = timeMs < first ? first - timeMs : timeMs > last ? timeMs - last : 0;
        if (best < 0 || distance < bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}

QString chartTooltip(const ChartSpec &spec, qint64 timeMs)
{
    QStringList lines;
    if (spec.kind == ChartKind::StateTimeline) {
        for (const Segment &segment : timelineSegments(spec.runs)) {
            if (timeMs >= segment.from && timeMs <= std::max(segment.to, segment.from)) {
                lines.append(stateLabel(segment.run->classification));
                lines.append(tr("%1 – %2").arg(formatTime(segment.from), formatTime(segment.to)));
                lines.append(segment.run->message);
                return lines.join(QLatin1Char('\n'));
            }
        }
        return {};
    }
    const int index = spec.data.nearestIndex(timeMs);
    if (index < 0)
        return tr("No values in this range");
    const ChartPoint &point = spec.data.points.at(index);
    lines.append(formatTime(point.timeMs));
    const QString &unit = spec.data.unit;
    if (point.count > 1 && point.min < point.max)
        lines.append(tr("min %1 · avg %2 · max %3 (%n values)", int(point.count))
                         .arg(formatValue(point.min, unit), formatValue(point.avg, unit),
                              formatValue(point.max, unit)));
    else
        lines.append(formatValue(point.avg, unit));
    const int run = nearestRun(spec.runs, point.timeMs);
    if (run >= 0) {
        const MessageRunRow &message = spec.runs.at(run);
        lines.append(tr("%1: %2").arg(stateLabel(message.classification), message.message));
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace prophasis
