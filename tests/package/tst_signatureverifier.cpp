#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include "shared/package/signatureverifier.h"
#include "tests/package/gpgfixture.h"
#include "tests/package/packagefixtures.h"

using namespace prophasis;
using namespace prophasis::testing;

using Kind = SignatureVerifier::Verdict::Kind;

namespace {

const char *kindName(Kind kind)
{
    switch (kind) {
    case Kind::Good:
        return "Good";
    case Kind::Untrusted:
        return "Untrusted";
    case Kind::Bad:
        return "Bad";
    case Kind::Error:
        return "Error";
    }
    return "?";
}

} // namespace

class TestSignatureVerifier : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!haveProgram(QStringLiteral("gpg")) || !haveProgram(QStringLiteral("gpgconf")))
            QSKIP("gpg is not installed (scripts/deps.sh installs gnupg)");
        m_signer = std::make_unique<GpgFixture>();
        QVERIFY(m_signer->isValid());
        m_trusted = m_signer->createKey(QStringLiteral("Trusted Signer <trusted@example.org>"));
        m_other = m_signer->createKey(QStringLiteral("Other Signer <other@example.org>"));
        QVERIFY(!m_trusted.primaryFingerprint.isEmpty());
        QVERIFY(!m_other.primaryFingerprint.isEmpty());
        // The point of the exercise: signatures are made by a subkey, trust names the primary.
        QVERIFY(m_trusted.signingSubkeyFingerprint != m_trusted.primaryFingerprint);

        QVERIFY(m_keyring.isValid());
        m_verifier = std::make_unique<SignatureVerifier>(m_keyring.filePath(QStringLiteral("gnupg")));
        QString error;
        QCOMPARE(m_verifier->importPublicKey(m_trusted.publicKey, &error),
                 std::optional(m_trusted.primaryFingerprint));
        QCOMPARE(m_verifier->importPublicKey(m_other.publicKey, &error),
                 std::optional(m_other.primaryFingerprint));
    }

    void cleanupTestCase()
    {
        m_verifier.reset();
        if (m_keyring.isValid())
            GpgFixture::stopAgent(m_keyring.filePath(QStringLiteral("gnupg")));
        m_signer.reset();
    }

    void keyringIsOfflineAndPrivate()
    {
        const QString home = m_verifier->gnupgHome();
        QFile conf(QDir(home).filePath(QStringLiteral("gpg.conf")));
        QVERIFY(conf.open(QIODevice::ReadOnly));
        const QByteArray text = conf.readAll();
        QVERIFY(text.contains("no-auto-key-retrieve"));
        QVERIFY(!text.contains("keyserver "));
        QCOMPARE(QFile::permissions(home) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        // gpg itself accepts the file (an unknown option would make every call fail).
        bool ok = false;
        run(QStringLiteral("gpgconf"),
            {QStringLiteral("--homedir"), home, QStringLiteral("--check-options"), QStringLiteral("gpg")},
            &ok);
        QVERIFY(ok);
    }

    void trustedSubkeySignatureIsGood_data()
    {
        QTest::addColumn<bool>("armour");
        QTest::newRow("binary .sig") << false;
        QTest::newRow("armoured .asc") << true;
    }
    void trustedSubkeySignatureIsGood()
    {
        QFETCH(bool, armour);
        const QByteArray data("a plugin package\0\1\2", 19);
        const QByteArray signature = m_signer->sign(m_trusted, data, armour);
        QVERIFY(!signature.isEmpty());
        QCOMPARE(signature.startsWith("-----BEGIN PGP SIGNATURE-----"), armour);
        // The trusted list may be written with spaces and in lower case.
        QString spaced = m_trusted.primaryFingerprint.toLower();
        for (qsizetype i = spaced.size() - 4; i > 0; i -= 4)
            spaced.insert(i, u' ');
        const SignatureVerifier::Verdict verdict = m_verifier->verify(data, signature, {spaced});
        QVERIFY2(verdict.kind == Kind::Good, qPrintable(verdict.message));
        QCOMPARE(verdict.primaryFingerprint, m_trusted.primaryFingerprint);
        QVERIFY(verdict.primaryFingerprint != m_trusted.signingSubkeyFingerprint);
    }

    void subkeyFingerprintIsNotTrustedByItself()
    {
        const QByteArray data = "package";
        const QByteArray signature = m_signer->sign(m_trusted, data, false);
        const SignatureVerifier::Verdict verdict =
            m_verifier->verify(data, signature, {m_trusted.signingSubkeyFingerprint});
        QVERIFY2(verdict.kind == Kind::Untrusted, kindName(verdict.kind));
        QCOMPARE(verdict.primaryFingerprint, m_trusted.primaryFingerprint);
    }

    void goodSignatureByAnotherKeyIsUntrusted()
    {
        const QByteArray data = "package";
        const QByteArray signature = m_signer->sign(m_other, data, true);
        const SignatureVerifier::Verdict verdict =
            m_verifier->verify(data, signature, {m_trusted.primaryFingerprint});
        QVERIFY2(verdict.kind == Kind::Untrusted, kindName(verdict.kind));
        QCOMPARE(verdict.primaryFingerprint, m_other.primaryFingerprint);
        QVERIFY2(verdict.message.contains(m_other.primaryFingerprint), qPrintable(verdict.message));
        QVERIFY(m_verifier->verify(data, signature, {}).kind == Kind::Untrusted);
    }

    void signatureByAKeyNotInTheKeyringIsUntrusted()
    {
        GpgFixture stranger;
        const TestKey key = stranger.createKey(QStringLiteral("Stranger <stranger@example.org>"));
        QVERIFY(!key.primaryFingerprint.isEmpty());
        const QByteArray data = "package";
        const SignatureVerifier::Verdict verdict =
            m_verifier->verify(data, stranger.sign(key, data, false), {key.primaryFingerprint});
        QVERIFY2(verdict.kind == Kind::Untrusted, kindName(verdict.kind));
        QVERIFY2(verdict.message.contains(QStringLiteral("not in the agent's keyring")),
                 qPrintable(verdict.message));
    }

    void tamperedDataIsBad_data()
    {
        QTest::addColumn<bool>("armour");
        QTest::newRow("binary") << false;
        QTest::newRow("armoured") << true;
    }
    void tamperedDataIsBad()
    {
        QFETCH(bool, armour);
        const QByteArray data = "the package as signed";
        const QByteArray signature = m_signer->sign(m_trusted, data, armour);
        for (const QByteArray &tampered :
             {QByteArray("the package as signeD"), QByteArray("the package as signed\n"), QByteArray()}) {
            const SignatureVerifier::Verdict verdict =
                m_verifier->verify(tampered, signature, {m_trusted.primaryFingerprint});
            QVERIFY2(verdict.kind == Kind::Bad, kindName(verdict.kind));
            QVERIFY(!verdict.message.isEmpty());
        }
    }

    void garbageSignatureIsRefused()
    {
        const QByteArray data = "package";
        for (const QByteArray &garbage :
             {QByteArray("not a signature at all"), QByteArray(300, '\x99'),
              QByteArray("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"),
              QByteArray()}) {
            const SignatureVerifier::Verdict verdict =
                m_verifier->verify(data, garbage, {m_trusted.primaryFingerprint});
            QVERIFY2(verdict.kind == Kind::Bad || verdict.kind == Kind::Error, kindName(verdict.kind));
            QVERIFY(!verdict.message.isEmpty());
        }
        // A signature cut short.
        const QByteArray signature = m_signer->sign(m_trusted, data, false);
        const SignatureVerifier::Verdict verdict =
            m_verifier->verify(data, signature.left(signature.size() / 2), {m_trusted.primaryFingerprint});
        QVERIFY2(verdict.kind == Kind::Bad || verdict.kind == Kind::Error, kindName(verdict.kind));
    }

    void importReturnsThePrimaryFingerprintAndRefusesGarbage()
    {
        QTemporaryDir keyring;
        SignatureVerifier verifier(keyring.filePath(QStringLiteral("fresh")));
        QString error;
        // Binary export too.
        bool ok = false;
        const QByteArray binary =
            run(QStringLiteral("gpg"),
                {QStringLiteral("--batch"), QStringLiteral("--homedir"), m_signer->home(),
                 QStringLiteral("--export"), m_other.primaryFingerprint},
                &ok);
        QVERIFY(ok);
        QCOMPARE(verifier.importPublicKey(binary, &error), std::optional(m_other.primaryFingerprint));
        // Importing again is harmless and gives the same answer.
        QCOMPARE(verifier.importPublicKey(m_other.publicKey, &error),
                 std::optional(m_other.primaryFingerprint));

        QVERIFY(!verifier.importPublicKey("no key here", &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!verifier.importPublicKey(m_trusted.publicKey + m_other.publicKey, &error));
        QVERIFY2(error.contains(QStringLiteral("one key at a time")), qPrintable(error));
        const QByteArray secret =
            run(QStringLiteral("gpg"),
                {QStringLiteral("--batch"), QStringLiteral("--homedir"), m_signer->home(),
                 QStringLiteral("--pinentry-mode"), QStringLiteral("loopback"),
                 QStringLiteral("--passphrase"), QString(), QStringLiteral("--armor"),
                 QStringLiteral("--export-secret-keys"), m_trusted.primaryFingerprint},
                &ok);
        QVERIFY(ok && !secret.isEmpty());
        QVERIFY(!verifier.importPublicKey(secret, &error));
        QVERIFY2(error.contains(QStringLiteral("secret key")), qPrintable(error));

        // The refused files left nothing behind: this keyring still does not know the trusted key.
        const QByteArray data = "package";
        const SignatureVerifier::Verdict verdict =
            verifier.verify(data, m_signer->sign(m_trusted, data, false), {m_trusted.primaryFingerprint});
        QVERIFY2(verdict.kind == Kind::Untrusted, kindName(verdict.kind));
        QVERIFY2(verdict.message.contains(QStringLiteral("not in the agent's keyring")),
                 qPrintable(verdict.message));
        GpgFixture::stopAgent(verifier.gnupgHome());
    }

private:
    std::unique_ptr<GpgFixture> m_signer;
    TestKey m_trusted;
    TestKey m_other;
    QTemporaryDir m_keyring;
    std::unique_ptr<SignatureVerifier> m_verifier;
};

QTEST_GUILESS_MAIN(TestSignatureVerifier)
#include "tst_signatureverifier.moc"
