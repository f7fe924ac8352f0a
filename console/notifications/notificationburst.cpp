#include "console/notifications/notificationburst.h"

#include <algorithm>

#include "console/common/statepresentation.h"
#include "shared/health/worstfirst.h"

namespace prophasis {

QString NotificationBurst::subjectWord(const HealthNotice &notice)
{
    return notice.subject == u"host" ? tr("Host") : tr("Service");
}

void NotificationBurst::add(const HealthNotice &notice, qint64 nowMs)
{
    if (m_pending.isEmpty())
        m_firstMs = nowMs;
    // A row that changed twice within the burst: only where it ended up matters, from where it
    // started (and a flap back is no news).
    for (qsizetype i = 0; i < m_pending.size(); ++i) {
        HealthNotice &pending = m_pending[i];
        if (pending.id == notice.id && pending.subject == notice.subject) {
            pending.to = notice.to;
            pending.time = notice.time;
            if (pending.from == pending.to)
                m_pending.removeAt(i);
            return;
        }
    }
    m_pending.append(notice);
}

std::optional<TrayMessage> NotificationBurst::takeDue(qint64 nowMs)
{
    if (m_pending.isEmpty() || nowMs < dueAtMs())
        return std::nullopt;
    QList<HealthNotice> notices;
    notices.swap(m_pending);
    return compose(notices);
}

TrayMessage NotificationBurst::compose(QList<HealthNotice> notices)
{
    std::stable_sort(notices.begin(), notices.end(), [](const HealthNotice &a, const HealthNotice &b) {
        return isWorstFirstBefore({a.id, a.name, a.to}, {b.id, b.name, b.to});
    });
    const HealthNotice &worst = notices.first();
    TrayMessage message;
    message.state = worst.to;
    message.subject = worst.subject;
    message.id = worst.id;
    if (notices.size() == 1) {
        message.title = tr("%1 %2 is %3").arg(subjectWord(worst), worst.name, stateLabel(worst.to));
        message.body = tr("It was %1.").arg(stateLabel(worst.from));
        return message;
    }
    message.title = tr("%n state change(s)", "", int(notices.size()));
    QStringList lines;
    for (qsizetype i = 0; i < notices.size() && i < SummaryLines; ++i) {
        const HealthNotice &notice = notices[i];
        lines.append(
            tr("%1 %2: %3 → %4")
                .arg(subjectWord(notice), notice.name, stateLabel(notice.from), stateLabel(notice.to)));
    }
    if (notices.size() > SummaryLines)
        lines.append(tr("and %n more", "", int(notices.size() - SummaryLines)));
    message.body = lines.join(u'\n');
    return message;
}

} // namespace prophasis
