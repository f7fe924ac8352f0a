#pragma once

#include <QByteArray>
#include <QPointer>
#include <QRegularExpression>
#include <QSslError>
#include <QUrl>

#include <optional>

#include "daemon-core/serverchecks/checkarguments.h"
#include "daemon-core/serverchecks/servercheck.h"

class QNetworkAccessManager;
class QNetworkReply;
class QSslCertificate;

namespace prophasis {

// Named limits of the HTTP check.
inline constexpr qint64 DefaultHttpBodyCapKiB = 1024;
inline constexpr qint64 MaxHttpBodyCapKiB = 64 * 1024;
inline constexpr int MaxHttpRedirects = 10;

// HTTP(S) check (plugins/server/http): one request to a URL, on a connection of its own.
// Value: the response time in ms. Metrics: time_total_ms, time_connect_ms (until the request
// was sent: lookup, TCP connect and TLS handshake), status_code, body_bytes, redirects,
// cert_days_left (https). Status critical when the status is not expected or the body does not
// match the pattern.
//
// Why QNetworkAccessManager: asynchronous on the core's event loop (one HTTP thread of Qt's per
// manager, not one per check), redirects with a safety policy, chunked and compressed bodies,
// and the peer certificate at hand for its expiry and pin. To keep latency and certificate
// real, every request asks for `Connection: close` (servers answer with it, and Qt then closes
// the channel instead of keeping it for the next check), HTTP/2 is off (one multiplexed
// connection would be reused), TLS session resumption is off (each check makes a full
// handshake), and cookies and caches are not used.
//
// Two managers: Qt keeps its per-server connection objects across requests, and TLS errors
// ignored for one check (a pin, tls_verify off) stay ignored for the next check to the same
// server. So checks that verify certificates use a manager that never ignores an error, and only
// the others share the lenient one — where a pin is still checked on every connection.
struct HttpNetworks
{
    QNetworkAccessManager *verifying = nullptr;
    QNetworkAccessManager *lenient = nullptr;
};
class HttpCheck : public ServerCheck
{
    Q_OBJECT
public:
    HttpCheck(ServerCheckRequest request, HttpNetworks networks, QObject *parent = nullptr);

    // The value of tls_pin_sha256 matches the certificate: the SHA-256 of the certificate (as
    // browsers and `openssl x509 -fingerprint -sha256` show it) or of its public key (SPKI),
    // hex with or without colons, any case.
    static bool pinMatches(const QString &pin, const QSslCertificate &certificate);

    ~HttpCheck() override;

protected:
    void begin() override;
    void cancel() override;
    QString timeoutMessage() const override;

private:
    enum class Stage
    {
        Connecting, // lookup, TCP connect, TLS handshake
        Waiting,    // request sent, no answer yet
        Receiving,  // status and headers in, body arriving
    };

    bool readArguments(QString *error);
    void onSslErrors(const QList<QSslError> &errors);
    void onEncrypted();
    void onReadyRead();
    void onFinished();
    void refuseForPin(const QSslCertificate &presented);
    void finishAnswered();
    void finishFailed();
    QString certificateText(int daysLeft) const;

    HttpNetworks m_networks;
    QPointer<QNetworkReply> m_reply;
    QUrl m_url;
    QByteArray m_method;
    std::optional<serverchecks::StatusSet> m_expected;
    std::optional<QRegularExpression> m_pattern;
    QString m_pin;
    bool m_verify = true;
    bool m_follow = false;
    qint64 m_bodyCap = DefaultHttpBodyCapKiB * 1024;

    Stage m_stage = Stage::Connecting;
    QByteArray m_body;
    qint64 m_bodyBytes = 0;
    bool m_bodyCapped = false;
    std::optional<double> m_connectMs;
    int m_redirects = 0;
    QString m_tlsProblem; // the pin refused the server, or the errors that failed verification
};

} // namespace prophasis
