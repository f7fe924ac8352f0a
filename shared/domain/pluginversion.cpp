#include "shared/domain/pluginversion.h"

#include <QRegularExpression>

#include <algorithm>

namespace prophasis {

namespace {

struct ParsedVersion
{
    QList<QStringView> release;
    QList<QStringView> preRelease; // empty: a release
};

ParsedVersion parse(QStringView version)
{
    ParsedVersion parsed;
    if (const qsizetype plus = version.indexOf(u'+'); plus >= 0)
        version = version.left(plus);
    QStringView release = version;
    if (const qsizetype dash = version.indexOf(u'-'); dash >= 0) {
        release = version.left(dash);
        parsed.preRelease = version.mid(dash + 1).split(u'.');
    }
    parsed.release = release.split(u'.');
    return parsed;
}

bool isNumber(QStringView part)
{
    return !part.isEmpty() && std::all_of(part.begin(), part.end(), [](QChar c) { return c.isDigit(); });
}

// Numeric parts of any length, compared without overflow: strip leading zeros, then length, then text.
int compareNumbers(QStringView a, QStringView b)
{
    auto stripZeros = [](QStringView part) {
        while (part.size() > 1 && part.front() == u'0')
            part = part.mid(1);
        return part;
    };
    a = stripZeros(a);
    b = stripZeros(b);
    if (a.size() != b.size())
        return a.size() < b.size() ? -1 : 1;
    return a.compare(b);
}

int comparePreReleasePart(QStringView a, QStringView b)
{
    const bool aNumeric = isNumber(a);
    const bool bNumeric = isNumber(b);
    if (aNumeric && bNumeric)
        return compareNumbers(a, b);
    if (aNumeric != bNumeric)
        return aNumeric ? -1 : 1;
    return a.compare(b);
}

int sign(int value)
{
    return (value > 0) - (value < 0);
}

} // namespace

bool isValidPluginVersion(QStringView version)
{
    // anchoredPattern: '$' would also accept a trailing newline.
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(
        QStringLiteral(R"([0-9]{1,9}(\.[0-9]{1,9}){0,7}(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?(\+[0-9A-Za-z.-]+)?)")));
    return version.size() <= 64 && pattern.match(version).hasMatch();
}

int compareVersions(QStringView a, QStringView b)
{
    const ParsedVersion left = parse(a);
    const ParsedVersion right = parse(b);
    const qsizetype releaseParts = std::max(left.release.size(), right.release.size());
    for (qsizetype i = 0; i < releaseParts; ++i) {
        const QStringView l = i < left.release.size() ? left.release[i] : QStringView(u"0");
        const QStringView r = i < right.release.size() ? right.release[i] : QStringView(u"0");
        if (const int order = compareNumbers(l, r))
            return order;
    }
    // A pre-release is older than its release.
    if (left.preRelease.isEmpty() != right.preRelease.isEmpty())
        return left.preRelease.isEmpty() ? 1 : -1;
    const qsizetype preParts = std::min(left.preRelease.size(), right.preRelease.size());
    for (qsizetype i = 0; i < preParts; ++i) {
        if (const int order = comparePreReleasePart(left.preRelease[i], right.preRelease[i]))
            return sign(order);
    }
    return sign(int(left.preRelease.size() - right.preRelease.size()));
}

} // namespace prophasis
