#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "daemon-core/storage/resultspool.h"

using namespace prophasis;

namespace {

const QDateTime T0 = QDateTime(QDate(2026, 3, 1), QTime(10, 0), Qt::UTC);

bool sameResult(const CheckResult &a, const CheckResult &b)
{
    return a.hostId == b.hostId && a.checkId == b.checkId && a.pluginId == b.pluginId && a.time == b.time &&
           a.type == b.type && a.value == b.value && a.message == b.message && a.status == b.status &&
           a.classification == b.classification && a.metrics == b.metrics && a.durationMs == b.durationMs;
}

QList<CheckResult> batch(int first, int count, const QString &message = QStringLiteral("fine"))
{
    QList<CheckResult> results;
    for (int i = first; i < first + count; ++i) {
        CheckResult result;
        result.hostId = QUuid::createUuid();
        result.checkId = QUuid::createUuid();
        result.pluginId = QUuid::createUuid();
        result.time = T0.addMSecs(i * 1001);
        result.value = i % 3 ? std::optional<double>(i / 7.0) : std::nullopt;
        result.message = message;
        result.type = i % 2 ? ResultType::Timeout : ResultType::Success;
        result.status = PluginStatus::Warning;
        result.classification = i % 2 ? State::Unknown : State::Major;
        result.durationMs = i;
        result.metrics = {{QStringLiteral("load1"), i * 0.5, {}},
                          {QStringLiteral("/var ✓"), 81, QStringLiteral("%")}};
        results.append(result);
    }
    return results;
}

QStringList segments(const QString &directory)
{
    return QDir(directory).entryList({QStringLiteral("*.spool")}, QDir::Files, QDir::Name);
}

} // namespace

// The on-disk queue the result writer keeps while the database is away.
class TestResultSpool : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }

    void recordsComeBackInOrderAndExactly()
    {
        ResultSpool spool(path(), 1 << 20);
        QString error;
        QVERIFY2(spool.open(&error), qPrintable(error));
        QVERIFY(spool.isEmpty());
        const QList<QList<CheckResult>> records = {
            batch(0, 3), batch(3, 1, QStringLiteral("ünïcødé ✓ '\"\n")), batch(4, 5, {})};
        qint64 expectedBytes = 0;
        for (const QList<CheckResult> &record : records) {
            QCOMPARE(spool.append(record, &error), ResultSpool::AppendResult::Appended);
            expectedBytes += ResultSpool::recordBytes(record);
        }
        // The size the writer reserves is the size the record takes.
        QCOMPARE(spool.bytes(), expectedBytes);
        QCOMPARE(QFileInfo(path() + u'/' + segments(path()).constFirst()).size(), expectedBytes);
        QCOMPARE(spool.recordCount(), 3);
        QCOMPARE(spool.resultCount(), 9);
        for (const QList<CheckResult> &record : records) {
            const ResultSpool::Head head = spool.readHead(1);
            QVERIFY2(head.ok, qPrintable(head.error));
            QCOMPARE(head.records, 1);
            QCOMPARE(head.bytes, ResultSpool::recordBytes(record));
            QCOMPARE(head.results.size(), record.size());
            for (qsizetype i = 0; i < record.size(); ++i)
                QVERIFY(sameResult(head.results[i], record[i]));
            spool.dropHead();
        }
        QVERIFY(spool.isEmpty());
        QCOMPARE(spool.bytes(), 0);
        QVERIFY(segments(path()).isEmpty()); // drained segments are deleted
    }

    void aReopenedSpoolHasTheRecordsOfTheLastRun()
    {
        const QList<CheckResult> first = batch(0, 2);
        {
            ResultSpool spool(path(), 1 << 20);
            QString error;
            QVERIFY(spool.open(&error));
            spool.append(first);
            spool.append(batch(2, 2));
        }
        ResultSpool spool(path(), 1 << 20);
        QString error;
        QVERIFY(spool.open(&error));
        QCOMPARE(spool.recordCount(), 2);
        QCOMPARE(spool.resultCount(), 4);
        QCOMPARE(spool.damagedRecords(), 0);
        QVERIFY(sameResult(spool.readHead(1).results[1], first[1]));
        // Appends after a reopen go to a new segment, never behind what an earlier run wrote.
        spool.append(batch(4, 1));
        QCOMPARE(segments(path()).size(), 2);
        QCOMPARE(spool.recordCount(), 3);
        spool.dropHead(2);
        QCOMPARE(segments(path()).size(), 1); // the first segment is drained and gone
    }

    void aTornLastRecordIsIgnored_data()
    {
        QTest::addColumn<int>("cut");
        QTest::newRow("inside the payload") << 5;
        QTest::newRow("inside the header") << int(ResultSpool::recordBytes(batch(0, 1))) - 4;
        QTest::newRow("all but one byte") << int(ResultSpool::recordBytes(batch(0, 1))) - 1;
    }

    void aTornLastRecordIsIgnored()
    {
        // A crash in the middle of an append leaves the last record cut short.
        QFETCH(int, cut);
        writeRecords(3);
        QFile file(path() + u'/' + segments(path()).constFirst());
        QVERIFY(file.resize(file.size() - cut));
        ResultSpool spool(path(), 1 << 20);
        QString error;
        QVERIFY(spool.open(&error));
        QCOMPARE(spool.recordCount(), 2);
        QCOMPARE(spool.damagedRecords(), 1);
        QCOMPARE(spool.readHead(100).results.size(), 2);
    }

    void aDamagedRecordEndsItsSegment()
    {
        writeRecords(3);
        QFile file(path() + u'/' + segments(path()).constFirst());
        QVERIFY(file.open(QIODevice::ReadWrite));
        // Flip a byte in the second record's payload: its checksum no longer matches.
        const qint64 offset = ResultSpool::recordBytes(batch(0, 1)) + ResultSpool::RecordHeaderBytes + 20;
        file.seek(offset);
        const char byte = file.read(1).at(0);
        file.seek(offset);
        file.write(QByteArray(1, char(byte ^ 0x40)));
        file.close();
        ResultSpool spool(path(), 1 << 20);
        QString error;
        QVERIFY(spool.open(&error));
        QCOMPARE(spool.recordCount(), 1);
        QCOMPARE(spool.damagedRecords(), 1);
    }

    void garbageAfterTheRecordsIsIgnored()
    {
        writeRecords(2);
        QFile file(path() + u'/' + segments(path()).constFirst());
        QVERIFY(file.open(QIODevice::Append));
        file.write("PRS1\xff\xff");
        file.close();
        ResultSpool spool(path(), 1 << 20);
        QString error;
        QVERIFY(spool.open(&error));
        QCOMPARE(spool.recordCount(), 2);
        QCOMPARE(spool.damagedRecords(), 1);
    }

    void severalRecordsAreReadAtOnceUpToALimit()
    {
        ResultSpool spool(path(), 1 << 20);
        QString error;
        QVERIFY(spool.open(&error));
        for (int i = 0; i < 5; ++i)
            spool.append(batch(i * 3, 3));
        ResultSpool::Head head = spool.readHead(7); // two records of three fit, a third would not
        QVERIFY(head.ok);
        QCOMPARE(head.records, 2);
        QCOMPARE(head.results.size(), 6);
        QCOMPARE(head.resultCount, 6);
        QCOMPARE(head.results[5].durationMs, 5);
        head = spool.readHead(1); // a record larger than the limit is still read whole
        QCOMPARE(head.records, 1);
        QCOMPARE(head.results.size(), 3);
        spool.dropHead(2);
        QCOMPARE(spool.recordCount(), 3);
        head = spool.readHead(1000);
        QCOMPARE(head.records, 3);
        QCOMPARE(head.results.first().durationMs, 6);
        QCOMPARE(head.bytes, spool.bytes());
    }

    void theBoundIsKept()
    {
        const qint64 recordBytes = ResultSpool::recordBytes(batch(0, 2));
        ResultSpool spool(path(), 2 * recordBytes + recordBytes / 2);
        QString error;
        QVERIFY(spool.open(&error));
        QCOMPARE(spool.append(batch(0, 2)), ResultSpool::AppendResult::Appended);
        QCOMPARE(spool.append(batch(2, 2)), ResultSpool::AppendResult::Appended);
        QCOMPARE(spool.append(batch(4, 2), &error), ResultSpool::AppendResult::Full);
        QVERIFY(error.contains(QStringLiteral("full")));
        QCOMPARE(spool.recordCount(), 2);
        QVERIFY(spool.bytes() <= spool.limitBytes());
        spool.dropHead();
        QCOMPARE(spool.append(batch(4, 2)), ResultSpool::AppendResult::Appended);
    }

    void segmentsRollOverAndAreDeletedWhenDrained()
    {
        // Records of about 1 MiB: nine of them need two 8 MiB segments.
        const QString big(512 * 1024, u'é');
        ResultSpool spool(path(), 64LL << 20);
        QString error;
        QVERIFY(spool.open(&error));
        for (int i = 0; i < 9; ++i)
            QCOMPARE(spool.append(batch(i, 1, big)), ResultSpool::AppendResult::Appended);
        QCOMPARE(segments(path()).size(), 2);
        for (int i = 0; i < 8; ++i) {
            const ResultSpool::Head head = spool.readHead(1);
            QVERIFY(head.ok);
            QCOMPARE(head.results.constFirst().durationMs, i);
            spool.dropHead();
        }
        QCOMPARE(segments(path()).size(), 1);
        spool.dropHead();
        QVERIFY(segments(path()).isEmpty());
    }

private:
    QString path() const { return m_dir->filePath(QStringLiteral("spool")); }

    void writeRecords(int count)
    {
        ResultSpool spool(path(), 1 << 20);
        QString error;
        QVERIFY(spool.open(&error));
        for (int i = 0; i < count; ++i)
            QCOMPARE(spool.append(batch(i, 1)), ResultSpool::AppendResult::Appended);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(TestResultSpool)
#include "tst_resultspool.moc"
