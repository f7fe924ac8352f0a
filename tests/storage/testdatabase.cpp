#include "tests/storage/testdatabase.h"

#include <QFile>
#include <QTest>

#include "daemon-core/storage/migrations.h"

namespace prophasis::test {

TestDatabase::TestDatabase(const QString &testName)
    : m_testName(testName.toLower())
    , m_dir(std::make_unique<QTemporaryDir>())
{
    const QByteArray urlFile = qgetenv("PROPHASIS_TEST_PG_URL_FILE");
    if (urlFile.isEmpty())
        return;
    QFile file(QString::fromLocal8Bit(urlFile));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s: is the PostgreSQL test cluster running?", urlFile.constData());
    QString error;
    const std::optional<DatabaseConfig> config = DatabaseConfig::fromUrl(QString::fromUtf8(file.readAll()).trimmed(), &error);
    if (!config)
        qFatal("bad PostgreSQL test URL: %s", qPrintable(error));
    m_admin = *config;
    m_postgres = true;
}

DatabaseConfig TestDatabase::freshDatabase()
{
    ++m_counter;
    if (!m_postgres)
        return DatabaseConfig::sqlite(m_dir->filePath(QStringLiteral("test-%1.db").arg(m_counter)));
    // One database per test executable, recreated per call: DROP DATABASE is cheap on a
    // cluster with fsync off and isolates parallel test executables.
    const QString name = QStringLiteral("t_%1").arg(m_testName);
    {
        Database admin(m_admin);
        admin.exec(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(name));
        admin.exec(QStringLiteral("CREATE DATABASE %1").arg(name));
    }
    DatabaseConfig config = m_admin;
    config.database = name;
    return config;
}

std::unique_ptr<Database> TestDatabase::freshMigratedDatabase(DatabaseConfig *config)
{
    const DatabaseConfig fresh = freshDatabase();
    if (config)
        *config = fresh;
    auto db = std::make_unique<Database>(fresh);
    migrate(*db);
    return db;
}

} // namespace prophasis::test
