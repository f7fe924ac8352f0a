#include "daemon-core/api/hostpairingroutes.h"

#include <QJsonDocument>
#include <QSqlQuery>

#include "daemon-core/dispatch/agentclient.h"
#include "daemon-core/storage/hoststore.h"
#include "shared/enrollment/pairingstrings.h"
#include "shared/tls/identity.h"
#include "shared/tls/pinning.h"

namespace prophasis {

namespace {

using entityroutes::auditEntry;
using entityroutes::pathId;
using entityroutes::sendStorageFailure;

// Long enough for a handshake with a far agent, short enough for a button someone waits on.
constexpr std::chrono::milliseconds TestConnectionTimeout{10'000};

QString pairingErrorName(PairingResult::Error error)
{
    switch (error) {
    case PairingResult::Error::None:
        return QStringLiteral("none");
    case PairingResult::Error::InvalidString:
        return QStringLiteral("invalid_string");
    case PairingResult::Error::WrongKey:
        return QStringLiteral("wrong_key");
    case PairingResult::Error::TokenRefused:
        return QStringLiteral("token_refused");
    case PairingResult::Error::Throttled:
        return QStringLiteral("throttled");
    case PairingResult::Error::Unreachable:
        return QStringLiteral("unreachable");
    case PairingResult::Error::Timeout:
        return QStringLiteral("timeout");
    case PairingResult::Error::TlsError:
        return QStringLiteral("tls_error");
    case PairingResult::Error::Failed:
        break;
    }
    return QStringLiteral("failed");
}

void mountEnroll(RouteTable &routes, const ApiContext &api, const TlsIdentity &coreIdentity)
{
    using namespace hostpairing;
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const std::function<void()> changed = api.configurationChanged;
    routes.add(
        QByteArrayLiteral("POST"), QStringLiteral("/api/v1/hosts/enroll"),
        api.guard.require(Permission::ManageConfiguration, [=](const ApiRequest &request,
                                                               HttpResponder responder) {
            const std::optional<QJsonObject> body = readJsonObject(request.http, responder);
            if (!body)
                return;
            HostPlan plan;
            FieldErrors errors = readHostPlan(*body, &plan);
            const QString text = body->value(QStringLiteral("enrollment")).toString().trimmed();
            QString problem;
            const std::optional<EnrollmentString> enrollment = EnrollmentString::decode(text, &problem);
            if (!enrollment)
                errors.add(QStringLiteral("enrollment"),
                           text.isEmpty()
                               ? QStringLiteral("paste the enrollment string `prophasis-agent init` printed")
                               : QStringLiteral("this is not an enrollment string: %1").arg(problem));
            if (!errors.isEmpty()) {
                responder.send(fieldErrorsResponse(errors));
                return;
            }
            const QString name = plan.name.isEmpty() ? (plan.options.address.isEmpty() ? enrollment->host
                                                                                       : plan.options.address)
                                                     : plan.name;
            whenReady(
                storage->run([plan, name](Database &db) { return checkHostPlan(db, plan, name); }), context,
                [=](const FieldErrors &planErrors) {
                    if (!planErrors.isEmpty()) {
                        responder.send(fieldErrorsResponse(planErrors));
                        return;
                    }
                    // Pairing runs on this loop (AgentClient is event-driven); only storing is a job.
                    whenReady(
                        HostPairing::pair(text, coreIdentity, plan.options), context,
                        [=](const PairingResult &paired) {
                            if (!paired.ok()) {
                                responder.send(pairingFailure(paired));
                                return;
                            }
                            whenReady(
                                storage->run([paired, plan, name, request](Database &db) {
                                    return db.transaction([&] {
                                        const Host host = storePairedHost(db, paired, plan, name);
                                        AuditEntry entry =
                                            auditEntry(request, QStringLiteral("enroll"),
                                                       QStringLiteral("host"), host.id, host.name);
                                        entry.details.insert(QStringLiteral("agent_key_sha256"),
                                                             paired.spkiSha256);
                                        entry.details.insert(QStringLiteral("agent_version"),
                                                             paired.agentVersion);
                                        AuditLogStore(db).append(entry);
                                        return host;
                                    });
                                }),
                                context,
                                [responder, changed](const Host &host) {
                                    HttpResponse response = HttpResponse::json(201, toJson(host));
                                    response.headers.append(
                                        {QByteArrayLiteral("Location"),
                                         ("/api/v1/hosts/" + host.id.toString(QUuid::WithoutBraces))
                                             .toUtf8()});
                                    responder.send(response);
                                    if (changed)
                                        changed();
                                },
                                [responder, paired](const StorageError &error) {
                                    responder.send(pairedButNotStored(error, paired));
                                });
                        },
                        [responder](const StorageError &error) { sendStorageFailure(responder, error); });
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
}

void mountTestConnection(RouteTable &routes, const ApiContext &api, const TlsIdentity &coreIdentity)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    // Made once, as the dispatcher does: the core's identity as client certificate.
    const QSslConfiguration tls = pinnedClientConfiguration(coreIdentity);
    routes.add(
        QByteArrayLiteral("POST"), QStringLiteral("/api/v1/hosts/{id}/test-connection"),
        api.guard.require(Permission::TestConnection, [=](const ApiRequest &request,
                                                          HttpResponder responder) {
            const std::optional<QUuid> id = pathId(request, responder);
            if (!id)
                return;
            whenReady(
                storage->run([id = *id](Database &db) { return HostStore(db).get(id); }), context,
                [=](const Host &host) {
                    if (host.agentKeySha256.isEmpty()) {
                        responder.send(HttpResponse::error(
                            409, QStringLiteral("the host '%1' is not paired with an agent: add it from its "
                                                "enrollment string first")
                                     .arg(host.name)));
                        return;
                    }
                    // A client of its own (not the dispatcher's), so the test neither waits behind
                    // queued runs nor reuses a kept-alive connection: it proves a fresh handshake.
                    auto *client =
                        new AgentClient({host.name, host.address, host.agentPort, host.agentKeySha256}, tls,
                                        AgentClient::Limits{}, context);
                    auto presented = std::make_shared<QString>();
                    QObject::connect(client, &AgentClient::keyMismatch, client,
                                     [presented](const QString &, const QString &key) {
                                         *presented = key.isEmpty() ? QStringLiteral("(none)") : key;
                                     });
                    AgentRequest ping;
                    ping.method = "GET";
                    ping.target = "/v1/ping";
                    ping.totalTimeout = TestConnectionTimeout;
                    client->send(std::move(ping), [client, responder, presented,
                                                   host](const AgentReply &reply) {
                        client->deleteLater();
                        QJsonObject answer{{QStringLiteral("elapsed_ms"), reply.elapsedMs}};
                        if (!presented->isEmpty()) {
                            answer.insert(QStringLiteral("ok"), false);
                            answer.insert(QStringLiteral("error"), enumName(ResultType::TlsError));
                            answer.insert(
                                QStringLiteral("message"),
                                QStringLiteral("the agent at %1 presented the key %2, not the pinned key %3: "
                                               "refused (re-pair the host if its key really changed)")
                                    .arg(host.address, *presented, host.agentKeySha256));
                        } else if (!reply.ok()) {
                            answer.insert(QStringLiteral("ok"), false);
                            answer.insert(QStringLiteral("error"), enumName(reply.failure));
                            answer.insert(QStringLiteral("message"), reply.message);
                        } else if (reply.response->status != 200) {
                            const QString said = QJsonDocument::fromJson(reply.response->body)
                                                     .object()
                                                     .value(QStringLiteral("message"))
                                                     .toString();
                            answer.insert(QStringLiteral("ok"), false);
                            answer.insert(QStringLiteral("error"), enumName(ResultType::RequestError));
                            answer.insert(QStringLiteral("message"),
                                          reply.response->status == 401
                                              ? QStringLiteral(
                                                    "the agent does not accept this core (%1): pair it again")
                                                    .arg(said)
                                              : QStringLiteral("the agent answered %1: %2")
                                                    .arg(reply.response->status)
                                                    .arg(said));
                        } else {
                            const QJsonObject facts = QJsonDocument::fromJson(reply.response->body).object();
                            for (auto it = facts.constBegin(); it != facts.constEnd(); ++it)
                                answer.insert(it.key(), it.value());
                            answer.insert(QStringLiteral("ok"), true);
                        }
                        responder.send(HttpResponse::json(200, answer));
                    });
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));
}

} // namespace

namespace hostpairing {

FieldErrors readHostPlan(const QJsonObject &body, HostPlan *plan)
{
    FieldErrors errors;
    const auto text = [&](const QString &key, QString *out) {
        const QJsonValue value = body.value(key);
        if (value.isUndefined() || value.isNull())
            return;
        if (!value.isString())
            errors.add(key, QStringLiteral("must be a string"));
        else
            *out = value.toString().trimmed();
    };
    text(QStringLiteral("name"), &plan->name);
    text(QStringLiteral("description"), &plan->description);
    text(QStringLiteral("address"), &plan->options.address);
    if (!plan->options.address.isEmpty() && !isValidHostAddress(plan->options.address))
        errors.add(QStringLiteral("address"), QStringLiteral("must be a DNS name or an IP address"));
    if (const QJsonValue port = body.value(QStringLiteral("port")); !port.isUndefined() && !port.isNull()) {
        const int value = port.toInt(-1);
        if (!port.isDouble() || value < 1 || value > 65535)
            errors.add(QStringLiteral("port"), QStringLiteral("must be a port number from 1 to 65535"));
        else
            plan->options.port = quint16(value);
    }
    if (const QJsonValue groups = body.value(QStringLiteral("groups"));
        !groups.isUndefined() && !groups.isNull()) {
        const QJsonArray list = groups.toArray();
        if (!groups.isArray())
            errors.add(QStringLiteral("groups"), QStringLiteral("must be a list of host group ids"));
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QUuid id = QUuid::fromString(list.at(i).toString());
            if (id.isNull())
                errors.add(QStringLiteral("groups.%1").arg(i),
                           QStringLiteral("must be a host group id (a UUID)"));
            else if (!plan->groupIds.contains(id))
                plan->groupIds.append(id);
        }
    }
    return errors;
}

FieldErrors checkHostPlan(Database &db, const HostPlan &plan, const QString &name)
{
    // The host's own rules on name and description (the address is the agent's, checked later).
    Host planned;
    planned.name = name;
    planned.description = plan.description;
    planned.address = QStringLiteral("localhost");
    FieldErrors errors;
    for (const FieldError &error : validate(planned).list()) {
        if (error.field == u"name" || error.field == u"description")
            errors.add(error.field, error.message);
    }
    if (errors.isEmpty() &&
        db.exec(QStringLiteral("SELECT 1 FROM hosts WHERE lower(name) = lower(?)"), {name}).next())
        errors.add(QStringLiteral("name"), QStringLiteral("a host named '%1' exists already").arg(name));
    HostGroupStore groups(db);
    for (qsizetype i = 0; i < plan.groupIds.size(); ++i) {
        if (!groups.find(plan.groupIds.at(i)))
            errors.add(QStringLiteral("groups.%1").arg(i), QStringLiteral("no host group with this id"));
    }
    return errors;
}

Host storePairedHost(Database &db, const PairingResult &paired, const HostPlan &plan, const QString &name)
{
    return db.transaction([&] {
        Host host;
        host.name = name;
        host.description = plan.description;
        host.address = paired.address;
        host.agentPort = paired.port;
        host.agentKeySha256 = paired.spkiSha256;
        const Host created = HostStore(db).create(host);
        HostGroupStore groups(db);
        for (const QUuid &groupId : plan.groupIds) {
            HostGroup group = groups.get(groupId);
            group.hostIds.append(created.id);
            groups.update(group);
        }
        return created;
    });
}

HttpResponse pairingFailure(const PairingResult &result)
{
    int status = 502; // the agent (the upstream) answered wrongly or not at all
    switch (result.error) {
    case PairingResult::Error::InvalidString:
        status = 422;
        break;
    case PairingResult::Error::TokenRefused:
        status = 409;
        break;
    case PairingResult::Error::Throttled:
        status = 429;
        break;
    case PairingResult::Error::Timeout:
        status = 504;
        break;
    case PairingResult::Error::None:
    case PairingResult::Error::WrongKey:
    case PairingResult::Error::Unreachable:
    case PairingResult::Error::TlsError:
    case PairingResult::Error::Failed:
        break;
    }
    return HttpResponse::json(status,
                              QJsonObject{{QStringLiteral("error"), HttpResponse::errorCode(status)},
                                          {QStringLiteral("pairing_error"), pairingErrorName(result.error)},
                                          {QStringLiteral("message"), result.message}});
}

HttpResponse pairedButNotStored(const StorageError &error, const PairingResult &paired)
{
    const HttpResponse failure = storageErrorResponse(error);
    QJsonObject body = QJsonDocument::fromJson(failure.body).object();
    body.insert(
        QStringLiteral("message"),
        QStringLiteral("the agent is paired with this core (its enrollment token is used), but the host "
                       "could not be stored: %1. Add it by hand with the address, port and key in "
                       "\"paired\".")
            .arg(body.value(QStringLiteral("message")).toString()));
    body.insert(QStringLiteral("paired"),
                QJsonObject{{QStringLiteral("address"), paired.address},
                            {QStringLiteral("agent_port"), paired.port},
                            {QStringLiteral("agent_key_sha256"), paired.spkiSha256}});
    return HttpResponse::json(failure.status, body);
}

} // namespace hostpairing

void mountHostPairingRoutes(RouteTable &routes, const ApiContext &api, const TlsIdentity &coreIdentity)
{
    mountEnroll(routes, api, coreIdentity);
    mountTestConnection(routes, api, coreIdentity);
}

} // namespace prophasis
