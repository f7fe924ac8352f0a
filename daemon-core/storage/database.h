#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

#include "daemon-core/storage/databaseconfig.h"
#include "daemon-core/storage/storageerror.h"

namespace prophasis {

// Named limits of the database connection.
inline constexpr int SqliteBusyTimeoutMs = 10'000;
inline constexpr int PostgresConnectTimeoutS = 5;
inline constexpr int PostgresStatementTimeoutMs = 30'000;
inline constexpr int PostgresLockTimeoutMs = 10'000;

// One connection to the core's database. A QSqlDatabase belongs to the thread that opened it,
// so a Database is created, used and destroyed on one thread (StorageExecutor's workers).
// Every failure is thrown as a StorageError.
class Database
{
public:
    explicit Database(const DatabaseConfig &config);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    DatabaseKind kind() const { return m_config.kind; }
    const DatabaseConfig &config() const { return m_config; }

    // Prepares, binds the positional '?' values and runs one statement.
    QSqlQuery exec(const QString &sql, const QVariantList &values = {});
    // Like exec(), for statements with thousands of values (multi-row INSERTs): the values are
    // written into the SQL as literals by the driver's own quoting (QSqlDriver::formatValue)
    // instead of bound one by one, which in QtSql costs tens of microseconds per row, and on
    // PostgreSQL saves the PREPARE and DEALLOCATE round trips. `sql` must hold '?' only as
    // placeholders.
    QSqlQuery execInline(const QString &sql, const QVariantList &values);
    // Runs statements separated by ';' at line ends (our own migration files only).
    void execScript(const QString &script);

    // Runs `work` in a write transaction (BEGIN IMMEDIATE on SQLite, so a reader never has to
    // upgrade its lock and fail with SQLITE_BUSY). Rolls back and rethrows when it throws.
    // Nested calls join the outer transaction.
    template <typename Work>
    auto transaction(Work &&work) -> decltype(work())
    {
        begin();
        try {
            if constexpr (std::is_void_v<decltype(work())>) {
                work();
                commit();
            } else {
                auto result = work();
                commit();
                return result;
            }
        } catch (...) {
            rollback();
            throw;
        }
    }
    bool inTransaction() const { return m_transactionDepth > 0; }

    // Replaces dialect placeholders ({uuid}, {id_pk}, {blob}, {bool}, {bigint}, {double},
    // {text}, {least}, {greatest}) with this database's SQL.
    QString dialectSql(QString sql) const;

    // Reserves `count` new ids for rows of `table` (whose id column is {id_pk}), so a batch
    // can be inserted with multi-row VALUES and its children linked without RETURNING order.
    // Must run inside a transaction.
    QList<qint64> reserveIds(const QString &table, int count);

    // Opens the connection again if it was lost; throws Unavailable when it cannot.
    void ensureConnected();
    // A statement failed as if the connection were gone: probe it before the next job.
    bool connectionSuspect() const { return m_suspect; }

private:
    void open();
    void enableWriteAheadLog();
    void begin();
    void commit();
    void rollback();
    [[noreturn]] void fail(const QSqlQuery &query, const QString &sql);
    bool connectionAlive();

    DatabaseConfig m_config;
    QString m_connectionName;
    QSqlDatabase m_db;
    int m_transactionDepth = 0;
    bool m_suspect = false;
    // Statements that failed inside a transaction, kept until ROLLBACK: QPSQL deallocates a
    // prepared statement when its query dies, which an aborted transaction refuses.
    QList<QSqlQuery> m_failedStatements;
};

} // namespace prophasis
