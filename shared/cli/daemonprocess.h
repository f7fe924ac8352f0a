#pragma once

namespace prophasis {

// What every daemon sets up first:
// - one log format: time, level, category, message on stderr; debug output off unless
//   QT_LOGGING_RULES turns it on (e.g. QT_LOGGING_RULES="prophasis.*.debug=true);
// - a private file-creation mask (077): keys, databases and configs are never readable by others.
void setUpDaemonProcess();

// Call before the QCoreApplication is made: the daemons use Qt's own poll() event loop instead
// of GLib's, which wakes itself with one eventfd write per posted event (nine per plugin run
// in the agent) where Qt's writes once per loop iteration. QT_NO_GLIB set by the user wins.
void chooseDaemonEventLoop();

} // namespace prophasis
