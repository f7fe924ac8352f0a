#include "daemon-agent/app/agentconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

#include <unistd.h>

#include "shared/json/jsonreader.h"

namespace prophasis {

QString AgentConfig::defaultDirectory()
{
    if (::geteuid() == 0)
        return QStringLiteral("/etc/prophasis-agent");
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
           + QStringLiteral("/prophasis-agent");
}

std::optional<AgentConfig> AgentConfig::load(const QString &directory, QString *error)
{
    const QString path = QDir(directory).filePath(fileName());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2 (run 'prophasis-agent init' first)").arg(path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("%1 is not a JSON object: %2").arg(path, parseError.errorString());
        return std::nullopt;
    }
    AgentConfig config;
    FieldErrors errors;
    JsonReader reader(document.object(), errors);
    config.listenAddress = reader.string(QStringLiteral("listen"), config.listenAddress);
    config.port = quint16(reader.integer(QStringLiteral("port"), config.port, 1, 65535));
    config.signatures = reader.enumValue(QStringLiteral("signatures"), config.signatures);
    if (!errors.isEmpty()) {
        *error = QStringLiteral("%1: %2").arg(path, errors.summary());
        return std::nullopt;
    }
    return config;
}

bool AgentConfig::save(const QString &directory, QString *error) const
{
    if (!QDir().mkpath(directory)) {
        *error = QStringLiteral("cannot create the folder %1").arg(directory);
        return false;
    }
    const QJsonObject json = {
        {QStringLiteral("listen"), listenAddress},
        {QStringLiteral("port"), port},
        {QStringLiteral("signatures"), enumName(signatures)},
    };
    QSaveFile file(QDir(directory).filePath(fileName()));
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
