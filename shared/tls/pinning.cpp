#include "shared/tls/pinning.h"

#include <QNetworkReply>
#include <QSslError>
#include <QSslKey>

#include "shared/tls/identity.h"

namespace prophasis {

QSslConfiguration pinnedClientConfiguration(const TlsIdentity &clientIdentity)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setLocalCertificate(clientIdentity.certificate);
    configuration.setPrivateKey(clientIdentity.privateKey);
    // Verification happens in pinReply(); QueryPeer still asks for the server's certificate.
    configuration.setPeerVerifyMode(QSslSocket::QueryPeer);
    return configuration;
}

void pinReply(QNetworkReply *reply, const QString &spkiSha256)
{
    auto refuseUnlessPinned = [reply, spkiSha256]() -> bool {
        const QString presented = prophasis::spkiSha256(reply->sslConfiguration().peerCertificate());
        if (presented == spkiSha256)
            return true;
        reply->setProperty("prophasis.pinMismatch", presented);
        reply->abort();
        return false;
    };
    QObject::connect(reply, &QNetworkReply::sslErrors, reply, [reply, refuseUnlessPinned](const QList<QSslError> &errors) {
        if (refuseUnlessPinned())
            reply->ignoreSslErrors(errors);
    });
    // Also when there were no errors: a CA-valid certificate with another key is still refused.
    QObject::connect(reply, &QNetworkReply::encrypted, reply, [refuseUnlessPinned] { refuseUnlessPinned(); });
}

} // namespace prophasis
