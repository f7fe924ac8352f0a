#pragma once

namespace prophasis {

// What every daemon sets up first:
// - one log format: time, level, category, message on stderr; debug output off unless
//   QT_LOGGING_RULES turns it on (e.g. QT_LOGGING_RULES="prophasis.*.debug=true);
// - a private file-creation mask (077): keys, databases and configs are never readable by others.
void setUpDaemonProcess();

} // namespace prophasis
