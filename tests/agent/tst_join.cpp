#include <QProcess>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include "daemon-agent/app/agentconfig.h"
#include "shared/enrollment/pairingstrings.h"
#include "shared/tls/identity.h"

using namespace prophasis;

// `prophasis-agent init --join` against a small stand-in for the core's enrollments route
// (the real one comes with the management API): real TLS on loopback, a real agent process.
class StandInCore : public QObject
{
    Q_OBJECT
public:
    explicit StandInCore(int status)
        : m_identity(TlsIdentity::generate(QStringLiteral("core")))
        , m_status(status)
    {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(m_identity.certificate);
        configuration.setPrivateKey(m_identity.privateKey);
        configuration.setPeerVerifyMode(QSslSocket::QueryPeer);
        m_server.setSslConfiguration(configuration);
        connect(&m_server, &QSslServer::pendingConnectionAvailable, this, &StandInCore::accept);
        m_server.listen(QHostAddress::LocalHost);
    }

    QString spki() const { return spkiSha256(m_identity.certificate); }
    QUrl url() const { return QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_server.serverPort())); }

    QByteArray request;     // what the agent sent
    QString clientSpki;     // the key of the client certificate it presented
    bool received = false;

private:
    void accept()
    {
        auto *socket = static_cast<QSslSocket *>(m_server.nextPendingConnection());
        connect(socket, &QSslSocket::readyRead, this, [this, socket] {
            request += socket->readAll();
            clientSpki = spkiSha256(socket->peerCertificate());
            const qsizetype headerEnd = request.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                return;
            const qsizetype lengthAt = request.toLower().indexOf("content-length:");
            const int length = lengthAt < 0 ? 0 : request.mid(lengthAt + 15, request.indexOf("\r\n", lengthAt) - lengthAt - 15).trimmed().toInt();
            if (request.size() < headerEnd + 4 + length)
                return;
            received = true;
            const QByteArray body = m_status == 201 ? QByteArray(R"({"state":"pending"})")
                                                    : QByteArray(R"({"error":"unauthorized","message":"join token used"})");
            socket->write("HTTP/1.1 " + QByteArray::number(m_status) + (m_status == 201 ? " Created" : " Unauthorized")
                          + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                          + "\r\nConnection: close\r\n\r\n" + body);
            socket->disconnectFromHost();
        });
    }

    TlsIdentity m_identity;
    int m_status;
    QSslServer m_server;
};

class TestJoin : public QObject
{
    Q_OBJECT

    struct Outcome
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    // Runs init --join while this test's event loop serves the stand-in core.
    static Outcome join(const QString &configDir, const JoinString &joinString)
    {
        QProcess agent;
        agent.start(QStringLiteral(PROPHASIS_AGENT_BINARY),
                    {QStringLiteral("init"), QStringLiteral("--config-dir"), configDir, QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1"), QStringLiteral("--join"), joinString.encode()});
        QDeadlineTimer deadline(30'000);
        while (agent.state() != QProcess::NotRunning && !deadline.hasExpired())
            QTest::qWait(20);
        return {agent.exitCode(), QString::fromUtf8(agent.readAllStandardOutput()), QString::fromUtf8(agent.readAllStandardError())};
    }

private Q_SLOTS:
    void registersAndPinsTheCore()
    {
        StandInCore core(201);
        QTemporaryDir dir;
        const QString token = generatePairingToken();
        const Outcome outcome = join(dir.path(), {core.url(), core.spki(), token});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("registered with the core")));

        // The core saw the token, the agent's key as client certificate and in the body.
        QVERIFY(core.received);
        QVERIFY(core.request.startsWith("POST /api/v1/enrollments "));
        QVERIFY(core.request.contains("Authorization: Bearer " + token.toUtf8()));
        const QString agentSpki = spkiSha256(QSslCertificate::fromPath(dir.filePath(QStringLiteral("agent.crt"))).value(0));
        QCOMPARE(core.clientSpki, agentSpki);
        QVERIFY(core.request.contains(agentSpki.toUtf8()));

        // The agent now answers that core only, and has no enrollment open.
        QString error;
        const std::optional<AgentConfig> config = AgentConfig::load(dir.path(), &error);
        QVERIFY2(config, qPrintable(error));
        QCOMPARE(config->pinnedCoreKeys, QStringList{core.spki()});
        QVERIFY(config->enrollmentTokenHash.isEmpty());
    }

    void refusesACoreWithAnotherKey()
    {
        StandInCore core(201);
        QTemporaryDir dir;
        const QString otherKey = spkiSha256(TlsIdentity::generate(QStringLiteral("impostor")).certificate);
        const Outcome outcome = join(dir.path(), {core.url(), otherKey, generatePairingToken()});
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.err.contains(QStringLiteral("not the key in the join string")), qPrintable(outcome.err));
        // Nothing was sent: the token never reached the wrong server.
        QVERIFY(!core.request.contains("Bearer"));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("agent.json"))));
    }

    void aRefusedTokenSaysSo()
    {
        StandInCore core(401);
        QTemporaryDir dir;
        const Outcome outcome = join(dir.path(), {core.url(), core.spki(), generatePairingToken()});
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.err.contains(QStringLiteral("refused the join token")), qPrintable(outcome.err));
        QVERIFY(outcome.err.contains(QStringLiteral("join token used")));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("agent.json"))));
    }

    void anUnreachableCoreSaysSo()
    {
        QTemporaryDir dir;
        QTcpServer closed; // take a port, then free it: nothing listens there
        closed.listen(QHostAddress::LocalHost);
        const quint16 port = closed.serverPort();
        closed.close();
        const Outcome outcome = join(dir.path(), {QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port)), QString(64, u'd'),
                                                  generatePairingToken()});
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.err.contains(QStringLiteral("cannot reach the core")), qPrintable(outcome.err));
    }

    void aDamagedJoinStringIsRefusedBeforeAnything()
    {
        QTemporaryDir dir;
        QProcess agent;
        agent.start(QStringLiteral(PROPHASIS_AGENT_BINARY), {QStringLiteral("init"), QStringLiteral("--config-dir"), dir.path(),
                                                             QStringLiteral("--join"), QStringLiteral("prophasis-join-v1:xx")});
        QVERIFY(agent.waitForFinished());
        QCOMPARE(agent.exitCode(), 1);
        QVERIFY(QString::fromUtf8(agent.readAllStandardError()).contains(QStringLiteral("damaged")));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("agent.key"))));
    }
};

QTEST_GUILESS_MAIN(TestJoin)
#include "tst_join.moc"
