#pragma once

#include <QStringList>

namespace prophasis {

// prophasis-agent init | run | new-token | trust-key (SPEC §9).
int runAgentCommandLine(const QStringList &arguments);

} // namespace prophasis
