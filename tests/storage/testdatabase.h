#pragma once

#include <QString>
#include <QTemporaryDir>

#include <memory>

#include "daemon-core/storage/database.h"

namespace prophasis::test {

// The database a storage test runs against. Without PROPHASIS_TEST_PG_URL_FILE: a new SQLite
// file per call. With it (set by CTest for the *_postgres tests): a database of its own on the
// throwaway PostgreSQL cluster that tests/scripts/pg-cluster.sh started, emptied on each call,
// so test executables running in parallel never see each other's rows.
class TestDatabase
{
public:
    explicit TestDatabase(const QString &testName);

    bool isPostgres() const { return m_postgres; }
    // A fresh, empty database (no schema yet).
    DatabaseConfig freshDatabase();
    // A fresh database with the schema applied, open on this thread; its config in *config.
    std::unique_ptr<Database> freshMigratedDatabase(DatabaseConfig *config = nullptr);

private:
    bool m_postgres = false;
    QString m_testName;
    DatabaseConfig m_admin;
    std::unique_ptr<QTemporaryDir> m_dir;
    int m_counter = 0;
};

} // namespace prophasis::test
