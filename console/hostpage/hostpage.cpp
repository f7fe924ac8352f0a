#include "console/hostpage/hostpage.h"

#include <QButtonGroup>
#include <QDataStream>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIODevice>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QUrlQuery>
#include <QVBoxLayout>

#include <algorithm>

#include "console/client/apiclient.h"
#include "console/client/eventstreamclient.h"
#include "console/common/healthchangemodel.h"
#include "console/common/statepresentation.h"
#include "console/hostpage/hostchartview.h"
#include "console/hostpage/messagerunmodel.h"
#include "console/hostpage/seriessection.h"

namespace prophasis {

namespace {

constexpr quint8 StateVersion = 1;
constexpr qint64 MaxRangeMs = 366LL * 24 * 3600 * 1000; // what the API accepts
constexpr int LazyMarginPx = 400;                       // charts this close to the view are drawn too

const QList<RangePreset> &presetButtons()
{
    static const QList<RangePreset> presets{RangePreset::Hour,  RangePreset::Day,  RangePreset::Week,
                                            RangePreset::Month, RangePreset::Year, RangePreset::Custom};
    return presets;
}

QString idText(const QUuid &id)
{
    return id.toString(QUuid::WithoutBraces);
}

QTableView *makeTable(QAbstractItemModel *model, int stretchColumn, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setModel(model);
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setWordWrap(false);
    table->setAlternatingRowColors(true);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(stretchColumn, QHeaderView::Stretch);
    return table;
}

} // namespace

HostPage::HostPage(ApiClient &client, EventStreamClient &events, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_events(events)
    , m_range(presetRange(RangePreset::Day, QDateTime::currentDateTimeUtc()))
    , m_messageModel(new MessageRunModel(this))
    , m_changeModel(new HealthChangeModel(this))
{
    auto *layout = new QVBoxLayout(this);
    buildHeader(layout);
    buildRangeBar(layout);

    auto *statusRow = new QHBoxLayout;
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_retry = new QPushButton(tr("Retry"), this);
    m_retry->hide();
    connect(m_retry, &QPushButton::clicked, this, &HostPage::refresh);
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_retry);
    layout->addLayout(statusRow);

    m_tabs = new QTabWidget(this);
    m_scroll = new QScrollArea(m_tabs);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_sectionsBox = new QWidget(m_scroll);
    m_sectionsLayout = new QVBoxLayout(m_sectionsBox);
    m_noSeries = new QLabel(tr("No checks run on this host."), m_sectionsBox);
    m_noSeries->setAlignment(Qt::AlignCenter);
    m_noSeries->hide();
    m_sectionsLayout->addWidget(m_noSeries);
    m_sectionsLayout->addStretch(1);
    m_scroll->setWidget(m_sectionsBox);
    m_scroll->viewport()->installEventFilter(this);
    connect(m_scroll->verticalScrollBar(), &QScrollBar::valueChanged, this, &HostPage::buildVisibleCharts);
    m_messageTable = makeTable(m_messageModel, MessageRunModel::MessageColumn, m_tabs);
    m_changeTable = makeTable(m_changeModel, HealthChangeModel::SubjectColumn, m_tabs);
    m_tabs->addTab(m_scroll, tr("Charts"));
    m_tabs->addTab(m_messageTable, tr("Messages"));
    m_tabs->addTab(m_changeTable, tr("Health history"));
    layout->addWidget(m_tabs, 1);
    connect(m_tabs, &QTabWidget::currentChanged, this,
            [this] { QTimer::singleShot(0, this, &HostPage::buildVisibleCharts); });

    m_zoomFetch.setSingleShot(true);
    m_zoomFetch.setInterval(ZoomFetchDelayMs);
    connect(&m_zoomFetch, &QTimer::timeout, this, &HostPage::fetch);
    m_healthRefresh.setSingleShot(true);
    m_healthRefresh.setInterval(HealthRefreshDelayMs);
    connect(&m_healthRefresh, &QTimer::timeout, this, &HostPage::refresh);

    connect(&m_events, &EventStreamClient::healthChanged, this, &HostPage::healthChanged);
    connect(&m_events, &EventStreamClient::reset, this, [this] {
        if (!m_hostId.isNull())
            refresh();
    });
    connect(&m_client, &ApiClient::loggedIn, this, &HostPage::updateCheckNowAccess);
    updateRangeButtons();
    updateCheckNowAccess();
    showStatus(tr("No host chosen."), false);
}

HostPage::~HostPage() = default;

void HostPage::buildHeader(QVBoxLayout *layout)
{
    auto *row = new QHBoxLayout;
    m_name = new QLabel(this);
    QFont big = m_name->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_name->setFont(big);
    m_name->setTextFormat(Qt::PlainText);
    m_address = new QLabel(this);
    m_address->setTextFormat(Qt::PlainText);
    m_address->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state = new QLabel(this);
    m_state->setTextFormat(Qt::PlainText);
    m_newest = new QLabel(this);
    m_newest->setTextFormat(Qt::PlainText);
    m_checkNow = new QPushButton(tr("Check now"), this);
    m_checkNow->setToolTip(tr("Run every check of this host now instead of waiting for its schedule."));
    connect(m_checkNow, &QPushButton::clicked, this, &HostPage::checkNow);
    m_checkNowText = new QLabel(this);
    m_checkNowText->setTextFormat(Qt::PlainText);
    row->addWidget(m_name);
    row->addWidget(m_state);
    row->addWidget(m_address);
    row->addStretch(1);
    row->addWidget(m_newest);
    row->addWidget(m_checkNowText);
    row->addWidget(m_checkNow);
    layout->addLayout(row);
}

void HostPage::buildRangeBar(QVBoxLayout *layout)
{
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Range:"), this));
    m_presets = new QButtonGroup(this);
    m_presets->setExclusive(true);
    for (const RangePreset preset : presetButtons()) {
        auto *button = new QToolButton(this);
        button->setText(presetLabel(preset));
        button->setCheckable(true);
        button->setAutoRaise(true);
        m_presets->addButton(button, int(preset));
        row->addWidget(button);
    }
    m_presets->button(int(RangePreset::Custom))->setToolTip(tr("Choose the start and end of the range."));
    connect(m_presets, &QButtonGroup::idClicked, this, [this](int id) {
        const auto preset = RangePreset(id);
        if (preset == RangePreset::Custom) {
            // The fields start from what is shown; "Show" applies them.
            m_customFrom->setDateTime(visibleRange().from.toLocalTime());
            m_customTo->setDateTime(visibleRange().to.toLocalTime());
            m_customBox->show();
            return;
        }
        setRange(preset);
    });

    m_customBox = new QWidget(this);
    auto *custom = new QHBoxLayout(m_customBox);
    custom->setContentsMargins(0, 0, 0, 0);
    m_customFrom = new QDateTimeEdit(m_customBox);
    m_customTo = new QDateTimeEdit(m_customBox);
    for (QDateTimeEdit *edit : {m_customFrom, m_customTo}) {
        edit->setCalendarPopup(true);
        edit->setTimeSpec(Qt::LocalTime);
        edit->setDisplayFormat(QLocale().dateTimeFormat(QLocale::ShortFormat));
    }
    auto *apply = new QPushButton(tr("Show"), m_customBox);
    connect(apply, &QPushButton::clicked, this,
            [this] { setCustomRange(m_customFrom->dateTime().toUTC(), m_customTo->dateTime().toUTC()); });
    custom->addWidget(new QLabel(tr("from"), m_customBox));
    custom->addWidget(m_customFrom);
    custom->addWidget(new QLabel(tr("to"), m_customBox));
    custom->addWidget(m_customTo);
    custom->addWidget(apply);
    m_customBox->hide();
    row->addWidget(m_customBox);
    row->addStretch(1);

    auto *hint = new QLabel(tr("Ctrl+wheel: zoom · drag: pan · Shift+drag: zoom to a span"), this);
    hint->setEnabled(false);
    row->addWidget(hint);
    m_resetZoom = new QPushButton(tr("Reset zoom"), this);
    m_resetZoom->setEnabled(false);
    connect(m_resetZoom, &QPushButton::clicked, this, &HostPage::resetZoom);
    row->addWidget(m_resetZoom);
    layout->addLayout(row);
}

QDateTime HostPage::now() const
{
    return QDateTime::currentDateTimeUtc();
}

void HostPage::showHost(const QUuid &id, const QString &name)
{
    const bool otherHost = id != m_hostId;
    m_hostId = id;
    m_hostName = name;
    if (otherHost) {
        m_report.reset();
        m_zoom.reset();
        qDeleteAll(m_sections);
        m_sections.clear();
        m_messageModel->setRuns({});
        m_changeModel->setChanges({});
        m_checkNowText->clear();
    }
    updateHeader();
    updateCheckNowAccess();
    refresh();
}

void HostPage::setRange(RangePreset preset)
{
    if (preset == RangePreset::Custom) {
        setCustomRange(m_range.from, m_range.to);
        return;
    }
    m_customBox->hide();
    m_range = presetRange(preset, now());
    m_zoom.reset();
    updateRangeButtons();
    if (!m_hostId.isNull())
        fetch();
}

void HostPage::setCustomRange(const QDateTime &from, const QDateTime &to)
{
    if (!from.isValid() || !to.isValid() || from >= to) {
        showStatus(tr("The range must start before it ends."), true);
        return;
    }
    if (from.msecsTo(to) > MaxRangeMs) {
        showStatus(tr("The range can be at most 366 days long."), true);
        return;
    }
    m_range = {RangePreset::Custom, from.toUTC(), to.toUTC()};
    m_zoom.reset();
    updateRangeButtons();
    if (!m_hostId.isNull())
        fetch();
}

void HostPage::setZoom(const QDateTime &from, const QDateTime &to)
{
    spanChangedByUser(from, to);
}

void HostPage::resetZoom()
{
    if (!m_zoom)
        return;
    m_zoom.reset();
    m_zoomFetch.stop();
    updateRangeButtons();
    for (SeriesSection *section : std::as_const(m_sections))
        section->setTimeSpan(m_range.from, m_range.to);
    fetch();
}

void HostPage::refresh()
{
    if (m_hostId.isNull())
        return;
    // A preset is "the last …": it moves up to now; a zoom into it stays where the user put it.
    if (m_range.preset != RangePreset::Custom)
        m_range = presetRange(m_range.preset, now());
    fetch();
}

void HostPage::fetch()
{
    if (m_hostId.isNull())
        return;
    m_zoomFetch.stop();
    const TimeRange range = visibleRange();
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("from"), QString::number(range.from.toMSecsSinceEpoch()));
    query.addQueryItem(QStringLiteral("to"), QString::number(range.to.toMSecsSinceEpoch()));
    query.addQueryItem(QStringLiteral("points"), QString::number(ChartPoints));
    const quint64 serial = ++m_fetchSerial;
    m_loading = true;
    showStatus(m_report ? tr("Updating…") : tr("Loading %1…").arg(m_hostName), false);
    m_client.get(QStringLiteral("/api/v1/reports/hosts/") + idText(m_hostId), query, this,
                 [this, serial, id = m_hostId](const ApiResult &result) {
                     if (serial != m_fetchSerial || id != m_hostId)
                         return; // a newer fetch is under way
                     m_loading = false;
                     QString error = result.errorText;
                     std::optional<HostReport> report;
                     if (result.ok())
                         report = parseHostReport(result.object(), &error);
                     if (!report) {
                         if (result.status == 404)
                             error = tr("This host no longer exists on the core.");
                         m_errorText = error.isEmpty() ? tr("The core's answer could not be read.") : error;
                         showStatus(tr("Could not load the host: %1").arg(m_errorText), true);
                         Q_EMIT loadFailed(m_errorText);
                         return;
                     }
                     applyReport(std::move(*report));
                 });
}

void HostPage::applyReport(HostReport report)
{
    m_errorText.clear();
    m_hostName = report.name;
    m_report = std::move(report);
    const HostReport &shown = *m_report;
    const TimeRange span = visibleRange();

    bool sameSeries = m_sections.size() == shown.series.size();
    for (qsizetype i = 0; sameSeries && i < m_sections.size(); ++i)
        sameSeries = m_sections.at(i)->series().checkId == shown.series.at(i).checkId &&
                     m_sections.at(i)->series().pluginId == shown.series.at(i).pluginId;
    if (!sameSeries) {
        qDeleteAll(m_sections);
        m_sections.clear();
        for (qsizetype i = 0; i < shown.series.size(); ++i) {
            auto *section = new SeriesSection(m_sectionsBox);
            connect(section, &SeriesSection::userSpanChanged, this, &HostPage::spanChangedByUser);
            m_sectionsLayout->insertWidget(int(i) + 1, section); // after the "no checks" label
            m_sections.append(section);
        }
    }
    for (qsizetype i = 0; i < shown.series.size(); ++i)
        m_sections.at(i)->setSeries(shown.series.at(i), span.from, span.to);
    m_noSeries->setVisible(shown.series.isEmpty());

    QList<MessageRunRow> runs;
    for (const ReportSeries &series : shown.series)
        runs.append(series.messages);
    std::stable_sort(runs.begin(), runs.end(),
                     [](const MessageRunRow &a, const MessageRunRow &b) { return a.last > b.last; });
    m_messageModel->setRuns(runs);
    m_changeModel->setChanges(shown.changes, {{shown.id, shown.name}});
    m_tabs->setTabText(1, tr("Messages (%1)").arg(runs.size()));
    m_tabs->setTabText(2, tr("Health history (%1)").arg(shown.changes.size()));

    updateHeader();
    showStatus({}, false);
    QTimer::singleShot(0, this, &HostPage::buildVisibleCharts); // once the layout placed the sections
    Q_EMIT reportLoaded();
}

void HostPage::showStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
    m_status->setStyleSheet(
        error ? QStringLiteral("QLabel { color: %1; }").arg(stateColour(State::Critical).name()) : QString());
    m_retry->setVisible(error && !m_hostId.isNull());
}

void HostPage::updateHeader()
{
    m_name->setText(m_hostName);
    if (!m_report) {
        m_address->clear();
        m_state->hide();
        m_newest->clear();
        return;
    }
    const HostReport &report = *m_report;
    m_address->setText(report.address);
    m_address->setToolTip(report.description);
    m_state->setText(report.enabled ? stateLabel(report.state)
                                    : tr("%1 (disabled)").arg(stateLabel(report.state)));
    m_state->setStyleSheet(QStringLiteral("QLabel { background: %1; color: %2; padding: 2px 8px; }")
                               .arg(stateColour(report.state).name(), stateTextColour(report.state).name()));
    m_state->show();
    m_newest->setText(
        report.newestResult.isValid()
            ? tr("Newest result: %1")
                  .arg(QLocale().toString(report.newestResult.toLocalTime(), QLocale::ShortFormat))
            : tr("No result yet"));
}

void HostPage::updateRangeButtons()
{
    if (QAbstractButton *button = m_presets->button(int(m_range.preset)))
        button->setChecked(true);
    m_customBox->setVisible(m_range.preset == RangePreset::Custom);
    if (m_range.preset == RangePreset::Custom) {
        m_customFrom->setDateTime(m_range.from.toLocalTime());
        m_customTo->setDateTime(m_range.to.toLocalTime());
    }
    m_resetZoom->setEnabled(m_zoom.has_value());
}

void HostPage::updateCheckNowAccess()
{
    const bool viewer = m_client.role() == QStringLiteral("viewer");
    m_checkNow->setEnabled(!viewer && !m_hostId.isNull());
    m_checkNow->setToolTip(viewer
                               ? tr("Viewers cannot start checks; an operator or admin can.")
                               : tr("Run every check of this host now instead of waiting for its schedule."));
}

void HostPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    QTimer::singleShot(0, this, &HostPage::buildVisibleCharts);
}

bool HostPage::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_scroll->viewport() && event->type() == QEvent::Resize)
        QTimer::singleShot(0, this, &HostPage::buildVisibleCharts);
    return QWidget::eventFilter(watched, event);
}

void HostPage::buildVisibleCharts()
{
    if (!m_scroll->isVisible())
        return;
    const int top = m_scroll->verticalScrollBar()->value() - LazyMarginPx;
    const int bottom = m_scroll->verticalScrollBar()->value() + m_scroll->viewport()->height() + LazyMarginPx;
    for (SeriesSection *section : std::as_const(m_sections)) {
        const QRect area = section->geometry();
        if (area.bottom() >= top && area.top() <= bottom)
            section->ensureCharts();
    }
}

void HostPage::buildAllCharts()
{
    for (SeriesSection *section : std::as_const(m_sections))
        section->ensureCharts();
}

void HostPage::spanChangedByUser(const QDateTime &from, const QDateTime &to)
{
    qint64 fromMs = from.toMSecsSinceEpoch();
    qint64 toMs = to.toMSecsSinceEpoch();
    const qint64 span = std::clamp(toMs - fromMs, HostChartView::MinimumSpanMs, MaxRangeMs);
    toMs = fromMs + span;
    m_zoom = TimeRange{m_range.preset, QDateTime::fromMSecsSinceEpoch(fromMs, Qt::UTC),
                       QDateTime::fromMSecsSinceEpoch(toMs, Qt::UTC)};
    for (SeriesSection *section : std::as_const(m_sections))
        section->setTimeSpan(m_zoom->from, m_zoom->to);
    updateRangeButtons();
    m_zoomFetch.start(); // restarted by every wheel step: one fetch when the zoom settles
}

void HostPage::checkNow()
{
    if (m_hostId.isNull())
        return;
    m_checkNow->setEnabled(false);
    m_checkNowText->setText(tr("Starting checks…"));
    m_client.post(QStringLiteral("/api/v1/hosts/") + idText(m_hostId) + QStringLiteral("/check-now"),
                  QJsonObject{}, this, [this, id = m_hostId](const ApiResult &result) {
                      if (id != m_hostId)
                          return;
                      updateCheckNowAccess();
                      QString text;
                      if (result.ok()) {
                          const int matched = result.object().value(QStringLiteral("matched")).toInt();
                          const int queued = result.object().value(QStringLiteral("queued")).toInt();
                          text = queued == matched
                                     ? tr("%n check(s) started; results appear when they finish.", nullptr,
                                          queued)
                                     : tr("%1 of %2 checks started; the others were already running.")
                                           .arg(queued)
                                           .arg(matched);
                      } else {
                          text = tr("Check now failed: %1").arg(result.errorText);
                      }
                      m_checkNowText->setText(text);
                      Q_EMIT checkNowFinished(result.ok(), text);
                  });
}

void HostPage::healthChanged(const QJsonObject &event)
{
    if (m_hostId.isNull() || event.value(QStringLiteral("subject")).toString() != QStringLiteral("host") ||
        QUuid::fromString(event.value(QStringLiteral("id")).toString()) != m_hostId)
        return;
    // Not restarted by later events: a host flapping every second still refreshes once a second.
    if (!m_healthRefresh.isActive())
        m_healthRefresh.start();
}

QByteArray HostPage::saveState() const
{
    QByteArray state;
    QDataStream stream(&state, QIODevice::WriteOnly);
    stream << StateVersion << qint32(m_range.preset);
    return state;
}

bool HostPage::restoreState(const QByteArray &state)
{
    QDataStream stream(state);
    quint8 version = 0;
    qint32 preset = -1;
    stream >> version >> preset;
    if (stream.status() != QDataStream::Ok || version != StateVersion || preset < 0 ||
        preset > qint32(RangePreset::Custom))
        return false;
    // A custom range is about a moment that has passed: the page opens on the last day instead.
    setRange(RangePreset(preset) == RangePreset::Custom ? RangePreset::Day : RangePreset(preset));
    return true;
}

} // namespace prophasis
