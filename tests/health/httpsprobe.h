#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>

#include <utility>

namespace prophasis::test {

// One answer from the core's HTTPS port, with the certificate it presented.
struct HttpsAnswer
{
    int status = 0; // 0: no answer (connection, TLS or framing failed; see error)
    QByteArray head;
    QByteArray body;
    QSslCertificate peerCertificate;
    QString error;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QByteArray header(const QByteArray &name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
};

// Sends one request over a fresh TLS connection (the server's self-signed certificate is not
// verified: tests compare it instead) and reads the answer our server frames with
// Content-Length. Blocking, with a deadline: for tests only.
inline HttpsAnswer httpsRequest(const QHostAddress &address, quint16 port, const QByteArray &method,
                                const QByteArray &target, int timeoutMs = 10'000,
                                const QList<std::pair<QByteArray, QByteArray>> &headers = {},
                                const QByteArray &body = {})
{
    HttpsAnswer answer;
    QSslSocket socket;
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    socket.setSslConfiguration(tls);
    socket.connectToHostEncrypted(address.toString(), port);
    if (!socket.waitForEncrypted(timeoutMs)) {
        answer.error = socket.errorString();
        return answer;
    }
    answer.peerCertificate = socket.peerCertificate();
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n";
    for (const auto &[name, value] : headers)
        request += name + ": " + value + "\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    socket.write(request + "\r\n" + body);
    QByteArray buffer;
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            answer.head = buffer.left(headEnd);
            const qsizetype length = answer.header("Content-Length").toLongLong();
            const bool headOnly = method == "HEAD";
            if (headOnly || buffer.size() >= headEnd + 4 + length) {
                answer.status = answer.head.split(' ').value(1).toInt();
                answer.body = headOnly ? QByteArray() : buffer.mid(headEnd + 4, length);
                return answer;
            }
        }
        if (!socket.waitForReadyRead(int(deadline.remainingTime())) && socket.bytesAvailable() == 0) {
            answer.error = socket.errorString();
            break;
        }
        buffer += socket.readAll();
    }
    if (answer.error.isEmpty())
        answer.error = QStringLiteral("no complete answer in time");
    return answer;
}

// The headers and body of a JSON API call: a bearer token (none when empty) and a JSON body (none
// when empty).
struct JsonCall
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

inline JsonCall jsonCall(const QString &token, const QJsonObject &body)
{
    JsonCall call;
    if (!token.isEmpty())
        call.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + token.toLatin1()});
    if (!body.isEmpty()) {
        call.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
        call.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    return call;
}

} // namespace prophasis::test
