#include "daemon-core/alerting/alertservice.h"

#include "daemon-core/alerting/alertinglog.h"

namespace prophasis {

Q_LOGGING_CATEGORY(lcAlerting, "prophasis.core.alerting")

namespace {

QFuture<DeliveryResult> finishedWith(const DeliveryResult &result)
{
    QPromise<DeliveryResult> promise;
    promise.start();
    promise.addResult(result);
    promise.finish();
    return promise.future();
}

QString describeAlert(const QString &name, const QString &module)
{
    return QStringLiteral("alert \"%1\" (%2)").arg(name, module);
}

} // namespace

AlertService::AlertService(DeliveryOptions options, std::shared_ptr<const AlertModules> modules,
                           QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_modules(std::move(modules))
{
    // Reports come from delivery threads: handled on this object's thread, in order.
    m_queue = std::make_unique<DeliveryQueue>(m_modules, m_options, [this](const DeliveryReport &report) {
        QMetaObject::invokeMethod(
            this, [this, report] { onReport(report); }, Qt::QueuedConnection);
    });
    m_graceTimer.setSingleShot(true);
    m_graceTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_graceTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcAlerting) << "stopping: the grace period is over; cancelling deliveries in flight";
        m_queue->cancel();
    });
}

AlertService::~AlertService()
{
    // Joins the delivery threads; their last reports die with this object's posted events.
    m_queue.reset();
}

void AlertService::setConfiguration(std::shared_ptr<const Configuration> configuration)
{
    if (!configuration) {
        m_matcher.reset();
        return;
    }
    m_matcher = std::make_unique<AlertMatcher>(std::move(configuration));
}

void AlertService::onHealthChange(const AlertEvent &event)
{
    if (!m_matcher || m_stopping)
        return;
    const Configuration &config = m_matcher->configuration();
    for (const QUuid &alertId : m_matcher->match(event.change)) {
        const Alert &alert = config.alerts[alertId];
        const FieldErrors problems = m_modules->validate(alert);
        if (!problems.isEmpty()) {
            log(LogSeverity::Error, QStringLiteral("alert|invalid|") + alertId.toString(QUuid::WithoutBraces),
                {},
                QStringLiteral(
                    "%1 cannot be sent, its settings are not valid: %2. Fix the alert in the console.")
                    .arg(describeAlert(alert.name, alert.module), problems.summary()));
            continue;
        }
        DeliveryJob job;
        job.alert = alert;
        job.notification = buildNotification(alert, event, config);
        m_queue->enqueue(std::move(job));
    }
}

QFuture<DeliveryResult> AlertService::sendTest(const Alert &alert)
{
    if (m_stopping)
        return finishedWith(DeliveryResult::failure(QStringLiteral("the core is stopping")));
    const FieldErrors problems = m_modules->validate(alert);
    if (!problems.isEmpty())
        return finishedWith(DeliveryResult::failure(QStringLiteral("the alert's settings are not valid: ") +
                                                    problems.summary()));
    DeliveryJob job;
    job.alert = alert;
    job.notification = buildTestNotification(alert, QDateTime::currentDateTimeUtc());
    job.test = true;
    job.promise = std::make_shared<QPromise<DeliveryResult>>();
    job.promise->start(); // now, not when a thread takes it: result() on an unstarted future returns at once
    QFuture<DeliveryResult> future = job.promise->future();
    m_queue->enqueue(std::move(job));
    return future;
}

QFuture<DeliveryResult> AlertService::sendTest(const QUuid &alertId)
{
    if (!m_matcher || !m_matcher->configuration().alerts.contains(alertId))
        return finishedWith(DeliveryResult::failure(
            QStringLiteral("there is no alert with id %1").arg(alertId.toString(QUuid::WithoutBraces))));
    return sendTest(m_matcher->configuration().alerts[alertId]);
}

void AlertService::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    const int pending = m_queue->pending();
    if (pending > 0)
        qCInfo(lcAlerting) << "stopping:" << pending << "alert deliveries get" << m_options.stopGrace.count()
                           << "ms to finish";
    m_graceTimer.start(int(m_options.stopGrace.count()));
    m_queue->beginStop([this] {
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_graceTimer.stop();
                Q_EMIT stopped();
            },
            Qt::QueuedConnection);
    });
}

void AlertService::onReport(const DeliveryReport &report)
{
    Q_EMIT deliveryFinished(report);
    const QString what = describeAlert(report.alertName, report.module);
    const QString id = report.alertId.toString(QUuid::WithoutBraces);
    if (report.test) {
        qCInfo(lcAlerting).noquote() << "test of" << what
                                     << (report.kind == DeliveryReport::Kind::Delivered
                                             ? QStringLiteral("delivered")
                                             : QStringLiteral("failed: ") + report.error);
        return;
    }
    switch (report.kind) {
    case DeliveryReport::Kind::Delivered:
        log(LogSeverity::Info, QStringLiteral("alert|delivered|") + id, report.hostId,
            report.attempts > 1 ? QStringLiteral("%1 sent after %2 attempts: %3")
                                      .arg(what)
                                      .arg(report.attempts)
                                      .arg(report.summary)
                                : QStringLiteral("%1 sent: %2").arg(what, report.summary));
        break;
    case DeliveryReport::Kind::Failed:
        log(LogSeverity::Error, QStringLiteral("alert|failed|") + id, report.hostId,
            QStringLiteral("%1 could not be delivered (%2 attempts): %3. Not sent: %4")
                .arg(what)
                .arg(report.attempts)
                .arg(report.error, report.summary));
        break;
    case DeliveryReport::Kind::Dropped:
        log(LogSeverity::Error, QStringLiteral("alert|dropped|") + id, report.hostId,
            QStringLiteral("%1 dropped: %2. Not sent: %3").arg(what, report.error, report.summary));
        break;
    }
}

void AlertService::log(LogSeverity severity, const QString &foldKey, const QUuid &hostId,
                       const QString &message)
{
    if (severity == LogSeverity::Info)
        qCInfo(lcAlerting).noquote() << message;
    else
        qCWarning(lcAlerting).noquote() << message;
    LogEntry entry;
    entry.severity = severity;
    entry.category = QStringLiteral("alert");
    entry.foldKey = foldKey;
    entry.hostId = hostId;
    entry.message = message;
    entry.firstSeen = entry.lastSeen = QDateTime::currentDateTimeUtc();
    Q_EMIT logEntry(entry);
}

} // namespace prophasis
