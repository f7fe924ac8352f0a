#pragma once

#include <QDateTime>
#include <QList>
#include <QWidget>

#include "console/hostpage/hostchart.h"

class QLabel;
class QTableView;
class QVBoxLayout;

namespace prophasis {

class HostChartView;
class MessageRunModel;

// One check × plugin of the host page: its latest value and message, then a chart for its value
// and one per metric, drawn the way the plugin's view says (Messages: its message table only).
// Charts are built when first needed (ensureCharts()), so a host with many series opens fast.
class SeriesSection : public QWidget
{
    Q_OBJECT
public:
    static constexpr int ChartHeight = 200;

    explicit SeriesSection(QWidget *parent = nullptr);

    // New data for the section; the charts span `from` – `to`.
    void setSeries(const ReportSeries &series, const QDateTime &from, const QDateTime &to);
    const ReportSeries &series() const { return m_series; }

    // Builds the charts (or brings them up to date) if not done yet.
    void ensureCharts();
    bool chartsBuilt() const { return m_built; }
    QList<HostChartView *> chartViews() const { return m_views; }

    // Moves every chart's time axis (the page keeping its charts together).
    void setTimeSpan(const QDateTime &from, const QDateTime &to);

Q_SIGNALS:
    void userSpanChanged(const QDateTime &from, const QDateTime &to);

private:
    QList<ChartSpec> chartSpecs() const;
    void updateHeader();

    ReportSeries m_series;
    QDateTime m_from;
    QDateTime m_to;
    bool m_built = false;
    QLabel *m_title;
    QLabel *m_latest;
    QLabel *m_placeholder;
    QVBoxLayout *m_charts;
    QTableView *m_messages = nullptr;
    MessageRunModel *m_messageModel = nullptr;
    QList<HostChartView *> m_views;
};

} // namespace prophasis
