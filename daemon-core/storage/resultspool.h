#pragma once

#include <QList>
#include <QString>

#include <deque>
#include <memory>

#include "shared/domain/checkresult.h"

class QFile;

namespace prophasis {

// Results the core accepted while the database was away, on disk in the data folder until the
// database takes them: a queue of batches (records) in append-only segment files.
//
// A record is "PRS1", the payload's length and its CRC-32 (both 32-bit little-endian), then the
// payload (the batch, encoded with QDataStream). Appends go to the newest segment, a new one
// after SegmentBytes and after every open(), so a torn tail left by a crash is never written
// after. open() reads every segment in order and stops a segment at the first record whose
// header, length or checksum is wrong: a crash in the middle of an append loses only the
// record being written, which the writer had not yet counted as spooled.
//
// Durability: append() returns only after write() and fsync() (fdatasync on Linux) of the
// segment, and after fsync() of the folder when it made a new segment file: a record it
// reported appended survives a crash or power loss. dropHead() forgets the head record in
// memory and deletes a segment file once all its records are gone; it writes nothing else, so
// after a crash the records of the oldest remaining segment are read again — harmless, because
// writing a result twice stores it once (ResultStore::insert).
//
// Bounded: the records in the queue never hold more than limitBytes (a drained segment that is
// still on disk can add up to SegmentBytes). Not thread-safe: one thread at a time.
class ResultSpool
{
public:
    static constexpr qint64 SegmentBytes = 8 * 1024 * 1024;
    static constexpr qint64 RecordHeaderBytes = 12;
    // Batch payload beside its results: format version and result count.
    static constexpr qint64 BatchHeaderBytes = 8;

    enum class AppendResult
    {
        Appended,
        Full,   // the record would pass limitBytes
        Failed, // the disk refused it (full, read-only, gone): see the error
    };

    ResultSpool(const QString &directory, qint64 limitBytes);
    ~ResultSpool();
    ResultSpool(const ResultSpool &) = delete;
    ResultSpool &operator=(const ResultSpool &) = delete;

    // Creates the folder and reads the records an earlier run left. False (and the reason)
    // when the folder cannot be made or read.
    bool open(QString *error);

    const QString &directory() const { return m_directory; }
    qint64 limitBytes() const { return m_limitBytes; }
    bool isEmpty() const { return m_records.empty(); }
    int recordCount() const { return int(m_records.size()); }
    qint64 resultCount() const { return m_resultCount; }
    qint64 bytes() const { return m_bytes; }
    // Records open() found torn or corrupt and skipped.
    int damagedRecords() const { return m_damagedRecords; }

    // The bytes a record of these results takes: header, batch header and every result.
    static qint64 recordBytes(const QList<CheckResult> &results);
    // One result's share of a record.
    static qint64 encodedBytes(const CheckResult &result);

    AppendResult append(const QList<CheckResult> &results, QString *error = nullptr);
    // The oldest records, as many as hold at most `maxResults` results together (at least
    // one record). A record that cannot be read back ends the read; when it is the first,
    // `ok` is false and `records` is 1, so the caller can drop it.
    struct Head
    {
        bool ok = false;
        QList<CheckResult> results;
        int records = 0;
        qint64 bytes = 0;       // of the records, headers included
        qint64 resultCount = 0; // as recorded in the records
        QString error;
    };
    Head readHead(qsizetype maxResults) const;
    void dropHead(int records = 1);

private:
    struct Record
    {
        quint64 segment;
        qint64 offset;
        qint64 bytes; // header included
        qint64 results;
    };

    QString segmentPath(quint64 segment) const;
    void scanSegment(quint64 segment);
    bool startSegment(QString *error);
    void removeDrainedSegments();

    QString m_directory;
    qint64 m_limitBytes;
    std::deque<Record> m_records;
    QList<quint64> m_segments;       // on disk, oldest first
    std::unique_ptr<QFile> m_active; // the segment appends go to
    quint64 m_activeSegment = 0;
    quint64 m_nextSegment = 1;
    qint64 m_bytes = 0;
    qint64 m_resultCount = 0;
    int m_damagedRecords = 0;
};

} // namespace prophasis
