#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTest>

#include <functional>

#include "daemon-core/dispatch/agentclient.h"
#include "shared/tls/identity.h"
#include "shared/tls/pinning.h"

using namespace prophasis;

namespace {

constexpr QByteArrayView Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// A TLS server on loopback whose answers a test scripts per connection and request, for what a
// real agent does only by accident: closing a kept-alive connection as a request arrives,
// trickling an answer, answering too much.
class ScriptedServer : public QObject
{
public:
    // (socket, connection number from 1, request number on that connection from 1)
    using Script = std::function<void(QSslSocket *, int, int)>;

    explicit ScriptedServer(Script script)
        : m_script(std::move(script))
    {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(m_identity.certificate);
        tls.setPrivateKey(m_identity.privateKey);
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server.setSslConfiguration(tls);
        connect(&m_server, &QSslServer::pendingConnectionAvailable, this, [this] {
            while (auto *socket = qobject_cast<QSslSocket *>(m_server.nextPendingConnection())) {
                const int connection = ++connections;
                auto requestsOnIt = std::make_shared<int>(0);
                auto buffer = std::make_shared<QByteArray>();
                connect(socket, &QSslSocket::readyRead, this,
                        [this, socket, connection, requestsOnIt, buffer] {
                            *buffer += socket->readAll();
                            qsizetype end;
                            while ((end = buffer->indexOf("\r\n\r\n")) >= 0) { // requests without a body
                                buffer->remove(0, end + 4);
                                ++requests;
                                m_script(socket, connection, ++*requestsOnIt);
                            }
                        });
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }

    AgentEndpoint endpoint() const
    {
        return {QStringLiteral("scripted"), QStringLiteral("127.0.0.1"), m_server.serverPort(),
                spkiSha256(m_identity.certificate)};
    }

    int connections = 0;
    int requests = 0;

private:
    TlsIdentity m_identity = TlsIdentity::generate(QStringLiteral("scripted"));
    QSslServer m_server;
    Script m_script;
};

AgentRequest get(int totalMs = 5000)
{
    AgentRequest request;
    request.method = "GET";
    request.target = "/v1/ping";
    request.totalTimeout = std::chrono::milliseconds(totalMs);
    return request;
}

} // namespace

// AgentClient on its own against scripted servers: keep-alive, deadlines and limits.
class TestAgentClient : public QObject
{
    Q_OBJECT

    AgentReply send(AgentClient &client, const AgentRequest &request)
    {
        std::optional<AgentReply> reply;
        client.send(request, [&reply](const AgentReply &answer) { reply = answer; });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(reply.has_value(), 20'000); }();
        return reply.value_or(
            AgentReply::failed(ResultType::RequestError, QStringLiteral("no answer in the test")));
    }

    QSslConfiguration tls() const { return pinnedClientConfiguration(m_core); }

private Q_SLOTS:
    void initTestCase() { m_core = TlsIdentity::generate(QStringLiteral("core")); }

    void aKeptAliveConnectionClosedUnderARequestIsRetriedOnce()
    {
        // The first connection answers once, then closes as the second request arrives.
        ScriptedServer server([](QSslSocket *socket, int connection, int request) {
            if (connection == 1 && request == 2)
                socket->abort();
            else
                socket->write(Ok.data(), Ok.size());
        });
        AgentClient client(server.endpoint(), tls(), {});
        QVERIFY(send(client, get()).ok());
        QVERIFY(client.isConnected());
        const AgentReply second = send(client, get());
        QVERIFY2(second.ok(), qPrintable(second.message));
        QCOMPARE(second.response->body, QByteArray("ok"));
        QCOMPARE(client.connectionsOpened(), quint64(2));
        QCOMPARE(server.requests, 3);
    }

    void aFreshConnectionClosedIsNotRetried()
    {
        ScriptedServer server([](QSslSocket *socket, int, int) { socket->abort(); });
        AgentClient client(server.endpoint(), tls(), {});
        const AgentReply reply = send(client, get());
        QCOMPARE(reply.failure, ResultType::ConnectionError);
        QVERIFY2(reply.message.contains(QStringLiteral("scripted")), qPrintable(reply.message));
        QCOMPARE(server.requests, 1);
    }

    void anIdleConnectionIsClosedAfterMaxIdle()
    {
        ScriptedServer server([](QSslSocket *socket, int, int) { socket->write(Ok.data(), Ok.size()); });
        AgentClient::Limits limits;
        limits.maxIdle = std::chrono::milliseconds(100);
        AgentClient client(server.endpoint(), tls(), limits);
        QVERIFY(send(client, get()).ok());
        QTRY_VERIFY(!client.isConnected());
        QVERIFY(send(client, get()).ok());
        QCOMPARE(client.connectionsOpened(), quint64(2));
    }

    void aTricklingAnswerIsCutOffAtTheTotalDeadline()
    {
        QTimer trickle;
        ScriptedServer server([&trickle](QSslSocket *socket, int, int) {
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
            QObject::connect(&trickle, &QTimer::timeout, socket, [socket] { socket->write("x"); });
            trickle.start(20);
        });
        AgentClient client(server.endpoint(), tls(), {});
        const AgentReply reply = send(client, get(400));
        QCOMPARE(reply.failure, ResultType::Timeout);
        QVERIFY2(reply.message.contains(QStringLiteral("did not answer within 0.4 s")),
                 qPrintable(reply.message));
        QVERIFY(!client.isConnected()); // a late answer cannot be taken for the next one
    }

    void aHandshakeThatNeverEndsHitsTheConnectDeadline()
    {
        QTcpServer mute; // accepts, never speaks TLS
        QVERIFY(mute.listen(QHostAddress::LocalHost));
        AgentClient::Limits limits;
        limits.connectTimeout = std::chrono::milliseconds(300);
        AgentClient client(
            {QStringLiteral("mute"), QStringLiteral("127.0.0.1"), mute.serverPort(), QString(64, u'a')},
            tls(), limits);
        const AgentReply reply = send(client, get(10'000));
        QCOMPARE(reply.failure, ResultType::Timeout);
        QVERIFY2(reply.message.contains(QStringLiteral("cannot connect")), qPrintable(reply.message));
    }

    void somethingElseThanTlsIsATlsError()
    {
        QTcpServer plain;
        QVERIFY(plain.listen(QHostAddress::LocalHost));
        connect(&plain, &QTcpServer::newConnection, this, [&plain] {
            QTcpSocket *socket = plain.nextPendingConnection();
            socket->write("SSH-2.0-OpenSSH_9.2\r\n");
        });
        AgentClient client(
            {QStringLiteral("plain"), QStringLiteral("127.0.0.1"), plain.serverPort(), QString(64, u'a')},
            tls(), {});
        const AgentReply reply = send(client, get());
        QCOMPARE(reply.failure, ResultType::TlsError);
        QVERIFY2(reply.message.contains(QStringLiteral("handshake")), qPrintable(reply.message));
    }

    void answersAreBounded()
    {
        ScriptedServer server([](QSslSocket *socket, int, int) {
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n" + QByteArray(4096, 'x'));
        });
        AgentClient::Limits limits;
        limits.maxResponseBodyBytes = 1024;
        AgentClient client(server.endpoint(), tls(), limits);
        const AgentReply reply = send(client, get());
        QCOMPARE(reply.failure, ResultType::RequestError);
        QVERIFY2(reply.message.contains(QStringLiteral("larger than 1024 bytes")), qPrintable(reply.message));
    }

    void aSecondRequestWhileBusyIsRefused()
    {
        ScriptedServer server([](QSslSocket *socket, int, int) { socket->write(Ok.data(), Ok.size()); });
        AgentClient client(server.endpoint(), tls(), {});
        std::optional<AgentReply> first;
        std::optional<AgentReply> second;
        client.send(get(), [&first](const AgentReply &reply) { first = reply; });
        client.send(get(), [&second](const AgentReply &reply) { second = reply; });
        QTRY_VERIFY(first && second);
        QVERIFY(first->ok());
        QCOMPARE(second->failure, ResultType::RequestError);
    }

private:
    TlsIdentity m_core;
};

QTEST_GUILESS_MAIN(TestAgentClient)
#include "tst_agentclient.moc"
