#pragma once

#include <QList>
#include <QMainWindow>
#include <QUuid>

#include "shared/domain/state.h"

class QAction;
class QLabel;
class QStackedWidget;

namespace prophasis {

class ApiClient;
class EventStreamClient;
class HostPage;
class OverviewPage;
class ServicePage;
class TrayNotifier;

// The console's frame: the overview, host and service pages in one stack with back / forward
// history (as in a browser), the connection in the status bar, the tray icon, and what it
// remembers between runs (geometry, column widths, the last time range).
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class PageKind
    {
        Overview,
        Host,
        Service,
    };
    // One place in the history.
    struct Place
    {
        PageKind kind = PageKind::Overview;
        QUuid id;
        QString name;
        bool operator==(const Place &other) const { return kind == other.kind && id == other.id; }
    };

    static constexpr int HistoryLimit = 100;

    MainWindow(ApiClient &client, EventStreamClient &events, QWidget *parent = nullptr);
    ~MainWindow() override;

    void showOverview();
    void openHost(const QUuid &id, const QString &name);
    void openService(const QUuid &id, const QString &name);
    void back();
    void forward();
    void refreshCurrent();
    Place currentPlace() const { return m_history.value(m_position); }

    OverviewPage *overviewPage() const { return m_overview; }
    HostPage *hostPage() const { return m_hostPage; }
    ServicePage *servicePage() const { return m_servicePage; }
    TrayNotifier *trayNotifier() const { return m_tray; }

    void saveSettings() const;
    void restoreSettings();

Q_SIGNALS:
    // File → Connect to another core…: the application asks for a connection anew.
    void reconnectRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildStatusBar();
    void go(const Place &place);
    void display(const Place &place);
    void updateNavigation();
    void updateConnection();
    void editNotifications();
    void showAbout();

    ApiClient &m_client;
    EventStreamClient &m_events;
    QStackedWidget *m_stack;
    OverviewPage *m_overview;
    HostPage *m_hostPage;
    ServicePage *m_servicePage;
    TrayNotifier *m_tray;
    QList<Place> m_history;
    int m_position = -1;
    QAction *m_back = nullptr;
    QAction *m_forward = nullptr;
    QLabel *m_coreLabel = nullptr;
    QLabel *m_liveLabel = nullptr;
};

} // namespace prophasis
