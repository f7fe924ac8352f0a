#include "daemon-core/statuspage/statusforms.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

#include <openssl/crypto.h>

namespace prophasis {

namespace {

QByteArray randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), count / 4);
    return bytes;
}

const QByteArray &formKey()
{
    static const QByteArray key = randomBytes(32);
    return key;
}

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

QByteArray requestCookie(const HttpRequest &request, QByteArrayView name)
{
    for (const auto &[headerName, value] : request.headers) {
        if (QByteArrayView(headerName).compare("Cookie", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &pair : value.split(';')) {
            const QByteArray trimmed = pair.trimmed();
            const qsizetype equals = trimmed.indexOf('=');
            if (equals > 0 && QByteArrayView(trimmed).first(equals) == name)
                return trimmed.mid(equals + 1);
        }
    }
    return {};
}

QByteArray statusCookie(QByteArrayView name, QByteArrayView value, int maxAgeSeconds)
{
    QByteArray cookie =
        name.toByteArray() + '=' + value.toByteArray() + "; HttpOnly; Secure; SameSite=Strict; Path=/status";
    if (maxAgeSeconds >= 0)
        cookie += "; Max-Age=" + QByteArray::number(maxAgeSeconds);
    return cookie;
}

std::optional<QHash<QString, QString>> readForm(const HttpRequest &request)
{
    const QByteArray type = request.header("Content-Type").split(';').first().trimmed().toLower();
    if (type != "application/x-www-form-urlencoded")
        return std::nullopt;
    QHash<QString, QString> fields;
    // '+' is a space in forms but not in URL queries, and must become one before decoding.
    QByteArray body = request.body;
    body.replace('+', "%20");
    for (const QByteArray &pair : body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        const QString name = QUrl::fromPercentEncoding(equals < 0 ? pair : pair.left(equals));
        const QString value = equals < 0 ? QString() : QUrl::fromPercentEncoding(pair.mid(equals + 1));
        if (fields.contains(name) || value.size() > MaxFormFieldLength || name.size() > MaxFormFieldLength)
            return std::nullopt;
        fields.insert(name, value);
    }
    return fields;
}

bool isSameOrigin(const HttpRequest &request)
{
    const QByteArray host = request.header("Host").trimmed();
    if (host.isEmpty())
        return false;
    const QByteArray ours = "https://" + host;
    const QByteArray origin = request.header("Origin").trimmed();
    if (!origin.isEmpty())
        return origin.compare(ours, Qt::CaseInsensitive) == 0;
    // Without Origin (older browsers), the Referer must be a page of ours.
    const QByteArray referer = request.header("Referer").trimmed();
    return referer.size() > ours.size() && referer.startsWith(ours) && referer.at(ours.size()) == '/';
}

QString safeStatusPath(const QString &path)
{
    // Only our own pages: "/status" or "/status/..." of plain path characters, never "//host".
    static const QRegularExpression ours(QStringLiteral("^/status(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$"));
    return ours.match(path).hasMatch() ? path : QStringLiteral("/status");
}

QByteArray StatusFormTokens::newNonce()
{
    return base64Url(randomBytes(32));
}

QByteArray StatusFormTokens::token(QByteArrayView purpose, QByteArrayView binding)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, formKey());
    mac.addData(purpose.toByteArray());
    mac.addData("\n");
    mac.addData(binding.toByteArray());
    return base64Url(mac.result());
}

bool StatusFormTokens::verify(QByteArrayView purpose, QByteArrayView binding, QByteArrayView token)
{
    if (binding.isEmpty() || token.isEmpty())
        return false;
    const QByteArray expected = StatusFormTokens::token(purpose, binding);
    return expected.size() == token.size() &&
           CRYPTO_memcmp(expected.constData(), token.data(), token.size()) == 0;
}

} // namespace prophasis
