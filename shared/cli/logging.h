#pragma once

namespace prophasis {

// One log format for the daemons: time, level, category, message on stderr. Debug output is
// off unless QT_LOGGING_RULES turns it on (e.g. QT_LOGGING_RULES="prophasis.*.debug=true").
void setUpDaemonLogging();

} // namespace prophasis
