#include <QAtomicInt>
#include <QTest>

#include "daemon-core/storage/enrollmentstore.h"
#include "daemon-core/storage/hoststore.h"
#include "shared/enrollment/pairingstrings.h"
#include "tests/storage/storagetesthelpers.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;

namespace {

const QDateTime Now = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

JoinToken token(std::optional<int> maxUses = std::nullopt, qint64 lifetimeSeconds = 3600)
{
    JoinToken token;
    token.description = QStringLiteral("rack 4");
    token.createdBy = QStringLiteral("admin");
    token.created = Now;
    token.expires = Now.addSecs(lifetimeSeconds);
    token.maxUses = maxUses;
    return token;
}

Enrollment pending(const QString &key, const QString &hostname)
{
    Enrollment enrollment;
    enrollment.hostname = hostname;
    enrollment.address = QStringLiteral("10.0.0.5");
    enrollment.agentPort = 4048;
    enrollment.agentKeySha256 = key;
    enrollment.agentVersion = QStringLiteral("0.9.0");
    enrollment.os = QStringLiteral("Debian GNU/Linux 12");
    enrollment.enrollmentSealed = QByteArray("\x01sealed\x00bytes", 13);
    enrollment.source = QStringLiteral("10.0.0.5");
    return enrollment;
}

} // namespace

// EnrollmentStore on SQLite and PostgreSQL: join tokens (hash only, expiry, revocation, max uses
// even under concurrent registrations) and registrations (one pending per key, decisions once).
class TestEnrollmentStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    DatabaseConfig m_config;
    std::unique_ptr<Database> m_db;

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("enrollmentstore"));
    }

    void init() { m_db = m_testDatabase->freshMigratedDatabase(&m_config); }

    void cleanup() { m_db.reset(); }

    void joinTokensAreKeptByHashAndAdmitUntilRefused()
    {
        EnrollmentStore store(*m_db);
        const QString secret = generatePairingToken();
        const JoinToken created = store.createJoinToken(token(2), pairingTokenHash(secret));
        QVERIFY(!created.id.isNull());
        QCOMPARE(store.joinToken(created.id).maxUses, std::optional<int>(2));
        QCOMPARE(store.listJoinTokens().size(), 1);

        QCOMPARE(store.useJoinToken(pairingTokenHash(QStringLiteral("wrong")), Now).refusal,
                 JoinTokenRefusal::Unknown);
        JoinTokenUse use = store.useJoinToken(pairingTokenHash(secret), Now);
        QVERIFY(use.token);
        QCOMPARE(use.token->uses, 1);
        QVERIFY(store.useJoinToken(pairingTokenHash(secret), Now).token);
        QCOMPARE(store.useJoinToken(pairingTokenHash(secret), Now).refusal, JoinTokenRefusal::UsedUp);
        QCOMPARE(store.joinToken(created.id).uses, 2);

        const QString unlimited = generatePairingToken();
        const JoinToken open = store.createJoinToken(token(std::nullopt, 60), pairingTokenHash(unlimited));
        QVERIFY(store.useJoinToken(pairingTokenHash(unlimited), Now.addSecs(59)).token);
        QCOMPARE(store.useJoinToken(pairingTokenHash(unlimited), Now.addSecs(60)).refusal,
                 JoinTokenRefusal::Expired);
        store.revokeJoinToken(open.id);
        QCOMPARE(store.useJoinToken(pairingTokenHash(unlimited), Now).refusal, JoinTokenRefusal::Revoked);
        QVERIFY_STORAGE_ERROR(store.revokeJoinToken(QUuid::createUuid()), StorageError::Kind::NotFound);
        QVERIFY_STORAGE_ERROR(store.createJoinToken(token(0), pairingTokenHash(QStringLiteral("x"))),
                              StorageError::Kind::Invalid);
    }

    void aTokensLastUseGoesToOneOfManyConcurrentAgents()
    {
        const QString secret = generatePairingToken();
        const JoinToken created = EnrollmentStore(*m_db).createJoinToken(token(3), pairingTokenHash(secret));
        QAtomicInt admitted = 0;
        const QStringList failures = test::onConcurrentConnections(m_config, 8, [&](int, Database &db) {
            if (EnrollmentStore(db).useJoinToken(pairingTokenHash(secret), Now).token)
                admitted.fetchAndAddRelaxed(1);
        });
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
        QCOMPARE(admitted.loadRelaxed(), 3);
        QCOMPARE(EnrollmentStore(*m_db).joinToken(created.id).uses, 3);
    }

    void registrationsArePendingOncePerKeyAndDecidedOnce()
    {
        EnrollmentStore store(*m_db);
        const QString keyA(64, u'a');
        const QString keyB(64, u'b');
        bool replaced = true;
        const Enrollment first = store.addPending(pending(keyA, QStringLiteral("first")), &replaced);
        QVERIFY(!replaced);
        QCOMPARE(store.enrollment(first.id).enrollmentSealed, pending(keyA, {}).enrollmentSealed);
        const Enrollment again = store.addPending(pending(keyA, QStringLiteral("again")), &replaced);
        QVERIFY(replaced);
        QVERIFY_STORAGE_ERROR(store.enrollment(first.id), StorageError::Kind::NotFound);
        const Enrollment other = store.addPending(pending(keyB, QStringLiteral("other")));
        QCOMPARE(store.listEnrollments().size(), 2);

        Host host;
        host.name = QStringLiteral("again");
        host.address = QStringLiteral("10.0.0.5");
        host = HostStore(*m_db).create(host);
        const Enrollment accepted =
            store.decide(again.id, EnrollmentState::Accepted, QStringLiteral("admin"), host.id, Now);
        QCOMPARE(accepted.state, EnrollmentState::Accepted);
        // The sealed string is forgotten once decided: its token is used or unwanted.
        QVERIFY(store.enrollment(again.id).enrollmentSealed.isEmpty());
        QCOMPARE(store.enrollment(again.id).hostId, host.id);
        QVERIFY_STORAGE_ERROR(
            store.decide(again.id, EnrollmentState::Rejected, QStringLiteral("admin"), {}, Now),
            StorageError::Kind::Conflict);
        // Pending first.
        QCOMPARE(store.listEnrollments().first().id, other.id);
        // Decided, the key may register again.
        bool replacedDecided = true;
        store.addPending(pending(keyA, QStringLiteral("later")), &replacedDecided);
        QVERIFY(!replacedDecided);
        QCOMPARE(store.listEnrollments().size(), 3);
        // A host deleted later leaves the record.
        HostStore(*m_db).remove(host.id);
        QVERIFY(store.enrollment(again.id).hostId.isNull());
    }
};

QTEST_GUILESS_MAIN(TestEnrollmentStore)
#include "tst_enrollmentstore.moc"
