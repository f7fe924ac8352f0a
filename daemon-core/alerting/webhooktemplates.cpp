#include "daemon-core/alerting/webhooktemplates.h"

#include <QJsonArray>

namespace prophasis {

namespace {

QString subjectTitle(const AlertNotification &notification)
{
    switch (notification.subject) {
    case AlertNotification::Subject::Host:
        return QStringLiteral("Host");
    case AlertNotification::Subject::Service:
        return QStringLiteral("Service");
    case AlertNotification::Subject::Test:
        break;
    }
    return QStringLiteral("Test");
}

QString changedAt(const AlertNotification &notification)
{
    return notification.time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QStringLiteral(" UTC");
}

// The "why" part as lines, or the test notice.
QString reasons(const AlertNotification &notification)
{
    if (notification.isTest())
        return QStringLiteral("This is a test message from the Prophasis console. Nothing changed.");
    if (notification.causes.isEmpty())
        return QStringLiteral("No result caused this change: the configuration changed.");
    QStringList lines;
    for (const AlertCause &cause : notification.causes)
        lines.append(QStringLiteral("• ") + AlertNotification::causeLine(cause));
    return lines.join(u'\n');
}

QJsonObject slackPayload(const AlertNotification &notification)
{
    const auto field = [](const QString &title, const QString &value) {
        return QJsonObject{{QStringLiteral("title"), title},
                           {QStringLiteral("value"), value},
                           {QStringLiteral("short"), true}};
    };
    QJsonArray fields{
        field(subjectTitle(notification), notification.subjectName),
        field(QStringLiteral("State"),
              QStringLiteral("%1, was %2")
                  .arg(alertStateLabel(notification.to), alertStateLabel(notification.from))),
        field(QStringLiteral("Changed"), changedAt(notification)),
        field(QStringLiteral("Alert"), notification.alertName),
    };
    QJsonObject attachment{
        {QStringLiteral("color"), alertStateColour(notification.to)},
        {QStringLiteral("fallback"), notification.summary()},
        {QStringLiteral("title"), notification.summary()},
        {QStringLiteral("text"), reasons(notification)},
        {QStringLiteral("fields"), fields},
        {QStringLiteral("footer"), QStringLiteral("Prophasis")},
        {QStringLiteral("ts"), notification.time.toSecsSinceEpoch()},
    };
    return {
        {QStringLiteral("text"), notification.summary()},
        {QStringLiteral("attachments"), QJsonArray{attachment}},
    };
}

// Adaptive Cards name their colours rather than taking RGB.
QString adaptiveColour(State state)
{
    switch (state) {
    case State::Critical:
    case State::Major:
        return QStringLiteral("Attention");
    case State::Minor:
    case State::Degraded:
    case State::Unknown:
        return QStringLiteral("Warning");
    case State::Ok:
        return QStringLiteral("Good");
    case State::NoData:
        break;
    }
    return QStringLiteral("Default");
}

QJsonObject teamsPayload(const AlertNotification &notification)
{
    const auto fact = [](const QString &title, const QString &value) {
        return QJsonObject{{QStringLiteral("title"), title}, {QStringLiteral("value"), value}};
    };
    QJsonArray facts{
        fact(subjectTitle(notification), notification.subjectName),
        fact(QStringLiteral("State"),
             QStringLiteral("%1, was %2")
                 .arg(alertStateLabel(notification.to), alertStateLabel(notification.from))),
        fact(QStringLiteral("Changed"), changedAt(notification)),
        fact(QStringLiteral("Alert"), notification.alertName),
    };
    const QJsonArray body{
        QJsonObject{{QStringLiteral("type"), QStringLiteral("TextBlock")},
                    {QStringLiteral("text"), notification.summary()},
                    {QStringLiteral("weight"), QStringLiteral("Bolder")},
                    {QStringLiteral("size"), QStringLiteral("Medium")},
                    {QStringLiteral("color"), adaptiveColour(notification.to)},
                    {QStringLiteral("wrap"), true}},
        QJsonObject{{QStringLiteral("type"), QStringLiteral("FactSet")}, {QStringLiteral("facts"), facts}},
        QJsonObject{{QStringLiteral("type"), QStringLiteral("TextBlock")},
                    {QStringLiteral("text"), reasons(notification)},
                    {QStringLiteral("wrap"), true}},
    };
    const QJsonObject card{
        {QStringLiteral("$schema"), QStringLiteral("http://adaptivecards.io/schemas/adaptive-card.json")},
        {QStringLiteral("type"), QStringLiteral("AdaptiveCard")},
        {QStringLiteral("version"), QStringLiteral("1.4")},
        {QStringLiteral("msteams"), QJsonObject{{QStringLiteral("width"), QStringLiteral("Full")}}},
        {QStringLiteral("body"), body},
    };
    return {
        {QStringLiteral("type"), QStringLiteral("message")},
        {QStringLiteral("summary"), notification.summary()},
        {QStringLiteral("attachments"),
         QJsonArray{QJsonObject{
             {QStringLiteral("contentType"), QStringLiteral("application/vnd.microsoft.card.adaptive")},
             {QStringLiteral("contentUrl"), QJsonValue()},
             {QStringLiteral("content"), card},
         }}},
    };
}

} // namespace

QJsonObject webhookPayload(WebhookTemplate style, const AlertNotification &notification)
{
    switch (style) {
    case WebhookTemplate::Slack:
        return slackPayload(notification);
    case WebhookTemplate::Teams:
        return teamsPayload(notification);
    case WebhookTemplate::Generic:
        break;
    }
    return notification.toJson();
}

} // namespace prophasis
