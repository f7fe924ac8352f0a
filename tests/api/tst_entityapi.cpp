#include <QCoreApplication>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

#include "daemon-core/api/apiguard.h"
#include "daemon-core/api/entityroutes.h"
#include "daemon-core/api/sessionroutes.h"
#include "daemon-core/api/tokenroutes.h"
#include "daemon-core/api/userroutes.h"
#include "daemon-core/app/corehttpsserver.h"
#include "daemon-core/auth/authenticator.h"
#include "daemon-core/auth/passwordhasher.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/logstore.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/userstore.h"
#include "tests/api/apitestserver.h"
#include "tests/health/httpsprobe.h"
#include "tests/storage/testdatabase.h"

using namespace prophasis;
using test::AdminPassword;
using test::HttpsAnswer;
using test::ViewerPassword;

// The management API's entity routes over real TLS on loopback, with real logins, on SQLite and
// PostgreSQL: sessions, the role guard, validation, optimistic concurrency, the audit log.
class TestEntityApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<test::ApiTestServer> m_api;
    int m_configurationChanges = 0;

    HttpsAnswer call(const QByteArray &method, const QByteArray &target, const QString &token = {},
                     const QJsonObject &body = {})
    {
        return m_api->call(method, target, token, body);
    }
    QString login(const QString &username, const QString &password)
    {
        return m_api->login(username, password);
    }
    StorageExecutor &storage() { return m_api->storage(); }

private Q_SLOTS:
    void initTestCase()
    {
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("entityapi"));
    }

    void init()
    {
        m_api = std::make_unique<test::ApiTestServer>(*m_testDatabase, this);
        m_configurationChanges = 0;
        mountConfigurationRoutes(m_api->routes(), m_api->api([this] { ++m_configurationChanges; }),
                                 SecretBox(SecretBox::generateKey()));
        mountTokenRoutes(m_api->routes(), m_api->api(), m_api->authenticator());
        mountUserRoutes(m_api->routes(), m_api->api(), m_api->authenticator());
        QString error;
        QVERIFY2(m_api->start(&error), qPrintable(error));
    }

    void cleanup() { m_api.reset(); }

    void hostsAreCreatedReadChangedAndDeleted()
    {
        const QString admin = login(QStringLiteral("admin"), AdminPassword);
        QVERIFY(!admin.isEmpty());

        HttpsAnswer answer = call("POST", "/api/v1/hosts", admin,
                                  {{QStringLiteral("name"), QStringLiteral("web1")},
                                   {QStringLiteral("address"), QStringLiteral("127.0.0.1")},
                                   {QStringLiteral("variables"),
                                    QJsonObject{{QStringLiteral("disk_warn"), QStringLiteral("80")}}}});
        QVERIFY2(answer.status == 201, answer.body.constData());
        const QJsonObject created = answer.json();
        const QString id = created.value(QStringLiteral("id")).toString();
        QVERIFY(!QUuid::fromString(id).isNull());
        QCOMPARE(created.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(answer.header("Location"), ("/api/v1/hosts/" + id).toUtf8());
        QCOMPARE(m_configurationChanges, 1);

        answer = call("GET", "/api/v1/hosts", admin);
        QCOMPARE(answer.status, 200);
        const QJsonArray hosts = QJsonDocument::fromJson(answer.body).array();
        QCOMPARE(hosts.size(), 1);
        QCOMPARE(hosts.first().toObject().value(QStringLiteral("name")).toString(), QStringLiteral("web1"));
        QCOMPARE(call("GET", ("/api/v1/hosts/" + id).toUtf8(), admin)
                     .json()
                     .value(QStringLiteral("address"))
                     .toString(),
                 QStringLiteral("127.0.0.1"));

        // A change names the version it was based on and gives only what changes.
        answer =
            call("PUT", ("/api/v1/hosts/" + id).toUtf8(), admin,
                 {{QStringLiteral("version"), 1}, {QStringLiteral("description"), QStringLiteral("front")}});
        QVERIFY2(answer.status == 200, answer.body.constData());
        QCOMPARE(answer.json().value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(answer.json().value(QStringLiteral("description")).toString(), QStringLiteral("front"));
        QCOMPARE(answer.json().value(QStringLiteral("address")).toString(), QStringLiteral("127.0.0.1"));
        // The second admin saving from the old version gets a conflict, not a silent overwrite.
        answer =
            call("PUT", ("/api/v1/hosts/" + id).toUtf8(), admin,
                 {{QStringLiteral("version"), 1}, {QStringLiteral("description"), QStringLiteral("back")}});
        QCOMPARE(answer.status, 409);
        // A change without a version is refused at that field.
        answer = call("PUT", ("/api/v1/hosts/" + id).toUtf8(), admin,
                      {{QStringLiteral("description"), QStringLiteral("x")}});
        QCOMPARE(answer.status, 422);
        QVERIFY(answer.json().value(QStringLiteral("fields")).toObject().contains(QStringLiteral("version")));

        QCOMPARE(call("DELETE", ("/api/v1/hosts/" + id).toUtf8(), admin).status, 204);
        QCOMPARE(call("GET", ("/api/v1/hosts/" + id).toUtf8(), admin).status, 404);
        QCOMPARE(m_configurationChanges, 3);

        // Who did what, from where.
        const QList<AuditEntry> audit =
            storage().runAndWait([](Database &db) { return AuditLogStore(db).list({}); });
        QCOMPARE(audit.size(), 3);
        QCOMPARE(audit.at(0).action, QStringLiteral("delete"));
        QCOMPARE(audit.at(2).action, QStringLiteral("create"));
        QCOMPARE(audit.at(2).username, QStringLiteral("admin"));
        QCOMPARE(audit.at(2).entityType, QStringLiteral("host"));
        QCOMPARE(audit.at(2).source, QStringLiteral("127.0.0.1"));
        QCOMPARE(audit.at(2).summary, QStringLiteral("web1"));
    }

    void badInputGetsAnAnswerPerField()
    {
        const QString admin = login(QStringLiteral("admin"), AdminPassword);
        HttpsAnswer answer =
            call("POST", "/api/v1/hosts", admin,
                 {{QStringLiteral("name"), QString()}, {QStringLiteral("agent_port"), QStringLiteral("x")}});
        QCOMPARE(answer.status, 422);
        const QJsonObject fields = answer.json().value(QStringLiteral("fields")).toObject();
        QVERIFY2(fields.contains(QStringLiteral("agent_port")), answer.body.constData());

        answer = call("POST", "/api/v1/hosts", admin,
                      {{QStringLiteral("name"), QStringLiteral("db1")},
                       {QStringLiteral("address"), QStringLiteral("10.0.0.1")}});
        QCOMPARE(answer.status, 201);
        // The same name twice: a conflict at the name.
        answer = call("POST", "/api/v1/hosts", admin,
                      {{QStringLiteral("name"), QStringLiteral("DB1")},
                       {QStringLiteral("address"), QStringLiteral("10.0.0.2")}});
        QCOMPARE(answer.status, 409);
        QVERIFY2(answer.json().value(QStringLiteral("fields")).toObject().contains(QStringLiteral("name")),
                 answer.body.constData());
        // A check naming a host that does not exist.
        answer = call(
            "POST", "/api/v1/checks", admin,
            {{QStringLiteral("name"), QStringLiteral("disk")},
             {QStringLiteral("host_ids"), QJsonArray{QUuid::createUuid().toString(QUuid::WithoutBraces)}}});
        QCOMPARE(answer.status, 422);
        QCOMPARE(call("GET", "/api/v1/hosts/not-a-uuid", admin).status, 404);
        QCOMPARE(call("GET", ("/api/v1/hosts/" + QUuid::createUuid().toString(QUuid::WithoutBraces)).toUtf8(),
                      admin)
                     .status,
                 404);
    }

    void deletingSomethingInUseSaysWhatUsesIt()
    {
        const QString admin = login(QStringLiteral("admin"), AdminPassword);
        HttpsAnswer answer = call("POST", "/api/v1/hosts", admin,
                                  {{QStringLiteral("name"), QStringLiteral("db1")},
                                   {QStringLiteral("address"), QStringLiteral("127.0.0.1")}});
        QCOMPARE(answer.status, 201);
        const QString hostId = answer.json().value(QStringLiteral("id")).toString();
        answer = call("POST", "/api/v1/checks", admin,
                      {{QStringLiteral("name"), QStringLiteral("Disk")},
                       {QStringLiteral("host_ids"), QJsonArray{hostId}}});
        QCOMPARE(answer.status, 201);
        const QString checkId = answer.json().value(QStringLiteral("id")).toString();
        answer = call("POST", "/api/v1/host-groups", admin,
                      {{QStringLiteral("name"), QStringLiteral("Databases")},
                       {QStringLiteral("host_ids"), QJsonArray{hostId}}});
        QVERIFY2(answer.status == 201, answer.body.constData());

        // What the console's delete confirmation shows; a viewer may read it too.
        const QByteArray hostPath = ("/api/v1/hosts/" + hostId).toUtf8();
        answer = call("GET", hostPath + "/dependents", login(QStringLiteral("viewer"), ViewerPassword));
        QCOMPARE(answer.status, 200);
        const QJsonArray dependents = answer.json().value(QStringLiteral("dependents")).toArray();
        QCOMPARE(dependents.size(), 2);
        QStringList named;
        for (const QJsonValue &dependent : dependents)
            named.append(dependent.toObject().value(QStringLiteral("entity_type")).toString() + u':' +
                         dependent.toObject().value(QStringLiteral("name")).toString());
        named.sort();
        QCOMPARE(named, QStringList({QStringLiteral("check:Disk"), QStringLiteral("host_group:Databases")}));

        // A plain delete is refused with the same list and says how to go on; nothing is lost.
        answer = call("DELETE", hostPath, admin);
        QCOMPARE(answer.status, 409);
        QCOMPARE(answer.json().value(QStringLiteral("error")).toString(), QStringLiteral("in_use"));
        QCOMPARE(answer.json().value(QStringLiteral("dependents")).toArray().size(), 2);
        const QString message = answer.json().value(QStringLiteral("message")).toString();
        QVERIFY2(message.contains(QLatin1String("check \"Disk\" (runs on it)")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("force")), qPrintable(message));
        QCOMPARE(call("GET", hostPath, admin).status, 200);

        // A flag that is neither yes nor no is refused, naming it, not taken as no.
        answer = call("DELETE", hostPath + "?force=maybe", admin);
        QCOMPARE(answer.status, 422);
        QVERIFY(answer.json().value(QStringLiteral("fields")).toObject().contains(QStringLiteral("force")));
        // With force the host goes, and the check no longer runs on it.
        QCOMPARE(call("DELETE", hostPath + "?force=1", admin).status, 204);
        QCOMPARE(call("GET", hostPath, admin).status, 404);
        answer = call("GET", ("/api/v1/checks/" + checkId).toUtf8(), admin);
        QCOMPARE(answer.json().value(QStringLiteral("host_ids")).toArray().size(), 0);
        // Nothing uses the check: it goes without force.
        QCOMPARE(call("GET", ("/api/v1/checks/" + checkId + "/dependents").toUtf8(), admin)
                     .json()
                     .value(QStringLiteral("dependents"))
                     .toArray()
                     .size(),
                 0);
        QCOMPARE(call("DELETE", ("/api/v1/checks/" + checkId).toUtf8(), admin).status, 204);
        QCOMPARE(call("GET", ("/api/v1/checks/" + checkId + "/dependents").toUtf8(), admin).status, 404);
    }

    void alertSecretsAreWriteOnlyAndModuleOptionsChecked()
    {
        const QString admin = login(QStringLiteral("admin"), AdminPassword);
        const QJsonObject alert{
            {QStringLiteral("name"), QStringLiteral("on call")},
            {QStringLiteral("module"), QStringLiteral("webhook")},
            {QStringLiteral("scope"), QJsonObject{{QStringLiteral("all_hosts"), true}}},
            {QStringLiteral("options"), QJsonObject{{QStringLiteral("template"), QStringLiteral("slack")}}},
            {QStringLiteral("secrets"),
             QJsonObject{{QStringLiteral("url"), QStringLiteral("https://hooks.example.com/T0/B0/s3cret")}}}};
        HttpsAnswer answer = call("POST", "/api/v1/alerts", admin, alert);
        QVERIFY2(answer.status == 201, answer.body.constData());
        const QString id = answer.json().value(QStringLiteral("id")).toString();
        // The secret is kept, and never shown again: only its name.
        answer = call("GET", ("/api/v1/alerts/" + id).toUtf8(), admin);
        QCOMPARE(answer.status, 200);
        QVERIFY(!answer.body.contains("s3cret"));
        QCOMPARE(answer.json().value(QStringLiteral("secrets_set")).toArray(),
                 QJsonArray{QStringLiteral("url")});
        QVERIFY(!call("GET", "/api/v1/alerts", admin).body.contains("s3cret"));

        // The module's own rules answer per field: an unknown template, a missing URL.
        QJsonObject broken = alert;
        broken.insert(QStringLiteral("name"), QStringLiteral("broken"));
        broken.insert(QStringLiteral("options"),
                      QJsonObject{{QStringLiteral("template"), QStringLiteral("fax")}});
        broken.remove(QStringLiteral("secrets"));
        answer = call("POST", "/api/v1/alerts", admin, broken);
        QCOMPARE(answer.status, 422);
        const QJsonObject fields = answer.json().value(QStringLiteral("fields")).toObject();
        QVERIFY2(fields.contains(QStringLiteral("options.template")), answer.body.constData());
        QVERIFY2(fields.contains(QStringLiteral("secrets.url")), answer.body.constData());
    }

    void apiTokensWorkUntilRevoked()
    {
        const QString viewer = login(QStringLiteral("viewer"), ViewerPassword);
        const QString admin = login(QStringLiteral("admin"), AdminPassword);
        // A viewer cannot mint a token above its own role.
        HttpsAnswer answer = call("POST", "/api/v1/tokens", viewer,
                                  {{QStringLiteral("name"), QStringLiteral("scraper")},
                                   {QStringLiteral("role"), QStringLiteral("admin")}});
        QCOMPARE(answer.status, 422);
        answer =
            call("POST", "/api/v1/tokens", viewer, {{QStringLiteral("name"), QStringLiteral("prometheus")}});
        QVERIFY2(answer.status == 201, answer.body.constData());
        const QString secret = answer.json().value(QStringLiteral("secret")).toString();
        const QString tokenId =
            answer.json().value(QStringLiteral("token")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY(!secret.isEmpty());
        QCOMPARE(
            answer.json().value(QStringLiteral("token")).toObject().value(QStringLiteral("role")).toString(),
            QStringLiteral("viewer"));

        // The token reads, and is never shown again.
        QCOMPARE(call("GET", "/api/v1/hosts", secret).status, 200);
        QCOMPARE(
            call("POST", "/api/v1/hosts", secret, {{QStringLiteral("name"), QStringLiteral("x")}}).status,
            403);
        answer = call("GET", "/api/v1/tokens", viewer);
        QCOMPARE(QJsonDocument::fromJson(answer.body).array().size(), 1);
        QVERIFY(!answer.body.contains(secret.toUtf8()));
        // A token cannot mint tokens (a leaked one must not outlive its revocation).
        QCOMPARE(call("POST", "/api/v1/tokens", secret, {{QStringLiteral("name"), QStringLiteral("child")}})
                     .status,
                 422);

        // Someone else's token is not there for a viewer; its owner revokes it.
        answer = call("POST", "/api/v1/tokens", admin, {{QStringLiteral("name"), QStringLiteral("deploy")}});
        const QString adminTokenId =
            answer.json().value(QStringLiteral("token")).toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(call("DELETE", ("/api/v1/tokens/" + adminTokenId).toUtf8(), viewer).status, 404);
        QCOMPARE(QJsonDocument::fromJson(call("GET", "/api/v1/tokens", admin).body).array().size(), 2);
        QCOMPARE(call("DELETE", ("/api/v1/tokens/" + tokenId).toUtf8(), viewer).status, 204);
        QCOMPARE(call("GET", "/api/v1/hosts", secret).status, 401);
    }

    void usersAreManagedByAdmins()
    {
        const QString admin = login(QStringLiteral("admin"), AdminPassword);
        const QString viewer = login(QStringLiteral("viewer"), ViewerPassword);
        QCOMPARE(call("GET", "/api/v1/users", viewer).status, 403);

        HttpsAnswer answer = call("POST", "/api/v1/users", admin,
                                  {{QStringLiteral("username"), QStringLiteral("ops")},
                                   {QStringLiteral("role"), QStringLiteral("operator")},
                                   {QStringLiteral("password"), QStringLiteral("short")}});
        QCOMPARE(answer.status, 422);
        QVERIFY(
            answer.json().value(QStringLiteral("fields")).toObject().contains(QStringLiteral("password")));
        const QString opsPassword = QStringLiteral("a password for ops, long");
        answer = call("POST", "/api/v1/users", admin,
                      {{QStringLiteral("username"), QStringLiteral("ops")},
                       {QStringLiteral("role"), QStringLiteral("operator")},
                       {QStringLiteral("password"), opsPassword}});
        QVERIFY2(answer.status == 201, answer.body.constData());
        QVERIFY(!answer.body.contains("password"));
        const QString opsId = answer.json().value(QStringLiteral("id")).toString();
        const int version = answer.json().value(QStringLiteral("version")).toInt();
        const QString ops = login(QStringLiteral("ops"), opsPassword);
        QVERIFY(!ops.isEmpty());
        QCOMPARE(call("GET", "/api/v1/hosts", ops).status, 200);

        // A new password ends the user's sessions.
        answer = call("PUT", ("/api/v1/users/" + opsId).toUtf8(), admin,
                      {{QStringLiteral("version"), version},
                       {QStringLiteral("password"), QStringLiteral("another password for ops")}});
        QVERIFY2(answer.status == 200, answer.body.constData());
        QCOMPARE(call("GET", "/api/v1/hosts", ops).status, 401);
        QVERIFY(!login(QStringLiteral("ops"), QStringLiteral("another password for ops")).isEmpty());

        // The last enabled admin stays.
        const QJsonArray users = QJsonDocument::fromJson(call("GET", "/api/v1/users", admin).body).array();
        QJsonObject adminUser;
        for (const QJsonValue &user : users) {
            if (user.toObject().value(QStringLiteral("username")).toString() == QStringLiteral("admin"))
                adminUser = user.toObject();
        }
        const QByteArray adminPath =
            "/api/v1/users/" + adminUser.value(QStringLiteral("id")).toString().toUtf8();
        answer = call("PUT", adminPath, admin,
                      {{QStringLiteral("version"), adminUser.value(QStringLiteral("version"))},
                       {QStringLiteral("role"), QStringLiteral("viewer")}});
        QCOMPARE(answer.status, 422);
        QVERIFY(answer.json()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("last enabled admin")));
        QCOMPARE(call("DELETE", adminPath, admin).status, 422);
        QCOMPARE(call("DELETE", ("/api/v1/users/" + opsId).toUtf8(), admin).status, 204);
    }

    void theGuardWantsATokenAndTheRightRole()
    {
        // No token, a made-up token: 401 with a challenge.
        HttpsAnswer answer = call("GET", "/api/v1/hosts");
        QCOMPARE(answer.status, 401);
        QVERIFY(answer.header("WWW-Authenticate").startsWith("Bearer"));
        QCOMPARE(call("GET", "/api/v1/hosts", QStringLiteral("made-up")).status, 401);
        QCOMPARE(login(QStringLiteral("admin"), QStringLiteral("wrong password")), QString());

        // A viewer reads but changes nothing.
        const QString viewer = login(QStringLiteral("viewer"), ViewerPassword);
        QVERIFY(!viewer.isEmpty());
        QCOMPARE(call("GET", "/api/v1/services", viewer).status, 200);
        answer =
            call("POST", "/api/v1/host-groups", viewer, {{QStringLiteral("name"), QStringLiteral("web")}});
        QCOMPARE(answer.status, 403);
        QVERIFY(answer.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("viewer")));
        QCOMPARE(m_configurationChanges, 0);

        // After logout the token is refused.
        QCOMPARE(call("DELETE", "/api/v1/session", viewer).status, 204);
        QCOMPARE(call("GET", "/api/v1/services", viewer).status, 401);
    }
};

QTEST_GUILESS_MAIN(TestEntityApi)
#include "tst_entityapi.moc"
