#pragma once

#include <QLoggingCategory>

namespace prophasis {

// "prophasis.http": info when listening, debug per request, warning when a client hits a limit.
Q_DECLARE_LOGGING_CATEGORY(lcHttp)

} // namespace prophasis
