#include "daemon-core/api/logroutes.h"

#include <QJsonArray>

#include "daemon-core/api/queryparameters.h"

namespace prophasis {

namespace {

using entityroutes::auditEntry;
using entityroutes::sendStorageFailure;

const QString SystemLogEntity = QStringLiteral("system_log");

struct LogPage
{
    QList<LogEntry> entries;
    qint64 unreadCount = 0;
};

// "<last seen ms>_<id>" of a page's last entry: where the next page starts.
QString logCursor(const LogEntry &entry)
{
    return QStringLiteral("%1_%2").arg(entry.lastSeen.toMSecsSinceEpoch()).arg(entry.id);
}

bool readLogCursor(const QString &cursor, LogQuery &query)
{
    const QStringList parts = cursor.split(u'_');
    bool timeOk = false;
    bool idOk = false;
    if (parts.size() != 2)
        return false;
    const qint64 ms = parts[0].toLongLong(&timeOk);
    const qint64 id = parts[1].toLongLong(&idOk);
    if (!timeOk || !idOk || ms < 0 || id <= 0)
        return false;
    query.beforeLastSeen = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    query.beforeId = id;
    return true;
}

HttpResponse withUnreadHeader(HttpResponse response, qint64 unread)
{
    response.headers.append({QByteArrayLiteral("Prophasis-Unread-Count"), QByteArray::number(unread)});
    return response;
}

void listSystemLog(StorageExecutor *storage, QObject *context, const ApiRequest &request,
                   const HttpResponder &responder)
{
    FieldErrors errors;
    const QueryParameters parameters(request.http, errors);
    LogQuery query;
    query.unreadOnly = parameters.flag(QStringLiteral("unread"));
    query.category = parameters.text(QStringLiteral("category"));
    query.hostId = parameters.uuid(QStringLiteral("host"));
    query.since = parameters.time(QStringLiteral("since"));
    query.limit = parameters.integer(QStringLiteral("limit"), query.limit, 1, MaxLogQueryLimit);
    if (parameters.has(QStringLiteral("cursor")) &&
        !readLogCursor(parameters.text(QStringLiteral("cursor")), query))
        errors.add(QStringLiteral("cursor"), QStringLiteral("must be a next_cursor this API returned"));
    if (!errors.isEmpty()) {
        responder.send(fieldErrorsResponse(errors));
        return;
    }
    whenReady(
        storage->run([query](Database &db) {
            SystemLogStore store(db);
            return LogPage{store.list(query), store.unreadCount()};
        }),
        context,
        [responder, limit = query.limit](const LogPage &page) {
            QJsonArray entries;
            for (const LogEntry &entry : page.entries)
                entries.append(toJson(entry));
            const QJsonValue next =
                page.entries.size() >= limit ? QJsonValue(logCursor(page.entries.constLast())) : QJsonValue();
            responder.send(withUnreadHeader(
                HttpResponse::json(200, QJsonObject{{QStringLiteral("entries"), entries},
                                                    {QStringLiteral("unread_count"), page.unreadCount},
                                                    {QStringLiteral("next_cursor"), next}}),
                page.unreadCount));
        },
        [responder](const StorageError &error) { sendStorageFailure(responder, error); });
}

// {"ids": [...]} or {"all": true}; nullopt (and *errors) when it is neither.
std::optional<QList<qint64>> readMarkRequest(const QJsonObject &body, bool *all, FieldErrors *errors)
{
    *all = body.value(QStringLiteral("all")).toBool(false);
    const QJsonValue ids = body.value(QStringLiteral("ids"));
    if (*all) {
        if (!ids.isUndefined())
            errors->add(QStringLiteral("ids"), QStringLiteral("must not be given with \"all\""));
        return errors->isEmpty() ? std::optional<QList<qint64>>(QList<qint64>{}) : std::nullopt;
    }
    if (!ids.isArray() || ids.toArray().isEmpty()) {
        errors->add(QStringLiteral("ids"), QStringLiteral("must be a non-empty list of entry ids, or give "
                                                          "\"all\": true"));
        return std::nullopt;
    }
    const QJsonArray array = ids.toArray();
    if (array.size() > MaxLogQueryLimit) {
        errors->add(QStringLiteral("ids"), QStringLiteral("must hold at most %1 ids").arg(MaxLogQueryLimit));
        return std::nullopt;
    }
    QList<qint64> list;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const double id = array[i].toDouble(-1);
        if (!array[i].isDouble() || id < 1 || id != double(qint64(id))) {
            errors->add(QStringLiteral("ids.%1").arg(i), QStringLiteral("must be an entry id"));
            continue;
        }
        list.append(qint64(id));
    }
    return errors->isEmpty() ? std::optional<QList<qint64>>(list) : std::nullopt;
}

struct LogChange
{
    int count = 0;
    qint64 unreadCount = 0;
};

AuditEntry logAudit(const ApiRequest &request, const QString &action, const QString &summary, int count)
{
    AuditEntry entry = auditEntry(request, action, SystemLogEntity, {}, summary);
    entry.details.insert(QStringLiteral("count"), count);
    return entry;
}

void listAudit(StorageExecutor *storage, QObject *context, const ApiRequest &request,
               const HttpResponder &responder)
{
    FieldErrors errors;
    const QueryParameters parameters(request.http, errors);
    AuditQuery query;
    query.since = parameters.time(QStringLiteral("since"));
    query.until = parameters.time(QStringLiteral("until"));
    query.entityId = parameters.uuid(QStringLiteral("entity"));
    query.userId = parameters.uuid(QStringLiteral("user"));
    query.limit = parameters.integer(QStringLiteral("limit"), query.limit, 1, MaxLogQueryLimit);
    if (parameters.has(QStringLiteral("cursor"))) {
        bool ok = false;
        query.beforeId = parameters.text(QStringLiteral("cursor")).toLongLong(&ok);
        if (!ok || query.beforeId <= 0)
            errors.add(QStringLiteral("cursor"), QStringLiteral("must be a next_cursor this API returned"));
    }
    if (!errors.isEmpty()) {
        responder.send(fieldErrorsResponse(errors));
        return;
    }
    whenReady(
        storage->run([query](Database &db) { return AuditLogStore(db).list(query); }), context,
        [responder, limit = query.limit](const QList<AuditEntry> &page) {
            QJsonArray entries;
            for (const AuditEntry &entry : page)
                entries.append(toJson(entry));
            // Audit entries page by id alone: they are appended in id order and never change.
            const QJsonValue next =
                page.size() >= limit ? QJsonValue(QString::number(page.constLast().id)) : QJsonValue();
            responder.send(HttpResponse::json(200, QJsonObject{{QStringLiteral("entries"), entries},
                                                               {QStringLiteral("next_cursor"), next}}));
        },
        [responder](const StorageError &error) { sendStorageFailure(responder, error); });
}

} // namespace

void mountLogRoutes(RouteTable &routes, const ApiContext &api)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const QString logs = QStringLiteral("/api/v1/logs");

    routes.add(QByteArrayLiteral("GET"), logs,
               api.guard.require(Permission::Read, [=](const ApiRequest &request, HttpResponder responder) {
                   listSystemLog(storage, context, request, responder);
               }));

    routes.add(
        QByteArrayLiteral("POST"), logs + QStringLiteral("/read"),
        api.guard.require(Permission::ManageLogs, [=](const ApiRequest &request, HttpResponder responder) {
            const std::optional<QJsonObject> body = readJsonObject(request.http, responder);
            if (!body)
                return;
            bool all = false;
            FieldErrors errors;
            const std::optional<QList<qint64>> ids = readMarkRequest(*body, &all, &errors);
            if (!ids) {
                responder.send(fieldErrorsResponse(errors));
                return;
            }
            whenReady(
                storage->run([request, all, ids = *ids](Database &db) {
                    return db.transaction([&] {
                        SystemLogStore store(db);
                        const int marked = all ? store.markAllRead() : store.markRead(ids);
                        AuditLogStore(db).append(
                            logAudit(request, QStringLiteral("mark_read"),
                                     all ? QStringLiteral("every entry marked read")
                                         : QStringLiteral("%1 entries marked read").arg(marked),
                                     marked));
                        return LogChange{marked, store.unreadCount()};
                    });
                }),
                context,
                [responder](const LogChange &change) {
                    responder.send(withUnreadHeader(
                        HttpResponse::json(200,
                                           QJsonObject{{QStringLiteral("marked"), change.count},
                                                       {QStringLiteral("unread_count"), change.unreadCount}}),
                        change.unreadCount));
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));

    // Clearing removes read entries only: an entry nobody has seen yet stays until it is read.
    routes.add(
        QByteArrayLiteral("DELETE"), logs,
        api.guard.require(Permission::ManageLogs, [=](const ApiRequest &request, HttpResponder responder) {
            whenReady(
                storage->run([request](Database &db) {
                    return db.transaction([&] {
                        SystemLogStore store(db);
                        // Every read entry, whatever its time (a clock set back leaves some "in the future").
                        const int removed =
                            store.removeReadOlderThan(QDateTime::currentDateTimeUtc().addYears(1000));
                        AuditLogStore(db).append(
                            logAudit(request, QStringLiteral("clear"),
                                     QStringLiteral("%1 read entries removed").arg(removed), removed));
                        return LogChange{removed, store.unreadCount()};
                    });
                }),
                context,
                [responder](const LogChange &change) {
                    responder.send(withUnreadHeader(
                        HttpResponse::json(200,
                                           QJsonObject{{QStringLiteral("removed"), change.count},
                                                       {QStringLiteral("unread_count"), change.unreadCount}}),
                        change.unreadCount));
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));

    routes.add(
        QByteArrayLiteral("GET"), QStringLiteral("/api/v1/audit"),
        api.guard.require(Permission::ReadAudit, [=](const ApiRequest &request, HttpResponder responder) {
            listAudit(storage, context, request, responder);
        }));
}

} // namespace prophasis
