#pragma once

#include <array>
#include <utility>

#include "daemon-core/auth/authtypes.h"
#include "shared/domain/enumnames.h"
#include "shared/domain/user.h"

namespace prophasis {

// What a request asks to do; each API route names one, and allowed() decides from the
// caller's role (SPEC §5).
enum class Permission
{
    Read,                // lists, reports, logs, the event stream, /metrics, config export
    CheckNow,            // queue a run at once
    TestAlert,           // send an alert's test message
    TestConnection,      // probe an agent
    TestClassifier,      // run a classifier against stored data (runs Lua on the core)
    ManageConfiguration, // create, change, delete entities; plugin upload; config import
    ManageEnrollments,   // join strings; accept or reject agents
    ManageLogs,          // mark the system log read, clear it
    ManageUsers,
    ManageTokens, // other users' API tokens, and tokens with any role
    ReadAudit,    // who changed what, from which address
};

template <>
struct EnumNames<Permission>
{
    static constexpr std::array<std::pair<Permission, const char *>, 11> table = {{
        {Permission::Read, "read"},
        {Permission::CheckNow, "check_now"},
        {Permission::TestAlert, "test_alert"},
        {Permission::TestConnection, "test_connection"},
        {Permission::TestClassifier, "test_classifier"},
        {Permission::ManageConfiguration, "manage_configuration"},
        {Permission::ManageEnrollments, "manage_enrollments"},
        {Permission::ManageLogs, "manage_logs"},
        {Permission::ManageUsers, "manage_users"},
        {Permission::ManageTokens, "manage_tokens"},
        {Permission::ReadAudit, "read_audit"},
    }};
};

// The role matrix: whether `role` may do `permission`.
bool allowed(Role role, Permission permission);

// Roles are ordered viewer < operator < admin: each has every right of the ones below.
bool roleAtLeast(Role role, Role minimum);
Role lowerRole(Role a, Role b);

// Whether `caller` may see or revoke `token`: its owner may, and whoever may manage tokens.
bool mayManageToken(const Principal &caller, const ApiToken &token);

} // namespace prophasis
