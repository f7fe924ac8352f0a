#include "tests/package/gpgfixture.h"

#include <QFile>
#include <QProcess>

#include "tests/package/packagefixtures.h"

namespace prophasis::testing {

GpgFixture::GpgFixture()
{
    QFile::setPermissions(m_home.path(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

GpgFixture::~GpgFixture()
{
    stopAgent(m_home.path());
}

void GpgFixture::stopAgent(const QString &home)
{
    QProcess::execute(QStringLiteral("gpgconf"),
                      {QStringLiteral("--homedir"), home, QStringLiteral("--kill"), QStringLiteral("all")});
}

QByteArray GpgFixture::gpg(const QStringList &arguments, bool *ok)
{
    const QStringList common{QStringLiteral("--batch"),
                             QStringLiteral("--homedir"),
                             m_home.path(),
                             QStringLiteral("--pinentry-mode"),
                             QStringLiteral("loopback"),
                             QStringLiteral("--passphrase"),
                             QString()};
    return run(QStringLiteral("gpg"), common + arguments, ok);
}

TestKey GpgFixture::createKey(const QString &userId)
{
    TestKey key;
    bool ok = false;
    gpg({QStringLiteral("--quick-gen-key"), userId, QStringLiteral("ed25519"), QStringLiteral("cert"),
         QStringLiteral("never")},
        &ok);
    if (!ok)
        return key;
    // The primary key's fingerprint is the first "fpr" record after the "pub" record.
    const QByteArray listing = gpg(
        {QStringLiteral("--with-colons"), QStringLiteral("--list-keys"), QStringLiteral("=") + userId}, &ok);
    QString primary;
    for (const QByteArray &line : listing.split('\n')) {
        if (line.startsWith("fpr:") && primary.isEmpty())
            primary = QString::fromLatin1(line.split(':').value(9));
    }
    if (!ok || primary.isEmpty())
        return key;
    gpg({QStringLiteral("--quick-add-key"), primary, QStringLiteral("ed25519"), QStringLiteral("sign"),
         QStringLiteral("never")},
        &ok);
    if (!ok)
        return key;
    const QByteArray withSubkey =
        gpg({QStringLiteral("--with-colons"), QStringLiteral("--list-keys"), primary}, &ok);
    bool inSubkey = false;
    for (const QByteArray &line : withSubkey.split('\n')) {
        if (line.startsWith("sub:"))
            inSubkey = line.split(':').value(11).contains('s');
        else if (line.startsWith("fpr:") && inSubkey)
            key.signingSubkeyFingerprint = QString::fromLatin1(line.split(':').value(9));
    }
    key.publicKey = gpg({QStringLiteral("--armor"), QStringLiteral("--export"), primary}, &ok);
    if (ok && !key.signingSubkeyFingerprint.isEmpty())
        key.primaryFingerprint = primary;
    return key;
}

QByteArray GpgFixture::sign(const TestKey &key, const QByteArray &data, bool armour)
{
    const QString input = m_home.filePath(QStringLiteral("to-sign"));
    const QString output = m_home.filePath(QStringLiteral("signature"));
    QFile::remove(output);
    QFile file(input);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(data) != data.size())
        return {};
    file.close();
    QStringList arguments{QStringLiteral("--local-user"), key.signingSubkeyFingerprint + u'!',
                          QStringLiteral("--output"), output, QStringLiteral("--detach-sign")};
    if (armour)
        arguments.prepend(QStringLiteral("--armor"));
    bool ok = false;
    gpg(arguments + QStringList{input}, &ok);
    QFile signature(output);
    if (!ok || !signature.open(QIODevice::ReadOnly))
        return {};
    return signature.readAll();
}

} // namespace prophasis::testing
