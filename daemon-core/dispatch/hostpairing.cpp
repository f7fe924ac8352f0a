#include "daemon-core/dispatch/hostpairing.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPromise>

#include <memory>

#include "daemon-core/dispatch/agentclient.h"
#include "shared/enrollment/pairingstrings.h"
#include "shared/tls/identity.h"
#include "shared/tls/pinning.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcPairing, "prophasis.core.pairing")

QFuture<PairingResult> finished(PairingResult result)
{
    QPromise<PairingResult> promise;
    QFuture<PairingResult> future = promise.future();
    promise.start();
    promise.addResult(std::move(result));
    promise.finish();
    return future;
}

QString agentMessage(const HttpClientResponse &response)
{
    return QJsonDocument::fromJson(response.body).object().value(QStringLiteral("message")).toString();
}

PairingResult fromReply(const AgentReply &reply, PairingResult result, const QString &presentedKey)
{
    const QString where = QStringLiteral("the agent at %1 port %2").arg(result.address).arg(result.port);
    if (!presentedKey.isNull()) {
        result.error = PairingResult::Error::WrongKey;
        result.message =
            QStringLiteral("%1 presented the key %2, not the key %3 in the enrollment string; the token was "
                           "not sent. Check that the string belongs to this machine (or that nothing "
                           "intercepts the connection).")
                .arg(where, presentedKey.isEmpty() ? QStringLiteral("(none)") : presentedKey,
                     result.spkiSha256);
        return result;
    }
    if (!reply.ok()) {
        result.error = reply.failure == ResultType::Timeout           ? PairingResult::Error::Timeout
                       : reply.failure == ResultType::TlsError        ? PairingResult::Error::TlsError
                       : reply.failure == ResultType::ConnectionError ? PairingResult::Error::Unreachable
                                                                      : PairingResult::Error::Failed;
        result.message = reply.message;
        return result;
    }
    const HttpClientResponse &response = *reply.response;
    const QString said = agentMessage(response);
    switch (response.status) {
    case 200: {
        const QJsonObject body = QJsonDocument::fromJson(response.body).object();
        result.agentVersion = body.value(QStringLiteral("agent_version")).toString();
        result.message = QStringLiteral("paired with %1 (agent %2); it now answers only this core")
                             .arg(where, result.agentVersion.isEmpty() ? QStringLiteral("of unknown version")
                                                                       : result.agentVersion);
        return result;
    }
    case 401:
        result.error = PairingResult::Error::TokenRefused;
        result.message =
            QStringLiteral("%1 refused the token (%2). Copy the whole enrollment string again, or make a "
                           "new one with `prophasis-agent new-token`.")
                .arg(where, said);
        return result;
    case 410:
        result.error = PairingResult::Error::TokenRefused;
        result.message =
            QStringLiteral("%1 has no open enrollment for this token: it was used already or expired (%2)")
                .arg(where,
                     said.isEmpty()
                         ? QStringLiteral("make a new one with `prophasis-agent new-token` on that machine")
                         : said);
        return result;
    case 429:
        result.error = PairingResult::Error::Throttled;
        result.message =
            QStringLiteral("%1 refuses enrollment attempts for a while after several failed ones; try again "
                           "in %2 s")
                .arg(where, QString::fromLatin1(response.header("Retry-After")));
        return result;
    default:
        result.error = PairingResult::Error::Failed;
        result.message = QStringLiteral("%1 answered the enrollment with status %2: %3")
                             .arg(where)
                             .arg(response.status)
                             .arg(said);
        return result;
    }
}

} // namespace

QFuture<PairingResult> HostPairing::pair(const QString &enrollmentString, const TlsIdentity &coreIdentity,
                                         const PairingOptions &options)
{
    PairingResult result;
    QString error;
    const std::optional<EnrollmentString> enrollment =
        EnrollmentString::decode(enrollmentString.trimmed(), &error);
    if (!enrollment) {
        result.error = PairingResult::Error::InvalidString;
        result.message = QStringLiteral("this is not an enrollment string: %1").arg(error);
        return finished(result);
    }
    result.address = options.address.isEmpty() ? enrollment->host : options.address;
    result.port = options.port ? options.port : enrollment->port;
    result.spkiSha256 = enrollment->spkiSha256;

    AgentClient::Limits limits;
    limits.connectTimeout = options.connectTimeout;
    // The pin is the fingerprint in the string: AgentClient refuses any other key before a byte
    // of the request — here, the token — is written.
    auto *client = new AgentClient({result.address, result.address, result.port, enrollment->spkiSha256},
                                   pinnedClientConfiguration(coreIdentity), limits);
    auto presentedKey = std::make_shared<QString>();
    QObject::connect(client, &AgentClient::keyMismatch, client,
                     [presentedKey](const QString &, const QString &presented) {
                         *presentedKey = presented.isNull() ? QStringLiteral("") : presented;
                     });

    auto promise = std::make_shared<QPromise<PairingResult>>();
    QFuture<PairingResult> future = promise->future();
    promise->start();

    AgentRequest request;
    request.method = "POST";
    request.target = "/v1/enroll";
    request.headers = {{"Authorization", "Bearer " + enrollment->token.toUtf8()},
                       {"Content-Type", "application/json"}};
    request.body = "{}";
    request.totalTimeout = options.totalTimeout;
    client->send(std::move(request), [client, promise, result, presentedKey](const AgentReply &reply) {
        const PairingResult outcome = fromReply(reply, result, *presentedKey);
        if (outcome.ok())
            qCInfo(lcPairing).noquote() << outcome.message;
        else
            qCWarning(lcPairing).noquote() << "pairing failed:" << outcome.message;
        promise->addResult(outcome);
        promise->finish();
        client->deleteLater();
    });
    return future;
}

} // namespace prophasis
