#include <QTest>

#include "daemon-core/storage/databaseconfig.h"

using namespace prophasis;

class TestDatabaseConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void postgresUrl()
    {
        QString error;
        const auto config = DatabaseConfig::fromUrl(
            QStringLiteral("postgresql://monitor:s%40cret@db.example.org:6543/prophasis?sslmode=verify-full"), &error);
        QVERIFY2(config, qPrintable(error));
        QCOMPARE(config->kind, DatabaseKind::Postgres);
        QCOMPARE(config->host, QStringLiteral("db.example.org"));
        QCOMPARE(config->port, 6543);
        QCOMPARE(config->user, QStringLiteral("monitor"));
        QCOMPARE(config->password, QStringLiteral("s@cret"));
        QCOMPARE(config->database, QStringLiteral("prophasis"));
        QCOMPARE(config->parameters.value(QStringLiteral("sslmode")), QStringLiteral("verify-full"));
        // The password never shows in messages.
        QVERIFY(!config->displayName().contains(QStringLiteral("cret")));
        QVERIFY(config->displayName().contains(QStringLiteral("db.example.org:6543/prophasis")));
    }

    void defaultsAndShortScheme()
    {
        QString error;
        const auto config = DatabaseConfig::fromUrl(QStringLiteral("postgres://monitor@127.0.0.1/prophasis"), &error);
        QVERIFY2(config, qPrintable(error));
        QCOMPARE(config->port, 5432);
        QVERIFY(config->password.isEmpty()); // libpq reads ~/.pgpass
    }

    void unixSocketDirectory()
    {
        QString error;
        const auto config = DatabaseConfig::fromUrl(QStringLiteral("postgresql://postgres@/prophasis?host=/run/postgresql"), &error);
        QVERIFY2(config, qPrintable(error));
        QCOMPARE(config->parameters.value(QStringLiteral("host")), QStringLiteral("/run/postgresql"));
    }

    void sqliteUrls()
    {
        QString error;
        QCOMPARE(DatabaseConfig::fromUrl(QStringLiteral("sqlite:/var/lib/prophasis/db.sqlite"), &error)->sqlitePath,
                 QStringLiteral("/var/lib/prophasis/db.sqlite"));
        QCOMPARE(DatabaseConfig::fromUrl(QStringLiteral("sqlite:///var/lib/p.db"), &error)->sqlitePath,
                 QStringLiteral("/var/lib/p.db"));
        QCOMPARE(DatabaseConfig::fromUrl(QStringLiteral("sqlite:/x.db"), &error)->kind, DatabaseKind::Sqlite);
    }

    void badUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("expected");
        QTest::newRow("other scheme") << "mysql://root@localhost/db" << "is not a database URL";
        QTest::newRow("no database") << "postgresql://u@localhost" << "names no database";
        QTest::newRow("no host") << "postgresql:///db" << "names no host";
        QTest::newRow("unknown parameter") << "postgresql://u@h/db?sslmdoe=require" << "unknown database URL parameter 'sslmdoe'";
        QTest::newRow("empty sqlite") << "sqlite:" << "names no file";
        QTest::newRow("garbage") << "not a url" << "is not a database URL";
    }

    void badUrls()
    {
        QFETCH(QString, url);
        QFETCH(QString, expected);
        QString error;
        QVERIFY(!DatabaseConfig::fromUrl(url, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }
};

QTEST_APPLESS_MAIN(TestDatabaseConfig)
#include "tst_databaseconfig.moc"
