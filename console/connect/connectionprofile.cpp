#include "console/connect/connectionprofile.h"

namespace prophasis {

namespace {

constexpr int DefaultCorePort = 4049;

} // namespace

QString ConnectionProfile::keychainKey() const
{
    return user + u'@' + coreUrl.toString(QUrl::StripTrailingSlash);
}

QUrl normalizedCoreUrl(const QString &typed)
{
    const QString text = typed.trimmed();
    if (text.isEmpty())
        return {};
    QUrl url =
        QUrl::fromUserInput(text.contains(QStringLiteral("://")) ? text : QStringLiteral("https://") + text);
    if (!url.isValid() || url.scheme() != QStringLiteral("https") || url.host().isEmpty())
        return {};
    if (url.port() < 0)
        url.setPort(DefaultCorePort);
    // The core's API lives at fixed paths: a path, query or user typed along would only confuse.
    url.setPath(QString());
    url.setQuery(QString());
    url.setFragment(QString());
    url.setUserInfo(QString());
    return url;
}

QString groupedFingerprint(const QString &hex)
{
    const QString plain = hex.toLower().remove(u':').remove(u' ');
    QStringList groups;
    for (qsizetype i = 0; i < plain.size(); i += 4)
        groups.append(plain.mid(i, 4));
    return groups.join(u' ');
}

} // namespace prophasis
