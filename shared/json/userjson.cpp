#include "shared/json/entityjson.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

QJsonObject toJson(const User &user)
{
    return {
        {QStringLiteral("id"), toJsonId(user.id)},
        {QStringLiteral("version"), user.version},
        {QStringLiteral("username"), user.username},
        {QStringLiteral("full_name"), user.fullName},
        {QStringLiteral("role"), enumName(user.role)},
        {QStringLiteral("enabled"), user.enabled},
        {QStringLiteral("failed_logins"), user.failedLogins},
        {QStringLiteral("locked_until"), toJsonTimeOrNull(user.lockedUntil)},
        {QStringLiteral("last_login"), toJsonTimeOrNull(user.lastLogin)},
    };
}

// failed_logins, locked_until and last_login are the core's to set: a client cannot unlock
// itself by sending them.
FieldErrors fromJson(const QJsonObject &json, User &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    reader.entity(out);
    out.username = reader.string(QStringLiteral("username"), out.username);
    out.fullName = reader.string(QStringLiteral("full_name"), out.fullName);
    out.role = reader.enumValue(QStringLiteral("role"), out.role);
    out.enabled = reader.boolean(QStringLiteral("enabled"), out.enabled);
    return errors;
}

QJsonObject toJson(const ApiToken &token)
{
    return {
        {QStringLiteral("id"), toJsonId(token.id)},
        {QStringLiteral("version"), token.version},
        {QStringLiteral("name"), token.name},
        {QStringLiteral("role"), enumName(token.role)},
        {QStringLiteral("owner_id"), toJsonId(token.ownerId)},
        {QStringLiteral("created"), toJsonTimeOrNull(token.created)},
        {QStringLiteral("expires"), toJsonTimeOrNull(token.expires)},
        {QStringLiteral("last_used"), toJsonTimeOrNull(token.lastUsed)},
    };
}

// Only what the owner chooses; the core sets the owner, the times and the hash.
FieldErrors fromJson(const QJsonObject &json, ApiToken &out)
{
    FieldErrors errors;
    JsonReader reader(json, errors);
    out.name = reader.string(QStringLiteral("name"), out.name);
    out.role = reader.enumValue(QStringLiteral("role"), out.role);
    // null: never expires. A malformed time keeps the old one rather than meaning "never".
    const QDateTime expires = reader.dateTime(QStringLiteral("expires"));
    if (expires.isValid() || json.value(QStringLiteral("expires")).isNull())
        out.expires = expires;
    return errors;
}

} // namespace prophasis
