#pragma once

#include <QtGlobal>

#include "shared/domain/checkresult.h"
#include "shared/domain/state.h"

namespace prophasis {

// The small integers the time series stores instead of text (a byte instead of a word per
// result). They are written to disk: never renumber one, only add. Unknown codes read back as
// the most cautious value.
int resultTypeCode(ResultType type);
ResultType resultTypeFromCode(int code);
int pluginStatusCode(PluginStatus status);
PluginStatus pluginStatusFromCode(int code);
int stateCode(State state);
State stateFromCode(int code);

// The three codes of a raw result in one small integer: type in bits 0-2, status in bits 3-5,
// classification in bits 6-8. A successful run classified ok without a status of its own is 0,
// which SQLite stores in no byte at all; PostgreSQL saves two of three smallint columns.
struct ResultOutcome
{
    ResultType type = ResultType::Success;
    PluginStatus status = PluginStatus::None;
    State classification = State::Unknown;
};
int outcomeCode(const ResultOutcome &outcome);
ResultOutcome outcomeFromCode(int code);

} // namespace prophasis
