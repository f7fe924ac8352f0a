#pragma once

#include <QFile>
#include <QList>

#include <ctime>

#include <unistd.h>

// CPU time of this process and of others, for the benchmarks' per-result figures.
namespace prophasis::bench {

// This process, every thread included.
inline qint64 processCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// utime + stime of another process (/proc/<pid>/stat, in clock ticks), in nanoseconds.
inline qint64 cpuNsOf(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    const qint64 ticks = fields.value(11).toLongLong() + fields.value(12).toLongLong();
    return ticks * 1'000'000'000 / sysconf(_SC_CLK_TCK);
}

} // namespace prophasis::bench
