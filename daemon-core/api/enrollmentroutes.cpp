#include "daemon-core/api/enrollmentroutes.h"

#include <algorithm>
#include <variant>

#include "daemon-core/api/hostpairingroutes.h"
#include "daemon-core/auth/authenticator.h"
#include "daemon-core/auth/sourcethrottle.h"
#include "daemon-core/storage/enrollmentstore.h"
#include "shared/enrollment/pairingstrings.h"
#include "shared/tls/identity.h"

namespace prophasis {

namespace {

using entityroutes::auditEntry;
using entityroutes::pathId;
using entityroutes::sendStorageFailure;

const QString JoinTokens = QStringLiteral("/api/v1/join-tokens");
const QString Enrollments = QStringLiteral("/api/v1/enrollments");

// What an agent may say about itself, bounded: it is not logged in yet.
constexpr int MaxAgentTextLength = 255;

QString isoTime(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QJsonValue optionalTime(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(isoTime(time)) : QJsonValue();
}

QJsonObject toJson(const JoinToken &token, const QDateTime &now)
{
    QString state = QStringLiteral("active");
    if (token.revoked)
        state = QStringLiteral("revoked");
    else if (token.expires <= now)
        state = QStringLiteral("expired");
    else if (token.maxUses && token.uses >= *token.maxUses)
        state = QStringLiteral("used_up");
    return {
        {QStringLiteral("id"), token.id.toString(QUuid::WithoutBraces)},
        {QStringLiteral("description"), token.description},
        {QStringLiteral("created_by"), token.createdBy},
        {QStringLiteral("created"), isoTime(token.created)},
        {QStringLiteral("expires"), isoTime(token.expires)},
        {QStringLiteral("max_uses"), token.maxUses ? QJsonValue(*token.maxUses) : QJsonValue()},
        {QStringLiteral("uses"), token.uses},
        {QStringLiteral("revoked"), token.revoked},
        {QStringLiteral("state"), state},
    };
}

// Never the sealed enrollment string: it holds a one-time token.
QJsonObject toJson(const Enrollment &enrollment)
{
    const auto id = [](const QUuid &uuid) {
        return uuid.isNull() ? QJsonValue() : QJsonValue(uuid.toString(QUuid::WithoutBraces));
    };
    return {
        {QStringLiteral("id"), enrollment.id.toString(QUuid::WithoutBraces)},
        {QStringLiteral("state"), enumName(enrollment.state)},
        {QStringLiteral("hostname"), enrollment.hostname},
        {QStringLiteral("address"), enrollment.address},
        {QStringLiteral("port"), enrollment.agentPort},
        {QStringLiteral("spki_sha256"), enrollment.agentKeySha256},
        {QStringLiteral("agent_version"), enrollment.agentVersion},
        {QStringLiteral("os"), enrollment.os},
        {QStringLiteral("source"), enrollment.source},
        {QStringLiteral("created"), isoTime(enrollment.created)},
        {QStringLiteral("decided"), optionalTime(enrollment.decided)},
        {QStringLiteral("decided_by"), enrollment.decidedBy},
        {QStringLiteral("host_id"), id(enrollment.hostId)},
        {QStringLiteral("join_token_id"), id(enrollment.joinTokenId)},
        {QStringLiteral("pairs_on_accept"),
         enrollment.state == EnrollmentState::Pending && !enrollment.enrollmentSealed.isEmpty()},
    };
}

// An agent's registration body, checked against the key of the certificate it presented.
struct Registration
{
    Enrollment enrollment;
    QString enrollmentString; // empty when the agent pinned the core itself
};

std::optional<Registration> readRegistration(const QJsonObject &body, const QString &certificateKey,
                                             FieldErrors *errors)
{
    Registration registration;
    Enrollment &enrollment = registration.enrollment;
    const auto text = [&](const QString &key) {
        const QJsonValue value = body.value(key);
        if (!value.isUndefined() && !value.isNull() && !value.isString())
            errors->add(key, QStringLiteral("must be a string"));
        const QString result = value.toString().trimmed();
        if (result.size() > MaxAgentTextLength)
            errors->add(key, QStringLiteral("must be at most %1 characters").arg(MaxAgentTextLength));
        return result;
    };
    QString keyField;
    if (body.contains(QStringLiteral("enrollment"))) {
        keyField = QStringLiteral("enrollment");
        registration.enrollmentString = body.value(keyField).toString().trimmed();
        QString problem;
        const std::optional<EnrollmentString> decoded =
            EnrollmentString::decode(registration.enrollmentString, &problem);
        if (!decoded) {
            errors->add(keyField, QStringLiteral("this is not an enrollment string: %1").arg(problem));
            return std::nullopt;
        }
        enrollment.address = decoded->host;
        enrollment.agentPort = decoded->port;
        enrollment.agentKeySha256 = decoded->spkiSha256.toLower();
    } else {
        keyField = QStringLiteral("spki_sha256");
        enrollment.address = text(QStringLiteral("host"));
        const int port = body.value(QStringLiteral("port")).toInt(-1);
        if (port < 1 || port > 65535)
            errors->add(QStringLiteral("port"), QStringLiteral("must be the agent's port, 1 to 65535"));
        enrollment.agentPort = quint16(std::clamp(port, 0, 65535));
        enrollment.agentKeySha256 = text(keyField).toLower();
        if (!isValidSha256Hex(enrollment.agentKeySha256))
            errors->add(keyField, QStringLiteral("must be the SHA-256 of the agent's public key, in hex"));
    }
    if (!isValidHostAddress(enrollment.address))
        errors->add(keyField == u"enrollment" ? keyField : QStringLiteral("host"),
                    QStringLiteral("the agent's address must be a DNS name or an IP address"));
    // The key in the body must be the key the agent proved it holds in the TLS handshake: nobody
    // registers another machine's agent.
    if (!enrollment.agentKeySha256.isEmpty() && enrollment.agentKeySha256 != certificateKey.toLower())
        errors->add(keyField,
                    QStringLiteral("names the key %1, but the TLS client certificate has the key %2: "
                                   "register with the agent's own certificate")
                        .arg(enrollment.agentKeySha256, certificateKey));
    enrollment.hostname = text(QStringLiteral("hostname"));
    if (enrollment.hostname.isEmpty())
        enrollment.hostname = enrollment.address;
    enrollment.os = text(QStringLiteral("os"));
    enrollment.agentVersion = text(QStringLiteral("agent_version"));
    if (!errors->isEmpty())
        return std::nullopt;
    return registration;
}

QString refusalMessage(JoinTokenRefusal refusal)
{
    switch (refusal) {
    case JoinTokenRefusal::Expired:
        return QStringLiteral("this join token has expired: ask the core's admin for a new join string");
    case JoinTokenRefusal::Revoked:
        return QStringLiteral("this join token was revoked: ask the core's admin for a new join string");
    case JoinTokenRefusal::UsedUp:
        return QStringLiteral(
            "this join token was used by as many agents as it admits: ask for a new join string");
    case JoinTokenRefusal::Unknown:
    case JoinTokenRefusal::None:
        break;
    }
    return QStringLiteral("this join token is not known here: copy the whole join string again");
}

HttpResponse unauthorized(const QString &message)
{
    HttpResponse response = HttpResponse::error(401, message);
    response.headers.append(
        {QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral("Bearer realm=\"prophasis-join\"")});
    return response;
}

void mountJoinTokens(RouteTable &routes, const ApiContext &api, const EnrollmentRouteOptions &options)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const std::function<QDateTime()> clock = options.clock;
    const QString coreKey = spkiSha256(options.coreIdentity.certificate);
    const QUrl configuredUrl = options.coreUrl;
    const auto defaultLifetime = options.defaultJoinTokenLifetime;
    const auto maxLifetime = options.maxJoinTokenLifetime;

    routes.add(
        QByteArrayLiteral("POST"), JoinTokens,
        api.guard.require(Permission::ManageEnrollments, [=](const ApiRequest &request,
                                                             HttpResponder responder) {
            const std::optional<QJsonObject> body = readJsonObject(request.http, responder);
            if (!body)
                return;
            const QDateTime now = clock();
            FieldErrors errors;
            JoinToken token;
            token.createdBy = request.principal.username;
            token.created = now;
            token.description = body->value(QStringLiteral("description")).toString().trimmed();
            if (token.description.size() > MaxDescriptionLength)
                errors.add(QStringLiteral("description"),
                           QStringLiteral("must be at most %1 characters").arg(MaxDescriptionLength));
            token.expires =
                now.addSecs(std::chrono::duration_cast<std::chrono::seconds>(defaultLifetime).count());
            if (const QJsonValue expires = body->value(QStringLiteral("expires"));
                !expires.isUndefined() && !expires.isNull()) {
                token.expires = QDateTime::fromString(expires.toString(), Qt::ISODateWithMs);
                if (!token.expires.isValid())
                    errors.add(QStringLiteral("expires"),
                               QStringLiteral("must be a time such as 2027-01-31T00:00:00Z"));
                else if (token.expires <= now)
                    errors.add(QStringLiteral("expires"), QStringLiteral("must be in the future"));
                else if (token.expires >
                         now.addSecs(std::chrono::duration_cast<std::chrono::seconds>(maxLifetime).count()))
                    errors.add(
                        QStringLiteral("expires"),
                        QStringLiteral("must be within %1 days")
                            .arg(std::chrono::duration_cast<std::chrono::hours>(maxLifetime).count() / 24));
            }
            if (const QJsonValue maxUses = body->value(QStringLiteral("max_uses"));
                !maxUses.isUndefined() && !maxUses.isNull()) {
                const int uses = maxUses.toInt(0);
                if (!maxUses.isDouble() || uses < 1 || double(uses) != maxUses.toDouble())
                    errors.add(QStringLiteral("max_uses"),
                               QStringLiteral("must be a whole number of agents, at least 1"));
                else
                    token.maxUses = uses;
            }
            // Where agents reach the core: asked for, configured, or how this admin reached it.
            QUrl coreUrl = configuredUrl;
            if (const QString given = body->value(QStringLiteral("core_url")).toString(); !given.isEmpty())
                coreUrl = QUrl(given, QUrl::StrictMode);
            else if (coreUrl.isEmpty())
                coreUrl = QUrl(QStringLiteral("https://") + QString::fromLatin1(request.http.header("Host")),
                               QUrl::StrictMode);
            if (!coreUrl.isValid() || coreUrl.scheme() != u"https" || coreUrl.host().isEmpty() ||
                !coreUrl.path().isEmpty())
                errors.add(QStringLiteral("core_url"),
                           QStringLiteral("must be the https://host:port agents reach this core at"));
            if (!errors.isEmpty()) {
                responder.send(fieldErrorsResponse(errors));
                return;
            }
            JoinString join;
            join.core = coreUrl;
            join.spkiSha256 = coreKey;
            join.token = generatePairingToken();
            const QString hash = pairingTokenHash(join.token);
            whenReady(
                storage->run([token, hash, request](Database &db) {
                    return db.transaction([&] {
                        const JoinToken created = EnrollmentStore(db).createJoinToken(token, hash);
                        AuditEntry entry =
                            auditEntry(request, QStringLiteral("create"), QStringLiteral("join_token"),
                                       created.id, created.description);
                        entry.details.insert(QStringLiteral("expires"), isoTime(created.expires));
                        if (created.maxUses)
                            entry.details.insert(QStringLiteral("max_uses"), *created.maxUses);
                        AuditLogStore(db).append(entry);
                        return created;
                    });
                }),
                context,
                [responder, join, now](const JoinToken &created) {
                    HttpResponse response = HttpResponse::json(
                        201, QJsonObject{{QStringLiteral("join_token"), toJson(created, now)},
                                         {QStringLiteral("join_string"), join.encode()}});
                    response.headers.append(
                        {QByteArrayLiteral("Location"),
                         (JoinTokens + u'/' + created.id.toString(QUuid::WithoutBraces)).toUtf8()});
                    responder.send(response);
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));

    routes.add(
        QByteArrayLiteral("GET"), JoinTokens,
        api.guard.require(Permission::ManageEnrollments, [=](const ApiRequest &, HttpResponder responder) {
            whenReady(
                storage->run([](Database &db) { return EnrollmentStore(db).listJoinTokens(); }), context,
                [responder, clock](const QList<JoinToken> &tokens) {
                    const QDateTime now = clock();
                    QJsonArray array;
                    for (const JoinToken &token : tokens)
                        array.append(toJson(token, now));
                    responder.send(HttpResponse::json(200, array));
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));

    routes.add(QByteArrayLiteral("DELETE"), JoinTokens + QStringLiteral("/{id}"),
               api.guard.require(
                   Permission::ManageEnrollments, [=](const ApiRequest &request, HttpResponder responder) {
                       const std::optional<QUuid> id = pathId(request, responder);
                       if (!id)
                           return;
                       whenReady(
                           storage->run([id = *id, request](Database &db) {
                               db.transaction([&] {
                                   const JoinToken token = EnrollmentStore(db).revokeJoinToken(id);
                                   AuditLogStore(db).append(auditEntry(request, QStringLiteral("revoke"),
                                                                       QStringLiteral("join_token"), id,
                                                                       token.description));
                               });
                           }),
                           context,
                           [responder] {
                               HttpResponse response;
                               response.status = 204;
                               responder.send(response);
                           },
                           [responder](const StorageError &error) { sendStorageFailure(responder, error); });
                   }));
}

void mountRegistration(RouteTable &routes, const ApiContext &api, const SecretBox &secrets,
                       const EnrollmentRouteOptions &options)
{
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const std::function<QDateTime()> clock = options.clock;
    auto throttle = std::make_shared<SourceThrottle>(options.throttle);
    // Not behind the guard: an agent has no session, it proves itself with the join token and
    // the key of its client certificate.
    routes.add(
        QByteArrayLiteral("POST"), Enrollments,
        [=](const HttpRequest &http, const PathParameters &, const ClientInfo &client,
            HttpResponder responder) {
            const QString source = client.address.toString();
            if (const QDateTime until = throttle->refusedUntil(source, clock()); until.isValid()) {
                HttpResponse response = HttpResponse::error(
                    429,
                    QStringLiteral(
                        "too many registrations with a wrong join token from this address; try again later"));
                response.headers.append({QByteArrayLiteral("Retry-After"),
                                         QByteArray::number(std::max<qint64>(1, clock().secsTo(until)))});
                responder.send(response);
                return;
            }
            const QString token = bearerToken(http.header("Authorization"));
            if (token.isEmpty()) {
                responder.send(unauthorized(
                    QStringLiteral("send the join token of the join string: Authorization: Bearer <token>")));
                return;
            }
            if (client.spkiSha256.isEmpty()) {
                responder.send(
                    unauthorized(QStringLiteral("present the agent's own certificate as the TLS client "
                                                "certificate: its key is what the core pins")));
                return;
            }
            const std::optional<QJsonObject> body = readJsonObject(http, responder);
            if (!body)
                return;
            FieldErrors errors;
            std::optional<Registration> registration = readRegistration(*body, client.spkiSha256, &errors);
            if (!registration) {
                responder.send(fieldErrorsResponse(errors));
                return;
            }
            Enrollment enrollment = registration->enrollment;
            enrollment.source = source;
            // The enrollment string holds the agent's one-time token: sealed, never stored in clear.
            if (!registration->enrollmentString.isEmpty())
                enrollment.enrollmentSealed = secrets.seal(registration->enrollmentString.toUtf8());
            const QString hash = pairingTokenHash(token);
            const QDateTime now = clock();
            using Outcome = std::variant<JoinTokenRefusal, std::pair<Enrollment, bool>>;
            whenReady(
                storage->run([hash, now, enrollment](Database &db) {
                    return db.transaction([&]() -> Outcome {
                        EnrollmentStore store(db);
                        const JoinTokenUse use = store.useJoinToken(hash, now);
                        if (!use.token)
                            return use.refusal;
                        Enrollment pending = enrollment;
                        pending.joinTokenId = use.token->id;
                        pending.created = now;
                        bool replaced = false;
                        pending = store.addPending(pending, &replaced);
                        AuditEntry entry;
                        entry.username = QStringLiteral("agent:") + pending.hostname;
                        entry.source = pending.source;
                        entry.action = QStringLiteral("register");
                        entry.entityType = QStringLiteral("enrollment");
                        entry.entityId = pending.id;
                        entry.summary = pending.hostname;
                        entry.details = {
                            {QStringLiteral("join_token_id"), use.token->id.toString(QUuid::WithoutBraces)},
                            {QStringLiteral("spki_sha256"), pending.agentKeySha256},
                            {QStringLiteral("replaced"), replaced}};
                        AuditLogStore(db).append(entry);
                        return std::pair{pending, replaced};
                    });
                }),
                context,
                [responder, throttle, source, clock, storage, context](const Outcome &outcome) {
                    if (const JoinTokenRefusal *refused = std::get_if<JoinTokenRefusal>(&outcome)) {
                        throttle->recordFailure(source, clock());
                        // A security event for the admin, folded per source: one entry with a count.
                        LogEntry entry;
                        entry.severity = LogSeverity::Security;
                        entry.category = LogCategory::Security;
                        entry.message = QStringLiteral("an agent registration from %1 was refused: %2")
                                            .arg(source, refusalMessage(*refused).section(u':', 0, 0));
                        entry.foldKey =
                            QStringLiteral("enrollment-refused|") + SourceThrottle::sourceKey(source);
                        recordInSystemLog(*storage, context, entry);
                        responder.send(unauthorized(refusalMessage(*refused)));
                        return;
                    }
                    const auto &[pending, replaced] = std::get<std::pair<Enrollment, bool>>(outcome);
                    QJsonObject answer = toJson(pending);
                    answer.insert(QStringLiteral("replaced"), replaced);
                    answer.insert(QStringLiteral("message"),
                                  QStringLiteral("registered; this agent waits until an admin accepts it"));
                    responder.send(HttpResponse::json(202, answer));
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        });
}

// The enrollment to decide on, its host plan checked; the unsealed enrollment string when it has one.
struct AcceptPlan
{
    Enrollment enrollment;
    QString enrollmentString;
    QString name;
    FieldErrors errors;
};

void mountDecisions(RouteTable &routes, const ApiContext &api, const SecretBox &secrets,
                    const EnrollmentRouteOptions &options)
{
    using namespace hostpairing;
    StorageExecutor *storage = &api.storage;
    QObject *context = api.context;
    const std::function<void()> changed = api.configurationChanged;
    const std::function<QDateTime()> clock = options.clock;
    const TlsIdentity identity = options.coreIdentity;

    routes.add(
        QByteArrayLiteral("GET"), Enrollments,
        api.guard.require(Permission::ManageEnrollments, [=](const ApiRequest &, HttpResponder responder) {
            whenReady(
                storage->run([](Database &db) { return EnrollmentStore(db).listEnrollments(); }), context,
                [responder](const QList<Enrollment> &enrollments) {
                    QJsonArray array;
                    for (const Enrollment &enrollment : enrollments)
                        array.append(toJson(enrollment));
                    responder.send(HttpResponse::json(200, array));
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));

    // Stores the host and the decision (after pairing, when the agent registered with a string).
    const auto finishAccept = [=](const ApiRequest &request, const HttpResponder &responder,
                                  const Enrollment &enrollment, const PairingResult &paired,
                                  const HostPlan &plan, const QString &name, bool tokenSpent) {
        whenReady(
            storage->run([=](Database &db) {
                return db.transaction([&] {
                    const Host host = storePairedHost(db, paired, plan, name);
                    const Enrollment decided =
                        EnrollmentStore(db).decide(enrollment.id, EnrollmentState::Accepted,
                                                   request.principal.username, host.id, clock());
                    AuditEntry entry =
                        auditEntry(request, QStringLiteral("accept"), QStringLiteral("enrollment"),
                                   enrollment.id, enrollment.hostname);
                    entry.details.insert(QStringLiteral("host_id"), host.id.toString(QUuid::WithoutBraces));
                    entry.details.insert(QStringLiteral("spki_sha256"), host.agentKeySha256);
                    AuditLogStore(db).append(entry);
                    return std::pair{decided, host};
                });
            }),
            context,
            [responder, changed](const std::pair<Enrollment, Host> &accepted) {
                responder.send(HttpResponse::json(
                    200, QJsonObject{{QStringLiteral("enrollment"), toJson(accepted.first)},
                                     {QStringLiteral("host"), prophasis::toJson(accepted.second)}}));
                if (changed)
                    changed();
            },
            [responder, paired, tokenSpent](const StorageError &error) {
                responder.send(tokenSpent ? pairedButNotStored(error, paired) : storageErrorResponse(error));
            });
    };

    routes.add(
        QByteArrayLiteral("POST"), Enrollments + QStringLiteral("/{id}/accept"),
        api.guard.require(Permission::ManageEnrollments, [=](const ApiRequest &request,
                                                             HttpResponder responder) {
            const std::optional<QUuid> id = pathId(request, responder);
            if (!id)
                return;
            const std::optional<QJsonObject> given = readOptionalJsonObject(request.http, responder);
            if (!given)
                return;
            const QJsonObject body = *given;
            HostPlan plan;
            const FieldErrors errors = readHostPlan(body, &plan);
            if (!errors.isEmpty()) {
                responder.send(fieldErrorsResponse(errors));
                return;
            }
            whenReady(
                storage->run([id = *id, plan, secrets](Database &db) {
                    AcceptPlan accept;
                    accept.enrollment = EnrollmentStore(db).enrollment(id);
                    if (accept.enrollment.state != EnrollmentState::Pending)
                        throw StorageError(StorageError::Kind::Conflict,
                                           QStringLiteral("this enrollment was %1 already")
                                               .arg(enumName(accept.enrollment.state)));
                    accept.name = plan.name.isEmpty() ? accept.enrollment.hostname : plan.name;
                    accept.errors = checkHostPlan(db, plan, accept.name);
                    if (!accept.enrollment.enrollmentSealed.isEmpty()) {
                        const std::optional<QByteArray> opened =
                            secrets.open(accept.enrollment.enrollmentSealed);
                        if (!opened)
                            throw StorageError(
                                StorageError::Kind::Internal,
                                QStringLiteral("the sealed enrollment string of %1 cannot be opened "
                                               "with this core's secrets.key")
                                    .arg(id.toString(QUuid::WithoutBraces)));
                        accept.enrollmentString = QString::fromUtf8(*opened);
                    }
                    return accept;
                }),
                context,
                [=](const AcceptPlan &accept) {
                    if (!accept.errors.isEmpty()) {
                        responder.send(fieldErrorsResponse(accept.errors));
                        return;
                    }
                    if (accept.enrollmentString.isEmpty()) {
                        // The agent pinned the core when it registered (with the join string's key);
                        // the host pins the key the agent proved in its handshake.
                        PairingResult pinned;
                        pinned.address =
                            plan.options.address.isEmpty() ? accept.enrollment.address : plan.options.address;
                        pinned.port = plan.options.port ? plan.options.port : accept.enrollment.agentPort;
                        pinned.spkiSha256 = accept.enrollment.agentKeySha256;
                        finishAccept(request, responder, accept.enrollment, pinned, plan, accept.name, false);
                        return;
                    }
                    whenReady(
                        HostPairing::pair(accept.enrollmentString, identity, plan.options), context,
                        [=](const PairingResult &paired) {
                            if (!paired.ok()) {
                                responder.send(pairingFailure(paired));
                                return;
                            }
                            finishAccept(request, responder, accept.enrollment, paired, plan, accept.name,
                                         true);
                        },
                        [responder](const StorageError &error) { sendStorageFailure(responder, error); });
                },
                [responder](const StorageError &error) { sendStorageFailure(responder, error); });
        }));

    routes.add(QByteArrayLiteral("POST"), Enrollments + QStringLiteral("/{id}/reject"),
               api.guard.require(Permission::ManageEnrollments, [=](const ApiRequest &request,
                                                                    HttpResponder responder) {
                   const std::optional<QUuid> id = pathId(request, responder);
                   if (!id)
                       return;
                   whenReady(
                       storage->run([id = *id, request, clock](Database &db) {
                           return db.transaction([&] {
                               const Enrollment decided = EnrollmentStore(db).decide(
                                   id, EnrollmentState::Rejected, request.principal.username, {}, clock());
                               AuditLogStore(db).append(auditEntry(request, QStringLiteral("reject"),
                                                                   QStringLiteral("enrollment"), id,
                                                                   decided.hostname));
                               return decided;
                           });
                       }),
                       context,
                       [responder](const Enrollment &decided) {
                           responder.send(HttpResponse::json(200, toJson(decided)));
                       },
                       [responder](const StorageError &error) { sendStorageFailure(responder, error); });
               }));
}

} // namespace

void mountEnrollmentRoutes(RouteTable &routes, const ApiContext &api, const SecretBox &secrets,
                           const EnrollmentRouteOptions &options)
{
    mountJoinTokens(routes, api, options);
    mountRegistration(routes, api, secrets, options);
    mountDecisions(routes, api, secrets, options);
}

} // namespace prophasis
