#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace prophasis {

// One response. serialize() adds the framing and security headers, so handlers set only what is
// theirs (a body, perhaps a Content-Type or Location).
struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    static HttpResponse json(int status, const QJsonObject &object);
    static HttpResponse json(int status, const QJsonArray &array);
    // {"error": "<errorCode(status)>", "message": "<message>"}: what every failure answers.
    static HttpResponse error(int status, const QString &message);

    // The status line, the headers and the body. Content-Length, Connection and Date are always
    // ours (a handler's own are dropped); Content-Type (application/json), Cache-Control
    // (no-store) and X-Content-Type-Options (nosniff) are added unless the handler set them.
    // 1xx, 204 and 304 carry neither body nor Content-Length.
    QByteArray serialize(bool keepAlive) const;
    // The same without the body, for HEAD (Content-Length still tells the body's size).
    QByteArray serializeHead(bool keepAlive) const;
    // The head of a streamed response (HttpResponder::stream): no Content-Length, and
    // Connection: close, since the body ends when the connection does. `body` is not sent.
    QByteArray serializeStreamHead() const;

    // The first header named `name` (ASCII case-insensitive); empty when absent.
    QByteArray header(QByteArrayView name) const;

    // The one table of status codes: "Payload Too Large" and "payload_too_large" for 413.
    static QByteArray reasonPhrase(int status);
    static QString errorCode(int status);

private:
    enum class Framing
    {
        ContentLength,
        UntilClose,
    };
    QByteArray head(Framing framing, bool keepAlive) const;
};

} // namespace prophasis
