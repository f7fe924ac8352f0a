#include "daemon-core/storage/databaseconfig.h"

#include <QSet>
#include <QUrl>
#include <QUrlQuery>

namespace prophasis {

namespace {

// libpq parameters a URL may set; anything else is refused so a typo does not pass silently.
const QSet<QString> &allowedParameters()
{
    static const QSet<QString> names = {
        QStringLiteral("sslmode"),      QStringLiteral("sslrootcert"),     QStringLiteral("sslcert"),
        QStringLiteral("sslkey"),       QStringLiteral("host"),            QStringLiteral("connect_timeout"),
        QStringLiteral("application_name"), QStringLiteral("target_session_attrs"),
    };
    return names;
}

} // namespace

DatabaseConfig DatabaseConfig::sqlite(const QString &path)
{
    DatabaseConfig config;
    config.kind = DatabaseKind::Sqlite;
    config.sqlitePath = path;
    return config;
}

std::optional<DatabaseConfig> DatabaseConfig::fromUrl(const QString &url, QString *error)
{
    if (url.startsWith(QLatin1String("sqlite:"))) {
        QString path = url.mid(7);
        if (path.startsWith(QLatin1String("//")))
            path = path.mid(2);
        if (path.isEmpty()) {
            *error = QStringLiteral("the SQLite URL names no file");
            return std::nullopt;
        }
        return sqlite(path);
    }

    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || (parsed.scheme() != QLatin1String("postgresql") && parsed.scheme() != QLatin1String("postgres"))) {
        *error = QStringLiteral("'%1' is not a database URL: use postgresql://user@host:port/database or sqlite:PATH")
                     .arg(parsed.toDisplayString(QUrl::RemovePassword));
        return std::nullopt;
    }
    DatabaseConfig config;
    config.kind = DatabaseKind::Postgres;
    config.host = parsed.host();
    config.port = parsed.port(5432);
    config.user = parsed.userName();
    config.password = parsed.password();
    config.database = parsed.path().mid(1);
    const QUrlQuery query(parsed);
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!allowedParameters().contains(name)) {
            *error = QStringLiteral("unknown database URL parameter '%1'").arg(name);
            return std::nullopt;
        }
        config.parameters.insert(name, value);
    }
    if (config.host.isEmpty() && !config.parameters.contains(QStringLiteral("host"))) {
        *error = QStringLiteral("the database URL names no host");
        return std::nullopt;
    }
    if (config.database.isEmpty()) {
        *error = QStringLiteral("the database URL names no database (…/DATABASE)");
        return std::nullopt;
    }
    return config;
}

QString DatabaseConfig::displayName() const
{
    if (kind == DatabaseKind::Sqlite)
        return QStringLiteral("sqlite:") + sqlitePath;
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setHost(host);
    url.setPort(port);
    url.setUserName(user);
    url.setPath(u'/' + database);
    QUrlQuery query;
    for (auto it = parameters.cbegin(); it != parameters.cend(); ++it)
        query.addQueryItem(it.key(), it.value());
    url.setQuery(query);
    return url.toDisplayString();
}

} // namespace prophasis
