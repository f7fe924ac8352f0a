#pragma once

#include <QMap>
#include <QString>

#include <optional>

namespace prophasis {

enum class DatabaseKind
{
    Sqlite,
    Postgres,
};

// Where the core's database is: an SQLite file (the embedded default) or a PostgreSQL server
// given as postgresql://user[:password]@host[:port]/database[?param=value…]. Without a password
// in the URL, libpq reads ~/.pgpass, which keeps passwords out of `ps` and config files.
struct DatabaseConfig
{
    DatabaseKind kind = DatabaseKind::Sqlite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString database;
    QMap<QString, QString> parameters; // libpq connection parameters such as sslmode

    static DatabaseConfig sqlite(const QString &path);
    // Accepts postgresql:// and postgres:// URLs, sqlite:PATH and sqlite:///PATH.
    static std::optional<DatabaseConfig> fromUrl(const QString &url, QString *error);

    // The URL without the password, for logs and messages.
    QString displayName() const;
};

} // namespace prophasis
