#pragma once

#include <QProcessEnvironment>

#include <optional>

#include "daemon-core/alerting/alertmodule.h"

namespace prophasis {

inline constexpr int DefaultCommandTimeoutSeconds = 30;
inline constexpr int MaxCommandTimeoutSeconds = 600;
// Causes listed one by one in PROPHASIS_CAUSE_<n>_*; PROPHASIS_JSON has them all.
inline constexpr int MaxCommandCauseVariables = 20;

struct CommandSettings
{
    QString program; // an absolute path, or a name looked up in PATH
    QStringList arguments;
    int timeoutSeconds = DefaultCommandTimeoutSeconds;

    static std::optional<CommandSettings> read(const Alert &alert, FieldErrors &errors);
};

// The environment a command runs with (USER_GUIDE "Alerts" lists every variable): PATH, HOME and
// TMPDIR from the core, LANG=C.UTF-8, the alert in PROPHASIS_* variables, and each secret as
// PROPHASIS_SECRET_<NAME> (upper case). Nothing else of the core's environment.
QProcessEnvironment commandEnvironment(const Alert &alert, const AlertNotification &notification);

// Runs a program of the admin's (argv, no shell) with the alert in environment variables. It
// starts in its own session and process group; on timeout the whole group is killed (TERM, then
// KILL), as the agent does with plugins (daemon-agent/runner's ProcessRunner, reused). Exit code
// 0 is success; anything else is a failure carrying the end of what it wrote to stderr.
class CommandModule : public AlertModule
{
public:
    QString name() const override { return QStringLiteral("command"); }
    FieldErrors validate(const Alert &alert) const override;
    DeliveryResult deliver(const Alert &alert, const AlertNotification &notification,
                           const DeliveryContext &context) const override;
};

} // namespace prophasis
