#pragma once

#include <QSqlQuery>
#include <QTest>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/storageerror.h"

namespace prophasis::test {

inline qint64 countRows(Database &db, const QString &table)
{
    QSqlQuery query = db.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table));
    query.next();
    return query.value(0).toLongLong();
}

} // namespace prophasis::test

// Fails the test unless `expression` throws a StorageError of `expectedKind`.
#define QVERIFY_STORAGE_ERROR(expression, expectedKind)                                                          \
    do {                                                                                                         \
        try {                                                                                                    \
            expression;                                                                                          \
            QFAIL("expected a StorageError of kind " #expectedKind);                                             \
        } catch (const prophasis::StorageError &storageError) {                                                  \
            QVERIFY2(storageError.kind() == (expectedKind), qPrintable(storageError.message()));                 \
        }                                                                                                        \
    } while (false)
