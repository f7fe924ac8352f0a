#include "daemon-core/auth/passwordhasher.h"

#include <QByteArray>
#include <QRegularExpression>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace prophasis {

namespace {

constexpr int SaltSize = 16;
constexpr int HashSize = 32;
// Bounds on what a stored hash may ask for, so a tampered row cannot make a login exhaust memory.
constexpr int MaxLog2N = 20;
constexpr quint64 MaxScryptMemory = 1ULL << 30;

bool derive(const QByteArray &password, const QByteArray &salt, const PasswordHasher::Parameters &parameters,
            QByteArray &out)
{
    out.resize(HashSize);
    return EVP_PBE_scrypt(password.constData(), size_t(password.size()),
                          reinterpret_cast<const unsigned char *>(salt.constData()), size_t(salt.size()),
                          1ULL << parameters.log2N, quint64(parameters.r), quint64(parameters.p), MaxScryptMemory,
                          reinterpret_cast<unsigned char *>(out.data()), size_t(out.size()))
           == 1;
}

struct Decoded
{
    PasswordHasher::Parameters parameters;
    QByteArray salt;
    QByteArray hash;
};

std::optional<Decoded> decode(const QString &encoded)
{
    static const QRegularExpression format(
        QStringLiteral(R"(^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$)"));
    const QRegularExpressionMatch match = format.match(encoded);
    if (!match.hasMatch())
        return std::nullopt;
    Decoded decoded;
    decoded.parameters = {match.captured(1).toInt(), match.captured(2).toInt(), match.captured(3).toInt()};
    decoded.salt = QByteArray::fromBase64(match.captured(4).toLatin1());
    decoded.hash = QByteArray::fromBase64(match.captured(5).toLatin1());
    if (decoded.parameters.log2N < 1 || decoded.parameters.log2N > MaxLog2N || decoded.parameters.r < 1
        || decoded.parameters.p < 1 || decoded.salt.size() < 8 || decoded.hash.size() != HashSize)
        return std::nullopt;
    return decoded;
}

} // namespace

QString PasswordHasher::hash(const QString &password, const Parameters &parameters)
{
    QByteArray salt(SaltSize, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(salt.data()), SaltSize) != 1)
        qFatal("no randomness for a password salt");
    QByteArray derived;
    if (!derive(password.toUtf8(), salt, parameters, derived))
        qFatal("scrypt failed");
    return QStringLiteral("$scrypt$ln=%1,r=%2,p=%3$%4$%5")
        .arg(parameters.log2N)
        .arg(parameters.r)
        .arg(parameters.p)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(derived.toBase64()));
}

bool PasswordHasher::verify(const QString &password, const QString &encoded)
{
    const std::optional<Decoded> decoded = decode(encoded);
    if (!decoded)
        return false;
    QByteArray derived;
    if (!derive(password.toUtf8(), decoded->salt, decoded->parameters, derived))
        return false;
    return CRYPTO_memcmp(derived.constData(), decoded->hash.constData(), HashSize) == 0;
}

bool PasswordHasher::needsRehash(const QString &encoded)
{
    const std::optional<Decoded> decoded = decode(encoded);
    const Parameters today;
    return !decoded || decoded->parameters.log2N < today.log2N || decoded->parameters.r < today.r
           || decoded->parameters.p < today.p;
}

QString PasswordHasher::generatePassword()
{
    static const QLatin1StringView alphabet("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789");
    QString password;
    unsigned char random[20];
    if (RAND_bytes(random, sizeof random) != 1)
        qFatal("no randomness for a password");
    // 256 is not a multiple of the alphabet's size; the bias is tiny next to 20 characters.
    for (unsigned char byte : random)
        password.append(alphabet.at(byte % alphabet.size()));
    return password;
}

} // namespace prophasis
