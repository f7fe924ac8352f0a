#include <QProcess>
#include <QSslCertificateExtension>
#include <QTemporaryDir>
#include <QTest>

#include "shared/tls/identity.h"

using namespace prophasis;

class TestIdentity : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void generatesAUsableIdentity()
    {
        const TlsIdentity identity = TlsIdentity::generate(QStringLiteral("web1"), {QStringLiteral("web1.example.org"),
                                                                                    QStringLiteral("127.0.0.1"),
                                                                                    QStringLiteral("::1")});
        QVERIFY(!identity.isNull());
        QCOMPARE(identity.privateKey.algorithm(), QSsl::Ec);
        QCOMPARE(identity.certificate.subjectInfo(QSslCertificate::CommonName), QStringList{QStringLiteral("web1")});
        QCOMPARE(identity.certificate.issuerDisplayName(), identity.certificate.subjectDisplayName());
        QVERIFY(identity.certificate.effectiveDate() < QDateTime::currentDateTimeUtc());
        QVERIFY(identity.certificate.expiryDate() > QDateTime::currentDateTimeUtc().addYears(9));
        const auto altNames = identity.certificate.subjectAlternativeNames();
        QVERIFY(altNames.values(QSsl::DnsEntry).contains(QStringLiteral("web1.example.org")));
        QVERIFY(altNames.values(QSsl::IpAddressEntry).contains(QStringLiteral("127.0.0.1")));
        QCOMPARE(spkiSha256(identity.certificate).size(), 64);
        // The pin of the certificate and of its private key are the same.
        QCOMPARE(spkiSha256(identity.certificate), spkiSha256(identity.privateKey));
    }

    void pinsMatchOpenSsl()
    {
        // The pin is the SHA-256 of the DER SubjectPublicKeyInfo, as `openssl` computes it.
        const TlsIdentity identity = TlsIdentity::generate(QStringLiteral("pin"));
        QTemporaryDir dir;
        QString error;
        QVERIFY2(identity.save(dir.filePath(QStringLiteral("key.pem")), dir.filePath(QStringLiteral("cert.pem")), &error),
                 qPrintable(error));
        QProcess openssl;
        openssl.start(QStringLiteral("sh"), {QStringLiteral("-c"),
                                             QStringLiteral("openssl x509 -in '%1' -pubkey -noout | openssl pkey -pubin "
                                                            "-outform DER | openssl dgst -sha256 -hex")
                                                 .arg(dir.filePath(QStringLiteral("cert.pem")))});
        QVERIFY(openssl.waitForFinished());
        const QString output = QString::fromLatin1(openssl.readAllStandardOutput()).trimmed();
        QVERIFY2(output.endsWith(spkiSha256(identity.certificate)), qPrintable(output));
    }

    void distinctKeysHaveDistinctPins()
    {
        QVERIFY(spkiSha256(TlsIdentity::generate(QStringLiteral("a")).certificate)
                != spkiSha256(TlsIdentity::generate(QStringLiteral("a")).certificate));
    }

    void renewalKeepsThePin()
    {
        const TlsIdentity identity = TlsIdentity::generate(QStringLiteral("core"));
        const TlsIdentity renewed = TlsIdentity::renew(identity.privateKey, QStringLiteral("core"), {}, 30);
        QVERIFY(!renewed.isNull());
        QVERIFY(renewed.certificate != identity.certificate);
        QCOMPARE(spkiSha256(renewed.certificate), spkiSha256(identity.certificate));
    }

    void savesAndLoads()
    {
        QTemporaryDir dir;
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        const QString certificate = dir.filePath(QStringLiteral("cert.pem"));
        const TlsIdentity identity = TlsIdentity::generate(QStringLiteral("agent"));
        QString error;
        QVERIFY(identity.save(key, certificate, &error));
        QCOMPARE(QFile::permissions(key) & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        const std::optional<TlsIdentity> loaded = TlsIdentity::load(key, certificate, &error);
        QVERIFY2(loaded, qPrintable(error));
        QCOMPARE(loaded->certificate, identity.certificate);
        QCOMPARE(spkiSha256(loaded->privateKey), spkiSha256(identity.privateKey));
    }

    void refusesMismatchedOrMissingFiles()
    {
        QTemporaryDir dir;
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        const QString certificate = dir.filePath(QStringLiteral("cert.pem"));
        QString error;
        QVERIFY(!TlsIdentity::load(key, certificate, &error));
        QVERIFY(error.contains(QStringLiteral("cannot read")));

        TlsIdentity mixed = TlsIdentity::generate(QStringLiteral("one"));
        mixed.certificate = TlsIdentity::generate(QStringLiteral("two")).certificate;
        QVERIFY(mixed.save(key, certificate, &error));
        QVERIFY(!TlsIdentity::load(key, certificate, &error));
        QVERIFY2(error.contains(QStringLiteral("is not for the key")), qPrintable(error));

        QFile garbage(key);
        QVERIFY(garbage.open(QIODevice::WriteOnly | QIODevice::Truncate));
        garbage.write("not a key");
        garbage.close();
        QVERIFY(!TlsIdentity::load(key, certificate, &error));
        QVERIFY2(error.contains(QStringLiteral("not a PEM private key")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestIdentity)
#include "tst_identity.moc"
