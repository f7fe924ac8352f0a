#include "daemon-agent/app/joinclient.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSysInfo>
#include <QTimer>

#include "daemon-agent/app/agentconfig.h"
#include "shared/tls/identity.h"
#include "shared/tls/pinning.h"

namespace prophasis {

bool JoinClient::registerAgent(const JoinString &join, AgentConfig &config, const TlsIdentity &identity, QString *error)
{
    QNetworkAccessManager network;
    QUrl url = join.core;
    url.setPath(QStringLiteral("/api/v1/enrollments"));
    QNetworkRequest request(url);
    request.setSslConfiguration(pinnedClientConfiguration(identity));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("Authorization", "Bearer " + join.token.toUtf8());
    request.setTransferTimeout(TimeoutMs);
    const QJsonObject body = {
        {QStringLiteral("host"), config.advertisedHost},
        {QStringLiteral("port"), config.port},
        {QStringLiteral("spki_sha256"), spkiSha256(identity.certificate)},
        {QStringLiteral("hostname"), QSysInfo::machineHostName()},
        {QStringLiteral("os"), QSysInfo::prettyProductName()},
        {QStringLiteral("agent_version"), QStringLiteral(PROPHASIS_VERSION)},
    };
    QNetworkReply *reply = network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    pinReply(reply, join.spkiSha256);

    // A total deadline: transfer timeouts only measure inactivity.
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, reply, &QNetworkReply::abort);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    deadline.start(TimeoutMs);
    loop.exec();

    const QString presented = reply->property("prophasis.pinMismatch").toString();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
    const QString coreMessage = answer.value(QStringLiteral("message")).toString();
    const QNetworkReply::NetworkError networkError = reply->error();
    const QString networkErrorText = reply->errorString();
    reply->deleteLater();

    if (!presented.isEmpty()) {
        *error = QStringLiteral("the core at %1 presented the key %2, not the key in the join string (%3): refusing to "
                                "register with it")
                     .arg(join.core.toDisplayString(), presented, join.spkiSha256);
        return false;
    }
    if (status == 401 || status == 403) {
        *error = QStringLiteral("the core refused the join token (used already, expired or revoked? ask for a new join "
                                "string): %1")
                     .arg(coreMessage);
        return false;
    }
    if (status < 200 || status >= 300) {
        *error = status ? QStringLiteral("the core answered %1: %2").arg(status).arg(coreMessage.isEmpty() ? networkErrorText : coreMessage)
                        : QStringLiteral("cannot reach the core at %1: %2")
                              .arg(join.core.toDisplayString(),
                                   networkError == QNetworkReply::OperationCanceledError
                                       ? QStringLiteral("no answer within %1 s").arg(TimeoutMs / 1000)
                                       : networkErrorText);
        return false;
    }
    config.pinCoreKey(join.spkiSha256);
    // Registered by join: no manual enrollment stays open.
    config.closeEnrollment();
    return true;
}

} // namespace prophasis
