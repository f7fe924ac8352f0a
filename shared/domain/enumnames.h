#pragma once

#include <QString>
#include <QStringView>

#include <optional>
#include <utility>

namespace prophasis {

// Each wire-visible enum specialises EnumNames with its table of (value, wire name) pairs;
// enumName() and enumFromName() are then the one way to convert it.
template <typename E>
struct EnumNames;

template <typename E>
QString enumName(E value)
{
    for (const auto &[candidate, name] : EnumNames<E>::table) {
        if (candidate == value)
            return QString::fromLatin1(name);
    }
    return {};
}

template <typename E>
std::optional<E> enumFromName(QStringView name)
{
    for (const auto &[candidate, wireName] : EnumNames<E>::table) {
        if (name == QLatin1StringView(wireName))
            return candidate;
    }
    return std::nullopt;
}

// "a, b, c" for error messages that list what is allowed.
template <typename E>
QString enumNameList()
{
    QString list;
    for (const auto &[candidate, name] : EnumNames<E>::table) {
        if (!list.isEmpty())
            list += QStringLiteral(", ");
        list += QString::fromLatin1(name);
    }
    return list;
}

} // namespace prophasis
