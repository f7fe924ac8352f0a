#include "daemon-core/storage/resultspool.h"

#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QtEndian>

#include <array>

#include "daemon-core/storage/resultcodes.h"

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif
#ifdef Q_OS_WIN
#include <io.h>
#endif

namespace prophasis {

namespace {

constexpr char Magic[4] = {'P', 'R', 'S', '1'};
constexpr quint32 FormatVersion = 1;
// A result's fixed part: three ids, time, four one-byte fields, value, duration, and the
// lengths of the message and the metric list.
constexpr qint64 FixedResultBytes = 3 * 16 + 8 + 4 + 8 + 8 + 4 + 4;
// A metric's fixed part: the lengths of name and unit, and the value.
constexpr qint64 FixedMetricBytes = 4 + 8 + 4;
// No batch the writer makes comes near this; a larger length is a damaged header.
constexpr qint64 MaxPayloadBytes = 1024LL * 1024 * 1024;

constexpr std::array<quint32, 256> crcTable()
{
    std::array<quint32, 256> table{};
    for (quint32 i = 0; i < 256; ++i) {
        quint32 crc = i;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        table[i] = crc;
    }
    return table;
}

// CRC-32 (IEEE 802.3, as zlib's crc32).
quint32 crc32(const QByteArray &data)
{
    static constexpr std::array<quint32, 256> table = crcTable();
    quint32 crc = 0xFFFFFFFFu;
    for (const char byte : data)
        crc = table[(crc ^ quint8(byte)) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

bool syncFile(int handle)
{
#if defined(Q_OS_LINUX)
    return ::fdatasync(handle) == 0;
#elif defined(Q_OS_UNIX)
    return ::fsync(handle) == 0;
#elif defined(Q_OS_WIN)
    return ::_commit(handle) == 0;
#else
    Q_UNUSED(handle);
    return true;
#endif
}

// A new file's name must reach the disk too, or a power loss can lose the file whole.
void syncDirectory(const QString &path)
{
#ifdef Q_OS_UNIX
    const int handle = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (handle >= 0) {
        ::fsync(handle);
        ::close(handle);
    }
#else
    Q_UNUSED(path);
#endif
}

QByteArray encode(const QList<CheckResult> &results)
{
    QByteArray payload;
    QDataStream out(&payload, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << FormatVersion << quint32(results.size());
    for (const CheckResult &result : results) {
        out << result.hostId << result.checkId << result.pluginId << qint64(result.time.toMSecsSinceEpoch())
            << quint8(resultTypeCode(result.type)) << quint8(pluginStatusCode(result.status))
            << quint8(stateCode(result.classification)) << quint8(result.value.has_value())
            << result.value.value_or(0.0) << result.message.toUtf8() << qint64(result.durationMs)
            << quint32(result.metrics.size());
        for (const Metric &metric : result.metrics)
            out << metric.name.toUtf8() << metric.value << metric.unit.toUtf8();
    }
    return payload;
}

bool decode(const QByteArray &payload, QList<CheckResult> *results)
{
    QDataStream in(payload);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 version = 0;
    quint32 count = 0;
    in >> version >> count;
    if (in.status() != QDataStream::Ok || version != FormatVersion ||
        qint64(count) * FixedResultBytes > payload.size())
        return false;
    results->clear();
    results->reserve(count);
    for (quint32 i = 0; i < count; ++i) {
        CheckResult result;
        qint64 timeMs = 0;
        quint8 type = 0, status = 0, state = 0, hasValue = 0;
        double value = 0;
        QByteArray message;
        qint64 durationMs = 0;
        quint32 metricCount = 0;
        in >> result.hostId >> result.checkId >> result.pluginId >> timeMs >> type >> status >> state >>
            hasValue >> value >> message >> durationMs >> metricCount;
        if (in.status() != QDataStream::Ok || qint64(metricCount) * FixedMetricBytes > payload.size())
            return false;
        result.time = QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC);
        result.type = resultTypeFromCode(type);
        result.status = pluginStatusFromCode(status);
        result.classification = stateFromCode(state);
        if (hasValue)
            result.value = value;
        result.message = QString::fromUtf8(message);
        result.durationMs = durationMs;
        for (quint32 m = 0; m < metricCount; ++m) {
            QByteArray name, unit;
            double metricValue = 0;
            in >> name >> metricValue >> unit;
            result.metrics.append({QString::fromUtf8(name), metricValue, QString::fromUtf8(unit)});
        }
        if (in.status() != QDataStream::Ok)
            return false;
        results->append(result);
    }
    return in.atEnd();
}

QByteArray recordHeader(const QByteArray &payload)
{
    QByteArray header(Magic, sizeof Magic);
    header.resize(ResultSpool::RecordHeaderBytes);
    qToLittleEndian<quint32>(quint32(payload.size()), header.data() + 4);
    qToLittleEndian<quint32>(crc32(payload), header.data() + 8);
    return header;
}

// Reads and checks the record at `offset`; false when it is torn or damaged.
bool readRecord(QFile &file, qint64 offset, QByteArray *payload)
{
    if (!file.seek(offset))
        return false;
    const QByteArray header = file.read(ResultSpool::RecordHeaderBytes);
    if (header.size() != ResultSpool::RecordHeaderBytes ||
        !header.startsWith(QByteArray(Magic, sizeof Magic)))
        return false;
    const qint64 length = qFromLittleEndian<quint32>(header.constData() + 4);
    const quint32 checksum = qFromLittleEndian<quint32>(header.constData() + 8);
    if (length > MaxPayloadBytes || offset + ResultSpool::RecordHeaderBytes + length > file.size())
        return false;
    *payload = file.read(length);
    return payload->size() == length && crc32(*payload) == checksum;
}

qint64 utf8Bytes(const QString &text)
{
    return text.toUtf8().size();
}

} // namespace

ResultSpool::ResultSpool(const QString &directory, qint64 limitBytes)
    : m_directory(directory)
    , m_limitBytes(limitBytes)
{
}

ResultSpool::~ResultSpool() = default;

QString ResultSpool::segmentPath(quint64 segment) const
{
    return m_directory + QStringLiteral("/results-%1.spool").arg(segment, 16, 10, QLatin1Char('0'));
}

qint64 ResultSpool::encodedBytes(const CheckResult &result)
{
    qint64 bytes = FixedResultBytes + utf8Bytes(result.message);
    for (const Metric &metric : result.metrics)
        bytes += FixedMetricBytes + utf8Bytes(metric.name) + utf8Bytes(metric.unit);
    return bytes;
}

qint64 ResultSpool::recordBytes(const QList<CheckResult> &results)
{
    qint64 bytes = RecordHeaderBytes + BatchHeaderBytes;
    for (const CheckResult &result : results)
        bytes += encodedBytes(result);
    return bytes;
}

bool ResultSpool::open(QString *error)
{
    m_records.clear();
    m_segments.clear();
    m_active.reset();
    m_bytes = 0;
    m_resultCount = 0;
    m_damagedRecords = 0;
    QDir dir(m_directory);
    if (!dir.mkpath(QStringLiteral("."))) {
        *error = QStringLiteral("cannot create the result spool folder %1").arg(m_directory);
        return false;
    }
    const QStringList names = dir.entryList({QStringLiteral("results-*.spool")}, QDir::Files, QDir::Name);
    for (const QString &name : names) {
        bool ok = false;
        const quint64 segment = name.mid(8, name.size() - 8 - 6).toULongLong(&ok);
        if (!ok || segment == 0)
            continue;
        m_segments.append(segment);
        m_nextSegment = std::max(m_nextSegment, segment + 1);
        scanSegment(segment);
    }
    removeDrainedSegments();
    return true;
}

void ResultSpool::scanSegment(quint64 segment)
{
    QFile file(segmentPath(segment));
    if (!file.open(QIODevice::ReadOnly)) {
        ++m_damagedRecords;
        return;
    }
    qint64 offset = 0;
    while (offset < file.size()) {
        QByteArray payload;
        if (!readRecord(file, offset, &payload) || payload.size() < BatchHeaderBytes) {
            // A torn append (or a damaged disk block): the rest of the segment is unreadable.
            ++m_damagedRecords;
            return;
        }
        const qint64 results = qFromBigEndian<quint32>(payload.constData() + 4);
        const qint64 bytes = RecordHeaderBytes + payload.size();
        m_records.push_back({segment, offset, bytes, results});
        m_bytes += bytes;
        m_resultCount += results;
        offset += bytes;
    }
}

bool ResultSpool::startSegment(QString *error)
{
    const quint64 segment = m_nextSegment++;
    auto file = std::make_unique<QFile>(segmentPath(segment));
    if (!file->open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        *error = QStringLiteral("cannot create %1: %2").arg(file->fileName(), file->errorString());
        return false;
    }
    syncDirectory(m_directory);
    m_active = std::move(file);
    m_activeSegment = segment;
    m_segments.append(segment);
    return true;
}

ResultSpool::AppendResult ResultSpool::append(const QList<CheckResult> &results, QString *error)
{
    QString reason;
    const QByteArray payload = encode(results);
    const QByteArray header = recordHeader(payload);
    const qint64 bytes = header.size() + payload.size();
    if (m_bytes + bytes > m_limitBytes) {
        if (error)
            *error =
                QStringLiteral("the result spool is full (%1 of %2 bytes)").arg(m_bytes).arg(m_limitBytes);
        return AppendResult::Full;
    }
    if ((!m_active || m_active->size() >= SegmentBytes) && !startSegment(&reason)) {
        if (error)
            *error = reason;
        return AppendResult::Failed;
    }
    const qint64 offset = m_active->size();
    if (m_active->write(header + payload) != bytes || !m_active->flush() || !syncFile(m_active->handle())) {
        if (error)
            *error =
                QStringLiteral("cannot write to %1: %2").arg(m_active->fileName(), m_active->errorString());
        // Leave no torn record behind the good ones.
        m_active->resize(offset);
        return AppendResult::Failed;
    }
    m_records.push_back({m_activeSegment, offset, bytes, results.size()});
    m_bytes += bytes;
    m_resultCount += results.size();
    return AppendResult::Appended;
}

ResultSpool::Head ResultSpool::readHead(qsizetype maxResults) const
{
    Head head;
    QFile file;
    for (const Record &record : m_records) {
        if (head.records > 0 && head.resultCount + record.results > maxResults)
            break;
        const QString path = segmentPath(record.segment);
        if (file.fileName() != path) {
            file.close();
            file.setFileName(path);
            file.open(QIODevice::ReadOnly);
        }
        QByteArray payload;
        QList<CheckResult> results;
        if (!file.isOpen() || !readRecord(file, record.offset, &payload) || !decode(payload, &results)) {
            if (head.records == 0) {
                head.records = 1;
                head.bytes = record.bytes;
                head.resultCount = record.results;
                head.error =
                    QStringLiteral("cannot read the record at %1 of %2").arg(record.offset).arg(path);
                return head;
            }
            break; // the good records before it go first
        }
        head.results.append(results);
        ++head.records;
        head.bytes += record.bytes;
        head.resultCount += record.results;
    }
    head.ok = head.records > 0;
    if (!head.ok)
        head.error = QStringLiteral("the result spool is empty");
    return head;
}

void ResultSpool::dropHead(int records)
{
    for (int i = 0; i < records && !m_records.empty(); ++i) {
        m_bytes -= m_records.front().bytes;
        m_resultCount -= m_records.front().results;
        m_records.pop_front();
    }
    removeDrainedSegments();
}

void ResultSpool::removeDrainedSegments()
{
    while (!m_segments.isEmpty()) {
        const quint64 segment = m_segments.constFirst();
        if (!m_records.empty() && m_records.front().segment <= segment)
            break;
        if (segment == m_activeSegment && m_active) {
            m_active.reset();
            m_activeSegment = 0;
        }
        QFile::remove(segmentPath(segment));
        m_segments.removeFirst();
    }
}

} // namespace prophasis
