#include "daemon-core/app/coreconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSysInfo>

#include "shared/json/jsonreader.h"

namespace prophasis {

std::optional<CoreConfig> CoreConfig::load(const QString &dataDirectory, QString *error)
{
    const QString path = QDir(dataDirectory).filePath(fileName());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2 (run 'prophasis-core init --data-dir %3' first)")
                     .arg(path, file.errorString(), dataDirectory);
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("%1 is not a JSON object: %2").arg(path, parseError.errorString());
        return std::nullopt;
    }
    CoreConfig config;
    config.dataDirectory = dataDirectory;
    FieldErrors errors;
    JsonReader reader(document.object(), errors);
    config.databaseUrl = reader.string(QStringLiteral("database_url"));
    config.databaseUrlFile = reader.string(QStringLiteral("database_url_file"));
    config.retentionRawDays =
        int(reader.integer(QStringLiteral("retention_raw_days"), config.retentionRawDays, 1, 3660));
    config.retentionRollupDays =
        int(reader.integer(QStringLiteral("retention_rollup_days"), config.retentionRollupDays, 1, 36600));
    if (const QJsonValue deadMansSwitch = document.object().value(QStringLiteral("dead_mans_switch"));
        !deadMansSwitch.isUndefined()) {
        if (!deadMansSwitch.isObject()) {
            errors.add(QStringLiteral("dead_mans_switch"), QStringLiteral("must be an object"));
        } else {
            errors.append(readDeadMansSwitchConfig(deadMansSwitch.toObject(), config.deadMansSwitch));
        }
    }
    if (const QJsonValue statusPage = document.object().value(QStringLiteral("status_page"));
        !statusPage.isUndefined()) {
        if (!statusPage.isObject()) {
            errors.add(QStringLiteral("status_page"), QStringLiteral("must be an object"));
        } else {
            JsonReader statusReader(statusPage.toObject(), errors, QStringLiteral("status_page."));
            config.statusPageAnonymous = statusReader.boolean(QStringLiteral("anonymous"), false);
        }
    }
    if (errors.isEmpty() && config.retentionRollupDays < config.retentionRawDays)
        errors.add(QStringLiteral("retention_rollup_days"),
                   QStringLiteral("must not be shorter than retention_raw_days"));
    if (!errors.isEmpty()) {
        *error = QStringLiteral("%1: %2").arg(path, errors.summary());
        return std::nullopt;
    }
    return config;
}

bool CoreConfig::save(QString *error) const
{
    QJsonObject json;
    if (!databaseUrl.isEmpty())
        json.insert(QStringLiteral("database_url"), databaseUrl);
    if (!databaseUrlFile.isEmpty())
        json.insert(QStringLiteral("database_url_file"), databaseUrlFile);
    json.insert(QStringLiteral("retention_raw_days"), retentionRawDays);
    json.insert(QStringLiteral("retention_rollup_days"), retentionRollupDays);
    if (deadMansSwitch.enabled()) {
        QJsonObject deadMans{{QStringLiteral("url"), deadMansSwitch.url},
                             {QStringLiteral("method"), QString::fromLatin1(deadMansSwitch.method)},
                             {QStringLiteral("interval_s"), qint64(deadMansSwitch.interval.count())},
                             {QStringLiteral("timeout_s"), qint64(deadMansSwitch.timeout.count())}};
        if (!deadMansSwitch.caFile.isEmpty())
            deadMans.insert(QStringLiteral("ca_file"), deadMansSwitch.caFile);
        json.insert(QStringLiteral("dead_mans_switch"), deadMans);
    }
    if (statusPageAnonymous)
        json.insert(QStringLiteral("status_page"), QJsonObject{{QStringLiteral("anonymous"), true}});
    QSaveFile file(QDir(dataDirectory).filePath(fileName()));
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

std::optional<DatabaseConfig> CoreConfig::database(QString *error) const
{
    QString url = databaseUrl;
    if (!databaseUrlFile.isEmpty()) {
        QFile file(databaseUrlFile);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read the database URL file %1: %2")
                         .arg(databaseUrlFile, file.errorString());
            return std::nullopt;
        }
        url = QString::fromUtf8(file.readAll()).trimmed();
    }
    if (url.isEmpty())
        return DatabaseConfig::sqlite(QDir(dataDirectory).filePath(sqliteFileName()));
    return DatabaseConfig::fromUrl(url, error);
}

QString CoreConfig::identityKeyFile() const
{
    return QDir(dataDirectory).filePath(QStringLiteral("identity.key"));
}

QString CoreConfig::identityCertificateFile() const
{
    return QDir(dataDirectory).filePath(QStringLiteral("identity.crt"));
}

std::optional<TlsIdentity> CoreConfig::loadOrCreateIdentity(bool *created, QString *error) const
{
    *created = !QFile::exists(identityKeyFile()) && !QFile::exists(identityCertificateFile());
    if (!*created)
        return TlsIdentity::load(identityKeyFile(), identityCertificateFile(), error);
    const QString name = QSysInfo::machineHostName().isEmpty() ? QStringLiteral("prophasis-core")
                                                               : QSysInfo::machineHostName();
    TlsIdentity identity = TlsIdentity::generate(name, {name});
    if (identity.isNull()) {
        *error = QStringLiteral("cannot generate the core's key pair");
        return std::nullopt;
    }
    if (!identity.save(identityKeyFile(), identityCertificateFile(), error))
        return std::nullopt;
    return identity;
}

} // namespace prophasis
