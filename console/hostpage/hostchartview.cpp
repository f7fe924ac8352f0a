#include "console/hostpage/hostchartview.h"

#include <QDateTimeAxis>
#include <QMouseEvent>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace prophasis {

HostChartView::HostChartView(QWidget *parent)
    : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing, false); // thousands of segments: crisp and fast
    setMouseTracking(true);
    setRubberBand(QChartView::NoRubberBand);
    setMinimumHeight(180);
}

void HostChartView::setSpec(ChartSpec spec)
{
    m_spec = std::move(spec);
    QChart *old = chart();
    setChart(buildChart(m_spec)); // the view takes ownership of the new chart
    delete old;
}

void HostChartView::setTimeSpan(const QDateTime &from, const QDateTime &to)
{
    prophasis::setTimeSpan(chart(), from, to);
}

QDateTime HostChartView::spanFrom() const
{
    const QDateTimeAxis *axis = timeAxis(chart());
    return axis ? axis->min() : QDateTime();
}

QDateTime HostChartView::spanTo() const
{
    const QDateTimeAxis *axis = timeAxis(chart());
    return axis ? axis->max() : QDateTime();
}

qint64 HostChartView::timeAt(const QPointF &position) const
{
    const QPointF scenePoint = mapToScene(position.toPoint());
    return qint64(chart()->mapToValue(chart()->mapFromScene(scenePoint)).x());
}

QString HostChartView::tooltipAt(const QPoint &position) const
{
    const QPointF inChart = chart()->mapFromScene(mapToScene(position));
    if (!chart()->plotArea().contains(inChart))
        return {};
    return chartTooltip(m_spec, timeAt(position));
}

void HostChartView::reportSpan()
{
    Q_EMIT userSpanChanged(spanFrom().toUTC(), spanTo().toUTC());
}

void HostChartView::wheelEvent(QWheelEvent *event)
{
    const double notches = event->angleDelta().y() / 120.0;
    // The plain wheel scrolls the page the chart sits in; with Ctrl it zooms.
    if (!(event->modifiers() & Qt::ControlModifier) || notches == 0 || !timeAxis(chart())) {
        event->ignore();
        return;
    }
    const qint64 from = spanFrom().toMSecsSinceEpoch();
    const qint64 to = spanTo().toMSecsSinceEpoch();
    const qint64 anchor = std::clamp(timeAt(event->position()), from, to);
    const double factor = std::pow(WheelZoomFactor, -notches); // wheel away from you zooms in
    const double newSpan = std::max(double(MinimumSpanMs), double(to - from) * factor);
    const double share = to > from ? double(anchor - from) / double(to - from) : 0.5;
    const qint64 newFrom = anchor - qint64(newSpan * share);
    setTimeSpan(QDateTime::fromMSecsSinceEpoch(newFrom, Qt::UTC),
                QDateTime::fromMSecsSinceEpoch(newFrom + qint64(newSpan), Qt::UTC));
    reportSpan();
    event->accept();
}

void HostChartView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier)) {
        m_rubberBanding = true;
        setRubberBand(QChartView::HorizontalRubberBand);
        QChartView::mousePressEvent(event);
        return;
    }
    if (event->button() == Qt::LeftButton) {
        m_panning = true;
        m_lastPan = event->position();
        setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QChartView::mousePressEvent(event);
}

void HostChartView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_panning) {
        const QPointF delta = event->position() - m_lastPan;
        m_lastPan = event->position();
        chart()->scroll(-delta.x(), 0);
        event->accept();
        return;
    }
    if (!m_rubberBanding) {
        const QString text = tooltipAt(event->position().toPoint());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(event->globalPosition().toPoint(), text, this);
    }
    QChartView::mouseMoveEvent(event);
}

void HostChartView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_panning && event->button() == Qt::LeftButton) {
        m_panning = false;
        unsetCursor();
        reportSpan();
        event->accept();
        return;
    }
    if (m_rubberBanding && event->button() == Qt::LeftButton) {
        QChartView::mouseReleaseEvent(event); // zooms the chart to the band
        m_rubberBanding = false;
        setRubberBand(QChartView::NoRubberBand);
        reportSpan();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

} // namespace prophasis
