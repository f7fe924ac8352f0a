#pragma once

#include <QFuture>
#include <QObject>
#include <QTimer>

#include <memory>

#include "daemon-core/alerting/alertevent.h"
#include "daemon-core/alerting/alertmatcher.h"
#include "daemon-core/alerting/alertmodules.h"
#include "daemon-core/alerting/deliveryoptions.h"
#include "daemon-core/alerting/deliveryqueue.h"
#include "shared/domain/logentry.h"

namespace prophasis {

// Alerting in the core (SPEC §5): matches each health change against the alerts of the current
// configuration and hands what fires to delivery threads, so nothing here blocks the engine's
// loop. Outcomes go to the system log through logEntry() (category "alert"; repeats of the same
// alert's failure share a fold key, so they fold into one entry with a count).
//
// Lives on the engine's thread; call everything from there.
class AlertService : public QObject
{
    Q_OBJECT
public:
    explicit AlertService(DeliveryOptions options = {},
                          std::shared_ptr<const AlertModules> modules = AlertModules::builtIn(),
                          QObject *parent = nullptr);
    // Cancels what is in flight and drops what waits, without logging; call stop() first for a
    // clean shutdown.
    ~AlertService() override;

    // The configuration whose alerts (with their decrypted secrets) apply from now on.
    void setConfiguration(std::shared_ptr<const Configuration> configuration);
    // One health change: every alert it fires is queued for delivery. Ignored before the first
    // configuration and once stopping.
    void onHealthChange(const prophasis::AlertEvent &event);

    // The console's Test button: one clearly marked test message through the alert's module,
    // once, without retries, ahead of waiting deliveries. The future holds success or the error
    // text (options that do not validate fail at once with their field errors). Not logged.
    QFuture<DeliveryResult> sendTest(const Alert &alert);
    // The same for a stored alert of the current configuration.
    QFuture<DeliveryResult> sendTest(const QUuid &alertId);

    // Clean shutdown: nothing new is accepted; waiting deliveries get one attempt within
    // DeliveryOptions::stopGrace, then attempts in flight are cancelled and the rest logged as
    // dropped; stopped() follows (queued, never from inside stop()).
    void stop();
    bool isStopping() const { return m_stopping; }

    // Deliveries waiting (also for a retry) or in flight.
    int pendingDeliveries() const { return m_queue->pending(); }
    const AlertModules &modules() const { return *m_modules; }

Q_SIGNALS:
    // An entry for the system log; the engine stores it (SystemLogStore::record folds repeats).
    void logEntry(const prophasis::LogEntry &entry);
    // Every delivery's final outcome, tests included (for tests and metrics).
    void deliveryFinished(const prophasis::DeliveryReport &report);
    void stopped();

private:
    void onReport(const DeliveryReport &report);
    void log(LogSeverity severity, const QString &foldKey, const QUuid &hostId, const QString &message);

    DeliveryOptions m_options;
    std::shared_ptr<const AlertModules> m_modules;
    std::unique_ptr<AlertMatcher> m_matcher;
    std::unique_ptr<DeliveryQueue> m_queue;
    QTimer m_graceTimer;
    bool m_stopping = false;
};

} // namespace prophasis
