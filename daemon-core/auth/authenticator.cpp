#include "daemon-core/auth/authenticator.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QPromise>
#include <QRegularExpression>

#include <atomic>
#include <mutex>

#include "daemon-core/auth/credentialcache.h"
#include "daemon-core/auth/permission.h"
#include "daemon-core/auth/sourcethrottle.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/userstore.h"
#include "shared/enrollment/pairingstrings.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcAuth, "prophasis.auth")

template <typename Duration>
qint64 seconds(Duration duration)
{
    return std::chrono::duration_cast<std::chrono::seconds>(duration).count();
}

// Session and API tokens are 32 random bytes as unpadded base64url: the same generator and
// hash (SHA-256, hex) as the pairing tokens, so there is one way to make and store a token.
QString newToken()
{
    return generatePairingToken();
}

QString tokenHash(const QString &token)
{
    return pairingTokenHash(token);
}

// Anything else cannot be a token we issued: refused without asking the database.
bool plausibleToken(const QString &token)
{
    static const QRegularExpression format(QStringLiteral("^[A-Za-z0-9_-]{32,128}$"));
    return format.match(token).hasMatch();
}

bool atLeastTodaysDefaults(const PasswordHasher::Parameters &parameters)
{
    const PasswordHasher::Parameters today;
    return parameters.log2N >= today.log2N && parameters.r >= today.r && parameters.p >= today.p;
}

LoginResult refusedLogin(LoginResult::Outcome outcome, const QDateTime &retryAfter = {})
{
    LoginResult result;
    result.outcome = outcome;
    result.retryAfter = retryAfter;
    return result;
}

Authentication refused(Authentication::Refusal refusal)
{
    Authentication result;
    result.refusal = refusal;
    return result;
}

template <typename T>
QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

} // namespace

// What the jobs on the executor and the hash pool share with this object; they hold it, so it
// outlives an Authenticator destroyed while a job is queued.
struct Authenticator::Shared
{
    Shared(const AuthPolicy &authPolicy, AuthClock authClock)
        : policy(authPolicy)
        , clock(std::move(authClock))
        , throttle(authPolicy)
        , cache(seconds(authPolicy.cacheLifetime) * 1000, authPolicy.maxCachedCredentials)
    {
    }

    // A hash with today's parameters of a password nobody knows: an unknown user's login
    // checks against it, so it takes as long as a real user's. Made on first use, on the pool.
    const QString &dummyHash()
    {
        std::call_once(m_dummyOnce,
                       [this] { m_dummyHash = PasswordHasher::hash(newToken(), policy.hashParameters); });
        return m_dummyHash;
    }

    // Hashes of tokens logged out or revoked, so a later request hears "revoked", not "unknown".
    void rememberRevoked(const QString &hash)
    {
        QMutexLocker locker(&m_revokedMutex);
        if (m_revoked.size() >= policy.maxCachedCredentials)
            m_revoked.clear(); // only a better message is lost
        m_revoked.insert(hash);
    }
    bool wasRevoked(const QString &hash)
    {
        QMutexLocker locker(&m_revokedMutex);
        return m_revoked.contains(hash);
    }

    LoginResult login(StorageExecutor &executor, const QString &username, const QString &password,
                      const QString &sourceAddress);
    Authentication lookUp(Database &db, const QString &hash, quint64 generationBeforeLookup);

    const AuthPolicy policy;
    const AuthClock clock;
    SourceThrottle throttle;
    CredentialCache cache;
    std::atomic<int> pendingLogins = 0;
    // Serialises the read-modify-write of a user's failure count, so concurrent wrong
    // passwords each count.
    QMutex bookkeeping;

private:
    std::once_flag m_dummyOnce;
    QString m_dummyHash;
    QMutex m_revokedMutex;
    QSet<QString> m_revoked;
};

LoginResult Authenticator::Shared::login(StorageExecutor &executor, const QString &username,
                                         const QString &password, const QString &sourceAddress)
{
    const std::optional<User> user =
        executor.runAndWait([username](Database &db) { return UserStore(db).findByUsername(username); });
    const bool passwordRight = PasswordHasher::verify(password, user ? user->passwordHash : dummyHash());
    // Upgraded outside the database job: hashing is slow and must not hold a connection.
    QString upgradedHash;
    if (user && passwordRight && PasswordHasher::needsRehash(user->passwordHash) &&
        atLeastTodaysDefaults(policy.hashParameters))
        upgradedHash = PasswordHasher::hash(password, policy.hashParameters);

    const QDateTime now = clock();
    if (!user) {
        throttle.recordFailure(sourceAddress, now);
        return refusedLogin(LoginResult::Outcome::BadCredentials);
    }
    const LoginResult result = executor.runAndWait([&](Database &db) {
        QMutexLocker locker(&bookkeeping);
        UserStore users(db);
        // Read again: another login may have counted a failure while this one hashed.
        std::optional<User> fresh = users.find(user->id);
        // Gone, or given a new password while this login hashed: the check above says nothing.
        if (!fresh || fresh->passwordHash != user->passwordHash)
            return refusedLogin(LoginResult::Outcome::BadCredentials);
        // A locked user's attempts do not count, so the lock ends when it said it would.
        if (fresh->lockedUntil.isValid() && fresh->lockedUntil > now)
            return refusedLogin(LoginResult::Outcome::Locked, fresh->lockedUntil);
        if (!passwordRight) {
            int failures = fresh->failedLogins + 1;
            QDateTime lockedUntil;
            if (failures >= policy.maxFailedLogins) {
                lockedUntil = now.addSecs(seconds(policy.lockoutDuration));
                failures = 0; // the next lock takes as many failures again
            }
            users.recordLogin(fresh->id, failures, lockedUntil, fresh->lastLogin);
            return lockedUntil.isValid() ? refusedLogin(LoginResult::Outcome::Locked, lockedUntil)
                                         : refusedLogin(LoginResult::Outcome::BadCredentials);
        }
        if (!fresh->enabled)
            return refusedLogin(LoginResult::Outcome::Disabled);

        users.recordLogin(fresh->id, 0, {}, now);
        if (!upgradedHash.isEmpty()) {
            User upgraded = *fresh;
            upgraded.passwordHash = upgradedHash;
            try {
                users.update(upgraded);
            } catch (const StorageError &error) {
                // An admin's edit won the race; the next login upgrades the hash.
                if (error.kind() != StorageError::Kind::Conflict &&
                    error.kind() != StorageError::Kind::Invalid)
                    throw;
                qCInfo(lcAuth) << "password hash of" << fresh->username
                               << "not upgraded this time:" << error.message();
            }
        }

        LoginResult ok;
        ok.outcome = LoginResult::Outcome::Ok;
        ok.token = newToken();
        Session session;
        session.tokenHash = tokenHash(ok.token);
        session.userId = fresh->id;
        session.created = now;
        session.expires = std::min(now.addSecs(seconds(policy.sessionIdleTimeout)),
                                   now.addSecs(seconds(policy.sessionMaxLifetime)));
        session.lastSeen = now;
        session.source = sourceAddress;
        SessionStore(db).create(session);
        ok.expires = session.expires;
        ok.user = *fresh;
        ok.user.passwordHash.clear();
        ok.user.failedLogins = 0;
        ok.user.lockedUntil = {};
        ok.user.lastLogin = now;
        return ok;
    });
    if (!passwordRight)
        throttle.recordFailure(sourceAddress, now);
    return result;
}

Authentication Authenticator::Shared::lookUp(Database &db, const QString &hash,
                                             quint64 generationBeforeLookup)
{
    const QDateTime now = clock();
    UserStore users(db);
    SessionStore sessions(db);
    if (const std::optional<Session> session = sessions.findByHash(hash)) {
        // The stored expiry slides with use but never past the lifetime; both are checked so a
        // row written by an older policy cannot outlive today's.
        const QDateTime end = session->created.addSecs(seconds(policy.sessionMaxLifetime));
        if (session->expires <= now || end <= now)
            return refused(Authentication::Refusal::Expired); // removeExpiredSessions() deletes it
        const std::optional<User> user = users.find(session->userId);
        if (!user)
            return refused(Authentication::Refusal::Unknown);
        if (!user->enabled)
            return refused(Authentication::Refusal::Disabled);
        QDateTime expires = session->expires;
        // Written at most once per touch interval, not on every request.
        if (!session->lastSeen.isValid() || session->lastSeen.secsTo(now) >= seconds(policy.touchInterval)) {
            expires = std::min(now.addSecs(seconds(policy.sessionIdleTimeout)), end);
            sessions.touch(hash, now, expires);
        }
        Principal principal;
        principal.kind = Principal::Kind::Session;
        principal.userId = user->id;
        principal.username = user->username;
        principal.role = user->role;
        cache.insert(hash, principal, expires, now, generationBeforeLookup);
        return Authentication{principal, Authentication::Refusal::None};
    }

    ApiTokenStore tokens(db);
    if (const std::optional<ApiToken> token = tokens.findByHash(hash)) {
        if (token->expires.isValid() && token->expires <= now)
            return refused(Authentication::Refusal::Expired);
        const std::optional<User> owner = users.find(token->ownerId);
        if (!owner)
            return refused(Authentication::Refusal::Unknown);
        if (!owner->enabled)
            return refused(Authentication::Refusal::Disabled);
        if (!token->lastUsed.isValid() || token->lastUsed.secsTo(now) >= seconds(policy.touchInterval))
            tokens.touch(token->id, now);
        Principal principal;
        principal.kind = Principal::Kind::ApiToken;
        principal.userId = owner->id;
        principal.username = owner->username;
        // A demoted owner's tokens are demoted with it.
        principal.role = lowerRole(token->role, owner->role);
        principal.tokenId = token->id;
        principal.tokenName = token->name;
        cache.insert(hash, principal, token->expires, now, generationBeforeLookup);
        return Authentication{principal, Authentication::Refusal::None};
    }
    return refused(wasRevoked(hash) ? Authentication::Refusal::Revoked : Authentication::Refusal::Unknown);
}

Authenticator::Authenticator(StorageExecutor &executor, const AuthPolicy &policy, AuthClock clock)
    : m_executor(executor)
    , m_shared(std::make_shared<Shared>(
          policy, clock ? std::move(clock) : AuthClock([] { return QDateTime::currentDateTimeUtc(); })))
{
    m_hashPool.setMaxThreadCount(qMax(1, policy.maxConcurrentHashes));
    // Made now, off the caller's thread, so the first unknown user's login does not take
    // longer than the others (which would tell that the name is unknown).
    m_hashPool.start([shared = m_shared] { shared->dummyHash(); });
}

Authenticator::~Authenticator()
{
    m_hashPool.waitForDone();
}

const AuthPolicy &Authenticator::policy() const
{
    return m_shared->policy;
}

QFuture<LoginResult> Authenticator::login(const QString &username, const QString &password,
                                          const QString &sourceAddress)
{
    const QDateTime now = m_shared->clock();
    if (const QDateTime until = m_shared->throttle.refusedUntil(sourceAddress, now); until.isValid())
        return ready(refusedLogin(LoginResult::Outcome::Throttled, until));
    // Each queued login will cost a slow hash: a flood is refused here, not queued without bound.
    if (m_shared->pendingLogins.fetch_add(1) >= m_shared->policy.maxPendingLogins) {
        m_shared->pendingLogins.fetch_sub(1);
        return ready(refusedLogin(LoginResult::Outcome::Throttled, now.addSecs(1)));
    }

    auto promise = std::make_shared<QPromise<LoginResult>>();
    QFuture<LoginResult> future = promise->future();
    promise->start(); // started when enqueued, so result() waits for it
    m_hashPool.start([shared = m_shared, executor = &m_executor, promise, username, password, sourceAddress] {
        std::optional<LoginResult> result;
        std::exception_ptr failure;
        try {
            result = shared->login(*executor, username, password, sourceAddress);
        } catch (...) {
            failure = std::current_exception();
        }
        // Before the caller hears the answer, so its next login finds the slot free.
        shared->pendingLogins.fetch_sub(1);
        if (result)
            promise->addResult(std::move(*result));
        else
            promise->setException(failure);
        promise->finish();
    });
    return future;
}

QFuture<bool> Authenticator::logout(const QString &sessionToken)
{
    if (!plausibleToken(sessionToken))
        return ready(false);
    const QString hash = tokenHash(sessionToken);
    m_shared->cache.forgetToken(hash);
    return m_executor.run([shared = m_shared, hash](Database &db) {
        const bool removed = SessionStore(db).remove(hash);
        if (removed)
            shared->rememberRevoked(hash);
        // Again after the delete: a lookup that read the row before it must not cache it.
        shared->cache.forgetToken(hash);
        return removed;
    });
}

QFuture<Authentication> Authenticator::authenticate(const QString &bearerToken)
{
    if (!plausibleToken(bearerToken))
        return ready(refused(Authentication::Refusal::Missing));
    const QString hash = tokenHash(bearerToken);
    if (std::optional<Principal> cached = m_shared->cache.find(hash, m_shared->clock()))
        return ready(Authentication{std::move(cached), Authentication::Refusal::None});
    const quint64 generation = m_shared->cache.generation();
    return m_executor.run(
        [shared = m_shared, hash, generation](Database &db) { return shared->lookUp(db, hash, generation); });
}

QFuture<CreatedToken> Authenticator::createToken(const Principal &creator, const TokenRequest &request)
{
    const QDateTime now = m_shared->clock();
    if (creator.kind != Principal::Kind::Session)
        return QtFuture::makeExceptionalFuture<CreatedToken>(std::make_exception_ptr(
            StorageError(StorageError::Kind::Invalid, QStringLiteral("API tokens are created after a login, "
                                                                     "not with another API token"))));
    if (!roleAtLeast(creator.role, request.role))
        return QtFuture::makeExceptionalFuture<CreatedToken>(std::make_exception_ptr(StorageError(
            StorageError::Kind::Invalid,
            QStringLiteral("a token's role cannot be above its creator's (%1)").arg(enumName(creator.role)),
            QStringLiteral("role"))));
    if (request.expires.isValid() && request.expires <= now)
        return QtFuture::makeExceptionalFuture<CreatedToken>(std::make_exception_ptr(
            StorageError(StorageError::Kind::Invalid, QStringLiteral("the expiry must be in the future"),
                         QStringLiteral("expires"))));

    CreatedToken created;
    created.secret = newToken();
    created.token.name = request.name;
    created.token.role = request.role;
    created.token.ownerId = creator.userId;
    created.token.expires = request.expires;
    created.token.tokenHash = tokenHash(created.secret);
    return m_executor.run([created](Database &db) mutable {
        created.token = ApiTokenStore(db).create(created.token);
        created.token.tokenHash.clear(); // never leaves the core
        return created;
    });
}

QFuture<bool> Authenticator::revokeToken(const QUuid &tokenId)
{
    m_shared->cache.forgetTokenId(tokenId);
    return m_executor.run([shared = m_shared, tokenId](Database &db) {
        ApiTokenStore tokens(db);
        const std::optional<ApiToken> token = tokens.find(tokenId);
        if (token) {
            tokens.remove(tokenId);
            shared->rememberRevoked(token->tokenHash);
        }
        // Again after the delete: a lookup that read the row before it must not cache it.
        shared->cache.forgetTokenId(tokenId);
        return token.has_value();
    });
}

void Authenticator::forgetUser(const QUuid &userId)
{
    m_shared->cache.forgetUser(userId);
}

QFuture<int> Authenticator::endSessionsOfUser(const QUuid &userId)
{
    m_shared->cache.forgetUser(userId);
    return m_executor.run([shared = m_shared, userId](Database &db) {
        const int removed = SessionStore(db).removeForUser(userId);
        shared->cache.forgetUser(userId);
        return removed;
    });
}

QFuture<int> Authenticator::removeExpiredSessions()
{
    return m_executor.run(
        [shared = m_shared](Database &db) { return SessionStore(db).removeExpired(shared->clock()); });
}

QString bearerToken(QByteArrayView authorizationHeader)
{
    const QByteArray header = authorizationHeader.toByteArray().trimmed();
    static constexpr QByteArrayView Scheme("bearer ");
    if (header.size() <= Scheme.size() || !header.first(Scheme.size()).toLower().startsWith(Scheme))
        return {};
    return QString::fromLatin1(header.sliced(Scheme.size()).trimmed());
}

} // namespace prophasis
