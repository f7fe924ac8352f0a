#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <unistd.h>

#include "shared/enrollment/pairingstrings.h"
#include "shared/tls/identity.h"
#include "shared/tls/pinning.h"
#include "tests/package/gpgfixture.h"
#include "tests/package/packagefixtures.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using prophasis::testing::GpgFixture;
using prophasis::testing::packageArchive;
using prophasis::testing::TestKey;

// A real agent process on loopback, driven over mutual TLS with keys the test makes: enrollment,
// pinning, plugin install / run / remove through the API of SPEC §9.
class TestAgentApi : public QObject
{
    Q_OBJECT

    struct Answer
    {
        int status = 0;
        QJsonObject json;
        QString error;
    };

    Answer call(const QByteArray &method, const QString &path, const QByteArray &body = {},
                const QList<QPair<QByteArray, QByteArray>> &headers = {}, const TlsIdentity *client = nullptr)
    {
        QNetworkRequest request(QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(m_port).arg(path)));
        request.setSslConfiguration(client ? pinnedClientConfiguration(*client)
                                           : pinnedClientConfiguration(TlsIdentity()));
        if (!client) {
            QSslConfiguration anonymous = request.sslConfiguration();
            anonymous.setLocalCertificate(QSslCertificate());
            anonymous.setPrivateKey(QSslKey());
            request.setSslConfiguration(anonymous);
        }
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        if (!body.isEmpty() && request.header(QNetworkRequest::ContentTypeHeader).isNull())
            request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        // A manager per call: QNetworkAccessManager reuses a kept-alive connection whatever the
        // request's client certificate, which would let one identity ride on another's session.
        QNetworkAccessManager network;
        QNetworkReply *reply = network.sendCustomRequest(request, method, body);
        pinReply(reply, m_agentSpki);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        finished.wait(30'000);
        Answer answer;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.json = QJsonDocument::fromJson(reply->readAll()).object();
        answer.error = reply->errorString();
        reply->deleteLater();
        return answer;
    }

    Answer callAsCore(const QByteArray &method, const QString &path, const QByteArray &body = {},
                      const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return call(method, path, body, headers, &m_core);
    }

    bool startAgent()
    {
        if (m_agent.start())
            return true;
        qWarning().noquote() << "agent did not start:" << m_agent.log();
        return false;
    }

    static QJsonObject manifest(const QString &id, const QString &runtime, const QString &entry,
                                const QJsonArray &arguments = {}, const QJsonArray &commandArguments = {})
    {
        return {{QStringLiteral("id"), id},
                {QStringLiteral("name"), id},
                {QStringLiteral("description"), QStringLiteral("a test plugin")},
                {QStringLiteral("version"), QStringLiteral("1.0")},
                {QStringLiteral("runtime"), runtime},
                {QStringLiteral("entry"), entry},
                {QStringLiteral("default_n_historical"), 2},
                {QStringLiteral("default_classifier"), QStringLiteral("classifier.lua")},
                {QStringLiteral("arguments"), arguments},
                {QStringLiteral("command_arguments"), commandArguments},
                {QStringLiteral("timeout_s"), 5}};
    }

    QString install(const QString &id, const QByteArray &archive)
    {
        const Answer answer = callAsCore("PUT", QStringLiteral("/v1/plugins/") + id, archive,
                                         {{"Content-Type", "application/gzip"}});
        if (answer.status != 201 && answer.status != 200)
            qWarning().noquote() << "install of" << id << "answered" << answer.status << answer.json;
        return QString::fromLatin1(QCryptographicHash::hash(archive, QCryptographicHash::Sha256).toHex());
    }

    Answer run(const QString &id, const QString &sha256, const QJsonObject &arguments = {}, int timeoutMs = 0)
    {
        QJsonObject body{{QStringLiteral("arguments"), arguments}, {QStringLiteral("expect_sha256"), sha256}};
        if (timeoutMs)
            body.insert(QStringLiteral("timeout_ms"), timeoutMs);
        return callAsCore("POST", QStringLiteral("/v1/plugins/%1/run").arg(id), QJsonDocument(body).toJson());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_port = test::freeLoopbackPort();
        QVERIFY2(m_agent.init(m_port), qPrintable(m_agent.log()));
        QString error;
        const auto enrollment = EnrollmentString::decode(m_agent.enrollmentString(), &error);
        QVERIFY2(enrollment, qPrintable(error));
        m_token = enrollment->token;
        m_agentSpki = enrollment->spkiSha256;
        m_core = TlsIdentity::generate(QStringLiteral("core"));
        m_intruder = TlsIdentity::generate(QStringLiteral("intruder"));
        QVERIFY(startAgent());
    }

    void cleanupTestCase() { m_agent.stop(); }

    void nothingAnswersBeforeEnrollment()
    {
        QCOMPARE(callAsCore("GET", QStringLiteral("/v1/ping")).status, 401);
    }

    void enrollment()
    {
        const QList<QPair<QByteArray, QByteArray>> wrong = {
            {"Authorization", "Bearer " + generatePairingToken().toUtf8()}};
        const QList<QPair<QByteArray, QByteArray>> right = {{"Authorization", "Bearer " + m_token.toUtf8()}};
        QCOMPARE(callAsCore("POST", QStringLiteral("/v1/enroll"), "{}", wrong).status, 401);
        // Without a client certificate there is no key to pin.
        QCOMPARE(call("POST", QStringLiteral("/v1/enroll"), "{}", right).status, 400);
        const Answer enrolled = callAsCore("POST", QStringLiteral("/v1/enroll"), "{}", right);
        QCOMPARE(enrolled.status, 200);
        QCOMPARE(enrolled.json.value(QStringLiteral("spki_sha256")).toString(), m_agentSpki);
        // The token is burned: the intruder cannot reuse it.
        const Answer reused = call("POST", QStringLiteral("/v1/enroll"), "{}", right, &m_intruder);
        QCOMPARE(reused.status, 410);
    }

    void onlyThePinnedKeyIsAnswered()
    {
        const Answer ping = callAsCore("GET", QStringLiteral("/v1/ping"));
        QCOMPARE(ping.status, 200);
        QCOMPARE(ping.json.value(QStringLiteral("agent_version")).toString(),
                 QStringLiteral(PROPHASIS_VERSION));
        QVERIFY(ping.json.value(QStringLiteral("uptime_s")).toDouble() > 0);
        // The machine's uptime, as /proc/uptime tells it.
        QFile procUptime(QStringLiteral("/proc/uptime"));
        QVERIFY(procUptime.open(QIODevice::ReadOnly));
        const double uptime = procUptime.readAll().split(' ').value(0).toDouble();
        QVERIFY2(qAbs(ping.json.value(QStringLiteral("uptime_s")).toDouble() - uptime) < 5,
                 qPrintable(QString::number(uptime)));
        const Answer intruder = call("GET", QStringLiteral("/v1/ping"), {}, {}, &m_intruder);
        QCOMPARE(intruder.status, 401);
        QVERIFY(intruder.json.value(QStringLiteral("message")).toString().contains(QStringLiteral("pinned")));
        QCOMPARE(call("GET", QStringLiteral("/v1/ping")).status, 401);
        QCOMPARE(callAsCore("GET", QStringLiteral("/v1/nothing")).status, 404);
    }

    void bundledLuaPluginRoundTrip()
    {
        QFile bundled(QStringLiteral(PROPHASIS_BUNDLED_PLUGINS) +
                      QStringLiteral("/org.prophasis.heartbeat-1.0.0.tar.gz"));
        QVERIFY2(bundled.open(QIODevice::ReadOnly), qPrintable(bundled.fileName()));
        const QByteArray archive = bundled.readAll();
        const QString sha = install(QStringLiteral("org.prophasis.heartbeat"), archive);
        const Answer list = callAsCore("GET", QStringLiteral("/v1/plugins"));
        QCOMPARE(list.status, 200);
        const QJsonObject listed = list.json.value(QStringLiteral("plugins")).toArray().first().toObject();
        QCOMPARE(listed.value(QStringLiteral("id")).toString(), QStringLiteral("org.prophasis.heartbeat"));
        QCOMPARE(listed.value(QStringLiteral("sha256")).toString(), sha);

        const Answer result = run(QStringLiteral("org.prophasis.heartbeat"), sha);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json.value(QStringLiteral("value")).toDouble(), 1.0);
        QCOMPARE(result.json.value(QStringLiteral("plugin_version")).toString(), QStringLiteral("1.0.0"));
        // Another package than the core expects: 409, so the core pushes its own.
        QCOMPARE(run(QStringLiteral("org.prophasis.heartbeat"), QString(64, u'0')).status, 409);
        QCOMPARE(run(QStringLiteral("org.prophasis.absent"), QString(64, u'0')).status, 409);
    }

    void nagiosPluginFromTheHost()
    {
        const QString checkDummy = QStringLiteral("/usr/lib/nagios/plugins/check_dummy");
        if (!QFile::exists(checkDummy))
            QSKIP("monitoring-plugins-basic is not installed (scripts/deps.sh --test installs it)");
        const QJsonArray arguments = {
            QJsonObject{{QStringLiteral("name"), QStringLiteral("state")},
                        {QStringLiteral("type"), QStringLiteral("integer")},
                        {QStringLiteral("default"), 0},
                        {QStringLiteral("description"), QStringLiteral("exit code")}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("text")},
                        {QStringLiteral("type"), QStringLiteral("string")},
                        {QStringLiteral("default"), QStringLiteral("fine")},
                        {QStringLiteral("description"), QStringLiteral("message")}}};
        const QByteArray archive =
            packageArchive(QStringLiteral("dummy"),
                           manifest(QStringLiteral("test.dummy"), QStringLiteral("nagios"), checkDummy,
                                    arguments, {QStringLiteral("{state}"), QStringLiteral("{text}")}),
                           {{QStringLiteral("classifier.lua"), "return 'ok'"}});
        const QString sha = install(QStringLiteral("test.dummy"), archive);
        const Answer warning =
            run(QStringLiteral("test.dummy"), sha,
                {{QStringLiteral("state"), 1}, {QStringLiteral("text"), QStringLiteral("disk filling")}});
        QCOMPARE(warning.status, 200);
        QCOMPARE(warning.json.value(QStringLiteral("status")).toString(), QStringLiteral("warning"));
        QVERIFY(warning.json.value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("disk filling")));
        // Arguments are checked against the manifest.
        QCOMPARE(
            run(QStringLiteral("test.dummy"), sha, {{QStringLiteral("state"), QStringLiteral("two")}}).status,
            422);
        QCOMPARE(run(QStringLiteral("test.dummy"), sha, {{QStringLiteral("nonsense"), 1}}).status, 422);
    }

    void aMissingCapabilityIsNamed()
    {
        // A Lua plugin that cannot measure and declares a capability: as root the agent holds it,
        // as an ordinary user (the unprivileged run of this test) it does not, and says so.
        QJsonObject raw =
            manifest(QStringLiteral("test.rawio"), QStringLiteral("lua"), QStringLiteral("main.lua"));
        raw.insert(QStringLiteral("capabilities"), QJsonArray{QStringLiteral("CAP_SYS_RAWIO")});
        const QByteArray archive =
            packageArchive(QStringLiteral("rawio"), raw,
                           {{QStringLiteral("main.lua"), "return {message = 'cannot open /dev/sda'}"},
                            {QStringLiteral("classifier.lua"), "return 'ok'"}});
        const QString sha = install(QStringLiteral("test.rawio"), archive);
        const Answer result = run(QStringLiteral("test.rawio"), sha);
        QCOMPARE(result.status, 200);
        const QString message = result.json.value(QStringLiteral("message")).toString();
        QVERIFY(message.startsWith(QStringLiteral("cannot open /dev/sda")));
        QCOMPARE(message.contains(QStringLiteral("CAP_SYS_RAWIO, which the agent was not given")),
                 ::geteuid() != 0);
    }

    void aHangingPluginTimesOutAndItsChildrenDie()
    {
        const QByteArray script = "#!/bin/sh\n"
                                  "setsid sleep 1000 &\n"
                                  "sleep 1000 &\n"
                                  "echo $$ > \"$PROPHASIS_ARG_PIDFILE\"\n"
                                  "sleep 1000\n";
        const QJsonArray arguments = {
            QJsonObject{{QStringLiteral("name"), QStringLiteral("pidfile")},
                        {QStringLiteral("type"), QStringLiteral("string")},
                        {QStringLiteral("description"), QStringLiteral("where to write the pid")}}};
        const QByteArray archive = packageArchive(
            QStringLiteral("hang"),
            manifest(QStringLiteral("test.hang"), QStringLiteral("exec"), QStringLiteral("hang.sh"),
                     arguments),
            {{QStringLiteral("hang.sh"), script}, {QStringLiteral("classifier.lua"), "return 'ok'"}});
        const QString sha = install(QStringLiteral("test.hang"), archive);
        const QString pidFile = QDir(m_agent.configDirectory()).filePath(QStringLiteral("hang.pid"));
        QElapsedTimer timer;
        timer.start();
        const Answer result =
            run(QStringLiteral("test.hang"), sha, {{QStringLiteral("pidfile"), pidFile}}, 700);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json.value(QStringLiteral("error")).toString(), QStringLiteral("timeout"));
        QVERIFY2(timer.elapsed() < 15'000, "the agent answered long after the timeout");
        // Every process the plugin started is gone, including the one in its own session.
        QTRY_VERIFY_WITH_TIMEOUT(!sleepersAlive(), 10'000);
        // And the agent still serves.
        QCOMPARE(callAsCore("GET", QStringLiteral("/v1/ping")).status, 200);
    }

    void signedPackagesAndNoZombieGpg()
    {
        GpgFixture gpg;
        QVERIFY(gpg.isValid());
        const TestKey key = gpg.createKey(QStringLiteral("Plugin Signer <signer@example.org>"));
        QFile keyFile(QDir(m_agent.configDirectory()).filePath(QStringLiteral("signer.asc")));
        QVERIFY(keyFile.open(QIODevice::WriteOnly));
        keyFile.write(key.publicKey);
        keyFile.close();
        QProcess trust;
        trust.start(QStringLiteral(PROPHASIS_AGENT_BINARY),
                    {QStringLiteral("trust-key"), QStringLiteral("--config-dir"), m_agent.configDirectory(),
                     keyFile.fileName()});
        QVERIFY(trust.waitForFinished());
        QVERIFY2(trust.exitCode() == 0, trust.readAllStandardError().constData());
        QVERIFY(QString::fromUtf8(trust.readAllStandardOutput()).contains(key.primaryFingerprint));
        ::kill(pid_t(m_agent.processId()), SIGHUP); // apply the new trust
        QTest::qWait(300);

        QFile bundled(QStringLiteral(PROPHASIS_BUNDLED_PLUGINS) +
                      QStringLiteral("/org.prophasis.uptime-1.0.0.tar.gz"));
        QVERIFY(bundled.open(QIODevice::ReadOnly));
        const QByteArray archive = bundled.readAll();
        const QByteArray good = gpg.sign(key, archive, true).toBase64();
        const QByteArray bad = gpg.sign(key, archive + "tampered", false).toBase64();
        const Answer refused =
            callAsCore("PUT", QStringLiteral("/v1/plugins/org.prophasis.uptime"), archive,
                       {{"Content-Type", "application/gzip"}, {"Prophasis-Signature", bad}});
        QCOMPARE(refused.status, 403);
        const Answer accepted =
            callAsCore("PUT", QStringLiteral("/v1/plugins/org.prophasis.uptime"), archive,
                       {{"Content-Type", "application/gzip"}, {"Prophasis-Signature", good}});
        QCOMPARE(accepted.status, 201);
        QCOMPARE(accepted.json.value(QStringLiteral("signed")).toBool(), true);
        QCOMPARE(accepted.json.value(QStringLiteral("signer")).toString(), key.primaryFingerprint);
        // gpgme leaves its gpg to the agent, the subreaper: the agent must reap it.
        QTRY_VERIFY_WITH_TIMEOUT(zombieChildrenOf(pid_t(m_agent.processId())) == 0, 15'000);
        GpgFixture::stopAgent(gpg.home());
    }

    void concurrentClients()
    {
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 12; ++i) {
            QNetworkRequest request(QUrl(QStringLiteral("https://127.0.0.1:%1/v1/ping").arg(m_port)));
            request.setSslConfiguration(pinnedClientConfiguration(m_core));
            QNetworkReply *reply = m_network.get(request);
            pinReply(reply, m_agentSpki);
            replies.append(reply);
        }
        for (QNetworkReply *reply : replies) {
            if (!reply->isFinished())
                QSignalSpy(reply, &QNetworkReply::finished).wait(20'000);
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            reply->deleteLater();
        }
    }

    void removeAndRestartKeepThePin()
    {
        QCOMPARE(callAsCore("DELETE", QStringLiteral("/v1/plugins/test.dummy")).status,
                 QFile::exists(QStringLiteral("/usr/lib/nagios/plugins/check_dummy")) ? 200 : 404);
        QCOMPARE(callAsCore("DELETE", QStringLiteral("/v1/plugins/test.never")).status, 404);
        QCOMPARE(m_agent.stop(), 0);
        QVERIFY(startAgent());
        QCOMPARE(callAsCore("GET", QStringLiteral("/v1/ping")).status, 200);
        const Answer list = callAsCore("GET", QStringLiteral("/v1/plugins"));
        QVERIFY(!list.json.value(QStringLiteral("plugins")).toArray().isEmpty());
    }

private:
    static int zombieChildrenOf(pid_t parent)
    {
        int zombies = 0;
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
            if (entry.toInt() <= 0 || !stat.open(QIODevice::ReadOnly))
                continue;
            const QByteArray line = stat.readAll();
            const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
            if (fields.value(0) == "Z" && fields.value(1).toInt() == parent)
                ++zombies;
        }
        return zombies;
    }

    // The hang plugin's sleeps (argument 1000) still running anywhere on the machine.
    static bool sleepersAlive()
    {
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(entry));
            if (entry.toInt() > 0 && cmdline.open(QIODevice::ReadOnly) &&
                cmdline.readAll() == QByteArray("sleep\0"
                                                "1000\0",
                                                11))
                return true;
        }
        return false;
    }

    test::AgentProcess m_agent{QStringLiteral(PROPHASIS_AGENT_BINARY)};
    QNetworkAccessManager m_network;
    quint16 m_port = 0;
    QString m_token;
    QString m_agentSpki;
    TlsIdentity m_core;
    TlsIdentity m_intruder;
};

QTEST_GUILESS_MAIN(TestAgentApi)
#include "tst_agentapi.moc"
