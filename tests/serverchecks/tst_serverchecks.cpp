#include <QPromise>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUdpSocket>

#include <cerrno>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon-core/dispatch/dispatcher.h"
#include "daemon-core/serverchecks/hostresolver.h"
#include "daemon-core/serverchecks/icmp.h"
#include "daemon-core/serverchecks/serverplugins.h"
#include "shared/tls/identity.h"
#include "tests/dispatch/dispatchfixture.h"
#include "tests/serverchecks/checktesting.h"
#include "tests/serverchecks/fakednsserver.h"
#include "tests/support/agentprocess.h"

using namespace prophasis;
using namespace prophasis::testing;

namespace {

// A TCP server on 127.0.0.1 that does one thing with every connection.
class TcpFixture : public QObject
{
public:
    enum class Behaviour
    {
        Silent, // accepts, never writes, keeps the connection
        Banner, // writes the banner at once
        Echo,   // writes back what it reads
        CloseAtOnce,
    };

    explicit TcpFixture(Behaviour behaviour, QByteArray banner = {})
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this, behaviour, banner] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++accepted;
                if (behaviour == Behaviour::Banner)
                    socket->write(banner);
                else if (behaviour == Behaviour::CloseAtOnce)
                    socket->close();
                else if (behaviour == Behaviour::Echo)
                    connect(socket, &QTcpSocket::readyRead, socket,
                            [socket] { socket->write(socket->readAll()); });
            }
        });
    }

    quint16 port() const { return m_server.serverPort(); }
    int accepted = 0;

private:
    QTcpServer m_server;
};

bool ipv6Loopback()
{
    QUdpSocket probe;
    return probe.bind(QHostAddress::LocalHostIPv6);
}

bool pingAllowed(icmp::Family family)
{
    const icmp::PingSocket socket = icmp::openPingSocket(family);
    if (socket.fd >= 0)
        ::close(socket.fd);
    return socket.fd >= 0;
}

QFuture<std::optional<AgentPackage>> noPackage()
{
    QPromise<std::optional<AgentPackage>> promise;
    promise.start();
    promise.addResult(std::nullopt);
    promise.finish();
    return promise.future();
}

Plugin builtIn(const QString &kind)
{
    for (const Plugin &plugin : builtInServerPlugins()) {
        if (plugin.entry == kind)
            return plugin;
    }
    qFatal("no built-in server plugin %s", qPrintable(kind));
}

} // namespace

// The TCP, ping and DNS checks against servers on loopback, the runner's bounds, and the
// dispatcher handing server-side plugins to the runner.
class TestServerChecks : public QObject
{
    Q_OBJECT

    CheckResult run(const QString &kind, const QJsonObject &arguments,
                    const QString &address = QStringLiteral("127.0.0.1"),
                    std::chrono::milliseconds timeout = 10s)
    {
        const std::optional<CheckResult> result =
            runCheck(*m_runner, checkRequest(kind, arguments, address, timeout));
        if (!result)
            qFatal("the %s check did not finish", qPrintable(kind));
        return *result;
    }

private Q_SLOTS:
    void init() { m_runner = std::make_unique<ServerCheckRunner>(); }
    void cleanup() { m_runner.reset(); }

    // --- TCP ---------------------------------------------------------------------------------

    void tcpOpenPort()
    {
        TcpFixture server(TcpFixture::Behaviour::Silent);
        const CheckResult result = run(QStringLiteral("tcp"), {{"port", server.port()}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY(result.value && *result.value > 0);
        QCOMPARE(metricOf(result, "time_connect_ms"), result.value);
        QVERIFY2(result.message.startsWith(
                     QStringLiteral("127.0.0.1 port %1 open: connected in ").arg(server.port())),
                 qPrintable(result.message));
        QTRY_COMPARE(server.accepted, 1);
    }

    void tcpClosedPort()
    {
        const quint16 port = test::freeLoopbackPort();
        const CheckResult result = run(QStringLiteral("tcp"), {{"port", port}});
        QCOMPARE(result.type, ResultType::ConnectionError);
        QVERIFY(!result.value);
        QCOMPARE(result.message,
                 QStringLiteral("connection to 127.0.0.1 port %1 refused: nothing listens there").arg(port));
    }

    void tcpBanner()
    {
        TcpFixture server(TcpFixture::Behaviour::Banner, "SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
        CheckResult result = run(QStringLiteral("tcp"), {{"port", server.port()}, {"expect", "^SSH-2\\.0-"}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY2(result.message.contains(
                     QStringLiteral("answer matches /^SSH-2\\.0-/: 'SSH-2.0-OpenSSH_9.2p1 Debian\\r\\n'")),
                 qPrintable(result.message));
        QVERIFY(metricOf(result, "banner_bytes") && *metricOf(result, "banner_bytes") > 0);
        QVERIFY(metricOf(result, "time_total_ms"));

        // A banner that does not match, on a connection the server keeps open: the check waits
        // for more until its deadline, and says what it got.
        result = run(QStringLiteral("tcp"), {{"port", server.port()}, {"expect", "^220 "}},
                     QStringLiteral("127.0.0.1"), 500ms);
        QCOMPARE(result.type, ResultType::Timeout);
        QVERIFY2(result.message.contains(QStringLiteral(
                     "but no answer matching /^220 / within 500 ms (received 'SSH-2.0-OpenSSH_9.2p1")),
                 qPrintable(result.message));
    }

    void tcpSendAndExpect()
    {
        TcpFixture server(TcpFixture::Behaviour::Echo);
        const CheckResult result =
            run(QStringLiteral("tcp"),
                {{"port", server.port()}, {"send", "PING\\r\\n"}, {"expect", "^PING\r\n$"}});
        QCOMPARE(result.status, PluginStatus::Ok);
    }

    void tcpClosedWithoutAnswer()
    {
        TcpFixture server(TcpFixture::Behaviour::CloseAtOnce);
        const CheckResult result = run(QStringLiteral("tcp"), {{"port", server.port()}, {"expect", "."}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Critical);
        QVERIFY(result.value);
        QVERIFY2(result.message.contains(QStringLiteral("closed the connection without sending anything")),
                 qPrintable(result.message));
    }

    void tcpSilentServerTimesOut()
    {
        TcpFixture server(TcpFixture::Behaviour::Silent);
        const CheckResult result = run(QStringLiteral("tcp"), {{"port", server.port()}, {"expect", "^220"}},
                                       QStringLiteral("127.0.0.1"), 300ms);
        QCOMPARE(result.type, ResultType::Timeout);
        QVERIFY(!result.value);
        QVERIFY2(result.message.contains(
                     QStringLiteral("but no answer matching /^220/ within 300 ms (received '')")),
                 qPrintable(result.message));
    }

    void tcpArguments()
    {
        QCOMPARE(run(QStringLiteral("tcp"), {}).type, ResultType::RequestError);
        QCOMPARE(run(QStringLiteral("tcp"), {{"port", 70000}}).type, ResultType::RequestError);
        const CheckResult result = run(QStringLiteral("tcp"), {{"port", 22}, {"expect", "[unclosed"}});
        QCOMPARE(result.type, ResultType::RequestError);
        QVERIFY2(result.message.startsWith(QStringLiteral("expect: /[unclosed/ is not a regular expression")),
                 qPrintable(result.message));
    }

    // --- ping --------------------------------------------------------------------------------

    void pingLoopback_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<int>("family");
        QTest::newRow("IPv4") << QStringLiteral("127.0.0.1") << int(icmp::Family::V4);
        QTest::newRow("IPv6") << QStringLiteral("::1") << int(icmp::Family::V6);
    }

    void pingLoopback()
    {
        QFETCH(QString, address);
        QFETCH(int, family);
        if (family == int(icmp::Family::V6) && !ipv6Loopback())
            QSKIP("no IPv6 loopback here");
        const CheckResult result =
            run(QStringLiteral("ping"), {{"count", 3}, {"interval_ms", 20}, {"wait_ms", 2000}}, address);
        if (!pingAllowed(icmp::Family(family))) {
            // This process may not ping (e.g. an ordinary user under Debian's ping_group_range):
            // the result says so and how to allow it.
            QCOMPARE(result.type, ResultType::Success);
            QCOMPARE(result.status, PluginStatus::Unknown);
            QVERIFY(!result.value);
            QVERIFY2(result.message.contains(QStringLiteral("net.ipv4.ping_group_range")),
                     qPrintable(result.message));
            return;
        }
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY(result.value && *result.value > 0);
        const double minimum = *metricOf(result, "rtt_min_ms");
        const double average = *metricOf(result, "rtt_avg_ms");
        const double maximum = *metricOf(result, "rtt_max_ms");
        QVERIFY(minimum > 0 && minimum <= average && average <= maximum);
        QCOMPARE(average, *result.value);
        QCOMPARE(metricOf(result, "packet_loss_percent"), std::optional<double>(0));
        QVERIFY2(result.message.startsWith(
                     QStringLiteral("3 of 3 echo replies from %1: round trip min/avg/max ").arg(address)),
                 qPrintable(result.message));
        QVERIFY2(result.message.endsWith(QStringLiteral(", 0% loss")), qPrintable(result.message));
    }

    void pingNotPermittedSaysHow()
    {
        m_runner->setIcmpSocketOpener([](int, int type, int) {
            errno = type == SOCK_DGRAM ? EACCES : EPERM;
            return -1;
        });
        const CheckResult result = run(QStringLiteral("ping"), {});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Unknown);
        QVERIFY(!result.value);
        QVERIFY(result.metrics.isEmpty());
        for (const char *needed : {"ICMP ping is not permitted to the core", "net.ipv4.ping_group_range",
                                   "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"", "/etc/sysctl.d/",
                                   "CAP_NET_RAW", "AmbientCapabilities=CAP_NET_RAW"})
            QVERIFY2(result.message.contains(QLatin1String(needed)), qPrintable(result.message));
        QVERIFY2(result.message.contains(QStringLiteral("(gid %1)").arg(getgid())),
                 qPrintable(result.message));
    }

    void pingWithoutReplyIsAConnectionError()
    {
        // A raw UDP socket passed off as an ICMP one: the packets leave, no echo reply comes back.
        const int probe = ::socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
        if (probe < 0)
            QSKIP("needs CAP_NET_RAW to fake a socket that never gets a reply");
        ::close(probe);
        m_runner->setIcmpSocketOpener([](int domain, int type, int) {
            return type == SOCK_DGRAM ? ::socket(domain, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP)
                                      : -1;
        });
        const CheckResult result =
            run(QStringLiteral("ping"), {{"count", 2}, {"interval_ms", 10}, {"wait_ms", 200}});
        QCOMPARE(result.type, ResultType::ConnectionError);
        QVERIFY(!result.value);
        QCOMPARE(result.message, QStringLiteral("no echo reply from 127.0.0.1 to 2 requests (100% loss)"));
    }

    void pingThatCannotSendIsAConnectionError()
    {
        // An AF_UNIX socket refuses an IPv4 destination: every send fails.
        m_runner->setIcmpSocketOpener([](int, int type, int) {
            return type == SOCK_DGRAM ? ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
        });
        const CheckResult result =
            run(QStringLiteral("ping"), {{"count", 2}, {"interval_ms", 10}, {"wait_ms", 100}});
        QCOMPARE(result.type, ResultType::ConnectionError);
        QVERIFY2(result.message.startsWith(QStringLiteral("cannot ping 127.0.0.1: ")),
                 qPrintable(result.message));
    }

    void pingThatOutlivesItsTimeout()
    {
        m_runner->setIcmpSocketOpener([](int, int type, int) {
            return type == SOCK_DGRAM ? ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
        });
        const CheckResult result = run(QStringLiteral("ping"), {{"count", 10}, {"interval_ms", 1000}},
                                       QStringLiteral("127.0.0.1"), 200ms);
        QCOMPARE(result.type, ResultType::Timeout);
        QVERIFY2(result.message.contains(QStringLiteral("count × interval_ms + wait_ms must fit")),
                 qPrintable(result.message));
    }

    void pingArguments()
    {
        QCOMPARE(run(QStringLiteral("ping"), {{"count", 0}}).type, ResultType::RequestError);
        QCOMPARE(run(QStringLiteral("ping"), {{"interval_ms", 1}}).type, ResultType::RequestError);
        QCOMPARE(run(QStringLiteral("ping"), {{"family", "ipx"}}).type, ResultType::RequestError);
        const CheckResult result = run(QStringLiteral("ping"), {{"family", "ipv6"}});
        QCOMPARE(result.type, ResultType::RequestError);
        QCOMPARE(result.message, QStringLiteral("family is ipv6, but the host's address 127.0.0.1 is IPv4"));
    }

    void icmpPackets()
    {
        const QByteArray request = icmp::echoRequest(icmp::Family::V4, 0x1234, 7, "payload!");
        QCOMPARE(request.size(), 16);
        QCOMPARE(quint8(request[0]), quint8(8));
        QCOMPARE(icmp::internetChecksum(request), quint16(0)); // a correct checksum sums to zero
        QCOMPARE(quint8(icmp::echoRequest(icmp::Family::V6, 1, 1, "x")[0]), quint8(128));

        // A reply as a raw IPv4 socket delivers it: a 20-byte IP header first.
        QByteArray reply = request;
        reply[0] = 0;
        const QByteArray ipHeader = QByteArray(1, char(0x45)) + QByteArray(19, '\0');
        std::optional<icmp::EchoReply> parsed =
            icmp::parseEchoReply(ipHeader + reply, icmp::Family::V4, true);
        QVERIFY(parsed);
        QCOMPARE(parsed->identifier, quint16(0x1234));
        QCOMPARE(parsed->sequence, quint16(7));
        QCOMPARE(parsed->payload, QByteArray("payload!"));
        QVERIFY(icmp::parseEchoReply(reply, icmp::Family::V4, false));
        QVERIFY(!icmp::parseEchoReply(request, icmp::Family::V4, false)); // a request, not a reply
        QVERIFY(!icmp::parseEchoReply(reply.left(7), icmp::Family::V4, false));
        QByteArray v6Reply = icmp::echoRequest(icmp::Family::V6, 1, 2, "x");
        v6Reply[0] = char(129);
        QCOMPARE(icmp::parseEchoReply(v6Reply, icmp::Family::V6, true)->sequence, quint16(2));
    }

    // --- DNS ---------------------------------------------------------------------------------

    void dnsLocalhost()
    {
        CheckResult result = run(QStringLiteral("dns"), {{"name", "localhost"}, {"record_type", "A"}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY(result.value && *result.value > 0);
        QCOMPARE(metricOf(result, "time_total_ms"), result.value);
        QCOMPARE(metricOf(result, "records"), std::optional<double>(1));
        QVERIFY2(result.message.startsWith(QStringLiteral("localhost resolves to 127.0.0.1 in ")),
                 qPrintable(result.message));

        result = run(QStringLiteral("dns"), {{"name", "LOCALHOST"}, {"expected", "127.0.0.1"}});
        QCOMPARE(result.status, PluginStatus::Ok);
        result = run(QStringLiteral("dns"), {{"name", "localhost"}, {"expected", "127.0.0.1, 192.0.2.1"}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Critical);
        QVERIFY2(result.message.endsWith(QStringLiteral(", but not to the expected 192.0.2.1")),
                 qPrintable(result.message));
    }

    void dnsDefaultsToTheHostsAddressAndResolvesAnAddressBack()
    {
        CheckResult result = run(QStringLiteral("dns"), {}, QStringLiteral("localhost"));
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY2(result.message.contains(QStringLiteral("127.0.0.1")), qPrintable(result.message));

        result = run(QStringLiteral("dns"), {{"expected", "localhost"}}, QStringLiteral("127.0.0.1"));
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY2(result.message.startsWith(QStringLiteral("127.0.0.1 resolves back to localhost")),
                 qPrintable(result.message));
    }

    void dnsNamesUnderInvalidAreNotAsked()
    {
        // RFC 6761: such names never exist. Nothing leaves the machine, not even to the resolver.
        auto asked = std::make_shared<int>(0);
        m_runner->resolver().setLookupFunction([asked](const LookupQuery &query) {
            ++*asked;
            return systemLookup(query);
        });
        const CheckResult result = run(QStringLiteral("dns"), {{"name", "no-such-host.invalid"}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Critical);
        QVERIFY(result.value);
        QCOMPARE(metricOf(result, "records"), std::optional<double>(0));
        QVERIFY2(result.message.startsWith(QStringLiteral("no-such-host.invalid: no addresses (")),
                 qPrintable(result.message));
        QCOMPARE(*asked, 0);
    }

    // The system resolver's other answers, given by a stand-in (a real NXDOMAIN would need a
    // name server that answers; the machine's may be out of reach).
    void dnsResolverAnswers()
    {
        m_runner->resolver().setLookupFunction([](const LookupQuery &query) {
            LookupAnswer answer;
            if (query.name == QLatin1String("gone.example")) {
                answer.outcome = LookupAnswer::Outcome::NoSuchName;
                answer.error = QStringLiteral("Name or service not known");
            } else {
                answer.outcome = LookupAnswer::Outcome::Failed;
                answer.error = QStringLiteral("Temporary failure in name resolution");
            }
            return answer;
        });
        CheckResult result = run(QStringLiteral("dns"), {{"name", "gone.example"}, {"record_type", "AAAA"}});
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Critical);
        QCOMPARE(result.message.left(60),
                 QStringLiteral("gone.example: no AAAA records (Name or service not known)").left(60));

        result = run(QStringLiteral("dns"), {{"name", "www.example"}});
        QCOMPARE(result.type, ResultType::ConnectionError);
        QCOMPARE(result.message,
                 QStringLiteral("the resolver gave no answer for addresses of www.example: Temporary "
                                "failure in name resolution"));
    }

    void dnsResolverThatHangsTimesOut()
    {
        auto release = std::make_shared<QSemaphore>();
        m_runner->resolver().setLookupFunction([release](const LookupQuery &) {
            release->acquire(); // until the test is done: a resolver stuck in its own timeouts
            return LookupAnswer{};
        });
        const CheckResult result =
            run(QStringLiteral("dns"), {{"name", "slow.example"}}, QStringLiteral("127.0.0.1"), 200ms);
        QCOMPARE(result.type, ResultType::Timeout);
        QCOMPARE(result.message,
                 QStringLiteral("the resolver gave no answer for addresses of slow.example within 200 ms"));
        QCOMPARE(m_runner->resolver().running(), 1);
        release->release();
        QTRY_COMPARE(m_runner->resolver().running(), 0); // the late answer is dropped
    }

    void dnsQueryToAServer()
    {
        FakeDnsServer server;
        if (!server.listen())
            QSKIP("cannot bind 127.0.0.1:53 here (needs root, and the port free)");
        server.addA(QStringLiteral("printer.example.test"), QHostAddress(QStringLiteral("192.0.2.80")));
        server.addMx(QStringLiteral("example.test"), 10, QStringLiteral("mail.example.test"));
        server.addTxt(QStringLiteral("example.test"), "v=spf1 -all");
        server.addCname(QStringLiteral("www.example.test"), QStringLiteral("web.example.test"));
        const QJsonObject base{{"server", "127.0.0.1"}};

        QJsonObject arguments = base;
        arguments.insert("name", "printer.example.test");
        arguments.insert("record_type", "A");
        arguments.insert("expected", "192.0.2.80");
        CheckResult result = run(QStringLiteral("dns"), arguments);
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY2(result.message.startsWith(QStringLiteral("printer.example.test resolves to 192.0.2.80 in ")),
                 qPrintable(result.message));
        QVERIFY2(result.message.endsWith(QStringLiteral("(asked 127.0.0.1)")), qPrintable(result.message));

        arguments = base;
        arguments.insert("name", "example.test");
        arguments.insert("record_type", "MX");
        arguments.insert("expected", "mail.example.test.");
        result = run(QStringLiteral("dns"), arguments);
        QCOMPARE(result.status, PluginStatus::Ok);
        QVERIFY2(result.message.contains(QStringLiteral("10 mail.example.test")), qPrintable(result.message));

        arguments.insert("record_type", "TXT");
        arguments.insert("expected", "v=spf1 -all");
        QCOMPARE(run(QStringLiteral("dns"), arguments).status, PluginStatus::Ok);
        arguments.insert("expected", "v=spf1 +all");
        QCOMPARE(run(QStringLiteral("dns"), arguments).status, PluginStatus::Critical);

        arguments = base;
        arguments.insert("name", "www.example.test");
        arguments.insert("record_type", "CNAME");
        arguments.insert("expected", "web.example.test");
        QCOMPARE(run(QStringLiteral("dns"), arguments).status, PluginStatus::Ok);

        arguments.insert("name", "missing.example.test");
        result = run(QStringLiteral("dns"), arguments);
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Critical);
        QVERIFY2(result.message.startsWith(QStringLiteral("missing.example.test: no CNAME records")),
                 qPrintable(result.message));
        QVERIFY(server.queries() >= 6);
    }

    void dnsArguments()
    {
        QCOMPARE(run(QStringLiteral("dns"), {{"record_type", "SRV"}}).type, ResultType::RequestError);
        QCOMPARE(run(QStringLiteral("dns"), {{"record_type", "ANY"}, {"server", "127.0.0.1"}}).type,
                 ResultType::RequestError);
        QCOMPARE(run(QStringLiteral("dns"), {{"server", "dns.example"}, {"record_type", "A"}}).type,
                 ResultType::RequestError);
        QCOMPARE(run(QStringLiteral("dns"), {{"name", "  "}}).type, ResultType::RequestError);
    }

    // --- the runner --------------------------------------------------------------------------

    void theRunnerBoundsChecksAtOnce()
    {
        m_runner = std::make_unique<ServerCheckRunner>(ServerCheckLimits{.maxRunning = 2});
        TcpFixture server(TcpFixture::Behaviour::Silent);
        QList<CheckResult> results;
        for (int i = 0; i < 5; ++i)
            QVERIFY(m_runner->enqueue(checkRequest(QStringLiteral("tcp"),
                                                   {{"port", server.port()}, {"expect", "x"}}, "127.0.0.1",
                                                   200ms),
                                      [&results](const CheckResult &result) { results.append(result); }));
        QCOMPARE(m_runner->waiting(), 5); // nothing starts inside enqueue()
        int mostRunning = 0;
        QDeadlineTimer bound(30'000);
        while (results.size() < 5 && !bound.hasExpired()) {
            mostRunning = std::max(mostRunning, m_runner->running());
            QTest::qWait(1);
        }
        QCOMPARE(results.size(), 5);
        QCOMPARE(mostRunning, 2);
        for (const CheckResult &result : results)
            QCOMPARE(result.type, ResultType::Timeout);
        QCOMPARE(m_runner->running(), 0);
        QCOMPARE(m_runner->waiting(), 0);
    }

    void theRunnerBoundsItsQueue()
    {
        m_runner = std::make_unique<ServerCheckRunner>(ServerCheckLimits{.maxRunning = 1, .maxWaiting = 2});
        int finished = 0;
        const auto count = [&finished](const CheckResult &) { ++finished; };
        QVERIFY(m_runner->enqueue(checkRequest(QStringLiteral("tcp"), {}), count));
        QVERIFY(m_runner->enqueue(checkRequest(QStringLiteral("tcp"), {}), count));
        QVERIFY(!m_runner->enqueue(checkRequest(QStringLiteral("tcp"), {}), count));
        QCOMPARE(m_runner->dropWaiting(), 2);
        QTest::qWait(20);
        QCOMPARE(finished, 0);
    }

    void resultsNeverArriveInsideEnqueue()
    {
        bool finished = false;
        QVERIFY(m_runner->enqueue(checkRequest(QStringLiteral("smtp"), {}), [&finished](
                                                                                const CheckResult &result) {
            finished = true;
            QCOMPARE(result.type, ResultType::RequestError);
            QCOMPARE(result.message,
                     QStringLiteral("'smtp' is not a check this core runs: it runs http, tcp, ping, dns"));
        }));
        QVERIFY(!finished);
        QTRY_VERIFY(finished);
        // A provider with nothing to run any more runs nothing.
        bool provided = false;
        QVERIFY(m_runner->enqueue(
            [&provided]() -> std::optional<ServerCheckRequest> {
                provided = true;
                return std::nullopt;
            },
            [](const CheckResult &) { QFAIL("nothing should finish"); }));
        QTRY_VERIFY(provided);
        QCOMPARE(m_runner->running(), 0);
    }

    // --- the dispatcher ----------------------------------------------------------------------

    void theDispatcherRunsServerPlugins()
    {
        TcpFixture server(TcpFixture::Behaviour::Banner, "220 printer ready\r\n");
        ConfigBuilder builder;
        const QUuid host =
            builder.addHost(QStringLiteral("printer"), QStringLiteral("127.0.0.1"), 4048, QString());
        const Plugin tcp = builtIn(QStringLiteral("tcp"));
        const QUuid plugin =
            builder.addPlugin(tcp.pluginId, QString(), tcp.timeoutSeconds, PluginRuntime::Server);
        builder.plugin(plugin).entry = tcp.entry;
        builder.plugin(plugin).arguments = tcp.arguments;
        const QUuid check = builder.addCheck(plugin, {{"port", server.port()}, {"expect", "^220 "}});
        Dispatcher dispatcher(m_core, [](const QUuid &, const QString &) { return noPackage(); });
        dispatcher.setConfiguration(builder.snapshot());
        DispatchLog log(&dispatcher);

        QCOMPARE(dispatcher.enqueue(runJob(host, check, plugin)), EnqueueOutcome::Queued);
        QCOMPARE(dispatcher.enqueue(runJob(host, check, plugin)), EnqueueOutcome::AlreadyWaiting);
        QCOMPARE(dispatcher.counters().duplicates, quint64(1));
        QCOMPARE(dispatcher.counters().serverChecksWaiting, qint64(1));
        QVERIFY(log.waitForResults(1));
        const auto &[job, result] = log.results.first();
        QCOMPARE(job.series.hostId, host);
        QCOMPARE(result.hostId, host);
        QCOMPARE(result.checkId, check);
        QCOMPARE(result.pluginId, plugin);
        QVERIFY(result.time.isValid());
        QCOMPARE(result.type, ResultType::Success);
        QCOMPARE(result.status, PluginStatus::Ok);
        QCOMPARE(result.classification, State::Unknown); // the engine classifies
        QVERIFY2(result.message.contains(QStringLiteral("answer matches /^220 /")),
                 qPrintable(result.message));
        QCOMPARE(log.started.size(), 1);
        QCOMPARE(dispatcher.counters().resultsOf(ResultType::Success), quint64(1));
        QCOMPARE(dispatcher.counters().connections, quint64(0));
        QCOMPARE(dispatcher.counters().serverChecksRunning, 0);
        // Once started, the same series may be queued again.
        QCOMPARE(dispatcher.enqueue(runJob(host, check, plugin)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(2));

        // A disabled host takes no runs.
        builder.host(host).enabled = false;
        dispatcher.setConfiguration(builder.snapshot());
        QCOMPARE(dispatcher.enqueue(runJob(host, check, plugin)), EnqueueOutcome::HostUnknown);
    }

    void theDispatcherResolvesArgumentsLikeTheAgent()
    {
        ConfigBuilder builder;
        const QUuid host =
            builder.addHost(QStringLiteral("router"), QStringLiteral("127.0.0.1"), 4048, QString());
        const Plugin tcp = builtIn(QStringLiteral("tcp"));
        const QUuid plugin =
            builder.addPlugin(tcp.pluginId, QString(), tcp.timeoutSeconds, PluginRuntime::Server);
        builder.plugin(plugin).entry = tcp.entry;
        builder.plugin(plugin).arguments = tcp.arguments;
        const QUuid unknownArgument = builder.addCheck(plugin, {{"port", 22}, {"prot", 23}});
        const QUuid missingPort = builder.addCheck(plugin, {});
        Dispatcher dispatcher(m_core, [](const QUuid &, const QString &) { return noPackage(); });
        dispatcher.setConfiguration(builder.snapshot());
        DispatchLog log(&dispatcher);

        QCOMPARE(dispatcher.enqueue(runJob(host, unknownArgument, plugin)), EnqueueOutcome::Queued);
        QCOMPARE(dispatcher.enqueue(runJob(host, missingPort, plugin)), EnqueueOutcome::Queued);
        QVERIFY(log.waitForResults(2));
        QCOMPARE(log.results[0].second.type, ResultType::RequestError);
        QCOMPARE(log.results[0].second.message,
                 QStringLiteral("org.prophasis.tcp cannot run: org.prophasis.tcp has no argument 'prot'"));
        QCOMPARE(log.results[1].second.type, ResultType::RequestError);
        QCOMPARE(log.results[1].second.message,
                 QStringLiteral("org.prophasis.tcp cannot run: argument 'port' is required"));
        QCOMPARE(log.started.size(), 0);
    }

    void aHostRemovedWhileItsCheckRunsGetsNoResult()
    {
        TcpFixture server(TcpFixture::Behaviour::Silent);
        ConfigBuilder builder;
        const QUuid host =
            builder.addHost(QStringLiteral("router"), QStringLiteral("127.0.0.1"), 4048, QString());
        const Plugin tcp = builtIn(QStringLiteral("tcp"));
        const QUuid plugin = builder.addPlugin(tcp.pluginId, QString(), 1, PluginRuntime::Server);
        builder.plugin(plugin).entry = tcp.entry;
        builder.plugin(plugin).arguments = tcp.arguments;
        const QUuid check = builder.addCheck(plugin, {{"port", server.port()}, {"expect", "never"}});
        Dispatcher dispatcher(m_core, [](const QUuid &, const QString &) { return noPackage(); });
        dispatcher.setConfiguration(builder.snapshot());
        DispatchLog log(&dispatcher);

        QCOMPARE(dispatcher.enqueue(runJob(host, check, plugin)), EnqueueOutcome::Queued);
        QTRY_COMPARE(log.started.size(), 1);
        builder.config().hosts.remove(host);
        dispatcher.setConfiguration(builder.snapshot());
        QTRY_COMPARE_WITH_TIMEOUT(dispatcher.counters().dropped, quint64(1), 10'000);
        QCOMPARE(dispatcher.counters().serverChecksRunning, 0);
        QCOMPARE(log.results.size(), 0);
    }

    void drainWaitsForServerChecksRunning()
    {
        TcpFixture server(TcpFixture::Behaviour::Silent);
        ConfigBuilder builder;
        const QUuid host =
            builder.addHost(QStringLiteral("router"), QStringLiteral("127.0.0.1"), 4048, QString());
        const Plugin tcp = builtIn(QStringLiteral("tcp"));
        const QUuid plugin = builder.addPlugin(tcp.pluginId, QString(), 1, PluginRuntime::Server);
        builder.plugin(plugin).entry = tcp.entry;
        builder.plugin(plugin).arguments = tcp.arguments;
        const QUuid check1 = builder.addCheck(plugin, {{"port", server.port()}, {"expect", "never"}});
        const QUuid check2 = builder.addCheck(plugin, {{"port", server.port()}});
        DispatcherLimits limits;
        limits.serverChecks.maxRunning = 1;
        Dispatcher dispatcher(
            m_core, [](const QUuid &, const QString &) { return noPackage(); }, limits);
        dispatcher.setConfiguration(builder.snapshot());
        DispatchLog log(&dispatcher);

        QCOMPARE(dispatcher.enqueue(runJob(host, check1, plugin)), EnqueueOutcome::Queued);
        QCOMPARE(dispatcher.enqueue(runJob(host, check2, plugin)), EnqueueOutcome::Queued);
        QTRY_COMPARE(log.started.size(), 1);
        dispatcher.drain();
        QCOMPARE(dispatcher.counters().dropped, quint64(1)); // the waiting one
        QCOMPARE(dispatcher.enqueue(runJob(host, check2, plugin)), EnqueueOutcome::ShuttingDown);
        QTRY_VERIFY_WITH_TIMEOUT(log.drained, 10'000);
        // Drained only after the running check reported (its 1 s deadline passed).
        QCOMPARE(log.results.size(), 1);
        QCOMPARE(log.results.first().second.type, ResultType::Timeout);
        QCOMPARE(log.results.first().first.series.checkId, check1);
    }

private:
    TlsIdentity m_core = TlsIdentity::generate(QStringLiteral("core"));
    std::unique_ptr<ServerCheckRunner> m_runner;
};

QTEST_GUILESS_MAIN(TestServerChecks)
#include "tst_serverchecks.moc"
