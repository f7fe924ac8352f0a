#include "daemon-core/storage/migrations.h"

#include <QDateTime>
#include <QFile>
#include <QLoggingCategory>
#include <QSqlQuery>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/legacyresults.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcMigrations, "prophasis.storage.migrations")

// Any fixed number: the key of the PostgreSQL advisory lock that serialises migrations.
constexpr qint64 MigrationLockKey = 4048049;

QString readResource(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw StorageError(StorageError::Kind::Internal,
                           QStringLiteral("migration %1 is missing from the build").arg(path));
    return QString::fromUtf8(file.readAll());
}

void createMigrationTable(Database &db)
{
    db.exec(db.dialectSql(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                         "version INTEGER PRIMARY KEY, description {text} NOT NULL, "
                                         "applied_ms {bigint} NOT NULL)")));
}

} // namespace

const QList<Migration> &migrations()
{
    static const QList<Migration> list = {
        {1, QStringLiteral("initial schema"), QStringLiteral(":/prophasis/schema/001_initial.sql")},
        {2, QStringLiteral("time series in time chunks"),
         QStringLiteral(":/prophasis/schema/002_time_chunks.sql"), &convertVersion1Results},
        {3, QStringLiteral("health history and agent joining"),
         QStringLiteral(":/prophasis/schema/003_health_history_and_joining.sql")},
    };
    return list;
}

int latestSchemaVersion()
{
    return migrations().constLast().version;
}

int schemaVersion(Database &db)
{
    createMigrationTable(db);
    QSqlQuery query = db.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    query.next();
    return query.value(0).toInt();
}

void migrate(Database &db)
{
    migrate(db, latestSchemaVersion());
}

void migrate(Database &db, int targetVersion)
{
    // schema_migrations is created inside the locked transaction: two cores starting at once
    // on an empty PostgreSQL database would otherwise race on CREATE TABLE.
    for (const Migration &migration : migrations()) {
        if (migration.version > targetVersion)
            break;
        db.transaction([&] {
            if (db.kind() == DatabaseKind::Postgres)
                db.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(MigrationLockKey));
            const int current = schemaVersion(db);
            if (current > latestSchemaVersion())
                throw StorageError(
                    StorageError::Kind::Invalid,
                    QStringLiteral("the database schema is version %1, newer than this program "
                                   "(version %2): upgrade Prophasis before using this database")
                        .arg(current)
                        .arg(latestSchemaVersion()));
            if (current >= migration.version)
                return;
            qCInfo(lcMigrations) << "applying migration" << migration.version << migration.description;
            db.execScript(readResource(migration.resource));
            if (migration.convert)
                migration.convert(db);
            db.exec(QStringLiteral(
                        "INSERT INTO schema_migrations (version, description, applied_ms) VALUES (?, ?, ?)"),
                    {migration.version, migration.description, QDateTime::currentMSecsSinceEpoch()});
        });
    }
}

} // namespace prophasis
