#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QTimer>
#include <QUuid>
#include <QWidget>

#include <optional>

#include "console/hostpage/hostreport.h"
#include "console/hostpage/timerange.h"

class QAbstractButton;
class QButtonGroup;
class QDateTimeEdit;
class QLabel;
class QPushButton;
class QScrollArea;
class QTabWidget;
class QTableView;
class QVBoxLayout;
class QWidget;

namespace prophasis {

class ApiClient;
class EventStreamClient;
class HealthChangeModel;
class HostChartView;
class MessageRunModel;
class SeriesSection;

// A host's page: its header (name, address, state, newest result), a section per check × plugin
// with its latest value and charts over a time range (presets or custom; zoom and pan fetch the
// zoomed span again with finer points), its message history and its health history, and
// "Check now". Speaks only GET /api/v1/reports/hosts/{id} and POST /api/v1/hosts/{id}/check-now;
// refreshes when the event stream reports a health change of the host.
class HostPage : public QWidget
{
    Q_OBJECT
public:
    static constexpr int ChartPoints = 400;           // points asked per chart: about a chart's width
    static constexpr int ZoomFetchDelayMs = 350;      // a zoom settles before its data is fetched
    static constexpr int HealthRefreshDelayMs = 1000; // health events within this make one refresh

    HostPage(ApiClient &client, EventStreamClient &events, QWidget *parent = nullptr);
    ~HostPage() override;

    // Shows the host (its name at once; the rest when the report arrives) over the current range.
    void showHost(const QUuid &id, const QString &name);
    QUuid hostId() const { return m_hostId; }

    // The range the page shows (a preset's ends at the time it was last fetched), zoom aside.
    TimeRange currentRange() const { return m_range; }
    void setRange(RangePreset preset); // Custom keeps the current from/to
    void setCustomRange(const QDateTime &from, const QDateTime &to);
    // The span the charts show now: the zoomed span, or currentRange()'s.
    TimeRange visibleRange() const { return m_zoom.value_or(m_range); }
    bool isZoomed() const { return m_zoom.has_value(); }
    void setZoom(const QDateTime &from, const QDateTime &to); // as a zoom in a chart does
    void resetZoom();

    // Fetches the report again (the same range; a preset's moved up to now).
    void refresh();

    // The last range preset, for the main window's settings.
    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

    // What the page shows: the last report (nullopt before the first arrived), and whether a
    // fetch is under way or failed (the text shown).
    const std::optional<HostReport> &report() const { return m_report; }
    bool isLoading() const { return m_loading; }
    QString errorText() const { return m_errorText; }

    // Builds every section's charts now (they are otherwise built as they scroll into view): for
    // screenshots and tests.
    void buildAllCharts();
    QList<SeriesSection *> sections() const { return m_sections; }
    QPushButton *checkNowButton() const { return m_checkNow; }

Q_SIGNALS:
    void reportLoaded();
    void loadFailed(const QString &errorText);
    // The answer to "Check now", in words (also shown beside the button).
    void checkNowFinished(bool ok, const QString &text);

private:
    void buildHeader(QVBoxLayout *layout);
    void buildRangeBar(QVBoxLayout *layout);
    void fetch();
    void applyReport(HostReport report);
    void showStatus(const QString &text, bool error);
    void updateHeader();
    void updateRangeButtons();
    void updateCheckNowAccess();
    void buildVisibleCharts();
    void spanChangedByUser(const QDateTime &from, const QDateTime &to);
    void checkNow();
    void healthChanged(const QJsonObject &event);
    QDateTime now() const;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;

    ApiClient &m_client;
    EventStreamClient &m_events;
    QUuid m_hostId;
    QString m_hostName;
    TimeRange m_range;
    std::optional<TimeRange> m_zoom;
    std::optional<HostReport> m_report;
    bool m_loading = false;
    QString m_errorText;
    quint64 m_fetchSerial = 0; // answers to older fetches are dropped
    QTimer m_zoomFetch;
    QTimer m_healthRefresh;

    QLabel *m_name;
    QLabel *m_address;
    QLabel *m_state;
    QLabel *m_newest;
    QPushButton *m_checkNow;
    QLabel *m_checkNowText;
    QButtonGroup *m_presets;
    QWidget *m_customBox;
    QDateTimeEdit *m_customFrom;
    QDateTimeEdit *m_customTo;
    QPushButton *m_resetZoom;
    QLabel *m_status;
    QPushButton *m_retry;
    QTabWidget *m_tabs;
    QScrollArea *m_scroll;
    QWidget *m_sectionsBox;
    QVBoxLayout *m_sectionsLayout;
    QLabel *m_noSeries;
    QList<SeriesSection *> m_sections;
    MessageRunModel *m_messageModel;
    QTableView *m_messageTable;
    HealthChangeModel *m_changeModel;
    QTableView *m_changeTable;
};

} // namespace prophasis
