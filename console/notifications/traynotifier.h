#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QUuid>

#include "console/notifications/notificationburst.h"
#include "console/notifications/notificationpolicy.h"

class QSystemTrayIcon;

namespace prophasis {

class EventStreamClient;

// The console's tray icon (issue #7): shows the worst current state, and pops up the health
// changes the policy lets through (a burst folded into one message). Clicking a message asks to
// open that host or service. Where the desktop has no tray it does nothing and says so once in
// the log.
class TrayNotifier : public QObject
{
    Q_OBJECT
public:
    static constexpr int MessageShownMs = 10'000;

    explicit TrayNotifier(EventStreamClient &events, QObject *parent = nullptr);
    ~TrayNotifier() override;

    // False when the desktop has no system tray: then nothing is shown.
    bool isAvailable() const { return m_icon != nullptr; }
    // The icon itself, for a context menu (null without a tray).
    QSystemTrayIcon *trayIcon() const { return m_icon; }

    const NotificationPolicy &policy() const { return m_policy; }
    void setPolicy(const NotificationPolicy &policy) { m_policy = policy; }

    // The icon and its tooltip follow the worst state shown (OverviewPage::worstStateChanged).
    void setWorstState(State state);
    State worstState() const { return m_worst; }

    // A health event's data; the event stream's healthChanged is connected to it.
    void notifyHealthChange(const QJsonObject &data);

Q_SIGNALS:
    // A message was clicked: open this host or service ("host" / "service").
    void openRequested(const QString &subject, const QUuid &id);
    // The icon itself was clicked: show the console.
    void showRequested();

private:
    void showDue();

    NotificationPolicy m_policy;
    NotificationBurst m_burst;
    QSystemTrayIcon *m_icon = nullptr;
    QElapsedTimer m_clock;
    QTimer m_flush;
    State m_worst = State::NoData;
    QString m_shownSubject; // what the message on screen opens
    QUuid m_shownId;
};

} // namespace prophasis
