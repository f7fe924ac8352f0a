#include <QRandomGenerator>
#include <QTest>

#include "shared/http/httprequestparser.h"

using namespace prophasis;

namespace {

using State = HttpRequestParser::State;

struct Outcome
{
    State state = State::NeedMore;
    int errorStatus = 0;
    QString errorMessage;
    qsizetype consumed = 0;
    HttpRequest request;
};

// Feeds `raw` in pieces of `step` bytes (0: all at once) until the parser stops asking for more.
Outcome parse(const QByteArray &raw, qsizetype step = 0, const HttpLimits &limits = {})
{
    HttpRequestParser parser(limits);
    Outcome outcome;
    qsizetype offset = 0;
    while (offset < raw.size()) {
        const qsizetype size = step == 0 ? raw.size() - offset : std::min(step, raw.size() - offset);
        const HttpRequestParser::Result result = parser.feed(QByteArrayView(raw).sliced(offset, size));
        outcome.consumed += result.consumed;
        offset += size;
        outcome.state = result.state;
        outcome.errorStatus = result.errorStatus;
        outcome.errorMessage = result.errorMessage;
        if (result.state != State::NeedMore)
            break;
    }
    if (outcome.state == State::Complete)
        outcome.request = parser.take();
    return outcome;
}

QByteArray repeated(char c, qsizetype count)
{
    return QByteArray(count, c);
}

// A request whose request line ("GET /aaa… HTTP/1.1") is exactly `length` bytes.
QByteArray requestWithLineOf(qsizetype length)
{
    const QByteArray fixed = "GET / HTTP/1.1";
    return "GET /" + repeated('a', length - fixed.size()) + " HTTP/1.1\r\nHost: a\r\n\r\n";
}

// A request whose header lines (after the request line, CRLFs included, final empty line not)
// take exactly `bytes` bytes.
QByteArray requestWithHeaderBytes(qsizetype bytes)
{
    const QByteArray host = "Host: a\r\n";
    const QByteArray prefix = "X-Padding: ";
    const qsizetype padding = bytes - host.size() - prefix.size() - 2;
    return "GET / HTTP/1.1\r\n" + host + prefix + repeated('p', padding) + "\r\n\r\n";
}

QByteArray requestWithHeaderCount(int count)
{
    QByteArray raw = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 1; i < count; ++i)
        raw += "X-H" + QByteArray::number(i) + ": v\r\n";
    return raw + "\r\n";
}

} // namespace

class TestHttpRequestParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesRequests_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("keepAlive");

        QTest::newRow("simple GET") << QByteArray("GET /v1/ping HTTP/1.1\r\nHost: agent\r\n\r\n")
                                    << QByteArray("GET") << "/v1/ping" << QByteArray() << true;
        QTest::newRow("POST with body")
            << QByteArray("POST /v1/plugins/cpu/run HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                          "Content-Length: 15\r\n\r\n{\"arguments\":1}")
            << QByteArray("POST") << "/v1/plugins/cpu/run" << QByteArray("{\"arguments\":1}") << true;
        QTest::newRow("chunked body")
            << QByteArray("PUT /v1/plugins/cpu HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5\r\nhello\r\n6;note=x\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
            << QByteArray("PUT") << "/v1/plugins/cpu" << QByteArray("hello world") << true;
        QTest::newRow("chunked, coding name in capitals")
            << QByteArray(
                   "PUT /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
            << QByteArray("PUT") << "/p" << QByteArray("abc") << true;
        QTest::newRow("HTTP/1.1 Connection: close")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n") << QByteArray("GET")
            << "/" << QByteArray() << false;
        QTest::newRow("HTTP/1.0 closes by default")
            << QByteArray("GET / HTTP/1.0\r\n\r\n") << QByteArray("GET") << "/" << QByteArray() << false;
        QTest::newRow("HTTP/1.0 keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
                                             << QByteArray("GET") << "/" << QByteArray() << true;
        QTest::newRow("HTTP/1.0 with Content-Length")
            << QByteArray("POST /x HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc") << QByteArray("POST") << "/x"
            << QByteArray("abc") << false;
        QTest::newRow("percent-decoded path")
            << QByteArray("GET /v1/plugins/cpu%2Dload/%C3%A9t%C3%A9%20x?allow_downgrade=1 HTTP/1.1\r\nHost: "
                          "a\r\n\r\n")
            << QByteArray("GET") << QStringLiteral("/v1/plugins/cpu-load/\u00e9t\u00e9 x") << QByteArray()
            << true;
        QTest::newRow("absolute form")
            << QByteArray("GET https://agent:4048/v1/ping?x=1 HTTP/1.1\r\nHost: agent:4048\r\n\r\n")
            << QByteArray("GET") << "/v1/ping" << QByteArray() << true;
        QTest::newRow("OPTIONS *") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")
                                   << QByteArray("OPTIONS") << "*" << QByteArray() << true;
        QTest::newRow("empty line before the request") << QByteArray("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
                                                       << QByteArray("GET") << "/" << QByteArray() << true;
        QTest::newRow("body with CR LF and NUL bytes")
            << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\n\r\n\0\r\n\n", 53)
            << QByteArray("POST") << "/" << QByteArray("\r\n\0\r\n\n", 6) << true;
    }

    void parsesRequests()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(bool, keepAlive);
        // All at once, one byte at a time, and in odd pieces: the same request every time.
        for (const qsizetype step : {qsizetype(0), qsizetype(1), qsizetype(7)}) {
            const Outcome outcome = parse(raw, step);
            QCOMPARE(outcome.state, State::Complete);
            QCOMPARE(outcome.consumed, raw.size());
            QCOMPARE(outcome.request.method, method);
            QCOMPARE(outcome.request.path, path);
            QCOMPARE(outcome.request.body, body);
            QCOMPARE(outcome.request.keepAlive, keepAlive);
        }
    }

    void everySplitGivesTheSameRequest()
    {
        const QByteArray raw = "PUT /v1/plugins/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "4\r\nabcd\r\n3;e=1\r\nefg\r\n0\r\n\r\n";
        for (qsizetype split = 0; split <= raw.size(); ++split) {
            HttpRequestParser parser;
            const auto first = parser.feed(QByteArrayView(raw).first(split));
            if (split < raw.size()) {
                QCOMPARE(first.state, State::NeedMore);
                QCOMPARE(first.consumed, split);
                const auto second = parser.feed(QByteArrayView(raw).sliced(split));
                QCOMPARE(second.state, State::Complete);
                QCOMPARE(second.consumed, raw.size() - split);
            } else {
                QCOMPARE(first.state, State::Complete);
            }
            QCOMPARE(parser.take().body, QByteArray("abcdefg"));
        }
    }

    void keepsHeadersAndQuery()
    {
        const Outcome outcome = parse(
            "GET /v1/x?allow_downgrade=1&name=a%20b%26c&flag HTTP/1.1\r\nHost: agent\r\nX-Thing: one\r\n"
            "x-thing: two\r\nAuthorization:  Bearer abc \r\n\r\n");
        QCOMPARE(outcome.state, State::Complete);
        const HttpRequest &request = outcome.request;
        QCOMPARE(request.target, QByteArray("/v1/x?allow_downgrade=1&name=a%20b%26c&flag"));
        QCOMPARE(request.query.queryItemValue(QStringLiteral("allow_downgrade")), QStringLiteral("1"));
        QCOMPARE(request.query.queryItemValue(QStringLiteral("name"), QUrl::FullyDecoded),
                 QStringLiteral("a b&c"));
        QVERIFY(request.query.hasQueryItem(QStringLiteral("flag")));
        QCOMPARE(request.headers.size(), 4);
        QCOMPARE(request.headers.at(1).first, QByteArray("X-Thing")); // names as sent, in order
        QCOMPARE(request.header("x-THING"), QByteArray("one"));       // first match, any case
        QCOMPARE(request.header("authorization"), QByteArray("Bearer abc"));
        QCOMPARE(request.header("missing"), QByteArray());
    }

    void trailerIsNotMergedIntoTheHeader()
    {
        const Outcome outcome = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                      "1\r\nx\r\n0\r\nAuthorization: Bearer sneaky\r\n\r\n");
        QCOMPARE(outcome.state, State::Complete);
        QCOMPARE(outcome.request.header("Authorization"), QByteArray());
    }

    void rejectsMalformedRequests_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<int>("status");

        const QByteArray host = "Host: a\r\n";
        QTest::newRow("bad method") << QByteArray("G(T / HTTP/1.1\r\n" + host + "\r\n") << 400;
        QTest::newRow("no version") << QByteArray("GET /\r\n" + host + "\r\n") << 400;
        QTest::newRow("garbage version") << QByteArray("GET / HTTX/1.1\r\n" + host + "\r\n") << 400;
        QTest::newRow("space in target") << QByteArray("GET /a b HTTP/1.1\r\n" + host + "\r\n") << 400;
        QTest::newRow("target not a path") << QByteArray("GET v1/ping HTTP/1.1\r\n" + host + "\r\n") << 400;
        QTest::newRow("ftp target") << QByteArray("GET ftp://a/b HTTP/1.1\r\n" + host + "\r\n") << 400;
        QTest::newRow("header without colon")
            << QByteArray("GET / HTTP/1.1\r\n" + host + "Broken\r\n\r\n") << 400;
        QTest::newRow("space before colon")
            << QByteArray("GET / HTTP/1.1\r\n" + host + "X-A : b\r\n\r\n") << 400;
        QTest::newRow("control character in value")
            << QByteArray("GET / HTTP/1.1\r\n" + host + "X-A: b\x01\r\n\r\n") << 400;
        QTest::newRow("bare LF line ends") << QByteArray("GET / HTTP/1.1\nHost: a\n\n") << 400;
        QTest::newRow("HTTP/1.1 without Host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("two Host headers") << QByteArray("GET / HTTP/1.1\r\n" + host + host + "\r\n") << 400;
        QTest::newRow("bad Content-Length")
            << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 1x\r\n\r\n") << 400;
        QTest::newRow("negative Content-Length")
            << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n") << 400;
        QTest::newRow("two different Content-Lengths")
            << QByteArray("POST / HTTP/1.1\r\n" + host + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab")
            << 400;
        QTest::newRow("Content-Length and chunked")
            << QByteArray("POST / HTTP/1.1\r\n" + host +
                          "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
            << 400;
        QTest::newRow("chunked and Content-Length")
            << QByteArray("POST / HTTP/1.1\r\n" + host +
                          "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n")
            << 400;
        QTest::newRow("bad chunk size")
            << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\n") << 400;
        QTest::newRow("chunk without CRLF")
            << QByteArray("POST / HTTP/1.1\r\n" + host +
                          "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX0\r\n\r\n")
            << 400;
        QTest::newRow("chunked in HTTP/1.0")
            << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
        QTest::newRow("NUL in path") << QByteArray("GET /a%00b HTTP/1.1\r\n" + host + "\r\n") << 400;
        QTest::newRow("path not UTF-8") << QByteArray("GET /%FF%FE HTTP/1.1\r\n" + host + "\r\n") << 400;
        QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\n" + host + "\r\n") << 505;
        QTest::newRow("HTTP/1.2") << QByteArray("GET / HTTP/1.2\r\n" + host + "\r\n") << 505;
        QTest::newRow("gzip transfer coding")
            << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip\r\n\r\n") << 501;
        QTest::newRow("gzip, chunked")
            << QByteArray("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n") << 501;
        QTest::newRow("CONNECT") << QByteArray("CONNECT a:443 HTTP/1.1\r\n" + host + "\r\n") << 501;
        QTest::newRow("unknown expectation")
            << QByteArray("POST / HTTP/1.1\r\n" + host + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\n")
            << 417;
    }

    void rejectsMalformedRequests()
    {
        QFETCH(QByteArray, raw);
        QFETCH(int, status);
        for (const qsizetype step : {qsizetype(0), qsizetype(1)}) {
            const Outcome outcome = parse(raw, step);
            QCOMPARE(outcome.state, State::Error);
            QCOMPARE(outcome.errorStatus, status);
            QVERIFY(!outcome.errorMessage.isEmpty());
        }
    }

    void defaultLimitsAreNamed()
    {
        const HttpLimits limits;
        QCOMPARE(limits.maxRequestLineBytes, 8 * 1024);
        QCOMPARE(limits.maxHeaderBytes, 16 * 1024);
        QCOMPARE(limits.maxHeaderCount, 100);
        QCOMPARE(limits.maxBodyBytes, 1024 * 1024);
        QCOMPARE(limits.maxConnections, 128);
        QCOMPARE(limits.idleTimeout, std::chrono::seconds(120));
        QCOMPARE(limits.handshakeTimeout, std::chrono::seconds(10));
        QCOMPARE(limits.requestTimeout, std::chrono::seconds(30));
        QCOMPARE(limits.writeTimeout, std::chrono::seconds(30));
    }

    void enforcesLimits_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<int>("status"); // 0: parsed (Complete or, for a body not sent, NeedMore)
        QTest::addColumn<QString>("message");

        const HttpLimits limits;
        QTest::newRow("request line at the limit")
            << requestWithLineOf(limits.maxRequestLineBytes) << 0 << QString();
        QTest::newRow("request line over the limit") << requestWithLineOf(limits.maxRequestLineBytes + 1)
                                                     << 414 << "the request line is longer than 8 KiB";
        // No line end yet: refused as soon as the line cannot fit any more.
        QTest::newRow("endless request line")
            << QByteArray("GET /" + repeated('a', limits.maxRequestLineBytes)) << 414
            << "the request line is longer than 8 KiB";
        QTest::newRow("headers at the limit")
            << requestWithHeaderBytes(limits.maxHeaderBytes) << 0 << QString();
        QTest::newRow("headers over the limit") << requestWithHeaderBytes(limits.maxHeaderBytes + 1) << 431
                                                << "the request headers are larger than 16 KiB";
        QTest::newRow("endless header")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + repeated('a', limits.maxHeaderBytes)) << 431
            << "the request headers are larger than 16 KiB";
        QTest::newRow("header count at the limit")
            << requestWithHeaderCount(limits.maxHeaderCount) << 0 << QString();
        QTest::newRow("header count over the limit") << requestWithHeaderCount(limits.maxHeaderCount + 1)
                                                     << 431 << "the request has more than 100 header fields";
        // Only the head is fed: a Content-Length over the limit fails before any body arrives.
        QTest::newRow("Content-Length at the limit")
            << QByteArray("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n") << 0 << QString();
        QTest::newRow("Content-Length over the limit")
            << QByteArray("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n") << 413
            << "the request body is larger than 1 MiB";
        QTest::newRow("huge Content-Length")
            << QByteArray("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n")
            << 400 << "the Content-Length header is invalid or contradicts Transfer-Encoding";
        // Chunks: refused at the chunk header that takes the total over the limit.
        QTest::newRow("chunked total over the limit")
            << QByteArray("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"
                          "100000\r\n")
            << 413 << "the request body is larger than 1 MiB";
        QTest::newRow("endless chunk extension")
            << QByteArray("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
                          repeated('e', limits.maxHeaderBytes + 1))
            << 400 << "a chunk header or the trailer is longer than 16 KiB";
    }

    void enforcesLimits()
    {
        QFETCH(QByteArray, raw);
        QFETCH(int, status);
        QFETCH(QString, message);
        for (const qsizetype step : {qsizetype(0), qsizetype(1)}) {
            const Outcome outcome = parse(raw, step);
            if (status == 0) {
                QVERIFY2(outcome.state != State::Error, qPrintable(outcome.errorMessage));
                continue;
            }
            QCOMPARE(outcome.state, State::Error);
            QCOMPARE(outcome.errorStatus, status);
            QCOMPARE(outcome.errorMessage, message);
        }
    }

    void endlessRequestLineIsRefusedEarly()
    {
        // The limit plus one byte (perhaps a CR) waits; one more byte without a line end cannot
        // fit any more: 414 at once, not after the client sends more.
        HttpRequestParser parser;
        const QByteArray line = "GET /" + repeated('a', HttpDefaults::MaxRequestLineBytes - 4);
        QCOMPARE(line.size(), HttpDefaults::MaxRequestLineBytes + 1);
        QCOMPARE(parser.feed(line).state, State::NeedMore);
        const auto result = parser.feed("b");
        QCOMPARE(result.state, State::Error);
        QCOMPARE(result.errorStatus, 414);
    }

    void shrunkenLimitsNameTheirSize()
    {
        HttpLimits limits;
        limits.maxBodyBytes = 10;
        limits.maxHeaderCount = 2;
        Outcome outcome = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", 0, limits);
        QCOMPARE(outcome.errorStatus, 413);
        QCOMPARE(outcome.errorMessage, QStringLiteral("the request body is larger than 10 bytes"));
        outcome = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", 0, limits);
        QCOMPARE(outcome.state, State::Complete);
        outcome = parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", 0, limits);
        QCOMPARE(outcome.errorStatus, 431);
        // Trailer fields count towards the header count too.
        outcome =
            parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n",
                  0, limits);
        QCOMPARE(outcome.errorStatus, 431);
    }

    void leavesPipelinedBytes()
    {
        const QByteArray first = "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
        const QByteArray second =
            "PUT /two HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n";
        const QByteArray third = "GET /three HTTP/1.1\r\nHost: a\r\n\r\n";
        const QByteArray all = first + second + third;
        HttpRequestParser parser;
        qsizetype offset = 0;
        QStringList paths;
        QByteArrayList bodies;
        for (const QByteArray &expected : {first, second, third}) {
            const auto result = parser.feed(QByteArrayView(all).sliced(offset));
            QCOMPARE(result.state, State::Complete);
            QCOMPARE(result.consumed, expected.size());
            offset += result.consumed;
            const HttpRequest request = parser.take();
            paths.append(request.path);
            bodies.append(request.body);
        }
        QCOMPARE(offset, all.size());
        QCOMPARE(paths,
                 QStringList({QStringLiteral("/one"), QStringLiteral("/two"), QStringLiteral("/three")}));
        QCOMPARE(bodies, QByteArrayList({"abc", "de", ""}));

        // A complete request waits for take(): more bytes are not consumed meanwhile.
        QCOMPARE(parser.feed(first).state, State::Complete);
        const auto waiting = parser.feed(third);
        QCOMPARE(waiting.state, State::Complete);
        QCOMPARE(waiting.consumed, 0);
    }

    void pipelinedBytesAfterAChunkSplitAcrossFeeds()
    {
        const QByteArray raw =
            "PUT /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n";
        HttpRequestParser parser;
        QCOMPARE(parser.feed(raw).state, State::NeedMore);
        const auto result = parser.feed("\r\nGET /b HTTP/1.1\r\n");
        QCOMPARE(result.state, State::Complete);
        QCOMPARE(result.consumed, 2);
        QCOMPARE(parser.take().body, QByteArray("abc"));
    }

    void expectsContinue()
    {
        HttpRequestParser parser;
        const QByteArray head =
            "PUT /p HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 5\r\n\r\n";
        QCOMPARE(parser.feed(head.first(20)).state, State::NeedMore);
        QVERIFY(!parser.expectsContinue()); // not before the head is complete
        QCOMPARE(parser.feed(QByteArrayView(head).sliced(20)).state, State::NeedMore);
        QVERIFY(parser.expectsContinue());
        QCOMPARE(parser.feed("hel").state, State::NeedMore);
        QVERIFY(!parser.expectsContinue()); // the client did not wait
        QCOMPARE(parser.feed("lo").state, State::Complete);
        QVERIFY(!parser.expectsContinue());
        QCOMPARE(parser.take().body, QByteArray("hello"));

        // Head and body together: nothing to wait for.
        QCOMPARE(parser.feed(head + "hel").state, State::NeedMore);
        QVERIFY(!parser.expectsContinue());
        parser.reset();
        // HTTP/1.0 clients cannot mean it.
        QCOMPARE(parser.feed("PUT /p HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n").state,
                 State::NeedMore);
        QVERIFY(!parser.expectsContinue());
        parser.reset();
        // No body: complete at once.
        QCOMPARE(
            parser.feed("PUT /p HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n")
                .state,
            State::Complete);
        QVERIFY(!parser.expectsContinue());
    }

    void resetAndReuse()
    {
        HttpRequestParser parser;
        QCOMPARE(parser.feed("POST /half HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc").state,
                 State::NeedMore);
        parser.reset();
        QCOMPARE(parser.feed("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").state, State::Complete);
        QCOMPARE(parser.take().path, QStringLiteral("/next"));

        QCOMPARE(parser.feed("BROKEN\r\n\r\n").state, State::Error);
        const auto stuck = parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        QCOMPARE(stuck.state, State::Error); // an error stays until reset
        QCOMPARE(stuck.consumed, 0);
        parser.reset();
        QCOMPARE(parser.feed("GET /again HTTP/1.1\r\nHost: a\r\n\r\n").state, State::Complete);
        QCOMPARE(parser.take().path, QStringLiteral("/again"));
        // take() readies the parser for the next request; without a request it returns nothing.
        QCOMPARE(parser.take().method, QByteArray());
        QCOMPARE(parser.feed("GET /third HTTP/1.1\r\nHost: a\r\n\r\n").state, State::Complete);
    }

    void survivesGarbage()
    {
        // Not a fuzzer, but the same contract: arbitrary bytes end in NeedMore or an error, never
        // a crash, and everything fed is accounted for.
        QRandomGenerator random(4048);
        const QByteArray valid = "PUT /v1/plugins/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "4\r\nabcd\r\n0\r\n\r\n";
        for (int round = 0; round < 2000; ++round) {
            QByteArray raw = valid;
            for (int flips = 1 + random.bounded(4); flips > 0; --flips)
                raw[random.bounded(int(raw.size()))] = char(random.bounded(256));
            HttpRequestParser parser;
            qsizetype offset = 0;
            while (offset < raw.size()) {
                const qsizetype size = std::min<qsizetype>(1 + random.bounded(16), raw.size() - offset);
                const auto result = parser.feed(QByteArrayView(raw).sliced(offset, size));
                QVERIFY(result.consumed >= 0 && result.consumed <= size);
                if (result.state == State::Error) {
                    QVERIFY(result.errorStatus >= 400 && result.errorStatus < 600);
                    break;
                }
                offset += result.consumed;
                if (result.state == State::Complete)
                    parser.take();
                else
                    QCOMPARE(result.consumed, size);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpRequestParser)
#include "tst_httprequestparser.moc"
