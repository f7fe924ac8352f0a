#include "console/overview/statechipstrip.h"

#include <QHBoxLayout>
#include <QToolButton>

#include "console/common/statepresentation.h"

namespace prophasis {

StateChipStrip::StateChipStrip(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    for (const State state : statesWorstFirst()) {
        auto *chip = new QToolButton(this);
        chip->setCheckable(true);
        chip->setAutoRaise(false);
        chip->setToolButtonStyle(Qt::ToolButtonTextOnly);
        chip->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        connect(chip, &QToolButton::clicked, this, [this, state] { chipClicked(state); });
        m_chips.insert(state, chip);
        layout->addWidget(chip);
    }
    layout->addStretch();
    setCounts({}, {});
}

void StateChipStrip::setCounts(const StateCounts &hosts, const StateCounts &services)
{
    for (const State state : statesWorstFirst()) {
        QToolButton *chip = m_chips.value(state);
        const int hostCount = hosts.value(state);
        const int serviceCount = services.value(state);
        chip->setText(tr("%1 %2").arg(hostCount + serviceCount).arg(stateLabel(state)));
        const QString detail = tr("%1: %2, %3")
                                   .arg(stateLabel(state), tr("%n host(s)", "", hostCount),
                                        tr("%n service(s)", "", serviceCount));
        chip->setToolTip(detail + u'\n' + tr("Click to show only these; click again to show all."));
        chip->setAccessibleName(detail);
        // The state's colour with its readable text colour while something is in it; an empty
        // state only framed in it, so the states that matter stand out. A chosen chip gets a thick
        // frame and bold words, so the choice does not rest on colour either.
        const QString colour = stateColour(state).name();
        const QString fill =
            hostCount + serviceCount > 0
                ? QStringLiteral("background: %1; color: %2;").arg(colour, stateTextColour(state).name())
                : QStringLiteral("background: palette(base); color: palette(text);");
        chip->setStyleSheet(QStringLiteral("QToolButton { %1 border: 2px solid %2; border-radius: 4px;"
                                           " padding: 3px 8px; }"
                                           "QToolButton:checked { border: 3px solid palette(text);"
                                           " font-weight: bold; }")
                                .arg(fill, colour));
    }
}

void StateChipStrip::setSelectedState(std::optional<State> state)
{
    for (auto it = m_chips.cbegin(); it != m_chips.cend(); ++it)
        it.value()->setChecked(state && it.key() == *state);
    if (state == m_selected)
        return;
    m_selected = state;
    Q_EMIT selectedStateChanged();
}

void StateChipStrip::chipClicked(State state)
{
    setSelectedState(m_selected == state ? std::nullopt : std::optional<State>(state));
}

} // namespace prophasis
