#pragma once

#include <QString>

#include <optional>

#include "daemon-core/alerting/deadmansswitch.h"
#include "daemon-core/auth/authpolicy.h"
#include "daemon-core/storage/databaseconfig.h"
#include "shared/tls/identity.h"

namespace prophasis {

inline constexpr quint16 DefaultCorePort = 4049;
// The key that seals alert module secrets; it lives beside the database, never inside it.
inline constexpr QLatin1StringView SecretsKeyFileName("secrets.key");

// The core's settings, kept as core.json in its data folder. The database is named either by a
// URL (without password: libpq then reads ~/.pgpass) or by a file holding the URL, so no
// password has to appear on a command line.
struct CoreConfig
{
    QString dataDirectory;
    QString databaseUrl;     // empty: SQLite in the data folder
    QString databaseUrlFile; // read at every start
    // How long results are kept (SPEC §5): raw results and hourly rollups, in days.
    int retentionRawDays = 30;
    int retentionRollupDays = 731;
    // The optional "dead man's switch" (SPEC §5): a URL a third party expects to hear from.
    DeadMansSwitchConfig deadMansSwitch;
    // core.json "status_page": {"anonymous": true}: the status page without a login, for wall
    // displays on a trusted network (SPEC §5). Off by default.
    bool statusPageAnonymous = false;

    static QString fileName() { return QStringLiteral("core.json"); }
    static QString sqliteFileName() { return QStringLiteral("prophasis.db"); }
    // The core's identity (SPEC §9, Keys): presented to agents as a TLS client, pinned by them.
    QString identityKeyFile() const;
    QString identityCertificateFile() const;

    static std::optional<CoreConfig> load(const QString &dataDirectory, QString *error);
    bool save(QString *error) const;

    // The database this configuration names; nullopt with *error when it is unusable.
    std::optional<DatabaseConfig> database(QString *error) const;

    // The identity in the data folder, made when there is none yet. An existing one is never
    // replaced: every agent has pinned its key, so a new key would cut the core off from all.
    std::optional<TlsIdentity> loadOrCreateIdentity(bool *created, QString *error) const;
};

} // namespace prophasis
