#pragma once

#include <QStringView>

namespace prophasis {

// Plugin versions are compared as versions, not text: 1.10 is newer than 1.9.
// Accepted form: numeric release parts separated by dots ("2", "1.10.3"), optionally a
// pre-release after '-' ("1.0-rc.2", older than "1.0") and build metadata after '+' (ignored).
bool isValidPluginVersion(QStringView version);

// < 0, 0 or > 0 as a is older than, equal to or newer than b. Missing release parts count as
// zero (1.0 == 1.0.0). Pre-release parts compare numerically when both are numbers, else as
// text, and a numeric part is older than a textual one (SemVer's rule).
// Both must be valid versions.
int compareVersions(QStringView a, QStringView b);

} // namespace prophasis
