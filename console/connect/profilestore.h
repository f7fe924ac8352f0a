#pragma once

#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

#include "console/connect/connectionprofile.h"

namespace prophasis {

// The saved connection profiles in the application's QSettings (never a password: that lives in
// the system keychain, see PasswordVault). Cheap to create; every call reads or writes through.
class ProfileStore
{
public:
    QList<ConnectionProfile> profiles() const;
    std::optional<ConnectionProfile> profile(const QString &name) const;
    // The profile for this core and user (the command line names a core, not a profile).
    std::optional<ConnectionProfile> profileFor(const QUrl &coreUrl, const QString &user) const;

    // Adds the profile, or replaces the one with the same name.
    void save(const ConnectionProfile &profile);
    void remove(const QString &name);

    // The profile connected to last, offered first next time; empty when none.
    QString lastUsed() const;
    void setLastUsed(const QString &name);

private:
    void write(const QList<ConnectionProfile> &profiles);
};

} // namespace prophasis
