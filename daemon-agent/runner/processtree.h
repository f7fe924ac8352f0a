#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMultiHash>

#include <optional>

#include <sys/types.h>

namespace prophasis {

// Reading Linux' process table under /proc, for killing a plugin's whole process tree and for
// reaping its orphans. Only reads; never signals or waits.

// The fields of /proc/<pid>/stat we need. `startTime` (clock ticks after boot) tells a process
// from a later one that reuses its pid, so a pid recorded earlier is only acted on while
// (pid, startTime) still match.
struct ProcStat
{
    pid_t pid = 0;
    char state = '?'; // 'Z' for a zombie
    pid_t parent = 0;
    pid_t processGroup = 0;
    pid_t session = 0;
    quint64 startTime = 0;
};

struct ProcessIdentity
{
    pid_t pid = 0;
    quint64 startTime = 0;
    friend bool operator==(const ProcessIdentity &, const ProcessIdentity &) = default;
};

// A bound on one tree walk, so a fork bomb cannot make the agent walk forever.
inline constexpr qsizetype MaxProcessTreeSize = 4096;

std::optional<ProcStat> readProcStat(pid_t pid);

// True while (pid, startTime) names a process that has not been reaped (zombies included).
bool isSameProcess(const ProcessIdentity &identity);
// True while it exists and is not a zombie.
bool isLiveProcess(const ProcessIdentity &identity);

// Parent → children links, read when first needed. Uses /proc/<pid>/task/*/children where the
// kernel has them (CONFIG_PROC_CHILDREN: one small read per process of the tree) and otherwise
// one scan of every /proc/<n>/stat, kept for the table's lifetime. Make a new table to see
// processes started since.
class ProcessTable
{
public:
    ProcessTable();

    // The direct children of `pid` (of every thread of it).
    QList<pid_t> childrenOf(pid_t pid);

    // Every descendant of `root` (not `root` itself), parents before children, at most
    // MaxProcessTreeSize. Includes those that left the root's session or process group with
    // setsid(): they stay its descendants until their parent dies.
    QList<ProcessIdentity> descendantsOf(pid_t root);

    bool usesChildrenFiles() const { return m_useChildrenFiles; }
    void setUseChildrenFiles(bool use) { m_useChildrenFiles = use; } // for tests of both ways

private:
    bool m_useChildrenFiles;
    std::optional<QMultiHash<pid_t, ProcStat>> m_byParent;
};

// The value of variable `name` in /proc/<pid>/environ; nullopt when absent or unreadable (a
// zombie, or a process that became non-dumpable by running a program with file capabilities).
std::optional<QByteArray> environmentValue(pid_t pid, QByteArrayView name);

} // namespace prophasis
