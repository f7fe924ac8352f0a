#pragma once

#include <QByteArrayView>
#include <QFuture>
#include <QString>
#include <QThreadPool>
#include <QUuid>

#include <memory>

#include "daemon-core/auth/authpolicy.h"
#include "daemon-core/auth/authtypes.h"

namespace prophasis {

class StorageExecutor;

// Logins, sessions and API tokens of the management API (SPEC §5, §9). Every call returns at
// once with a future: database work runs on the StorageExecutor, password hashes (slow on
// purpose) on a small pool of this class's own, never on the caller's event loop. Thread-safe;
// results arrive on other threads, so continue with whenReady(future, context, …).
//
// Only the SHA-256 of a session or API token is stored; the token text is returned once.
// Futures fail with StorageError (e.g. Unavailable when the database is gone).
class Authenticator
{
public:
    // `executor` must outlive this object. Without a clock: the system's UTC clock.
    explicit Authenticator(StorageExecutor &executor, const AuthPolicy &policy = {}, AuthClock clock = {});
    // Waits for logins in progress.
    ~Authenticator();
    Authenticator(const Authenticator &) = delete;
    Authenticator &operator=(const Authenticator &) = delete;

    // POST /api/v1/session. An unknown user and a wrong password get the same answer in about
    // the same time; the password is checked before a lock or a disabled user is told.
    QFuture<LoginResult> login(const QString &username, const QString &password,
                               const QString &sourceAddress);
    // DELETE /api/v1/session: ends the session; true when there was one.
    QFuture<bool> logout(const QString &sessionToken);
    // Every other request: the principal of a session or API token. Answered from memory when
    // the same token was accepted in the last seconds (AuthPolicy::cacheLifetime).
    QFuture<Authentication> authenticate(const QString &bearerToken);

    // POST /api/v1/tokens: a token owned by `creator`, with a role not above the creator's.
    // Fails with StorageError Invalid (field "name", "role" or "expires"), also when the creator
    // is itself an API token (a leaked token must not mint ones that outlive its revocation).
    QFuture<CreatedToken> createToken(const Principal &creator, const TokenRequest &request);
    // DELETE /api/v1/tokens/{id}: refused from the next request on; true when it existed.
    QFuture<bool> revokeToken(const QUuid &tokenId);

    // After a user is disabled, deleted, demoted or given a new password: requests stop being
    // answered from memory for that user's sessions and tokens.
    void forgetUser(const QUuid &userId);
    // Ends every session of the user (a new password, a disabled user); returns how many.
    QFuture<int> endSessionsOfUser(const QUuid &userId);
    // Housekeeping, e.g. hourly: deletes the rows of ended sessions; returns how many.
    QFuture<int> removeExpiredSessions();

    const AuthPolicy &policy() const;

private:
    struct Shared;
    StorageExecutor &m_executor;
    std::shared_ptr<Shared> m_shared;
    QThreadPool m_hashPool;
};

// The token of an `Authorization: Bearer <token>` header; empty for any other header.
QString bearerToken(QByteArrayView authorizationHeader);

} // namespace prophasis
