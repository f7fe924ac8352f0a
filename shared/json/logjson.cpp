#include <limits>

#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

constexpr qint64 MaxId = std::numeric_limits<qint64>::max();

} // namespace

QJsonObject toJson(const LogEntry &entry)
{
    return {
        {QStringLiteral("id"), entry.id},
        {QStringLiteral("first_seen"), toJsonTime(entry.firstSeen)},
        {QStringLiteral("last_seen"), toJsonTime(entry.lastSeen)},
        {QStringLiteral("count"), entry.count},
        {QStringLiteral("severity"), enumName(entry.severity)},
        {QStringLiteral("category"), entry.category},
        {QStringLiteral("message"), entry.message},
        {QStringLiteral("fold_key"), entry.foldKey},
        {QStringLiteral("host_id"), toJsonId(entry.hostId)},
        {QStringLiteral("read"), entry.read},
    };
}

FieldErrors fromJson(const QJsonObject &json, LogEntry &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    out.id = reader.integer(QStringLiteral("id"), out.id, 0, MaxId);
    if (reader.has(QStringLiteral("first_seen")))
        out.firstSeen = reader.dateTime(QStringLiteral("first_seen"));
    if (reader.has(QStringLiteral("last_seen")))
        out.lastSeen = reader.dateTime(QStringLiteral("last_seen"));
    out.count = reader.integer(QStringLiteral("count"), out.count, 1, MaxId);
    out.severity = reader.enumValue(QStringLiteral("severity"), out.severity);
    out.category = reader.string(QStringLiteral("category"), out.category);
    out.message = reader.string(QStringLiteral("message"), out.message);
    out.foldKey = reader.string(QStringLiteral("fold_key"), out.foldKey);
    if (reader.has(QStringLiteral("host_id")))
        out.hostId = reader.uuid(QStringLiteral("host_id"));
    out.read = reader.boolean(QStringLiteral("read"), out.read);
    return errors;
}

QJsonObject toJson(const AuditEntry &entry)
{
    return {
        {QStringLiteral("id"), entry.id},
        {QStringLiteral("time"), toJsonTime(entry.time)},
        {QStringLiteral("user_id"), toJsonId(entry.userId)},
        {QStringLiteral("username"), entry.username},
        {QStringLiteral("source"), entry.source},
        {QStringLiteral("action"), entry.action},
        {QStringLiteral("entity_type"), entry.entityType},
        {QStringLiteral("entity_id"), toJsonId(entry.entityId)},
        {QStringLiteral("summary"), entry.summary},
        {QStringLiteral("details"), entry.details},
    };
}

FieldErrors fromJson(const QJsonObject &json, AuditEntry &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    out.id = reader.integer(QStringLiteral("id"), out.id, 0, MaxId);
    if (reader.has(QStringLiteral("time")))
        out.time = reader.dateTime(QStringLiteral("time"));
    if (reader.has(QStringLiteral("user_id")))
        out.userId = reader.uuid(QStringLiteral("user_id"));
    out.username = reader.string(QStringLiteral("username"), out.username);
    out.source = reader.string(QStringLiteral("source"), out.source);
    out.action = reader.string(QStringLiteral("action"), out.action);
    out.entityType = reader.string(QStringLiteral("entity_type"), out.entityType);
    if (reader.has(QStringLiteral("entity_id")))
        out.entityId = reader.uuid(QStringLiteral("entity_id"));
    out.summary = reader.string(QStringLiteral("summary"), out.summary);
    if (reader.has(QStringLiteral("details")))
        out.details = reader.object(QStringLiteral("details"));
    return errors;
}

} // namespace prophasis
