#include "daemon-core/dispatch/agentjob.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

#include "shared/domain/pluginversion.h"
#include "shared/plugin/runresult.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcJob, "prophasis.core.dispatch")

// The message an agent put in its JSON error body, else the status.
QString agentMessage(const HttpClientResponse &response)
{
    const QString message =
        QJsonDocument::fromJson(response.body).object().value(QStringLiteral("message")).toString();
    return message.isEmpty() ? QStringLiteral("HTTP status %1").arg(response.status)
                             : message.left(MaxRunMessageLength);
}

} // namespace

std::optional<CheckResult> checkResultFromRunAnswer(const SeriesKey &series, const QByteArray &body,
                                                    QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("the answer is not a JSON object (%1)").arg(parseError.errorString());
        return std::nullopt;
    }
    const std::optional<RunResult> run = RunResult::fromJson(document.object(), error);
    if (!run)
        return std::nullopt;
    CheckResult result;
    result.hostId = series.hostId;
    result.checkId = series.checkId;
    result.pluginId = series.pluginId;
    result.type = run->error == QLatin1String("timeout")        ? ResultType::Timeout
                  : run->error == QLatin1String("plugin_error") ? ResultType::PluginError
                                                                : ResultType::Success;
    result.value = run->value;
    result.message = run->message;
    result.status = run->status;
    result.metrics = run->metrics;
    result.durationMs = run->durationMs;
    return result;
}

AgentJob::AgentJob(ResolvedRun run, AgentClient *client, PackageSource packages, AgentJobTimeouts timeouts,
                   Finished finished)
    : m_run(std::move(run))
    , m_client(client)
    , m_packages(std::move(packages))
    , m_timeouts(timeouts)
    , m_finished(std::move(finished))
{
}

QString AgentJob::what() const
{
    return QStringLiteral("plugin %1 on %2").arg(m_run.pluginId, m_client->endpoint().name);
}

AgentClient::Callback AgentJob::continueWith(void (AgentJob::*step)(const AgentReply &))
{
    // Weak: a job given up (host removed) must not be kept alive by its client's callback.
    return [weak = weak_from_this(), step](const AgentReply &reply) {
        if (const std::shared_ptr<AgentJob> self = weak.lock())
            (self.get()->*step)(reply);
    };
}

void AgentJob::start()
{
    m_clock.start();
    sendRun();
}

void AgentJob::sendRun()
{
    const QJsonObject body{{QStringLiteral("arguments"), m_run.arguments},
                           {QStringLiteral("expect_sha256"), m_run.packageSha256},
                           {QStringLiteral("timeout_ms"), qint64(m_run.pluginTimeout.count())}};
    AgentRequest request;
    request.method = "POST";
    request.target = "/v1/plugins/" + m_run.pluginId.toUtf8() + "/run";
    request.headers = {{"Content-Type", "application/json"}};
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    request.totalTimeout = m_run.pluginTimeout + m_timeouts.deadlineMargin;
    m_client->send(std::move(request), continueWith(&AgentJob::onRun));
}

void AgentJob::onRun(const AgentReply &reply)
{
    if (!reply.ok())
        return finishWith(reply.failure, reply.message);
    const HttpClientResponse &response = *reply.response;
    if (response.status == 200)
        return finishWithRun(response);
    if (response.status == 409 && !m_pushed)
        return fetchPackage();
    if (response.status == 409)
        return finishWith(
            ResultType::RequestError,
            QStringLiteral(
                "%1: the agent still reports another package after accepting the core's package %2 "
                "(%3); the run was not made")
                .arg(what(), m_run.packageSha256, agentMessage(response)));
    if (response.status == 401)
        return finishWith(
            ResultType::RequestError,
            QStringLiteral("%1: the agent does not accept this core's key (%2); enroll the host again")
                .arg(what(), agentMessage(response)));
    finishWith(ResultType::RequestError, QStringLiteral("%1: the agent refused the run with status %2: %3")
                                             .arg(what())
                                             .arg(response.status)
                                             .arg(agentMessage(response)));
}

void AgentJob::fetchPackage()
{
    if (!m_packages)
        return finishWith(
            ResultType::RequestError,
            QStringLiteral("%1: the agent needs the package %2, and this core has no package source")
                .arg(what(), m_run.packageSha256));
    QFuture<std::optional<AgentPackage>> future = m_packages(m_run.job.series.pluginId, m_run.packageSha256);
    // Continued on the client's thread (the dispatcher's); a job given up meanwhile is gone.
    future.then(m_client, [weak = weak_from_this()](QFuture<std::optional<AgentPackage>> done) {
        const std::shared_ptr<AgentJob> self = weak.lock();
        if (!self)
            return;
        std::optional<AgentPackage> package;
        QString failure;
        try {
            if (done.isCanceled() || done.resultCount() == 0)
                failure = QStringLiteral("the package lookup was cancelled");
            else
                package = done.result();
        } catch (const std::exception &exception) {
            failure = QString::fromUtf8(exception.what());
        } catch (...) {
            failure = QStringLiteral("an unknown error");
        }
        if (!failure.isEmpty())
            return self->finishWith(ResultType::RequestError,
                                    QStringLiteral("%1: cannot read the package %2 to push it: %3")
                                        .arg(self->what(), self->m_run.packageSha256, failure));
        if (!package)
            return self->finishWith(
                ResultType::RequestError,
                QStringLiteral("%1: the agent needs the package %2, which this core does not have "
                               "(upload the plugin again)")
                    .arg(self->what(), self->m_run.packageSha256));
        self->onPackage(*package);
    });
}

void AgentJob::onPackage(const AgentPackage &package)
{
    m_package = package;
    // The agent's installed version decides whether this push is a downgrade: the core is the
    // source of truth, so an older package it holds as current is an intended rollback.
    AgentRequest request;
    request.method = "GET";
    request.target = "/v1/plugins";
    request.totalTimeout = m_timeouts.pushTimeout;
    m_client->send(std::move(request), continueWith(&AgentJob::onPluginList));
}

void AgentJob::onPluginList(const AgentReply &reply)
{
    if (!reply.ok())
        return finishWith(reply.failure, reply.message);
    if (reply.response->status != 200)
        return finishWith(ResultType::RequestError,
                          QStringLiteral("%1: the agent refused to list its plugins: %2")
                              .arg(what(), agentMessage(*reply.response)));
    QString installedVersion;
    const QJsonArray plugins =
        QJsonDocument::fromJson(reply.response->body).object().value(QStringLiteral("plugins")).toArray();
    for (const QJsonValue &plugin : plugins) {
        if (plugin.toObject().value(QStringLiteral("id")).toString() == m_run.pluginId)
            installedVersion = plugin.toObject().value(QStringLiteral("version")).toString();
    }
    const bool downgrade = isValidPluginVersion(installedVersion) &&
                           isValidPluginVersion(m_package.version) &&
                           compareVersions(m_package.version, installedVersion) < 0;

    AgentRequest request;
    request.method = "PUT";
    request.target = "/v1/plugins/" + m_run.pluginId.toUtf8() + (downgrade ? "?allow_downgrade=1" : "");
    request.headers = {{"Content-Type", "application/gzip"}};
    if (!m_package.signature.isEmpty())
        request.headers.append({"Prophasis-Signature", m_package.signature.toBase64()});
    request.body = std::exchange(m_package.archive, {});
    request.totalTimeout = m_timeouts.pushTimeout;
    qCInfo(lcJob).noquote() << "pushing" << m_run.pluginId << m_package.version << m_run.packageSha256 << "to"
                            << m_client->endpoint().name
                            << (downgrade ? QStringLiteral("(rollback from %1)").arg(installedVersion)
                                          : QString());
    m_client->send(std::move(request), continueWith(&AgentJob::onInstalled));
}

void AgentJob::onInstalled(const AgentReply &reply)
{
    if (!reply.ok())
        return finishWith(reply.failure, reply.message);
    if (reply.response->status != 200 && reply.response->status != 201)
        return finishWith(
            ResultType::RequestError,
            QStringLiteral("%1: the agent refused the package %2 (version %3) with status %4: %5")
                .arg(what(), m_run.packageSha256, m_package.version)
                .arg(reply.response->status)
                .arg(agentMessage(*reply.response)));
    m_pushed = true;
    sendRun();
}

void AgentJob::finishWithRun(const HttpClientResponse &response)
{
    QString error;
    std::optional<CheckResult> result = checkResultFromRunAnswer(m_run.job.series, response.body, &error);
    if (!result)
        return finishWith(
            ResultType::RequestError,
            QStringLiteral("%1: the agent's answer is not a run result: %2").arg(what(), error));
    finish(std::move(*result));
}

CheckResult AgentJob::baseResult() const
{
    CheckResult result;
    result.hostId = m_run.job.series.hostId;
    result.checkId = m_run.job.series.checkId;
    result.pluginId = m_run.job.series.pluginId;
    result.durationMs = m_clock.elapsed();
    return result;
}

void AgentJob::finishWith(ResultType type, const QString &message)
{
    CheckResult result = baseResult();
    result.type = type;
    result.message = message.left(MaxRunMessageLength);
    finish(std::move(result));
}

void AgentJob::finish(CheckResult result)
{
    // The time the result was known: when the answer (or the failure) arrived.
    result.time = QDateTime::currentDateTimeUtc();
    const std::shared_ptr<AgentJob> keepAlive =
        shared_from_this(); // the owner may let go of us in the callback
    if (Finished finished = std::exchange(m_finished, {}))
        finished(Outcome{std::move(result), m_pushed});
}

} // namespace prophasis
