#include "daemon-core/auth/permission.h"

namespace prophasis {

namespace {

struct Rule
{
    Permission permission;
    Role minimum; // the lowest role allowed; the roles above it are too
};

// The one table of who may do what (SPEC §5): admins everything; operators read, test alerts
// and connections, check now; viewers read.
constexpr std::array<Rule, 11> Rules = {{
    {Permission::Read, Role::Viewer},
    {Permission::CheckNow, Role::Operator},
    {Permission::TestAlert, Role::Operator},
    {Permission::TestConnection, Role::Operator},
    {Permission::TestClassifier, Role::Admin},
    {Permission::ManageConfiguration, Role::Admin},
    {Permission::ManageEnrollments, Role::Admin},
    {Permission::ManageLogs, Role::Admin},
    {Permission::ManageUsers, Role::Admin},
    {Permission::ManageTokens, Role::Admin},
    {Permission::ReadAudit, Role::Admin},
}};

constexpr bool everyPermissionOnce()
{
    for (std::size_t i = 0; i < Rules.size(); ++i) {
        if (Rules[i].permission != EnumNames<Permission>::table[i].first)
            return false;
    }
    return Rules.size() == EnumNames<Permission>::table.size();
}
static_assert(everyPermissionOnce(), "the role matrix lists every permission once, in enum order");

} // namespace

bool roleAtLeast(Role role, Role minimum)
{
    return int(role) >= int(minimum);
}

Role lowerRole(Role a, Role b)
{
    return roleAtLeast(a, b) ? b : a;
}

bool mayManageToken(const Principal &caller, const ApiToken &token)
{
    return caller.userId == token.ownerId || allowed(caller.role, Permission::ManageTokens);
}

bool allowed(Role role, Permission permission)
{
    for (const Rule &rule : Rules) {
        if (rule.permission == permission)
            return roleAtLeast(role, rule.minimum);
    }
    return false; // an unknown value: refuse
}

} // namespace prophasis
