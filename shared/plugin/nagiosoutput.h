#pragma once

#include <QByteArray>

#include "shared/plugin/runresult.h"

namespace prophasis {

// Maps what a Nagios / Monitoring-Plugins-compatible program printed and its exit code to a run
// result (SPEC §3, runtime `nagios`):
// - exit 0/1/2/3 → ok/warning/critical/unknown; any other code → unknown, with the code named
//   in the message (a shell's 126/127 means the plugin could not even run);
// - message = the first line's text before '|', trimmed;
// - performance data = the first line after '|', plus, as Nagios reads long output, everything
//   after the first '|' on the later lines (which may span several lines);
// - each item is 'label'=value[UOM];[warn];[crit];[min];[max]; labels with spaces or '=' are
//   single-quoted ('' is a quote); the unit is whatever letters (or %) follow the number; a
//   value of U (unknown) and malformed items are skipped, never fatal;
// - metrics keep their order and the first one is the value;
// - MaxRunMessageLength and MaxRunMetrics apply, with `truncated` set.
// durationMs and pluginVersion are left for the caller.
RunResult parseNagiosOutput(int exitCode, const QByteArray &output);

} // namespace prophasis
