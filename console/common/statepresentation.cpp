#include "console/common/statepresentation.h"

#include <QCoreApplication>
#include <QHash>
#include <QPainter>
#include <QPixmap>

namespace prophasis {

QColor stateColour(State state)
{
    // Same as the status page (daemon-core/statuspage/statusstyle.cpp).
    switch (state) {
    case State::Critical:
        return QColor(0xb3, 0x26, 0x1e);
    case State::Major:
        return QColor(0xd5, 0x48, 0x0f);
    case State::Minor:
        return QColor(0xe0, 0xa1, 0x00);
    case State::Degraded:
        return QColor(0xc9, 0xb8, 0x00);
    case State::Unknown:
        return QColor(0x7b, 0x4f, 0xb0);
    case State::Ok:
        return QColor(0x2e, 0x7d, 0x32);
    case State::NoData:
        return QColor(0x8a, 0x93, 0xa6);
    }
    return Qt::gray;
}

QColor stateTextColour(State state)
{
    return state == State::Minor || state == State::Degraded ? QColor(0x1b, 0x1f, 0x27) : QColor(Qt::white);
}

QString stateLabel(State state)
{
    switch (state) {
    case State::Critical:
        return QCoreApplication::translate("State", "Critical");
    case State::Major:
        return QCoreApplication::translate("State", "Major");
    case State::Minor:
        return QCoreApplication::translate("State", "Minor");
    case State::Degraded:
        return QCoreApplication::translate("State", "Degraded");
    case State::Unknown:
        return QCoreApplication::translate("State", "Unknown");
    case State::Ok:
        return QCoreApplication::translate("State", "OK");
    case State::NoData:
        return QCoreApplication::translate("State", "No data");
    }
    return {};
}

QIcon stateIcon(State state)
{
    // Drawn once per state: lists ask for it on every paint.
    static QHash<State, QIcon> icons;
    auto found = icons.constFind(state);
    if (found != icons.constEnd())
        return *found;
    QIcon icon;
    for (const int size : {16, 32, 64}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(stateColour(state));
        const qreal margin = size / 8.0;
        painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin));
        icon.addPixmap(pixmap);
    }
    icons.insert(state, icon);
    return icon;
}

State stateFromWire(const QString &name)
{
    const std::optional<State> state = enumFromName<State>(name);
    return state ? *state : State::Unknown;
}

} // namespace prophasis
