#pragma once

#include <QJsonObject>

#include <array>
#include <utility>

#include "daemon-core/alerting/alertnotification.h"
#include "shared/domain/enumnames.h"

namespace prophasis {

// The JSON bodies the webhook module can send (USER_GUIDE "Alerts").
enum class WebhookTemplate
{
    Generic, // our own document: AlertNotification::toJson()
    Slack,   // {"text": …, "attachments": [{"color": …, "fields": …}]}: Slack, Mattermost, Rocket.Chat
    Teams,   // a Microsoft Teams message holding an Adaptive Card (Workflows and incoming webhooks)
};

QJsonObject webhookPayload(WebhookTemplate style, const AlertNotification &notification);

template <>
struct EnumNames<WebhookTemplate>
{
    static constexpr std::array<std::pair<WebhookTemplate, const char *>, 3> table = {{
        {WebhookTemplate::Generic, "generic"},
        {WebhookTemplate::Slack, "slack"},
        {WebhookTemplate::Teams, "teams"},
    }};
};

} // namespace prophasis
