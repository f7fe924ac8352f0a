#include "daemon-core/alerting/syslogmodule.h"

#include <QHostInfo>
#include <QUdpSocket>

#include <array>
#include <utility>

#include <syslog.h>

#include "daemon-core/alerting/moduleoptions.h"

namespace prophasis {

namespace {

constexpr qsizetype MaxSyslogCharacters = 1800;

constexpr std::array<std::pair<const char *, int>, 12> Facilities = {{
    {"user", LOG_USER},
    {"daemon", LOG_DAEMON},
    {"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1},
    {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3},
    {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6},
    {"local7", LOG_LOCAL7},
    {"auth", LOG_AUTH},
    {"mail", LOG_MAIL},
}};

QString facilityList()
{
    QStringList names;
    for (const auto &[name, value] : Facilities)
        names.append(QString::fromLatin1(name));
    return names.join(QStringLiteral(", "));
}

// "192.0.2.7", "192.0.2.7:1514", "::1", "[::1]:1514".
bool parseRemote(const QString &text, QHostAddress *host, quint16 *port)
{
    QString address = text.trimmed();
    QString portText;
    if (address.startsWith(u'[')) {
        const qsizetype close = address.indexOf(u']');
        if (close < 0)
            return false;
        portText = address.mid(close + 1);
        if (!portText.isEmpty() && !portText.startsWith(u':'))
            return false;
        portText = portText.mid(1);
        address = address.mid(1, close - 1);
    } else if (address.count(u':') == 1) {
        portText = address.section(u':', 1);
        address = address.section(u':', 0, 0);
    }
    if (!host->setAddress(address))
        return false;
    if (portText.isEmpty())
        return true;
    bool ok = false;
    const uint value = portText.toUInt(&ok);
    if (!ok || value == 0 || value > 65535)
        return false;
    *port = quint16(value);
    return true;
}

QString messageText(const AlertNotification &notification)
{
    QString text = QStringLiteral("alert \"%1\": %2").arg(notification.alertName, notification.summary());
    if (notification.isTest())
        return text + QStringLiteral(" (a test from the console; nothing changed)");
    QStringList causes;
    for (const AlertCause &cause : notification.causes)
        causes.append(AlertNotification::causeLine(cause));
    if (!causes.isEmpty())
        text += QStringLiteral("; why: ") + causes.join(QStringLiteral("; "));
    // One line (collectors split on newlines), and short enough for one UDP datagram.
    text = text.simplified();
    return text.size() <= MaxSyslogCharacters ? text : text.left(MaxSyslogCharacters - 1) + u'…';
}

} // namespace

std::optional<SyslogSettings> SyslogSettings::read(const Alert &alert, FieldErrors &errors)
{
    const qsizetype before = errors.list().size();
    ModuleOptionReader reader(alert, errors, {QStringLiteral("facility"), QStringLiteral("remote")}, {});
    SyslogSettings settings;
    settings.facilityName = reader.options().string(QStringLiteral("facility"), QStringLiteral("daemon"));
    settings.facility = -1;
    for (const auto &[name, value] : Facilities) {
        if (settings.facilityName == QLatin1StringView(name))
            settings.facility = value;
    }
    if (settings.facility < 0)
        reader.error(QStringLiteral("facility"), QStringLiteral("must be one of: %1").arg(facilityList()));
    const QString remote = reader.options().string(QStringLiteral("remote"));
    if (!remote.isEmpty() && !parseRemote(remote, &settings.remoteHost, &settings.remotePort))
        reader.error(QStringLiteral("remote"),
                     QStringLiteral(
                         "must be an IP address with an optional port: 192.0.2.7:514 or [2001:db8::7]:514"));
    if (errors.list().size() != before)
        return std::nullopt;
    return settings;
}

int syslogSeverity(State state)
{
    switch (state) {
    case State::Critical:
        return LOG_CRIT;
    case State::Major:
        return LOG_ERR;
    case State::Minor:
    case State::Degraded:
        return LOG_WARNING;
    case State::Unknown:
        return LOG_NOTICE;
    case State::Ok:
    case State::NoData:
        break;
    }
    return LOG_INFO;
}

QByteArray syslogDatagram(int facility, int severity, const QString &text, const QDateTime &time)
{
    // RFC 5424: PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG, the
    // message as UTF-8 behind a byte order mark.
    QString hostName = QHostInfo::localHostName();
    if (hostName.isEmpty())
        hostName = QStringLiteral("-");
    return '<' + QByteArray::number(facility | severity) + ">1 " +
           time.toUTC().toString(Qt::ISODateWithMs).toLatin1() + ' ' + hostName.toLatin1() +
           " prophasis - alert - \xEF\xBB\xBF" + text.toUtf8();
}

FieldErrors SyslogModule::validate(const Alert &alert) const
{
    FieldErrors errors;
    SyslogSettings::read(alert, errors);
    return errors;
}

DeliveryResult SyslogModule::deliver(const Alert &alert, const AlertNotification &notification,
                                     const DeliveryContext &) const
{
    FieldErrors errors;
    const std::optional<SyslogSettings> settings = SyslogSettings::read(alert, errors);
    if (!settings)
        return DeliveryResult::failure(QStringLiteral("the syslog alert is not configured: ") +
                                       errors.summary());
    const int severity = syslogSeverity(notification.to);
    const QString text = messageText(notification);
    // No openlog(): the identity and options are process-wide; the facility travels in the
    // priority instead, and the identity is the program's name.
    syslog(settings->facility | severity, "%s", text.toUtf8().constData());
    if (settings->remoteHost.isNull())
        return DeliveryResult::success();
    QUdpSocket socket;
    const QByteArray datagram =
        syslogDatagram(settings->facility, severity, text, QDateTime::currentDateTimeUtc());
    if (socket.writeDatagram(datagram, settings->remoteHost, settings->remotePort) != datagram.size())
        return DeliveryResult::failure(QStringLiteral("cannot send to the syslog collector %1:%2: %3")
                                           .arg(settings->remoteHost.toString())
                                           .arg(settings->remotePort)
                                           .arg(socket.errorString()));
    return DeliveryResult::success();
}

} // namespace prophasis
