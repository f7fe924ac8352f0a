#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

#include "daemon-agent/luaworker/luarunlimits.h"
#include "shared/domain/host.h"
#include "shared/package/signaturemode.h"

namespace prophasis {

// How many core keys an agent pins at once: two, so a core can rotate its key.
inline constexpr int MaxPinnedCoreKeys = 2;
// How long a one-time enrollment token stays usable.
inline constexpr qint64 EnrollmentTokenValiditySeconds = 24 * 3600;
// The longest a plugin may run, whatever its manifest asks.
inline constexpr int DefaultPluginTimeoutCapSeconds = 300;

// The agent's settings, kept as agent.json in its config folder beside its key and certificate.
// No secret that reaches the agent is stored here: the enrollment token only as a hash, the
// core only by its public-key pin.
struct AgentConfig
{
    QString directory; // where agent.json, agent.key and agent.crt live
    QString listenAddress = QStringLiteral("::");
    quint16 port = DefaultAgentPort;
    QString advertisedHost; // the address put into enrollment strings
    SignatureMode signatures = SignatureMode::VerifyIfPresent;
    QString enrollmentTokenHash; // empty: no enrollment possible
    QDateTime enrollmentTokenExpires;
    QStringList pinnedCoreKeys; // SPKI SHA-256 pins, oldest first
    QStringList trustedSigners; // primary OpenPGP fingerprints trusted for plugin signatures
    int pluginTimeoutCapSeconds = DefaultPluginTimeoutCapSeconds;
    // Bounds of every Lua plugin run (instructions counted by the sandbox, memory by its allocator).
    qint64 luaBudgetInstructions = qint64(DefaultLuaBudgetInstructions);
    qint64 luaMemoryLimitMb = qint64(DefaultLuaMemoryLimitBytes / (1024 * 1024));

    // Pins a core's key; when MaxPinnedCoreKeys are pinned already, the oldest makes room (a new
    // pin always comes from an admin's deliberate step: an enrollment token or a join string).
    void pinCoreKey(const QString &spki);
    // Forgets any open enrollment token.
    void closeEnrollment();

    static QString fileName() { return QStringLiteral("agent.json"); }
    QString configFile() const;
    QString keyFile() const;
    QString certificateFile() const;
    QString stateDirectory() const;   // installed plugins and other data the agent writes
    QString keyringDirectory() const; // the agent-local GnuPG home for plugin signatures

    // /etc/prophasis-agent for root, the user's config location otherwise.
    static QString defaultDirectory();

    // Reads DIR/agent.json; on failure returns nullopt and says why in *error.
    static std::optional<AgentConfig> load(const QString &directory, QString *error);
    // Writes DIR/agent.json atomically, readable by its owner only.
    bool save(QString *error) const;
};

} // namespace prophasis
