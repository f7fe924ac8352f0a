#pragma once

#include <QByteArray>
#include <QTimer>
#include <QUuid>
#include <QWidget>

#include "shared/domain/state.h"

class QLabel;
class QLineEdit;
class QModelIndex;
class QSplitter;
class QTableView;

namespace prophasis {

class ApiClient;
class EventStreamClient;
class HostListModel;
class OverviewFilterModel;
class ServiceListModel;
class StateChipStrip;
struct ApiResult;

// The console's first page (SPEC §6, issue #7): counts per state, a search field, the services
// and the hosts worst first with colour and words, kept live from the event stream.
//
// Live: a health event changes its row at once; a full report refresh follows RefreshDelayMs
// after the last event of a burst (it corrects counts and series), and configuration changes or
// a reset of the stream reload too. The page does not start the event stream: whoever owns
// EventStreamClient starts it.
class OverviewPage : public QWidget
{
    Q_OBJECT
public:
    static constexpr int RefreshDelayMs = 300;

    OverviewPage(ApiClient &client, EventStreamClient &events, QWidget *parent = nullptr);
    ~OverviewPage() override;

    // Loads both reports now (a refresh asked for while one runs follows it).
    void refresh();
    // Puts the cursor in the search field. Ctrl+F is the window's (its Find action calls this): a
    // second Ctrl+F on the page would make the key ambiguous and do nothing.
    void focusSearch();
    // Column widths, sort columns and the lists' split, for QSettings.
    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

    // The most severe state of any host or service shown (NoData before the first report).
    State worstState() const { return m_worst; }
    HostListModel *hostModel() const { return m_hosts; }
    ServiceListModel *serviceModel() const { return m_services; }

Q_SIGNALS:
    void hostActivated(const QUuid &id, const QString &name);
    void serviceActivated(const QUuid &id, const QString &name);
    void worstStateChanged(State state);
    // Both reports arrived and were applied.
    void refreshed();

private:
    QTableView *makeView(OverviewFilterModel *filter, int stretchColumn);
    void scheduleRefresh();
    void reportArrived(const ApiResult &result, bool hosts);
    void healthChanged(const QJsonObject &event);
    void configurationChanged(const QJsonObject &event);
    void activated(const QModelIndex &index, bool host);
    void updateCounts();
    void updateLive(bool connected);
    void updateWorst();

    ApiClient &m_client;
    EventStreamClient &m_events;
    HostListModel *m_hosts;
    ServiceListModel *m_services;
    OverviewFilterModel *m_hostFilter;
    OverviewFilterModel *m_serviceFilter;
    StateChipStrip *m_chips;
    QLineEdit *m_search;
    QLabel *m_live;
    QLabel *m_updated;
    QLabel *m_error;
    QSplitter *m_splitter;
    QTableView *m_serviceView;
    QTableView *m_hostView;
    QTimer m_refreshTimer;
    int m_inFlight = 0;    // report requests not answered yet
    bool m_again = false;  // a refresh was asked for while one ran
    bool m_failed = false; // one of the running requests failed
    State m_worst = State::NoData;
    bool m_everLive = false; // the stream was connected once: "reconnecting" from then on
};

} // namespace prophasis
