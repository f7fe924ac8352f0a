#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QUuid>

#include <optional>

#include "console/notifications/notificationpolicy.h"

namespace prophasis {

// What one tray message says, and what clicking it opens.
struct TrayMessage
{
    QString title;
    QString body;
    State state = State::NoData; // the worst state it reports
    QString subject;             // "host" or "service": opened on click
    QUuid id;
};

// Changes that arrive within WindowMs of the first become one message: one change says what
// changed, a burst (a switch died, twenty hosts turned critical) one summary instead of twenty
// pop-ups. Clocked by the caller (milliseconds of any monotonic clock), so tests need no waits.
class NotificationBurst
{
    Q_DECLARE_TR_FUNCTIONS(NotificationBurst)
public:
    static constexpr qint64 WindowMs = 1000;
    static constexpr int SummaryLines = 5; // changes named in a summary; the rest are counted

    void add(const HealthNotice &notice, qint64 nowMs);
    bool isEmpty() const { return m_pending.isEmpty(); }
    // When the gathered changes are due as a message (-1 when none are gathered).
    qint64 dueAtMs() const { return m_pending.isEmpty() ? -1 : m_firstMs + WindowMs; }
    // The message for what was gathered, once due; the burst starts over.
    std::optional<TrayMessage> takeDue(qint64 nowMs);

    // One message for `notices` (at least one): the change itself, or a summary worst first.
    static TrayMessage compose(QList<HealthNotice> notices);

private:
    static QString subjectWord(const HealthNotice &notice);

    QList<HealthNotice> m_pending;
    qint64 m_firstMs = 0;
};

} // namespace prophasis
