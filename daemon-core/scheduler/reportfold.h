#pragma once

#include <QHash>

#include <limits>
#include <optional>
#include <utility>

namespace prophasis {

// Folds repeats of one kind of trouble per key: the first occurrence is reported, later ones
// within the window are only counted, and the first occurrence after the window is reported with
// the count of everything since the previous report. Keeps log lines to one per key per window.
template <typename Key>
class ReportFold
{
public:
    explicit ReportFold(qint64 windowMs)
        : m_windowMs(windowMs)
    {
    }

    // Notes `count` occurrences at nowMs; the number to report now, or nullopt while folding.
    std::optional<qint64> note(const Key &key, qint64 nowMs, qint64 count = 1)
    {
        State &state = m_states[key];
        state.pending += count;
        if (state.lastReportMs != Never && nowMs - state.lastReportMs < m_windowMs &&
            nowMs >= state.lastReportMs)
            return std::nullopt;
        state.lastReportMs = nowMs;
        return std::exchange(state.pending, 0);
    }

    // Forgets keys that have nothing pending and whose window has passed (removed series stay
    // out of memory).
    void prune(qint64 nowMs)
    {
        m_states.removeIf([&](const auto &it) {
            return it.value().pending == 0 && nowMs - it.value().lastReportMs >= m_windowMs;
        });
    }

private:
    static constexpr qint64 Never = std::numeric_limits<qint64>::min();
    struct State
    {
        qint64 lastReportMs = Never;
        qint64 pending = 0;
    };

    qint64 m_windowMs;
    QHash<Key, State> m_states;
};

} // namespace prophasis
