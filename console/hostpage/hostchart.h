#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include "console/hostpage/hostreport.h"

class QChart;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace prophasis {

// How one chart is drawn, from the plugin's view (PluginView) and the chart's data.
enum class ChartKind
{
    Line,          // the average as a line over a min–max band
    Percent,       // as Line, on a fixed 0–100 axis
    StateTimeline, // coloured segments by classification, from the message runs
};

// Everything one chart shows; kept by its view for tooltips.
struct ChartSpec
{
    ChartKind kind = ChartKind::Line;
    QString title;
    ChartData data;
    QList<MessageRunRow> runs; // newest first: the messages tooltips name, the timeline's segments
    QDateTime from;            // the time axis' span
    QDateTime to;
};

// The kind a plugin's value is drawn with (Messages has no chart: nullopt), and a metric's.
std::optional<ChartKind> valueChartKind(PluginView view);
ChartKind metricChartKind(PluginView view, const QString &unit);

// Object names of the parts, so tests and the view find them.
inline constexpr char AverageSeriesName[] = "average";
inline constexpr char BandSeriesName[] = "band";
inline constexpr char TimelineSeriesName[] = "timeline";

// A new chart with its series and axes (time axis in local time spanning spec.from – spec.to,
// the unit on the value axis). The caller owns it.
QChart *buildChart(const ChartSpec &spec);

// The chart's parts (null when it has none).
QDateTimeAxis *timeAxis(QChart *chart);
QValueAxis *valueAxis(QChart *chart);
QLineSeries *averageSeries(QChart *chart);

// Sets the time axis' span, with a label format that suits it.
void setTimeSpan(QChart *chart, const QDateTime &from, const QDateTime &to);

// The hover text at a time: the nearest point's time and min/avg/max (or the state segment
// there), and the message of the run nearest to it.
QString chartTooltip(const ChartSpec &spec, qint64 timeMs);

// The run whose time covers or is nearest to `timeMs`; -1 when there are none.
int nearestRun(const QList<MessageRunRow> &runs, qint64 timeMs);

} // namespace prophasis
