#pragma once

#include <QHostAddress>

#include <optional>

#include "daemon-core/alerting/alertmodule.h"

namespace prophasis {

struct SyslogSettings
{
    int facility = 0;        // LOG_DAEMON unless configured; a syslog(3) facility value
    QString facilityName;    // as configured: "daemon", "local0", …
    QHostAddress remoteHost; // null: local syslog(3) only
    quint16 remotePort = 514;

    static std::optional<SyslogSettings> read(const Alert &alert, FieldErrors &errors);
};

// The syslog(3) severity of a state: critical → LOG_CRIT, major → LOG_ERR, minor and degraded →
// LOG_WARNING, unknown → LOG_NOTICE, ok and no data → LOG_INFO.
int syslogSeverity(State state);

// One RFC 5424 message as sent to a remote collector: "<PRI>1 TIMESTAMP HOST prophasis - - - MSG".
QByteArray syslogDatagram(int facility, int severity, const QString &text, const QDateTime &time);

// Writes the alert's summary (and causes) to the local syslog through syslog(3), with the
// configured facility and a severity from the new state; optionally also as one UDP datagram
// (RFC 5424) to a remote collector, given by IP address. syslog(3) reports nothing back: local
// delivery counts as done once handed over; a remote datagram fails only when it cannot be sent.
class SyslogModule : public AlertModule
{
public:
    QString name() const override { return QStringLiteral("syslog"); }
    FieldErrors validate(const Alert &alert) const override;
    DeliveryResult deliver(const Alert &alert, const AlertNotification &notification,
                           const DeliveryContext &context) const override;
};

} // namespace prophasis
