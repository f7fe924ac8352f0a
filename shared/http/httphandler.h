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

// Answers one request, now or later (a plugin run takes seconds). Copies share the one answer:
// the first send() wins, later ones are ignored, and once the client is gone send() does
// nothing. Use it on the server's thread.
class HttpResponder
{
public:
    HttpResponder() = default; // answers nothing
    explicit HttpResponder(std::shared_ptr<HttpResponderState> state);

    void send(HttpResponse response) const;
    // False once answered or the connection closed: an asynchronous handler may skip its work.
    bool isPending() const;

private:
    std::shared_ptr<HttpResponderState> m_state;
};

using HttpHandler = std::function<void(const HttpRequest &, const ClientInfo &, HttpResponder)>;

} // namespace prophasis
