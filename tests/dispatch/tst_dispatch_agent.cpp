#include <QCryptographicHash>
#include <QJsonArray>
#include <QPromise>
#include <QTest>

#include <csignal>

#include "daemon-core/dispatch/dispatcher.h"
#include "daemon-core/dispatch/hostpairing.h"
#include "shared/enrollment/pairingstrings.h"
#include "shared/http/httpsserver.h"
#include "shared/tls/identity.h"
#include "tests/dispatch/dispatchfixture.h"
#include "tests/package/packagefixtures.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using namespace prophasis::testing;

namespace {

const QString PluginId = QStringLiteral("test.echo");

QString sha256Of(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// An exec plugin whose message names its package (`tag`) and echoes its "word" argument.
QByteArray echoPackage(const QString &version, const QByteArray &tag, const QByteArray &script = {})
{
    const QJsonObject manifest{
        {QStringLiteral("id"), PluginId},
        {QStringLiteral("name"), QStringLiteral("Echo")},
        {QStringLiteral("description"), QStringLiteral("says which package runs")},
        {QStringLiteral("version"), version},
        {QStringLiteral("runtime"), QStringLiteral("exec")},
        {QStringLiteral("entry"), QStringLiteral("run.sh")},
        {QStringLiteral("default_n_historical"), 1},
        {QStringLiteral("default_classifier"), QStringLiteral("classifier.lua")},
        {QStringLiteral("timeout_s"), 1},
        {QStringLiteral("arguments"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("word")},
                                {QStringLiteral("type"), QStringLiteral("string")},
                                {QStringLiteral("default"), QStringLiteral("nothing")},
                                {QStringLiteral("description"), QStringLiteral("echoed")}},
                    QJsonObject{{QStringLiteral("name"), QStringLiteral("count")},
                                {QStringLiteral("type"), QStringLiteral("integer")},
                                {QStringLiteral("default"), 1},
                                {QStringLiteral("description"), QStringLiteral("the value")}}}},
    };
    const QByteArray run =
        script.isEmpty() ? "#!/bin/sh\necho \"{\\\"value\\\": $PROPHASIS_ARG_COUNT, \\\"message\\\": \\\"" +
                               tag + " $PROPHASIS_ARG_WORD\\\"}\"\n"
                         : script;
    return packageArchive(
        QStringLiteral("echo"), manifest,
        {{QStringLiteral("run.sh"), run}, {QStringLiteral("classifier.lua"), "return 'ok'"}});
}

} // namespace

// Pairing and dispatching against a real prophasis-agent on loopback, with keys the test makes:
// the enrollment string, pushes on the first run, after a re-upload and on a rollback, plugin
// arguments, and the agent's own failures.
class TestDispatchAgent : public QObject
{
    Q_OBJECT

    PairingResult pair(const QString &enrollment, const PairingOptions &options = {})
    {
        QFuture<PairingResult> future = HostPairing::pair(enrollment, m_core, options);
        QDeadlineTimer deadline(30'000);
        while (!future.isFinished() && !deadline.hasExpired())
            QTest::qWait(5);
        if (!future.isFinished())
            return PairingResult{
                PairingResult::Error::Failed, QStringLiteral("the pairing did not finish"), {}, 0, {}, {}};
        return future.result();
    }

    // Makes `archive` the plugin's current package on the "core" and runs it once.
    CheckResult runPackage(const QString &version, const QByteArray &archive,
                           const QJsonObject &arguments = {}, const QByteArray &signature = {})
    {
        const QString sha = sha256Of(archive);
        m_packages.insert(sha, AgentPackage{version, archive, signature});
        Plugin &plugin = m_config.plugin(m_plugin);
        plugin.pluginVersion = version;
        plugin.packageSha256 = sha;
        m_config.config().checks[m_check].plugins.first().arguments = arguments;
        m_dispatcher->setConfiguration(m_config.snapshot());
        const qsizetype before = m_log->results.size();
        if (m_dispatcher->enqueue(runJob(m_host, m_check, m_plugin)) != EnqueueOutcome::Queued)
            return {};
        if (!m_log->waitForResults(before + 1))
            return {};
        return m_log->results.last().second;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_port = test::freeLoopbackPort();
        QVERIFY2(m_agent.init(m_port), qPrintable(m_agent.log()));
        m_enrollment = m_agent.enrollmentString();
        QString error;
        const std::optional<EnrollmentString> decoded = EnrollmentString::decode(m_enrollment, &error);
        QVERIFY2(decoded, qPrintable(error));
        m_agentSpki = decoded->spkiSha256;
        m_core = TlsIdentity::generate(QStringLiteral("core"));
        QVERIFY2(m_agent.start(), qPrintable(m_agent.log()));
    }

    void cleanupTestCase()
    {
        m_dispatcher.reset();
        m_agent.stop();
    }

    void refusesWhatIsNotAnEnrollmentString()
    {
        const PairingResult result = pair(QStringLiteral("prophasis-join-v1:abc"));
        QCOMPARE(result.error, PairingResult::Error::InvalidString);
        QVERIFY(!result.message.isEmpty());
    }

    void anUnreachableAgent()
    {
        EnrollmentString unreachable{QStringLiteral("127.0.0.1"), test::freeLoopbackPort(), m_agentSpki,
                                     generatePairingToken()};
        const PairingResult result = pair(unreachable.encode());
        QCOMPARE(result.error, PairingResult::Error::Unreachable);
        QVERIFY2(result.message.contains(QStringLiteral("refused")), qPrintable(result.message));
    }

    // The token goes only to the key the string names: another key gets not one byte of it.
    void aWrongFingerprintIsRefusedBeforeTheToken()
    {
        HttpsServerConfig config;
        config.address = QHostAddress::LocalHost;
        config.identity = TlsIdentity::generate(QStringLiteral("impostor"));
        HttpsServer impostor(config);
        QList<HttpRequest> received;
        QList<QString> clientKeys;
        impostor.setHandler(
            [&](const HttpRequest &request, const ClientInfo &client, HttpResponder responder) {
                received.append(request);
                clientKeys.append(client.spkiSha256);
                responder.send(HttpResponse::json(
                    200, QJsonObject{{QStringLiteral("agent_version"), QStringLiteral("impostor")}}));
            });
        QString error;
        QVERIFY2(impostor.listen(&error), qPrintable(error));
        const QString token = generatePairingToken();

        const EnrollmentString wrong{QStringLiteral("127.0.0.1"), impostor.serverPort(), m_agentSpki, token};
        const PairingResult refused = pair(wrong.encode());
        QCOMPARE(refused.error, PairingResult::Error::WrongKey);
        QVERIFY2(refused.message.contains(spkiSha256(config.identity.certificate)),
                 qPrintable(refused.message));
        QVERIFY(refused.message.contains(QStringLiteral("not sent")));
        QTest::qWait(100);
        QVERIFY(received.isEmpty());

        // The control: with its own key named, the same server gets the token and our certificate.
        const EnrollmentString right{QStringLiteral("127.0.0.1"), impostor.serverPort(),
                                     spkiSha256(config.identity.certificate), token};
        const PairingResult accepted = pair(right.encode());
        QVERIFY2(accepted.ok(), qPrintable(accepted.message));
        QCOMPARE(received.size(), 1);
        QCOMPARE(received.first().method, QByteArray("POST"));
        QCOMPARE(received.first().path, QStringLiteral("/v1/enroll"));
        QCOMPARE(received.first().header("Authorization"), "Bearer " + token.toUtf8());
        QCOMPARE(clientKeys.first(), spkiSha256(m_core.certificate));

        // And the real agent, with one digit of its fingerprint changed in the string.
        QString error2;
        EnrollmentString altered = *EnrollmentString::decode(m_enrollment, &error2);
        altered.spkiSha256[0] = altered.spkiSha256[0] == u'0' ? u'1' : u'0';
        QCOMPARE(pair(altered.encode()).error, PairingResult::Error::WrongKey);
    }

    void pairsFromTheEnrollmentString()
    {
        // Not spent by the refused attempt above: it never reached the agent.
        const PairingResult result = pair(m_enrollment);
        QVERIFY2(result.ok(), qPrintable(result.message));
        QCOMPARE(result.spkiSha256, m_agentSpki);
        QCOMPARE(result.agentVersion, QStringLiteral(PROPHASIS_VERSION));
        QCOMPARE(result.address, QStringLiteral("127.0.0.1"));
        QCOMPARE(result.port, m_port);
    }

    void aUsedTokenIsRefused()
    {
        const PairingResult result = pair(m_enrollment);
        QCOMPARE(result.error, PairingResult::Error::TokenRefused);
        QVERIFY2(result.message.contains(QStringLiteral("new-token")), qPrintable(result.message));
    }

    void pushesOnTheFirstRunAndPassesArguments()
    {
        m_host = m_config.addHost(QStringLiteral("agent1"), QStringLiteral("127.0.0.1"), m_port, m_agentSpki);
        m_plugin = m_config.addPlugin(PluginId, QString(), 1);
        m_check = m_config.addCheck(m_plugin);
        m_dispatcher = std::make_unique<Dispatcher>(m_core, [this](const QUuid &plugin, const QString &sha) {
            QPromise<std::optional<AgentPackage>> promise;
            promise.start();
            promise.addResult(plugin == m_plugin && m_packages.contains(sha)
                                  ? std::optional(m_packages.value(sha))
                                  : std::nullopt);
            promise.finish();
            return promise.future();
        });
        m_log = std::make_unique<DispatchLog>(m_dispatcher.get());

        m_v10a = echoPackage(QStringLiteral("1.0"), "v1.0a");
        const QJsonObject arguments{{QStringLiteral("word"), QStringLiteral("hello")},
                                    {QStringLiteral("count"), 7}};
        CheckResult result = runPackage(QStringLiteral("1.0"), m_v10a, arguments);
        QVERIFY2(result.type == ResultType::Success, qPrintable(result.message));
        QCOMPARE(result.message, QStringLiteral("v1.0a hello"));
        QCOMPARE(result.value, std::optional<double>(7));
        QCOMPARE(m_dispatcher->counters().pushes, quint64(1));
        // Installed now: no push, and the defaults of the manifest fill what the check leaves out.
        result = runPackage(QStringLiteral("1.0"), m_v10a);
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.message, QStringLiteral("v1.0a nothing"));
        QCOMPARE(m_dispatcher->counters().pushes, quint64(1));
        // Run, conflict, list, push, run, run: all on one kept-alive connection.
        QCOMPARE(m_dispatcher->counters().connections, quint64(1));
    }

    void aReuploadWithTheSameVersionIsPushed()
    {
        const CheckResult result =
            runPackage(QStringLiteral("1.0"), echoPackage(QStringLiteral("1.0"), "v1.0b"),
                       {{QStringLiteral("word"), QStringLiteral("again")}});
        QVERIFY2(result.type == ResultType::Success, qPrintable(result.message));
        QCOMPARE(result.message, QStringLiteral("v1.0b again"));
        QCOMPARE(m_dispatcher->counters().pushes, quint64(2));
    }

    void anIntendedRollbackIsPushed()
    {
        CheckResult result = runPackage(QStringLiteral("1.1"), echoPackage(QStringLiteral("1.1"), "v1.1"));
        QVERIFY2(result.type == ResultType::Success, qPrintable(result.message));
        QCOMPARE(result.message, QStringLiteral("v1.1 nothing"));
        QCOMPARE(m_dispatcher->counters().pushes, quint64(3));
        // Back to 1.0: older than what the agent holds, so the push says the downgrade is intended.
        result = runPackage(QStringLiteral("1.0"), m_v10a);
        QVERIFY2(result.type == ResultType::Success, qPrintable(result.message));
        QCOMPARE(result.message, QStringLiteral("v1.0a nothing"));
        QCOMPARE(m_dispatcher->counters().pushes, quint64(4));
    }

    void theAgentsOwnFailuresAreTyped()
    {
        CheckResult result = runPackage(QStringLiteral("2.0"),
                                        echoPackage(QStringLiteral("2.0"), {}, "#!/bin/sh\nsleep 30\n"));
        QCOMPARE(result.type, ResultType::Timeout);
        QVERIFY2(result.message.contains(QStringLiteral("did not finish")), qPrintable(result.message));

        result =
            runPackage(QStringLiteral("2.1"), echoPackage(QStringLiteral("2.1"), {},
                                                          "#!/bin/sh\necho 'disk exploded' >&2\nexit 3\n"));
        QCOMPARE(result.type, ResultType::PluginError);
        QVERIFY2(result.message.contains(QStringLiteral("disk exploded")), qPrintable(result.message));

        // Arguments the manifest does not accept: the agent refuses the run (422).
        result = runPackage(
            QStringLiteral("2.1"),
            echoPackage(QStringLiteral("2.1"), {}, "#!/bin/sh\necho 'disk exploded' >&2\nexit 3\n"),
            {{QStringLiteral("count"), QStringLiteral("many")}});
        QCOMPARE(result.type, ResultType::RequestError);
        QVERIFY2(result.message.contains(QStringLiteral("422")), qPrintable(result.message));

        // The signature travels with the package: a bad one is refused by the agent.
        result = runPackage(QStringLiteral("2.2"), echoPackage(QStringLiteral("2.2"), "v2.2"), {},
                            "not an OpenPGP signature");
        QCOMPARE(result.type, ResultType::RequestError);
        QVERIFY2(result.message.contains(QStringLiteral("signature")), qPrintable(result.message));
        QCOMPARE(m_dispatcher->counters().inFlight, 0);
    }

private:
    test::AgentProcess m_agent{QStringLiteral(PROPHASIS_AGENT_BINARY)};
    quint16 m_port = 0;
    QString m_enrollment;
    QString m_agentSpki;
    TlsIdentity m_core;
    ConfigBuilder m_config;
    QUuid m_host;
    QUuid m_plugin;
    QUuid m_check;
    QHash<QString, AgentPackage> m_packages;
    QByteArray m_v10a;
    std::unique_ptr<Dispatcher> m_dispatcher;
    std::unique_ptr<DispatchLog> m_log;
};

QTEST_GUILESS_MAIN(TestDispatchAgent)
#include "tst_dispatch_agent.moc"
