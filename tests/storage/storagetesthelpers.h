#pragma once

#include <QMutex>
#include <QSqlQuery>
#include <QStringList>
#include <QTest>

#include <functional>
#include <thread>
#include <vector>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/databaseconfig.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/timechunks.h"

namespace prophasis::test {

inline qint64 countRows(Database &db, const QString &table)
{
    QSqlQuery query = db.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table));
    query.next();
    return query.value(0).toLongLong();
}

inline bool tableExists(Database &db, const QString &table)
{
    QSqlQuery query = db.exec(
        db.kind() == DatabaseKind::Sqlite
            ? QStringLiteral("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?")
            : QStringLiteral(
                  "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?"),
        {table});
    query.next();
    return query.value(0).toInt() > 0;
}

// Rows in every time chunk of the time series: `table` is "results" or "messages" (one table
// per day) or "rollups" (one per month).
inline qint64 countChunkRows(Database &db, const QString &table)
{
    const bool rollups = table == QLatin1String("rollups");
    qint64 total = 0;
    for (const TimeChunk &chunk : TimeChunks(db).all(rollups ? ChunkKind::Rollup : ChunkKind::Raw)) {
        total += countRows(db, rollups                             ? chunk.rollupsTable()
                               : table == QLatin1String("results") ? chunk.resultsTable()
                                                                   : chunk.messagesTable());
    }
    return total;
}

// Runs `work(i)` for i in [0, count) on threads of their own, each with its own connection to
// `config`, all at once; returns the messages of the StorageErrors they threw.
inline QStringList onConcurrentConnections(const DatabaseConfig &config, int count,
                                           const std::function<void(int, Database &)> &work)
{
    QStringList failures;
    QMutex failuresMutex;
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
        threads.emplace_back([&, i] {
            try {
                Database db(config);
                work(i, db);
            } catch (const StorageError &error) {
                QMutexLocker locker(&failuresMutex);
                failures.append(error.message());
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    return failures;
}

} // namespace prophasis::test

// Fails the test unless `expression` throws a StorageError of `expectedKind`.
#define QVERIFY_STORAGE_ERROR(expression, expectedKind)                                                      \
    do {                                                                                                     \
        try {                                                                                                \
            expression;                                                                                      \
            QFAIL("expected a StorageError of kind " #expectedKind);                                         \
        } catch (const prophasis::StorageError &storageError) {                                              \
            QVERIFY2(storageError.kind() == (expectedKind), qPrintable(storageError.message()));             \
        }                                                                                                    \
    } while (false)
