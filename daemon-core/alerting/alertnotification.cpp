#include "daemon-core/alerting/alertnotification.h"

#include <QJsonArray>

#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

QString humanTime(const QDateTime &time)
{
    return time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QStringLiteral(" UTC");
}

const CheckResult *resultOf(const AlertEvent &event, const SeriesKey &series)
{
    for (const CheckResult &result : event.causeResults) {
        if (result.hostId == series.hostId && result.checkId == series.checkId &&
            result.pluginId == series.pluginId)
            return &result;
    }
    return nullptr;
}

// A name for an object that may have gone from the configuration since the change.
template <typename T>
QString nameOf(const QHash<QUuid, T> &objects, const QUuid &id)
{
    const auto it = objects.constFind(id);
    return it != objects.cend() ? it->name : id.toString(QUuid::WithoutBraces);
}

} // namespace

QString alertStateLabel(State state)
{
    return enumName(state).toUpper().replace(u'_', u' ');
}

QString alertStateColour(State state)
{
    switch (state) {
    case State::Critical:
        return QStringLiteral("#d32f2f");
    case State::Major:
        return QStringLiteral("#ef6c00");
    case State::Minor:
        return QStringLiteral("#f9a825");
    case State::Degraded:
        return QStringLiteral("#fbc02d");
    case State::Unknown:
        return QStringLiteral("#7e57c2");
    case State::Ok:
        return QStringLiteral("#2e7d32");
    case State::NoData:
        break;
    }
    return QStringLiteral("#9e9e9e");
}

QString AlertNotification::subjectType() const
{
    switch (subject) {
    case Subject::Host:
        return QStringLiteral("host");
    case Subject::Service:
        return QStringLiteral("service");
    case Subject::Test:
        break;
    }
    return QStringLiteral("test");
}

QString AlertNotification::summary() const
{
    if (isTest())
        return QStringLiteral("TEST: alert \"%1\" works").arg(alertName);
    return QStringLiteral("%1 is %2 (was %3)").arg(subjectName, alertStateLabel(to), alertStateLabel(from));
}

QString AlertNotification::causeLine(const AlertCause &cause)
{
    QString line = QStringLiteral("check \"%1\", plugin \"%2\" on %3")
                       .arg(cause.checkName, cause.pluginName, cause.hostName);
    if (!cause.hasResult)
        return line;
    line += QStringLiteral(": ") + alertStateLabel(cause.classification);
    if (cause.resultType != ResultType::Success)
        line += QStringLiteral(" (%1)").arg(enumName(cause.resultType));
    if (!cause.message.isEmpty())
        line += QStringLiteral(": ") + cause.message;
    QStringList details;
    if (cause.value)
        details.append(QStringLiteral("value %1").arg(*cause.value));
    if (cause.resultTime.isValid())
        details.append(QStringLiteral("at %1").arg(humanTime(cause.resultTime)));
    if (!details.isEmpty())
        line += QStringLiteral(" [%1]").arg(details.join(QStringLiteral(", ")));
    return line;
}

QString AlertNotification::textBody() const
{
    QString text;
    if (isTest()) {
        text += summary() + QStringLiteral(".\n\n");
        text +=
            QStringLiteral("This is a test message, sent from the Prophasis console to check that the alert "
                           "\"%1\" reaches you. Nothing changed in what Prophasis monitors.\n\n")
                .arg(alertName);
        text += QStringLiteral("Sent:     %1\n").arg(humanTime(time));
        return text;
    }
    text += summary() + QStringLiteral(".\n\n");
    if (subject == Subject::Host) {
        text += QStringLiteral("Host:     %1").arg(subjectName);
        if (!hostAddress.isEmpty())
            text += QStringLiteral(" (%1)").arg(hostAddress);
        text += u'\n';
    } else {
        text += QStringLiteral("Service:  %1\n").arg(subjectName);
    }
    text += QStringLiteral("State:    %1, was %2\n").arg(alertStateLabel(to), alertStateLabel(from));
    text += QStringLiteral("Changed:  %1\n").arg(humanTime(time));
    text += QStringLiteral("Alert:    %1\n\n").arg(alertName);
    text += QStringLiteral("Why:\n");
    if (causes.isEmpty())
        text += QStringLiteral("  No result caused this change: the configuration changed (a host, check or "
                               "service was added, removed or edited).\n");
    for (const AlertCause &cause : causes)
        text += QStringLiteral("  - ") + causeLine(cause) + u'\n';
    return text;
}

QJsonObject AlertNotification::toJson() const
{
    QJsonObject subjectJson{
        {QStringLiteral("type"), subjectType()},
        {QStringLiteral("id"), subjectId.isNull() ? QJsonValue() : QJsonValue(toJsonId(subjectId))},
        {QStringLiteral("name"), subjectName},
    };
    if (subject == Subject::Host)
        subjectJson.insert(QStringLiteral("address"), hostAddress);
    QJsonArray causesJson;
    for (const AlertCause &cause : causes) {
        QJsonObject item{
            {QStringLiteral("host_id"), toJsonId(cause.hostId)},
            {QStringLiteral("host"), cause.hostName},
            {QStringLiteral("check"), cause.checkName},
            {QStringLiteral("plugin"), cause.pluginName},
        };
        if (cause.hasResult) {
            item.insert(QStringLiteral("classification"), enumName(cause.classification));
            item.insert(QStringLiteral("result_type"), enumName(cause.resultType));
            item.insert(QStringLiteral("value"), cause.value ? QJsonValue(*cause.value) : QJsonValue());
            item.insert(QStringLiteral("message"), cause.message);
            item.insert(QStringLiteral("time"), toJsonTimeOrNull(cause.resultTime));
        }
        causesJson.append(item);
    }
    return {
        {QStringLiteral("version"), 1},
        {QStringLiteral("test"), isTest()},
        {QStringLiteral("alert"),
         QJsonObject{{QStringLiteral("id"), toJsonId(alertId)}, {QStringLiteral("name"), alertName}}},
        {QStringLiteral("subject"), subjectJson},
        {QStringLiteral("from"), enumName(from)},
        {QStringLiteral("to"), enumName(to)},
        {QStringLiteral("time"), toJsonTime(time)},
        {QStringLiteral("summary"), summary()},
        {QStringLiteral("text"), textBody()},
        {QStringLiteral("causes"), causesJson},
    };
}

AlertNotification buildNotification(const Alert &alert, const AlertEvent &event, const Configuration &config)
{
    const HealthChange &change = event.change;
    AlertNotification notification;
    notification.alertId = alert.id;
    notification.alertName = alert.name;
    notification.subjectId = change.id;
    notification.from = change.from;
    notification.to = change.to;
    notification.time = change.time.toUTC();
    if (change.subject == HealthChange::Subject::Host) {
        notification.subject = AlertNotification::Subject::Host;
        notification.subjectName = nameOf(config.hosts, change.id);
        notification.hostAddress = config.hosts.value(change.id).address;
    } else {
        notification.subject = AlertNotification::Subject::Service;
        notification.subjectName = nameOf(config.services, change.id);
    }
    for (const SeriesKey &series : change.causes) {
        AlertCause cause;
        cause.hostId = series.hostId;
        cause.hostName = nameOf(config.hosts, series.hostId);
        cause.checkName = nameOf(config.checks, series.checkId);
        cause.pluginName = nameOf(config.plugins, series.pluginId);
        if (const CheckResult *result = resultOf(event, series)) {
            cause.hasResult = true;
            cause.classification = result->classification;
            cause.resultType = result->type;
            cause.value = result->value;
            cause.message = result->message;
            cause.resultTime = result->time.toUTC();
        }
        notification.causes.append(cause);
    }
    return notification;
}

AlertNotification buildTestNotification(const Alert &alert, const QDateTime &now)
{
    AlertNotification notification;
    notification.alertId = alert.id;
    notification.alertName = alert.name;
    notification.subject = AlertNotification::Subject::Test;
    notification.subjectName = QStringLiteral("Prophasis test");
    // A real-looking change, so templates show their colours and scripts their branches.
    notification.from = State::Ok;
    notification.to = State::Critical;
    notification.time = now.toUTC();
    return notification;
}

} // namespace prophasis
