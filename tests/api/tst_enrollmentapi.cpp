#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QSslSocket>
#include <QTest>

#include "daemon-core/api/enrollmentroutes.h"
#include "daemon-core/api/entityroutes.h"
#include "daemon-core/api/hostpairingroutes.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/logstore.h"
#include "shared/enrollment/pairingstrings.h"
#include "tests/api/apitestserver.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using test::HttpsAnswer;

namespace {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

// One request over a fresh TLS connection presenting `client` as the client certificate (an
// agent registering); blocking, with a deadline, for a worker thread.
HttpsAnswer requestAs(const TlsIdentity &client, quint16 port, const QByteArray &method,
                      const QByteArray &target, const Headers &headers, const QByteArray &body)
{
    HttpsAnswer answer;
    QSslSocket socket;
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    if (!client.isNull()) {
        tls.setLocalCertificate(client.certificate);
        tls.setPrivateKey(client.privateKey);
    }
    socket.setSslConfiguration(tls);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForEncrypted(10'000)) {
        answer.error = socket.errorString();
        return answer;
    }
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto &[name, value] : headers)
        request += name + ": " + value + "\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    socket.write(request);
    QByteArray buffer;
    while (socket.waitForReadyRead(10'000) || socket.bytesAvailable() > 0) {
        buffer += socket.readAll();
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            continue;
        answer.head = buffer.left(headEnd);
        const qsizetype length = answer.header("Content-Length").toLongLong();
        if (buffer.size() >= headEnd + 4 + length) {
            answer.status = answer.head.split(' ').value(1).toInt();
            answer.body = buffer.mid(headEnd + 4, length);
            return answer;
        }
    }
    answer.error = QStringLiteral("no complete answer");
    return answer;
}

} // namespace

// Join tokens, agents' registrations and their acceptance, hosts from enrollment strings and the
// connection test, over real TLS (agents presenting real client certificates) on SQLite and
// PostgreSQL, with a real prophasis-agent where pairing happens.
class TestEnrollmentApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<test::ApiTestServer> m_api;
    std::optional<SecretBox> m_secrets;
    QDateTime m_now;
    QString m_admin;
    int m_changes = 0;

    HttpsAnswer call(const QByteArray &method, const QByteArray &target, const QString &token = {},
                     const QJsonObject &body = {})
    {
        return m_api->call(method, target, token, body);
    }

    // An agent's registration: its join token as bearer, `client` as TLS client certificate.
    HttpsAnswer registerAgent(const TlsIdentity &client, const QString &joinToken, const QJsonObject &body)
    {
        Headers headers = {{"Content-Type", "application/json"}};
        if (!joinToken.isEmpty())
            headers.append({"Authorization", "Bearer " + joinToken.toLatin1()});
        const quint16 port = m_api->port();
        const QByteArray payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
        QFuture<HttpsAnswer> answer = QtConcurrent::run(
            [=] { return requestAs(client, port, "POST", "/api/v1/enrollments", headers, payload); });
        while (!answer.isFinished())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        return answer.result();
    }

    // A join token; the token itself (from its join string).
    QString issueJoinToken(const QJsonObject &body = {}, QJsonObject *issued = nullptr)
    {
        const HttpsAnswer answer = call(
            "POST", "/api/v1/join-tokens", m_admin,
            body.isEmpty() ? QJsonObject{{QStringLiteral("description"), QStringLiteral("rack 4")}} : body);
        if (answer.status != 201) {
            qWarning() << "join token refused:" << answer.status << answer.body;
            return {};
        }
        if (issued)
            *issued = answer.json();
        QString error;
        const std::optional<JoinString> join =
            JoinString::decode(answer.json().value(QStringLiteral("join_string")).toString(), &error);
        return join ? join->token : QString();
    }

    // An enrollment string for a key made here (no agent behind it).
    static QString fakeEnrollment(const TlsIdentity &identity, quint16 port = 4048)
    {
        return EnrollmentString{QStringLiteral("127.0.0.1"), port, spkiSha256(identity.certificate),
                                generatePairingToken()}
            .encode();
    }

    QJsonObject registration(const QString &enrollment, const QString &hostname = QStringLiteral("db1"))
    {
        return {{QStringLiteral("enrollment"), enrollment},
                {QStringLiteral("hostname"), hostname},
                {QStringLiteral("os"), QStringLiteral("Debian GNU/Linux 12")},
                {QStringLiteral("agent_version"), QStringLiteral("0.9.0")}};
    }

    QList<AuditEntry> audit()
    {
        return m_api->storage().runAndWait([](Database &db) { return AuditLogStore(db).list({}); });
    }

    // Whether `secret` appears anywhere in the joining tables (read back as text) or, on SQLite,
    // in the database files themselves.
    bool storedInClear(const QString &secret)
    {
        const bool inRows = m_api->storage().runAndWait([secret](Database &db) {
            for (const QString &table : {QStringLiteral("join_tokens"), QStringLiteral("enrollments"),
                                         QStringLiteral("audit_log")}) {
                QSqlQuery row = db.exec(QStringLiteral("SELECT * FROM %1").arg(table));
                while (row.next()) {
                    for (int i = 0; i < row.record().count(); ++i) {
                        if (row.value(i).toString().contains(secret))
                            return true;
                    }
                }
            }
            return false;
        });
        if (inRows)
            return true;
        const DatabaseConfig &config = m_api->databaseConfig();
        if (config.kind != DatabaseKind::Sqlite)
            return false;
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile file(config.sqlitePath + suffix);
            if (file.open(QIODevice::ReadOnly) && file.readAll().contains(secret.toUtf8()))
                return true;
        }
        return false;
    }

    void startAgent(test::AgentProcess &agent, TlsIdentity *identity)
    {
        QVERIFY(agent.init(test::freeLoopbackPort()));
        QVERIFY(agent.start());
        QString error;
        const std::optional<TlsIdentity> loaded =
            TlsIdentity::load(QDir(agent.configDirectory()).filePath(QStringLiteral("agent.key")),
                              QDir(agent.configDirectory()).filePath(QStringLiteral("agent.crt")), &error);
        QVERIFY2(loaded, qPrintable(error));
        *identity = *loaded;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("enrollmentapi"));
    }

    void init()
    {
        m_api = std::make_unique<test::ApiTestServer>(*m_testDatabase, this);
        m_secrets.emplace(SecretBox::generateKey());
        m_now = QDateTime::currentDateTimeUtc();
        m_changes = 0;
        EnrollmentRouteOptions options;
        options.coreIdentity = m_api->identity();
        options.throttle.maxSourceFailures = 4;
        options.clock = [this] { return m_now; };
        mountConfigurationRoutes(m_api->routes(), m_api->api(), *m_secrets);
        mountHostPairingRoutes(m_api->routes(), m_api->api([this] { ++m_changes; }), m_api->identity());
        mountEnrollmentRoutes(m_api->routes(), m_api->api([this] { ++m_changes; }), *m_secrets, options);
        QString error;
        QVERIFY2(m_api->start(&error), qPrintable(error));
        m_admin = m_api->loginAdmin();
        QVERIFY(!m_admin.isEmpty());
    }

    void cleanup()
    {
        m_api.reset();
        m_secrets.reset();
    }

    void joinTokensAreIssuedOnceListedAndRevoked()
    {
        QJsonObject issued;
        const QString token =
            issueJoinToken({{QStringLiteral("description"), QStringLiteral("rack 4")},
                            {QStringLiteral("max_uses"), 3},
                            {QStringLiteral("core_url"), QStringLiteral("https://core.example.org:4049")}},
                           &issued);
        QVERIFY(!token.isEmpty());
        QString error;
        const std::optional<JoinString> join =
            JoinString::decode(issued.value(QStringLiteral("join_string")).toString(), &error);
        QVERIFY2(join, qPrintable(error));
        QCOMPARE(join->core, QUrl(QStringLiteral("https://core.example.org:4049")));
        QCOMPARE(join->spkiSha256, spkiSha256(m_api->identity().certificate));
        const QJsonObject record = issued.value(QStringLiteral("join_token")).toObject();
        QCOMPARE(record.value(QStringLiteral("max_uses")).toInt(), 3);
        QCOMPARE(record.value(QStringLiteral("state")).toString(), QStringLiteral("active"));
        QCOMPARE(record.value(QStringLiteral("created_by")).toString(), QStringLiteral("admin"));
        // Without core_url: the address the admin reached the core at.
        const QString second = issueJoinToken({}, &issued);
        QCOMPARE(JoinString::decode(issued.value(QStringLiteral("join_string")).toString(), &error)->core,
                 QUrl(QStringLiteral("https://test")));

        HttpsAnswer answer = call("GET", "/api/v1/join-tokens", m_admin);
        QCOMPARE(answer.status, 200);
        QCOMPARE(QJsonDocument::fromJson(answer.body).array().size(), 2);
        QVERIFY(!answer.body.contains(token.toUtf8()));
        QVERIFY(!answer.body.contains(pairingTokenHash(token).toUtf8()));
        QVERIFY(!storedInClear(token));
        QVERIFY(!storedInClear(second));

        QCOMPARE(call("GET", "/api/v1/join-tokens", m_api->loginOperator()).status, 403);
        QCOMPARE(
            call("POST", "/api/v1/join-tokens", m_api->loginOperator(), {{QStringLiteral("max_uses"), 1}})
                .status,
            403);
        QCOMPARE(call("POST", "/api/v1/join-tokens", m_api->loginViewer(), {{QStringLiteral("max_uses"), 1}})
                     .status,
                 403);

        answer = call("POST", "/api/v1/join-tokens", m_admin,
                      {{QStringLiteral("max_uses"), 0},
                       {QStringLiteral("expires"), QStringLiteral("2001-01-01T00:00:00Z")},
                       {QStringLiteral("core_url"), QStringLiteral("http://plain")}});
        QCOMPARE(answer.status, 422);
        const QJsonObject fields = answer.json().value(QStringLiteral("fields")).toObject();
        QVERIFY(fields.contains(QStringLiteral("max_uses")));
        QVERIFY(fields.contains(QStringLiteral("expires")));
        QVERIFY(fields.contains(QStringLiteral("core_url")));

        const QByteArray item =
            "/api/v1/join-tokens/" + record.value(QStringLiteral("id")).toString().toUtf8();
        QCOMPARE(call("DELETE", item, m_api->loginOperator()).status, 403);
        QCOMPARE(call("DELETE", item, m_admin).status, 204);
        answer = call("GET", "/api/v1/join-tokens", m_admin);
        bool revoked = false;
        for (const QJsonValue &value : QJsonDocument::fromJson(answer.body).array())
            revoked |= value.toObject().value(QStringLiteral("state")).toString() == u"revoked";
        QVERIFY(revoked);
        const QList<AuditEntry> entries = audit();
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.at(0).action, QStringLiteral("revoke"));
        QCOMPARE(entries.at(1).action, QStringLiteral("create"));
        QCOMPARE(entries.at(1).entityType, QStringLiteral("join_token"));
    }

    void aRealAgentRegistersIsAcceptedAndPaired()
    {
        test::AgentProcess agent{QStringLiteral(PROPHASIS_AGENT_BINARY)};
        TlsIdentity agentIdentity;
        startAgent(agent, &agentIdentity);
        if (QTest::currentTestFailed())
            return;
        const QString enrollment = agent.enrollmentString();
        QString error;
        const QString agentToken = EnrollmentString::decode(enrollment, &error)->token;

        const QString joinToken = issueJoinToken({{QStringLiteral("max_uses"), 1}});
        QVERIFY(!joinToken.isEmpty());
        HttpsAnswer answer =
            registerAgent(agentIdentity, joinToken, registration(enrollment, QStringLiteral("db1")));
        QVERIFY2(answer.status == 202, answer.body.constData());
        QCOMPARE(answer.json().value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
        QCOMPARE(answer.json().value(QStringLiteral("spki_sha256")).toString(),
                 spkiSha256(agentIdentity.certificate));
        const QByteArray id = answer.json().value(QStringLiteral("id")).toString().toUtf8();
        // The agent's one-time token is sealed, never stored or shown in clear.
        QVERIFY(!storedInClear(agentToken));
        QVERIFY(!storedInClear(joinToken));

        answer = call("GET", "/api/v1/enrollments", m_admin);
        QCOMPARE(answer.status, 200);
        QCOMPARE(QJsonDocument::fromJson(answer.body).array().size(), 1);
        QVERIFY(!answer.body.contains(agentToken.toUtf8()));
        QCOMPARE(call("GET", "/api/v1/enrollments", m_api->loginOperator()).status, 403);
        QCOMPARE(call("POST", "/api/v1/enrollments/" + id + "/accept", m_api->loginOperator()).status, 403);

        answer = call("POST", "/api/v1/host-groups", m_admin,
                      {{QStringLiteral("name"), QStringLiteral("databases")}});
        QCOMPARE(answer.status, 201);
        const QString group = answer.json().value(QStringLiteral("id")).toString();

        answer = call("POST", "/api/v1/enrollments/" + id + "/accept", m_admin,
                      {{QStringLiteral("name"), QStringLiteral("db1.example")},
                       {QStringLiteral("groups"), QJsonArray{group}}});
        QVERIFY2(answer.status == 200, answer.body.constData());
        const QJsonObject host = answer.json().value(QStringLiteral("host")).toObject();
        QCOMPARE(host.value(QStringLiteral("name")).toString(), QStringLiteral("db1.example"));
        QCOMPARE(host.value(QStringLiteral("agent_key_sha256")).toString(),
                 spkiSha256(agentIdentity.certificate));
        QCOMPARE(answer.json()
                     .value(QStringLiteral("enrollment"))
                     .toObject()
                     .value(QStringLiteral("state"))
                     .toString(),
                 QStringLiteral("accepted"));
        QVERIFY(m_changes > 0);
        answer = call("GET", "/api/v1/host-groups/" + group.toUtf8(), m_admin);
        QCOMPARE(answer.json().value(QStringLiteral("host_ids")).toArray().size(), 1);
        QCOMPARE(call("POST", "/api/v1/enrollments/" + id + "/accept", m_admin).status, 409);

        // Both sides pinned: the agent answers the core over the pinned connection.
        const QByteArray hostId = host.value(QStringLiteral("id")).toString().toUtf8();
        answer = call("POST", "/api/v1/hosts/" + hostId + "/test-connection", m_api->loginOperator());
        QCOMPARE(answer.status, 200);
        QVERIFY2(answer.json().value(QStringLiteral("ok")).toBool(), answer.body.constData());
        QVERIFY(!answer.json().value(QStringLiteral("agent_version")).toString().isEmpty());
        QVERIFY(answer.json().contains(QStringLiteral("uptime_s")));
        QCOMPARE(call("POST", "/api/v1/hosts/" + hostId + "/test-connection", m_api->loginViewer()).status,
                 403);

        // The agent's token is burned: the same string cannot pair a second host.
        answer = call(
            "POST", "/api/v1/hosts/enroll", m_admin,
            {{QStringLiteral("enrollment"), enrollment}, {QStringLiteral("name"), QStringLiteral("again")}});
        QCOMPARE(answer.status, 409);
        QCOMPARE(answer.json().value(QStringLiteral("pairing_error")).toString(),
                 QStringLiteral("token_refused"));

        // The join token admitted one agent: the next is refused.
        const TlsIdentity other = TlsIdentity::generate(QStringLiteral("other"));
        answer = registerAgent(other, joinToken, registration(fakeEnrollment(other)));
        QCOMPARE(answer.status, 401);
        QVERIFY2(answer.json()
                     .value(QStringLiteral("message"))
                     .toString()
                     .contains(QStringLiteral("as many agents")),
                 answer.body.constData());

        const QList<AuditEntry> entries = audit();
        QCOMPARE(entries.at(0).action, QStringLiteral("accept"));
        QCOMPARE(entries.at(0).username, QStringLiteral("admin"));
        QCOMPARE(entries.at(2).action, QStringLiteral("register"));
        QCOMPARE(entries.at(2).username, QStringLiteral("agent:db1"));
        QCOMPARE(entries.at(2).source, QStringLiteral("127.0.0.1"));
    }

    void registrationsAreRefusedWithoutTheRightTokenOrKey()
    {
        const TlsIdentity agent = TlsIdentity::generate(QStringLiteral("agent"));
        const QString enrollment = fakeEnrollment(agent);
        const QString joinToken = issueJoinToken();
        QVERIFY(!joinToken.isEmpty());

        HttpsAnswer answer = registerAgent(agent, QString(), registration(enrollment));
        QCOMPARE(answer.status, 401);
        answer = registerAgent(TlsIdentity(), joinToken, registration(enrollment));
        QCOMPARE(answer.status, 401);
        QVERIFY(answer.json()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("client certificate")));
        // The string names another key than the certificate presented.
        const TlsIdentity impostor = TlsIdentity::generate(QStringLiteral("impostor"));
        answer = registerAgent(impostor, joinToken, registration(enrollment));
        QCOMPARE(answer.status, 422);
        QVERIFY(
            answer.json().value(QStringLiteral("fields")).toObject().contains(QStringLiteral("enrollment")));
        answer = registerAgent(agent, joinToken, registration(QStringLiteral("prophasis-enroll-v1:garbage")));
        QCOMPARE(answer.status, 422);
        answer = registerAgent(agent, generatePairingToken(), registration(enrollment));
        QCOMPARE(answer.status, 401);
        QVERIFY(!answer.header("WWW-Authenticate").isEmpty());

        // A second registration of the same key while pending replaces the first.
        answer = registerAgent(agent, joinToken, registration(enrollment, QStringLiteral("first")));
        QCOMPARE(answer.status, 202);
        answer = registerAgent(agent, joinToken, registration(enrollment, QStringLiteral("second")));
        QCOMPARE(answer.status, 202);
        QCOMPARE(answer.json().value(QStringLiteral("replaced")).toBool(), true);
        answer = call("GET", "/api/v1/enrollments", m_admin);
        const QJsonArray listed = QJsonDocument::fromJson(answer.body).array();
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed.at(0).toObject().value(QStringLiteral("hostname")).toString(),
                 QStringLiteral("second"));

        // Rejected: stays so.
        const QByteArray id = listed.at(0).toObject().value(QStringLiteral("id")).toString().toUtf8();
        answer = call("POST", "/api/v1/enrollments/" + id + "/reject", m_admin);
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.json().value(QStringLiteral("state")).toString(), QStringLiteral("rejected"));
        QCOMPARE(call("POST", "/api/v1/enrollments/" + id + "/accept", m_admin).status, 409);
        QCOMPARE(audit().at(0).action, QStringLiteral("reject"));
    }

    void expiredAndRevokedJoinTokensAreRefused()
    {
        const TlsIdentity agent = TlsIdentity::generate(QStringLiteral("agent"));
        QJsonObject issued;
        const QString expiring = issueJoinToken(
            {{QStringLiteral("expires"), m_now.addSecs(3600).toString(Qt::ISODateWithMs)}}, &issued);
        const QString revoked = issueJoinToken({}, &issued);
        const QByteArray revokedId = issued.value(QStringLiteral("join_token"))
                                         .toObject()
                                         .value(QStringLiteral("id"))
                                         .toString()
                                         .toUtf8();
        QCOMPARE(call("DELETE", "/api/v1/join-tokens/" + revokedId, m_admin).status, 204);

        HttpsAnswer answer = registerAgent(agent, revoked, registration(fakeEnrollment(agent)));
        QCOMPARE(answer.status, 401);
        QVERIFY(
            answer.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("revoked")));

        answer = registerAgent(agent, expiring, registration(fakeEnrollment(agent)));
        QCOMPARE(answer.status, 202);
        m_now = m_now.addSecs(2 * 3600);
        answer = registerAgent(agent, expiring, registration(fakeEnrollment(agent)));
        QCOMPARE(answer.status, 401);
        QVERIFY(
            answer.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("expired")));
        answer = call("GET", "/api/v1/join-tokens", m_admin);
        QStringList states;
        for (const QJsonValue &value : QJsonDocument::fromJson(answer.body).array())
            states.append(value.toObject().value(QStringLiteral("state")).toString());
        states.sort();
        QCOMPARE(states, (QStringList{QStringLiteral("expired"), QStringLiteral("revoked")}));
    }

    void wrongJoinTokensAreThrottledLikeLogins()
    {
        const TlsIdentity agent = TlsIdentity::generate(QStringLiteral("agent"));
        const QString joinToken = issueJoinToken();
        for (int i = 0; i < 4; ++i)
            QCOMPARE(registerAgent(agent, generatePairingToken(), registration(fakeEnrollment(agent))).status,
                     401);
        // Each refusal is a security event in the system log, folded into one entry per source.
        QList<LogEntry> logged;
        for (int attempt = 0; attempt < 500 && (logged.isEmpty() || logged.first().count < 4); ++attempt) {
            QTest::qWait(10);
            logged = m_api->storage().runAndWait([](Database &db) { return SystemLogStore(db).list({}); });
        }
        QCOMPARE(logged.size(), 1);
        QCOMPARE(logged.first().severity, LogSeverity::Security);
        QCOMPARE(logged.first().count, 4);
        QVERIFY(logged.first().message.contains(QStringLiteral("127.0.0.1")));
        // Now even the right token waits.
        HttpsAnswer answer = registerAgent(agent, joinToken, registration(fakeEnrollment(agent)));
        QCOMPARE(answer.status, 429);
        QVERIFY(answer.header("Retry-After").toInt() > 0);
        m_now = m_now.addSecs(3600);
        answer = registerAgent(agent, joinToken, registration(fakeEnrollment(agent)));
        QVERIFY2(answer.status == 202, answer.body.constData());
    }

    void agentsThatPinnedTheCoreThemselvesAreAddedOnAccept()
    {
        // The form prophasis-agent init --join sends today: address and key, no token.
        const TlsIdentity agent = TlsIdentity::generate(QStringLiteral("agent"));
        const QString joinToken = issueJoinToken();
        HttpsAnswer answer = registerAgent(agent, joinToken,
                                           {{QStringLiteral("host"), QStringLiteral("10.1.2.3")},
                                            {QStringLiteral("port"), 4048},
                                            {QStringLiteral("spki_sha256"), spkiSha256(agent.certificate)},
                                            {QStringLiteral("hostname"), QStringLiteral("edge7")}});
        QVERIFY2(answer.status == 202, answer.body.constData());
        QCOMPARE(answer.json().value(QStringLiteral("pairs_on_accept")).toBool(), false);
        const QByteArray id = answer.json().value(QStringLiteral("id")).toString().toUtf8();
        answer = call("POST", "/api/v1/enrollments/" + id + "/accept", m_admin);
        QVERIFY2(answer.status == 200, answer.body.constData());
        const QJsonObject host = answer.json().value(QStringLiteral("host")).toObject();
        QCOMPARE(host.value(QStringLiteral("name")).toString(), QStringLiteral("edge7"));
        QCOMPARE(host.value(QStringLiteral("address")).toString(), QStringLiteral("10.1.2.3"));
        QCOMPARE(host.value(QStringLiteral("agent_key_sha256")).toString(), spkiSha256(agent.certificate));
    }

    void aRealAgentJoinsWithAJoinStringAndIsAccepted()
    {
        // `prophasis-agent init --join`: the agent checks the core's key, registers, pins the core.
        QJsonObject issued;
        const QString joinToken = issueJoinToken(
            {{QStringLiteral("core_url"), QStringLiteral("https://127.0.0.1:%1").arg(m_api->port())}},
            &issued);
        QVERIFY(!joinToken.isEmpty());
        const QString joinString = issued.value(QStringLiteral("join_string")).toString();
        test::AgentProcess agent{QStringLiteral(PROPHASIS_AGENT_BINARY)};
        const quint16 port = test::freeLoopbackPort();
        // init blocks until the core answered, and the core answers on this thread.
        QFuture<bool> joined = QtConcurrent::run([&] {
            return agent.init(port, {QStringLiteral("--join"), joinString});
        });
        while (!joined.isFinished())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QVERIFY2(joined.result(), qPrintable(agent.log()));

        HttpsAnswer answer = call("GET", "/api/v1/enrollments", m_admin);
        const QJsonArray listed = QJsonDocument::fromJson(answer.body).array();
        QCOMPARE(listed.size(), 1);
        const QJsonObject pendingAgent = listed.at(0).toObject();
        QCOMPARE(pendingAgent.value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
        QCOMPARE(pendingAgent.value(QStringLiteral("port")).toInt(), int(port));
        QString error;
        const std::optional<TlsIdentity> agentIdentity =
            TlsIdentity::load(QDir(agent.configDirectory()).filePath(QStringLiteral("agent.key")),
                              QDir(agent.configDirectory()).filePath(QStringLiteral("agent.crt")), &error);
        QVERIFY2(agentIdentity, qPrintable(error));
        QCOMPARE(pendingAgent.value(QStringLiteral("spki_sha256")).toString(),
                 spkiSha256(agentIdentity->certificate));

        answer = call("POST",
                      "/api/v1/enrollments/" + pendingAgent.value(QStringLiteral("id")).toString().toUtf8() +
                          "/accept",
                      m_admin);
        QVERIFY2(answer.status == 200, answer.body.constData());
        const QByteArray hostId = answer.json()
                                      .value(QStringLiteral("host"))
                                      .toObject()
                                      .value(QStringLiteral("id"))
                                      .toString()
                                      .toUtf8();
        QVERIFY(agent.start());
        answer = call("POST", "/api/v1/hosts/" + hostId + "/test-connection", m_admin);
        QVERIFY2(answer.json().value(QStringLiteral("ok")).toBool(), answer.body.constData());
    }

    void aHostPairedButNotStoredIsDescribedForAddingByHand()
    {
        PairingResult paired;
        paired.address = QStringLiteral("10.0.0.9");
        paired.port = 4048;
        paired.spkiSha256 = QString(64, u'a');
        const HttpResponse response = hostpairing::pairedButNotStored(
            StorageError(StorageError::Kind::Duplicate, QStringLiteral("a host named 'x' exists"),
                         QStringLiteral("name")),
            paired);
        QCOMPARE(response.status, 409);
        const QJsonObject body = QJsonDocument::fromJson(response.body).object();
        QVERIFY(body.value(QStringLiteral("message")).toString().contains(QStringLiteral("token is used")));
        QCOMPARE(body.value(QStringLiteral("paired"))
                     .toObject()
                     .value(QStringLiteral("agent_key_sha256"))
                     .toString(),
                 paired.spkiSha256);
        QCOMPARE(body.value(QStringLiteral("paired")).toObject().value(QStringLiteral("agent_port")).toInt(),
                 4048);
    }

    void hostsArePairedFromEnrollmentStrings()
    {
        test::AgentProcess agent{QStringLiteral(PROPHASIS_AGENT_BINARY)};
        TlsIdentity agentIdentity;
        startAgent(agent, &agentIdentity);
        if (QTest::currentTestFailed())
            return;
        const QString enrollment = agent.enrollmentString();
        QString error;
        const EnrollmentString decoded = *EnrollmentString::decode(enrollment, &error);

        HttpsAnswer answer = call("POST", "/api/v1/hosts", m_admin,
                                  {{QStringLiteral("name"), QStringLiteral("taken")},
                                   {QStringLiteral("address"), QStringLiteral("127.0.0.1")}});
        QCOMPARE(answer.status, 201);
        const QByteArray unpaired = answer.json().value(QStringLiteral("id")).toString().toUtf8();

        // Refused before the token is spent.
        answer = call(
            "POST", "/api/v1/hosts/enroll", m_admin,
            {{QStringLiteral("enrollment"), enrollment}, {QStringLiteral("name"), QStringLiteral("taken")}});
        QCOMPARE(answer.status, 422);
        QVERIFY(answer.json().value(QStringLiteral("fields")).toObject().contains(QStringLiteral("name")));
        answer = call("POST", "/api/v1/hosts/enroll", m_admin,
                      {{QStringLiteral("enrollment"), QStringLiteral("nonsense")}});
        QCOMPARE(answer.status, 422);
        QCOMPARE(call("POST", "/api/v1/hosts/enroll", m_api->loginOperator(),
                      {{QStringLiteral("enrollment"), enrollment}})
                     .status,
                 403);

        // Another key than the string names: the token is not sent.
        EnrollmentString wrongKey = decoded;
        wrongKey.spkiSha256 = spkiSha256(TlsIdentity::generate(QStringLiteral("x")).certificate);
        answer = call("POST", "/api/v1/hosts/enroll", m_admin,
                      {{QStringLiteral("enrollment"), wrongKey.encode()}});
        QCOMPARE(answer.status, 502);
        QCOMPARE(answer.json().value(QStringLiteral("pairing_error")).toString(),
                 QStringLiteral("wrong_key"));
        // Nobody listens there.
        EnrollmentString closed = decoded;
        closed.port = test::freeLoopbackPort();
        answer =
            call("POST", "/api/v1/hosts/enroll", m_admin, {{QStringLiteral("enrollment"), closed.encode()}});
        QCOMPARE(answer.status, 502);
        QCOMPARE(answer.json().value(QStringLiteral("pairing_error")).toString(),
                 QStringLiteral("unreachable"));

        answer = call("POST", "/api/v1/hosts/enroll", m_admin,
                      {{QStringLiteral("enrollment"), enrollment},
                       {QStringLiteral("description"), QStringLiteral("lab")}});
        QVERIFY2(answer.status == 201, answer.body.constData());
        QCOMPARE(answer.json().value(QStringLiteral("name")).toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(answer.json().value(QStringLiteral("agent_port")).toInt(), int(decoded.port));
        QCOMPARE(answer.json().value(QStringLiteral("agent_key_sha256")).toString(),
                 spkiSha256(agentIdentity.certificate));
        QCOMPARE(audit().at(0).action, QStringLiteral("enroll"));
        const QByteArray paired = answer.json().value(QStringLiteral("id")).toString().toUtf8();

        answer = call("POST", "/api/v1/hosts/" + paired + "/test-connection", m_admin);
        QVERIFY2(answer.json().value(QStringLiteral("ok")).toBool(), answer.body.constData());
        // A host never paired cannot be tested; a stopped agent is a connection error.
        QCOMPARE(call("POST", "/api/v1/hosts/" + unpaired + "/test-connection", m_admin).status, 409);
        QCOMPARE(agent.stop(), 0);
        answer = call("POST", "/api/v1/hosts/" + paired + "/test-connection", m_admin);
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.json().value(QStringLiteral("ok")).toBool(), false);
        QCOMPARE(answer.json().value(QStringLiteral("error")).toString(), QStringLiteral("connection_error"));
    }
};

QTEST_GUILESS_MAIN(TestEnrollmentApi)
#include "tst_enrollmentapi.moc"
