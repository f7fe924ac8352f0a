#pragma once

#include <QStringList>

namespace prophasis {

// prophasis-core init | run (SPEC §9).
int runCoreCommandLine(const QStringList &arguments);

} // namespace prophasis
