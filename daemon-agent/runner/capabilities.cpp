#include "daemon-agent/runner/capabilities.h"

#include <QFile>

#include <array>

#include <unistd.h>

namespace prophasis {

namespace {

// Index = capability number (linux/capability.h).
constexpr std::array<const char *, 41> CapabilityNames = {
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setpcap",
    "linux_immutable",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "ipc_lock",
    "ipc_owner",
    "sys_module",
    "sys_rawio",
    "sys_chroot",
    "sys_ptrace",
    "sys_pacct",
    "sys_admin",
    "sys_boot",
    "sys_nice",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "mknod",
    "lease",
    "audit_write",
    "audit_control",
    "setfcap",
    "mac_override",
    "mac_admin",
    "syslog",
    "wake_alarm",
    "block_suspend",
    "audit_read",
    "perfmon",
    "bpf",
    "checkpoint_restore",
};

std::optional<quint64> statusMask(const QByteArray &status, const QByteArray &field)
{
    for (const QByteArray &line : status.split('\n')) {
        if (!line.startsWith(field + ':'))
            continue;
        bool ok = false;
        const quint64 mask = line.mid(field.size() + 1).trimmed().toULongLong(&ok, 16);
        return ok ? std::optional<quint64>(mask) : std::nullopt;
    }
    return std::nullopt;
}

} // namespace

std::optional<int> capabilityNumber(const QString &name)
{
    QString key = name.trimmed().toLower();
    if (key.startsWith(QLatin1String("cap_")))
        key.remove(0, 4);
    for (std::size_t i = 0; i < CapabilityNames.size(); ++i) {
        if (key == QLatin1String(CapabilityNames[i]))
            return static_cast<int>(i);
    }
    return std::nullopt;
}

std::optional<quint64> capabilitiesForPlugins()
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray status = file.read(64 * 1024);
    return statusMask(status, ::geteuid() == 0 ? QByteArrayLiteral("CapBnd") : QByteArrayLiteral("CapAmb"));
}

QStringList missingCapabilities(const QStringList &declared, quint64 granted)
{
    QStringList missing;
    for (const QString &name : declared) {
        const std::optional<int> number = capabilityNumber(name);
        if (!number || (granted & (quint64(1) << *number)) == 0)
            missing.append(name);
    }
    return missing;
}

QStringList missingCapabilities(const QStringList &declared)
{
    return missingCapabilities(declared, capabilitiesForPlugins().value_or(0));
}

QString missingCapabilitiesHint(const QStringList &declared)
{
    const QStringList missing = missingCapabilities(declared);
    if (missing.isEmpty())
        return {};
    return QStringLiteral(" (this plugin needs %1, which the agent was not given: grant %2 to the agent's service, "
                          "e.g. AmbientCapabilities=%3)")
        .arg(declared.join(QStringLiteral(", ")), missing.join(QStringLiteral(", ")), missing.join(u' '));
}

} // namespace prophasis
