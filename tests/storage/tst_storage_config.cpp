#include <QSqlQuery>
#include <QMutex>
#include <QTest>

#include <memory>
#include <thread>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/migrations.h"
#include "tests/storage/storagetesthelpers.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;
using prophasis::test::countRows;

namespace {

Host makeHost(const QString &name)
{
    Host host;
    host.name = name;
    host.address = name + QStringLiteral(".example.org");
    host.description = QStringLiteral("a test host");
    host.variables = {{QStringLiteral("disk_warn"), QStringLiteral("85")}};
    return host;
}

HostGroup makeGroup(const QString &name, QList<QUuid> hostIds = {}, QList<QUuid> groupIds = {})
{
    HostGroup group;
    group.name = name;
    group.hostIds = std::move(hostIds);
    group.groupIds = std::move(groupIds);
    return group;
}

} // namespace

class TestStorageConfig : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("storage_config")); }

    void init()
    {
        m_db.reset();
        m_db = m_testDatabase->freshMigratedDatabase(&m_config);
    }

    void cleanup() { m_db.reset(); }

    void migrationsFromEmpty()
    {
        const DatabaseConfig config = m_testDatabase->freshDatabase();
        Database db(config);
        QCOMPARE(schemaVersion(db), 0);
        migrate(db);
        QCOMPARE(schemaVersion(db), latestSchemaVersion());
        // A second run changes nothing and does not fail.
        migrate(db);
        QCOMPARE(schemaVersion(db), latestSchemaVersion());
        QCOMPARE(countRows(db, QStringLiteral("schema_migrations")), qint64(migrations().size()));
        QCOMPARE(countRows(db, QStringLiteral("hosts")), 0);
    }

    void concurrentMigrationsAgree()
    {
        // Several cores starting at once on an empty database: one migrates, the others wait.
        const DatabaseConfig config = m_testDatabase->freshDatabase();
        QStringList failures;
        QMutex failuresMutex;
        std::vector<std::thread> cores;
        for (int i = 0; i < 4; ++i) {
            cores.emplace_back([&] {
                try {
                    Database db(config);
                    migrate(db);
                } catch (const StorageError &error) {
                    QMutexLocker locker(&failuresMutex);
                    failures.append(error.message());
                }
            });
        }
        for (std::thread &core : cores)
            core.join();
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
        Database db(config);
        QCOMPARE(schemaVersion(db), latestSchemaVersion());
        QCOMPARE(countRows(db, QStringLiteral("schema_migrations")), qint64(migrations().size()));
    }

    void refusesNewerSchema()
    {
        m_db->exec(QStringLiteral("INSERT INTO schema_migrations (version, description, applied_ms) VALUES (?, ?, ?)"),
                   {latestSchemaVersion() + 1, QStringLiteral("from the future"), 0});
        QVERIFY_STORAGE_ERROR(migrate(*m_db), StorageError::Kind::Invalid);
    }

    void hostCreateReadUpdateDelete()
    {
        HostStore hosts(*m_db);
        const Host created = hosts.create(makeHost(QStringLiteral("web1")));
        QVERIFY(!created.id.isNull());
        QCOMPARE(created.version, 1);

        const Host read = hosts.get(created.id);
        QCOMPARE(read.name, QStringLiteral("web1"));
        QCOMPARE(read.address, QStringLiteral("web1.example.org"));
        QCOMPARE(read.agentPort, DefaultAgentPort);
        QCOMPARE(read.description, QStringLiteral("a test host"));
        QCOMPARE(read.enabled, true);
        QCOMPARE(read.variables.value(QStringLiteral("disk_warn")), QStringLiteral("85"));

        Host changed = read;
        changed.address = QStringLiteral("192.0.2.10");
        changed.agentPort = 14048;
        changed.enabled = false;
        changed.agentKeySha256 = QString(64, u'a');
        changed.variables.insert(QStringLiteral("load_max"), QStringLiteral("4"));
        const Host updated = hosts.update(changed);
        QCOMPARE(updated.version, 2);
        const Host reread = hosts.get(created.id);
        QCOMPARE(reread.version, 2);
        QCOMPARE(reread.address, QStringLiteral("192.0.2.10"));
        QCOMPARE(reread.agentPort, quint16(14048));
        QCOMPARE(reread.enabled, false);
        QCOMPARE(reread.agentKeySha256, QString(64, u'a'));
        QCOMPARE(reread.variables.size(), 2);

        hosts.remove(created.id);
        QVERIFY(!hosts.find(created.id));
        QVERIFY_STORAGE_ERROR(hosts.remove(created.id), StorageError::Kind::NotFound);
        QVERIFY_STORAGE_ERROR(hosts.get(created.id), StorageError::Kind::NotFound);
    }

    void hostListIsSortedByName()
    {
        HostStore hosts(*m_db);
        hosts.create(makeHost(QStringLiteral("db2")));
        hosts.create(makeHost(QStringLiteral("Alpha")));
        hosts.create(makeHost(QStringLiteral("cache")));
        QStringList names;
        for (const Host &host : hosts.list())
            names.append(host.name);
        QCOMPARE(names, (QStringList{QStringLiteral("Alpha"), QStringLiteral("cache"), QStringLiteral("db2")}));
    }

    void staleVersionIsAConflict()
    {
        HostStore hosts(*m_db);
        const Host created = hosts.create(makeHost(QStringLiteral("web1")));
        Host first = created;
        first.description = QStringLiteral("first admin");
        hosts.update(first);
        Host second = created; // still version 1
        second.description = QStringLiteral("second admin");
        QVERIFY_STORAGE_ERROR(hosts.update(second), StorageError::Kind::Conflict);
        QCOMPARE(hosts.get(created.id).description, QStringLiteral("first admin"));
        QCOMPARE(hosts.get(created.id).version, 2);
    }

    void updateOfMissingObjectIsNotFound()
    {
        HostStore hosts(*m_db);
        Host ghost = makeHost(QStringLiteral("ghost"));
        ghost.id = QUuid::createUuid();
        ghost.version = 1;
        QVERIFY_STORAGE_ERROR(hosts.update(ghost), StorageError::Kind::NotFound);
    }

    void duplicateNamesAreRefusedCaseInsensitively()
    {
        HostStore hosts(*m_db);
        hosts.create(makeHost(QStringLiteral("web1")));
        QVERIFY_STORAGE_ERROR(hosts.create(makeHost(QStringLiteral("WEB1"))), StorageError::Kind::Duplicate);
        const Host other = hosts.create(makeHost(QStringLiteral("web2")));
        Host renamed = other;
        renamed.name = QStringLiteral("Web1");
        QVERIFY_STORAGE_ERROR(hosts.update(renamed), StorageError::Kind::Duplicate);
        QCOMPARE(hosts.list().size(), 2);
    }

    void invalidObjectsAreRefused()
    {
        HostStore hosts(*m_db);
        Host bad = makeHost(QStringLiteral("web1"));
        bad.address = QStringLiteral("not an address");
        try {
            hosts.create(bad);
            QFAIL("expected Invalid");
        } catch (const StorageError &error) {
            QCOMPARE(int(error.kind()), int(StorageError::Kind::Invalid));
            QCOMPARE(error.field(), QStringLiteral("address"));
        }
        QCOMPARE(hosts.list().size(), 0);
    }

    void groupsWithMembersAndNesting()
    {
        HostStore hosts(*m_db);
        HostGroupStore groups(*m_db);
        const Host web1 = hosts.create(makeHost(QStringLiteral("web1")));
        const Host web2 = hosts.create(makeHost(QStringLiteral("web2")));
        const HostGroup inner = groups.create(makeGroup(QStringLiteral("web"), {web2.id, web1.id}));
        HostGroup outerDraft = makeGroup(QStringLiteral("all"), {}, {inner.id});
        outerDraft.variables = {{QStringLiteral("team"), QStringLiteral("ops")}};
        const HostGroup outer = groups.create(outerDraft);

        const HostGroup readInner = groups.get(inner.id);
        QCOMPARE(readInner.hostIds, (QList<QUuid>{web2.id, web1.id})); // order kept
        const HostGroup readOuter = groups.get(outer.id);
        QCOMPARE(readOuter.groupIds, QList<QUuid>{inner.id});
        QCOMPARE(readOuter.variables.value(QStringLiteral("team")), QStringLiteral("ops"));
        QCOMPARE(groups.list().size(), 2);

        HostGroup changed = readInner;
        changed.hostIds = {web1.id};
        groups.update(changed);
        QCOMPARE(groups.get(inner.id).hostIds, QList<QUuid>{web1.id});
    }

    void groupMembersMustExist()
    {
        HostGroupStore groups(*m_db);
        try {
            groups.create(makeGroup(QStringLiteral("web"), {QUuid::createUuid()}));
            QFAIL("expected MissingReference");
        } catch (const StorageError &error) {
            QCOMPARE(int(error.kind()), int(StorageError::Kind::MissingReference));
            QCOMPARE(error.field(), QStringLiteral("host_ids"));
        }
        QCOMPARE(groups.list().size(), 0); // the failed transaction left no partial write
    }

    void groupCyclesAreRefused()
    {
        HostGroupStore groups(*m_db);
        const HostGroup a = groups.create(makeGroup(QStringLiteral("a")));
        const HostGroup b = groups.create(makeGroup(QStringLiteral("b"), {}, {a.id}));
        const HostGroup c = groups.create(makeGroup(QStringLiteral("c"), {}, {b.id}));
        HostGroup closing = groups.get(a.id);
        closing.groupIds = {c.id}; // a ⊃ c ⊃ b ⊃ a
        QVERIFY_STORAGE_ERROR(groups.update(closing), StorageError::Kind::Invalid);
        QVERIFY(groups.get(a.id).groupIds.isEmpty());
        QCOMPARE(groups.get(a.id).version, 1);
    }

    void deletingAHostLeavesNothingDangling()
    {
        HostStore hosts(*m_db);
        HostGroupStore groups(*m_db);
        const Host web1 = hosts.create(makeHost(QStringLiteral("web1")));
        const Host web2 = hosts.create(makeHost(QStringLiteral("web2")));
        const HostGroup group = groups.create(makeGroup(QStringLiteral("web"), {web1.id, web2.id}));
        hosts.remove(web1.id);
        QCOMPARE(groups.get(group.id).hostIds, QList<QUuid>{web2.id});
        QCOMPARE(countRows(*m_db, QStringLiteral("host_group_hosts")), 1);
    }

    void deletingAGroupRemovesItFromParents()
    {
        HostGroupStore groups(*m_db);
        const HostGroup inner = groups.create(makeGroup(QStringLiteral("inner")));
        const HostGroup outer = groups.create(makeGroup(QStringLiteral("outer"), {}, {inner.id}));
        groups.remove(inner.id);
        QVERIFY(groups.get(outer.id).groupIds.isEmpty());
        QCOMPARE(countRows(*m_db, QStringLiteral("host_group_groups")), 0);
    }

    void failedTransactionLeavesNoPartialWrite()
    {
        HostStore hosts(*m_db);
        try {
            m_db->transaction([&] {
                hosts.create(makeHost(QStringLiteral("web1")));
                hosts.create(makeHost(QStringLiteral("web2")));
                throw StorageError(StorageError::Kind::Internal, QStringLiteral("something broke half way"));
            });
            QFAIL("expected the transaction to throw");
        } catch (const StorageError &error) {
            QCOMPARE(error.message(), QStringLiteral("something broke half way"));
        }
        QCOMPARE(hosts.list().size(), 0);
        QVERIFY(!m_db->inTransaction());
        // The connection is usable afterwards.
        hosts.create(makeHost(QStringLiteral("web3")));
        QCOMPARE(hosts.list().size(), 1);
    }

private:
    std::unique_ptr<test::TestDatabase> m_testDatabase;
    DatabaseConfig m_config;
    std::unique_ptr<Database> m_db;
};

QTEST_GUILESS_MAIN(TestStorageConfig)
#include "tst_storage_config.moc"
