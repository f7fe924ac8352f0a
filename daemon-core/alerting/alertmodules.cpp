#include "daemon-core/alerting/alertmodules.h"

#include <algorithm>

#include "daemon-core/alerting/commandmodule.h"
#include "daemon-core/alerting/emailmodule.h"
#include "daemon-core/alerting/syslogmodule.h"
#include "daemon-core/alerting/webhookmodule.h"

namespace prophasis {

std::shared_ptr<const AlertModules> AlertModules::builtIn()
{
    static const std::shared_ptr<const AlertModules> modules =
        std::make_shared<const AlertModules>(withBuiltIns());
    return modules;
}

AlertModules AlertModules::withBuiltIns()
{
    AlertModules modules;
    modules.add(std::make_shared<EmailModule>());
    modules.add(std::make_shared<WebhookModule>());
    modules.add(std::make_shared<CommandModule>());
    modules.add(std::make_shared<SyslogModule>());
    return modules;
}

void AlertModules::add(std::shared_ptr<const AlertModule> module)
{
    const QString name = module->name();
    m_modules.insert(name, std::move(module));
}

const AlertModule *AlertModules::find(const QString &name) const
{
    const auto it = m_modules.constFind(name);
    return it != m_modules.cend() ? it->get() : nullptr;
}

QStringList AlertModules::names() const
{
    QStringList names = m_modules.keys();
    std::sort(names.begin(), names.end());
    return names;
}

FieldErrors AlertModules::validate(const Alert &alert) const
{
    if (const AlertModule *module = find(alert.module))
        return module->validate(alert);
    FieldErrors errors;
    errors.add(QStringLiteral("module"), QStringLiteral("must be one of: %1").arg(names().join(u", ")));
    return errors;
}

FieldErrors validateAlertModule(const Alert &alert)
{
    return AlertModules::builtIn()->validate(alert);
}

} // namespace prophasis
