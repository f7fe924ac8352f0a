#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QUuid>

#include "shared/domain/logentry.h"

namespace prophasis {

class Database;

// The most rows one list() returns, however large the query's limit.
inline constexpr int MaxLogQueryLimit = 1000;

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

private:
    Database &m_db;
};

struct AuditQuery
{
    QDateTime since{}; // at or after; invalid: no bound
    QDateTime until{}; // at or before; invalid: no bound
    QUuid entityId{};  // null: every entity
    QUuid userId{};    // null: every user
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
