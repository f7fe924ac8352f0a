#include <QCryptographicHash>
#include <QScopeGuard>
#include <QSemaphore>
#include <QTest>

#include <atomic>
#include <memory>

#include "daemon-core/auth/authenticator.h"
#include "daemon-core/auth/permission.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/storageerror.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/userstore.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

const qint64 T0 = 1'700'000'000'000;
constexpr qint64 Minute = 60'000;
constexpr qint64 Hour = 60 * Minute;

// Small scrypt parameters keep the tests fast; the code paths are the same.
const PasswordHasher::Parameters Fast{10, 8, 1};

const QString Password = QStringLiteral("correct horse battery");
const QString Source = QStringLiteral("192.0.2.10");

QDateTime at(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

QString sha256Hex(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

} // namespace

// Logins, lockout, throttling, sessions and API tokens against a real database (SQLite and
// PostgreSQL), with the clock moved by hand.
class TestAuthenticator : public QObject
{
    Q_OBJECT

    QDateTime now() const { return at(m_nowMs.load()); }
    void advance(qint64 ms) { m_nowMs += ms; }

    std::unique_ptr<Authenticator> makeAuthenticator(AuthPolicy policy = {})
    {
        if (policy.hashParameters.log2N == PasswordHasher::Parameters{}.log2N)
            policy.hashParameters = Fast;
        return std::make_unique<Authenticator>(*m_executor, policy, [this] { return now(); });
    }

    User createUser(const QString &username, Role role, bool enabled = true,
                    const PasswordHasher::Parameters &parameters = Fast)
    {
        User user;
        user.username = username;
        user.fullName = username;
        user.role = role;
        user.enabled = enabled;
        user.passwordHash = PasswordHasher::hash(Password, parameters);
        return m_executor->runAndWait([user](Database &db) { return UserStore(db).create(user); });
    }

    User readUser(const QUuid &id)
    {
        return m_executor->runAndWait([id](Database &db) { return UserStore(db).get(id); });
    }

    std::optional<Session> readSession(const QString &token)
    {
        const QString hash = sha256Hex(token);
        return m_executor->runAndWait([hash](Database &db) { return SessionStore(db).findByHash(hash); });
    }

    ApiToken readToken(const QUuid &id)
    {
        return m_executor->runAndWait([id](Database &db) { return ApiTokenStore(db).get(id); });
    }

    LoginResult login(Authenticator &auth, const QString &username, const QString &password = Password,
                      const QString &source = Source)
    {
        return auth.login(username, password, source).result();
    }

    Principal sessionPrincipal(Authenticator &auth, const QString &username)
    {
        const LoginResult result = login(auth, username);
        if (!result.ok())
            qFatal("login failed");
        return *auth.authenticate(result.token).result().principal;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("authenticator"));
    }

    void init()
    {
        const DatabaseConfig config = m_testDatabase->freshDatabase();
        m_executor = std::make_unique<StorageExecutor>(config, 2);
        m_executor->runAndWait([](Database &db) { migrate(db); });
        m_nowMs = T0;
    }

    void cleanup() { m_executor.reset(); }

    void loginIssuesASessionStoredOnlyAsAHash()
    {
        const User alice = createUser(QStringLiteral("alice"), Role::Operator);
        auto auth = makeAuthenticator();
        const LoginResult result = login(*auth, QStringLiteral("ALICE")); // usernames ignore case
        QVERIFY(result.ok());
        QCOMPARE(result.token.size(), 43); // 256 bits, unpadded base64url
        QVERIFY(QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]+$")).match(result.token).hasMatch());
        QCOMPARE(result.expires, now().addMSecs(12 * Hour));
        QCOMPARE(result.user.id, alice.id);
        QVERIFY(result.user.passwordHash.isEmpty());

        const std::optional<Session> session = readSession(result.token);
        QVERIFY(session);
        QCOMPARE(session->userId, alice.id);
        QCOMPARE(session->source, Source);
        QCOMPARE(session->expires, result.expires);
        const QString tokenText = result.token;
        QVERIFY(!m_executor->runAndWait(
            [tokenText](Database &db) { return SessionStore(db).findByHash(tokenText).has_value(); }));
        QCOMPARE(readUser(alice.id).lastLogin, now());

        const Authentication authentication = auth->authenticate(result.token).result();
        QVERIFY(authentication.ok());
        QCOMPARE(authentication.principal->kind, Principal::Kind::Session);
        QCOMPARE(authentication.principal->userId, alice.id);
        QCOMPARE(authentication.principal->username, QStringLiteral("alice"));
        QCOMPARE(authentication.principal->role, Role::Operator);

        // Each login is a session of its own.
        QVERIFY(login(*auth, QStringLiteral("alice")).token != result.token);
    }

    void wrongPasswordAndUnknownUserGetTheSameAnswer()
    {
        const User alice = createUser(QStringLiteral("alice"), Role::Admin);
        auto auth = makeAuthenticator();
        const LoginResult wrong = login(*auth, QStringLiteral("alice"), QStringLiteral("wrong"));
        const LoginResult unknown = login(*auth, QStringLiteral("mallory"));
        for (const LoginResult &result : {wrong, unknown}) {
            QCOMPARE(result.outcome, LoginResult::Outcome::BadCredentials);
            QVERIFY(result.token.isEmpty());
            QVERIFY(!result.retryAfter.isValid());
            QVERIFY(result.user.id.isNull());
        }
        QCOMPARE(readUser(alice.id).failedLogins, 1);
        QVERIFY(!readUser(alice.id).lastLogin.isValid());
    }

    void lockedAfterFiveFailuresUntilTheLockEnds()
    {
        const User alice = createUser(QStringLiteral("alice"), Role::Admin);
        auto auth = makeAuthenticator();
        for (int i = 0; i < 4; ++i)
            QCOMPARE(login(*auth, QStringLiteral("alice"), QStringLiteral("wrong")).outcome,
                     LoginResult::Outcome::BadCredentials);
        const LoginResult fifth = login(*auth, QStringLiteral("alice"), QStringLiteral("wrong"));
        QCOMPARE(fifth.outcome, LoginResult::Outcome::Locked);
        const QDateTime until = now().addMSecs(15 * Minute);
        QCOMPARE(fifth.retryAfter, until);
        QCOMPARE(readUser(alice.id).lockedUntil, until);

        // The right password does not open a lock, and attempts while locked do not extend it.
        advance(14 * Minute);
        const LoginResult locked = login(*auth, QStringLiteral("alice"));
        QCOMPARE(locked.outcome, LoginResult::Outcome::Locked);
        QCOMPARE(locked.retryAfter, until);
        QVERIFY(locked.token.isEmpty());
        QCOMPARE(login(*auth, QStringLiteral("alice"), QStringLiteral("wrong")).retryAfter, until);

        advance(Minute);
        QVERIFY(login(*auth, QStringLiteral("alice")).ok());
        const User after = readUser(alice.id);
        QCOMPARE(after.failedLogins, 0);
        QVERIFY(!after.lockedUntil.isValid());
    }

    void aSuccessResetsTheFailureCount()
    {
        const User alice = createUser(QStringLiteral("alice"), Role::Viewer);
        auto auth = makeAuthenticator();
        for (int i = 0; i < 4; ++i)
            login(*auth, QStringLiteral("alice"), QStringLiteral("wrong"));
        QVERIFY(login(*auth, QStringLiteral("alice")).ok());
        QCOMPARE(readUser(alice.id).failedLogins, 0);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(login(*auth, QStringLiteral("alice"), QStringLiteral("wrong")).outcome,
                     LoginResult::Outcome::BadCredentials);
    }

    // Concurrent wrong passwords each count (the failure count is read again under a lock).
    void concurrentFailuresAllCount()
    {
        const User alice = createUser(QStringLiteral("alice"), Role::Viewer);
        auto auth = makeAuthenticator();
        QList<QFuture<LoginResult>> futures;
        for (int i = 0; i < 4; ++i)
            futures.append(auth->login(QStringLiteral("alice"), QStringLiteral("wrong"), Source));
        for (QFuture<LoginResult> &future : futures)
            QCOMPARE(future.result().outcome, LoginResult::Outcome::BadCredentials);
        QCOMPARE(readUser(alice.id).failedLogins, 4);
    }

    void aSourceWithTooManyFailuresIsThrottled()
    {
        createUser(QStringLiteral("alice"), Role::Viewer);
        auto auth = makeAuthenticator();
        const int limit = auth->policy().maxSourceFailures;
        // A spray over many usernames, none of which exists: no user is locked, the source is.
        for (int i = 0; i < limit; ++i)
            QCOMPARE(login(*auth, QStringLiteral("guess%1").arg(i), Password).outcome,
                     LoginResult::Outcome::BadCredentials);
        const LoginResult throttled = login(*auth, QStringLiteral("alice"));
        QCOMPARE(throttled.outcome, LoginResult::Outcome::Throttled);
        QCOMPARE(throttled.retryAfter, now().addMSecs(5 * Minute));
        QVERIFY(throttled.token.isEmpty());

        QVERIFY(login(*auth, QStringLiteral("alice"), Password, QStringLiteral("192.0.2.11")).ok());
        advance(5 * Minute);
        QVERIFY(login(*auth, QStringLiteral("alice")).ok());
    }

    // Logins waiting for their hash are bounded: one more is refused, not queued.
    void aFloodOfLoginsIsRefusedNotQueued()
    {
        createUser(QStringLiteral("alice"), Role::Viewer);
        AuthPolicy policy;
        policy.maxPendingLogins = 1;
        auto auth = makeAuthenticator(policy);
        // Both database workers held, so the first login cannot finish while the second comes.
        QSemaphore held;
        QSemaphore release;
        QList<QFuture<void>> blockers;
        for (int i = 0; i < 2; ++i)
            blockers.append(m_executor->run([&](Database &) {
                held.release();
                release.acquire();
            }));
        held.acquire(2);
        bool released = false;
        const auto unblock = [&] {
            if (!std::exchange(released, true))
                release.release(2);
            for (QFuture<void> &blocker : blockers)
                blocker.waitForFinished();
        };
        auto unblockOnFailure = qScopeGuard(unblock); // a failed check must not leave the workers held
        QFuture<LoginResult> first = auth->login(QStringLiteral("alice"), Password, Source);
        const LoginResult second = auth->login(QStringLiteral("alice"), Password, Source).result();
        QCOMPARE(second.outcome, LoginResult::Outcome::Throttled);
        QVERIFY(second.retryAfter > now());
        unblock();
        QVERIFY(first.result().ok());
        QVERIFY(login(*auth, QStringLiteral("alice")).ok());
    }

    void aDisabledUserIsToldOnlyWithTheRightPassword()
    {
        createUser(QStringLiteral("bob"), Role::Operator, false);
        auto auth = makeAuthenticator();
        QCOMPARE(login(*auth, QStringLiteral("bob"), QStringLiteral("wrong")).outcome,
                 LoginResult::Outcome::BadCredentials);
        const LoginResult disabled = login(*auth, QStringLiteral("bob"));
        QCOMPARE(disabled.outcome, LoginResult::Outcome::Disabled);
        QVERIFY(disabled.token.isEmpty());
    }

    void aWeakHashIsUpgradedAtLogin()
    {
        const User alice = createUser(QStringLiteral("alice"), Role::Viewer, true, Fast);
        AuthPolicy policy;
        policy.hashParameters = PasswordHasher::Parameters{}; // today's defaults
        auto auth = std::make_unique<Authenticator>(*m_executor, policy, [this] { return now(); });
        QVERIFY(login(*auth, QStringLiteral("alice")).ok());
        const User after = readUser(alice.id);
        QVERIFY2(after.passwordHash.startsWith(QStringLiteral("$scrypt$ln=15,")),
                 qPrintable(after.passwordHash));
        QVERIFY(!PasswordHasher::needsRehash(after.passwordHash));
        QCOMPARE(after.version, alice.version + 1);
        QVERIFY(login(*auth, QStringLiteral("alice")).ok());
        QCOMPARE(readUser(alice.id).version, after.version); // not again
    }

    void aSessionEndsWhenIdle()
    {
        createUser(QStringLiteral("alice"), Role::Viewer);
        auto auth = makeAuthenticator();
        const QString token = login(*auth, QStringLiteral("alice")).token;
        advance(12 * Hour - 1000);
        QVERIFY(auth->authenticate(token).result().ok());
        // That use moved the end to 12 hours from now.
        advance(12 * Hour - 1000);
        QVERIFY(auth->authenticate(token).result().ok());
        advance(12 * Hour);
        const Authentication expired = auth->authenticate(token).result();
        QVERIFY(!expired.ok());
        QCOMPARE(expired.refusal, Authentication::Refusal::Expired);
    }

    void aSessionEndsAfterItsLifetimeHoweverUsed()
    {
        createUser(QStringLiteral("alice"), Role::Viewer);
        auto auth = makeAuthenticator();
        const QString token = login(*auth, QStringLiteral("alice")).token;
        const QDateTime end = now().addDays(7);
        while (now().addMSecs(11 * Hour) < end) {
            advance(11 * Hour);
            QVERIFY(auth->authenticate(token).result().ok());
        }
        QVERIFY(readSession(token)->expires <= end);
        m_nowMs = end.toMSecsSinceEpoch();
        QCOMPARE(auth->authenticate(token).result().refusal, Authentication::Refusal::Expired);
    }

    void sessionUseIsWrittenAtMostOnceAMinute()
    {
        createUser(QStringLiteral("alice"), Role::Viewer);
        auto auth = makeAuthenticator();
        const QDateTime loggedIn = now();
        const QString token = login(*auth, QStringLiteral("alice")).token;
        advance(30'000); // past the cache, inside the touch interval
        QVERIFY(auth->authenticate(token).result().ok());
        QCOMPARE(readSession(token)->lastSeen, loggedIn);
        advance(31'000);
        QVERIFY(auth->authenticate(token).result().ok());
        QCOMPARE(readSession(token)->lastSeen, now());
        QCOMPARE(readSession(token)->expires, now().addMSecs(12 * Hour));
    }

    void logoutEndsTheSessionAtOnce()
    {
        createUser(QStringLiteral("alice"), Role::Viewer);
        auto auth = makeAuthenticator();
        const QString token = login(*auth, QStringLiteral("alice")).token;
        QVERIFY(auth->authenticate(token).result().ok()); // now in the cache
        QVERIFY(auth->logout(token).result());
        const Authentication after = auth->authenticate(token).result();
        QVERIFY(!after.ok());
        QCOMPARE(after.refusal, Authentication::Refusal::Revoked);
        QVERIFY(!readSession(token));
        QVERIFY(!auth->logout(token).result());
        QVERIFY(!auth->logout(QStringLiteral("not a token")).result());
    }

    void unknownAndMalformedTokensAreRefused()
    {
        auto auth = makeAuthenticator();
        QCOMPARE(auth->authenticate(QString()).result().refusal, Authentication::Refusal::Missing);
        QCOMPARE(auth->authenticate(QStringLiteral("short")).result().refusal,
                 Authentication::Refusal::Missing);
        QCOMPARE(
            auth->authenticate(QStringLiteral("x' OR '1'='1 -- padding padding padding")).result().refusal,
            Authentication::Refusal::Missing);
        QCOMPARE(auth->authenticate(QString(43, u'A')).result().refusal, Authentication::Refusal::Unknown);
    }

    void apiTokensAuthenticateWithTheirRole()
    {
        const User admin = createUser(QStringLiteral("root"), Role::Admin);
        auto auth = makeAuthenticator();
        const Principal creator = sessionPrincipal(*auth, QStringLiteral("root"));
        const CreatedToken created =
            auth->createToken(creator, {QStringLiteral("prometheus"), Role::Viewer, now().addMSecs(Hour)})
                .result();
        QCOMPARE(created.secret.size(), 43);
        QVERIFY(created.token.tokenHash.isEmpty());
        QCOMPARE(created.token.ownerId, admin.id);
        QCOMPARE(readToken(created.token.id).tokenHash, sha256Hex(created.secret));

        const Authentication authentication = auth->authenticate(created.secret).result();
        QVERIFY(authentication.ok());
        QCOMPARE(authentication.principal->kind, Principal::Kind::ApiToken);
        QCOMPARE(authentication.principal->role, Role::Viewer);
        QCOMPARE(authentication.principal->userId, admin.id);
        QCOMPARE(authentication.principal->tokenId, created.token.id);
        QCOMPARE(authentication.principal->tokenName, QStringLiteral("prometheus"));
        QCOMPARE(readToken(created.token.id).lastUsed, now());

        // Used again within the minute: not written again.
        advance(30'000);
        QVERIFY(auth->authenticate(created.secret).result().ok());
        QCOMPARE(readToken(created.token.id).lastUsed, now().addMSecs(-30'000));

        m_nowMs = created.token.expires.toMSecsSinceEpoch();
        QCOMPARE(auth->authenticate(created.secret).result().refusal, Authentication::Refusal::Expired);
    }

    void tokenRequestsAreChecked()
    {
        createUser(QStringLiteral("op"), Role::Operator);
        auto auth = makeAuthenticator();
        const Principal creator = sessionPrincipal(*auth, QStringLiteral("op"));
        const auto failureOf = [&](const Principal &who, const TokenRequest &request) -> QString {
            try {
                auth->createToken(who, request).waitForFinished();
            } catch (const StorageError &error) {
                return error.kind() == StorageError::Kind::Invalid
                           ? QStringLiteral("invalid:") + error.field()
                           : QStringLiteral("other");
            }
            return QStringLiteral("created");
        };
        QCOMPARE(failureOf(creator, {QStringLiteral("ci"), Role::Admin, {}}), QStringLiteral("invalid:role"));
        QCOMPARE(failureOf(creator, {QStringLiteral("ci"), Role::Operator, now()}),
                 QStringLiteral("invalid:expires"));
        QCOMPARE(failureOf(creator, {QStringLiteral(" "), Role::Operator, {}}),
                 QStringLiteral("invalid:name"));
        QCOMPARE(failureOf(creator, {QStringLiteral("ci"), Role::Operator, {}}), QStringLiteral("created"));

        const CreatedToken token =
            auth->createToken(creator, {QStringLiteral("bot"), Role::Viewer, {}}).result();
        const Principal tokenPrincipal = *auth->authenticate(token.secret).result().principal;
        QCOMPARE(failureOf(tokenPrincipal, {QStringLiteral("child"), Role::Viewer, {}}),
                 QStringLiteral("invalid:"));
    }

    void revocationIsVisibleAtOnceDespiteTheCache()
    {
        createUser(QStringLiteral("root"), Role::Admin);
        auto auth = makeAuthenticator();
        const Principal creator = sessionPrincipal(*auth, QStringLiteral("root"));

        // The cache is real: a row deleted behind the authenticator's back is still accepted
        // until the cache lifetime ends.
        const CreatedToken first =
            auth->createToken(creator, {QStringLiteral("first"), Role::Admin, {}}).result();
        QVERIFY(auth->authenticate(first.secret).result().ok());
        const QUuid firstId = first.token.id;
        m_executor->runAndWait([firstId](Database &db) { ApiTokenStore(db).remove(firstId); });
        QVERIFY(auth->authenticate(first.secret).result().ok());
        advance(10'000);
        QCOMPARE(auth->authenticate(first.secret).result().refusal, Authentication::Refusal::Unknown);

        // Revoked through the authenticator: refused on the very next request.
        const CreatedToken second =
            auth->createToken(creator, {QStringLiteral("second"), Role::Admin, {}}).result();
        QVERIFY(auth->authenticate(second.secret).result().ok());
        QVERIFY(auth->revokeToken(second.token.id).result());
        QCOMPARE(auth->authenticate(second.secret).result().refusal, Authentication::Refusal::Revoked);
        QVERIFY(!auth->revokeToken(second.token.id).result());
    }

    void disabledUsersAreRefused()
    {
        const User alice = createUser(QStringLiteral("alice"), Role::Admin);
        auto auth = makeAuthenticator();
        const QString session = login(*auth, QStringLiteral("alice")).token;
        const Principal creator = *auth->authenticate(session).result().principal;
        const QString apiToken =
            auth->createToken(creator, {QStringLiteral("ci"), Role::Operator, {}}).result().secret;
        QVERIFY(auth->authenticate(apiToken).result().ok());

        m_executor->runAndWait([id = alice.id](Database &db) {
            UserStore users(db);
            User user = users.get(id);
            user.enabled = false;
            users.update(user);
        });
        auth->forgetUser(alice.id);
        QCOMPARE(auth->authenticate(session).result().refusal, Authentication::Refusal::Disabled);
        QCOMPARE(auth->authenticate(apiToken).result().refusal, Authentication::Refusal::Disabled);
    }

    void aTokenNeverOutranksItsOwner()
    {
        const User alice = createUser(QStringLiteral("alice"), Role::Admin);
        auto auth = makeAuthenticator();
        const Principal creator = sessionPrincipal(*auth, QStringLiteral("alice"));
        const QString apiToken =
            auth->createToken(creator, {QStringLiteral("ci"), Role::Admin, {}}).result().secret;
        QCOMPARE(auth->authenticate(apiToken).result().principal->role, Role::Admin);
        m_executor->runAndWait([id = alice.id](Database &db) {
            UserStore users(db);
            User user = users.get(id);
            user.role = Role::Viewer;
            users.update(user);
        });
        auth->forgetUser(alice.id);
        const Principal demoted = *auth->authenticate(apiToken).result().principal;
        QCOMPARE(demoted.role, Role::Viewer);
        QVERIFY(!allowed(demoted.role, Permission::ManageConfiguration));
    }

    void sessionsCanBeEndedAndCleanedUp()
    {
        const User alice = createUser(QStringLiteral("alice"), Role::Viewer);
        createUser(QStringLiteral("bob"), Role::Viewer);
        auto auth = makeAuthenticator();
        const QString first = login(*auth, QStringLiteral("alice")).token;
        login(*auth, QStringLiteral("alice"));
        const QString bobs = login(*auth, QStringLiteral("bob")).token;
        QVERIFY(auth->authenticate(first).result().ok());
        QCOMPARE(auth->endSessionsOfUser(alice.id).result(), 2);
        QVERIFY(!auth->authenticate(first).result().ok());

        QCOMPARE(auth->removeExpiredSessions().result(), 0);
        advance(12 * Hour);
        QCOMPARE(auth->removeExpiredSessions().result(), 1);
        QVERIFY(!readSession(bobs));
    }

private:
    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<StorageExecutor> m_executor;
    std::atomic<qint64> m_nowMs = T0;
};

QTEST_GUILESS_MAIN(TestAuthenticator)
#include "tst_authenticator.moc"
