#pragma once

#include "shared/domain/alert.h"
#include "shared/domain/check.h"
#include "shared/domain/fielderrors.h"
#include "shared/domain/host.h"
#include "shared/domain/plugin.h"
#include "shared/domain/service.h"
#include "shared/domain/user.h"

namespace prophasis {

// Rules each object must meet on its own. Rules that need other objects (names unique,
// referenced objects exist, no cycles) are checked where the whole configuration is known.
FieldErrors validate(const Host &host);
FieldErrors validate(const HostGroup &group);
FieldErrors validate(const Plugin &plugin);
FieldErrors validate(const Check &check);
FieldErrors validate(const Schedule &schedule);
FieldErrors validate(const Service &service);
FieldErrors validate(const Alert &alert);
FieldErrors validate(const User &user);

inline constexpr int MaxNameLength = 200;
inline constexpr int MaxDescriptionLength = 4000;
inline constexpr int MaxVariableValueLength = 4000;
inline constexpr int MaxClassifierSourceLength = 64 * 1024;

// Variable names are Lua-friendly identifiers: [A-Za-z_][A-Za-z0-9_]{0,63}.
bool isValidVariableName(QStringView name);
bool isValidSha256Hex(QStringView hex);
// A DNS name, IPv4 or IPv6 address (no brackets, no port).
bool isValidHostAddress(QStringView address);

} // namespace prophasis
