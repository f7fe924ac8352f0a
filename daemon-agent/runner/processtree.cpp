#include "daemon-agent/runner/processtree.h"

#include <QDir>
#include <QFile>

#include <unistd.h>

namespace prophasis {

namespace {

QByteArray readProcFile(const QString &path, qint64 maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return file.read(maxBytes);
}

bool kernelListsChildren()
{
    static const bool available =
        QFile::exists(QStringLiteral("/proc/self/task/%1/children").arg(::getpid()));
    return available;
}

} // namespace

std::optional<ProcStat> readProcStat(pid_t pid)
{
    const QByteArray line = readProcFile(QStringLiteral("/proc/%1/stat").arg(pid), 4096);
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces and ')', so split after the last ')'.
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0 || close + 2 >= line.size())
        return std::nullopt;
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    // fields[0] is field 3 (state); start time is field 22.
    if (fields.size() < 20 || fields[0].isEmpty())
        return std::nullopt;
    ProcStat stat;
    stat.pid = pid;
    stat.state = fields[0][0];
    stat.parent = fields[1].toInt();
    stat.processGroup = fields[2].toInt();
    stat.session = fields[3].toInt();
    stat.startTime = fields[19].toULongLong();
    return stat;
}

bool isSameProcess(const ProcessIdentity &identity)
{
    const std::optional<ProcStat> stat = readProcStat(identity.pid);
    return stat && stat->startTime == identity.startTime;
}

bool isLiveProcess(const ProcessIdentity &identity)
{
    const std::optional<ProcStat> stat = readProcStat(identity.pid);
    return stat && stat->startTime == identity.startTime && stat->state != 'Z' && stat->state != 'X';
}

ProcessTable::ProcessTable()
    : m_useChildrenFiles(kernelListsChildren())
{
}

QList<pid_t> ProcessTable::childrenOf(pid_t pid)
{
    QList<pid_t> children;
    if (m_useChildrenFiles) {
        const QString taskDir = QStringLiteral("/proc/%1/task").arg(pid);
        const QStringList tasks = QDir(taskDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &task : tasks) {
            const QByteArray list =
                readProcFile(taskDir + u'/' + task + QStringLiteral("/children"), 1 << 20);
            for (const QByteArray &item : list.split(' ')) {
                bool ok = false;
                const pid_t child = item.trimmed().toInt(&ok);
                if (ok && child > 0)
                    children.append(child);
            }
        }
        return children;
    }
    if (!m_byParent) {
        m_byParent.emplace();
        const QStringList entries =
            QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &entry : entries) {
            bool ok = false;
            const pid_t process = entry.toInt(&ok);
            if (!ok)
                continue;
            if (const std::optional<ProcStat> stat = readProcStat(process))
                m_byParent->insert(stat->parent, *stat);
        }
    }
    for (auto it = m_byParent->constFind(pid); it != m_byParent->cend() && it.key() == pid; ++it)
        children.append(it->pid);
    return children;
}

QList<ProcessIdentity> ProcessTable::descendantsOf(pid_t root)
{
    QList<ProcessIdentity> found;
    QList<pid_t> parents{root};
    for (qsizetype i = 0; i < parents.size() && found.size() < MaxProcessTreeSize; ++i) {
        for (const pid_t child : childrenOf(parents[i])) {
            const std::optional<ProcStat> stat = readProcStat(child);
            if (!stat || found.size() >= MaxProcessTreeSize)
                continue;
            found.append({child, stat->startTime});
            parents.append(child);
        }
    }
    return found;
}

std::optional<QByteArray> environmentValue(pid_t pid, QByteArrayView name)
{
    // Environments are small; a bound keeps a hostile one from costing memory.
    const QByteArray variables = readProcFile(QStringLiteral("/proc/%1/environ").arg(pid), 1 << 20);
    for (const QByteArray &entry : variables.split('\0')) {
        if (entry.size() > name.size() && entry.startsWith(name) && entry[name.size()] == '=')
            return entry.mid(name.size() + 1);
    }
    return std::nullopt;
}

} // namespace prophasis
