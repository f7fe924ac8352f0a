#include <QTest>

#include "console/client/sseparser.h"

using namespace prophasis;

// The Server-Sent Events format in any split, CR/LF/CRLF line ends, comments, multi-line data,
// ids and retry values, and the line limit.
class TestSseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesEventsFedByteByByte()
    {
        const QByteArray stream = "retry: 2000\n\n: keep-alive\n"
                                  "id: e1:1\nevent: health\ndata: {\"a\":1}\n\n"
                                  "id: e1:2\r\nevent: log\r\ndata: one\r\ndata: two\r\n\r\n"
                                  "data:no space\r\rdata: ignored-until-blank";
        SseParser parser;
        QList<SseEvent> events;
        for (const char byte : stream)
            events.append(parser.feed(QByteArray(1, byte)));
        QCOMPARE(events.size(), 4);
        QCOMPARE(events[0].type, QByteArray()); // the retry-only record
        QCOMPARE(events[0].retryMs, 2000);
        QCOMPARE(events[1].id, QByteArray("e1:1"));
        QCOMPARE(events[1].type, QByteArray("health"));
        QCOMPARE(events[1].data, QByteArray("{\"a\":1}"));
        QCOMPARE(events[2].type, QByteArray("log"));
        QCOMPARE(events[2].data, QByteArray("one\ntwo"));
        QCOMPARE(events[3].type, QByteArray("message"));
        QCOMPARE(events[3].data, QByteArray("no space"));
    }

    void crlfSplitAcrossPiecesIsOneLineBreak()
    {
        SseParser parser;
        QList<SseEvent> events = parser.feed("data: x\r");
        events += parser.feed("\n\r");
        events += parser.feed("\n");
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].data, QByteArray("x"));
    }

    void eventsWithoutDataAreDropped()
    {
        SseParser parser;
        QVERIFY(parser.feed("event: health\nid: 7\n\n").isEmpty());
        const QList<SseEvent> events = parser.feed("data: y\n\n");
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].type, QByteArray("message")); // the type did not carry over
    }

    void overlongLineIsRefused()
    {
        SseParser parser;
        bool overflow = false;
        parser.feed("data: " + QByteArray(SseParser::MaxLineBytes, 'x'), &overflow);
        QVERIFY(overflow);
        const QList<SseEvent> events = parser.feed("\n\ndata: ok\n\n", &overflow);
        QVERIFY(!overflow);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.last().data, QByteArray("ok"));
    }
};

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
