#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <deque>

#include "shared/http/httphandler.h"

namespace prophasis {

class HealthSource;
class StorageExecutor;
struct HealthChange;

// The event stream behind GET /api/v1/events (SPEC §5, issue #6): Server-Sent Events telling
// consoles what changed, so they update without polling.
//
// Events: `health` (a host's or service's state moved), `log` (a system log entry was added, or a
// repeat folded into one: same id, higher count), `configuration` (an audited change — an entity
// created, changed or deleted, an import, a plugin upload: reload what you show; who and from
// where stay in the audit log, which viewers may not read). Each carries an id "<epoch>:<sequence>"; a client
// that reconnects with Last-Event-ID gets every event it missed from the last HistorySize, or, when that is
// no longer possible (the core restarted: another epoch, or too much happened), one `reset` event: reload
// everything, then follow the stream.
//
// Log entries and changes are picked up by reading the system log and the audit log every
// logPollInterval, not by a hook in every writer: what any process sharing the database writes
// arrives too (SPEC §8).
struct EventStreamOptions
{
    std::chrono::milliseconds heartbeatInterval{15'000};
    std::chrono::milliseconds logPollInterval{2'000};
    int maxSubscribers = 64; // each holds a connection of the port's MaxConnections
};

class EventStream : public QObject
{
    Q_OBJECT
public:
    static constexpr int HistorySize = 1000;
    // What a reconnecting EventSource waits, sent with every new stream.
    static constexpr int RetryMs = 3'000;

    EventStream(StorageExecutor &storage, const HealthSource &health, EventStreamOptions options = {},
                QObject *parent = nullptr);
    ~EventStream() override;

    // Starts the heartbeat and the log readers (the logs from now on: older entries are the log
    // routes' business).
    void start();

    void publishHealthChange(const HealthChange &change);

    // Opens a stream on `responder` (the request already passed the guard): replays what
    // `lastEventId` missed, then follows. `types` empty: every type. False (and nothing sent)
    // when maxSubscribers are already listening.
    bool subscribe(const HttpResponder &responder, const QByteArray &lastEventId,
                   const QSet<QByteArray> &types);

    int subscriberCount() const { return int(m_subscribers.size()); }
    int maxSubscribers() const { return m_options.maxSubscribers; }
    const QByteArray &epoch() const { return m_epoch; }

private:
    // One event as the stream writes it, framed once when it happens: every subscriber and every
    // replay gets the same bytes.
    struct Event
    {
        qint64 sequence = 0;
        QByteArray type;
        QByteArray frame;
    };

    Event makeEvent(qint64 sequence, const QByteArray &type, const QJsonObject &data) const;
    struct Subscriber
    {
        HttpStream stream;
        QSet<QByteArray> types;
    };

    void publish(const QByteArray &type, const QJsonObject &data);
    void writeTo(Subscriber &subscriber, const Event &event);
    void heartbeat();
    void pollLogs();
    struct LogNews;
    void takeLogNews(const LogNews &news);
    void dropClosed();

    StorageExecutor &m_storage;
    const HealthSource &m_health;
    EventStreamOptions m_options;
    QByteArray m_epoch;
    qint64 m_sequence = 0;
    std::deque<Event> m_history;
    QList<Subscriber> m_subscribers;
    QTimer m_heartbeat;
    QTimer m_logPoll;
    bool m_polling = false;
    // The system log read so far: entries last seen before m_logCursor, and at m_logCursor those
    // in m_logSeenAtCursor (id and count), so a fold is news and a re-read is not.
    QDateTime m_logCursor;
    QSet<std::pair<qint64, qint64>> m_logSeenAtCursor;
    // The audit log read so far: entries up to this id. Negative until start() has read it.
    qint64 m_auditCursor = -1;
};

} // namespace prophasis
