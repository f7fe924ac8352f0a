#include <QTemporaryDir>
#include <QTest>

#include "daemon-core/storage/secretbox.h"
#include "daemon-core/storage/storageerror.h"

using namespace prophasis;

class TestSecretBox : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sealsAndOpens()
    {
        const SecretBox box(SecretBox::generateKey());
        const QByteArray secret("smtp password ✓");
        const QByteArray sealed = box.seal(secret);
        QVERIFY(!sealed.contains("smtp password"));
        QCOMPARE(box.open(sealed), std::optional<QByteArray>(secret));
        // A fresh nonce each time: the same secret never seals to the same bytes.
        QVERIFY(box.seal(secret) != sealed);
        QCOMPARE(box.open(box.seal(QByteArray())), std::optional<QByteArray>(QByteArray()));
    }

    void refusesWrongKeysAndTampering()
    {
        const SecretBox box(SecretBox::generateKey());
        const QByteArray sealed = box.seal("webhook url");
        QVERIFY(!SecretBox(SecretBox::generateKey()).open(sealed));
        for (qsizetype i = 0; i < sealed.size(); ++i) {
            QByteArray tampered = sealed;
            tampered[i] = char(tampered[i] ^ 0x01);
            QVERIFY2(!box.open(tampered), qPrintable(QStringLiteral("a flipped bit at %1 went unnoticed").arg(i)));
        }
        QVERIFY(!box.open(sealed.left(sealed.size() - 1)));
        QVERIFY(!box.open(QByteArray()));
    }

    void aBadKeyFailsLoudly()
    {
        const SecretBox box(QByteArray(7, 'k'));
        QVERIFY_THROWS_EXCEPTION(StorageError, box.seal("x"));
        QVERIFY(!box.open(SecretBox(SecretBox::generateKey()).seal("x")));
    }

    void keyFileIsCreatedOnceAndKeptPrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secrets.key"));
        QString error;
        const auto created = SecretBox::loadOrCreateKey(path, &error);
        QVERIFY2(created, qPrintable(error));
        QCOMPARE(created->size(), SecretBox::KeySize);
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        QCOMPARE(SecretBox::loadOrCreateKey(path, &error), created);

        QFile damaged(path);
        QVERIFY(damaged.open(QIODevice::WriteOnly | QIODevice::Truncate));
        damaged.write("short");
        damaged.close();
        QVERIFY(!SecretBox::loadOrCreateKey(path, &error));
        QVERIFY2(error.contains(QStringLiteral("damaged")), qPrintable(error));
    }
};

QTEST_APPLESS_MAIN(TestSecretBox)
#include "tst_secretbox.moc"
