#pragma once

#include <QHash>
#include <QWidget>

#include <optional>

#include "console/overview/healthrow.h"

class QToolButton;

namespace prophasis {

// The overview's counts per state: one chip per state, in the state's colour, with its word and
// how many hosts and services are in it. Clicking a chip chooses that state as the filter;
// clicking it again clears the filter.
class StateChipStrip : public QWidget
{
    Q_OBJECT
public:
    explicit StateChipStrip(QWidget *parent = nullptr);

    void setCounts(const StateCounts &hosts, const StateCounts &services);
    std::optional<State> selectedState() const { return m_selected; }
    void setSelectedState(std::optional<State> state);
    // The chip of a state (for tests and keyboard focus).
    QToolButton *chip(State state) const { return m_chips.value(state); }

Q_SIGNALS:
    void selectedStateChanged();

private:
    void chipClicked(State state);

    QHash<State, QToolButton *> m_chips;
    std::optional<State> m_selected;
};

} // namespace prophasis
