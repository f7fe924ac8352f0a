#include "daemon-core/storage/userstore.h"

#include "shared/domain/validation.h"

namespace prophasis {

namespace {

Role roleFromDb(const QVariant &value)
{
    return enumFromName<Role>(value.toString()).value_or(Role::Viewer);
}

} // namespace

UserStore::UserStore(Database &db)
    : EntityStore(db, QStringLiteral("users"), QStringLiteral("user"), QStringLiteral("lower(username)"))
{
}

QList<UserStore::Column> UserStore::columns(const User &user) const
{
    return {
        {QStringLiteral("username"), user.username},
        {QStringLiteral("full_name"), user.fullName},
        {QStringLiteral("role"), enumName(user.role)},
        {QStringLiteral("enabled"), user.enabled},
        {QStringLiteral("password_hash"), user.passwordHash},
        // failed_logins, locked_until_ms and last_login_ms are written by recordLogin() only,
        // so an admin saving an older copy cannot undo a lockout.
    };
}

void UserStore::readRow(const QSqlQuery &row, User &user) const
{
    user.username = row.value(QStringLiteral("username")).toString();
    user.fullName = row.value(QStringLiteral("full_name")).toString();
    user.role = roleFromDb(row.value(QStringLiteral("role")));
    user.enabled = row.value(QStringLiteral("enabled")).toBool();
    user.passwordHash = row.value(QStringLiteral("password_hash")).toString();
    user.failedLogins = row.value(QStringLiteral("failed_logins")).toInt();
    user.lockedUntil = timeFromDb(row.value(QStringLiteral("locked_until_ms")));
    user.lastLogin = timeFromDb(row.value(QStringLiteral("last_login_ms")));
}

void UserStore::checkRules(const User &user)
{
    EntityRows::requireValid(validate(user));
    if (user.passwordHash.isEmpty())
        throw StorageError(StorageError::Kind::Invalid, QStringLiteral("a user needs a password"),
                           QStringLiteral("password"));
    m_rows.requireUniqueName(QStringLiteral("username"), user.username, user.id, QStringLiteral("username"));
}

std::optional<User> UserStore::findByUsername(const QString &username)
{
    return selectOne(QStringLiteral("lower(username) = lower(?)"), {username});
}

void UserStore::recordLogin(const QUuid &id, int failedLogins, const QDateTime &lockedUntil,
                            const QDateTime &lastLogin)
{
    QSqlQuery query = m_db.exec(
        QStringLiteral(
            "UPDATE users SET failed_logins = ?, locked_until_ms = ?, last_login_ms = ? WHERE id = ?"),
        {failedLogins, dbTime(lockedUntil), dbTime(lastLogin), dbId(id)});
    if (query.numRowsAffected() == 0)
        throw StorageError(StorageError::Kind::NotFound,
                           QStringLiteral("no user with id %1").arg(id.toString(QUuid::WithoutBraces)));
}

int UserStore::countEnabledAdmins()
{
    QSqlQuery query = m_db.exec(QStringLiteral("SELECT COUNT(*) FROM users WHERE enabled AND role = ?"),
                                {enumName(Role::Admin)});
    query.next();
    return query.value(0).toInt();
}

ApiTokenStore::ApiTokenStore(Database &db)
    : EntityStore(db, QStringLiteral("api_tokens"), QStringLiteral("API token"))
{
}

ApiToken ApiTokenStore::create(ApiToken token)
{
    return m_db.transaction([&] { return get(EntityStore::create(std::move(token)).id); });
}

QList<ApiTokenStore::Column> ApiTokenStore::columns(const ApiToken &token) const
{
    return {
        {QStringLiteral("name"), token.name},
        {QStringLiteral("role"), enumName(token.role)},
        {QStringLiteral("owner_id"), dbId(token.ownerId)},
        {QStringLiteral("token_hash"), token.tokenHash},
        {QStringLiteral("expires_ms"), dbTime(token.expires)},
        {QStringLiteral("last_used_ms"), dbTime(token.lastUsed)},
    };
}

void ApiTokenStore::readRow(const QSqlQuery &row, ApiToken &token) const
{
    token.name = row.value(QStringLiteral("name")).toString();
    token.role = roleFromDb(row.value(QStringLiteral("role")));
    token.ownerId = idFromDb(row.value(QStringLiteral("owner_id")));
    token.tokenHash = row.value(QStringLiteral("token_hash")).toString();
    token.created = timeFromDb(row.value(QStringLiteral("created_ms")));
    token.expires = timeFromDb(row.value(QStringLiteral("expires_ms")));
    token.lastUsed = timeFromDb(row.value(QStringLiteral("last_used_ms")));
}

void ApiTokenStore::checkRules(const ApiToken &token)
{
    if (token.name.trimmed().isEmpty())
        throw StorageError(StorageError::Kind::Invalid, QStringLiteral("an API token needs a name"),
                           QStringLiteral("name"));
    if (token.name.size() > MaxNameLength)
        throw StorageError(
            StorageError::Kind::Invalid,
            QStringLiteral("an API token's name must be at most %1 characters").arg(MaxNameLength),
            QStringLiteral("name"));
    if (token.tokenHash.isEmpty())
        throw StorageError(StorageError::Kind::Invalid, QStringLiteral("an API token needs its hash"),
                           QStringLiteral("token_hash"));
    EntityRows::requireExisting(m_db, QStringLiteral("users"), QStringLiteral("user"), {token.ownerId},
                                QStringLiteral("owner_id"));
    // The unique index stays the guard against races; this check names the field.
    QSqlQuery same =
        m_db.exec(QStringLiteral("SELECT id FROM api_tokens WHERE token_hash = ?"), {token.tokenHash});
    while (same.next()) {
        if (idFromDb(same.value(0)) != token.id)
            throw StorageError(StorageError::Kind::Duplicate,
                               QStringLiteral("another API token has this hash"),
                               QStringLiteral("token_hash"));
    }
}

std::optional<ApiToken> ApiTokenStore::findByHash(const QString &tokenHash)
{
    // An empty hash never matches: every stored token has one.
    if (tokenHash.isEmpty())
        return std::nullopt;
    return selectOne(QStringLiteral("token_hash = ?"), {tokenHash});
}

void ApiTokenStore::touch(const QUuid &id, const QDateTime &lastUsed)
{
    m_db.exec(QStringLiteral("UPDATE api_tokens SET last_used_ms = ? WHERE id = ?"),
              {dbTime(lastUsed), dbId(id)});
}

QList<ApiToken> ApiTokenStore::listForOwner(const QUuid &ownerId)
{
    return select(QStringLiteral("owner_id = ?"), {dbId(ownerId)});
}

SessionStore::SessionStore(Database &db)
    : m_db(db)
{
}

void SessionStore::create(const Session &session)
{
    if (session.tokenHash.isEmpty())
        throw StorageError(StorageError::Kind::Invalid, QStringLiteral("a session needs its token hash"),
                           QStringLiteral("token_hash"));
    if (!session.created.isValid() || !session.expires.isValid())
        throw StorageError(StorageError::Kind::Invalid,
                           QStringLiteral("a session needs its creation and expiry times"),
                           QStringLiteral("expires"));
    m_db.exec(QStringLiteral(
                  "INSERT INTO sessions (token_hash, user_id, created_ms, expires_ms, last_seen_ms, source) "
                  "VALUES (?, ?, ?, ?, ?, ?)"),
              {session.tokenHash, dbId(session.userId), dbTime(session.created), dbTime(session.expires),
               dbTime(session.lastSeen.isValid() ? session.lastSeen : session.created), session.source});
}

std::optional<Session> SessionStore::findByHash(const QString &tokenHash)
{
    QSqlQuery row =
        m_db.exec(QStringLiteral("SELECT token_hash, user_id, created_ms, expires_ms, last_seen_ms, source "
                                 "FROM sessions WHERE token_hash = ?"),
                  {tokenHash});
    if (!row.next())
        return std::nullopt;
    Session session;
    session.tokenHash = row.value(0).toString();
    session.userId = idFromDb(row.value(1));
    session.created = timeFromDb(row.value(2));
    session.expires = timeFromDb(row.value(3));
    session.lastSeen = timeFromDb(row.value(4));
    session.source = row.value(5).toString();
    return session;
}

void SessionStore::touch(const QString &tokenHash, const QDateTime &lastSeen, const QDateTime &expires)
{
    if (!lastSeen.isValid() || !expires.isValid())
        throw StorageError(StorageError::Kind::Invalid, QStringLiteral("a session needs valid times"),
                           QStringLiteral("expires"));
    m_db.exec(QStringLiteral("UPDATE sessions SET last_seen_ms = ?, expires_ms = ? WHERE token_hash = ?"),
              {dbTime(lastSeen), dbTime(expires), tokenHash});
}

bool SessionStore::remove(const QString &tokenHash)
{
    return m_db.exec(QStringLiteral("DELETE FROM sessions WHERE token_hash = ?"), {tokenHash})
               .numRowsAffected() > 0;
}

int SessionStore::removeExpired(const QDateTime &now)
{
    return m_db.exec(QStringLiteral("DELETE FROM sessions WHERE expires_ms <= ?"), {dbTime(now)})
        .numRowsAffected();
}

int SessionStore::removeForUser(const QUuid &userId)
{
    return m_db.exec(QStringLiteral("DELETE FROM sessions WHERE user_id = ?"), {dbId(userId)})
        .numRowsAffected();
}

} // namespace prophasis
