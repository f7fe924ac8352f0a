#pragma once

#include <QString>

#include <array>
#include <optional>
#include <utility>

#include "shared/domain/enumnames.h"
#include "shared/domain/host.h"

namespace prophasis {

enum class SignatureMode
{
    Off,
    VerifyIfPresent,
    Enforce,
};

template <>
struct EnumNames<SignatureMode>
{
    static constexpr std::array<std::pair<SignatureMode, const char *>, 3> table = {{
        {SignatureMode::Off, "off"},
        {SignatureMode::VerifyIfPresent, "verify-if-present"},
        {SignatureMode::Enforce, "enforce"},
    }};
};

// The agent's settings, kept as agent.json in its config folder.
struct AgentConfig
{
    QString listenAddress = QStringLiteral("::");
    quint16 port = DefaultAgentPort;
    SignatureMode signatures = SignatureMode::VerifyIfPresent;

    static QString fileName() { return QStringLiteral("agent.json"); }
    // /etc/prophasis-agent for root, the user's config location otherwise.
    static QString defaultDirectory();

    // Reads DIR/agent.json; on failure returns nullopt and says why in *error.
    static std::optional<AgentConfig> load(const QString &directory, QString *error);
    // Writes DIR/agent.json atomically, readable by its owner only.
    bool save(const QString &directory, QString *error) const;
};

} // namespace prophasis
