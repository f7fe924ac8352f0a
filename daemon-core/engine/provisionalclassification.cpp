#include "daemon-core/engine/provisionalclassification.h"

namespace prophasis {

State provisionalClassification(const CheckResult &result)
{
    if (result.type != ResultType::Success)
        return State::Unknown;
    switch (result.status) {
    case PluginStatus::Ok:
    case PluginStatus::None:
        return State::Ok;
    case PluginStatus::Warning:
        return State::Minor;
    case PluginStatus::Critical:
        return State::Critical;
    case PluginStatus::Unknown:
        return State::Unknown;
    }
    return State::Unknown;
}

} // namespace prophasis
