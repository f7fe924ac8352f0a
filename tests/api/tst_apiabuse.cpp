#include <QRegularExpression>
#include <QSslSocket>
#include <QTest>

#include "tests/api/managementapibench.h"

using namespace prophasis;
using namespace std::chrono_literals;

namespace {

// A raw TLS client on the test's thread, for requests no well-behaved client sends.
struct RawClient
{
    explicit RawClient(quint16 port)
    {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        socket.setSslConfiguration(tls);
        QObject::connect(&socket, &QSslSocket::readyRead, &socket, [this] { received += socket.readAll(); });
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    }
    bool encrypted()
    {
        return QTest::qWaitFor(
                   [this] {
                       return socket.isEncrypted() || socket.state() == QAbstractSocket::UnconnectedState;
                   },
                   10'000) &&
               socket.isEncrypted();
    }
    // The status of the first answer; 0 when none came.
    int status()
    {
        if (!QTest::qWaitFor([this] { return received.contains("\r\n\r\n"); }, 10'000))
            return 0;
        return received.split(' ').value(1).toInt();
    }

    QSslSocket socket;
    QByteArray received;
};

} // namespace

// The management API under abuse, with every route mounted as the core mounts them: no route but
// login and the API's description answers without a token; oversized headers and bodies, too
// many connections and clients that send too slowly are refused with the right status and cost
// nothing lasting.
class TestApiAbuse : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_testDatabase;
    std::unique_ptr<test::ManagementApiBench> m_bench;
    test::ApiTestServer *m_api = nullptr;

private Q_SLOTS:
    void initTestCase() { m_testDatabase = std::make_unique<test::TestDatabase>(QStringLiteral("apiabuse")); }

    void init()
    {
        CoreListenOptions listen;
        listen.limits.maxConnections = 4;
        listen.limits.requestTimeout = 500ms;
        m_bench = std::make_unique<test::ManagementApiBench>(*m_testDatabase, this, listen);
        m_api = &m_bench->api;
        QString error;
        QVERIFY2(m_api->start(&error), qPrintable(error));
    }

    void cleanup()
    {
        m_api = nullptr;
        m_bench.reset();
    }

    void everyRouteButLoginWantsAToken()
    {
        // Answer without a token by design: logging in, and the description of the API.
        const QList<std::pair<QString, QByteArray>> open = {
            {QStringLiteral("/api/v1/session"), "POST"},
            {QStringLiteral("/api/v1/openapi.json"), "GET"},
        };
        static const QRegularExpression parameter(QStringLiteral("\\{([^}/]+)\\}"));
        QStringList answered;
        int checked = 0;
        for (const auto &[pattern, method] : m_api->routes().routes()) {
            if (open.contains(std::pair{pattern, method}))
                continue;
            QString path = pattern;
            path.replace(QStringLiteral("{sha256}"), QString(64, u'a'));
            path.replace(parameter, QUuid::createUuid().toString(QUuid::WithoutBraces));
            for (const QString &token : {QString(), QStringLiteral("not-a-token")}) {
                const test::HttpsAnswer answer = m_api->call(method, path.toUtf8(), token,
                                                             {{QStringLiteral("name"), QStringLiteral("x")}});
                ++checked;
                if (answer.status != 401 || answer.header("WWW-Authenticate").isEmpty())
                    answered.append(QStringLiteral("%1 %2 (token \"%3\") -> %4")
                                        .arg(QString::fromLatin1(method), pattern, token)
                                        .arg(answer.status));
            }
        }
        QVERIFY(checked > 60);
        QVERIFY2(answered.isEmpty(), qPrintable(answered.join(u'\n')));
        // The open ones do answer without a token.
        QCOMPARE(m_api->call("GET", "/api/v1/openapi.json").status, 200);
        QCOMPARE(m_api
                     ->call("POST", "/api/v1/session", {},
                            {{QStringLiteral("username"), QStringLiteral("admin")},
                             {QStringLiteral("password"), QStringLiteral("wrong")}})
                     .status,
                 401);
    }

    void oversizedRequestsAreRefused()
    {
        const QString admin = m_api->loginAdmin();
        // Headers beyond 16 KiB: 431, before any handler or database work.
        const test::HttpsAnswer headers = m_api->request(
            "GET", "/api/v1/hosts",
            {{"Authorization", "Bearer " + admin.toLatin1()}, {"X-Padding", QByteArray(20 * 1024, 'x')}});
        QCOMPARE(headers.status, 431);
        // A JSON body beyond 1 MiB: 413, naming the limit; nothing created.
        const QByteArray big = "{\"name\": \"" + QByteArray(2 * 1024 * 1024, 'x') + "\"}";
        const test::HttpsAnswer body = m_api->request(
            "POST", "/api/v1/hosts",
            {{"Authorization", "Bearer " + admin.toLatin1()}, {"Content-Type", "application/json"}}, big);
        QCOMPARE(body.status, 413);
        QVERIFY2(body.json().value(QStringLiteral("message")).toString().contains(QLatin1String("1 MiB")),
                 body.body.constData());
        QCOMPARE(QJsonDocument::fromJson(m_api->call("GET", "/api/v1/hosts", admin).body).array().size(), 0);
    }

    void tooManyConnectionsAndSlowClientsCostNothingLasting()
    {
        // Four idle connections take every place (the limit here); a fifth is turned away.
        std::vector<std::unique_ptr<RawClient>> hogs;
        for (int i = 0; i < 4; ++i) {
            hogs.push_back(std::make_unique<RawClient>(m_api->port()));
            QVERIFY(hogs.back()->encrypted());
        }
        RawClient turnedAway(m_api->port());
        QVERIFY(!turnedAway.encrypted());

        // A client that never finishes its request is answered 408 and closed, freeing its place.
        hogs.front()->socket.write(
            "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
        QCOMPARE(hogs.front()->status(), 408);
        QTRY_COMPARE_WITH_TIMEOUT(hogs.front()->socket.state(), QAbstractSocket::UnconnectedState, 10'000);
        // The place is free again: a login gets through.
        QTRY_VERIFY_WITH_TIMEOUT(!m_api->loginAdmin().isEmpty(), 10'000);
    }
};

QTEST_GUILESS_MAIN(TestApiAbuse)
#include "tst_apiabuse.moc"
