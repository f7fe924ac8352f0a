#pragma once

#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUuid>

#include "shared/domain/logentry.h"

namespace prophasis {

class Database;
class StorageExecutor;

// The most rows one list() returns, however large the query's limit.
inline constexpr int MaxLogQueryLimit = 1000;

// The system log's categories (LogEntry::category), named once for the engine, the API's
// filter and the console.
namespace LogCategory {
inline constexpr QLatin1StringView Classifier("classifier"); // classifier errors and limits hit
inline constexpr QLatin1StringView Dispatch("dispatch");     // unreachable agents, failed runs
inline constexpr QLatin1StringView Alert("alert");           // failed deliveries
inline constexpr QLatin1StringView Scheduler("scheduler");   // skipped runs, full queues
inline constexpr QLatin1StringView Package("package");       // signature refusals, pushes refused
inline constexpr QLatin1StringView Security("security");     // changed agent keys, refused logins
inline constexpr QLatin1StringView Storage("storage");       // database outages, dropped results
inline constexpr QLatin1StringView Core("core");             // the core itself: certificate reloads, health
} // namespace LogCategory

// How long the system log keeps entries. Read ones go after a month; unread ones stay until
// read, up to a year (folding keeps them few), so nothing the admin has not seen goes soon.
struct SystemLogRetentionPolicy
{
    int readDays = 30;
    int unreadDays = 365;
};

// Members have initializers so callers can name only the ones they set: {.unreadOnly = true}.
struct LogQuery
{
    bool unreadOnly = false;
    QString category{}; // empty: every category
    QUuid hostId{};     // null: every host
    QDateTime since{};  // entries last seen at or after; invalid: no bound
    int limit = 200;
    // Paging: the entries after (lastSeen, id) of the last row of the previous page, in the
    // list's order. A folded repeat moves an old entry to the top, so id alone cannot page.
    QDateTime beforeLastSeen{}; // invalid: from the newest
    qint64 beforeId = 0;
};

// The system log the admin reads. Repeats fold into the one unread entry with their fold key
// (a partial unique index keeps it single), so once read, the next repeat starts a new entry.
class SystemLogStore
{
public:
    explicit SystemLogStore(Database &db);

    // Adds the entry or folds it into the unread one with the same key (an empty foldKey means
    // category + "|" + message): the count rises by entry.count, the newer time, message and
    // severity win. One statement, so concurrent writers never create a second unread entry.
    // Returns the stored entry. Throws MissingReference for an unknown host.
    LogEntry record(const LogEntry &entry);
    // Newest first (last seen, then id).
    QList<LogEntry> list(const LogQuery &query);
    qint64 unreadCount();
    int markRead(const QList<qint64> &ids);
    int markAllRead();
    // Removes entries last seen before `time`.
    int removeOlderThan(const QDateTime &time);
    // Removes read entries last seen before `time`.
    int removeReadOlderThan(const QDateTime &time);
    // The policy at `now`: read entries past readDays, any entry past unreadDays. Returns how
    // many went.
    int expire(const QDateTime &now, const SystemLogRetentionPolicy &policy);

private:
    Database &m_db;
};

// Records an entry (times unset: now) through the executor, never blocking the caller's loop. When
// the database is away the entry only reaches the process log: the outage itself is reported once.
void recordInSystemLog(StorageExecutor &executor, QObject *context, LogEntry entry);

// Runs SystemLogStore::expire through the executor at start() and then every interval, on the
// core's event loop.
class SystemLogRetention : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultIntervalMs = 3'600'000;

    SystemLogRetention(StorageExecutor &executor, SystemLogRetentionPolicy policy = {},
                       QObject *parent = nullptr, int intervalMs = DefaultIntervalMs);

    void start();
    // One run now (none is started while one is in flight: the future of that one).
    QFuture<int> expireNow();

Q_SIGNALS:
    void expired(int removed);
    void failed(const QString &reason);

private:
    StorageExecutor &m_executor;
    SystemLogRetentionPolicy m_policy;
    QTimer m_timer;
    QFuture<int> m_running;
};

struct AuditQuery
{
    QDateTime since{}; // at or after; invalid: no bound
    QDateTime until{}; // at or before; invalid: no bound
    QUuid entityId{};  // null: every entity
    QUuid userId{};    // null: every user
    qint64 afterId = 0; // only entries appended after this one (a reader following the log)
    int limit = 200;
    // Paging: the entries after (lastSeen, id) of the last row of the previous page, in the
    // list's order. A folded repeat moves an old entry to the top, so id alone cannot page.
    QDateTime beforeLastSeen{}; // invalid: from the newest
    qint64 beforeId = 0;
};

// Who changed what. Append-only apart from removing old entries.
class AuditLogStore
{
public:
    explicit AuditLogStore(Database &db);

    // Stores the entry (an invalid time means now) and returns its id. Throws Invalid without
    // an action.
    qint64 append(const AuditEntry &entry);
    // Newest first by id, the order entries were appended in, so paging by id never skips one.
    QList<AuditEntry> list(const AuditQuery &query);
    int removeOlderThan(const QDateTime &time);

private:
    Database &m_db;
};

} // namespace prophasis
