#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

#include "shared/plugin/runresult.h"

namespace prophasis {

// Reads what an `exec` plugin printed (SPEC §3): exactly one JSON object
//   {"value": number|null, "message": string, "status": "ok"|"warning"|"critical"|"unknown",
//    "metrics": {"name": number | {"value": number, "unit": string}}}
// Every key is optional; unknown keys are ignored so plugins can be newer than the agent; a
// metric whose value is null is skipped (like Nagios' 'U'). Metrics come out sorted by name
// (JSON objects have no order). Anything else — not JSON, an array, two objects, a wrong type,
// a non-finite number — gives nullopt and *error says what the plugin printed, e.g.
// "the plugin printed no JSON object: Traceback (most recent call last): …".
// MaxRunMessageLength and MaxRunMetrics apply, with `truncated` set. durationMs and
// pluginVersion are left for the caller.
std::optional<RunResult> parseExecOutput(const QByteArray &output, QString *error);

// The first `bytes` bytes of a plugin's output as one readable line, for error messages.
QString outputPreview(const QByteArray &output, qsizetype bytes = 200);

} // namespace prophasis
