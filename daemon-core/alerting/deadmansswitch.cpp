#include "daemon-core/alerting/deadmansswitch.h"

#include <QHostInfo>
#include <QJsonDocument>
#include <QUrl>

#include "daemon-core/alerting/alertinglog.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

FieldErrors readDeadMansSwitchConfig(const QJsonObject &json, DeadMansSwitchConfig &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors, QStringLiteral("dead_mans_switch."));
    out.url = reader.string(QStringLiteral("url"), out.url).trimmed();
    if (!out.url.isEmpty()) {
        const QUrl url(out.url, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"https" && url.scheme() != u"http") || url.host().isEmpty())
            errors.add(reader.field(QStringLiteral("url")),
                       QStringLiteral("must be an http:// or https:// URL"));
    }
    const QString method = reader.string(QStringLiteral("method"), QString::fromLatin1(out.method)).toUpper();
    if (method == u"POST" || method == u"GET")
        out.method = method.toLatin1();
    else
        errors.add(reader.field(QStringLiteral("method")), QStringLiteral("must be POST or GET"));
    out.interval = std::chrono::seconds(reader.integer(QStringLiteral("interval_s"), out.interval.count(),
                                                       MinDeadMansSwitchInterval.count(),
                                                       MaxDeadMansSwitchInterval.count()));
    out.timeout =
        std::chrono::seconds(reader.integer(QStringLiteral("timeout_s"), out.timeout.count(), 1, 120));
    out.caFile = reader.string(QStringLiteral("ca_file"), out.caFile);
    return errors;
}

DeadMansSwitch::DeadMansSwitch(DeadMansSwitchConfig config, std::function<bool()> healthy, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_healthy(std::move(healthy))
{
    m_pool.setMaxThreadCount(1);
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(std::chrono::milliseconds(m_config.interval));
    connect(&m_timer, &QTimer::timeout, this, &DeadMansSwitch::pingNow);
}

DeadMansSwitch::~DeadMansSwitch()
{
    m_cancel = true;
    m_pool.waitForDone();
}

void DeadMansSwitch::start()
{
    if (!m_config.enabled() || m_timer.isActive())
        return;
    m_timer.start();
    pingNow();
}

void DeadMansSwitch::stop()
{
    m_timer.stop();
}

QJsonObject DeadMansSwitch::pingBody(const QDateTime &now)
{
    return {
        {QStringLiteral("service"), QStringLiteral("prophasis-core")},
        {QStringLiteral("status"), QStringLiteral("ok")},
        {QStringLiteral("time"), toJsonTime(now)},
        {QStringLiteral("host"), QHostInfo::localHostName()},
        {QStringLiteral("version"), QStringLiteral(PROPHASIS_VERSION)},
    };
}

void DeadMansSwitch::pingNow()
{
    if (!m_config.enabled())
        return;
    if (m_inFlight) {
        qCInfo(lcAlerting) << "dead man's switch: the previous ping is still in flight; skipping this one";
        return;
    }
    if (m_healthy && !m_healthy()) {
        qCWarning(lcAlerting) << "dead man's switch: the core is not healthy; not pinging";
        Q_EMIT skipped();
        return;
    }
    HttpCall call;
    call.method = m_config.method;
    call.url = m_config.url;
    call.timeout = m_config.timeout;
    call.caFile = m_config.caFile;
    if (call.method == "POST")
        call.body = QJsonDocument(pingBody(QDateTime::currentDateTimeUtc())).toJson(QJsonDocument::Compact);
    m_inFlight = true;
    m_pool.start([this, call] {
        const HttpCallResult result = performHttpCall(call, DeliveryContext{&m_cancel});
        QMetaObject::invokeMethod(
            this, [this, result] { onPingDone(result); }, Qt::QueuedConnection);
    });
}

void DeadMansSwitch::onPingDone(const HttpCallResult &result)
{
    m_inFlight = false;
    LogEntry entry;
    entry.category = QStringLiteral("core"); // the health of the core itself
    entry.firstSeen = entry.lastSeen = QDateTime::currentDateTimeUtc();
    if (!result.ok()) {
        qCWarning(lcAlerting).noquote() << "dead man's switch: ping failed:" << result.error;
        m_failing = true;
        entry.severity = LogSeverity::Error;
        entry.foldKey = QStringLiteral("deadmansswitch|failed");
        entry.message =
            QStringLiteral("the dead man's switch could not be pinged: %1. Whoever watches it will "
                           "think the core is down.")
                .arg(result.error);
        Q_EMIT logEntry(entry);
    } else if (std::exchange(m_failing, false)) {
        entry.severity = LogSeverity::Info;
        entry.foldKey = QStringLiteral("deadmansswitch|recovered");
        entry.message =
            QStringLiteral("the dead man's switch at %1 is reached again").arg(redactedUrl(m_config.url));
        Q_EMIT logEntry(entry);
    }
    Q_EMIT pinged(result.ok(), result.error);
}

} // namespace prophasis
