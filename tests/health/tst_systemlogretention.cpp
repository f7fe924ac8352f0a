#include <QSignalSpy>
#include <QTest>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/logstore.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/storageexecutor.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

LogEntry entryAt(const QString &message, const QDateTime &time)
{
    LogEntry entry;
    entry.firstSeen = entry.lastSeen = time;
    entry.severity = LogSeverity::Warning;
    entry.category = LogCategory::Dispatch;
    entry.message = message;
    return entry;
}

} // namespace

// The system log keeps read entries a month and unread ones up to a year (issue #5, item 4).
class TestSystemLogRetention : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;

    // Entries of every age and state: ids in *read are marked read.
    static void fill(Database &db, const QDateTime &now)
    {
        SystemLogStore log(db);
        const QList<qint64> readIds = {
            log.record(entryAt(QStringLiteral("read, 40 days old"), now.addDays(-40))).id,
            log.record(entryAt(QStringLiteral("read, 10 days old"), now.addDays(-10))).id,
        };
        QCOMPARE(log.markRead(readIds), 2);
        log.record(entryAt(QStringLiteral("unread, 200 days old"), now.addDays(-200)));
        log.record(entryAt(QStringLiteral("unread, 400 days old"), now.addDays(-400)));
    }

    static QStringList messages(Database &db)
    {
        QStringList left;
        for (const LogEntry &entry : SystemLogStore(db).list({}))
            left.append(entry.message);
        left.sort();
        return left;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("logretention"));
    }

    void categoriesAreNamedOnce()
    {
        QCOMPARE(QString(LogCategory::Scheduler), QStringLiteral("scheduler"));
        QCOMPARE(QString(LogCategory::Security), QStringLiteral("security"));
        QCOMPARE(QString(LogCategory::Storage), QStringLiteral("storage"));
        QCOMPARE(QString(LogCategory::Dispatch), QStringLiteral("dispatch"));
    }

    void expireKeepsUnreadEntriesLonger()
    {
        const std::unique_ptr<Database> db = m_testDatabase->freshMigratedDatabase();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        fill(*db, now);
        SystemLogStore log(*db);
        QCOMPARE(log.removeReadOlderThan(now.addDays(-30)), 1);
        QCOMPARE(messages(*db),
                 (QStringList{QStringLiteral("read, 10 days old"), QStringLiteral("unread, 200 days old"),
                              QStringLiteral("unread, 400 days old")}));
        QCOMPARE(log.expire(now, SystemLogRetentionPolicy{}), 1);
        QCOMPARE(messages(*db),
                 (QStringList{QStringLiteral("read, 10 days old"), QStringLiteral("unread, 200 days old")}));
        QCOMPARE(log.unreadCount(), 1);
        // A shorter policy reaches the rest.
        QCOMPARE(log.expire(now, {.readDays = 5, .unreadDays = 100}), 2);
        QVERIFY(messages(*db).isEmpty());
    }

    void retentionRunsThroughTheExecutor()
    {
        DatabaseConfig config;
        const std::unique_ptr<Database> db = m_testDatabase->freshMigratedDatabase(&config);
        fill(*db, QDateTime::currentDateTimeUtc());
        StorageExecutor executor(config, 1);
        SystemLogRetention retention(executor);
        QSignalSpy expired(&retention, &SystemLogRetention::expired);
        retention.start(); // one run at once, then hourly
        QVERIFY(expired.wait(10'000));
        QCOMPARE(expired.first().first().toInt(), 2);
        QCOMPARE(messages(*db),
                 (QStringList{QStringLiteral("read, 10 days old"), QStringLiteral("unread, 200 days old")}));
        QFuture<int> again = retention.expireNow();
        again.waitForFinished();
        QCOMPARE(again.result(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSystemLogRetention)
#include "tst_systemlogretention.moc"
