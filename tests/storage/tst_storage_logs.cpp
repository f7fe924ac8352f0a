#include <QMutex>
#include <QSet>
#include <QSqlQuery>
#include <QTest>

#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/logstore.h"
#include "daemon-core/storage/migrations.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

const qint64 T0 = 1'700'000'000'000;

// Whole milliseconds, as the database stores them.
QDateTime at(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

LogEntry makeEntry(const QString &foldKey, const QString &message, qint64 timeMs,
                   LogSeverity severity = LogSeverity::Warning,
                   const QString &category = QStringLiteral("dispatch"))
{
    LogEntry entry;
    entry.firstSeen = at(timeMs);
    entry.lastSeen = at(timeMs);
    entry.severity = severity;
    entry.category = category;
    entry.message = message;
    entry.foldKey = foldKey;
    return entry;
}

AuditEntry makeAudit(const QString &action, qint64 timeMs, const QUuid &userId = {},
                     const QUuid &entityId = {})
{
    AuditEntry entry;
    entry.time = at(timeMs);
    entry.userId = userId;
    entry.username = QStringLiteral("alice");
    entry.source = QStringLiteral("192.0.2.7");
    entry.action = action;
    entry.entityType = QStringLiteral("host");
    entry.entityId = entityId;
    entry.summary = action + QStringLiteral(" a host");
    return entry;
}

Host makeHost(const QString &name)
{
    Host host;
    host.name = name;
    host.address = name + QStringLiteral(".example.org");
    return host;
}

qint64 countRows(Database &db, const QString &table)
{
    QSqlQuery query = db.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table));
    query.next();
    return query.value(0).toLongLong();
}

QList<qint64> idsOf(const QList<LogEntry> &entries)
{
    QList<qint64> ids;
    for (const LogEntry &entry : entries)
        ids.append(entry.id);
    return ids;
}

QList<qint64> idsOf(const QList<AuditEntry> &entries)
{
    QList<qint64> ids;
    for (const AuditEntry &entry : entries)
        ids.append(entry.id);
    return ids;
}

// Runs `work(db, thread)` on `threads` threads at once, each with a connection of its own to
// `config`; returns the error messages they threw.
template <typename Work>
QStringList runConcurrently(const DatabaseConfig &config, int threads, Work work)
{
    QMutex mutex;
    QStringList errors;
    std::latch start(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            try {
                Database db(config);
                start.arrive_and_wait(); // open first, then write together
                work(db, t);
            } catch (const std::exception &error) {
                const QMutexLocker lock(&mutex);
                errors.append(QString::fromUtf8(error.what()));
            }
        });
    }
    for (std::thread &worker : workers)
        worker.join();
    return errors;
}

} // namespace

#define QVERIFY_STORAGE_ERROR(expression, expectedKind)                                                      \
    do {                                                                                                     \
        try {                                                                                                \
            expression;                                                                                      \
            QFAIL("expected a StorageError");                                                                \
        } catch (const StorageError &error) {                                                                \
            QCOMPARE(int(error.kind()), int(expectedKind));                                                  \
        }                                                                                                    \
    } while (false)

class TestStorageLogs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("storage_logs"));
    }

    void init()
    {
        m_db.reset();
        m_db = m_testDatabase->freshMigratedDatabase(&m_config);
    }

    void cleanup() { m_db.reset(); }

    void recordStoresEveryField()
    {
        HostStore hosts(*m_db);
        SystemLogStore log(*m_db);
        const Host web1 = hosts.create(makeHost(QStringLiteral("web1")));
        LogEntry draft = makeEntry(QStringLiteral("agent-down:web1"), QStringLiteral("web1 does not answer"),
                                   T0, LogSeverity::Error, QStringLiteral("dispatch"));
        draft.firstSeen = at(T0 - 10);
        draft.hostId = web1.id;
        const LogEntry stored = log.record(draft);
        QVERIFY(stored.id > 0);
        QCOMPARE(stored.firstSeen, at(T0 - 10));
        QCOMPARE(stored.lastSeen, at(T0));
        QCOMPARE(stored.count, 1);
        QCOMPARE(stored.severity, LogSeverity::Error);
        QCOMPARE(stored.category, QStringLiteral("dispatch"));
        QCOMPARE(stored.message, QStringLiteral("web1 does not answer"));
        QCOMPARE(stored.foldKey, QStringLiteral("agent-down:web1"));
        QCOMPARE(stored.hostId, web1.id);
        QCOMPARE(stored.read, false);

        const QList<LogEntry> listed = log.list({});
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed[0].id, stored.id);
        QCOMPARE(listed[0].firstSeen, at(T0 - 10));
        QCOMPARE(listed[0].severity, LogSeverity::Error);
        QCOMPARE(listed[0].hostId, web1.id);
        QCOMPARE(listed[0].foldKey, QStringLiteral("agent-down:web1"));
    }

    void repeatsFoldIntoOneEntry()
    {
        SystemLogStore log(*m_db);
        const LogEntry first = log.record(makeEntry(QStringLiteral("k"), QStringLiteral("first text"), T0));
        const LogEntry second = log.record(
            makeEntry(QStringLiteral("k"), QStringLiteral("second text"), T0 + 60'000, LogSeverity::Error));
        QCOMPARE(second.id, first.id);
        QCOMPARE(second.count, 2);
        QCOMPARE(second.firstSeen, at(T0));
        QCOMPARE(second.lastSeen, at(T0 + 60'000));
        QCOMPARE(second.message, QStringLiteral("second text"));
        QCOMPARE(second.severity, LogSeverity::Error);
        QCOMPARE(countRows(*m_db, QStringLiteral("system_log")), 1);

        // A repeat arriving late (older than the newest) counts but does not win.
        LogEntry late =
            makeEntry(QStringLiteral("k"), QStringLiteral("late text"), T0 + 30'000, LogSeverity::Info);
        late.firstSeen = at(T0 - 5000);
        late.count = 5;
        const LogEntry third = log.record(late);
        QCOMPARE(third.count, 7);
        QCOMPARE(third.lastSeen, at(T0 + 60'000));
        QCOMPARE(third.firstSeen, at(T0 - 5000));
        QCOMPARE(third.message, QStringLiteral("second text"));
        QCOMPARE(third.severity, LogSeverity::Error);

        const QList<LogEntry> listed = log.list({});
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed[0].count, 7);
        QCOMPARE(listed[0].message, QStringLiteral("second text"));
    }

    void emptyFoldKeyFoldsByCategoryAndMessage()
    {
        SystemLogStore log(*m_db);
        const LogEntry a = log.record(makeEntry(QString(), QStringLiteral("disk full"), T0));
        QCOMPARE(a.foldKey, QStringLiteral("dispatch|disk full"));
        const LogEntry again = log.record(makeEntry(QString(), QStringLiteral("disk full"), T0 + 1));
        QCOMPARE(again.id, a.id);
        QCOMPARE(again.count, 2);
        const LogEntry otherMessage =
            log.record(makeEntry(QString(), QStringLiteral("disk nearly full"), T0 + 2));
        const LogEntry otherCategory = log.record(makeEntry(QString(), QStringLiteral("disk full"), T0 + 3,
                                                            LogSeverity::Warning, QStringLiteral("alert")));
        QVERIFY(otherMessage.id != a.id);
        QVERIFY(otherCategory.id != a.id && otherCategory.id != otherMessage.id);
        QCOMPARE(otherCategory.count, 1);
        QCOMPARE(countRows(*m_db, QStringLiteral("system_log")), 3);
    }

    void differentKeysStaySeparate()
    {
        SystemLogStore log(*m_db);
        const LogEntry a = log.record(makeEntry(QStringLiteral("a"), QStringLiteral("same text"), T0));
        const LogEntry b = log.record(makeEntry(QStringLiteral("b"), QStringLiteral("same text"), T0 + 1));
        log.record(makeEntry(QStringLiteral("a"), QStringLiteral("same text"), T0 + 2));
        QVERIFY(a.id != b.id);
        QCOMPARE(log.unreadCount(), 2);
        const QList<LogEntry> listed = log.list({});
        QCOMPARE(idsOf(listed), (QList<qint64>{a.id, b.id})); // a was seen last
        QCOMPARE(listed[0].count, 2);
        QCOMPARE(listed[1].count, 1);
    }

    void aReadEntryDoesNotAbsorbRepeats()
    {
        SystemLogStore log(*m_db);
        const LogEntry first = log.record(makeEntry(QStringLiteral("k"), QStringLiteral("x"), T0));
        log.record(makeEntry(QStringLiteral("k"), QStringLiteral("x"), T0 + 1));
        QCOMPARE(log.unreadCount(), 1);
        QCOMPARE(log.markRead({first.id}), 1);
        QCOMPARE(log.unreadCount(), 0);
        QCOMPARE(log.markRead({first.id}), 0); // already read

        const LogEntry next = log.record(makeEntry(QStringLiteral("k"), QStringLiteral("x"), T0 + 2));
        QVERIFY(next.id != first.id);
        QCOMPARE(next.count, 1);
        QCOMPARE(next.read, false);
        QCOMPARE(log.unreadCount(), 1);
        const QList<LogEntry> listed = log.list({});
        QCOMPARE(listed.size(), 2);
        QCOMPARE(listed[1].id, first.id);
        QCOMPARE(listed[1].count, 2);
        QCOMPARE(listed[1].read, true);

        // Two read entries with one key may coexist; the index only restricts unread ones.
        QCOMPARE(log.markAllRead(), 1);
        log.record(makeEntry(QStringLiteral("k"), QStringLiteral("x"), T0 + 3));
        QCOMPARE(countRows(*m_db, QStringLiteral("system_log")), 3);
        QCOMPARE(log.unreadCount(), 1);
    }

    void markReadAndUnreadCount()
    {
        SystemLogStore log(*m_db);
        QList<qint64> ids;
        for (int i = 0; i < 4; ++i)
            ids.append(log.record(makeEntry(QStringLiteral("k%1").arg(i), QStringLiteral("m"), T0 + i)).id);
        QCOMPARE(log.unreadCount(), 4);
        QCOMPARE(log.markRead({ids[0], ids[2], 999'999}), 2);
        QCOMPARE(log.unreadCount(), 2);
        QCOMPARE(idsOf(log.list({.unreadOnly = true})), (QList<qint64>{ids[3], ids[1]}));
        QCOMPARE(log.markRead({}), 0);
        QCOMPARE(log.markAllRead(), 2);
        QCOMPARE(log.unreadCount(), 0);
        QCOMPARE(log.markAllRead(), 0);
        QCOMPARE(log.list({}).size(), 4); // read entries are kept
    }

    void listFilters()
    {
        HostStore hosts(*m_db);
        SystemLogStore log(*m_db);
        const Host web1 = hosts.create(makeHost(QStringLiteral("web1")));
        const Host web2 = hosts.create(makeHost(QStringLiteral("web2")));
        LogEntry onWeb1 = makeEntry(QStringLiteral("k1"), QStringLiteral("m"), T0 + 1000);
        onWeb1.hostId = web1.id;
        const qint64 id1 = log.record(onWeb1).id;
        LogEntry onWeb2 = makeEntry(QStringLiteral("k2"), QStringLiteral("m"), T0 + 2000,
                                    LogSeverity::Warning, QStringLiteral("alert"));
        onWeb2.hostId = web2.id;
        const qint64 id2 = log.record(onWeb2).id;
        const qint64 id3 = log.record(makeEntry(QStringLiteral("k3"), QStringLiteral("m"), T0 + 3000)).id;
        log.markRead({id3});

        QCOMPARE(idsOf(log.list({})), (QList<qint64>{id3, id2, id1}));
        QCOMPARE(idsOf(log.list({.unreadOnly = true})), (QList<qint64>{id2, id1}));
        QCOMPARE(idsOf(log.list({.category = QStringLiteral("dispatch")})), (QList<qint64>{id3, id1}));
        QCOMPARE(idsOf(log.list({.category = QStringLiteral("alert")})), QList<qint64>{id2});
        QVERIFY(log.list({.category = QStringLiteral("nothing")}).isEmpty());
        QCOMPARE(idsOf(log.list({.hostId = web1.id})), QList<qint64>{id1});
        QCOMPARE(idsOf(log.list({.hostId = web2.id})), QList<qint64>{id2});
        QCOMPARE(idsOf(log.list({.since = at(T0 + 2000)})), (QList<qint64>{id3, id2}));
        QCOMPARE(idsOf(log.list({.limit = 2})), (QList<qint64>{id3, id2}));
        QCOMPARE(idsOf(log.list({.unreadOnly = true, .category = QStringLiteral("dispatch")})),
                 QList<qint64>{id1});
    }

    void listPagesByLastSeenAndId()
    {
        SystemLogStore log(*m_db);
        QList<qint64> ids;
        for (int i = 0; i < 7; ++i)
            ids.prepend(log.record(makeEntry(QStringLiteral("k%1").arg(i), QStringLiteral("m"), T0 + i)).id);
        // ids is newest first now.
        QList<qint64> seen;
        LogQuery query;
        query.limit = 3;
        for (int page = 0; page < 5; ++page) {
            const QList<LogEntry> entries = log.list(query);
            if (entries.isEmpty())
                break;
            QVERIFY(entries.size() <= 3);
            seen.append(idsOf(entries));
            query.beforeLastSeen = entries.constLast().lastSeen;
            query.beforeId = entries.constLast().id;
        }
        QCOMPARE(seen, ids);
    }

    void pagingSurvivesFolding()
    {
        // An old entry that folds a new repeat moves to the top; paging must still visit
        // every entry once.
        SystemLogStore log(*m_db);
        const qint64 first = log.record(makeEntry(QStringLiteral("a"), QStringLiteral("m"), T0 + 10)).id;
        const qint64 second = log.record(makeEntry(QStringLiteral("b"), QStringLiteral("m"), T0 + 50)).id;
        const qint64 third = log.record(makeEntry(QStringLiteral("c"), QStringLiteral("m"), T0 + 60)).id;
        log.record(makeEntry(QStringLiteral("a"), QStringLiteral("m"), T0 + 100));
        QList<qint64> seen;
        LogQuery query;
        query.limit = 1;
        for (int page = 0; page < 5; ++page) {
            const QList<LogEntry> entries = log.list(query);
            if (entries.isEmpty())
                break;
            seen.append(idsOf(entries));
            query.beforeLastSeen = entries.constLast().lastSeen;
            query.beforeId = entries.constLast().id;
        }
        QCOMPARE(seen, (QList<qint64>{first, third, second}));
    }

    void removeOlderThanUsesLastSeen()
    {
        SystemLogStore log(*m_db);
        const LogEntry old = log.record(makeEntry(QStringLiteral("old"), QStringLiteral("m"), T0));
        // First seen long ago, but seen again recently: kept.
        const LogEntry revived = log.record(makeEntry(QStringLiteral("revived"), QStringLiteral("m"), T0));
        log.record(makeEntry(QStringLiteral("revived"), QStringLiteral("m"), T0 + 10'000));
        const LogEntry recent =
            log.record(makeEntry(QStringLiteral("recent"), QStringLiteral("m"), T0 + 10'000));
        QCOMPARE(log.removeOlderThan(at(T0 + 5000)), 1);
        QCOMPARE(idsOf(log.list({})), (QList<qint64>{recent.id, revived.id}));
        QVERIFY(!idsOf(log.list({})).contains(old.id));
        QCOMPARE(log.removeOlderThan(at(T0 + 10'000)), 0); // the bound is exclusive
        QCOMPARE(log.removeOlderThan(at(T0 + 10'001)), 2);
        QCOMPARE(countRows(*m_db, QStringLiteral("system_log")), 0);
    }

    void unknownHostIsRefused()
    {
        SystemLogStore log(*m_db);
        LogEntry entry = makeEntry(QStringLiteral("k"), QStringLiteral("m"), T0);
        entry.hostId = QUuid::createUuid();
        QVERIFY_STORAGE_ERROR(log.record(entry), StorageError::Kind::MissingReference);
        QCOMPARE(countRows(*m_db, QStringLiteral("system_log")), 0);
    }

    void deletingAHostKeepsItsLogEntries()
    {
        HostStore hosts(*m_db);
        SystemLogStore log(*m_db);
        const Host web1 = hosts.create(makeHost(QStringLiteral("web1")));
        LogEntry entry = makeEntry(QStringLiteral("k"), QStringLiteral("web1 is down"), T0);
        entry.hostId = web1.id;
        const LogEntry stored = log.record(entry);
        QCOMPARE(stored.hostId, web1.id);
        hosts.remove(web1.id);
        const QList<LogEntry> listed = log.list({});
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed[0].id, stored.id);
        QVERIFY(listed[0].hostId.isNull());
        QCOMPARE(listed[0].message, QStringLiteral("web1 is down"));
        // The entry still folds repeats after losing its host.
        QCOMPARE(log.record(makeEntry(QStringLiteral("k"), QStringLiteral("again"), T0 + 1)).id, stored.id);
    }

    void concurrentRepeatsFoldIntoOneEntry()
    {
        constexpr int Threads = 6;
        constexpr int PerThread = 40;
        const QStringList errors = runConcurrently(m_config, Threads, [](Database &db, int thread) {
            SystemLogStore log(db);
            for (int i = 0; i < PerThread; ++i)
                log.record(makeEntry(QStringLiteral("shared-key"), QStringLiteral("from %1").arg(thread),
                                     T0 + thread * 1000 + i));
        });
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));

        SystemLogStore log(*m_db);
        const QList<LogEntry> entries = log.list({});
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries[0].count, qint64(Threads * PerThread));
        QCOMPARE(entries[0].read, false);
        QCOMPARE(entries[0].firstSeen, at(T0));
        QCOMPARE(entries[0].lastSeen, at(T0 + (Threads - 1) * 1000 + PerThread - 1));
        QCOMPARE(entries[0].message, QStringLiteral("from %1").arg(Threads - 1));
        QCOMPARE(log.unreadCount(), 1);
    }

    void auditAppendAndRead()
    {
        AuditLogStore audit(*m_db);
        AuditEntry draft = makeAudit(QStringLiteral("update"), T0, QUuid::createUuid(), QUuid::createUuid());
        draft.details = QJsonObject{{QStringLiteral("before"), QJsonObject{{QStringLiteral("port"), 4048}}},
                                    {QStringLiteral("after"), QJsonObject{{QStringLiteral("port"), 14048}}}};
        const qint64 id = audit.append(draft);
        QVERIFY(id > 0);
        const QList<AuditEntry> listed = audit.list({});
        QCOMPARE(listed.size(), 1);
        const AuditEntry &read = listed[0];
        QCOMPARE(read.id, id);
        QCOMPARE(read.time, at(T0));
        QCOMPARE(read.userId, draft.userId);
        QCOMPARE(read.username, QStringLiteral("alice"));
        QCOMPARE(read.source, QStringLiteral("192.0.2.7"));
        QCOMPARE(read.action, QStringLiteral("update"));
        QCOMPARE(read.entityType, QStringLiteral("host"));
        QCOMPARE(read.entityId, draft.entityId);
        QCOMPARE(read.summary, QStringLiteral("update a host"));
        QCOMPARE(read.details, draft.details);

        // Without a user or entity (a failed login by an unknown name), without a time.
        AuditEntry anonymous;
        anonymous.action = QStringLiteral("login_failed");
        anonymous.username = QStringLiteral("mallory");
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const qint64 anonymousId = audit.append(anonymous);
        const AuditEntry readAnonymous = audit.list({}).constFirst();
        QCOMPARE(readAnonymous.id, anonymousId);
        QVERIFY(readAnonymous.userId.isNull());
        QVERIFY(readAnonymous.entityId.isNull());
        QVERIFY(readAnonymous.details.isEmpty());
        QVERIFY(readAnonymous.time.toMSecsSinceEpoch() >= before);

        AuditEntry noAction = draft;
        noAction.action.clear();
        QVERIFY_STORAGE_ERROR(audit.append(noAction), StorageError::Kind::Invalid);
        QCOMPARE(countRows(*m_db, QStringLiteral("audit_log")), 2);
    }

    void auditFiltersAndPaging()
    {
        AuditLogStore audit(*m_db);
        const QUuid alice = QUuid::createUuid();
        const QUuid bob = QUuid::createUuid();
        const QUuid hostA = QUuid::createUuid();
        const QUuid hostB = QUuid::createUuid();
        const qint64 a1 = audit.append(makeAudit(QStringLiteral("create"), T0, alice, hostA));
        const qint64 b1 = audit.append(makeAudit(QStringLiteral("create"), T0 + 1000, bob, hostB));
        const qint64 a2 = audit.append(makeAudit(QStringLiteral("update"), T0 + 2000, alice, hostB));
        const qint64 b2 = audit.append(makeAudit(QStringLiteral("delete"), T0 + 3000, bob, hostA));

        QCOMPARE(idsOf(audit.list({})), (QList<qint64>{b2, a2, b1, a1}));
        QCOMPARE(idsOf(audit.list({.userId = alice})), (QList<qint64>{a2, a1}));
        QCOMPARE(idsOf(audit.list({.entityId = hostA})), (QList<qint64>{b2, a1}));
        QCOMPARE(idsOf(audit.list({.entityId = hostB, .userId = bob})), QList<qint64>{b1});
        QCOMPARE(idsOf(audit.list({.since = at(T0 + 1000)})), (QList<qint64>{b2, a2, b1}));
        QCOMPARE(idsOf(audit.list({.until = at(T0 + 1000)})), (QList<qint64>{b1, a1}));
        QCOMPARE(idsOf(audit.list({.since = at(T0 + 500), .until = at(T0 + 2500)})), (QList<qint64>{a2, b1}));
        QCOMPARE(idsOf(audit.list({.limit = 2})), (QList<qint64>{b2, a2}));
        QCOMPARE(idsOf(audit.list({.limit = 2, .beforeId = a2})), (QList<qint64>{b1, a1}));
        QVERIFY(audit.list({.beforeId = a1}).isEmpty());
    }

    void auditRemoveOlderThan()
    {
        AuditLogStore audit(*m_db);
        audit.append(makeAudit(QStringLiteral("create"), T0));
        audit.append(makeAudit(QStringLiteral("update"), T0 + 1000));
        const qint64 kept = audit.append(makeAudit(QStringLiteral("delete"), T0 + 2000));
        QCOMPARE(audit.removeOlderThan(at(T0 + 2000)), 2);
        QCOMPARE(idsOf(audit.list({})), QList<qint64>{kept});
        QCOMPARE(audit.removeOlderThan(at(T0 + 2000)), 0);
    }

    void concurrentAuditAppendsAreAllKept()
    {
        constexpr int Threads = 6;
        constexpr int PerThread = 40;
        QMutex mutex;
        QList<qint64> returned;
        const QStringList errors = runConcurrently(m_config, Threads, [&](Database &db, int thread) {
            AuditLogStore audit(db);
            QList<qint64> mine;
            for (int i = 0; i < PerThread; ++i)
                mine.append(
                    audit.append(makeAudit(QStringLiteral("update %1/%2").arg(thread).arg(i), T0 + i)));
            const QMutexLocker lock(&mutex);
            returned.append(mine);
        });
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));

        QCOMPARE(returned.size(), Threads * PerThread);
        const QSet<qint64> distinct(returned.cbegin(), returned.cend());
        QCOMPARE(distinct.size(), Threads * PerThread);
        AuditLogStore audit(*m_db);
        const QList<AuditEntry> stored = audit.list({.limit = MaxLogQueryLimit});
        QCOMPARE(stored.size(), Threads * PerThread);
        QSet<qint64> storedIds;
        QSet<QString> actions;
        for (const AuditEntry &entry : stored) {
            storedIds.insert(entry.id);
            actions.insert(entry.action);
        }
        QCOMPARE(storedIds, distinct);
        QCOMPARE(actions.size(), Threads * PerThread);
    }

private:
    std::unique_ptr<test::TestDatabase> m_testDatabase;
    DatabaseConfig m_config;
    std::unique_ptr<Database> m_db;
};

QTEST_GUILESS_MAIN(TestStorageLogs)
#include "tst_storage_logs.moc"
