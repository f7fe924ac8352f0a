#pragma once

#include <QChartView>
#include <QDateTime>

#include "console/hostpage/hostchart.h"

namespace prophasis {

// One chart of the host page with its interaction: Ctrl + the mouse wheel zooms the time axis
// around the pointer (the plain wheel scrolls the page of charts), a drag pans, a Shift-drag selects a span
// to zoom to (rubber band), hovering shows the value, time and message there. The y axis stays put; every
// time span the user picks is reported by userSpanChanged() so the page can move its other charts along and
// fetch finer data.
class HostChartView : public QChartView
{
    Q_OBJECT
public:
    static constexpr double WheelZoomFactor = 1.25; // per wheel notch
    static constexpr qint64 MinimumSpanMs = 60'000; // zooming stops at a minute

    explicit HostChartView(QWidget *parent = nullptr);

    // Draws `spec` (replacing what was shown); the time axis spans spec.from – spec.to.
    void setSpec(ChartSpec spec);
    const ChartSpec &spec() const { return m_spec; }

    // Moves the time axis without reporting it (the page syncing its charts).
    void setTimeSpan(const QDateTime &from, const QDateTime &to);
    QDateTime spanFrom() const;
    QDateTime spanTo() const;

    // The hover text at a point of the widget (empty outside the plot area).
    QString tooltipAt(const QPoint &position) const;

Q_SIGNALS:
    void userSpanChanged(const QDateTime &from, const QDateTime &to);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    qint64 timeAt(const QPointF &position) const;
    void reportSpan();

    ChartSpec m_spec;
    bool m_panning = false;
    bool m_rubberBanding = false;
    QPointF m_lastPan;
};

} // namespace prophasis
