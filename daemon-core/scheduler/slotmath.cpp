#include "daemon-core/scheduler/slotmath.h"

#include <QByteArray>

#include <algorithm>

namespace prophasis {

namespace {

// Rounds the quotient towards +∞ for a positive divisor (C++ division truncates towards 0).
qint64 ceilDiv(qint64 numerator, qint64 divisor)
{
    const qint64 quotient = numerator / divisor;
    return (numerator % divisor > 0) ? quotient + 1 : quotient;
}

} // namespace

quint64 stableHostHash(const QUuid &hostId)
{
    // FNV-1a over the UUID's 16 bytes, then the splitmix64 finaliser so that UUIDs that differ
    // in a few bits (sequential ones) still land far apart modulo a period.
    const QByteArray bytes = hostId.toRfc4122();
    quint64 hash = 0xcbf29ce484222325ULL;
    for (const char byte : bytes) {
        hash ^= static_cast<quint8>(byte);
        hash *= 0x100000001b3ULL;
    }
    hash ^= hash >> 30;
    hash *= 0xbf58476d1ce4e5b9ULL;
    hash ^= hash >> 27;
    hash *= 0x94d049bb133111ebULL;
    hash ^= hash >> 31;
    return hash;
}

qint64 hostOffsetMs(quint64 hostHash, qint64 periodMs, qint64 maxSpreadMs)
{
    const qint64 spread = std::max<qint64>(1, std::min(periodMs, maxSpreadMs));
    return static_cast<qint64>(hostHash % static_cast<quint64>(spread));
}

qint64 firstSlotAtOrAfter(const SlotTiming &timing, qint64 offsetMs, qint64 t)
{
    const qint64 first = timing.startMs + offsetMs;
    if (t <= first)
        return first; // an interval starting in the future waits for its start
    return first + ceilDiv(t - first, timing.periodMs) * timing.periodMs;
}

qint64 lastSlotAtOrBefore(const SlotTiming &timing, qint64 offsetMs, qint64 t)
{
    const qint64 first = timing.startMs + offsetMs;
    if (t < first)
        return NoEarlierSlot;
    return first + (t - first) / timing.periodMs * timing.periodMs;
}

qint64 slotsBetween(const SlotTiming &timing, qint64 offsetMs, qint64 from, qint64 to)
{
    if (to <= from)
        return 0;
    const qint64 first = firstSlotAtOrAfter(timing, offsetMs, from);
    if (first >= to)
        return 0;
    return (to - 1 - first) / timing.periodMs + 1;
}

qint64 firstSlotAtOrAfter(const QList<SlotTiming> &timings, quint64 hostHash, qint64 maxSpreadMs, qint64 t)
{
    qint64 best = NoSlot;
    for (const SlotTiming &timing : timings) {
        const qint64 offset = hostOffsetMs(hostHash, timing.periodMs, maxSpreadMs);
        best = std::min(best, firstSlotAtOrAfter(timing, offset, t));
    }
    return best;
}

qint64 lastSlotAtOrBefore(const QList<SlotTiming> &timings, quint64 hostHash, qint64 maxSpreadMs, qint64 t)
{
    qint64 best = NoEarlierSlot;
    for (const SlotTiming &timing : timings) {
        const qint64 offset = hostOffsetMs(hostHash, timing.periodMs, maxSpreadMs);
        best = std::max(best, lastSlotAtOrBefore(timing, offset, t));
    }
    return best;
}

qint64 slotsBetween(const QList<SlotTiming> &timings, quint64 hostHash, qint64 maxSpreadMs, qint64 from,
                    qint64 to)
{
    qint64 count = 0;
    for (const SlotTiming &timing : timings)
        count += slotsBetween(timing, hostOffsetMs(hostHash, timing.periodMs, maxSpreadMs), from, to);
    return count;
}

} // namespace prophasis
