#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>

namespace prophasis {

// Speaks systemd's notification protocol (sd_notify(3)) without libsystemd: one datagram per
// message to the unix socket $NOTIFY_SOCKET names (a path, or "@name" in the abstract
// namespace). Does nothing when the core was not started by systemd with Type=notify.
class SystemdNotifier : public QObject
{
    Q_OBJECT
public:
    // Says whether the core is live; when not, `reason` says why (for the log).
    using LivenessCheck = std::function<bool(QString *reason)>;

    // Takes NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment and removes
    // them, so the core's child processes (workers, alert commands) cannot speak for it.
    explicit SystemdNotifier(QObject *parent = nullptr);
    ~SystemdNotifier() override;

    // NOTIFY_SOCKET named a socket we can send to.
    bool isEnabled() const { return m_socket >= 0; }
    // WATCHDOG_USEC for this process (WATCHDOG_PID, when set, names it); zero: no watchdog.
    std::chrono::microseconds watchdogTimeout() const { return m_watchdogTimeout; }
    // How often WATCHDOG=1 goes out: half the timeout, as sd_watchdog_enabled(3) advises.
    std::chrono::milliseconds watchdogInterval() const;

    // Sends "KEY=value" lines as one datagram; false when disabled or the send failed.
    bool notify(const QByteArray &message);
    // READY=1: start-up is complete (systemd starts units that wait for this one, and the watchdog).
    void notifyReady(const QString &status);
    // STATUS=…: one line `systemctl status` shows.
    void notifyStatus(const QString &status);
    // STOPPING=1: shutting down on purpose.
    void notifyStopping(const QString &status);

    // Sends WATCHDOG=1 every watchdogInterval() while `isLive` says so; when it does not, the
    // ping is withheld (and logged once) so systemd restarts the core after WatchdogSec.
    // Nothing happens without a watchdog.
    void startWatchdog(LivenessCheck isLive);
    void stopWatchdog();
    // One round, what the timer runs: true when WATCHDOG=1 went out.
    bool watchdogTick();

private:
    QByteArray m_address; // the socket address (struct sockaddr_un), ready for sendto()
    int m_socket = -1;
    std::chrono::microseconds m_watchdogTimeout{0};
    QTimer m_watchdogTimer;
    LivenessCheck m_isLive;
    bool m_withholding = false;
    bool m_sendFailureLogged = false;
};

} // namespace prophasis
