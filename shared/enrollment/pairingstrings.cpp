#include "shared/enrollment/pairingstrings.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>

#include "shared/domain/validation.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

namespace {

const QLatin1StringView EnrollPrefix("prophasis-enroll-v1:");
const QLatin1StringView JoinPrefix("prophasis-join-v1:");
// Far more than any real string needs; a pasted novel is refused before decoding.
constexpr qsizetype MaxPairingStringLength = 2048;

QString encodeObject(QLatin1StringView prefix, const QJsonObject &object)
{
    const QByteArray payload = QJsonDocument(object).toJson(QJsonDocument::Compact)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return prefix + QString::fromLatin1(payload);
}

std::optional<QJsonObject> decodeObject(QLatin1StringView prefix, QStringView text, const QString &what, QString *error)
{
    const QStringView trimmed = text.trimmed();
    if (!trimmed.startsWith(prefix)) {
        *error = QStringLiteral("this is not %1: it must start with %2").arg(what, prefix);
        return std::nullopt;
    }
    if (trimmed.size() > MaxPairingStringLength) {
        *error = QStringLiteral("this %1 is far too long to be real").arg(what);
        return std::nullopt;
    }
    const QByteArray encoded = trimmed.mid(prefix.size()).toLatin1();
    const auto decoded = QByteArray::fromBase64Encoding(
        encoded, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals | QByteArray::AbortOnBase64DecodingErrors);
    QJsonParseError parseError;
    const QJsonDocument document = decoded ? QJsonDocument::fromJson(*decoded, &parseError) : QJsonDocument();
    if (!decoded || !document.isObject()) {
        *error = QStringLiteral("this %1 is damaged (was it copied completely?)").arg(what);
        return std::nullopt;
    }
    return document.object();
}

bool isValidToken(const QString &token)
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9_-]{16,128}")));
    return pattern.match(token).hasMatch();
}

std::optional<QString> readPinAndToken(JsonReader &reader, QString *token, const QString &what, QString *error)
{
    const QString pin = reader.string(QStringLiteral("spki_sha256"), {}, true);
    *token = reader.string(QStringLiteral("token"), {}, true);
    if (!reader.errors().isEmpty()) {
        *error = QStringLiteral("this %1 is incomplete: %2").arg(what, reader.errors().summary());
        return std::nullopt;
    }
    if (!isValidSha256Hex(pin)) {
        *error = QStringLiteral("this %1 holds no valid key fingerprint").arg(what);
        return std::nullopt;
    }
    if (!isValidToken(*token)) {
        *error = QStringLiteral("this %1 holds no valid token").arg(what);
        return std::nullopt;
    }
    return pin;
}

} // namespace

QString EnrollmentString::encode() const
{
    return encodeObject(EnrollPrefix, {{QStringLiteral("host"), host},
                                       {QStringLiteral("port"), port},
                                       {QStringLiteral("spki_sha256"), spkiSha256},
                                       {QStringLiteral("token"), token}});
}

std::optional<EnrollmentString> EnrollmentString::decode(QStringView text, QString *error)
{
    const QString what = QStringLiteral("an enrollment string");
    const std::optional<QJsonObject> object = decodeObject(EnrollPrefix, text, what, error);
    if (!object)
        return std::nullopt;
    FieldErrors errors;
    JsonReader reader(*object, errors);
    EnrollmentString result;
    result.host = reader.string(QStringLiteral("host"), {}, true);
    result.port = quint16(reader.integer(QStringLiteral("port"), 0, 1, 65535, true));
    const std::optional<QString> pin = readPinAndToken(reader, &result.token, what, error);
    if (!pin)
        return std::nullopt;
    result.spkiSha256 = *pin;
    if (!isValidHostAddress(result.host)) {
        *error = QStringLiteral("the agent address '%1' in this enrollment string is not a host name or IP address").arg(result.host);
        return std::nullopt;
    }
    return result;
}

QString JoinString::encode() const
{
    return encodeObject(JoinPrefix, {{QStringLiteral("core"), core.toString(QUrl::FullyEncoded)},
                                     {QStringLiteral("spki_sha256"), spkiSha256},
                                     {QStringLiteral("token"), token}});
}

std::optional<JoinString> JoinString::decode(QStringView text, QString *error)
{
    const QString what = QStringLiteral("a join string");
    const std::optional<QJsonObject> object = decodeObject(JoinPrefix, text, what, error);
    if (!object)
        return std::nullopt;
    FieldErrors errors;
    JsonReader reader(*object, errors);
    JoinString result;
    result.core = QUrl(reader.string(QStringLiteral("core"), {}, true), QUrl::StrictMode);
    const std::optional<QString> pin = readPinAndToken(reader, &result.token, what, error);
    if (!pin)
        return std::nullopt;
    result.spkiSha256 = *pin;
    // Only https://host:port: the agent puts its own path on it, and a user name, query or
    // fragment would be carried into its requests (found by tests/fuzz/fuzz_pairingstrings).
    const bool onlyHostAndPort = result.core.userInfo().isEmpty() && !result.core.hasQuery() &&
                                 !result.core.hasFragment() &&
                                 (result.core.path().isEmpty() || result.core.path() == QLatin1String("/"));
    if (!result.core.isValid() || result.core.scheme() != QLatin1String("https") ||
        result.core.host().isEmpty() || !onlyHostAndPort) {
        *error = QStringLiteral("the core address in this join string is not an https:// URL");
        return std::nullopt;
    }
    return result;
}

QString generatePairingToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / int(sizeof(quint32)));
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString pairingTokenHash(const QString &token)
{
    return QString::fromLatin1(QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex());
}

bool pairingTokenMatches(const QString &presentedToken, const QString &storedHash)
{
    // Compare hashes, in constant time: neither length nor prefix of the stored token leaks.
    const QByteArray presented = pairingTokenHash(presentedToken).toLatin1();
    const QByteArray stored = storedHash.toLatin1();
    if (presented.size() != stored.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < presented.size(); ++i)
        difference |= static_cast<unsigned char>(presented[i] ^ stored[i]);
    return difference == 0 && !storedHash.isEmpty();
}

} // namespace prophasis
