#include "console/connect/profilestore.h"

#include <QSettings>

namespace prophasis {

namespace {

const QString ArrayKey = QStringLiteral("connections/profiles");
const QString LastUsedKey = QStringLiteral("connections/lastUsed");

} // namespace

QList<ConnectionProfile> ProfileStore::profiles() const
{
    QSettings settings;
    QList<ConnectionProfile> list;
    const int size = settings.beginReadArray(ArrayKey);
    for (int i = 0; i < size; ++i) {
        settings.setArrayIndex(i);
        ConnectionProfile profile;
        profile.name = settings.value(QStringLiteral("name")).toString();
        profile.coreUrl = settings.value(QStringLiteral("core")).toUrl();
        profile.user = settings.value(QStringLiteral("user")).toString();
        profile.pinnedKey = settings.value(QStringLiteral("pinnedKey")).toString();
        profile.rememberPassword = settings.value(QStringLiteral("rememberPassword")).toBool();
        if (profile.isValid())
            list.append(profile);
    }
    settings.endArray();
    return list;
}

std::optional<ConnectionProfile> ProfileStore::profile(const QString &name) const
{
    for (const ConnectionProfile &profile : profiles())
        if (profile.name == name)
            return profile;
    return std::nullopt;
}

std::optional<ConnectionProfile> ProfileStore::profileFor(const QUrl &coreUrl, const QString &user) const
{
    for (const ConnectionProfile &profile : profiles())
        if (profile.coreUrl.matches(coreUrl, QUrl::StripTrailingSlash) && profile.user == user)
            return profile;
    return std::nullopt;
}

void ProfileStore::save(const ConnectionProfile &profile)
{
    QList<ConnectionProfile> list = profiles();
    auto existing = std::find_if(list.begin(), list.end(),
                                 [&profile](const ConnectionProfile &p) { return p.name == profile.name; });
    if (existing != list.end())
        *existing = profile;
    else
        list.append(profile);
    write(list);
}

void ProfileStore::remove(const QString &name)
{
    QList<ConnectionProfile> list = profiles();
    list.removeIf([&name](const ConnectionProfile &p) { return p.name == name; });
    write(list);
    if (lastUsed() == name)
        setLastUsed({});
}

QString ProfileStore::lastUsed() const
{
    return QSettings().value(LastUsedKey).toString();
}

void ProfileStore::setLastUsed(const QString &name)
{
    QSettings settings;
    if (name.isEmpty())
        settings.remove(LastUsedKey);
    else
        settings.setValue(LastUsedKey, name);
}

void ProfileStore::write(const QList<ConnectionProfile> &profiles)
{
    QSettings settings;
    settings.remove(ArrayKey); // a shorter list must not keep the old tail
    settings.beginWriteArray(ArrayKey, int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const ConnectionProfile &profile = profiles[i];
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), profile.name);
        settings.setValue(QStringLiteral("core"), profile.coreUrl);
        settings.setValue(QStringLiteral("user"), profile.user);
        settings.setValue(QStringLiteral("pinnedKey"), profile.pinnedKey);
        settings.setValue(QStringLiteral("rememberPassword"), profile.rememberPassword);
    }
    settings.endArray();
}

} // namespace prophasis
