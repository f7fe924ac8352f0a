#pragma once

#include <optional>

#include "daemon-core/alerting/alertmodule.h"
#include "daemon-core/alerting/webhooktemplates.h"

namespace prophasis {

inline constexpr int DefaultWebhookTimeoutSeconds = 10;
inline constexpr int MaxWebhookTimeoutSeconds = 120;

struct WebhookSettings
{
    QString url;           // secret "url"
    QString authorization; // secret "authorization": sent as the Authorization header when set
    WebhookTemplate style = WebhookTemplate::Generic;
    int timeoutSeconds = DefaultWebhookTimeoutSeconds;
    QString caFile;
    bool verifyTls = true;

    // nullopt (with the problems in `errors`) when the alert's options are not usable.
    static std::optional<WebhookSettings> read(const Alert &alert, FieldErrors &errors);
};

// A JSON POST to a URL kept as a secret (Slack and Teams URLs carry their token in the path):
// any 2xx answer is success, anything else a failure that is retried.
class WebhookModule : public AlertModule
{
public:
    QString name() const override { return QStringLiteral("webhook"); }
    FieldErrors validate(const Alert &alert) const override;
    DeliveryResult deliver(const Alert &alert, const AlertNotification &notification,
                           const DeliveryContext &context) const override;
};

} // namespace prophasis
