#pragma once

#include <QByteArray>

#include <optional>

namespace prophasis {

// Seals module secrets (SMTP passwords, webhook URLs) for storage with AES-256-GCM under a key
// kept in the core's data folder, not in the database: a stolen database alone reveals no
// secret. Sealed form: version byte 1 | 12-byte nonce | ciphertext | 16-byte tag.
class SecretBox
{
public:
    static constexpr int KeySize = 32;

    // A key of KeySize bytes; anything else makes every seal/open fail loudly.
    explicit SecretBox(QByteArray key);

    static QByteArray generateKey();
    // Reads the key file, creating it (owner-only) when it does not exist yet.
    static std::optional<QByteArray> loadOrCreateKey(const QString &path, QString *error);

    QByteArray seal(const QByteArray &plaintext) const;
    // nullopt when the data was not sealed with this key or was tampered with.
    std::optional<QByteArray> open(const QByteArray &sealed) const;

private:
    QByteArray m_key;
};

} // namespace prophasis
