#include "daemon-core/statuspage/statuschart.h"

#include <algorithm>
#include <cmath>

#include "daemon-core/statuspage/statushtml.h"

namespace prophasis {

namespace {

// The drawing's own coordinates; the browser stretches them to the card's width.
constexpr double Width = 300;
constexpr double Height = 60;
constexpr double Margin = 3; // keeps the extremes' strokes inside the box

QString coordinate(double x, double y)
{
    return QString::number(x, 'f', 1) + u',' + QString::number(y, 'f', 1);
}

} // namespace

QString renderChart(const QList<RangePoint> &points, const QDateTime &from, const QDateTime &to)
{
    if (points.isEmpty() || !from.isValid() || !to.isValid() || from >= to)
        return QStringLiteral("<p class=\"meta\">No values in this period.</p>");

    double low = points.first().min;
    double high = points.first().max;
    for (const RangePoint &point : points) {
        low = std::min({low, point.min, point.average});
        high = std::max({high, point.max, point.average});
    }
    // A flat series is drawn across the middle rather than dividing by zero.
    const double span = high - low;
    const qint64 start = from.toMSecsSinceEpoch();
    const double duration = double(to.toMSecsSinceEpoch() - start);
    const auto x = [&](const QDateTime &time) {
        const double fraction = std::clamp(double(time.toMSecsSinceEpoch() - start) / duration, 0.0, 1.0);
        return Margin + fraction * (Width - 2 * Margin);
    };
    const auto y = [&](double value) {
        const double fraction = span > 0 ? (value - low) / span : 0.5;
        return Height - Margin - fraction * (Height - 2 * Margin);
    };

    QString band;
    QString line;
    for (const RangePoint &point : points) {
        line += coordinate(x(point.time), y(point.average)) + u' ';
        band += coordinate(x(point.time), y(point.max)) + u' ';
    }
    for (auto it = points.crbegin(); it != points.crend(); ++it)
        band += coordinate(x(it->time), y(it->min)) + u' ';
    // One point makes no line: a short dash shows where and how high it was.
    if (points.size() == 1) {
        const double px = x(points.first().time);
        line = coordinate(std::max(Margin, px - 3), y(points.first().average)) + u' ' +
               coordinate(std::min(Width - Margin, px + 3), y(points.first().average));
    }

    const QString label = QStringLiteral("Values from %1 to %2").arg(valueText(low), valueText(high));
    return QStringLiteral(
               "<svg class=\"chart\" viewBox=\"0 0 %1 %2\" preserveAspectRatio=\"none\" role=\"img\" "
               "aria-label=\"%3\"><polygon class=\"band\" points=\"%4\"/>"
               "<polyline class=\"line\" points=\"%5\" vector-effect=\"non-scaling-stroke\"/></svg>"
               "<div class=\"range\"><span>min %6</span><span>max %7</span></div>")
        .arg(Width)
        .arg(Height)
        .arg(htmlEscape(label), band.trimmed(), line.trimmed(), valueText(low), valueText(high));
}

} // namespace prophasis
