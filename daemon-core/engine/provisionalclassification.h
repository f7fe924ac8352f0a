#pragma once

#include "shared/domain/checkresult.h"

namespace prophasis {

// The seam where Lua classification (issue #5) plugs in. Until then a result is classified from
// what it says about itself: a failed run is unknown, a plugin's own verdict maps onto the
// classifications (warning → minor), and a successful run without a verdict is ok.
State provisionalClassification(const CheckResult &result);

} // namespace prophasis
