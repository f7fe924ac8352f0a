#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QSet>
#include <QTimer>

#include "daemon-agent/runner/processtree.h"

namespace prophasis {

// Makes the agent the "child subreaper" of everything it starts (Linux prctl
// PR_SET_CHILD_SUBREAPER): a plugin's grandchild whose parent dies — even one that called
// setsid() to leave the plugin's session — is re-parented to the agent instead of init, so the
// agent can still find it, kill it and reap it. The agent calls this once at start.
bool becomeSubreaper();
bool isSubreaper();

// Every plugin process started by ProcessRunner carries this variable in its environment and
// passes it on to its descendants, so an orphan re-parented to the agent can be told apart from
// the agent's other children. The value is "<agent pid>-<uuid>": unique to the run, and never
// mistaken for one inherited from an outer process (an agent run by a test or another agent).
inline constexpr char RunIdVariable[] = "PROPHASIS_RUN_ID";
QByteArray newRunId();
bool isOwnRunId(const QByteArray &value);

// How often pending orphans are looked for while there are any, and how soon after the runner
// has killed processes (their zombies appear a moment after the signal).
inline constexpr int ReapIntervalMs = 1000;
inline constexpr int ReapAfterKillMs = 50;

// Reaps the orphans of plugin runs that were re-parented to the agent.
//
// Why not waitpid(-1): the agent has other children — QProcess reaps its own through a pidfd and
// gpgme waits for gpg by pid — and a waitpid(-1) would steal their exit status (QProcess would
// report a crash, gpgme an error). Even waitpid(-pgid) is unsafe while a plugin runs, since it
// can reap the plugin's own leader before QProcess does. So this only ever calls
// waitpid(pid, WNOHANG) on one pid at a time, and only for a direct child of the agent that is
//  - a member of a plugin's process group or session (a plugin's leader's pid is its group and
//    session id; the kernel never reuses the number while any member lives), or
//  - a process recorded by ProcessRunner's /proc walk, matched by (pid, start time), or
//  - seen alive carrying RunIdVariable (then recorded, so its zombie is known later),
// and never the leader of a run still running (QProcess reaps that one). A pid that is the
// agent's child cannot be reaped by anyone else, so the check and the wait cannot race.
//
// It runs when a plugin run ends and on a timer while anything is pending. One per process;
// thread-safe.
class OrphanReaper : public QObject
{
    Q_OBJECT
public:
    static OrphanReaper &instance();

    // A plugin's leader has started in its own session: its pid is its group id.
    void addRunningLeader(pid_t leader);
    // QProcess has reaped the leader; its group's remaining members become reapable.
    void removeRunningLeader(pid_t leader);
    // Processes of a plugin's tree the runner found and is about to kill; reaped soon after.
    void track(const QList<ProcessIdentity> &processes);

    // Reaps every identified zombie child now; returns how many.
    int reap();
    // Zombies of GnuPG programs that gpgme started and left to the subreaper.
    static bool isGnupgProcess(pid_t pid);
    bool hasPending() const;

private:
    OrphanReaper();
    void scheduleTimer();

    mutable QMutex m_mutex;
    QSet<pid_t> m_runningLeaders;
    QSet<pid_t> m_groups;
    QList<ProcessIdentity> m_tracked;
    QTimer *m_timer = nullptr;
};

} // namespace prophasis
