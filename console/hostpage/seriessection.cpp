#include "console/hostpage/seriessection.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

#include "console/common/statepresentation.h"
#include "console/hostpage/hostchartview.h"
#include "console/hostpage/messagerunmodel.h"

namespace prophasis {

namespace {

QString formatLatest(const CheckResult &result)
{
    QString value;
    if (result.value)
        value = QLocale().toString(*result.value, 'g', 6);
    for (const Metric &metric : result.metrics) {
        if (!value.isEmpty())
            value += QStringLiteral(" · ");
        value += metric.name + QStringLiteral(" ") + QLocale().toString(metric.value, 'g', 6) +
                 (metric.unit.isEmpty() ? QString() : QStringLiteral(" ") + metric.unit);
    }
    return value;
}

} // namespace

SeriesSection::SeriesSection(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_latest(new QLabel(this))
    , m_placeholder(new QLabel(this))
    , m_charts(new QVBoxLayout)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 6);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::PlainText);
    m_latest->setTextFormat(Qt::PlainText);
    m_latest->setWordWrap(true);
    m_latest->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_placeholder->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_title);
    layout->addWidget(m_latest);
    layout->addWidget(m_placeholder);
    m_charts->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_charts);
}

void SeriesSection::setSeries(const ReportSeries &series, const QDateTime &from, const QDateTime &to)
{
    m_series = series;
    m_from = from;
    m_to = to;
    updateHeader();
    const QList<ChartSpec> specs = chartSpecs();
    if (m_series.view == PluginView::Messages) {
        m_placeholder->setVisible(m_series.messages.isEmpty());
        m_placeholder->setText(tr("No messages in this range."));
    } else if (specs.isEmpty()) {
        m_placeholder->setVisible(true);
        m_placeholder->setText(tr("No values in this range."));
    } else {
        m_placeholder->setVisible(!m_built);
        m_placeholder->setText(tr("Drawing the charts…"));
        // Keeps the scroll height stable until the charts are drawn.
        m_placeholder->setMinimumHeight(m_built ? 0 : int(specs.size()) * ChartHeight);
    }
    if (m_built) {
        m_built = false;
        ensureCharts();
    }
}

QList<ChartSpec> SeriesSection::chartSpecs() const
{
    QList<ChartSpec> specs;
    const std::optional<ChartKind> kind = valueChartKind(m_series.view);
    if (!kind)
        return specs;
    const bool timeline = *kind == ChartKind::StateTimeline;
    if (timeline ? !m_series.messages.isEmpty() : !m_series.value.points.isEmpty())
        specs.append(
            {*kind, timeline ? tr("State") : tr("Value"), m_series.value, m_series.messages, m_from, m_to});
    for (const ChartData &metric : m_series.metrics)
        specs.append({metricChartKind(m_series.view, metric.unit), metric.metric, metric, m_series.messages,
                      m_from, m_to});
    return specs;
}

void SeriesSection::updateHeader()
{
    m_title->setText(tr("%1 — %2").arg(m_series.displayName(), stateLabel(m_series.state)));
    m_title->setToolTip(m_series.pluginKey);
    QPalette palette = m_title->palette();
    palette.setColor(QPalette::WindowText, stateColour(m_series.state).darker(130));
    m_title->setPalette(palette);
    if (!m_series.latest) {
        m_latest->setText(tr("No result yet."));
        return;
    }
    const CheckResult &latest = *m_series.latest;
    const QString time = QLocale().toString(latest.time.toLocalTime(), QLocale::ShortFormat);
    const QString value = formatLatest(latest);
    m_latest->setText(value.isEmpty() ? tr("Latest (%1): %2").arg(time, latest.message)
                                      : tr("Latest (%1): %2 — %3").arg(time, value, latest.message));
}

void SeriesSection::ensureCharts()
{
    if (m_built)
        return;
    m_built = true;
    if (m_series.view == PluginView::Messages) {
        if (!m_messages) {
            m_messageModel = new MessageRunModel(this);
            m_messages = new QTableView(this);
            m_messages->setModel(m_messageModel);
            m_messages->setColumnHidden(MessageRunModel::SeriesColumn, true);
            m_messages->verticalHeader()->hide();
            m_messages->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
            m_messages->horizontalHeader()->setSectionResizeMode(MessageRunModel::MessageColumn,
                                                                 QHeaderView::Stretch);
            m_messages->setMinimumHeight(ChartHeight);
            m_messages->setSelectionBehavior(QAbstractItemView::SelectRows);
            m_messages->setWordWrap(false);
            m_charts->addWidget(m_messages);
            m_messages->show();
        }
        m_messageModel->setRuns(m_series.messages);
        m_messages->setVisible(!m_series.messages.isEmpty());
        return;
    }
    const QList<ChartSpec> specs = chartSpecs();
    // Views are kept and given new charts: a refresh does not rebuild the widgets.
    while (m_views.size() > specs.size())
        delete m_views.takeLast();
    while (m_views.size() < specs.size()) {
        auto *view = new HostChartView(this);
        view->setFixedHeight(ChartHeight);
        connect(view, &HostChartView::userSpanChanged, this, &SeriesSection::userSpanChanged);
        m_charts->addWidget(view);
        view->show(); // a layout shows widgets added to a visible parent only later, queued
        m_views.append(view);
    }
    for (qsizetype i = 0; i < specs.size(); ++i)
        m_views.at(i)->setSpec(specs.at(i));
    if (!specs.isEmpty()) {
        m_placeholder->setMinimumHeight(0);
        m_placeholder->setVisible(false);
    }
}

void SeriesSection::setTimeSpan(const QDateTime &from, const QDateTime &to)
{
    m_from = from;
    m_to = to;
    for (HostChartView *view : std::as_const(m_views))
        view->setTimeSpan(from, to);
}

} // namespace prophasis
