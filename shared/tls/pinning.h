#pragma once

#include <QSslConfiguration>
#include <QString>

class QNetworkReply;

namespace prophasis {

struct TlsIdentity;

// TLS settings for talking to a pinned peer: TLS 1.2 or newer, our identity as the client
// certificate (mutual TLS), and no CA verification — the pin replaces it.
QSslConfiguration pinnedClientConfiguration(const TlsIdentity &clientIdentity);

// Accepts the reply's connection if and only if the server's public key is `spkiSha256`,
// whatever CAs say: a certificate a CA would vouch for but with another key is refused, and a
// self-signed one with the pinned key is accepted (its errors are ignored by explicit list,
// never wholesale). Call right after QNetworkAccessManager::get/post, before the event loop runs.
// A refused reply is aborted before a byte of the request is sent, with the property
// "prophasis.pinMismatch" holding the key the server presented.
void pinReply(QNetworkReply *reply, const QString &spkiSha256);

} // namespace prophasis
