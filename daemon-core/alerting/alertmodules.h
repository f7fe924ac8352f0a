#pragma once

#include <QHash>
#include <QStringList>

#include <memory>

#include "daemon-core/alerting/alertmodule.h"

namespace prophasis {

// The alert modules by name. Read-only once handed to an AlertService (shared between threads).
class AlertModules
{
public:
    // email, webhook, command and syslog.
    static std::shared_ptr<const AlertModules> builtIn();
    // The built-in modules in a set a caller (a test) may add to.
    static AlertModules withBuiltIns();

    // Replaces a module of the same name.
    void add(std::shared_ptr<const AlertModule> module);
    const AlertModule *find(const QString &name) const;
    QStringList names() const; // sorted

    // Everything wrong with an alert's module settings: "module" when the module is unknown,
    // else the module's own "options.<key>" / "secrets.<key>" problems. For the API (422).
    FieldErrors validate(const Alert &alert) const;

private:
    QHash<QString, std::shared_ptr<const AlertModule>> m_modules;
};

// AlertModules::builtIn()->validate(alert): what the API calls before saving an alert.
FieldErrors validateAlertModule(const Alert &alert);

} // namespace prophasis
