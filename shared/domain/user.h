#pragma once

#include <QDateTime>

#include <array>
#include <utility>

#include "shared/domain/entity.h"
#include "shared/domain/enumnames.h"

namespace prophasis {

enum class Role
{
    Viewer,   // read
    Operator, // read, test alerts and connections, check now
    Admin,    // everything
};

struct User : Entity
{
    QString username;
    QString fullName;
    Role role = Role::Viewer;
    bool enabled = true;
    QString passwordHash; // slow salted hash; never leaves the core
    int failedLogins = 0;
    QDateTime lockedUntil;
    QDateTime lastLogin;
};

// A long-lived credential with a role, for automation and Prometheus scraping.
struct ApiToken : Entity
{
    QString name;
    Role role = Role::Viewer;
    QUuid ownerId;
    QString tokenHash; // never leaves the core
    QDateTime created;
    QDateTime expires; // invalid: never
    QDateTime lastUsed;
};

template <>
struct EnumNames<Role>
{
    static constexpr std::array<std::pair<Role, const char *>, 3> table = {{
        {Role::Viewer, "viewer"},
        {Role::Operator, "operator"},
        {Role::Admin, "admin"},
    }};
};

} // namespace prophasis
