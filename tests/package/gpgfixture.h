#pragma once

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

// A throwaway GnuPG home with real keys made by the real gpg: each key has an ed25519 primary
// key for certification only and a signing subkey, no passphrase and no expiry.
namespace prophasis::testing {

struct TestKey
{
    QString primaryFingerprint;
    QString signingSubkeyFingerprint;
    QByteArray publicKey; // ASCII-armoured export
};

class GpgFixture
{
public:
    GpgFixture();
    ~GpgFixture(); // stops the gpg-agent it started
    GpgFixture(const GpgFixture &) = delete;
    GpgFixture &operator=(const GpgFixture &) = delete;

    bool isValid() const { return m_home.isValid(); }
    QString home() const { return m_home.path(); }

    // A key with an empty primaryFingerprint when gpg failed.
    TestKey createKey(const QString &userId);
    // A detached signature by the key's signing subkey; armoured (.asc) or binary (.sig).
    QByteArray sign(const TestKey &key, const QByteArray &data, bool armour);

    // Stops the gpg-agent of any GnuPG home (the verifier's own keyring in tests).
    static void stopAgent(const QString &home);

private:
    QByteArray gpg(const QStringList &arguments, bool *ok);

    QTemporaryDir m_home;
};

} // namespace prophasis::testing
