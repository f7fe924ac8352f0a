#pragma once

#include <QList>
#include <QUuid>

#include <limits>

namespace prophasis {

// Slot arithmetic of the scheduler (SPEC §5), in milliseconds since the epoch (UTC), so that
// it is exact, cheap and testable without a clock.

inline constexpr qint64 NoSlot = std::numeric_limits<qint64>::max();
inline constexpr qint64 NoEarlierSlot = std::numeric_limits<qint64>::min();

// One schedule interval: runs at startMs + offset + k × periodMs, k ≥ 0.
struct SlotTiming
{
    qint64 startMs = 0;
    qint64 periodMs = 0;
    friend bool operator==(const SlotTiming &, const SlotTiming &) = default;
    friend auto operator<=>(const SlotTiming &, const SlotTiming &) = default;
};

// A hash of the host's UUID that is the same in every process and on every run (qHash is
// seeded per process), so a host keeps its offset across restarts.
quint64 stableHostHash(const QUuid &hostId);

// The host's fixed offset inside a period: spread over the period, but over at most
// maxSpreadMs, so that a daily check set for 03:00 still runs near 03:00.
qint64 hostOffsetMs(quint64 hostHash, qint64 periodMs, qint64 maxSpreadMs);

// The first slot of the timing (with the host's offset) at or after t.
qint64 firstSlotAtOrAfter(const SlotTiming &timing, qint64 offsetMs, qint64 t);

// The last slot of the timing (with the host's offset) at or before t; NoEarlierSlot when the
// timing starts after t.
qint64 lastSlotAtOrBefore(const SlotTiming &timing, qint64 offsetMs, qint64 t);

// How many slots of the timing (with the host's offset) fall in [from, to).
qint64 slotsBetween(const SlotTiming &timing, qint64 offsetMs, qint64 from, qint64 to);

// The first slot at or after t over the union of several timings; NoSlot when there are none.
qint64 firstSlotAtOrAfter(const QList<SlotTiming> &timings, quint64 hostHash, qint64 maxSpreadMs, qint64 t);

// The last slot at or before t over the union of several timings; NoEarlierSlot when there is none.
qint64 lastSlotAtOrBefore(const QList<SlotTiming> &timings, quint64 hostHash, qint64 maxSpreadMs, qint64 t);

// How many slots of the union of several timings fall in [from, to), an instant shared by two
// timings counted once per timing (an upper bound, exact for one timing).
qint64 slotsBetween(const QList<SlotTiming> &timings, quint64 hostHash, qint64 maxSpreadMs, qint64 from,
                    qint64 to);

} // namespace prophasis
