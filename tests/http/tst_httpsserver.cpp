#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>
#include <stdexcept>

#include "shared/http/httpsserver.h"
#include "shared/tls/identity.h"

using namespace prophasis;
using namespace std::chrono_literals;

namespace {

constexpr int WaitMs = 5000; // an upper bound for anything that should take milliseconds

struct Response
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[headerName, value] : headers) {
            if (QByteArrayView(headerName).compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// Takes one complete response (our server always frames with Content-Length) off `buffer`.
std::optional<Response> takeResponse(QByteArray &buffer)
{
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return std::nullopt;
    const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
    Response response;
    response.status = lines.first().split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        response.headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
    }
    const qsizetype length = response.header("Content-Length").toLongLong();
    if (buffer.size() < headEnd + 4 + length)
        return std::nullopt;
    response.body = buffer.mid(headEnd + 4, length);
    buffer.remove(0, headEnd + 4 + length);
    return response;
}

// A TLS client writing raw HTTP, as an attacker or a minimal client would.
class Client
{
public:
    explicit Client(quint16 port, const TlsIdentity &identity = TlsIdentity())
        : m_port(port)
    {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        // The server's certificate is self-signed; these tests look at it explicitly instead.
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        if (!identity.isNull()) {
            tls.setLocalCertificate(identity.certificate);
            tls.setPrivateKey(identity.privateKey);
        }
        socket.setSslConfiguration(tls);
        QObject::connect(&socket, &QSslSocket::readyRead, &socket, [this] { received += socket.readAll(); });
    }

    bool connectEncrypted()
    {
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port);
        return QTest::qWaitFor(
                   [this] {
                       return socket.isEncrypted() || socket.state() == QAbstractSocket::UnconnectedState;
                   },
                   WaitMs) &&
               socket.isEncrypted();
    }

    void send(const QByteArray &bytes) { socket.write(bytes); }

    std::optional<Response> nextResponse()
    {
        std::optional<Response> response;
        if (!QTest::qWaitFor([this, &response] { return (response = takeResponse(received)).has_value(); },
                             WaitMs))
            return std::nullopt;
        return response;
    }

    std::optional<Response> request(const QByteArray &raw)
    {
        send(raw);
        return nextResponse();
    }

    bool waitForClose()
    {
        return QTest::qWaitFor([this] { return socket.state() == QAbstractSocket::UnconnectedState; },
                               WaitMs);
    }

    QSslSocket socket;
    QByteArray received;

private:
    quint16 m_port;
};

QByteArray get(const QByteArray &path, const QByteArray &extraHeaders = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
}

QByteArray post(const QByteArray &path, const QByteArray &body)
{
    return "POST " + path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" +
           body;
}

// Says back what it was asked and who asked.
void echo(const HttpRequest &request, const ClientInfo &client, HttpResponder responder)
{
    responder.send(HttpResponse::json(
        200, QJsonObject{
                 {QStringLiteral("method"), QString::fromLatin1(request.method)},
                 {QStringLiteral("path"), request.path},
                 {QStringLiteral("x"), request.query.queryItemValue(QStringLiteral("x"))},
                 {QStringLiteral("body"), QString::fromUtf8(request.body.left(64))},
                 {QStringLiteral("bodySize"), request.body.size()},
                 {QStringLiteral("address"), client.address.toString()},
                 {QStringLiteral("spki"), client.spkiSha256},
                 {QStringLiteral("certificate"), QString::fromLatin1(client.certificate.toPem())},
             }));
}

// A hand-written TLS 1.1 ClientHello, so the test does not depend on whether this machine's
// OpenSSL still lets a client offer TLS 1.1.
QByteArray tls11ClientHello()
{
    auto u16 = [](qsizetype value) {
        QByteArray bytes;
        bytes.append(char(value >> 8)).append(char(value & 0xff));
        return bytes;
    };
    const QByteArray suites("\xc0\x09\xc0\x13\x00\x2f\x00\x35", 8); // ECDHE-*-AES128-SHA, AES*-SHA
    const QByteArray extensions = QByteArray("\x00\x0a\x00\x04\x00\x02\x00\x17", 8) // supported groups: P-256
                                  + QByteArray("\x00\x0b\x00\x02\x01\x00", 6);      // point formats
    const QByteArray hello = QByteArray("\x03\x02", 2) + QByteArray(32, '\x42') + QByteArray(1, '\0') +
                             u16(suites.size()) + suites + QByteArray("\x01\x00", 2) +
                             u16(extensions.size()) + extensions;
    const QByteArray handshake = QByteArray(1, '\x01') + QByteArray(1, '\0') + u16(hello.size()) + hello;
    return QByteArray("\x16\x03\x01", 3) + u16(handshake.size()) + handshake;
}

} // namespace

class TestHttpsServer : public QObject
{
    Q_OBJECT

    TlsIdentity m_serverIdentity;
    TlsIdentity m_clientIdentity;

    std::unique_ptr<HttpsServer>
    startServer(const HttpLimits &limits = {}, HttpHandler handler = echo,
                const QHostAddress &address = QHostAddress(QHostAddress::LocalHost))
    {
        HttpsServerConfig config;
        config.address = address;
        config.identity = m_serverIdentity;
        config.limits = limits;
        auto server = std::make_unique<HttpsServer>(config);
        server->setHandler(std::move(handler));
        QString error;
        if (!server->listen(&error))
            qFatal("cannot start the server: %s", qPrintable(error));
        return server;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("no TLS backend");
        m_serverIdentity = TlsIdentity::generate(QStringLiteral("agent.test"), {QStringLiteral("127.0.0.1")});
        m_clientIdentity = TlsIdentity::generate(QStringLiteral("core.test"));
        QVERIFY(!m_serverIdentity.isNull() && !m_clientIdentity.isNull());
    }

    void answersARequest()
    {
        const auto server = startServer();
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        QCOMPARE(client.socket.sessionProtocol(), QSsl::TlsV1_3);
        QCOMPARE(client.socket.peerCertificate(), m_serverIdentity.certificate);
        const auto response = client.request(get("/v1/ping?x=%C3%A9"));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->json().value(QStringLiteral("path")).toString(), QStringLiteral("/v1/ping"));
        QCOMPARE(response->json().value(QStringLiteral("x")).toString(), QStringLiteral("\u00e9"));
        QCOMPARE(response->json().value(QStringLiteral("address")).toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(response->header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(response->header("Connection"), QByteArray("keep-alive"));
        QCOMPARE(response->header("Cache-Control"), QByteArray("no-store"));
        QCOMPARE(response->header("X-Content-Type-Options"), QByteArray("nosniff"));
        QVERIFY(response->header("Date").endsWith(" GMT"));
        QCOMPARE(server->connectionCount(), 1);
    }

    void listeningOnColonColonServesIpv4Too()
    {
        // "::" in agent.json or on the core's command line means every address, as on most systems.
        const auto server = startServer({}, echo, QHostAddress(QHostAddress::AnyIPv6));
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        const auto response = client.request(get("/v1/ping"));
        QVERIFY(response);
        QCOMPARE(response->json().value(QStringLiteral("address")).toString(), QStringLiteral("127.0.0.1"));
    }

    void sendsTheCertificateChainOfACaIssuedCertificate()
    {
        // A CA and a certificate it issued, made with the openssl tool as an admin would get them;
        // the certificate file holds the certificate, then the CA's.
        QTemporaryDir dir;
        const auto openssl = [&dir](const QStringList &arguments) {
            QProcess process;
            process.setWorkingDirectory(dir.path());
            process.start(QStringLiteral("openssl"), arguments);
            return process.waitForFinished(30'000) && process.exitCode() == 0;
        };
        QVERIFY(openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Test CA"}));
        QVERIFY(openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                         "core.key", "-out", "core.csr", "-subj", "/CN=core.test"}));
        QVERIFY(openssl({"x509", "-req", "-in", "core.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                         "-CAcreateserial", "-out", "core.crt", "-days", "2"}));
        QFile chain(dir.filePath(QStringLiteral("chain.crt")));
        QVERIFY(chain.open(QIODevice::WriteOnly));
        for (const char *part : {"core.crt", "ca.crt"}) {
            QFile file(dir.filePath(QLatin1String(part)));
            QVERIFY(file.open(QIODevice::ReadOnly));
            chain.write(file.readAll());
        }
        chain.close();
        QString error;
        const std::optional<TlsIdentity> identity =
            TlsIdentity::load(dir.filePath(QStringLiteral("core.key")), chain.fileName(), &error);
        QVERIFY2(identity, qPrintable(error));
        QCOMPARE(identity->intermediates.size(), 1);
        // Saving keeps the chain.
        QVERIFY2(identity->save(dir.filePath(QStringLiteral("saved.key")),
                                dir.filePath(QStringLiteral("saved.crt")), &error),
                 qPrintable(error));
        const std::optional<TlsIdentity> saved = TlsIdentity::load(
            dir.filePath(QStringLiteral("saved.key")), dir.filePath(QStringLiteral("saved.crt")), &error);
        QVERIFY2(saved, qPrintable(error));
        QCOMPARE(saved->intermediates, identity->intermediates);

        HttpsServerConfig config;
        config.address = QHostAddress::LocalHost;
        config.identity = *identity;
        HttpsServer server(config);
        server.setHandler(echo);
        QVERIFY2(server.listen(&error), qPrintable(error));
        Client client(server.serverPort());
        QVERIFY(client.connectEncrypted());
        const QList<QSslCertificate> presented = client.socket.peerCertificateChain();
        QCOMPARE(presented.size(), 2);
        QCOMPARE(presented.at(0), identity->certificate);
        QCOMPARE(presented.at(1), identity->intermediates.first());
        QCOMPARE(presented.at(1).subjectInfo(QSslCertificate::CommonName),
                 QStringList{QStringLiteral("Test CA")});
    }

    void keepAliveAnswersInOrderOneAtATime()
    {
        int running = 0;
        int mostAtOnce = 0;
        int handled = 0;
        const auto server = startServer({}, [&](const HttpRequest &request, const ClientInfo &,
                                                HttpResponder responder) {
            mostAtOnce = std::max(mostAtOnce, ++running);
            ++handled;
            // The first answer comes last in time; it must still be the first on the wire.
            QTimer::singleShot(request.path == QLatin1String("/1") ? 150ms : 0ms, [&running, request,
                                                                                   responder] {
                --running;
                responder.send(HttpResponse::json(200, QJsonObject{{QStringLiteral("path"), request.path}}));
            });
        });
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        client.send(get("/1") + post("/2", "two") + get("/3")); // pipelined in one write
        for (const QString &path : {QStringLiteral("/1"), QStringLiteral("/2"), QStringLiteral("/3")}) {
            const auto response = client.nextResponse();
            QVERIFY(response);
            QCOMPARE(response->json().value(QStringLiteral("path")).toString(), path);
        }
        QCOMPARE(handled, 3);
        QCOMPARE(mostAtOnce, 1);
        // And again later on the same connection.
        QCOMPARE(client.request(get("/4"))->json().value(QStringLiteral("path")).toString(),
                 QStringLiteral("/4"));
        QCOMPARE(server->connectionCount(), 1);
    }

    void clientCertificateKeyReachesTheHandler()
    {
        const auto server = startServer();
        Client client(server->serverPort(), m_clientIdentity);
        QVERIFY(client.connectEncrypted());
        const auto response = client.request(get("/"));
        QVERIFY(response);
        QCOMPARE(response->json().value(QStringLiteral("spki")).toString(),
                 spkiSha256(m_clientIdentity.certificate));
        QCOMPARE(QSslCertificate(response->json().value(QStringLiteral("certificate")).toString().toLatin1()),
                 m_clientIdentity.certificate);
    }

    void noClientCertificateMeansNoKey()
    {
        const auto server = startServer();
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        const auto response = client.request(get("/"));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->json().value(QStringLiteral("spki")).toString(), QString());
        QCOMPARE(response->json().value(QStringLiteral("certificate")).toString(), QString());
    }

    void clientCertificateNotAskedFor()
    {
        HttpsServerConfig config;
        config.address = QHostAddress::LocalHost;
        config.identity = m_serverIdentity;
        config.requestClientCertificate = false;
        HttpsServer server(config);
        server.setHandler(echo);
        QString error;
        QVERIFY2(server.listen(&error), qPrintable(error));
        Client client(server.serverPort(), m_clientIdentity);
        QVERIFY(client.connectEncrypted());
        QCOMPARE(client.request(get("/"))->json().value(QStringLiteral("spki")).toString(), QString());
    }

    void listenFailsClearly()
    {
        HttpsServer withoutIdentity(HttpsServerConfig{});
        QString error;
        QVERIFY(!withoutIdentity.listen(&error));
        QCOMPARE(error, QStringLiteral("no TLS key and certificate to serve HTTPS with"));

        const auto first = startServer();
        HttpsServerConfig config;
        config.address = QHostAddress::LocalHost;
        config.port = first->serverPort();
        config.identity = m_serverIdentity;
        HttpsServer second(config);
        QVERIFY(!second.listen(&error));
        QVERIFY2(
            error.startsWith(QStringLiteral("cannot listen on 127.0.0.1 port %1: ").arg(first->serverPort())),
            qPrintable(error));
    }

    void refusesOversizedAndMalformedRequests_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");

        QTest::newRow("request line") << get("/" + QByteArray(9000, 'a')) << 414 << "uri_too_long";
        QTest::newRow("header bytes")
            << get("/", "X-Big: " + QByteArray(17000, 'b') + "\r\n") << 431 << "headers_too_large";
        QByteArray manyHeaders;
        for (int i = 0; i < 101; ++i)
            manyHeaders += "X-H" + QByteArray::number(i) + ": v\r\n";
        QTest::newRow("header count") << get("/", manyHeaders) << 431 << "headers_too_large";
        // The body is never sent: the answer comes on the header alone.
        QTest::newRow("Content-Length")
            << QByteArray("PUT /v1/plugins/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2097152\r\n\r\n") << 413
            << "payload_too_large";
        QTest::newRow("malformed") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nBroken header\r\n\r\n") << 400
                                   << "bad_request";
    }

    void refusesOversizedAndMalformedRequests()
    {
        QFETCH(QByteArray, raw);
        QFETCH(int, status);
        QFETCH(QString, error);
        bool handled = false;
        const auto server =
            startServer({}, [&](const HttpRequest &, const ClientInfo &, HttpResponder responder) {
                handled = true;
                responder.send(HttpResponse::json(200, QJsonObject()));
            });
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        const auto response = client.request(raw);
        QVERIFY(response);
        QCOMPARE(response->status, status);
        QCOMPARE(response->json().value(QStringLiteral("error")).toString(), error);
        QVERIFY(!response->json().value(QStringLiteral("message")).toString().isEmpty());
        QCOMPARE(response->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClose());
        QVERIFY(!handled);
    }

    void closesSlowClients()
    {
        HttpLimits limits;
        limits.requestTimeout = 300ms;
        const auto server = startServer(limits);
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        QElapsedTimer clock;
        clock.start();
        client.send("GET /v1/ping HTTP/1.1\r\nHo"); // and nothing more
        const auto response = client.nextResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 408);
        QCOMPARE(response->json().value(QStringLiteral("message")).toString(),
                 QStringLiteral("the request did not arrive within 300 ms"));
        QVERIFY(client.waitForClose());
        QVERIFY2(clock.elapsed() >= 250, qPrintable(QString::number(clock.elapsed())));
    }

    void closesIdleConnections()
    {
        HttpLimits limits;
        limits.idleTimeout = 300ms;
        const auto server = startServer(limits);
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        QCOMPARE(client.request(get("/"))->status, 200);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(client.waitForClose());
        QVERIFY2(clock.elapsed() >= 250, qPrintable(QString::number(clock.elapsed())));
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void closesConnectionsThatNeverHandshake()
    {
        HttpLimits limits;
        limits.handshakeTimeout = 300ms;
        const auto server = startServer(limits);
        QTcpSocket plain;
        plain.connectToHost(QHostAddress::LocalHost, server->serverPort());
        QTRY_COMPARE(plain.state(), QAbstractSocket::ConnectedState);
        QTRY_COMPARE(server->connectionCount(), 1);
        QElapsedTimer clock;
        clock.start();
        QTRY_COMPARE_WITH_TIMEOUT(plain.state(), QAbstractSocket::UnconnectedState, WaitMs);
        QVERIFY2(clock.elapsed() >= 200, qPrintable(QString::number(clock.elapsed())));
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void refusesConnectionsOverTheLimit()
    {
        HttpLimits limits;
        limits.maxConnections = 2;
        const auto server = startServer(limits);
        auto first = std::make_unique<Client>(server->serverPort());
        Client second(server->serverPort());
        QVERIFY(first->connectEncrypted());
        QVERIFY(second.connectEncrypted());
        QTRY_COMPARE(server->connectionCount(), 2);

        Client third(server->serverPort());
        QVERIFY(!third.connectEncrypted());
        QCOMPARE(third.socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(server->connectionCount(), 2);

        first.reset();
        QTRY_COMPARE(server->connectionCount(), 1);
        Client fourth(server->serverPort());
        QVERIFY(fourth.connectEncrypted());
        QCOMPARE(fourth.request(get("/"))->status, 200);
        QCOMPARE(second.request(get("/"))->status, 200);
    }

    void asynchronousHandlerAnswersLater()
    {
        const auto server =
            startServer({}, [](const HttpRequest &, const ClientInfo &, HttpResponder responder) {
                QVERIFY(responder.isPending());
                QTimer::singleShot(200ms, [responder] {
                    responder.send(HttpResponse::json(200, QJsonObject{{QStringLiteral("late"), true}}));
                    QVERIFY(!responder.isPending());
                    responder.send(HttpResponse::error(500, QStringLiteral("a second answer is ignored")));
                });
            });
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        QElapsedTimer clock;
        clock.start();
        const auto response = client.request(get("/v1/plugins/cpu/run"));
        QVERIFY(response);
        QVERIFY(clock.elapsed() >= 180);
        QCOMPARE(response->status, 200);
        QVERIFY(response->json().value(QStringLiteral("late")).toBool());
        QVERIFY(client.request(get("/next")));
        QVERIFY(client.received.isEmpty()); // the ignored second answer never went out
    }

    void answerAfterTheClientLeftIsHarmless()
    {
        std::optional<HttpResponder> kept;
        const auto server = startServer(
            {}, [&](const HttpRequest &request, const ClientInfo &client, HttpResponder responder) {
                if (request.path == QLatin1String("/slow"))
                    kept = responder;
                else
                    echo(request, client, responder);
            });
        {
            Client client(server->serverPort());
            QVERIFY(client.connectEncrypted());
            client.send(get("/slow"));
            QTRY_VERIFY(kept.has_value());
            QVERIFY(kept->isPending());
            client.socket.abort();
        }
        QTRY_COMPARE(server->connectionCount(), 0);
        QVERIFY(!kept->isPending());
        kept->send(HttpResponse::json(200, QJsonObject())); // the connection is gone: nothing happens
        Client next(server->serverPort());
        QVERIFY(next.connectEncrypted());
        QCOMPARE(next.request(get("/"))->status, 200);
    }

    void throwingHandlerGets500AndTheServerGoesOn()
    {
        const auto server = startServer(
            {}, [](const HttpRequest &request, const ClientInfo &client, HttpResponder responder) {
                if (request.path == QLatin1String("/boom"))
                    throw std::runtime_error("handler bug");
                echo(request, client, responder);
            });
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("threw: handler bug")));
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        const auto response = client.request(get("/boom"));
        QVERIFY(response);
        QCOMPARE(response->status, 500);
        QCOMPARE(response->json().value(QStringLiteral("error")).toString(),
                 QStringLiteral("internal_error"));
        QCOMPARE(client.request(get("/after"))->status, 200);
    }

    void expectContinueGets100BeforeTheBody()
    {
        const auto server = startServer();
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        client.send(
            "PUT /v1/plugins/cpu HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        QTRY_VERIFY(client.received.startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
        QCOMPARE(client.received, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
        client.received.clear();
        const auto response = client.request("hello");
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->json().value(QStringLiteral("body")).toString(), QStringLiteral("hello"));
    }

    void oversizedExpectContinueIsRefusedWithout100()
    {
        const auto server = startServer();
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        const auto response = client.request(
            "PUT /p HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 9999999\r\n\r\n");
        QVERIFY(response);
        QCOMPARE(response->status, 413);
        QVERIFY(client.waitForClose());
    }

    void largeBodyArrivesWhole()
    {
        // Far more than the connection's read buffer: reading must resume every time.
        HttpLimits limits;
        limits.maxBodyBytes = 4 * 1024 * 1024;
        const auto server = startServer(limits);
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        const QByteArray body(3 * 1024 * 1024 + 7, 'z');
        const auto response = client.request(post("/upload", body));
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->json().value(QStringLiteral("bodySize")).toInteger(), body.size());
    }

    void connectionCloseAndHttp10CloseAfterTheAnswer()
    {
        const auto server = startServer();
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        const auto response = client.request(get("/", "Connection: close\r\n"));
        QVERIFY(response);
        QCOMPARE(response->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClose());

        Client old(server->serverPort());
        QVERIFY(old.connectEncrypted());
        QCOMPARE(old.request("GET / HTTP/1.0\r\n\r\n")->header("Connection"), QByteArray("close"));
        QVERIFY(old.waitForClose());
    }

    void headAnswersWithoutBody()
    {
        const auto server = startServer();
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        client.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n" + get("/after"));
        QTRY_VERIFY(client.received.contains("\r\n\r\n"));
        const qsizetype headEnd = client.received.indexOf("\r\n\r\n") + 4;
        QVERIFY(client.received.left(headEnd).contains("Content-Length: "));
        QVERIFY(!client.received.left(headEnd).contains("Content-Length: 0\r\n"));
        client.received.remove(0, headEnd); // the next bytes are the next response, not a body
        const auto next = client.nextResponse();
        QVERIFY(next);
        QCOMPARE(next->json().value(QStringLiteral("path")).toString(), QStringLiteral("/after"));
    }

    void refusesTls11Clients()
    {
        const auto server = startServer();
        QSslSocket socket;
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        QT_WARNING_PUSH
        QT_WARNING_DISABLE_DEPRECATED
        tls.setProtocol(QSsl::TlsV1_1);
        QT_WARNING_POP
        socket.setSslConfiguration(tls);
        QSignalSpy handshakeFailed(&socket, &QSslSocket::errorOccurred);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server->serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(socket.isEncrypted() || socket.state() == QAbstractSocket::UnconnectedState,
                                 WaitMs);
        QVERIFY(!socket.isEncrypted());
        QVERIFY(!handshakeFailed.isEmpty());
        if (socket.errorString().contains(QLatin1String("no protocols available")))
            QSKIP("this machine's OpenSSL will not offer TLS 1.1 as a client; refusesATls11ClientHello "
                  "covers the server");
        QCOMPARE(socket.error(), QAbstractSocket::SslHandshakeFailedError);
    }

    void refusesATls11ClientHello()
    {
        // The same on the wire, whatever the local OpenSSL allows a client: the server answers a
        // TLS 1.1 ClientHello with an alert (protocol_version), never with a ServerHello.
        const auto server = startServer();
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, server->serverPort());
        QTRY_COMPARE(raw.state(), QAbstractSocket::ConnectedState);
        raw.write(tls11ClientHello());
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += raw.readAll()).size() >= 7 ||
                                     raw.state() == QAbstractSocket::UnconnectedState,
                                 WaitMs);
        QVERIFY2(!answer.isEmpty(), "the server closed without an alert");
        QCOMPARE(int(uchar(answer.at(0))), 0x15); // alert record
        QCOMPARE(int(uchar(answer.at(6))), 70);   // protocol_version
    }

    void tls12GetsOnlyModernCiphers()
    {
        const auto server = startServer();
        Client modern(server->serverPort());
        QSslConfiguration tls = modern.socket.sslConfiguration();
        tls.setProtocol(QSsl::TlsV1_2);
        modern.socket.setSslConfiguration(tls);
        QVERIFY(modern.connectEncrypted());
        QCOMPARE(modern.socket.sessionProtocol(), QSsl::TlsV1_2);
        const QString cipher = modern.socket.sessionCipher().name();
        QVERIFY2(cipher.startsWith(QLatin1String("ECDHE-ECDSA-")) &&
                     (cipher.contains(QLatin1String("-GCM-")) || cipher.contains(QLatin1String("CHACHA20"))),
                 qPrintable(cipher));

        // A client offering only CBC suites finds nothing in common.
        Client legacy(server->serverPort());
        tls.setCiphers({QSslCipher(QStringLiteral("ECDHE-ECDSA-AES128-SHA256")),
                        QSslCipher(QStringLiteral("ECDHE-ECDSA-AES256-SHA"))});
        legacy.socket.setSslConfiguration(tls);
        QVERIFY(!legacy.connectEncrypted());
    }

    void modernCiphersAreAeadOnly()
    {
        const QList<QSslCipher> ciphers = HttpsServer::modernCiphers();
        QCOMPARE(ciphers.size(), 9);
        for (const QSslCipher &cipher : ciphers) {
            QVERIFY2(cipher.protocol() == QSsl::TlsV1_3 ||
                         (cipher.keyExchangeMethod() == QLatin1String("ECDH") &&
                          (cipher.encryptionMethod().contains(QLatin1String("GCM")) ||
                           cipher.encryptionMethod().contains(QLatin1String("CHACHA20")))),
                     qPrintable(cipher.name()));
        }
    }

    void setIdentityServesNewConnections()
    {
        const auto server = startServer();
        Client before(server->serverPort());
        QVERIFY(before.connectEncrypted());
        QCOMPARE(before.socket.peerCertificate(), m_serverIdentity.certificate);

        const TlsIdentity renewed = TlsIdentity::generate(QStringLiteral("agent.renewed"));
        server->setIdentity(renewed);
        Client after(server->serverPort());
        QVERIFY(after.connectEncrypted());
        QCOMPARE(after.socket.peerCertificate(), renewed.certificate);
        // The open connection goes on as it was.
        QCOMPARE(before.request(get("/"))->status, 200);
    }

    void closesClientsThatDoNotReadTheResponse()
    {
        HttpLimits limits;
        limits.writeTimeout = 300ms;
        // More than loopback's socket buffers hold, so the write cannot finish.
        const QByteArray big(24 * 1024 * 1024, 'x');
        const auto server =
            startServer(limits, [&big](const HttpRequest &, const ClientInfo &, HttpResponder responder) {
                HttpResponse response;
                response.headers.emplaceBack("Content-Type", "application/octet-stream");
                response.body = big;
                responder.send(response);
            });
        QSslSocket reluctant;
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        reluctant.setSslConfiguration(tls);
        reluctant.setReadBufferSize(1024); // and never read: the kernel buffers fill up
        reluctant.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server->serverPort());
        QTRY_VERIFY(reluctant.isEncrypted());
        QTRY_COMPARE(server->connectionCount(), 1);
        reluctant.write(get("/download"));
        QElapsedTimer clock;
        clock.start();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("was not taken within 300 ms")));
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 0, WaitMs);
        QVERIFY2(clock.elapsed() >= 250, qPrintable(QString::number(clock.elapsed())));
    }

    void streamedAnswerArrivesPieceByPieceUntilClosed()
    {
        HttpStream stream;
        const auto server =
            startServer({}, [&](const HttpRequest &, const ClientInfo &, HttpResponder responder) {
                HttpResponse head;
                head.headers.emplaceBack("Content-Type", "text/event-stream");
                stream = responder.stream(head);
                // A second answer to a streamed request is dropped, not sent into the stream.
                responder.send(HttpResponse::error(500, QStringLiteral("late")));
            });
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        client.send(get("/events"));
        QTRY_VERIFY(stream.isOpen());
        QTRY_VERIFY(client.received.contains("\r\n\r\n"));
        const QByteArray head = client.received.left(client.received.indexOf("\r\n\r\n"));
        QVERIFY(head.startsWith("HTTP/1.1 200 OK"));
        QVERIFY(head.contains("Content-Type: text/event-stream"));
        QVERIFY(head.contains("Connection: close"));
        QVERIFY(!head.contains("Content-Length")); // the body ends with the connection
        QVERIFY(stream.write("data: one\n\n"));
        QTRY_VERIFY(client.received.endsWith("data: one\n\n"));
        QVERIFY(stream.write("data: two\n\n"));
        QTRY_VERIFY(client.received.endsWith("data: two\n\n"));
        QVERIFY(!client.received.contains("late"));
        // The stream takes no further request on its connection.
        client.send(get("/again"));
        stream.close();
        QVERIFY(!stream.isOpen());
        QVERIFY(!stream.write("data: three\n\n"));
        QVERIFY(client.waitForClose());
        QVERIFY(!client.received.contains("three"));
        QCOMPARE(client.received.count("HTTP/1.1 "), 1); // nothing answered the second request
    }

    void streamNoticesTheClientLeaving()
    {
        HttpStream stream;
        const auto server =
            startServer({}, [&](const HttpRequest &, const ClientInfo &, HttpResponder responder) {
                stream = responder.stream(HttpResponse());
            });
        {
            Client client(server->serverPort());
            QVERIFY(client.connectEncrypted());
            client.send(get("/events"));
            QTRY_VERIFY(stream.isOpen());
        }
        QTRY_VERIFY(!stream.isOpen());
        QVERIFY(!stream.write("data: nobody\n\n"));
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void streamToAClientThatStopsReadingIsClosed()
    {
        HttpLimits limits;
        limits.writeTimeout = 300ms;
        HttpStream stream;
        const auto server =
            startServer(limits, [&](const HttpRequest &, const ClientInfo &, HttpResponder responder) {
                stream = responder.stream(HttpResponse());
            });
        QSslSocket reluctant;
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        reluctant.setSslConfiguration(tls);
        reluctant.setReadBufferSize(1024); // and never read
        reluctant.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server->serverPort());
        QTRY_VERIFY(reluctant.isEncrypted());
        reluctant.write(get("/events"));
        QTRY_VERIFY(stream.isOpen());
        // Writes pile up until the backlog bound or the write timeout ends the stream; either
        // way memory stays bounded and the connection goes.
        const QByteArray chunk(64 * 1024, 'x');
        QElapsedTimer clock;
        clock.start();
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("behind - closing|was not taken within")));
        while (stream.write(chunk) && clock.elapsed() < WaitMs)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QVERIFY(!stream.isOpen());
        QTRY_COMPARE(server->connectionCount(), 0);
    }

    void certificateRequestNamesNoAuthorities()
    {
        // Asking for a client certificate must not send the system's CA list (kilobytes per
        // handshake, and it tells clients to pick a CA-issued certificate).
        const auto server = startServer();
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"), {QStringLiteral("s_client"), QStringLiteral("-connect"),
                                                  QStringLiteral("127.0.0.1:%1").arg(server->serverPort())});
        if (!openssl.waitForStarted())
            QSKIP("the openssl command is not installed");
        openssl.closeWriteChannel();
        QTRY_COMPARE_WITH_TIMEOUT(openssl.state(), QProcess::NotRunning, WaitMs);
        const QString output = QString::fromLatin1(openssl.readAllStandardOutput());
        QVERIFY2(output.contains(QLatin1String("No client certificate CA names sent")), qPrintable(output));
        QVERIFY2(output.contains(QLatin1String("TLSv1.3")), qPrintable(output));
    }

    void closeDropsEveryConnection()
    {
        std::optional<HttpResponder> kept;
        const auto server = startServer(
            {}, [&](const HttpRequest &, const ClientInfo &, HttpResponder responder) { kept = responder; });
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        client.send(get("/"));
        QTRY_VERIFY(kept.has_value());
        server->close();
        QVERIFY(!server->isListening());
        QVERIFY(client.waitForClose());
        QTRY_COMPARE(server->connectionCount(), 0);
        kept->send(HttpResponse::json(200, QJsonObject()));
    }

    void withoutHandlerAnswers503()
    {
        const auto server = startServer({}, nullptr);
        Client client(server->serverPort());
        QVERIFY(client.connectEncrypted());
        QCOMPARE(client.request(get("/"))->status, 503);
    }
};

QTEST_GUILESS_MAIN(TestHttpsServer)
#include "tst_httpsserver.moc"
