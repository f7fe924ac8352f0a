#pragma once

#include <QObject>

class QSocketNotifier;

namespace prophasis {

// Turns SIGINT, SIGTERM and SIGHUP into Qt signals on the event loop (self-pipe), so shutdown
// and reload run as ordinary code instead of inside a signal handler. One per process.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminateRequested(int signalNumber); // SIGINT or SIGTERM
    void reloadRequested();                    // SIGHUP

private:
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace prophasis
