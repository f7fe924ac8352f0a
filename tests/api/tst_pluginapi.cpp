#include <QJsonArray>
#include <QSslSocket>
#include <QTest>

#include "daemon-core/api/entityroutes.h"
#include "daemon-core/api/pluginroutes.h"
#include "daemon-core/storage/checkstore.h"
#include "daemon-core/storage/hoststore.h"
#include "daemon-core/storage/logstore.h"
#include "daemon-core/storage/pluginstore.h"
#include "tests/api/apitestserver.h"
#include "tests/package/gpgfixture.h"
#include "tests/package/packagefixtures.h"

using namespace prophasis;
using test::HttpsAnswer;

namespace {

const QByteArray ClassifierV1 = "return 'ok' -- v1\n";
const QByteArray ClassifierV2 = "if values[1] and values[1] > 5 then return 'major' end\nreturn 'ok' -- v2\n";

// A real package made with tar: org.example.disk at `version`, with its own classifier text.
QByteArray package(const QString &version, const QByteArray &classifier,
                   const QString &id = QStringLiteral("org.example.disk"))
{
    QJsonObject manifest = testing::testManifest(id, version);
    manifest.insert(QStringLiteral("name"), QStringLiteral("Disk %1").arg(id));
    manifest.insert(QStringLiteral("view"), QStringLiteral("percent"));
    manifest.insert(QStringLiteral("timeout_s"), 7);
    manifest.insert(QStringLiteral("arguments"),
                    QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("path")},
                                           {QStringLiteral("type"), QStringLiteral("string")},
                                           {QStringLiteral("default"), QStringLiteral("/")},
                                           {QStringLiteral("description"), QStringLiteral("mount point")}}});
    return testing::packageArchive(QStringLiteral("disk"), manifest,
                                   {{QStringLiteral("bin/run"), "#!/bin/sh\necho '{\"value\": 1}'\n"},
                                    {QStringLiteral("classifier.lua"), classifier}});
}

} // namespace

// The plugin routes over real TLS on SQLite and PostgreSQL: uploads of real tar archives checked
// by the agent's package checks, versions kept under one UUID, rollback, download, signatures,
// the body limit of the upload route, deletion refused while in use, roles and audit.
class TestPluginApi : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<test::ApiTestServer> m_api;
    int m_changes = 0;
    QString m_admin;

    static constexpr qint64 TestArchiveLimit = 2 * 1024 * 1024;

    HttpsAnswer upload(const QByteArray &archive, const QString &token, const QByteArray &signature = {},
                       const QByteArray &contentType = "application/gzip")
    {
        QList<std::pair<QByteArray, QByteArray>> headers = {{"Authorization", "Bearer " + token.toLatin1()},
                                                            {"Content-Type", contentType}};
        if (!signature.isEmpty())
            headers.append({"Prophasis-Signature", signature.toBase64()});
        return m_api->request("POST", "/api/v1/plugins", headers, archive);
    }

    QList<AuditEntry> audit()
    {
        return m_api->storage().runAndWait([](Database &db) { return AuditLogStore(db).list({}); });
    }

    // A POST whose head announces a body (`framing`: its Content-Length or Transfer-Encoding
    // line, and any body bytes after the head) and sends no more of it: what the server answers
    // from the head alone.
    HttpsAnswer announce(const QByteArray &target, const QByteArray &framing)
    {
        const quint16 port = m_api->port();
        const QString token = m_admin;
        QFuture<HttpsAnswer> answer = QtConcurrent::run([=] {
            HttpsAnswer result;
            QSslSocket socket;
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.setPeerVerifyMode(QSslSocket::VerifyNone);
            socket.setSslConfiguration(tls);
            socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
            if (!socket.waitForEncrypted(10'000))
                return result;
            socket.write("POST " + target + " HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " +
                         token.toLatin1() + "\r\nContent-Type: application/gzip\r\n" + framing);
            QByteArray buffer;
            while (socket.waitForReadyRead(10'000) || socket.bytesAvailable() > 0) {
                buffer += socket.readAll();
                const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
                if (headEnd < 0)
                    continue;
                result.head = buffer.left(headEnd);
                if (buffer.size() >= headEnd + 4 + result.header("Content-Length").toLongLong()) {
                    result.status = result.head.split(' ').value(1).toInt();
                    result.body = buffer.mid(headEnd + 4);
                    break;
                }
            }
            return result;
        });
        while (!answer.isFinished())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        return answer.result();
    }
    HttpsAnswer announceLength(const QByteArray &target, qint64 length)
    {
        return announce(target, "Content-Length: " + QByteArray::number(length) + "\r\n\r\n");
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!testing::haveProgram(QStringLiteral("tar")))
            QSKIP("tar is needed to build plugin packages");
        m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("pluginapi"));
    }

    void init()
    {
        m_api = std::make_unique<test::ApiTestServer>(*m_testDatabase, this);
        m_changes = 0;
        PluginRouteOptions options;
        options.packageLimits.maxArchiveBytes = TestArchiveLimit;
        mountConfigurationRoutes(m_api->routes(), m_api->api(), SecretBox(SecretBox::generateKey()));
        mountPluginRoutes(m_api->routes(), m_api->api([this] { ++m_changes; }), options);
        QString error;
        QVERIFY2(m_api->start(&error), qPrintable(error));
        m_admin = m_api->loginAdmin();
        QVERIFY(!m_admin.isEmpty());
    }

    void cleanup() { m_api.reset(); }

    void uploadsCreateAPluginAndNewVersionsKeepItsUuid()
    {
        const QByteArray first = package(QStringLiteral("1.0"), ClassifierV1);
        HttpsAnswer answer = upload(first, m_admin);
        QVERIFY2(answer.status == 201, answer.body.constData());
        QJsonObject plugin = answer.json().value(QStringLiteral("plugin")).toObject();
        const QString uuid = plugin.value(QStringLiteral("id")).toString();
        QVERIFY(!QUuid::fromString(uuid).isNull());
        QCOMPARE(answer.header("Location"), ("/api/v1/plugins/" + uuid).toUtf8());
        // The manifest is the truth for the plugin's fields; the classifier comes from the package.
        QCOMPARE(plugin.value(QStringLiteral("plugin_id")).toString(), QStringLiteral("org.example.disk"));
        QCOMPARE(plugin.value(QStringLiteral("plugin_version")).toString(), QStringLiteral("1.0"));
        QCOMPARE(plugin.value(QStringLiteral("view")).toString(), QStringLiteral("percent"));
        QCOMPARE(plugin.value(QStringLiteral("timeout_s")).toInt(), 7);
        QCOMPARE(plugin.value(QStringLiteral("arguments")).toArray().size(), 1);
        QCOMPARE(
            plugin.value(QStringLiteral("classifier")).toObject().value(QStringLiteral("source")).toString(),
            QString::fromUtf8(ClassifierV1));
        const QString firstSha = answer.json()
                                     .value(QStringLiteral("package"))
                                     .toObject()
                                     .value(QStringLiteral("sha256"))
                                     .toString();
        QCOMPARE(plugin.value(QStringLiteral("package_sha256")).toString(), firstSha);
        QCOMPARE(firstSha,
                 QString::fromLatin1(QCryptographicHash::hash(first, QCryptographicHash::Sha256).toHex()));
        QCOMPARE(m_changes, 1);

        // A new version: the same plugin (UUID), so checks and exported configurations keep naming it.
        const QByteArray second = package(QStringLiteral("1.10"), ClassifierV2);
        answer = upload(second, m_admin);
        QVERIFY2(answer.status == 200, answer.body.constData());
        QCOMPARE(answer.json().value(QStringLiteral("created")).toBool(), false);
        QCOMPARE(answer.json().value(QStringLiteral("previous_version")).toString(), QStringLiteral("1.0"));
        plugin = answer.json().value(QStringLiteral("plugin")).toObject();
        QCOMPARE(plugin.value(QStringLiteral("id")).toString(), uuid);
        QCOMPARE(plugin.value(QStringLiteral("plugin_version")).toString(), QStringLiteral("1.10"));
        QCOMPARE(
            plugin.value(QStringLiteral("classifier")).toObject().value(QStringLiteral("source")).toString(),
            QString::fromUtf8(ClassifierV2));

        answer = m_api->call("GET", "/api/v1/plugins", m_api->loginViewer());
        QCOMPARE(answer.status, 200);
        QCOMPARE(QJsonDocument::fromJson(answer.body).array().size(), 1);

        // Versions, newest first; every upload kept.
        answer = m_api->call("GET", ("/api/v1/plugins/" + uuid + "/packages").toUtf8(), m_admin);
        QCOMPARE(answer.status, 200);
        const QJsonArray packages = QJsonDocument::fromJson(answer.body).array();
        QCOMPARE(packages.size(), 2);
        QCOMPARE(packages.at(0).toObject().value(QStringLiteral("plugin_version")).toString(),
                 QStringLiteral("1.10"));
        QCOMPARE(packages.at(0).toObject().value(QStringLiteral("current")).toBool(), true);
        QCOMPARE(packages.at(1).toObject().value(QStringLiteral("sha256")).toString(), firstSha);
        QCOMPARE(packages.at(1).toObject().value(QStringLiteral("current")).toBool(), false);

        // The archive comes back byte for byte.
        answer = m_api->call("GET", ("/api/v1/plugins/" + uuid + "/packages/" + firstSha).toUtf8(), m_admin);
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.header("Content-Type"), QByteArray("application/gzip"));
        QCOMPARE(answer.body, first);
        QVERIFY(answer.header("Prophasis-Signature").isEmpty());
        answer = m_api->call("GET", ("/api/v1/plugins/" + uuid + "/packages/" + QString(64, u'0')).toUtf8(),
                             m_admin);
        QCOMPARE(answer.status, 404);

        const QList<AuditEntry> entries = audit();
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries.at(0).action, QStringLiteral("upload"));
        QCOMPARE(entries.at(0).entityId, QUuid::fromString(uuid));
        QCOMPARE(entries.at(0).username, QStringLiteral("admin"));
        QCOMPARE(entries.at(0).details.value(QStringLiteral("previous_version")).toString(),
                 QStringLiteral("1.0"));
    }

    void anOlderPackageCanBeMadeCurrentAgain()
    {
        HttpsAnswer answer = upload(package(QStringLiteral("1.0"), ClassifierV1), m_admin);
        QCOMPARE(answer.status, 201);
        const QString uuid =
            answer.json().value(QStringLiteral("plugin")).toObject().value(QStringLiteral("id")).toString();
        const QString oldSha = answer.json()
                                   .value(QStringLiteral("package"))
                                   .toObject()
                                   .value(QStringLiteral("sha256"))
                                   .toString();
        answer = upload(package(QStringLiteral("2.0"), ClassifierV2), m_admin);
        QCOMPARE(answer.status, 200);
        const qint64 version = answer.json()
                                   .value(QStringLiteral("plugin"))
                                   .toObject()
                                   .value(QStringLiteral("version"))
                                   .toInteger();

        const QByteArray active = ("/api/v1/plugins/" + uuid + "/active").toUtf8();
        // Based on an older version of the plugin: refused.
        answer = m_api->call("PUT", active, m_admin,
                             {{QStringLiteral("sha256"), oldSha}, {QStringLiteral("version"), version - 1}});
        QCOMPARE(answer.status, 409);
        answer = m_api->call("PUT", active, m_admin, {{QStringLiteral("sha256"), QString(64, u'a')}});
        QCOMPARE(answer.status, 404);
        answer = m_api->call("PUT", active, m_api->loginOperator(), {{QStringLiteral("sha256"), oldSha}});
        QCOMPARE(answer.status, 403);

        answer = m_api->call("PUT", active, m_admin,
                             {{QStringLiteral("sha256"), oldSha}, {QStringLiteral("version"), version}});
        QVERIFY2(answer.status == 200, answer.body.constData());
        QCOMPARE(answer.json().value(QStringLiteral("plugin_version")).toString(), QStringLiteral("1.0"));
        QCOMPARE(answer.json().value(QStringLiteral("package_sha256")).toString(), oldSha);
        QCOMPARE(answer.json()
                     .value(QStringLiteral("classifier"))
                     .toObject()
                     .value(QStringLiteral("source"))
                     .toString(),
                 QString::fromUtf8(ClassifierV1));
        QCOMPARE(audit().at(0).action, QStringLiteral("activate"));
    }

    void malformedPackagesAreRefusedWithTheCheckersMessage()
    {
        // A path that climbs out of the package: the agent's own check refuses it.
        QJsonArray climbing = testing::goodEntries(QStringLiteral("org.example.bad"));
        climbing.append(testing::fileEntry(QStringLiteral("pkg/../../etc/evil"), "x"));
        HttpsAnswer answer = upload(testing::pythonTarGz(climbing), m_admin);
        QCOMPARE(answer.status, 422);
        QVERIFY2(answer.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("..")),
                 answer.body.constData());

        answer = upload("this is not a gzip file", m_admin);
        QCOMPARE(answer.status, 422);
        QVERIFY(answer.json()
                    .value(QStringLiteral("message"))
                    .toString()
                    .startsWith(QStringLiteral("the package was refused")));

        // Manifest without a required key.
        QJsonObject manifest =
            testing::testManifest(QStringLiteral("org.example.bad"), QStringLiteral("1.0"));
        manifest.remove(QStringLiteral("version"));
        answer = upload(testing::packageArchive(QStringLiteral("bad"), manifest,
                                                {{QStringLiteral("bin/run"), "x"},
                                                 {QStringLiteral("classifier.lua"), "return 'ok'"}}),
                        m_admin);
        QCOMPARE(answer.status, 422);
        QVERIFY2(
            answer.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("version")),
            answer.body.constData());

        answer =
            upload(package(QStringLiteral("1.0"), ClassifierV1), m_admin, {}, "application/octet-stream");
        QCOMPARE(answer.status, 415);
        answer = m_api->request("POST", "/api/v1/plugins",
                                {{"Authorization", "Bearer " + m_admin.toLatin1()},
                                 {"Content-Type", "application/gzip"},
                                 {"Prophasis-Signature", "not base64 at all!"}},
                                package(QStringLiteral("1.0"), ClassifierV1));
        QCOMPARE(answer.status, 400);

        const int stored =
            m_api->storage().runAndWait([](Database &db) { return int(PluginStore(db).list().size()); });
        QCOMPARE(stored, 0);
        QVERIFY(audit().isEmpty());
    }

    void theUploadRouteAloneTakesLargeBodies()
    {
        // Other routes keep the port's 1 MiB.
        HttpsAnswer answer = announceLength("/api/v1/hosts", HttpDefaults::MaxBodyBytes + 1);
        QCOMPARE(answer.status, 413);
        // The upload route takes up to the archive limit: a body above 1 MiB reaches the package
        // check (and fails it, being random bytes).
        QByteArray noise(int(1.5 * 1024 * 1024), Qt::Uninitialized);
        for (qsizetype i = 0; i < noise.size(); ++i)
            noise[i] = char((i * 7919) % 251);
        answer = upload(noise, m_admin);
        QCOMPARE(answer.status, 422);
        // … and no more.
        answer = announceLength("/api/v1/plugins", TestArchiveLimit + 1);
        QCOMPARE(answer.status, 413);
        QVERIFY2(answer.body.contains("2 MiB"), answer.body.constData());
        // A chunked body is held to the same limit, chunk by chunk.
        answer = announce("/api/v1/plugins", "Transfer-Encoding: chunked\r\n\r\n" +
                                                 QByteArray::number(TestArchiveLimit + 1, 16) + "\r\n");
        QCOMPARE(answer.status, 413);
    }

    void signaturesAreKeptAndServedWithTheArchive()
    {
        testing::GpgFixture gpg;
        if (!testing::haveProgram(QStringLiteral("gpg")) || !gpg.isValid())
            QSKIP("gpg is needed");
        const testing::TestKey key = gpg.createKey(QStringLiteral("Plugin Signer <signer@example.org>"));
        QVERIFY(!key.primaryFingerprint.isEmpty());
        const QByteArray archive = package(QStringLiteral("1.0"), ClassifierV1);
        const QByteArray signature = gpg.sign(key, archive, false);
        QVERIFY(!signature.isEmpty());

        HttpsAnswer answer = upload(archive, m_admin, signature);
        QVERIFY2(answer.status == 201, answer.body.constData());
        const QString uuid =
            answer.json().value(QStringLiteral("plugin")).toObject().value(QStringLiteral("id")).toString();
        const QString sha = answer.json()
                                .value(QStringLiteral("package"))
                                .toObject()
                                .value(QStringLiteral("sha256"))
                                .toString();
        QCOMPARE(audit().at(0).details.value(QStringLiteral("signed")).toBool(), true);

        answer = m_api->call("GET", ("/api/v1/plugins/" + uuid + "/packages/" + sha).toUtf8(), m_admin);
        QCOMPARE(answer.status, 200);
        QCOMPARE(QByteArray::fromBase64(answer.header("Prophasis-Signature")), signature);
        // What the dispatcher pushes to agents.
        const QByteArray stored = m_api->storage().runAndWait([uuid, sha](Database &db) {
            return PluginStore(db).package(QUuid::fromString(uuid), sha)->signature;
        });
        QCOMPARE(stored, signature);
    }

    void onlyAdminsUploadAndDelete()
    {
        const QByteArray archive = package(QStringLiteral("1.0"), ClassifierV1);
        QCOMPARE(upload(archive, m_api->loginViewer()).status, 403);
        QCOMPARE(upload(archive, m_api->loginOperator()).status, 403);
        QCOMPARE(upload(archive, QString()).status, 401);
        HttpsAnswer answer = upload(archive, m_admin);
        QCOMPARE(answer.status, 201);
        const QByteArray item = "/api/v1/plugins/" + answer.json()
                                                         .value(QStringLiteral("plugin"))
                                                         .toObject()
                                                         .value(QStringLiteral("id"))
                                                         .toString()
                                                         .toUtf8();
        QCOMPARE(m_api->call("GET", item, m_api->loginViewer()).status, 200);
        QCOMPARE(m_api->call("DELETE", item, m_api->loginOperator()).status, 403);
        QCOMPARE(m_api->call("DELETE", item, m_api->loginViewer()).status, 403);
    }

    void deletingIsRefusedWhileChecksUseThePlugin()
    {
        HttpsAnswer answer = upload(package(QStringLiteral("1.0"), ClassifierV1), m_admin);
        QCOMPARE(answer.status, 201);
        const QUuid uuid = QUuid::fromString(
            answer.json().value(QStringLiteral("plugin")).toObject().value(QStringLiteral("id")).toString());
        const Check check = m_api->storage().runAndWait([uuid](Database &db) {
            Check rootDisk;
            rootDisk.name = QStringLiteral("root disk");
            rootDisk.plugins = {CheckPlugin{uuid, {}, std::nullopt}};
            return CheckStore(db).create(rootDisk);
        });
        const QByteArray item = "/api/v1/plugins/" + uuid.toString(QUuid::WithoutBraces).toUtf8();
        answer = m_api->call("DELETE", item, m_admin);
        QCOMPARE(answer.status, 409);
        QVERIFY2(answer.json()
                     .value(QStringLiteral("message"))
                     .toString()
                     .contains(QStringLiteral("\"root disk\"")),
                 answer.body.constData());
        const QJsonArray dependents = answer.json().value(QStringLiteral("dependents")).toArray();
        QCOMPARE(dependents.size(), 1);
        QCOMPARE(dependents.first().toObject().value(QStringLiteral("entity_type")).toString(),
                 QStringLiteral("check"));
        QCOMPARE(dependents.first().toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("root disk"));

        m_api->storage().runAndWait([id = check.id](Database &db) { CheckStore(db).remove(id); });
        answer = m_api->call("DELETE", item, m_admin);
        QCOMPARE(answer.status, 204);
        QCOMPARE(m_api->call("GET", item, m_admin).status, 404);
        QCOMPARE(audit().at(0).action, QStringLiteral("delete"));
        // The packages went with it.
        const int packages = m_api->storage().runAndWait(
            [uuid](Database &db) { return int(PluginStore(db).listPackages(uuid).size()); });
        QCOMPARE(packages, 0);
    }
};

QTEST_GUILESS_MAIN(TestPluginApi)
#include "tst_pluginapi.moc"
