#include "daemon-core/alerting/webhookmodule.h"

#include <QJsonDocument>
#include <QUrl>

#include "daemon-core/alerting/httptransport.h"
#include "daemon-core/alerting/moduleoptions.h"

namespace prophasis {

std::optional<WebhookSettings> WebhookSettings::read(const Alert &alert, FieldErrors &errors)
{
    const qsizetype before = errors.list().size();
    ModuleOptionReader reader(alert, errors,
                              {QStringLiteral("template"), QStringLiteral("timeout_s"),
                               QStringLiteral("ca_file"), QStringLiteral("verify_tls")},
                              {QStringLiteral("url"), QStringLiteral("authorization")});
    WebhookSettings settings;
    settings.url = reader.secret(QStringLiteral("url"), true);
    if (!settings.url.isEmpty()) {
        const QUrl url(settings.url, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"https" && url.scheme() != u"http") || url.host().isEmpty())
            reader.secretError(QStringLiteral("url"), QStringLiteral("must be an http:// or https:// URL"));
        else if (!url.userInfo().isEmpty())
            reader.secretError(QStringLiteral("url"),
                               QStringLiteral("must not hold a user name or password: use the "
                                              "authorization secret"));
    }
    settings.authorization = reader.secret(QStringLiteral("authorization"), false);
    if (settings.authorization.contains(u'\r') || settings.authorization.contains(u'\n'))
        reader.secretError(QStringLiteral("authorization"), QStringLiteral("must be one line"));
    settings.style = reader.options().enumValue(QStringLiteral("template"), WebhookTemplate::Generic);
    settings.timeoutSeconds = reader.timeoutSeconds(DefaultWebhookTimeoutSeconds, MaxWebhookTimeoutSeconds);
    settings.caFile = reader.caFile();
    settings.verifyTls = reader.options().boolean(QStringLiteral("verify_tls"), true);
    if (errors.list().size() != before)
        return std::nullopt;
    return settings;
}

FieldErrors WebhookModule::validate(const Alert &alert) const
{
    FieldErrors errors;
    WebhookSettings::read(alert, errors);
    return errors;
}

DeliveryResult WebhookModule::deliver(const Alert &alert, const AlertNotification &notification,
                                      const DeliveryContext &context) const
{
    FieldErrors errors;
    const std::optional<WebhookSettings> settings = WebhookSettings::read(alert, errors);
    if (!settings)
        return DeliveryResult::failure(QStringLiteral("the webhook is not configured: ") + errors.summary());
    HttpCall call;
    call.url = settings->url;
    call.body = QJsonDocument(webhookPayload(settings->style, notification)).toJson(QJsonDocument::Compact);
    call.contentType = "application/json; charset=utf-8";
    call.timeout = std::chrono::seconds(settings->timeoutSeconds);
    call.caFile = settings->caFile;
    call.verifyTls = settings->verifyTls;
    if (!settings->authorization.isEmpty())
        call.headers.append({"Authorization", settings->authorization.toUtf8()});
    const HttpCallResult result = performHttpCall(call, context);
    if (!result.ok())
        return DeliveryResult::failure(result.error);
    return DeliveryResult::success();
}

} // namespace prophasis
