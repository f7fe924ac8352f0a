#pragma once

#include <QString>

#include <atomic>

#include "daemon-core/alerting/alertnotification.h"
#include "shared/domain/alert.h"
#include "shared/domain/fielderrors.h"

namespace prophasis {

// How one delivery attempt ended. `error` is for people (the system log, the console's Test
// button): what went wrong and what to do, never a secret (no password, no webhook URL path).
struct DeliveryResult
{
    bool ok = false;
    QString error;

    static DeliveryResult success() { return {true, {}}; }
    static DeliveryResult failure(QString error) { return {false, std::move(error)}; }
};

// Handed to a module for one attempt.
struct DeliveryContext
{
    // Set when the core stops and the grace period is over: stop the attempt as soon as possible.
    const std::atomic<bool> *cancel = nullptr;

    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
};

// One way of telling people (SPEC §5 "Alerting"): email, webhook, command, syslog. Modules are
// stateless and thread-safe: deliver() runs on a delivery thread, several at once, and blocks
// until the attempt ends (each module bounds it with its own timeout). Options come from
// Alert::options, secrets only from Alert::secrets.
class AlertModule
{
public:
    virtual ~AlertModule() = default;

    // The name alerts use in Alert::module, e.g. "email".
    virtual QString name() const = 0;
    // Checks the alert's options and secrets; fields are named "options.<key>" and
    // "secrets.<key>" so the API can show each problem beside its field.
    virtual FieldErrors validate(const Alert &alert) const = 0;
    // One attempt. Only called for alerts whose validate() found nothing.
    virtual DeliveryResult deliver(const Alert &alert, const AlertNotification &notification,
                                   const DeliveryContext &context) const = 0;
};

} // namespace prophasis
