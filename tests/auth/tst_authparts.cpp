#include <QTest>

#include "daemon-core/auth/authenticator.h"
#include "daemon-core/auth/credentialcache.h"
#include "daemon-core/auth/sourcethrottle.h"

using namespace prophasis;

namespace {

const QDateTime T0 = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

Principal principalOf(const QUuid &userId, const QUuid &tokenId = {})
{
    Principal principal;
    principal.kind = tokenId.isNull() ? Principal::Kind::Session : Principal::Kind::ApiToken;
    principal.userId = userId;
    principal.tokenId = tokenId;
    principal.username = QStringLiteral("alice");
    return principal;
}

} // namespace

// The in-memory parts of the authenticator: the per-address throttle, the credential cache and
// the Authorization header.
class TestAuthParts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void throttleRefusesASourceAfterTooManyFailures()
    {
        AuthPolicy policy;
        SourceThrottle throttle(policy);
        for (int i = 0; i < policy.maxSourceFailures - 1; ++i)
            throttle.recordFailure(QStringLiteral("192.0.2.1"), T0.addSecs(i));
        QVERIFY(!throttle.refusedUntil(QStringLiteral("192.0.2.1"), T0.addSecs(30)).isValid());
        throttle.recordFailure(QStringLiteral("192.0.2.1"), T0.addSecs(30));
        QCOMPARE(throttle.refusedUntil(QStringLiteral("192.0.2.1"), T0.addSecs(30)), T0.addSecs(30 + 300));
        QVERIFY(!throttle.refusedUntil(QStringLiteral("192.0.2.2"), T0.addSecs(30)).isValid());
        QVERIFY(!throttle.refusedUntil(QStringLiteral("192.0.2.1"), T0.addSecs(330)).isValid());
    }

    void throttleForgetsFailuresOutsideItsWindow()
    {
        AuthPolicy policy;
        SourceThrottle throttle(policy);
        for (int i = 0; i < 3 * policy.maxSourceFailures; ++i)
            throttle.recordFailure(QStringLiteral("192.0.2.1"), T0.addSecs(i * 4)); // 15 a minute
        QVERIFY(!throttle.refusedUntil(QStringLiteral("192.0.2.1"), T0.addSecs(240)).isValid());
    }

    void ipv6CountsPerSlash64()
    {
        QCOMPARE(SourceThrottle::sourceKey(QStringLiteral("2001:db8:1:2::5")),
                 SourceThrottle::sourceKey(QStringLiteral("2001:db8:1:2:ffff::9")));
        QVERIFY(SourceThrottle::sourceKey(QStringLiteral("2001:db8:1:2::5")) !=
                SourceThrottle::sourceKey(QStringLiteral("2001:db8:1:3::5")));
        QCOMPARE(SourceThrottle::sourceKey(QStringLiteral("::ffff:192.0.2.7")), QStringLiteral("192.0.2.7"));
        QCOMPARE(SourceThrottle::sourceKey(QStringLiteral("192.0.2.7")), QStringLiteral("192.0.2.7"));

        AuthPolicy policy;
        SourceThrottle throttle(policy);
        for (int i = 0; i < policy.maxSourceFailures; ++i)
            throttle.recordFailure(QStringLiteral("2001:db8:1:2::%1").arg(i + 1, 0, 16), T0);
        QVERIFY(throttle.refusedUntil(QStringLiteral("2001:db8:1:2::abcd"), T0).isValid());
        QVERIFY(!throttle.refusedUntil(QStringLiteral("2001:db8:1:3::1"), T0).isValid());
    }

    void throttleMemoryIsBounded()
    {
        AuthPolicy policy;
        policy.maxTrackedSources = 100;
        SourceThrottle throttle(policy);
        for (int i = 0; i < policy.maxSourceFailures; ++i)
            throttle.recordFailure(QStringLiteral("192.0.2.1"), T0);
        // A spray from many addresses fills the table; the blocked source stays blocked.
        for (int i = 0; i < 1000; ++i)
            throttle.recordFailure(QStringLiteral("10.0.%1.%2").arg(i / 250).arg(i % 250), T0);
        QVERIFY(throttle.refusedUntil(QStringLiteral("192.0.2.1"), T0).isValid());
    }

    void cacheAnswersWithinItsLifetime()
    {
        CredentialCache cache(10'000, 100);
        const QUuid user = QUuid::createUuid();
        cache.insert(QStringLiteral("h1"), principalOf(user), {}, T0, cache.generation());
        QCOMPARE(cache.find(QStringLiteral("h1"), T0.addSecs(9))->userId, user);
        QVERIFY(!cache.find(QStringLiteral("h1"), T0.addSecs(10)));
        QVERIFY(!cache.find(QStringLiteral("h2"), T0));
    }

    void cacheHonoursTheCredentialsExpiry()
    {
        CredentialCache cache(10'000, 100);
        cache.insert(QStringLiteral("h1"), principalOf(QUuid::createUuid()), T0.addSecs(5), T0,
                     cache.generation());
        QVERIFY(cache.find(QStringLiteral("h1"), T0.addSecs(4)));
        QVERIFY(!cache.find(QStringLiteral("h1"), T0.addSecs(5)));
    }

    void cacheForgetsByTokenTokenIdAndUser()
    {
        CredentialCache cache(10'000, 100);
        const QUuid alice = QUuid::createUuid();
        const QUuid bob = QUuid::createUuid();
        const QUuid token = QUuid::createUuid();
        cache.insert(QStringLiteral("session"), principalOf(alice), {}, T0, cache.generation());
        cache.insert(QStringLiteral("token"), principalOf(alice, token), {}, T0, cache.generation());
        cache.insert(QStringLiteral("bob"), principalOf(bob), {}, T0, cache.generation());
        cache.forgetTokenId(QUuid()); // sessions have no token id
        QVERIFY(cache.find(QStringLiteral("session"), T0));
        cache.forgetTokenId(token);
        QVERIFY(!cache.find(QStringLiteral("token"), T0));
        QVERIFY(cache.find(QStringLiteral("session"), T0));
        cache.forgetUser(alice);
        QVERIFY(!cache.find(QStringLiteral("session"), T0));
        QVERIFY(cache.find(QStringLiteral("bob"), T0));
        cache.forgetToken(QStringLiteral("bob"));
        QVERIFY(!cache.find(QStringLiteral("bob"), T0));
    }

    // A lookup that read the database before a revocation must not put its answer back.
    void cacheDropsAnswersReadBeforeAnInvalidation()
    {
        CredentialCache cache(10'000, 100);
        const quint64 before = cache.generation();
        cache.forgetTokenId(QUuid::createUuid());
        cache.insert(QStringLiteral("h1"), principalOf(QUuid::createUuid()), {}, T0, before);
        QVERIFY(!cache.find(QStringLiteral("h1"), T0));
    }

    void cacheIsBounded()
    {
        CredentialCache cache(10'000, 3);
        for (int i = 0; i < 5; ++i)
            cache.insert(QString::number(i), principalOf(QUuid::createUuid()), {}, T0, cache.generation());
        int present = 0;
        for (int i = 0; i < 5; ++i)
            present += cache.find(QString::number(i), T0) ? 1 : 0;
        QCOMPARE(present, 3);
        // Stale entries make room.
        cache.insert(QStringLiteral("late"), principalOf(QUuid::createUuid()), {}, T0.addSecs(20),
                     cache.generation());
        QVERIFY(cache.find(QStringLiteral("late"), T0.addSecs(20)));
    }

    void bearerHeader_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QString>("token");
        QTest::newRow("bearer") << QByteArray("Bearer abc_DEF-123") << QStringLiteral("abc_DEF-123");
        QTest::newRow("any case, spaces") << QByteArray("  bEaReR   abc  ") << QStringLiteral("abc");
        QTest::newRow("basic") << QByteArray("Basic YWxpY2U6c2VjcmV0") << QString();
        QTest::newRow("no token") << QByteArray("Bearer ") << QString();
        QTest::newRow("empty") << QByteArray() << QString();
        QTest::newRow("glued") << QByteArray("Bearerabc") << QString();
    }

    void bearerHeader()
    {
        QFETCH(QByteArray, header);
        QFETCH(QString, token);
        QCOMPARE(bearerToken(header), token);
    }
};

QTEST_APPLESS_MAIN(TestAuthParts)
#include "tst_authparts.moc"
