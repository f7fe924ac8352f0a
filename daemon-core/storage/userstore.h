#pragma once

#include <QDateTime>
#include <QString>
#include <QUuid>

#include <optional>

#include "daemon-core/storage/entitystore.h"
#include "shared/domain/user.h"

namespace prophasis {

// Users of the management API. Login bookkeeping (failed logins, lockout, last login) is
// written by recordLogin() without raising the version, so a failed login never makes an
// admin's edit conflict.
class UserStore : public EntityStore<User>
{
public:
    explicit UserStore(Database &db);

    // Case-insensitive, as usernames are unique regardless of case.
    std::optional<User> findByUsername(const QString &username);
    // Throws NotFound.
    void recordLogin(const QUuid &id, int failedLogins, const QDateTime &lockedUntil,
                     const QDateTime &lastLogin);
    // Enabled users with the admin role; the API refuses to remove or demote the last one.
    int countEnabledAdmins();

protected:
    QList<Column> columns(const User &user) const override;
    void readRow(const QSqlQuery &row, User &user) const override;
    void readChildren(QHash<QUuid, User *> &) override {}
    void writeChildren(const User &) override {}
    QList<std::pair<QString, QString>> childTables() const override { return {}; }
    void checkRules(const User &user) override;
};

// Long-lived credentials for automation. Only the hash of a token is stored.
class ApiTokenStore : public EntityStore<ApiToken>
{
public:
    explicit ApiTokenStore(Database &db);

    // Hides EntityStore::create to return the token with the creation time the store wrote.
    ApiToken create(ApiToken token);

    std::optional<ApiToken> findByHash(const QString &tokenHash);
    // Records a use without raising the version. A token deleted meanwhile is ignored.
    void touch(const QUuid &id, const QDateTime &lastUsed);
    QList<ApiToken> listForOwner(const QUuid &ownerId);

protected:
    QList<Column> columns(const ApiToken &token) const override;
    void readRow(const QSqlQuery &row, ApiToken &token) const override;
    void readChildren(QHash<QUuid, ApiToken *> &) override {}
    void writeChildren(const ApiToken &) override {}
    QList<std::pair<QString, QString>> childTables() const override { return {}; }
    void checkRules(const ApiToken &token) override;
};

// A login session of the API; storage only, the API layer hands out the token itself.
struct Session
{
    QString tokenHash;
    QUuid userId;
    QDateTime created;
    QDateTime expires;
    QDateTime lastSeen;
    QString source; // client address
};

// Sessions go with their user (ON DELETE CASCADE).
class SessionStore
{
public:
    explicit SessionStore(Database &db);

    // Throws Duplicate for a hash in use, MissingReference for an unknown user.
    void create(const Session &session);
    std::optional<Session> findByHash(const QString &tokenHash);
    // A session removed meanwhile (logout) is ignored: there is nothing left to extend.
    void touch(const QString &tokenHash, const QDateTime &lastSeen, const QDateTime &expires);
    bool remove(const QString &tokenHash);
    // Removes sessions whose expiry is at or before `now`.
    int removeExpired(const QDateTime &now);
    int removeForUser(const QUuid &userId);

private:
    Database &m_db;
};

} // namespace prophasis
