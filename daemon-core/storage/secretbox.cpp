#include "daemon-core/storage/secretbox.h"

#include <QFile>
#include <QSaveFile>

#include <memory>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "daemon-core/storage/storageerror.h"

namespace prophasis {

namespace {

constexpr char FormatVersion = 1;
constexpr int NonceSize = 12;
constexpr int TagSize = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext newContext()
{
    return CipherContext(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
}

unsigned char *bytes(QByteArray &data)
{
    return reinterpret_cast<unsigned char *>(data.data());
}

const unsigned char *bytes(const QByteArray &data)
{
    return reinterpret_cast<const unsigned char *>(data.constData());
}

} // namespace

SecretBox::SecretBox(QByteArray key)
    : m_key(std::move(key))
{
}

QByteArray SecretBox::generateKey()
{
    QByteArray key(KeySize, '\0');
    if (RAND_bytes(bytes(key), KeySize) != 1)
        throw StorageError(StorageError::Kind::Internal, QStringLiteral("the system has no randomness for a key"));
    return key;
}

std::optional<QByteArray> SecretBox::loadOrCreateKey(const QString &path, QString *error)
{
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read the secrets key %1: %2").arg(path, file.errorString());
            return std::nullopt;
        }
        const QByteArray key = file.readAll();
        if (key.size() != KeySize) {
            *error = QStringLiteral("the secrets key %1 is damaged (%2 bytes, expected %3)").arg(path).arg(key.size()).arg(KeySize);
            return std::nullopt;
        }
        return key;
    }
    const QByteArray key = generateKey();
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot create the secrets key %1: %2").arg(path, out.errorString());
        return std::nullopt;
    }
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out.write(key);
    if (!out.commit()) {
        *error = QStringLiteral("cannot create the secrets key %1: %2").arg(path, out.errorString());
        return std::nullopt;
    }
    return key;
}

QByteArray SecretBox::seal(const QByteArray &plaintext) const
{
    if (m_key.size() != KeySize)
        throw StorageError(StorageError::Kind::Internal, QStringLiteral("the secrets key is missing or damaged"));
    QByteArray nonce(NonceSize, '\0');
    if (RAND_bytes(bytes(nonce), NonceSize) != 1)
        throw StorageError(StorageError::Kind::Internal, QStringLiteral("the system has no randomness for a nonce"));
    QByteArray ciphertext(plaintext.size(), '\0');
    QByteArray tag(TagSize, '\0');
    int length = 0;
    CipherContext context = newContext();
    const bool ok = context && EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(m_key), bytes(nonce)) == 1
                    && EVP_EncryptUpdate(context.get(), bytes(ciphertext), &length, bytes(plaintext), int(plaintext.size())) == 1
                    && EVP_EncryptFinal_ex(context.get(), bytes(ciphertext) + length, &length) == 1
                    && EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, TagSize, tag.data()) == 1;
    if (!ok)
        throw StorageError(StorageError::Kind::Internal, QStringLiteral("encrypting a secret failed"));
    return QByteArray(1, FormatVersion) + nonce + ciphertext + tag;
}

std::optional<QByteArray> SecretBox::open(const QByteArray &sealed) const
{
    if (m_key.size() != KeySize || sealed.size() < 1 + NonceSize + TagSize || sealed.at(0) != FormatVersion)
        return std::nullopt;
    const QByteArray nonce = sealed.mid(1, NonceSize);
    const QByteArray ciphertext = sealed.mid(1 + NonceSize, sealed.size() - 1 - NonceSize - TagSize);
    QByteArray tag = sealed.right(TagSize);
    QByteArray plaintext(ciphertext.size(), '\0');
    int length = 0;
    CipherContext context = newContext();
    const bool ok = context && EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(m_key), bytes(nonce)) == 1
                    && EVP_DecryptUpdate(context.get(), bytes(plaintext), &length, bytes(ciphertext), int(ciphertext.size())) == 1
                    && EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, TagSize, tag.data()) == 1
                    && EVP_DecryptFinal_ex(context.get(), bytes(plaintext) + length, &length) == 1;
    if (!ok)
        return std::nullopt;
    return plaintext;
}

} // namespace prophasis
