#include "daemon-agent/app/agentconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

#include <unistd.h>

#include "shared/domain/validation.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

QString AgentConfig::configFile() const
{
    return QDir(directory).filePath(fileName());
}

QString AgentConfig::keyFile() const
{
    return QDir(directory).filePath(QStringLiteral("agent.key"));
}

QString AgentConfig::certificateFile() const
{
    return QDir(directory).filePath(QStringLiteral("agent.crt"));
}

QString AgentConfig::stateDirectory() const
{
    return QDir(directory).filePath(QStringLiteral("state"));
}

QString AgentConfig::keyringDirectory() const
{
    return QDir(directory).filePath(QStringLiteral("keyring"));
}

void AgentConfig::pinCoreKey(const QString &spki)
{
    if (pinnedCoreKeys.contains(spki))
        return;
    while (pinnedCoreKeys.size() >= MaxPinnedCoreKeys)
        pinnedCoreKeys.removeFirst();
    pinnedCoreKeys.append(spki);
}

void AgentConfig::closeEnrollment()
{
    enrollmentTokenHash.clear();
    enrollmentTokenExpires = QDateTime();
}

QString AgentConfig::defaultDirectory()
{
    if (::geteuid() == 0)
        return QStringLiteral("/etc/prophasis-agent");
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/prophasis-agent");
}

std::optional<AgentConfig> AgentConfig::load(const QString &directory, QString *error)
{
    AgentConfig config;
    config.directory = directory;
    QFile file(config.configFile());
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2 (run 'prophasis-agent init' first)")
                     .arg(file.fileName(), file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.read(1024 * 1024), &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("%1 is not a JSON object: %2").arg(file.fileName(), parseError.errorString());
        return std::nullopt;
    }
    FieldErrors errors;
    JsonReader reader(document.object(), errors);
    config.listenAddress = reader.string(QStringLiteral("listen"), config.listenAddress);
    config.port = quint16(reader.integer(QStringLiteral("port"), config.port, 1, 65535));
    config.advertisedHost = reader.string(QStringLiteral("advertised_host"));
    config.signatures = reader.enumValue(QStringLiteral("signatures"), config.signatures);
    const QJsonObject enrollment = reader.object(QStringLiteral("enrollment"));
    JsonReader enrollmentReader(enrollment, errors, QStringLiteral("enrollment."));
    config.enrollmentTokenHash = enrollmentReader.string(QStringLiteral("token_sha256"));
    config.enrollmentTokenExpires = enrollmentReader.dateTime(QStringLiteral("expires"));
    config.pinnedCoreKeys = reader.stringList(QStringLiteral("pinned_core_keys"));
    config.trustedSigners = reader.stringList(QStringLiteral("trusted_signers"));
    config.pluginTimeoutCapSeconds = int(reader.integer(
        QStringLiteral("plugin_timeout_cap_s"), config.pluginTimeoutCapSeconds, 1, MaxPluginTimeoutSeconds));
    config.pluginTimeoutCapSeconds = int(reader.integer(
        QStringLiteral("plugin_timeout_cap_s"), config.pluginTimeoutCapSeconds, 1, MaxPluginTimeoutSeconds));
    config.luaBudgetInstructions =
        reader.integer(QStringLiteral("lua_budget_instructions"), config.luaBudgetInstructions,
                       qint64(MinLuaBudgetInstructions), qint64(MaxLuaBudgetInstructions));
    config.luaMemoryLimitMb = reader.integer(QStringLiteral("lua_memory_limit_mb"), config.luaMemoryLimitMb,
                                             1, qint64(MaxLuaMemoryLimitBytes / (1024 * 1024)));

    for (const QString &pin : config.pinnedCoreKeys) {
        if (!isValidSha256Hex(pin))
            errors.add(QStringLiteral("pinned_core_keys"),
                       QStringLiteral("'%1' is not a SHA-256 key pin").arg(pin));
    }
    if (config.pinnedCoreKeys.size() > MaxPinnedCoreKeys)
        errors.add(QStringLiteral("pinned_core_keys"),
                   QStringLiteral("at most %1 core keys can be pinned").arg(MaxPinnedCoreKeys));
    if (!errors.isEmpty()) {
        *error = QStringLiteral("%1: %2").arg(file.fileName(), errors.summary());
        return std::nullopt;
    }
    return config;
}

bool AgentConfig::save(QString *error) const
{
    if (!QDir().mkpath(directory)) {
        *error = QStringLiteral("cannot create the folder %1").arg(directory);
        return false;
    }
    QJsonObject json = {
        {QStringLiteral("listen"), listenAddress},
        {QStringLiteral("port"), port},
        {QStringLiteral("signatures"), enumName(signatures)},
        {QStringLiteral("pinned_core_keys"), QJsonArray::fromStringList(pinnedCoreKeys)},
        {QStringLiteral("trusted_signers"), QJsonArray::fromStringList(trustedSigners)},
        {QStringLiteral("plugin_timeout_cap_s"), pluginTimeoutCapSeconds},
        {QStringLiteral("lua_budget_instructions"), luaBudgetInstructions},
        {QStringLiteral("lua_memory_limit_mb"), luaMemoryLimitMb},
    };
    if (!advertisedHost.isEmpty())
        json.insert(QStringLiteral("advertised_host"), advertisedHost);
    if (!enrollmentTokenHash.isEmpty())
        json.insert(QStringLiteral("enrollment"),
                    QJsonObject{{QStringLiteral("token_sha256"), enrollmentTokenHash},
                                {QStringLiteral("expires"), toJsonTime(enrollmentTokenExpires)}});
    QSaveFile file(configFile());
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(json).toJson());
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

} // namespace prophasis
