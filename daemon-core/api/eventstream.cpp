#include "daemon-core/api/eventstream.h"

#include <QJsonDocument>
#include <QRandomGenerator>

#include "daemon-core/engine/healthtracker.h"
#include "daemon-core/reports/healthsource.h"
#include "daemon-core/storage/logstore.h"
#include "daemon-core/storage/storageexecutor.h"
#include "daemon-core/storage/whenready.h"
#include "shared/json/entityjson.h"

namespace prophasis {

namespace {

QString idText(const QUuid &id)
{
    return id.toString(QUuid::WithoutBraces);
}

// "<epoch>:<sequence>" → the sequence, when the epoch is ours.
std::optional<qint64> sequenceOf(const QByteArray &eventId, const QByteArray &epoch)
{
    const qsizetype colon = eventId.indexOf(':');
    if (colon < 0 || eventId.left(colon) != epoch)
        return std::nullopt;
    bool ok = false;
    const qint64 sequence = eventId.mid(colon + 1).toLongLong(&ok);
    return ok && sequence >= 0 ? std::optional<qint64>(sequence) : std::nullopt;
}

} // namespace

EventStream::EventStream(StorageExecutor &storage, const HealthSource &health, EventStreamOptions options,
                         QObject *parent)
    : QObject(parent)
    , m_storage(storage)
    , m_health(health)
    , m_options(options)
    // A new epoch per process: ids of an earlier run can never be mistaken for ours.
    , m_epoch(QByteArray::number(QRandomGenerator::system()->generate64() & 0xffff'ffff'ffffULL, 16))
{
    m_heartbeat.setInterval(m_options.heartbeatInterval);
    connect(&m_heartbeat, &QTimer::timeout, this, &EventStream::heartbeat);
    m_logPoll.setInterval(m_options.logPollInterval);
    connect(&m_logPoll, &QTimer::timeout, this, &EventStream::pollLogs);
}

EventStream::~EventStream()
{
    for (const Subscriber &subscriber : std::as_const(m_subscribers))
        subscriber.stream.close();
}

void EventStream::start()
{
    m_logCursor = QDateTime::currentDateTimeUtc();
    m_heartbeat.start();
    m_logPoll.start();
    pollLogs();
}

void EventStream::publishHealthChange(const HealthChange &change)
{
    const bool host = change.subject == HealthChange::Subject::Host;
    QString name;
    if (const std::shared_ptr<const Configuration> config = m_health.configuration())
        name = host ? config->hosts.value(change.id).name : config->services.value(change.id).name;
    publish("health",
            QJsonObject{
                {QStringLiteral("subject"), host ? QStringLiteral("host") : QStringLiteral("service")},
                {QStringLiteral("id"), idText(change.id)},
                {QStringLiteral("name"), name},
                {QStringLiteral("from"), enumName(change.from)},
                {QStringLiteral("to"), enumName(change.to)},
                {QStringLiteral("time"), change.time.toString(Qt::ISODateWithMs)},
            });
}

bool EventStream::subscribe(const HttpResponder &responder, const QByteArray &lastEventId,
                            const QSet<QByteArray> &types)
{
    dropClosed();
    if (m_subscribers.size() >= m_options.maxSubscribers)
        return false;
    HttpResponse head;
    head.status = 200;
    head.headers.append(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/event-stream; charset=utf-8")});
    // Proxies that buffer would hold events back.
    head.headers.append({QByteArrayLiteral("X-Accel-Buffering"), QByteArrayLiteral("no")});
    Subscriber subscriber{responder.stream(head), types};
    if (!subscriber.stream.isOpen())
        return true; // the client left meanwhile: nothing to do, and no refusal to send
    subscriber.stream.write("retry: " + QByteArray::number(RetryMs) + "\n\n");
    if (!lastEventId.isEmpty()) {
        const std::optional<qint64> last = sequenceOf(lastEventId, m_epoch);
        const qint64 oldestKept = m_history.empty() ? m_sequence + 1 : m_history.front().sequence;
        if (last && *last <= m_sequence && *last >= oldestKept - 1) {
            for (const Event &event : m_history) {
                if (event.sequence > *last)
                    writeTo(subscriber, event);
            }
        } else {
            // Not ours to resume: the core restarted or the client was away too long.
            const QString reason = last ? QStringLiteral("more happened than the stream keeps; reload")
                                        : QStringLiteral("the core restarted since that event; reload");
            writeTo(subscriber, makeEvent(m_sequence, "reset", {{QStringLiteral("reason"), reason}}));
        }
    }
    m_subscribers.append(subscriber);
    return true;
}

EventStream::Event EventStream::makeEvent(qint64 sequence, const QByteArray &type,
                                          const QJsonObject &data) const
{
    // One `data:` line: compact JSON has no newline.
    return {sequence, type,
            "id: " + m_epoch + ':' + QByteArray::number(sequence) + "\nevent: " + type +
                "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n"};
}

void EventStream::publish(const QByteArray &type, const QJsonObject &data)
{
    const Event event = makeEvent(++m_sequence, type, data);
    m_history.push_back(event);
    while (m_history.size() > size_t(HistorySize))
        m_history.pop_front();
    for (Subscriber &subscriber : m_subscribers)
        writeTo(subscriber, event);
    dropClosed();
}

void EventStream::writeTo(Subscriber &subscriber, const Event &event)
{
    // A reset always goes: it is what keeps a filtered client correct too.
    if (event.type != "reset" && !subscriber.types.isEmpty() && !subscriber.types.contains(event.type))
        return;
    subscriber.stream.write(event.frame);
}

void EventStream::heartbeat()
{
    // A comment line: EventSource ignores it; it keeps proxies from timing out and finds clients
    // that are gone (their writes stall and the connection closes them).
    for (const Subscriber &subscriber : std::as_const(m_subscribers))
        subscriber.stream.write(": keepalive\n\n");
    dropClosed();
}

void EventStream::dropClosed()
{
    m_subscribers.removeIf([](const Subscriber &subscriber) { return !subscriber.stream.isOpen(); });
}

struct EventStream::LogNews
{
    QList<LogEntry> systemLog; // newest first
    QList<AuditEntry> audit;   // newest first
    qint64 newestAuditId = 0;  // for the first read: where following starts
};

void EventStream::pollLogs()
{
    if (m_polling)
        return; // the last read is still running (a slow database): no pile-up
    m_polling = true;
    LogQuery logQuery;
    logQuery.since = m_logCursor;
    logQuery.limit = MaxLogQueryLimit;
    const qint64 auditCursor = m_auditCursor;
    whenReady(
        m_storage.run([logQuery, auditCursor](Database &db) {
            LogNews news;
            news.systemLog = SystemLogStore(db).list(logQuery);
            AuditLogStore audit(db);
            if (auditCursor < 0) {
                const QList<AuditEntry> newest = audit.list({.limit = 1});
                news.newestAuditId = newest.isEmpty() ? 0 : newest.first().id;
                return news;
            }
            // Every entry after the cursor, a page at a time (newest first), so a burst of
            // changes (an import) loses none.
            AuditQuery page;
            page.afterId = auditCursor;
            page.limit = MaxLogQueryLimit;
            for (;;) {
                const QList<AuditEntry> entries = audit.list(page);
                news.audit += entries;
                if (entries.size() < page.limit)
                    break;
                page.beforeId = entries.constLast().id;
            }
            return news;
        }),
        this,
        [this](const LogNews &news) {
            m_polling = false;
            takeLogNews(news);
        },
        // The database is away: the engine says so; the next poll tries again.
        [this](const StorageError &) { m_polling = false; });
}

void EventStream::takeLogNews(const LogNews &news)
{
    // Oldest first, so the stream tells them in the order they happened.
    for (auto it = news.systemLog.crbegin(); it != news.systemLog.crend(); ++it) {
        const LogEntry &entry = *it;
        const std::pair<qint64, qint64> key{entry.id, entry.count};
        if (entry.lastSeen < m_logCursor ||
            (entry.lastSeen == m_logCursor && m_logSeenAtCursor.contains(key)))
            continue;
        if (entry.lastSeen > m_logCursor) {
            m_logCursor = entry.lastSeen;
            m_logSeenAtCursor.clear();
        }
        m_logSeenAtCursor.insert(key);
        publish("log", toJson(entry));
    }
    if (m_auditCursor < 0) {
        m_auditCursor = news.newestAuditId;
        return;
    }
    for (auto it = news.audit.crbegin(); it != news.audit.crend(); ++it) {
        const AuditEntry &entry = *it;
        m_auditCursor = std::max(m_auditCursor, entry.id);
        QJsonObject data{{QStringLiteral("entity_type"), entry.entityType},
                         {QStringLiteral("action"), entry.action},
                         {QStringLiteral("time"), entry.time.toString(Qt::ISODateWithMs)}};
        if (!entry.entityId.isNull())
            data.insert(QStringLiteral("id"), idText(entry.entityId));
        publish("configuration", data);
    }
}

} // namespace prophasis
