#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

namespace prophasis::test {

// A process is gone when /proc no longer lists it or it is a zombie waiting to be reaped (in a
// container PID 1 may never reap it): either way it runs no more.
inline bool processGone(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close < 0 || line.mid(close + 2, 1) == "Z";
}

} // namespace prophasis::test
