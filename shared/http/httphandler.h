#pragma once

#include <QHostAddress>
#include <QSslCertificate>
#include <QString>

#include <functional>
#include <memory>

#include "shared/http/httprequest.h"
#include "shared/http/httpresponse.h"

namespace prophasis {

// Who sent a request. Callers pin spkiSha256; the certificate itself is not validated (a
// self-signed client certificate is the norm).
struct ClientInfo
{
    QHostAddress address; // IPv4 peers as IPv4, also on a dual-stack listener
    quint16 port = 0;
    QSslCertificate certificate; // null without a client certificate
    QString spkiSha256;          // of the client certificate's public key; empty without one
};

struct HttpResponderState;
class HttpStream;

// Answers one request, now or later (a plugin run takes seconds). Copies share the one answer:
// the first send() wins, later ones are ignored, and once the client is gone send() does
// nothing. Use it on the server's thread.
class HttpResponder
{
public:
    HttpResponder() = default; // answers nothing
    explicit HttpResponder(std::shared_ptr<HttpResponderState> state);

    void send(HttpResponse response) const;
    // Answers with `head` and keeps the connection for a body written piece by piece as things
    // happen (Server-Sent Events) until either side closes it; the connection takes no further
    // request. A null stream when the request is no longer waiting.
    HttpStream stream(const HttpResponse &head) const;
    // False once answered or the connection closed: an asynchronous handler may skip its work.
    bool isPending() const;

private:
    std::shared_ptr<HttpResponderState> m_state;
};

// A response body written in pieces (HttpResponder::stream). Copies share one stream. Writes are
// bounded: a client that stops reading is disconnected once MaxBacklogBytes wait for it or nothing
// has moved for the write timeout, so one stalled reader costs bounded memory. Use it on the
// server's thread.
class HttpStream
{
public:
    static constexpr qint64 MaxBacklogBytes = 1024 * 1024;

    HttpStream() = default; // closed
    explicit HttpStream(std::shared_ptr<HttpResponderState> state);

    // False once the stream is closed (the client left, fell too far behind, or the server
    // stopped); the data is then dropped.
    bool write(QByteArrayView data) const;
    // Ends the body: what was written is delivered, then the connection closes.
    void close() const;
    bool isOpen() const;

private:
    std::shared_ptr<HttpResponderState> m_state;
};

using HttpHandler = std::function<void(const HttpRequest &, const ClientInfo &, HttpResponder)>;

} // namespace prophasis
