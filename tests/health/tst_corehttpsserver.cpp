#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

#include "daemon-core/app/corehttpsserver.h"
#include "daemon-core/health/corehealth.h"
#include "daemon-core/health/healthzroute.h"
#include "tests/health/httpsprobe.h"

using namespace prophasis;
using namespace prophasis::test;

namespace {

// Our server answers on the event loop and the client blocks: run the client on a pool thread
// and turn the loop until it is done.
HttpsAnswer request(const QHostAddress &address, quint16 port, const QByteArray &method,
                    const QByteArray &target)
{
    QFuture<HttpsAnswer> answer =
        QtConcurrent::run([=] { return httpsRequest(address, port, method, target); });
    while (!answer.isFinished())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    return answer.result();
}

} // namespace

// The core's HTTPS port over real TLS on loopback: the route table, /healthz, certificate
// reloads and the dual-stack default address.
class TestCoreHttpsServer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // A key and certificate written where CoreListenOptions will read them.
    CoreListenOptions writeIdentity(const QString &name, const TlsIdentity &identity)
    {
        CoreListenOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        options.keyFile = m_dir.filePath(name + QStringLiteral(".key"));
        options.certificateFile = m_dir.filePath(name + QStringLiteral(".crt"));
        QString error;
        if (!identity.save(options.keyFile, options.certificateFile, &error))
            qFatal("%s", qPrintable(error));
        return options;
    }

private Q_SLOTS:
    void healthzAnswersOkAndFailing()
    {
        CoreHealth health;
        health.report(QString(HealthComponent::Engine), true, QStringLiteral("running"));
        CoreHttpsServer server(
            writeIdentity(QStringLiteral("healthz"), TlsIdentity::generate(QStringLiteral("core.test"))));
        server.routes().add(QByteArrayLiteral("GET"), QStringLiteral("/healthz"), healthzHandler(health));
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        QVERIFY(server.port() != 0);

        HttpsAnswer answer = request(QHostAddress::LocalHost, server.port(), "GET", "/healthz");
        QVERIFY2(answer.status == 200, qPrintable(answer.error + QString::fromUtf8(answer.body)));
        QCOMPARE(answer.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(answer.header("Cache-Control"), QByteArray("no-store"));
        QCOMPARE(answer.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QVERIFY(
            answer.json().value(QStringLiteral("components")).toObject().contains(QStringLiteral("engine")));

        health.report(QString(HealthComponent::Engine), false, QStringLiteral("stopping"));
        answer = request(QHostAddress::LocalHost, server.port(), "GET", "/healthz");
        QCOMPARE(answer.status, 503);
        QCOMPARE(answer.json().value(QStringLiteral("status")).toString(), QStringLiteral("failing"));
        QCOMPARE(answer.json().value(QStringLiteral("reasons")).toArray().first().toString(),
                 QStringLiteral("engine: stopping (for 0 s)"));

        // Load balancers may ask with HEAD: the same status, no body.
        answer = request(QHostAddress::LocalHost, server.port(), "HEAD", "/healthz");
        QCOMPARE(answer.status, 503);
        QVERIFY(answer.body.isEmpty());
    }

    void otherPathsAndMethodsAreRefused()
    {
        CoreHealth health;
        CoreHttpsServer server(
            writeIdentity(QStringLiteral("routes"), TlsIdentity::generate(QStringLiteral("core.test"))));
        server.routes().add(QByteArrayLiteral("GET"), QStringLiteral("/healthz"), healthzHandler(health));
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));

        HttpsAnswer answer = request(QHostAddress::LocalHost, server.port(), "GET", "/api/v1/hosts");
        QCOMPARE(answer.status, 404);
        QCOMPARE(answer.json().value(QStringLiteral("error")).toString(), QStringLiteral("not_found"));
        QVERIFY(answer.json()
                    .value(QStringLiteral("message"))
                    .toString()
                    .contains(QStringLiteral("/api/v1/hosts")));

        answer = request(QHostAddress::LocalHost, server.port(), "POST", "/healthz");
        QCOMPARE(answer.status, 405);
        QCOMPARE(answer.header("Allow"), QByteArray("GET, HEAD"));
        QCOMPARE(answer.json().value(QStringLiteral("error")).toString(),
                 QStringLiteral("method_not_allowed"));
    }

    void routesTakePathParameters()
    {
        CoreHttpsServer server(
            writeIdentity(QStringLiteral("params"), TlsIdentity::generate(QStringLiteral("core.test"))));
        const auto echo = [](const QString &what) {
            return RouteHandler([what](const HttpRequest &, const PathParameters &parameters,
                                       const ClientInfo &, HttpResponder responder) {
                QJsonObject body{{QStringLiteral("route"), what}};
                for (auto it = parameters.cbegin(); it != parameters.cend(); ++it)
                    body.insert(it.key(), it.value());
                responder.send(HttpResponse::json(200, body));
            });
        };
        RouteTable &routes = server.routes();
        routes.add(QByteArrayLiteral("GET"), QStringLiteral("/api/v1/hosts/{id}"),
                   echo(QStringLiteral("host")));
        routes.add(QByteArrayLiteral("DELETE"), QStringLiteral("/api/v1/hosts/{id}"),
                   echo(QStringLiteral("delete")));
        routes.add(QByteArrayLiteral("GET"), QStringLiteral("/api/v1/hosts/worst"),
                   echo(QStringLiteral("literal")));
        routes.add(QByteArrayLiteral("GET"), QStringLiteral("/api/v1/{kind}/{id}/history"),
                   echo(QStringLiteral("two")));
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        const auto get = [&](const char *path, const char *method = "GET") {
            return request(QHostAddress::LocalHost, server.port(), method, path);
        };

        HttpsAnswer answer = get("/api/v1/hosts/6f1c");
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.json().value(QStringLiteral("route")).toString(), QStringLiteral("host"));
        QCOMPARE(answer.json().value(QStringLiteral("id")).toString(), QStringLiteral("6f1c"));
        // A literal segment wins over a parameter.
        QCOMPARE(get("/api/v1/hosts/worst").json().value(QStringLiteral("route")).toString(),
                 QStringLiteral("literal"));
        // Percent-decoded like HttpRequest::path.
        QCOMPARE(get("/api/v1/hosts/a%20b").json().value(QStringLiteral("id")).toString(),
                 QStringLiteral("a b"));
        answer = get("/api/v1/services/42/history");
        QCOMPARE(answer.json().value(QStringLiteral("kind")).toString(), QStringLiteral("services"));
        QCOMPARE(answer.json().value(QStringLiteral("id")).toString(), QStringLiteral("42"));
        QCOMPARE(get("/api/v1/hosts/42", "DELETE").json().value(QStringLiteral("route")).toString(),
                 QStringLiteral("delete"));
        // A parameter is one whole, non-empty segment.
        QCOMPARE(get("/api/v1/hosts/").status, 404);
        QCOMPARE(get("/api/v1/hosts/a/b").status, 404);
        answer = get("/api/v1/hosts/42", "PUT");
        QCOMPARE(answer.status, 405);
        QCOMPARE(answer.header("Allow"), QByteArray("DELETE, GET, HEAD"));

        QVERIFY(routes.contains("GET", QStringLiteral("/api/v1/hosts/{id}")));
        QVERIFY(!routes.contains("PUT", QStringLiteral("/api/v1/hosts/{id}")));
        QCOMPARE(routes.routes().size(), 4);
        QCOMPARE(routes.routes().first(),
                 (std::pair{QStringLiteral("/api/v1/hosts/worst"), QByteArray("GET")}));
    }

    void certificateReloads()
    {
        const TlsIdentity first = TlsIdentity::generate(QStringLiteral("first.test"));
        const CoreListenOptions options = writeIdentity(QStringLiteral("reload"), first);
        CoreHttpsServer server(options);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        QCOMPARE(request(QHostAddress::LocalHost, server.port(), "GET", "/healthz").peerCertificate,
                 first.certificate);

        // A renewed certificate (another key, e.g. from a CA) reaches new connections.
        const TlsIdentity second = TlsIdentity::generate(QStringLiteral("second.test"));
        QVERIFY(second.save(options.keyFile, options.certificateFile, &error));
        QVERIFY2(server.reloadCertificate(&error), qPrintable(error));
        QCOMPARE(server.identity().certificate, second.certificate);
        QCOMPARE(request(QHostAddress::LocalHost, server.port(), "GET", "/healthz").peerCertificate,
                 second.certificate);

        // A broken file keeps the one being served, and says why.
        QFile certificate(options.certificateFile);
        QVERIFY(certificate.open(QIODevice::WriteOnly | QIODevice::Truncate));
        certificate.write("not a certificate\n");
        certificate.close();
        QVERIFY(!server.reloadCertificate(&error));
        QVERIFY2(error.contains(QStringLiteral("not a PEM certificate")), qPrintable(error));
        // A certificate for another key than the key file's: refused too.
        QVERIFY(certificate.open(QIODevice::WriteOnly | QIODevice::Truncate));
        certificate.write(first.certificate.toPem());
        certificate.close();
        QVERIFY(!server.reloadCertificate(&error));
        QVERIFY2(error.contains(QStringLiteral("is not for the key")), qPrintable(error));
        QCOMPARE(request(QHostAddress::LocalHost, server.port(), "GET", "/healthz").peerCertificate,
                 second.certificate);
    }

    void startFailsClearly()
    {
        CoreListenOptions options =
            writeIdentity(QStringLiteral("missing"), TlsIdentity::generate(QStringLiteral("core.test")));
        options.keyFile = m_dir.filePath(QStringLiteral("no-such.key"));
        CoreHttpsServer missing(options);
        QString error;
        QVERIFY(!missing.start(&error));
        QVERIFY2(error.contains(QStringLiteral("no-such.key")), qPrintable(error));

        // The port taken by another listener.
        CoreHttpsServer first(
            writeIdentity(QStringLiteral("first"), TlsIdentity::generate(QStringLiteral("a"))));
        QVERIFY2(first.start(&error), qPrintable(error));
        CoreListenOptions same =
            writeIdentity(QStringLiteral("second"), TlsIdentity::generate(QStringLiteral("b")));
        same.port = first.port();
        CoreHttpsServer second(same);
        QVERIFY(!second.start(&error));
        QVERIFY2(error.contains(QStringLiteral("cannot listen")), qPrintable(error));
    }

    void defaultAddressServesIpv4AndIpv6()
    {
        CoreListenOptions options =
            writeIdentity(QStringLiteral("dual"), TlsIdentity::generate(QStringLiteral("core.test")));
        options.address = CoreListenOptions{}.address;
        CoreHealth health;
        CoreHttpsServer server(options);
        server.routes().add(QByteArrayLiteral("GET"), QStringLiteral("/healthz"), healthzHandler(health));
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        QCOMPARE(request(QHostAddress::LocalHost, server.port(), "GET", "/healthz").status, 200);
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHostIPv6, server.port());
        if (!probe.waitForConnected(2000) && probe.error() != QAbstractSocket::ConnectionRefusedError)
            QSKIP("no IPv6 loopback on this machine");
        probe.abort();
        QCOMPARE(request(QHostAddress::LocalHostIPv6, server.port(), "GET", "/healthz").status, 200);

        server.stop();
        QVERIFY(!server.isListening());
        QVERIFY(request(QHostAddress::LocalHost, server.port(), "GET", "/healthz").status == 0);
    }
};

QTEST_GUILESS_MAIN(TestCoreHttpsServer)
#include "tst_corehttpsserver.moc"
