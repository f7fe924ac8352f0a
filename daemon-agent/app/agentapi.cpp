#include "daemon-agent/app/agentapi.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSysInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <ctime>

#include "daemon-agent/app/agentconfig.h"
#include "daemon-agent/luaworker/luaworkerclient.h"
#include "daemon-agent/runner/capabilities.h"
#include "daemon-agent/runner/pluginexecutor.h"
#include "daemon-agent/store/agentpluginstore.h"
#include "shared/domain/validation.h"
#include "shared/plugin/runresult.h"

namespace prophasis {

namespace {

Q_LOGGING_CATEGORY(lcApi, "prophasis.agent.api")

const QLatin1StringView PluginsPrefix("/v1/plugins/");

// The system's uptime, for ping: how long the monitored machine has been up.
// Seconds since boot, suspended time included; -1 where the system cannot say.
qint64 systemUptimeSeconds()
{
#ifdef CLOCK_BOOTTIME
    // A clock read, not a file: reading /proc/uptime was a tenth of a ping's CPU.
    timespec now{};
    if (clock_gettime(CLOCK_BOOTTIME, &now) == 0)
        return qint64(now.tv_sec);
#endif
    return -1;
}

int enrollmentStatus(EnrollmentGate::Verdict verdict)
{
    switch (verdict) {
    case EnrollmentGate::Verdict::Enrolled:
        return 200;
    case EnrollmentGate::Verdict::Throttled:
        return 429;
    case EnrollmentGate::Verdict::NoClientCertificate:
        return 400;
    case EnrollmentGate::Verdict::NoToken:
    case EnrollmentGate::Verdict::Expired:
        return 410;
    case EnrollmentGate::Verdict::WrongToken:
        return 401;
    }
    return 500;
}

QJsonObject pluginJson(const InstalledPlugin &plugin)
{
    return {
        {QStringLiteral("id"), plugin.manifest.id},
        {QStringLiteral("version"), plugin.manifest.version},
        {QStringLiteral("sha256"), plugin.sha256},
        {QStringLiteral("name"), plugin.manifest.name},
        {QStringLiteral("runtime"), enumName(plugin.manifest.runtime)},
        {QStringLiteral("installed"), plugin.installed.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("signed"), plugin.isSigned},
        {QStringLiteral("signer"), plugin.signer},
    };
}

} // namespace

AgentApi::AgentApi(const Parts &parts, QObject *parent)
    : QObject(parent)
    , m_parts(parts)
    // Read once: the OS release and kernel change only with a restart of the machine, and
    // reading /etc/os-release on every ping cost more than the rest of the answer.
    , m_osFacts{{QStringLiteral("os"), QSysInfo::productType()},
                {QStringLiteral("os_version"), QSysInfo::prettyProductName()},
                {QStringLiteral("kernel"), QSysInfo::kernelVersion()}}
{
    m_started.start();
}

void AgentApi::handle(const HttpRequest &request, const ClientInfo &client, HttpResponder responder)
{
    const QString &path = request.path;
    const QByteArray &method = request.method;
    qCDebug(lcApi).noquote() << client.address.toString() << method << path;

    if (path == QLatin1String("/v1/enroll")) {
        if (method != "POST")
            return responder.send(HttpResponse::error(405, QStringLiteral("enrollment is POST /v1/enroll")));
        return enroll(request, client, responder);
    }
    // Everything else answers only a pinned core.
    if (client.spkiSha256.isEmpty() || !m_parts.config->pinnedCoreKeys.contains(client.spkiSha256)) {
        qCWarning(lcApi).noquote() << "refused" << method << path << "from" << client.address.toString()
                                   << (client.spkiSha256.isEmpty()
                                           ? QStringLiteral("without a client certificate")
                                           : QStringLiteral("with the unpinned key ") + client.spkiSha256);
        return responder.send(HttpResponse::error(
            401,
            QStringLiteral("this agent answers only a Prophasis core whose key it pinned at enrollment")));
    }
    if (path == QLatin1String("/v1/ping")) {
        if (method != "GET")
            return responder.send(HttpResponse::error(405, QStringLiteral("ping is GET /v1/ping")));
        return ping(responder);
    }
    if (path == QLatin1String("/v1/plugins")) {
        if (method != "GET")
            return responder.send(
                HttpResponse::error(405, QStringLiteral("the plugin list is GET /v1/plugins")));
        return listPlugins(responder);
    }
    if (path.startsWith(PluginsPrefix)) {
        QString rest = path.mid(PluginsPrefix.size());
        const bool isRun = rest.endsWith(QLatin1String("/run"));
        if (isRun)
            rest.chop(4);
        if (!isValidPluginId(rest))
            return responder.send(
                HttpResponse::error(404, QStringLiteral("'%1' is not a plugin id").arg(rest.left(200))));
        if (isRun && method == "POST")
            return runPlugin(rest, request, responder);
        if (!isRun && method == "PUT")
            return installPlugin(rest, request, responder);
        if (!isRun && method == "DELETE")
            return removePlugin(rest, responder);
        return responder.send(
            HttpResponse::error(405, QStringLiteral("use PUT or DELETE /v1/plugins/{id}, or POST "
                                                    "/v1/plugins/{id}/run")));
    }
    responder.send(HttpResponse::error(404, QStringLiteral("no such API path: %1").arg(path.left(200))));
}

void AgentApi::enroll(const HttpRequest &request, const ClientInfo &client, const HttpResponder &responder)
{
    const QByteArray authorization = request.header("Authorization");
    const QString token =
        authorization.startsWith("Bearer ") ? QString::fromUtf8(authorization.mid(7)).trimmed() : QString();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    // The config on disk is the truth: `prophasis-agent new-token` may have opened an enrollment.
    QString error;
    if (std::optional<AgentConfig> onDisk = AgentConfig::load(m_parts.config->directory, &error))
        *m_parts.config = *onDisk;
    const EnrollmentGate::Verdict verdict = m_gate.attempt(*m_parts.config, token, client.spkiSha256, now);
    const QString message = EnrollmentGate::describe(verdict);
    if (verdict != EnrollmentGate::Verdict::Enrolled) {
        qCWarning(lcApi).noquote() << "enrollment refused for" << client.address.toString() << ":" << message;
        HttpResponse response = HttpResponse::error(enrollmentStatus(verdict), message);
        if (verdict == EnrollmentGate::Verdict::Throttled)
            response.headers.emplaceBack("Retry-After", QByteArray::number(m_gate.retryAfterSeconds(now)));
        return responder.send(response);
    }
    if (!m_parts.config->save(&error)) {
        qCCritical(lcApi).noquote() << "cannot save the enrollment:" << error;
        return responder.send(HttpResponse::error(
            500, QStringLiteral("the agent cannot save its configuration: %1").arg(error)));
    }
    qCInfo(lcApi).noquote() << "enrolled: pinned the core key" << client.spkiSha256 << "from"
                            << client.address.toString();
    responder.send(HttpResponse::json(
        200, QJsonObject{{QStringLiteral("agent_version"), QStringLiteral(PROPHASIS_VERSION)},
                         {QStringLiteral("spki_sha256"), m_parts.agentSpki},
                         {QStringLiteral("message"), message}}));
}

void AgentApi::ping(const HttpResponder &responder) const
{
    QJsonObject answer = m_osFacts;
    answer.insert(QStringLiteral("agent_version"), QStringLiteral(PROPHASIS_VERSION));
    answer.insert(QStringLiteral("hostname"), QSysInfo::machineHostName());
    answer.insert(QStringLiteral("uptime_s"), systemUptimeSeconds());
    answer.insert(QStringLiteral("agent_uptime_s"), m_started.elapsed() / 1000);
    answer.insert(QStringLiteral("spki_sha256"), m_parts.agentSpki);
    responder.send(HttpResponse::json(200, answer));
}

void AgentApi::listPlugins(const HttpResponder &responder) const
{
    QJsonArray plugins;
    for (const InstalledPlugin &plugin : m_parts.store->list())
        plugins.append(pluginJson(plugin));
    responder.send(HttpResponse::json(200, QJsonObject{{QStringLiteral("plugins"), plugins}}));
}

void AgentApi::installPlugin(const QString &pluginId, const HttpRequest &request,
                             const HttpResponder &responder)
{
    const QByteArray contentType = request.header("Content-Type");
    if (!contentType.startsWith("application/gzip") && !contentType.startsWith("application/x-gzip"))
        return responder.send(
            HttpResponse::error(415, QStringLiteral("send the plugin package as application/gzip")));
    QByteArray signature;
    if (const QByteArray header = request.header("Prophasis-Signature"); !header.isEmpty()) {
        const auto decoded = QByteArray::fromBase64Encoding(header, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return responder.send(
                HttpResponse::error(400, QStringLiteral("the Prophasis-Signature header is not base64")));
        signature = *decoded;
    }
    const bool allowDowngrade =
        request.query.queryItemValue(QStringLiteral("allow_downgrade")) == QLatin1String("1");
    // Extraction writes up to the package limits to disk: off the event loop, so other
    // requests (runs, pings) are not held up.
    std::shared_ptr<AgentPluginStore> store = m_parts.store;
    const QByteArray archive = request.body;
    QtConcurrent::run([store, pluginId, archive, signature, allowDowngrade] {
        return store->install(pluginId, archive, signature, allowDowngrade);
    }).then(this, [responder, pluginId](const InstallOutcome &outcome) {
        if (outcome.httpStatus >= 300) {
            qCWarning(lcApi).noquote() << "refused to install" << pluginId << ":" << outcome.message;
            return responder.send(HttpResponse::error(outcome.httpStatus, outcome.message));
        }
        qCInfo(lcApi).noquote() << "installed" << pluginId << outcome.plugin->manifest.version
                                << outcome.plugin->sha256;
        QJsonObject body = pluginJson(*outcome.plugin);
        body.insert(QStringLiteral("message"), outcome.message);
        responder.send(HttpResponse::json(outcome.httpStatus, body));
    });
}

void AgentApi::removePlugin(const QString &pluginId, const HttpResponder &responder)
{
    QString error;
    if (!m_parts.store->find(pluginId))
        return responder.send(
            HttpResponse::error(404, QStringLiteral("plugin %1 is not installed").arg(pluginId)));
    if (!m_parts.store->remove(pluginId, &error))
        return responder.send(HttpResponse::error(500, error));
    qCInfo(lcApi).noquote() << "removed" << pluginId;
    responder.send(HttpResponse::json(
        200, QJsonObject{{QStringLiteral("message"), QStringLiteral("removed %1").arg(pluginId)}}));
}

void AgentApi::runPlugin(const QString &pluginId, const HttpRequest &request, const HttpResponder &responder)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (!request.body.isEmpty() && !document.isObject())
        return responder.send(HttpResponse::error(
            400, QStringLiteral("the body is not a JSON object: %1").arg(parseError.errorString())));
    const QJsonObject body = document.object();
    const QString expected = body.value(QStringLiteral("expect_sha256")).toString();
    const std::optional<InstalledPlugin> plugin = m_parts.store->find(pluginId);
    // The core is the source of truth: any other package than the one it expects is a conflict,
    // which the core answers by pushing its package.
    if (!plugin || (!expected.isEmpty() && plugin->sha256 != expected)) {
        HttpResponse response =
            HttpResponse::error(409, plugin ? QStringLiteral("plugin %1 is installed with package %2, not %3")
                                                  .arg(pluginId, plugin->sha256, expected)
                                            : QStringLiteral("plugin %1 is not installed").arg(pluginId));
        return responder.send(response);
    }
    QString error;
    const std::optional<QJsonObject> arguments =
        resolveArguments(plugin->manifest, body.value(QStringLiteral("arguments")).toObject(), &error);
    if (!arguments)
        return responder.send(HttpResponse::error(422, error));
    const int capMs = m_parts.config->pluginTimeoutCapSeconds * 1000;
    int timeoutMs = std::min(plugin->manifest.timeoutSeconds * 1000, capMs);
    if (const QJsonValue requested = body.value(QStringLiteral("timeout_ms")); requested.isDouble())
        timeoutMs = std::clamp(requested.toInt(), 1, capMs);

    auto done = [responder, pluginId](const RunResult &result) {
        qCDebug(lcApi).noquote() << "ran" << pluginId << "in" << result.durationMs << "ms" << result.error;
        responder.send(HttpResponse::json(200, result.toJson()));
    };
    if (plugin->manifest.runtime == PluginRuntime::Lua) {
        const QString stateFolder = pluginStateFolder(pluginId);
        // A Lua plugin that could not measure may lack a capability its manifest declares: say so
        // (SPEC §3), as the process runner does for exec and nagios plugins.
        const QStringList capabilities = plugin->manifest.capabilities;
        auto withHint = [done, capabilities](RunResult result) {
            if (!result.value && !capabilities.isEmpty())
                result.message += missingCapabilitiesHint(capabilities);
            done(result);
        };
        m_parts.lua->run({pluginId, plugin->directory, plugin->manifest.entry, *arguments,
                          plugin->manifest.version, timeoutMs, stateFolder,
                          quint64(m_parts.config->luaBudgetInstructions),
                          quint64(m_parts.config->luaMemoryLimitMb) * 1024 * 1024},
                         withHint);
    } else {
        m_parts.executor->run(plugin->manifest, plugin->directory, *arguments, timeoutMs, done);
    }
}

// Each plugin's own writable folder, kept across runs and upgrades (log_match keeps its read
// position there).
QString AgentApi::pluginStateFolder(const QString &pluginId)
{
    const QString folder =
        QDir(m_parts.config->stateDirectory()).filePath(QStringLiteral("plugin-state/") + pluginId);
    if (!m_stateFoldersMade.contains(folder) && QDir().mkpath(folder)) {
        QFile::setPermissions(folder,
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        m_stateFoldersMade.insert(folder);
    }
    return folder;
}

} // namespace prophasis
