#include <QSqlQuery>
#include <QTest>

#include <memory>

#include "daemon-core/storage/database.h"
#include "daemon-core/storage/migrations.h"
#include "daemon-core/storage/userstore.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

// Whole milliseconds, as the database stores them.
QDateTime at(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

const qint64 T0 = 1'700'000'000'000;

User makeUser(const QString &username, Role role = Role::Viewer)
{
    User user;
    user.username = username;
    user.fullName = QStringLiteral("Test ") + username;
    user.role = role;
    user.passwordHash = QStringLiteral("$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA");
    return user;
}

ApiToken makeToken(const QString &name, const QUuid &ownerId, const QString &hash)
{
    ApiToken token;
    token.name = name;
    token.role = Role::Operator;
    token.ownerId = ownerId;
    token.tokenHash = hash;
    return token;
}

Session makeSession(const QString &hash, const QUuid &userId, qint64 expiresMs)
{
    Session session;
    session.tokenHash = hash;
    session.userId = userId;
    session.created = at(T0);
    session.expires = at(expiresMs);
    session.lastSeen = at(T0 + 5);
    session.source = QStringLiteral("192.0.2.7");
    return session;
}

qint64 countRows(Database &db, const QString &table)
{
    QSqlQuery query = db.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table));
    query.next();
    return query.value(0).toLongLong();
}

} // namespace

// Runs `expression` and checks it throws a StorageError of that kind about that field (an
// empty field is not checked).
#define QVERIFY_STORAGE_ERROR_FIELD(expression, expectedKind, expectedField)                                 \
    do {                                                                                                     \
        try {                                                                                                \
            expression;                                                                                      \
            QFAIL("expected a StorageError");                                                                \
        } catch (const StorageError &error) {                                                                \
            QCOMPARE(int(error.kind()), int(expectedKind));                                                  \
            if (!QString(expectedField).isEmpty())                                                           \
                QCOMPARE(error.field(), QString(expectedField));                                             \
        }                                                                                                    \
    } while (false)
#define QVERIFY_STORAGE_ERROR(expression, expectedKind)                                                      \
    QVERIFY_STORAGE_ERROR_FIELD(expression, expectedKind, "")

class TestStorageUsers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("storage_users"));
    }

    void init()
    {
        m_db.reset();
        m_db = m_testDatabase->freshMigratedDatabase();
    }

    void cleanup() { m_db.reset(); }

    void userCreateReadUpdateDelete()
    {
        UserStore users(*m_db);
        User draft = makeUser(QStringLiteral("alice"), Role::Operator);
        draft.enabled = false;
        draft.failedLogins = 2;
        draft.lockedUntil = at(T0 + 60'000);
        draft.lastLogin = at(T0 - 1000);
        const User created = users.create(draft);
        QVERIFY(!created.id.isNull());
        QCOMPARE(created.version, 1);

        const User read = users.get(created.id);
        QCOMPARE(read.id, created.id);
        QCOMPARE(read.username, QStringLiteral("alice"));
        QCOMPARE(read.fullName, QStringLiteral("Test alice"));
        QCOMPARE(read.role, Role::Operator);
        QCOMPARE(read.enabled, false);
        QCOMPARE(read.passwordHash, draft.passwordHash);
        // Login bookkeeping is the server's: create() does not write it.
        QCOMPARE(read.failedLogins, 0);
        QVERIFY(!read.lockedUntil.isValid());
        QVERIFY(!read.lastLogin.isValid());

        User changed = read;
        changed.username = QStringLiteral("alice.b");
        changed.fullName = QStringLiteral("Alice B.");
        changed.role = Role::Admin;
        changed.enabled = true;
        changed.passwordHash = QStringLiteral("new-hash");
        changed.failedLogins = 0;
        changed.lockedUntil = QDateTime();
        changed.lastLogin = at(T0 + 5);
        QCOMPARE(users.update(changed).version, 2);
        const User reread = users.get(created.id);
        QCOMPARE(reread.version, 2);
        QCOMPARE(reread.username, QStringLiteral("alice.b"));
        QCOMPARE(reread.fullName, QStringLiteral("Alice B."));
        QCOMPARE(reread.role, Role::Admin);
        QCOMPARE(reread.enabled, true);
        QCOMPARE(reread.passwordHash, QStringLiteral("new-hash"));
        QCOMPARE(reread.failedLogins, 0);
        QVERIFY(!reread.lockedUntil.isValid());
        QVERIFY(!reread.lastLogin.isValid()); // update() does not write it either

        users.remove(created.id);
        QVERIFY(!users.find(created.id));
        QVERIFY_STORAGE_ERROR(users.remove(created.id), StorageError::Kind::NotFound);
    }

    void usersAreListedByUsername()
    {
        UserStore users(*m_db);
        users.create(makeUser(QStringLiteral("carol")));
        users.create(makeUser(QStringLiteral("Bob")));
        users.create(makeUser(QStringLiteral("alice")));
        QStringList names;
        for (const User &user : users.list())
            names.append(user.username);
        QCOMPARE(names,
                 (QStringList{QStringLiteral("alice"), QStringLiteral("Bob"), QStringLiteral("carol")}));
    }

    void duplicateUsernamesAreRefusedCaseInsensitively()
    {
        UserStore users(*m_db);
        users.create(makeUser(QStringLiteral("alice")));
        QVERIFY_STORAGE_ERROR_FIELD(users.create(makeUser(QStringLiteral("ALICE"))),
                                    StorageError::Kind::Duplicate, "username");
        const User bob = users.create(makeUser(QStringLiteral("bob")));
        User renamed = bob;
        renamed.username = QStringLiteral("Alice");
        QVERIFY_STORAGE_ERROR_FIELD(users.update(renamed), StorageError::Kind::Duplicate, "username");
        QCOMPARE(users.get(bob.id).username, QStringLiteral("bob"));
        QCOMPARE(users.list().size(), 2);
    }

    void invalidUsersAreRefused()
    {
        UserStore users(*m_db);
        QVERIFY_STORAGE_ERROR_FIELD(users.create(makeUser(QStringLiteral("has space"))),
                                    StorageError::Kind::Invalid, "username");
        User noPassword = makeUser(QStringLiteral("alice"));
        noPassword.passwordHash.clear();
        QVERIFY_STORAGE_ERROR_FIELD(users.create(noPassword), StorageError::Kind::Invalid, "password");
        QCOMPARE(countRows(*m_db, QStringLiteral("users")), 0);

        const User alice = users.create(makeUser(QStringLiteral("alice")));
        User cleared = alice;
        cleared.passwordHash.clear();
        QVERIFY_STORAGE_ERROR_FIELD(users.update(cleared), StorageError::Kind::Invalid, "password");
        const User stored = users.get(alice.id);
        QCOMPARE(stored.passwordHash, alice.passwordHash);
        QCOMPARE(stored.version, 1); // the refused update rolled back its version bump
    }

    void staleVersionIsAConflict()
    {
        UserStore users(*m_db);
        const User created = users.create(makeUser(QStringLiteral("alice")));
        User first = created;
        first.fullName = QStringLiteral("first admin");
        users.update(first);
        User second = created; // still version 1
        second.fullName = QStringLiteral("second admin");
        QVERIFY_STORAGE_ERROR_FIELD(users.update(second), StorageError::Kind::Conflict, "version");
        QCOMPARE(users.get(created.id).fullName, QStringLiteral("first admin"));
    }

    void recordLoginKeepsTheVersion()
    {
        UserStore users(*m_db);
        const User created = users.create(makeUser(QStringLiteral("alice")));
        users.recordLogin(created.id, 3, at(T0 + 900'000), at(T0));
        const User read = users.get(created.id);
        QCOMPARE(read.version, 1);
        QCOMPARE(read.failedLogins, 3);
        QCOMPARE(read.lockedUntil, at(T0 + 900'000));
        QCOMPARE(read.lastLogin, at(T0));

        // An admin's edit based on the version before the failed logins still saves, and
        // does not undo the lockout.
        User edit = created;
        edit.fullName = QStringLiteral("Alice Admin-edited");
        QCOMPARE(users.update(edit).version, 2);
        QCOMPARE(users.get(created.id).failedLogins, 3);
        QCOMPARE(users.get(created.id).lockedUntil, at(T0 + 900'000));

        users.recordLogin(created.id, 0, QDateTime(), at(T0 + 1000));
        const User reset = users.get(created.id);
        QCOMPARE(reset.version, 2);
        QCOMPARE(reset.failedLogins, 0);
        QVERIFY(!reset.lockedUntil.isValid());
        QCOMPARE(reset.lastLogin, at(T0 + 1000));

        QVERIFY_STORAGE_ERROR(users.recordLogin(QUuid::createUuid(), 1, QDateTime(), QDateTime()),
                              StorageError::Kind::NotFound);
    }

    void findByUsernameIgnoresCase()
    {
        UserStore users(*m_db);
        const User alice = users.create(makeUser(QStringLiteral("Alice")));
        users.create(makeUser(QStringLiteral("bob")));
        const std::optional<User> found = users.findByUsername(QStringLiteral("aLICE"));
        QVERIFY(found);
        QCOMPARE(found->id, alice.id);
        QCOMPARE(found->username, QStringLiteral("Alice"));
        QCOMPARE(found->version, 1);
        QCOMPARE(found->passwordHash, alice.passwordHash);
        QVERIFY(!users.findByUsername(QStringLiteral("carol")));
        QVERIFY(!users.findByUsername(QStringLiteral("alic")));
    }

    void countEnabledAdmins()
    {
        UserStore users(*m_db);
        QCOMPARE(users.countEnabledAdmins(), 0);
        const User root = users.create(makeUser(QStringLiteral("root"), Role::Admin));
        User disabledAdmin = makeUser(QStringLiteral("old-admin"), Role::Admin);
        disabledAdmin.enabled = false;
        users.create(disabledAdmin);
        users.create(makeUser(QStringLiteral("operator"), Role::Operator));
        users.create(makeUser(QStringLiteral("second"), Role::Admin));
        QCOMPARE(users.countEnabledAdmins(), 2);

        User disabled = root;
        disabled.enabled = false;
        users.update(disabled);
        QCOMPARE(users.countEnabledAdmins(), 1);
    }

    void deletingAUserRemovesItsSessionsAndTokens()
    {
        UserStore users(*m_db);
        ApiTokenStore tokens(*m_db);
        SessionStore sessions(*m_db);
        const User alice = users.create(makeUser(QStringLiteral("alice")));
        const User bob = users.create(makeUser(QStringLiteral("bob")));
        tokens.create(makeToken(QStringLiteral("ci"), alice.id, QStringLiteral("hash-a1")));
        tokens.create(makeToken(QStringLiteral("metrics"), alice.id, QStringLiteral("hash-a2")));
        const ApiToken bobToken =
            tokens.create(makeToken(QStringLiteral("ci"), bob.id, QStringLiteral("hash-b1")));
        sessions.create(makeSession(QStringLiteral("s-a1"), alice.id, T0 + 1000));
        sessions.create(makeSession(QStringLiteral("s-a2"), alice.id, T0 + 1000));
        sessions.create(makeSession(QStringLiteral("s-b1"), bob.id, T0 + 1000));
        QCOMPARE(countRows(*m_db, QStringLiteral("api_tokens")), 3);
        QCOMPARE(countRows(*m_db, QStringLiteral("sessions")), 3);

        users.remove(alice.id);
        QCOMPARE(countRows(*m_db, QStringLiteral("api_tokens")), 1);
        QCOMPARE(countRows(*m_db, QStringLiteral("sessions")), 1);
        QCOMPARE(tokens.list().constFirst().id, bobToken.id);
        QVERIFY(sessions.findByHash(QStringLiteral("s-b1")));
        QVERIFY(!sessions.findByHash(QStringLiteral("s-a1")));
        QVERIFY(!tokens.findByHash(QStringLiteral("hash-a1")));
    }

    void apiTokenCreateReadUpdateDelete()
    {
        UserStore users(*m_db);
        ApiTokenStore tokens(*m_db);
        const User alice = users.create(makeUser(QStringLiteral("alice")));
        const User bob = users.create(makeUser(QStringLiteral("bob")));
        ApiToken draft = makeToken(QStringLiteral("prometheus"), alice.id, QStringLiteral("hash-1"));
        draft.role = Role::Viewer;
        draft.expires = at(T0 + 86'400'000);
        draft.lastUsed = at(T0 - 5);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const ApiToken created = tokens.create(draft);
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(!created.id.isNull());
        QCOMPARE(created.version, 1);
        // The store stamps the creation time and hands it back.
        QVERIFY(created.created.isValid());
        QVERIFY(created.created.toMSecsSinceEpoch() >= before &&
                created.created.toMSecsSinceEpoch() <= after);

        const ApiToken read = tokens.get(created.id);
        QCOMPARE(read.name, QStringLiteral("prometheus"));
        QCOMPARE(read.role, Role::Viewer);
        QCOMPARE(read.ownerId, alice.id);
        QCOMPARE(read.tokenHash, QStringLiteral("hash-1"));
        QCOMPARE(read.created, created.created);
        QCOMPARE(read.expires, at(T0 + 86'400'000));
        QCOMPARE(read.lastUsed, at(T0 - 5));

        ApiToken changed = read;
        changed.name = QStringLiteral("prometheus-2");
        changed.role = Role::Admin;
        changed.ownerId = bob.id;
        changed.expires = QDateTime(); // never
        changed.created = at(0);       // not a column an update writes
        QCOMPARE(tokens.update(changed).version, 2);
        const ApiToken reread = tokens.get(created.id);
        QCOMPARE(reread.version, 2);
        QCOMPARE(reread.name, QStringLiteral("prometheus-2"));
        QCOMPARE(reread.role, Role::Admin);
        QCOMPARE(reread.ownerId, bob.id);
        QVERIFY(!reread.expires.isValid());
        QCOMPARE(reread.created, created.created);

        ApiToken stale = read; // version 1
        stale.name = QStringLiteral("late");
        QVERIFY_STORAGE_ERROR(tokens.update(stale), StorageError::Kind::Conflict);

        tokens.remove(created.id);
        QVERIFY(!tokens.find(created.id));
        QCOMPARE(countRows(*m_db, QStringLiteral("api_tokens")), 0);
        QCOMPARE(countRows(*m_db, QStringLiteral("users")), 2); // the owner stays
    }

    void apiTokenFindByHashAndTouch()
    {
        UserStore users(*m_db);
        ApiTokenStore tokens(*m_db);
        const User alice = users.create(makeUser(QStringLiteral("alice")));
        const ApiToken one =
            tokens.create(makeToken(QStringLiteral("one"), alice.id, QStringLiteral("hash-1")));
        const ApiToken two =
            tokens.create(makeToken(QStringLiteral("two"), alice.id, QStringLiteral("hash-2")));

        const std::optional<ApiToken> found = tokens.findByHash(QStringLiteral("hash-2"));
        QVERIFY(found);
        QCOMPARE(found->id, two.id);
        QCOMPARE(found->name, QStringLiteral("two"));
        QVERIFY(!tokens.findByHash(QStringLiteral("hash-3")));
        QVERIFY(!tokens.findByHash(QStringLiteral("HASH-1"))); // hashes match exactly
        QVERIFY(!tokens.findByHash(QString()));

        QVERIFY(!tokens.get(one.id).lastUsed.isValid());
        tokens.touch(one.id, at(T0 + 42));
        const ApiToken touched = tokens.get(one.id);
        QCOMPARE(touched.lastUsed, at(T0 + 42));
        QCOMPARE(touched.version, 1); // a use is not an edit
        QVERIFY(!tokens.get(two.id).lastUsed.isValid());
        tokens.touch(QUuid::createUuid(), at(T0)); // a deleted token: nothing to do, no error
    }

    void apiTokenRulesAreEnforced()
    {
        UserStore users(*m_db);
        ApiTokenStore tokens(*m_db);
        QVERIFY_STORAGE_ERROR_FIELD(
            tokens.create(makeToken(QStringLiteral("ci"), QUuid::createUuid(), QStringLiteral("h"))),
            StorageError::Kind::MissingReference, "owner_id");
        const User alice = users.create(makeUser(QStringLiteral("alice")));
        QVERIFY_STORAGE_ERROR_FIELD(tokens.create(makeToken(QString(), alice.id, QStringLiteral("h"))),
                                    StorageError::Kind::Invalid, "name");
        QVERIFY_STORAGE_ERROR_FIELD(tokens.create(makeToken(QStringLiteral("ci"), alice.id, QString())),
                                    StorageError::Kind::Invalid, "token_hash");
        QCOMPARE(countRows(*m_db, QStringLiteral("api_tokens")), 0);

        const ApiToken ci = tokens.create(makeToken(QStringLiteral("ci"), alice.id, QStringLiteral("h")));
        QVERIFY_STORAGE_ERROR_FIELD(
            tokens.create(makeToken(QStringLiteral("other"), alice.id, QStringLiteral("h"))),
            StorageError::Kind::Duplicate, "token_hash");
        ApiToken orphaned = ci;
        orphaned.ownerId = QUuid::createUuid();
        QVERIFY_STORAGE_ERROR_FIELD(tokens.update(orphaned), StorageError::Kind::MissingReference,
                                    "owner_id");
        QCOMPARE(tokens.get(ci.id).ownerId, alice.id);
    }

    void apiTokensListedForTheirOwner()
    {
        UserStore users(*m_db);
        ApiTokenStore tokens(*m_db);
        const User alice = users.create(makeUser(QStringLiteral("alice")));
        const User bob = users.create(makeUser(QStringLiteral("bob")));
        const User carol = users.create(makeUser(QStringLiteral("carol")));
        tokens.create(makeToken(QStringLiteral("zeta"), alice.id, QStringLiteral("h1")));
        tokens.create(makeToken(QStringLiteral("Alpha"), alice.id, QStringLiteral("h2")));
        tokens.create(makeToken(QStringLiteral("beta"), bob.id, QStringLiteral("h3")));

        QStringList names;
        for (const ApiToken &token : tokens.listForOwner(alice.id)) {
            QCOMPARE(token.ownerId, alice.id);
            names.append(token.name);
        }
        QCOMPARE(names, (QStringList{QStringLiteral("Alpha"), QStringLiteral("zeta")}));
        QCOMPARE(tokens.listForOwner(bob.id).size(), 1);
        QVERIFY(tokens.listForOwner(carol.id).isEmpty());
        QCOMPARE(tokens.list().size(), 3);
    }

    void sessionLifecycle()
    {
        UserStore users(*m_db);
        SessionStore sessions(*m_db);
        const User alice = users.create(makeUser(QStringLiteral("alice")));
        sessions.create(makeSession(QStringLiteral("s1"), alice.id, T0 + 3'600'000));

        std::optional<Session> found = sessions.findByHash(QStringLiteral("s1"));
        QVERIFY(found);
        QCOMPARE(found->tokenHash, QStringLiteral("s1"));
        QCOMPARE(found->userId, alice.id);
        QCOMPARE(found->created, at(T0));
        QCOMPARE(found->expires, at(T0 + 3'600'000));
        QCOMPARE(found->lastSeen, at(T0 + 5));
        QCOMPARE(found->source, QStringLiteral("192.0.2.7"));
        QVERIFY(!sessions.findByHash(QStringLiteral("s2")));

        sessions.touch(QStringLiteral("s1"), at(T0 + 60'000), at(T0 + 3'660'000));
        found = sessions.findByHash(QStringLiteral("s1"));
        QCOMPARE(found->lastSeen, at(T0 + 60'000));
        QCOMPARE(found->expires, at(T0 + 3'660'000));
        QCOMPARE(found->created, at(T0));                       // unchanged
        sessions.touch(QStringLiteral("gone"), at(T0), at(T0)); // logged out meanwhile: no error

        QVERIFY(sessions.remove(QStringLiteral("s1")));
        QVERIFY(!sessions.findByHash(QStringLiteral("s1")));
        QVERIFY(!sessions.remove(QStringLiteral("s1")));
    }

    void sessionRulesAreEnforced()
    {
        UserStore users(*m_db);
        SessionStore sessions(*m_db);
        QVERIFY_STORAGE_ERROR(
            sessions.create(makeSession(QStringLiteral("s1"), QUuid::createUuid(), T0 + 1000)),
            StorageError::Kind::MissingReference);
        const User alice = users.create(makeUser(QStringLiteral("alice")));
        sessions.create(makeSession(QStringLiteral("s1"), alice.id, T0 + 1000));
        QVERIFY_STORAGE_ERROR(sessions.create(makeSession(QStringLiteral("s1"), alice.id, T0 + 2000)),
                              StorageError::Kind::Duplicate);
        QCOMPARE(sessions.findByHash(QStringLiteral("s1"))->expires, at(T0 + 1000));
        QVERIFY_STORAGE_ERROR_FIELD(sessions.create(makeSession(QString(), alice.id, T0 + 1000)),
                                    StorageError::Kind::Invalid, "token_hash");
        Session noExpiry = makeSession(QStringLiteral("s2"), alice.id, T0);
        noExpiry.expires = QDateTime();
        QVERIFY_STORAGE_ERROR(sessions.create(noExpiry), StorageError::Kind::Invalid);
        QCOMPARE(countRows(*m_db, QStringLiteral("sessions")), 1);
    }

    void expiredSessionsAreRemoved()
    {
        UserStore users(*m_db);
        SessionStore sessions(*m_db);
        const User alice = users.create(makeUser(QStringLiteral("alice")));
        sessions.create(makeSession(QStringLiteral("past"), alice.id, T0 - 1));
        sessions.create(makeSession(QStringLiteral("now"), alice.id, T0));
        sessions.create(makeSession(QStringLiteral("future"), alice.id, T0 + 1));
        QCOMPARE(sessions.removeExpired(at(T0)), 2);
        QVERIFY(!sessions.findByHash(QStringLiteral("past")));
        QVERIFY(!sessions.findByHash(QStringLiteral("now"))); // expiring at `now` is expired
        QVERIFY(sessions.findByHash(QStringLiteral("future")));
        QCOMPARE(sessions.removeExpired(at(T0)), 0);
    }

    void sessionsRemovedForOneUser()
    {
        UserStore users(*m_db);
        SessionStore sessions(*m_db);
        const User alice = users.create(makeUser(QStringLiteral("alice")));
        const User bob = users.create(makeUser(QStringLiteral("bob")));
        sessions.create(makeSession(QStringLiteral("a1"), alice.id, T0 + 1000));
        sessions.create(makeSession(QStringLiteral("a2"), alice.id, T0 + 1000));
        sessions.create(makeSession(QStringLiteral("b1"), bob.id, T0 + 1000));
        QCOMPARE(sessions.removeForUser(alice.id), 2);
        QVERIFY(!sessions.findByHash(QStringLiteral("a1")));
        QVERIFY(!sessions.findByHash(QStringLiteral("a2")));
        QVERIFY(sessions.findByHash(QStringLiteral("b1")));
        QCOMPARE(sessions.removeForUser(alice.id), 0);
        QCOMPARE(countRows(*m_db, QStringLiteral("users")), 2); // the users stay
    }

private:
    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<Database> m_db;
};

QTEST_GUILESS_MAIN(TestStorageUsers)
#include "tst_storage_users.moc"
