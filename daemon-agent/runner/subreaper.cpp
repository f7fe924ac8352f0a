#include "daemon-agent/runner/subreaper.h"

#include <QFile>

#include <QCoreApplication>
#include <QThread>
#include <QUuid>

#include <cerrno>
#include <csignal>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace prophasis {

bool becomeSubreaper()
{
    return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

bool isSubreaper()
{
    int value = 0;
    return ::prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0) == 0 && value != 0;
}

QByteArray newRunId()
{
    return QByteArray::number(::getpid()) + '-' + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
}

bool isOwnRunId(const QByteArray &value)
{
    const QByteArray prefix = QByteArray::number(::getpid()) + '-';
    return value.size() > prefix.size() && value.startsWith(prefix);
}

OrphanReaper &OrphanReaper::instance()
{
    // Lives as long as the process; its timer belongs to the main thread's event loop.
    static OrphanReaper *reaper = [] {
        auto *created = new OrphanReaper;
        if (QCoreApplication *app = QCoreApplication::instance();
            app && app->thread() != QThread::currentThread())
            created->moveToThread(app->thread());
        return created;
    }();
    return *reaper;
}

OrphanReaper::OrphanReaper()
    : m_timer(new QTimer(this))
{
    m_timer->setInterval(ReapIntervalMs);
    connect(m_timer, &QTimer::timeout, this, [this] {
        reap();
        if (!hasPending())
            m_timer->stop();
    });
}

void OrphanReaper::addRunningLeader(pid_t leader)
{
    {
        QMutexLocker locker(&m_mutex);
        m_runningLeaders.insert(leader);
        m_groups.insert(leader);
    }
    scheduleTimer();
}

void OrphanReaper::removeRunningLeader(pid_t leader)
{
    {
        QMutexLocker locker(&m_mutex);
        m_runningLeaders.remove(leader);
    }
    reap();
}

void OrphanReaper::track(const QList<ProcessIdentity> &processes)
{
    {
        QMutexLocker locker(&m_mutex);
        for (const ProcessIdentity &process : processes) {
            if (!m_tracked.contains(process))
                m_tracked.append(process);
        }
    }
    scheduleTimer();
    QMetaObject::invokeMethod(this,
                              [this] { QTimer::singleShot(ReapAfterKillMs, this, [this] { reap(); }); });
}

bool OrphanReaper::hasPending() const
{
    QMutexLocker locker(&m_mutex);
    return !m_groups.isEmpty() || !m_tracked.isEmpty();
}

void OrphanReaper::scheduleTimer()
{
    QMetaObject::invokeMethod(this, [this] {
        if (!m_timer->isActive())
            m_timer->start();
    });
}

bool OrphanReaper::isGnupgProcess(pid_t pid)
{
    QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
    if (!comm.open(QIODevice::ReadOnly))
        return false;
    const QByteArray name = comm.readAll().trimmed();
    return name == "gpg" || name == "gpgsm" || name == "gpgconf" || name == "gpg-agent" || name == "dirmngr"
           || name == "keyboxd" || name == "scdaemon";
}

int OrphanReaper::reap()
{
    QMutexLocker locker(&m_mutex);
    const pid_t self = ::getpid();
    int reaped = 0;
    for (const pid_t child : ProcessTable().childrenOf(self)) {
        if (m_runningLeaders.contains(child))
            continue;
        const std::optional<ProcStat> stat = readProcStat(child);
        if (!stat || stat->parent != self)
            continue;
        const ProcessIdentity identity{child, stat->startTime};
        bool ours = m_groups.contains(stat->processGroup) || m_groups.contains(stat->session) ||
                    m_tracked.contains(identity);
        if (!ours && stat->state != 'Z' &&
            isOwnRunId(environmentValue(child, RunIdVariable).value_or(QByteArray()))) {
            m_tracked.append(identity);
            ours = true;
        }
        // gpgme double-forks gpg and waits only for the middle process, so a finished gpg is
        // handed to us, the subreaper, and nobody else will ever wait for it. It is dead
        // already (a zombie), so reaping it can steal no one's exit status.
        if (!ours && stat->state == 'Z' && isGnupgProcess(child))
            ours = true;
        if (!ours)
            continue;
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child) {
            ++reaped;
            m_tracked.removeOne(identity);
        }
    }

    // Forget what is gone: recorded processes that no longer exist (reaped by their own parent)
    // and groups with no member left (kill(-g, 0) also counts zombies, which keep the id taken).
    m_tracked.removeIf([](const ProcessIdentity &identity) { return !isSameProcess(identity); });
    for (auto it = m_groups.begin(); it != m_groups.end();) {
        if (!m_runningLeaders.contains(*it) && ::kill(-*it, 0) != 0 && errno == ESRCH)
            it = m_groups.erase(it);
        else
            ++it;
    }
    return reaped;
}

} // namespace prophasis
