#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <memory>

#include "console/client/apiclient.h"
#include "console/connect/connectsequence.h"
#include "console/connect/profilestore.h"
#include "shared/tls/identity.h"
#include "tests/api/apitestserver.h"

using namespace prophasis;

// The connect sequence against the real management API over HTTPS on loopback (a test-made
// certificate nobody vouches for): the first connection shows the server's real key and pins it
// only once confirmed, a later one uses the pin without asking, a wrong pin is refused before the
// password is sent, and failures come back in words.
class TestConnectSequence : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_database;
    std::unique_ptr<test::ApiTestServer> m_api;
    QString m_serverKey;

    ConnectionProfile profile(const QString &pin = {}) const
    {
        ConnectionProfile profile;
        profile.name = QStringLiteral("Test core");
        profile.coreUrl = QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_api->port()));
        profile.user = QStringLiteral("admin");
        profile.pinnedKey = pin;
        return profile;
    }

    int sessionCount()
    {
        return m_api->storage().runAndWait([](Database &db) {
            QSqlQuery query = db.exec(QStringLiteral("SELECT COUNT(*) FROM sessions"));
            return query.next() ? query.value(0).toInt() : -1;
        });
    }

    struct Outcome
    {
        bool succeeded = false;
        ConnectSequence::Failure failure = ConnectSequence::Failure::Cancelled;
        QString text;
        QStringList offeredKeys;
        QStringList offeredFingerprints;
    };

    // Runs the sequence to its end, answering the key question with `confirm`.
    Outcome run(ConnectSequence &sequence, const ConnectionProfile &profile, const QString &password,
                bool confirm)
    {
        Outcome outcome;
        bool done = false;
        QMetaObject::Connection asked = connect(&sequence, &ConnectSequence::keyConfirmationNeeded, this,
                                                [&](const QString &key, const QString &fingerprint) {
                                                    outcome.offeredKeys.append(key);
                                                    outcome.offeredFingerprints.append(fingerprint);
                                                    sequence.confirmKey(confirm);
                                                });
        QMetaObject::Connection ok = connect(&sequence, &ConnectSequence::succeeded, this, [&] {
            outcome.succeeded = true;
            done = true;
        });
        QMetaObject::Connection failed = connect(&sequence, &ConnectSequence::failed, this,
                                                 [&](ConnectSequence::Failure failure, const QString &text) {
                                                     outcome.failure = failure;
                                                     outcome.text = text;
                                                     done = true;
                                                 });
        sequence.start(profile, password);
        if (!QTest::qWaitFor([&done] { return done; }, 30'000))
            qWarning("the connect sequence did not finish");
        disconnect(asked);
        disconnect(ok);
        disconnect(failed);
        return outcome;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ProphasisTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_connectsequence"));
        m_database = std::make_unique<test::TestDatabase>(QStringLiteral("connectsequence"));
    }

    void init()
    {
        QSettings().clear();
        m_api = std::make_unique<test::ApiTestServer>(*m_database, this);
        QString error;
        QVERIFY2(m_api->start(&error), qPrintable(error));
        m_serverKey = spkiSha256(m_api->identity().certificate);
        QCOMPARE(m_serverKey.size(), 64);
    }

    void cleanup() { m_api.reset(); }

    void firstConnectionShowsTheKeyAndPinsItOnceConfirmed()
    {
        ApiClient client;
        ProfileStore store;
        ConnectSequence sequence(client, store);
        QSignalSpy progress(&sequence, &ConnectSequence::progress);
        const Outcome outcome = run(sequence, profile(), test::AdminPassword, true);
        QVERIFY2(outcome.succeeded, qPrintable(outcome.text));
        QCOMPARE(outcome.offeredKeys, QStringList{m_serverKey});
        QCOMPARE(outcome.offeredFingerprints, QStringList{groupedFingerprint(m_serverKey)});
        QVERIFY(progress.size() >= 2);
        QVERIFY(client.isLoggedIn());
        QCOMPARE(client.role(), QStringLiteral("admin"));
        QCOMPARE(client.pinnedKey(), m_serverKey);
        const std::optional<ConnectionProfile> saved = store.profile(QStringLiteral("Test core"));
        QVERIFY(saved);
        QCOMPARE(saved->pinnedKey, m_serverKey);
        QCOMPARE(store.lastUsed(), QStringLiteral("Test core"));
        QCOMPARE(sessionCount(), 1);

        // A later connection with the pin goes straight to the login, without asking.
        ApiClient second;
        ConnectSequence again(second, store);
        const Outcome later = run(again, *saved, test::AdminPassword, false);
        QVERIFY2(later.succeeded, qPrintable(later.text));
        QVERIFY(later.offeredKeys.isEmpty());
        QCOMPARE(sessionCount(), 2);
    }

    void declinedKeyConnectsNothing()
    {
        ApiClient client;
        ProfileStore store;
        ConnectSequence sequence(client, store);
        const Outcome outcome = run(sequence, profile(), test::AdminPassword, false);
        QVERIFY(!outcome.succeeded);
        QCOMPARE(outcome.failure, ConnectSequence::Failure::KeyDeclined);
        QCOMPARE(outcome.offeredKeys, QStringList{m_serverKey});
        QVERIFY2(outcome.text.contains(QStringLiteral("not confirmed")), qPrintable(outcome.text));
        QVERIFY(!client.isLoggedIn());
        QVERIFY(store.profiles().isEmpty());
        QCOMPARE(sessionCount(), 0);
    }

    void wrongPinNeverSendsThePassword()
    {
        ApiClient client;
        ProfileStore store;
        ConnectSequence sequence(client, store);
        const QString wrongPin(64, u'0');
        const Outcome outcome = run(sequence, profile(wrongPin), test::AdminPassword, true);
        QVERIFY(!outcome.succeeded);
        QCOMPARE(outcome.failure, ConnectSequence::Failure::KeyMismatch);
        QVERIFY(outcome.offeredKeys.isEmpty()); // never re-pinned by itself
        QCOMPARE(sequence.presentedKey(), m_serverKey);
        QVERIFY2(outcome.text.contains(groupedFingerprint(m_serverKey)) &&
                     outcome.text.contains(QStringLiteral("password was not sent")),
                 qPrintable(outcome.text));
        QVERIFY(!client.isLoggedIn());
        QVERIFY(store.profiles().isEmpty());
        // The right password went nowhere: no login reached the core.
        QCOMPARE(sessionCount(), 0);

        // Re-pinning, after the person confirmed the risk, asks about the new key again.
        bool done = false;
        QStringList offered;
        connect(&sequence, &ConnectSequence::keyConfirmationNeeded, this, [&](const QString &key) {
            offered.append(key);
            sequence.confirmKey(true);
        });
        connect(&sequence, &ConnectSequence::succeeded, this, [&done] { done = true; });
        sequence.forgetPinAndConnect();
        QTRY_VERIFY_WITH_TIMEOUT(done, 30'000);
        QCOMPARE(offered, QStringList{m_serverKey});
        QCOMPARE(store.profile(QStringLiteral("Test core"))->pinnedKey, m_serverKey);
    }

    void wrongPasswordInWords()
    {
        ApiClient client;
        ProfileStore store;
        ConnectSequence sequence(client, store);
        const Outcome outcome = run(sequence, profile(m_serverKey), QStringLiteral("not the password"), true);
        QVERIFY(!outcome.succeeded);
        QCOMPARE(outcome.failure, ConnectSequence::Failure::WrongPassword);
        QCOMPARE(outcome.text, QStringLiteral("The user name or the password is wrong."));
        QVERIFY(store.profiles().isEmpty());
    }

    void lockedUserInWords()
    {
        ApiClient client;
        ProfileStore store;
        ConnectSequence sequence(client, store);
        Outcome outcome;
        // AuthPolicy locks a user after a few failed logins; then even the right password is refused.
        for (int attempt = 0; attempt < 12 && outcome.failure != ConnectSequence::Failure::LockedOut;
             ++attempt)
            outcome = run(sequence, profile(m_serverKey), QStringLiteral("not the password"), true);
        QCOMPARE(outcome.failure, ConnectSequence::Failure::LockedOut);
        QVERIFY2(outcome.text.startsWith(QStringLiteral("Too many failed logins")), qPrintable(outcome.text));
        outcome = run(sequence, profile(m_serverKey), test::AdminPassword, true);
        QCOMPARE(outcome.failure, ConnectSequence::Failure::LockedOut);
    }

    void savedCaProfileIsNeverOfferedForPinning()
    {
        // A saved profile without a pin trusts a CA-issued certificate; the test core's certificate
        // is self-signed, as an impostor's would be: refused without asking about its key.
        ProfileStore store;
        store.save(profile());
        ApiClient client;
        ConnectSequence sequence(client, store);
        const Outcome outcome = run(sequence, profile(), test::AdminPassword, true);
        QCOMPARE(outcome.failure, ConnectSequence::Failure::Unreachable);
        QVERIFY(outcome.offeredKeys.isEmpty());
        QVERIFY2(outcome.text.contains(QStringLiteral("CA-issued")), qPrintable(outcome.text));
        QVERIFY(store.profile(QStringLiteral("Test core"))->pinnedKey.isEmpty());
        QCOMPARE(sessionCount(), 0);
    }

    void unreachableCoreInWords()
    {
        quint16 closedPort = 0;
        {
            QTcpServer server;
            QVERIFY(server.listen(QHostAddress::LocalHost));
            closedPort = server.serverPort();
        }
        ApiClient client;
        ProfileStore store;
        ConnectSequence sequence(client, store);
        ConnectionProfile closed = profile();
        closed.coreUrl.setPort(closedPort);
        const Outcome outcome = run(sequence, closed, test::AdminPassword, true);
        QCOMPARE(outcome.failure, ConnectSequence::Failure::Unreachable);
        QVERIFY2(outcome.text.contains(QStringLiteral("could not be reached")), qPrintable(outcome.text));
        QVERIFY(outcome.offeredKeys.isEmpty());
    }
};

QTEST_MAIN(TestConnectSequence)
#include "tst_connectsequence.moc"
