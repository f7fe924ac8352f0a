#include <QTest>

#include "daemon-core/dispatch/httpresponseparser.h"

using namespace prophasis;

// The client side's response parser: the agent's answers arrive split anywhere, bodies are
// bounded, and anything that is not one well-formed response is an error.
class TestResponseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void completeInOnePiece()
    {
        HttpResponseParser parser;
        QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             "11\r\n\r\n{\"value\":1}"),
                 HttpResponseParser::State::Complete);
        const HttpClientResponse response = parser.take();
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("{\"value\":1}"));
        QCOMPARE(response.header("content-type"), QByteArray("application/json"));
        QVERIFY(response.keepAlive);
        QVERIFY(!parser.hasExcessBytes());
    }

    void splitByteByByte()
    {
        const QByteArray wire =
            "HTTP/1.1 409 Conflict\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde";
        HttpResponseParser parser;
        for (qsizetype i = 0; i < wire.size() - 1; ++i)
            QCOMPARE(parser.feed(wire.mid(i, 1)), HttpResponseParser::State::NeedMore);
        QCOMPARE(parser.feed(wire.right(1)), HttpResponseParser::State::Complete);
        const HttpClientResponse response = parser.take();
        QCOMPARE(response.status, 409);
        QCOMPARE(response.body, QByteArray("abcde"));
        QVERIFY(!response.keepAlive);
    }

    void chunkedBody()
    {
        HttpResponseParser parser;
        QCOMPARE(parser.feed(
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
                 HttpResponseParser::State::Complete);
        QCOMPARE(parser.take().body, QByteArray("abcde"));
    }

    void bodyUntilTheConnectionCloses()
    {
        HttpResponseParser parser;
        QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\n\r\npartial"), HttpResponseParser::State::NeedMore);
        QCOMPARE(parser.finish(), HttpResponseParser::State::Complete);
        QCOMPARE(parser.take().body, QByteArray("partial"));
    }

    void closedEarly()
    {
        HttpResponseParser untouched;
        QVERIFY(untouched.isUntouched());
        QCOMPARE(untouched.finish(), HttpResponseParser::State::Error);
        QVERIFY(untouched.errorMessage().contains(QStringLiteral("without an answer")));

        HttpResponseParser cut;
        QCOMPARE(cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
                 HttpResponseParser::State::NeedMore);
        QVERIFY(!cut.isUntouched());
        QCOMPARE(cut.finish(), HttpResponseParser::State::Error);
    }

    void bodyLimit()
    {
        HttpResponseParser parser(8);
        QCOMPARE(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"),
                 HttpResponseParser::State::Error);
        QVERIFY2(parser.errorMessage().contains(QStringLiteral("larger than 8 bytes")),
                 qPrintable(parser.errorMessage()));

        HttpResponseParser chunked(8);
        QCOMPARE(
            chunked.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\nfghij\r\n"),
            HttpResponseParser::State::Error);
    }

    void headLimit()
    {
        HttpResponseParser parser;
        QByteArray head = "HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(HttpResponseParser::MaxHeadBytes, 'a');
        QCOMPARE(parser.feed(head), HttpResponseParser::State::Error);

        HttpResponseParser many;
        QByteArray fields = "HTTP/1.1 200 OK\r\n";
        for (int i = 0; i < 200; ++i)
            fields += "X-" + QByteArray::number(i) + ": 1\r\n";
        QCOMPARE(many.feed(fields + "\r\n"), HttpResponseParser::State::Error);
    }

    void garbage()
    {
        HttpResponseParser parser;
        QCOMPARE(parser.feed("SSH-2.0-OpenSSH_9.2\r\n\r\n"), HttpResponseParser::State::Error);
        QVERIFY(parser.errorMessage().contains(QStringLiteral("not valid HTTP")));
        HttpResponseParser request;
        QCOMPARE(request.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), HttpResponseParser::State::Error);
    }

    void bytesAfterTheResponseAreExcess()
    {
        HttpResponseParser parser;
        QCOMPARE(parser.feed("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n"),
                 HttpResponseParser::State::Complete);
        QVERIFY(parser.hasExcessBytes());
        QCOMPARE(parser.take().status, 204);
    }
};

QTEST_GUILESS_MAIN(TestResponseParser)
#include "tst_responseparser.moc"
